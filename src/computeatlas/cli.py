"""Command-line interface: ``computeatlas rank``, ``presets``, ``summary``, ``info``, ``metros``.

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

#: The top-level help text (plain text: --help shows it as is).
DESCRIPTION = (
    "computeatlas: where on Earth an AI token is cheapest to make while close to its users. "
    "Commands: rank, presets, summary, info, metros."
)


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
    from computeatlas.progress import Progress
    from computeatlas.ranking import rank_sites

    bbox = _parse_bbox_arg(args.bbox)
    if args.show < 0:
        raise InputError(f"--show must be >= 0 rows, got {args.show}")
    metros = _split_metros(args.metros)
    write = _output_writer(args.out)  # before the ranking: a bad --out fails fast
    prices = _read_prices(args.prices, args.prices_fx)
    import warnings

    from computeatlas.errors import ComputeAtlasWarning

    with (
        warnings.catch_warnings(record=True) as caught,
        Progress(2 + (write is not None), quiet=args.quiet, force=args.progress) as bar,
    ):
        warnings.simplefilter("always", ComputeAtlasWarning)
        bar.step(f"ranking {args.bbox} for {len(metros)} metros within {args.max_rtt:g} ms")
        ranking = rank_sites(
            bbox,
            metros,
            max_rtt_ms=args.max_rtt,
            technology=args.technology,
            ashrae_class=args.ashrae_class,
            route=args.route,
            heat_price=_number_or_name(args.heat_price),
            energy_per_token=_number_or_name(args.energy_per_token),
            carbon_price_usd_per_t=args.carbon_price,
            it_mw=args.it_mw,
            heat_pump=args.heat_pump,
            prices=prices,
            resolution=args.resolution,
            mode=args.mode,
            min_share=args.min_share,
            top=args.top,
            draws=args.draws,
            seed=args.seed,
        )
        bar.step(f"{int(ranking.grid['eligible'].sum())} eligible cells; best sites")
        sites = ranking.sites
        if write is not None:
            bar.step(f"writing {args.out}")
            write(ranking, args.out)
    for w in caught:  # e.g. "NN % of the eligible area is priced by a fallback median ..."
        print(f"computeatlas: warning: {w.message}", file=sys.stderr)
    _print_sites(sites, args.show)
    return 0


def _print_sites(sites: Any, show: int) -> None:
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
    if not len(sites):
        print("no eligible cell: widen the bbox or raise --max-rtt")
    elif show:
        if "cost_usd_per_mwh_it_p05" in sites:  # with --draws: the band and p_top
            cols += ["cost_usd_per_mwh_it_p05", "cost_usd_per_mwh_it_p95", "p_top"]
        print(sites[cols].head(show).to_string(index=False))


def _read_prices(path: str | None, fx: str | None) -> Any:
    """``--prices FILE``: the user's price table (CSV or Parquet), validated before ranking."""
    if path is None:
        if fx is not None:
            raise InputError("--prices-fx needs --prices FILE")
        return None
    from computeatlas.datasets import read_price_table

    if not Path(path).is_file():
        raise InputError(f"--prices {path!r}: no such file; give a CSV or Parquet price table")
    return read_price_table(path, fx=fx)


#: ``computeatlas presets KIND``: kind (and accepted spellings) -> preset family.
PRESET_KINDS: dict[str, str] = {
    "technology": "cooling",
    "cooling": "cooling",
    "ashrae-class": "ashrae",
    "ashrae": "ashrae",
    "route": "routes",
    "routes": "routes",
    "energy-per-token": "token_energy",
    "token-energy": "token_energy",
    "token_energy": "token_energy",
    "heat-price": "heat_prices",
    "heat-prices": "heat_prices",
    "heat_prices": "heat_prices",
}

#: The option of ``computeatlas rank`` that takes each family's names.
_FAMILY_OPTION = {
    "cooling": "--technology",
    "ashrae": "--ashrae-class",
    "routes": "--route",
    "token_energy": "--energy-per-token",
    "heat_prices": "--heat-price",
}


def preset_rows(family: str) -> list[tuple[str, str, str]]:
    """Return ``(name, description, source)`` for every preset of one family.

    Parameters
    ----------
    family : str
        ``cooling``, ``ashrae``, ``routes``, ``token_energy`` or ``heat_prices``.

    Returns
    -------
    list of (str, str, str)
        A preset without its own ``source`` gets the family's, or the TOML file
        whose comments cite each parameter.
    """
    from computeatlas import presets

    table = presets._load(family)
    rows = []
    for name in presets.names(family):
        entry = table[name]
        description = entry.get("description") or _describe_envelope(entry)
        source = entry.get("source") or table.get("source")
        if not source:
            source = f"each parameter cited in computeatlas/presets/{family}.toml"
        rows.append((name, str(description), str(source)))
    return rows


def _describe_envelope(entry: dict[str, Any]) -> str:
    keys = ("t_min_c", "t_max_c", "dp_min_c", "dp_max_c", "rh_max_pct")
    if not all(k in entry for k in keys):
        return ""
    t0, t1, d0, d1, rh = (entry[k] for k in keys)
    return f"supply air {t0:g}-{t1:g} degC, dew point {d0:g} to {d1:g} degC, RH <= {rh:g} %"


