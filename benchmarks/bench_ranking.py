"""Benchmarks of the ranking engine against the targets of the performance issues.

Run: ``python benchmarks/bench_ranking.py [--quick] [--write]``. Warm timings (best of 3)
after a first call that loads the numba cache; start-up and peak memory are measured in
fresh processes. The NumPy BLAS peer of the issue (float32 unit vectors, one matrix
product per chunk, nearest metro and two threshold sums) is timed in the same run on
evenly spaced rows of the same grid, scaled to the whole grid, and its answer is checked
against ``latency_field`` before the ratio is printed. ``--write`` writes the table,
with the machine, date and load, to ``docs/_bench_ranking.md`` (included by
``docs/performance.md``). Not a test.
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
from _report import PEAK_MIB, header, markdown, write

EAST_ASIA = "((95, 18, 150, 55), ['Beijing', 'Shanghai', 'Seoul', 'Tokyo'])"
TEN = [
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


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def fresh(code: str, repeat: int = 3) -> float:
    """Smallest value a snippet prints, each run in a new process."""
    out = []
    for _ in range(repeat):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(run.stderr)
        out.append(float(run.stdout.split()[-1]))
    return min(out)


def peak_rss_gib(call: str) -> float:
    code = (
        "import computeatlas as ca; m = ca.datasets.metros(kind='places');"
        f"{call}; print(({PEAK_MIB}) / 1024)"
    )
    return fresh(code, 1)


def rows(quick: bool) -> list[tuple[str, str, str, bool | None]]:
    import computeatlas

    out = []
    t = fresh(
        "import time; t=time.perf_counter(); import computeatlas; print(time.perf_counter()-t)"
    )
    out.append(("`import computeatlas`", f"{t:.3f} s", "<= 0.3 s", t <= 0.3))
    t = fresh(
        "import computeatlas as ca, time; t=time.perf_counter();"
        f"ca.rank_sites(*{EAST_ASIA}, max_rtt_ms=50); print(time.perf_counter()-t)"
    )
    out.append(
        (
            "first `rank_sites` (East Asia) in a new process, warm JIT cache",
            f"{t:.2f} s",
            "<= 1 s after import",
            t <= 1.0,
        )
    )
    out.append(floor_row())
    # every shipped place of >= 100 000 people (6,204), the unit of the targets
    metros = computeatlas.datasets.metros(kind="places")
    pts = metros[["name", "lat", "lon", "population"]]
    for res, target in ((0.25, 0.1), (0.1, 0.5)):
        if quick and res < 0.25:
            continue
        for route, what in (
            ("cloud_backbone", "`cloud_backbone` route (great circles, as the NumPy peer)"),
            ("geographic", "default `geographic` route (corridor paths)"),
        ):
            kw = {"resolution": res, "route": route}
            computeatlas.latency_field(pts, **kw)
            t = best(lambda kw=kw: computeatlas.latency_field(pts, **kw))
            out.append(
                (
                    f"`latency_field` world {res} deg, all {len(pts)} metros, {what}",
                    f"{t:.2f} s",
                    f"<= {target} s",
                    t <= target,
                )
            )
            if route == "cloud_backbone" and (res == 0.1 or quick):
                out.append(numpy_peer_row(pts, res, t, 20 if res == 0.1 else 5))
    out += rank_rows(pts)
    out += memory_rows(quick)
    return out


#: A module with one cached numba function, for the libraries' own start-up floor.
FLOOR_MODULE = """
import numba

@numba.njit(cache=True)
def total(x):
    return x.sum()
