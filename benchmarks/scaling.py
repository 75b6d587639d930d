"""Scaling of computeatlas with grid cells and with metros, and peak memory per resolution.

Usage: ``python benchmarks/scaling.py [--quick] [--write]``. Each memory figure is the
peak resident set size of a fresh process that runs the job (``VmHWM``), minus that of
a process that only imports computeatlas and loads the shipped layers. ``--write`` writes
the tables, with the machine, date and load, to ``docs/_bench_scaling.md`` (included by
``docs/performance.md``).
"""

from __future__ import annotations

import subprocess
import sys
import time

from _report import PEAK_MIB

JOB = """
import sys, numpy as np, computeatlas
from computeatlas import datasets, inputs
m = datasets.metros().head({metros})
pts = list(zip(m["lat"], m["lon"], m["population"]))
if {preload}:
    datasets.climate(); inputs.humidity(); datasets.elevation()
if {run}:
    {call}
print({peak})
"""


def peak_mib(call: str, metros: int = 10, preload: bool = True) -> float:
    def rss(run: bool) -> float:
        code = JOB.format(metros=metros, run=run, call=call, preload=preload, peak=PEAK_MIB)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    return rss(True) - rss(False)


def main(quick: bool, write_doc: bool = False) -> None:
    from _report import header, markdown, write

    import computeatlas
    from computeatlas import datasets

    command = "python benchmarks/scaling.py" + (" --quick" if quick else "") + " --write"
    text = header(command)
    metros = datasets.metros()
    rows = []
    for n in (10, 50, 500) if quick else (10, 50, 500, 2000, 5000):
        pts = list(zip(metros["lat"][:n], metros["lon"][:n], metros["population"][:n], strict=True))
        computeatlas.latency_field(pts[:2], resolution=0.25)
        t0 = time.perf_counter()
        computeatlas.latency_field(pts, resolution=0.25)
        rows.append((f"{n:,}", f"{time.perf_counter() - t0:.3f}"))
    text += "`latency_field`, global 0.25 deg (1.04 million cells), against the number of "
    text += "metros:\n\n" + markdown(("metros", "seconds"), rows)
    ten = [
        "Frankfurt",
        "London",
        "Paris",
        "Amsterdam",
        "Madrid",
        "Milan",
        "Stockholm",
        "Warsaw",
        "Dublin",
        "Vienna",
    ]
    computeatlas.rank_sites((0, 45, 5, 50), ten)
    rows = []
    for half in (5, 10, 20, 40) if quick else (5, 10, 20, 40, 80):
        box = (10 - half, max(-90, 50 - half), 10 + half, min(90, 50 + half))
        t0 = time.perf_counter()
        r = computeatlas.rank_sites(box, ten)
        cells = r.grid.sizes["lat"] * r.grid.sizes["lon"]
        rows.append((f"{cells:,}", f"{time.perf_counter() - t0:.3f}"))
    text += "\n`rank_sites` with 10 metros against the number of cells (square boxes "
    text += "centred on Europe, 0.25 deg):\n\n" + markdown(("cells", "seconds"), rows)
    rows = []
    for res in (0.25, 0.1) if quick else (0.25, 0.1, 0.05):
        call = f"computeatlas.latency_field(pts, resolution={res})"
        mib = peak_mib(call, 500, preload=False)
        rows.append((f"`latency_field`, global {res} deg, 500 metros", f"{mib:.0f}"))
    for res in (0.25,) if quick else (0.25, 0.1, 0.05):
        call = (
            f"computeatlas.rank_sites('world', pts, mode='share', min_share=0.2, resolution={res})"
        )
        rows.append((f"`rank_sites` world {res} deg, 10 metros", f"{peak_mib(call, 10):.0f}"))
    text += "\nPeak memory above an idle process (for `rank_sites`, above one that has "
    text += "loaded the shipped layers):\n\n" + markdown(("job", "MiB"), rows)
    print(text)
    if write_doc:
        write("_bench_scaling.md", text)


if __name__ == "__main__":
    main("--quick" in sys.argv, "--write" in sys.argv)
