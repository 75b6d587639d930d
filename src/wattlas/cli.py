"""Command-line interface: ``wattlas summary``, ``wattlas info``, ``wattlas metros``.

Errors caused by input print one line to stderr and exit with status 2;
missing or corrupt data files exit with status 3.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from wattlas.errors import DataError, InputError


def _summary(_args: argparse.Namespace) -> int:
    from wattlas import datasets as ds
    from wattlas.grid import cell_area_km2

    clim = ds.climate()
    t = clim["t2m"]
    elev = ds.elevation()
    land = elev["land_fraction"]
    area = cell_area_km2(land["lat"].values, 0.25)[:, None] * land.values
    print("wattlas default layers (offline, shipped in the package)")
    global_mean = float(t.mean("month").weighted(np.cos(np.deg2rad(t.lat))).mean())
    print(
        f"  climate    ERA5 t2m climatology 2000-2025: {dict(t.sizes)}, "
        f"{float(t.min()):.1f}..{float(t.max()):.1f} degC, "
        f"global annual mean {global_mean:.1f} degC"
    )
    hum = ds.humidity()
    print(
        f"  humidity   ITU-R P.836-6 rho: {hum.sizes['exceedance']} exceedance levels, "
        f"median dew point {float(hum['dew_point'].sel(exceedance=50).median()):.1f} degC"
    )
    print(
        f"  elevation  land area {area.sum() / 1e6:.1f} million km2, "
        f"max cell mean {float(elev['elevation'].max()):.0f} m"
    )
    countries = ds.countries()
    print(
        f"  countries  {len(countries)} (Natural Earth 10m), "
        f"{(countries['iso_a2'] != '').sum()} with ISO codes"
    )
    regions = ds.admin1()
    print(f"  admin1     {len(regions)} regions in {regions['iso_a2'].nunique()} countries")
    metros = ds.metros()
    print(
        f"  metros     {len(metros)} places >= 100k, largest {metros.iloc[0]['name']} "
        f"({metros.iloc[0]['population']:,})"
    )
    prices = ds.electricity_prices()
    counts = prices["level"].value_counts().to_dict()
    print(
        f"  prices     {len(prices)} rows {counts}, median "
        f"{prices['price_usd_per_mwh'].median():.0f} USD/MWh"
    )
    resolved = ds.resolve_prices()
    fallback = resolved["price_source"].str.startswith("fallback").sum()
    print(
        f"             admin-1 regions priced from a row: {len(resolved) - fallback}, "
        f"by documented fallback: {fallback}"
    )
    carbon = ds.carbon_intensity()
    print(
        f"  carbon     {len(carbon)} regions, median {carbon['kg_co2_per_mwh'].median():.0f} "
        "kgCO2/MWh"
    )
    dh = ds.district_heating()
    print(
        f"  heating    {dh['dh_share_pct'].notna().sum()} countries with a district-heating "
        f"share, {dh['heat_price_usd_per_mwh'].notna().sum()} with a heat price"
    )
    return 0


def _info(_args: argparse.Namespace) -> int:
    import wattlas
    from wattlas.datasets import manifest

    print(f"wattlas {wattlas.__version__}")
    for name, layer in sorted(manifest()["layers"].items()):
        print(f"{name}: {layer['source']}")
        print(
            f"    licence: {layer['licence']}; resolution: {layer['resolution']}; "
            f"units: {layer['units']}"
        )
        for f, meta in sorted(layer["files"].items()):
            print(f"    {f}  sha256 {meta['sha256']}  ({meta['bytes']:,} bytes)")
    return 0


def _metros(args: argparse.Namespace) -> int:
    from wattlas.datasets import find_metro, metros

    if args.search:
        row = find_metro(args.search)
        print(
            f"{row['name']}, {row['country']} ({row['admin1']}): lat {row['lat']:.4f}, "
            f"lon {row['lon']:.4f}, population {row['population']:,}"
        )
        return 0
    table = metros()
    if args.country:
        table = table[table["country"] == args.country.upper()]
    for _, row in table.head(args.top).iterrows():
        print(f"{row['name']}, {row['country']}\t{row['population']:,}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``wattlas`` command."""
    parser = argparse.ArgumentParser(prog="wattlas", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("summary", help="load every default layer and print a summary").set_defaults(
        func=_summary
    )
    sub.add_parser("info", help="data versions, licences and checksums").set_defaults(func=_info)
    p = sub.add_parser("metros", help="list or look up demand metros")
    p.add_argument("--search", help='a name such as "Tokyo" or "Portland, US"')
    p.add_argument("--country", help="ISO 3166-1 alpha-2 code to filter the list")
    p.add_argument("--top", type=int, default=20, help="how many to list (default 20)")
    p.set_defaults(func=_metros)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as err:
        print(f"wattlas: error: {err}", file=sys.stderr)
        return 2
    except DataError as err:
        print(f"wattlas: data error: {err}", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