"""


def floor_row() -> tuple[str, str, str, bool | None]:
    """What the libraries a ranking returns and runs on cost in a new process, before any work.

    A new process imports pandas, calls one numba function loaded from numba's cache
    (numba initialises its compiler target then, which imports scipy.linalg) and makes
    one xarray DataArray (xarray then imports dask.array when dask is installed, as it
    is for the distributed path). ``rank_sites`` returns an xarray grid and a pandas
    table of its top sites, and its kernels are numba's, so no first call is faster.
    """
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "floor_mod.py").write_text(FLOOR_MODULE)
        code = (
            f"import sys, time; sys.path.insert(0, {tmp!r}); t = time.perf_counter();"
            "import numpy as np, pandas, xarray, floor_mod; floor_mod.total(np.zeros(3));"
            "xarray.DataArray(np.zeros(3)); print(time.perf_counter() - t)"
        )
        fresh(code, 1)  # compiles and fills the cache
        t = fresh(code)
    return (
        "  the libraries' own floor in a new process: import pandas, one xarray DataArray, "
        "one numba function from its cache (no computeatlas)",
        f"{t:.2f} s",
        "none (a first call cannot be faster)",
        None,
    )


def rank_rows(pts) -> list[tuple[str, str, str, bool | None]]:
    """World rankings: with the climate-only cache empty, and filled by an earlier call."""
    import computeatlas
    from computeatlas import _cache

    def uncached(*args, **kwargs):
        _cache.clear()
        return computeatlas.rank_sites(*args, **kwargs)

    uncached("world", TEN, mode="share", min_share=0.2)
    t0 = best(lambda: uncached("world", TEN, mode="share", min_share=0.2))
    # the cache holds this window's cooling and heating season; rank other metros on it
    other = ["Paris", "Madrid", "Warsaw", "Delhi", "Jakarta", "Lagos", "Cairo", "Toronto"]
    computeatlas.rank_sites("world", TEN, mode="share", min_share=0.2)
    t1 = best(lambda: computeatlas.rank_sites("world", other, mode="share", min_share=0.2))
    uncached("world", pts, mode="share", min_share=0.5)
    t2 = best(lambda: uncached("world", pts, mode="share", min_share=0.5), 2)
    call = (
        "ca.rank_sites('world', m[['name','lat','lon','population']], mode='share', min_share=0.5)"
    )
    rss = peak_rss_gib(call)
    return [
        (
            "`rank_sites` world 0.25 deg, 10 metros, climate cache empty (every call computes "
            "the cooling and heating season)",
            f"{t0:.2f} s",
            "<= 1 s",
            t0 <= 1.0,
        ),
        (
            "  the same window again with 8 other metros (cooling and heating season from the "
            "in-process cache of an earlier call)",
            f"{t1:.2f} s",
            "<= 1 s",
            t1 <= 1.0,
        ),
        (
            f"`rank_sites` world 0.25 deg, share mode, all {len(pts)} metros, climate cache empty",
            f"{t2:.2f} s",
            "<= 3 s warm",
            t2 <= 3.0,
        ),
        ("  peak RSS of that call (new process)", f"{rss:.2f} GiB", "<= 2.5 GiB", rss <= 2.5),
    ]


#: The benchmark cases whose memory is checked: (what, window, number of metros, call, kind).
MEMORY_CASES = (
    (
        "`rank_sites` East Asia, 4 metros",
        "Window.from_bbox((95, 18, 150, 55))",
        "4",
        f"ca.rank_sites(*{EAST_ASIA}, max_rtt_ms=50)",
        "rank",
    ),
    (
        "`rank_sites` world 0.25 deg, 10 metros",
        "Window.from_bbox('world')",
        "10",
        f"ca.rank_sites('world', {TEN!r}, mode='share', min_share=0.2)",
        "rank",
    ),
    (
        "`rank_sites` world 0.25 deg, share mode, all metros",
        "Window.from_bbox('world')",
        "len(m)",
        "ca.rank_sites('world', m[['name','lat','lon','population']], mode='share', min_share=0.5)",
        "rank",
    ),
    (
        "`latency_field` world 0.25 deg, all metros",
        "Window.from_bbox('world')",
        "len(m)",
        "ca.latency_field(m[['name','lat','lon','population']], resolution=0.25)",
        "latency",
    ),
    (
        "`latency_field` world 0.1 deg, all metros",
        "Window.from_bbox('world', 0.1)",
        "len(m)",
        "ca.latency_field(m[['name','lat','lon','population']], resolution=0.1)",
        "latency",
    ),
)

#: Python expression: this process's resident set size now [MiB].
RSS_MIB = (
    "next(int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmRSS:'))"
)

#: Tiny calls that load the libraries before a measured call.
WARM_UP = (
    "ca.rank_sites((10, 45, 11, 46), ['Milan'], max_rtt_ms=20);"
    "ca.latency_field(['Milan'], bbox=(10, 45, 11, 46))"
)


def memory_case(window: str, n: str, call: str, kind: str) -> tuple[float, float, float]:
    """(guard estimate, RSS before the call, peak RSS) [GiB] of one call, in a new process.

    The process first loads the libraries with two tiny calls (:data:`WARM_UP`); the
    estimate is taken just before the measured call, as the guard takes it. The guard
    estimates what a request allocates, so it is compared with the peak less the RSS
    before the call (interpreter, libraries and the metro table).
    """
    estimate = (
        f"ranking.rank_memory_bytes(w, {n})"
        if kind == "rank"
        else "ranking.latency_memory_bytes(w, geographic=ca.presets.route().geographic)"
    )
    code = (
        "import warnings; warnings.simplefilter('ignore');"
        "import computeatlas as ca; from computeatlas import ranking;"
        "from computeatlas.grid import Window; m = ca.datasets.metros(kind='places');"
        f"{WARM_UP}; w = {window}; est = {estimate} / 2**30; before = {RSS_MIB};"
        f"{call}; print(est, before / 1024, ({PEAK_MIB}) / 1024)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(run.stderr)
    est, before, peak = (float(x) for x in run.stdout.split()[-3:])
    return est, before, peak


def memory_rows(quick: bool) -> list[tuple[str, str, str, bool | None]]:
    """The guard's estimate against the measured peak RSS of every benchmark case."""
    out = []
    for what, window, n, call, kind in MEMORY_CASES:
        if quick and "0.1 deg" in what:
            continue
        est, before, peak = memory_case(window, n, call, kind)
        err = (peak - before) / est - 1.0
        out.append(
            (
                f"  memory guard, {what}: estimate {est:.2f} GiB; peak RSS {peak:.2f} GiB in a "
                f"new process, {peak - before:.2f} GiB above its {before:.2f} GiB before the call",
                f"{err:+.0%}",
                "within 30 %",
                abs(err) <= 0.30,
            )
        )
    return out


