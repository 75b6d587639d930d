"""Write docs/_uncertainty_validation.md: draw bands against Lei & Masanet's published bands.

``python docs/scripts/uncertainty_tables.py`` runs ``site_report`` with 400 paired
draws (seed 0) at the DOE reference city of every ASHRAE climate zone for the two
archetypes that map onto the calculator's large-scale systems, and tabulates our
5th-95th percentile PUE against the calculator's (``UE.csv``, typed in
tests/test_pue_validation.py, where the same comparison is asserted).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "_uncertainty_validation.md"


def main() -> None:
    """Run the comparison and write the table."""
    sys.path.insert(0, str(ROOT / "tests"))
    import computeatlas
    from test_pue_validation import AIR_SIDE, BAND_DRAWS, BAND_MET, CITIES, WATER_SIDE

    points = [(lat, lon) for _c, lat, lon in CITIES.values()]
    lines = [
        f"{BAND_DRAWS} paired draws, seed 0 (`python docs/scripts/uncertainty_tables.py`).",
        "",
        "| zone | city | archetype | ours p05-p95 | LM p05-p95 | diff p05 | diff p95 | +-0.03 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, ref in (("air_side_fleet", AIR_SIDE), ("water_side_economiser", WATER_SIDE)):
        r = computeatlas.site_report(points, technology=name, draws=BAND_DRAWS, seed=0)
        for k, zone in enumerate(CITIES):
            lo, hi = ref[zone]
            a, b = float(r["pue_p05"][k]), float(r["pue_p95"][k])
            met = "yes" if zone in BAND_MET[name] else "no"
            lines.append(
                f"| {zone} | {CITIES[zone][0]} | `{name}` | {a:.3f}-{b:.3f} | {lo:.3f}-{hi:.3f} "
                f"| {a - lo:+.3f} | {b - hi:+.3f} | {met} |"
            )
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
