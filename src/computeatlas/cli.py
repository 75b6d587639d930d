"""Command-line interface: ``computeatlas rank``, ``summary``, ``info`` and ``metros``.

Errors caused by input print one line to stderr and exit with status 2;
missing or corrupt data files exit with status 3.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from computeatlas.errors import DataError, InputError


def _summary(_args: argparse.Namespace) -> int:
    from computeatlas import datasets as ds
    from computeatlas.grid import cell_area_km2

    clim = ds.climate()
    t = clim["t2m"]
    elev = ds.elevation()
    land = elev["land_fraction"]
    area = cell_area_km2(land["lat"].values, 0.25)[:, None] * land.values
    print("computeatlas default layers (offline, shipped in the package)")
    global_mean = float(t.mean("month").weighted(np.cos(np.deg2rad(t.lat))).mean())
    print(
        f"  climate    ERA5 t2m climatology 2000-2025: {dict(t.sizes)}, "
        f"{float(t.min()):.1f}..{float(t.max()):.1f} degC, "
        f"global annual mean {global_mean:.1f} degC"
    )
    from computeatlas.inputs import humidity

    hum = humidity()
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
    import computeatlas
    from computeatlas.datasets import manifest

    print(f"computeatlas {computeatlas.__version__}")
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
    from computeatlas.datasets import find_metro, metros

    if args.search:
        row = find_metro(args.search)
        print(
            f"{row['name']}, {row['country']} ({row['admin1']}): lat {row['lat']:.4f}, "
            f"lon {row['lon']:.4f}, population {row['population']:,}"
        )
        return 0
    table = metros()
    if args.top < 1:
        raise InputError(f"--top must be >= 1, got {args.top}")
    if args.country is not None:
        code = args.country.strip().upper()
        table = table[table["country"] == code]
        if table.empty:
            raise InputError(
                f"--country {args.country!r}: no metro with that ISO 3166-1 alpha-2 code "
                "(e.g. DE, US, CN)"
            )
    for _, row in table.head(args.top).iterrows():
        print(f"{row['name']}, {row['country']}\t{row['population']:,}")
    return 0


def _split_metros(text: str) -> list[str]:
    sep = ";" if ";" in text else ","
    names = [t.strip() for t in text.split(sep) if t.strip()]
    if not names:
        raise InputError("--metros is empty; give names like 'Beijing,Seoul,Tokyo'")
    return names


#: The SiteRanking method that writes each format of :data:`computeatlas.export.WRITERS`.
RANKING_WRITERS: dict[str, Callable[[Any, str], Path]] = {
    "geojson": lambda ranking, out: ranking.to_geojson(out),
    "gpkg": lambda ranking, out: ranking.to_gpkg(out),
    "parquet": lambda ranking, out: ranking.to_parquet(out),
    "geotiff": lambda ranking, out: ranking.to_geotiff(out),
}


def _output_writer(out: str | None) -> Callable[[Any, str], Path] | None:
    """Check ``--out`` (suffix, folder) before any work; return how to write it."""
    if out is None:
        return None
    from computeatlas._io import check_target
    from computeatlas.export import writer_for

    check_target(out, "--out")  # an empty --out (e.g. an unset shell variable) is an error
    writer = writer_for(out, "--out")
    return RANKING_WRITERS[writer.name]


def _rank(args: argparse.Namespace) -> int:
    import time

    from computeatlas.ranking import rank_sites

    def stage(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - t0:6.1f} s] {msg}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    bbox = _parse_bbox_arg(args.bbox)
    if args.show < 0:
        raise InputError(f"--show must be >= 0 rows, got {args.show}")
    metros = _split_metros(args.metros)
    write = _output_writer(args.out)  # before the ranking: a bad --out fails fast
    stage(f"ranking {bbox} for {len(metros)} metros within {args.max_rtt:g} ms")
    import warnings

    from computeatlas.errors import ComputeAtlasWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ComputeAtlasWarning)
        ranking = rank_sites(
            bbox,
            metros,
            max_rtt_ms=args.max_rtt,
            technology=args.technology,
            ashrae_class=args.ashrae_class,
            route=args.route,
            heat_price=_number_or_name(args.heat_price),
            mode=args.mode,
            min_share=args.min_share,
            top=args.top,
        )
    for w in caught:  # e.g. "NN % of the eligible area is priced by a fallback median ..."
        print(f"computeatlas: warning: {w.message}", file=sys.stderr)
    n = int(ranking.grid["eligible"].sum())
    stage(f"{n} eligible cells; writing {args.out}")
    sites = ranking.sites
    if write is not None:
        path = write(ranking, args.out)
        stage(f"wrote {path}")
    cols = [
        "rank",
        "lat",
        "lon",
        "country",
        "admin1",
        "pue",
        "price_usd_per_mwh",
        "cost_usd_per_mwh_it",
    ]
    if len(sites):
        if args.show:
            print(sites[cols].head(args.show).to_string(index=False))
    else:
        print("no eligible cell: widen the bbox or raise --max-rtt")
    return 0


def _parse_bbox_arg(text: str) -> object:
    """``--bbox``: ``world`` or four comma-separated numbers; an empty value is an error."""
    if text.strip().lower() in ("world", "global"):
        return "world"
    parts = text.split(",")
    try:
        return tuple(float(v) for v in parts)
    except ValueError as err:
        raise InputError(f"--bbox must be W,S,E,N in degrees or 'world', got {text!r}") from err


def _number_or_name(text: str) -> float | str:
    """Return a number given on the command line (``--heat-price 20``), else the name."""
    try:
        return float(text)
    except ValueError:
        return text


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``computeatlas`` command."""
    parser = argparse.ArgumentParser(prog="computeatlas", description=__doc__.splitlines()[0])
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
    r = sub.add_parser("rank", help="rank sites near demand metros and export them")
    r.add_argument("--bbox", default="world", help="W,S,E,N in degrees, or 'world'")
    r.add_argument(
        "--metros",
        required=True,
        help="demand metros, comma-separated (use ';' when names carry ', CC')",
    )
    r.add_argument("--max-rtt", type=float, default=50.0, help="round-trip budget [ms]")
    r.add_argument("--mode", choices=["all", "share"], default="all")
    r.add_argument("--min-share", type=float, default=1.0)
    r.add_argument("--technology", default="air_side_fleet")
    r.add_argument("--ashrae-class", default="A1")
    r.add_argument("--route", default="cloud_backbone")
    r.add_argument("--heat-price", default="donated", help="preset name or USD per MWh of heat")
    r.add_argument("--top", type=int, default=100, help="number of best cells to export")
    r.add_argument("--show", type=int, default=10, help="rows to print")
    r.add_argument("--out", help="output file (.geojson with .qml style, .gpkg, .parquet, .tif)")
    r.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    r.set_defaults(func=_rank)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    A closed output pipe (``computeatlas rank ... | head -1``) ends the command
    quietly with status 141 (128 + SIGPIPE), as shell tools do.
    """
    args = build_parser().parse_args(argv)
    try:
        status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except InputError as err:
        print(f"computeatlas: error: {err}", file=sys.stderr)
        return 2
    except DataError as err:
        print(f"computeatlas: data error: {err}", file=sys.stderr)
        return 3


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