def unit32(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, q = np.deg2rad(lat), np.deg2rad(lon)
    xyz = np.stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)], axis=-1)
    return xyz.astype(np.float32)


def numpy_blas(lat, lon, mlat, mlon, cos_t, chunk: int = 1 << 15):
    """The NumPy peer: float32 unit vectors, a BLAS product per chunk of cells.

    Returns the angle to the nearest metro [rad] and the number of metros within each
    cosine threshold, shape (k, nlat, nlon) (counts: its cheapest form of the sums).
    """
    glat, glon = np.meshgrid(lat, lon, indexing="ij")
    cells = unit32(glat.ravel(), glon.ravel())
    mv = unit32(mlat, mlon).T.copy()
    near = np.empty(cells.shape[0], dtype=np.float32)
    sums = np.empty((len(cos_t), cells.shape[0]))
    for s in range(0, cells.shape[0], chunk):
        d = cells[s : s + chunk] @ mv
        near[s : s + chunk] = d.max(axis=1)
        for k, c in enumerate(cos_t):
            sums[k, s : s + chunk] = np.count_nonzero(d >= np.float32(c), axis=1)
    angle = np.arccos(np.clip(near.astype(np.float64), -1.0, 1.0))
    return angle.reshape(glat.shape), sums.reshape(len(cos_t), *glat.shape)


def numpy_peer_row(pts, res: float, t_ours: float, every: int) -> tuple[str, str, str, bool | None]:
    """Time the NumPy peer on every ``every``-th row, check it, and give the ratio."""
    import computeatlas
    from computeatlas import presets
    from computeatlas.constants import EARTH_RADIUS_KM
    from computeatlas.grid import GridSpec
    from computeatlas.models import service_radius_km
    from computeatlas.models.latency import rtt_from_km

    g = GridSpec(res)
    rows = np.arange(0, g.nlat, every)
    mlat, mlon = pts["lat"].to_numpy(float), pts["lon"].to_numpy(float)
    thresholds = (30.0, 50.0)
    route = presets.route("cloud_backbone")  # great circles: what the peer computes
    cos_t = np.cos(service_radius_km(thresholds, route=route) / EARTH_RADIUS_KM)
    t0 = time.perf_counter()
    angle, sums = numpy_blas(g.lat[rows], g.lon, mlat, mlon, cos_t)
    t_peer = (time.perf_counter() - t0) * g.nlat / rows.size
    # counts: latency_field with equal weights (its cost does not depend on the weights)
    ours = computeatlas.latency_field(pts, resolution=res, weight="equal", route=route)
    ours = ours.isel(lat=rows)
    rtt = rtt_from_km(angle * EARTH_RADIUS_KM, route=route)
    rtt_err = float(np.max(np.abs(rtt - ours["min_rtt_ms"].values)))
    agree = min(
        float(np.mean(sums[k] == ours[f"reachable_population_{t:g}ms"].values))
        for k, t in enumerate(thresholds)
    )
    ok = rtt_err < 0.1 and agree > 0.999
    ratio = t_peer / t_ours
    check = (
        f"peer timed on {rows.size} of {g.nlat} rows, scaled x{g.nlat / rows.size:.1f}: "
        f"{t_peer:.1f} s; max RTT difference {rtt_err:.3f} ms (float32), "
        f"{agree:.2%} of reach counts agree"
    )
    return (
        f"  ratio to the NumPy BLAS peer, {res} deg ({check})",
        f"{ratio:.0f}x" if ok else "- (peer disagrees)",
        ">= 40x",
        ok and ratio >= 40,
    )


def table(results: list[tuple[str, str, str, bool | None]]) -> str:
    verdict = {True: "yes", False: "no", None: "-"}
    rows = [(w, m, t, verdict[ok]) for w, m, t, ok in results]
    return header("python benchmarks/bench_ranking.py --write") + markdown(
        ("what", "measured", "target", "met"), rows
    )


def main(argv: list[str]) -> None:
    text = table(rows("--quick" in argv))
    print(text)
    if "--write" in argv:
        write("_bench_ranking.md", text)


if __name__ == "__main__":
    main(sys.argv[1:])