def _presets(args: argparse.Namespace) -> int:
    kinds = sorted(set(PRESET_KINDS.values()), key=list(_FAMILY_OPTION).index)
    if args.kind is not None:
        key = args.kind.strip().lower()
        if key not in PRESET_KINDS:
            raise InputError(
                f"presets kind {args.kind!r} is unknown; choose from "
                + ", ".join(sorted({k for k in PRESET_KINDS if "_" not in k}))
            )
        kinds = [PRESET_KINDS[key]]
    for family in kinds:
        print(f"{_FAMILY_OPTION[family]} ({family}):")
        for name, description, source in preset_rows(family):
            print(f"  {name}: {description}")
            print(f"      source: {source}")
    if args.kind is None or PRESET_KINDS[args.kind.strip().lower()] in ("token_energy",):
        print("--energy-per-token and --heat-price also take a number (MWh_IT/Mtoken, USD/MWh).")
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


#: Options whose value may start with a minus sign (``--bbox -10,35,5,45``).
_SIGNED_OPTIONS = ("--bbox", "--heat-price", "--energy-per-token", "--carbon-price")


def _join_signed_values(argv: list[str]) -> list[str]:
    """Write ``--bbox -10,35,5,45`` as ``--bbox=-10,35,5,45`` so argparse takes it as a value.

    argparse reads a token starting with ``-`` as an option unless it is a
    single negative number; a bbox west of Greenwich is four numbers.
    """
    out: list[str] = []
    k = 0
    while k < len(argv):
        tok = argv[k]
        nxt = argv[k + 1] if k + 1 < len(argv) else ""
        if tok in _SIGNED_OPTIONS and len(nxt) > 1 and nxt[0] == "-" and nxt[1] in "0123456789.":
            out.append(f"{tok}={nxt}")
            k += 2
            continue
        out.append(tok)
        k += 1
    return out


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``computeatlas`` command."""
    parser = argparse.ArgumentParser(prog="computeatlas", description=DESCRIPTION)
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
    p = sub.add_parser("presets", help="list the presets with a description and a source")
    p.add_argument(
        "kind",
        nargs="?",
        help="technology, ashrae-class, route, energy-per-token or heat-price (default all)",
    )
    p.set_defaults(func=_presets)
    _rank_parser(sub.add_parser("rank", help="rank sites near demand metros and export them"))
    return parser


def _rank_parser(r: argparse.ArgumentParser) -> None:
    r.add_argument("--bbox", default="world", help="W,S,E,N in degrees (e.g. -10,35,5,45) or world")
    r.add_argument(
        "--metros",
        required=True,
        help="demand metros, comma-separated (use ';' when names carry ', CC')",
    )
    r.add_argument("--max-rtt", type=float, default=50.0, help="round-trip budget [ms]")
    r.add_argument("--mode", choices=["all", "share"], default="all")
    r.add_argument("--min-share", type=float, default=1.0)
    r.add_argument("--technology", default="air_side_fleet", help="cooling preset (see presets)")
    r.add_argument("--ashrae-class", default="A1", help="IT inlet envelope preset")
    r.add_argument("--route", default="geographic", help="fibre route preset")
    r.add_argument("--heat-price", default="donated", help="preset name or USD per MWh of heat")
    r.add_argument(
        "--energy-per-token",
        default="h100_8b_batch64",
        help="preset name or MWh_IT per million tokens",
    )
    r.add_argument("--carbon-price", type=float, default=0.0, help="carbon price [USD/tCO2]")
    r.add_argument("--it-mw", type=float, default=100.0, help="IT load [MW] (sizes heat offered)")
    r.add_argument(
        "--heat-pump",
        default="industrial",
        help="heat-pump COP model: industrial (Jensen et al. 2018), ground or air (Staffell)",
    )
    r.add_argument("--resolution", type=float, help="grid resolution [deg] (default 0.25)")
    r.add_argument("--prices", help="your price table, CSV or Parquet (see docs: data)")
    r.add_argument(
        "--prices-fx",
        choices=["shipped"],
        help="convert non-USD prices at the shipped annual rate of each row's year",
    )
    r.add_argument("--top", type=int, default=100, help="number of best cells to export")
    r.add_argument(
        "--draws", type=int, default=0, help="Monte Carlo draws for bands and p_top (default 0)"
    )
    r.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    r.add_argument("--show", type=int, default=10, help="rows to print")
    r.add_argument("--out", help="output file (.geojson with .qml style, .gpkg, .parquet, .tif)")
    r.add_argument("--quiet", action="store_true", help="no progress on stderr")
    r.add_argument(
        "--progress", action="store_true", help="show progress even when stderr is not a terminal"
    )
    r.set_defaults(func=_rank)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    A closed output pipe (``computeatlas rank ... | head -1``) ends the command
    quietly with status 141 (128 + SIGPIPE), as shell tools do.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(_join_signed_values(argv))
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
