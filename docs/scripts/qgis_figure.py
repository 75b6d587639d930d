"""Make docs/img/qgis_map.png: a ranking exported as the QGIS GeoPackage, rendered by QGIS.

Run from the repository root with the Python computeatlas is installed in; it writes
the GeoPackage to a temporary folder and renders it with QGIS's own Python
(``/usr/bin/python3`` with Debian's ``python3-qgis``) through ``qgis_render.py``::

    python3 docs/scripts/qgis_figure.py            # writes docs/img/qgis_map.png
    python3 docs/scripts/qgis_figure.py --keep atlas.gpkg   # also keep the GeoPackage

Nothing here styles the map: every colour, class and label comes from the default
styles embedded in the GeoPackage, applied by QGIS when it opens the layers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import computeatlas

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "img" / "qgis_map.png"
BBOX = (-12.0, 36.0, 24.0, 62.0)
METROS = ["London", "Paris", "Frankfurt", "Amsterdam"]
MAX_RTT_MS = 15.0
LAYERS = "sites,metros,service_areas,cells,regions_admin0"
TITLE = "Cells within 15 ms of all four metros: all-in cost of IT energy [USD/MWh_IT]"


def main() -> int:
    """Rank, export the GeoPackage and let QGIS render it; print QGIS's report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="also copy the GeoPackage here")
    parser.add_argument("--qgis-python", default="/usr/bin/python3")
    args = parser.parse_args()
    ranking = computeatlas.rank_sites(BBOX, METROS, max_rtt_ms=MAX_RTT_MS, top=25)
    with tempfile.TemporaryDirectory() as tmp:
        gpkg = ranking.to_gpkg(Path(tmp) / "atlas.gpkg")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": tmp}
        env.pop("PYTHONPATH", None)
        cmd = [args.qgis_python, str(HERE / "qgis_render.py"), str(gpkg), str(OUT)]
        cmd += ["--layers", LAYERS, "--size", "1400x900", "--title", TITLE]
        cmd += ["--extent=" + ",".join(f"{v:g}" for v in BBOX)]  # "=": it starts with "-"
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        if args.keep:
            shutil.copyfile(gpkg, args.keep)
    report = json.loads(done.stdout)
    print(json.dumps({k: v["renderer"] for k, v in report["layers"].items()}, indent=1))
    print(f"wrote {OUT} ({report['qgis']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
