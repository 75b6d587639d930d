"""Make the figures of the README and the docs from the shipped data.

Run from the repository root (the docs build runs it through ``docs/scripts/hooks.py``
before ``mkdocs build``)::

    python3 docs/scripts/figures.py          # writes docs/img/east_asia.png, east_asia_supply.png

Both figures come from one ranking: the cells within 50 ms of Beijing, Shanghai, Seoul
and Tokyo at the default scenario (``air_side_fleet``, ASHRAE A1, donated heat, cloud
backbone routes), on the shipped 0.25 deg layers. The map is ``SiteRanking.plot()``,
the curve is ``computeatlas.plot.plot_supply_curve`` of ``SiteRanking.supply_curve``
(eligible area against cost; no capacity density is assumed). About 5-20 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from computeatlas import rank_sites
from computeatlas.plot import plot_supply_curve

IMG = Path(__file__).resolve().parent.parent / "img"
BBOX = (95.0, 18.0, 150.0, 55.0)
METROS = ["Beijing", "Shanghai", "Seoul", "Tokyo"]
MAX_RTT_MS = 50.0


def make(out: Path = IMG) -> list[Path]:
    """Rank East Asia once and write the map and the supply curve; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    ranking = rank_sites(BBOX, METROS, max_rtt_ms=MAX_RTT_MS)
    ax = ranking.plot("cost_usd_per_mwh_it", sites=10)
    ax.figure.set_size_inches(10, 6.5)
    paths = [out / "east_asia.png", out / "east_asia_supply.png"]
    ax.figure.savefig(paths[0], dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    curve = ranking.supply_curve()
    ax = plot_supply_curve(curve, x="area")
    ax.set_title(
        f"supply curve: eligible cells within {MAX_RTT_MS:g} ms of {', '.join(METROS)},\n"
        "cheapest first (whole 0.25 deg cells, coastal cells not reduced to land)",
        fontsize=10,
    )
    ax.figure.savefig(paths[1], dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    return paths


def main() -> None:
    """Command line: write the figures (``--out`` another folder)."""
    parser = argparse.ArgumentParser(description="Make the README and docs figures.")
    parser.add_argument("--out", type=Path, default=IMG, help="folder (default docs/img)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    for path in make(args.out):
        print(f"wrote {path}")
    print(f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
