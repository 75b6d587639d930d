"""Benchmarks of the ranking engine against the targets of the ranking issue.

Run: ``python benchmarks/bench_ranking.py [--quick]``. Warm timings (best of 3) after a
first call that loads the numba cache. Not a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(quick: bool) -> None:
    import computeatlas
    from computeatlas import datasets, regions
    from computeatlas.grid import GridSpec

    print(f"{os.cpu_count()} cores; quick={quick}")
    code = "import time; t=time.perf_counter(); import computeatlas; print(time.perf_counter()-t)"
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    print(f"import computeatlas: {min(imports):.3f} s (target <= 0.3 s)")
    code = (
        "import time, numpy as np; t=time.perf_counter();"
        "from computeatlas._kernels.latency import reach_weights;"
        "reach_weights(np.zeros(1), -180.0, 1.0, 360, np.zeros(1), np.zeros(1), np.ones(1),"
        " np.array([0.9]), True); print(time.perf_counter()-t)"
    )
    first = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    print(f"first call of a cached kernel (new process): {min(first):.3f} s (target <= 0.3 s)")

    metros = datasets.metros()
    n = 500 if quick else 5000
    pts = list(zip(metros["lat"][:n], metros["lon"][:n], metros["population"][:n], strict=True))
    res = 0.25 if quick else 0.1
    computeatlas.latency_field(pts[:10], resolution=res)
    t = best(lambda: computeatlas.latency_field(pts, resolution=res), 1 if not quick else 3)
    print(f"latency_field {res} deg, {n} metros: {t:.2f} s (target <= 0.5 s at 0.1 deg, 5000)")

    ten = [
        "Beijing",
        "Shanghai",
        "Seoul",
        "Tokyo",
        "Frankfurt",
        "London",
        "New York",
        "Chicago",
        "Sao Paulo",
        "Mumbai",
    ]
    computeatlas.rank_sites("world", ten, mode="share", min_share=0.2)
    t = best(lambda: computeatlas.rank_sites("world", ten, mode="share", min_share=0.2))
    print(f"rank_sites world 0.25 deg, 10 metros: {t:.2f} s (target <= 2 s)")

    g = GridSpec(0.1)
    rows, cols = np.arange(g.nlat), np.arange(g.nlon)
    regions.labels(g, "admin1", rows, cols)
    t = best(lambda: regions.labels(g, "admin1", rows, cols))
    print(f"cached region join 0.1 deg (admin1 labels lookup): {t * 1000:.1f} ms (target <= 20 ms)")


if __name__ == "__main__":
    main("--quick" in sys.argv)
