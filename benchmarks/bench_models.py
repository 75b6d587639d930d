"""Benchmark of the cooling model against the targets of the models issue.

Run: ``python benchmarks/bench_models.py [--write]``. Prints warm timings (the first call
compiles or loads the numba cache and is reported separately); ``--write`` writes them,
with the machine, date and load, to ``docs/_bench_models.md`` (included by
``docs/performance.md``). Not a test.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def main(write_doc: bool = False) -> None:
    from _report import header, markdown, write

    from computeatlas import datasets, inputs
    from computeatlas._kernels import cooling as k
    from computeatlas.models import cooling

    rows = []
    text = header("python benchmarks/bench_models.py --write")
    clim, hum, elev = datasets.climate(), inputs.humidity(), datasets.elevation()
    t0 = time.perf_counter()
    cooling.annual_cooling(clim, hum, elev)
    first = time.perf_counter() - t0
    rows.append(("annual PUE, global 0.25 deg, monthly path, first call", f"{first:.2f} s", "-"))
    for tech in ("air_side_fleet", "water_side_economiser"):
        best = min(
            _time(lambda t=tech: cooling.annual_cooling(clim, hum, elev, technology=t))
            for _ in range(3)
        )
        rows.append(
            (
                f"annual PUE, global 0.25 deg, monthly path, `{tech}`, warm",
                f"{best:.2f} s",
                "<= 2 s",
            )
        )
    rng = np.random.default_rng(0)
    cells, hours = 2000, 8760
    # A realistic mid-latitude year: seasonal + diurnal cycle + weather noise.
    h = np.arange(hours)
    t = (
        10
        + 12 * np.sin(2 * np.pi * (h / 8760 - 0.3))
        + 4 * np.cos(2 * np.pi * (h % 24 - 15) / 24)
        + rng.normal(0, 3, (cells, hours))
    )
    td = t - rng.uniform(2, 10, t.shape)
    p = np.full(cells, 101.325)
    for tech in ("air_side_fleet", "water_side_economiser"):
        P = cooling.pack_parameters(tech)
        k.annual_from_hourly(t[:2], td[:2], p[:2], P)
        best = min(_time(lambda P=P: k.annual_from_hourly(t, td, p, P)) for _ in range(3))
        rate = cells * hours / best / 1e6
        rows.append((f"hourly path, `{tech}`", f"{rate:.1f} M cell-hours/s", ">= 50 M"))
    text += markdown(("what", "measured", "target"), rows)
    print(text)
    if write_doc:
        write("_bench_models.md", text)


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main("--write" in sys.argv)
