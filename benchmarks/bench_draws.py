"""Benchmarks of the Monte Carlo bands (issue 16) against their targets and a naive peer.

Run: ``python benchmarks/bench_draws.py [--quick] [--write]``. Warm timings after a first
call that loads the numba cache. The peer is what a user would otherwise write: the point
``rank_sites`` called once per draw with perturbed presets (timed on a few calls and
scaled to the number of draws, since every call costs the same). ``--write`` writes the
table, with machine and date, to ``docs/_bench_draws.md`` (included by
``docs/performance.md``). Not a test.
"""

from __future__ import annotations

import sys
import time

from _report import header, markdown, write

EAST_ASIA = ((95, 18, 150, 55), ["Beijing", "Shanghai", "Seoul", "Tokyo"])
TEN = ["Beijing", "Shanghai", "Seoul", "Tokyo", "Frankfurt", "London", "New York",
       "Chicago", "Sao Paulo", "Mumbai"]  # fmt: skip


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def naive_per_call(bbox, metros, **kw) -> float:
    """Seconds per point ``rank_sites`` with a perturbed technology (the naive loop's step)."""
    import computeatlas
    from computeatlas import presets

    tech = presets.cooling("air_side_fleet")
    times = []
    for ups in (0.91, 0.95, 0.98):
        t = tech.replace(ups_efficiency=ups, name=f"air_side_fleet_ups{ups}")
        times.append(timed(lambda t=t: computeatlas.rank_sites(bbox, metros, technology=t, **kw)))
    return min(times)


def rows(quick: bool) -> list[tuple[str, str, str, str]]:
    import computeatlas

    out = []
    cases = [("East Asia, 64 draws", EAST_ASIA[0], EAST_ASIA[1], 64, 10.0, {"max_rtt_ms": 50})]
    if not quick:
        world = ("world", TEN, 100, 60.0, {"max_rtt_ms": 50, "mode": "share", "min_share": 0.5})
        cases.append(("world 0.25 deg, 10 metros (share 0.5), 100 draws", *world))
    for label, bbox, metros, n, target, kw in cases:
        computeatlas.rank_sites(bbox, metros, draws=2, **kw)  # load the JIT cache
        t = timed(lambda: computeatlas.rank_sites(bbox, metros, draws=n, **kw))
        peer = naive_per_call(bbox, metros, **kw) * n
        out.append((f"`rank_sites`, {label}", f"{t:.1f} s", f"<= {target:g} s", f"{peer / t:.1f}x"))
    pts = [(40.84, 111.75), (50.11, 8.68), (33.45, -112.07), (1.35, 103.82)]
    computeatlas.site_report(pts)
    t = timed(lambda: computeatlas.site_report(pts, draws=200))
    t0 = timed(lambda: computeatlas.site_report(pts, draws=0))
    out.append(("`site_report`, 4 sites, 200 draws (default)", f"{t:.2f} s", "-",
                f"{t0 * 200 / t:.0f}x"))  # fmt: skip
    return out


def main(argv: list[str]) -> None:
    text = header("python benchmarks/bench_draws.py --write") + (
        "Peer: the point call once per draw (a loop over perturbed presets), same run.\n\n"
    )
    cols = ("what", "measured", "target", "speed-up over the per-draw loop")
    text += markdown(cols, rows("--quick" in argv))
    print(text)
    if "--write" in argv:
        write("_bench_draws.md", text)


if __name__ == "__main__":
    main(sys.argv[1:])
