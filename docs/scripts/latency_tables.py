"""Generate the latency tables of docs/models.md from the library's own functions.

Usage::

    PYTHONPATH=src python docs/scripts/latency_tables.py           # print the tables
    PYTHONPATH=src python docs/scripts/latency_tables.py --write   # rewrite docs/models.md

Three tables, every number from :mod:`computeatlas.models.latency` (the functions
``rank_sites``, ``site_report`` and ``latency_field`` use):

1. the error of every route preset against Microsoft's measured Azure inter-region
   round trips (:func:`computeatlas.datasets.latency_pairs`), on the held-back pairs,
   by great-circle distance band;
2. the service radius at 30 and 50 ms for every preset;
3. the latency claims of the essay this project grew from, checked under every preset.

``tests/test_latency_calibration.py`` checks that docs/models.md holds the output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from computeatlas import presets
from computeatlas.datasets import find_metro, latency_pairs, metros
from computeatlas.models import latency

DOC = Path(__file__).resolve().parents[1] / "models.md"
BEGIN, END = "<!-- latency-tables:begin -->", "<!-- latency-tables:end -->"

#: Distance bands of the calibration table [km]: [lower, upper).
BANDS = ((0.0, 500.0), (500.0, 2000.0), (2000.0, 6000.0), (6000.0, np.inf))
BAND_NAMES = ("< 500 km", "500-2000 km", "2000-6000 km", "> 6000 km")

#: Presets in the order of the tables: the default first.
PRESETS = (
    "geographic",
    "cloud_backbone",
    "public_internet",
    "leased_line",
    "conduit_bound",
    "line_of_sight",
)


def relative_errors(pairs: pd.DataFrame, route: str) -> np.ndarray:
    """Modelled over measured RTT minus one, for each pair [1]."""
    model = latency.rtt_ms(pairs.lat_a, pairs.lon_a, pairs.lat_b, pairs.lon_b, route=route)
    return np.asarray(model / pairs["rtt_ms"].to_numpy() - 1.0)


def band_errors(pairs: pd.DataFrame, route: str) -> dict[str, float]:
    """Median absolute relative error [%] over all pairs and in each distance band."""
    err = np.abs(relative_errors(pairs, route)) * 100.0
    d = pairs["distance_km"].to_numpy()
    out = {"all": float(np.median(err))}
    for name, (lo, hi) in zip(BAND_NAMES, BANDS, strict=True):
        out[name] = float(np.median(err[(d >= lo) & (d < hi)]))
    return out


def calibration_table() -> str:
    """Return the held-back error table of every preset (markdown)."""
    pairs = latency_pairs()
    test = pairs[pairs["split"] == "test"]
    fit = pairs[pairs["split"] == "fit"]
    d = test["distance_km"].to_numpy()
    counts = [int(((d >= lo) & (d < hi)).sum()) for lo, hi in BANDS]
    head = " | ".join(f"{n} ({c})" for n, c in zip(BAND_NAMES, counts, strict=True))
    lines = [
        f"| preset | k | fixed [ms] | at 0 km [ms] | ramp [km] | all held-back ({len(test)}) "
        f"| {head} | median bias | fit pairs ({len(fit)}) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in PRESETS:
        r = presets.route(name)
        e = band_errors(test, name)
        bias = float(np.median(relative_errors(test, name))) * 100.0
        cells = " | ".join(f"{e[b]:.1f} %" for b in BAND_NAMES)
        lines.append(
            f"| `{name}` | {r.route_factor:g} | {r.fixed_ms:g} | {r.floor_ms:g} | {r.ramp_km:g} "
            f"| {e['all']:.1f} % | {cells} "
            f"| {bias:+.1f} % | {band_errors(fit, name)['all']:.1f} % |"
        )
    return "\n".join(lines)


def radius_table() -> str:
    """Return the 30 and 50 ms service radius of every preset (markdown)."""
    lines = [
        "| preset | k | fixed [ms] | at 0 km [ms] | ramp [km] | 30 ms radius [km] "
        "| 50 ms radius [km] | description |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in PRESETS:
        r = presets.route(name)
        r30, r50 = (float(latency.service_radius_km(t, route=name)) for t in (30.0, 50.0))
        lines.append(
            f"| `{name}` | {r.route_factor:g} | {r.fixed_ms:g} | {r.floor_ms:g} | {r.ramp_km:g} "
            f"| {r30:,.0f} | {r50:,.0f} "
            f"| {r.description} |"
        )
    return "\n".join(lines)


def _rtt(a: pd.Series, b: pd.Series, route: str) -> float:
    return float(latency.rtt_ms(a["lat"], a["lon"], b["lat"], b["lon"], route=route))


def _claims() -> list[tuple[str, str, object]]:
    """(claim, threshold text, function route -> (value text, holds))."""
    hohhot = find_metro("Hohhot", kind="places")
    rows: list[tuple[str, str, object]] = []
    for city, limit in (("Beijing", 5.0), ("Shanghai", 18.0), ("Seoul", 25.0), ("Tokyo", 38.0)):
        target = find_metro(city, kind="places")

        def check(route: str, target: pd.Series = target, limit: float = limit):
            v = _rtt(hohhot, target, route)
            return f"{v:.1f}", v <= limit

        rows.append((f"Hohhot - {city}", f"<= {limit:g} ms", check))
    east = [find_metro(n, kind="places") for n in ("Boston", "New York", "Washington")]
    for site in ("Montreal", "Quebec"):
        origin = find_metro(site, kind="places")

        def check_q(route: str, origin: pd.Series = origin):
            v = max(_rtt(origin, m, route) for m in east)
            return f"{v:.1f} (worst)", v <= 30.0

        rows.append((f"{origin['name']} - Boston, New York, Washington", "<= 30 ms", check_q))
    reykjavik = find_metro("Reykjavik", kind="places")
    big = metros(min_population=10_000_000, kind="places")

    def check_i(route: str):
        rtt = latency.rtt_ms(reykjavik["lat"], reykjavik["lon"], big.lat, big.lon, route=route)
        i = int(np.argmin(rtt))
        return f"{float(rtt[i]):.1f} ({big['name'].iloc[i]})", float(rtt[i]) > 50.0

    claim = "Reykjavík - nearest city of 10 million (GeoNames, city proper)"
    rows.append((claim, "> 50 ms", check_i))
    for city in ("London", "Paris"):
        target = find_metro(city, kind="places")

        def check_l(route: str, target: pd.Series = target):
            v = _rtt(reykjavik, target, route)
            return f"{v:.1f}", v > 50.0

        rows.append((f"Reykjavík - {city} (metro area near 10 million)", "> 50 ms", check_l))
    return rows


def claims_table() -> str:
    """Return the essay's claims checked under every preset (markdown)."""
    head = " | ".join(f"`{p}`" for p in PRESETS)
    lines = [f"| claim | essay | {head} |", "|---|---|" + "---|" * len(PRESETS)]
    for claim, limit, check in _claims():
        cells = []
        for p in PRESETS:
            text, holds = check(p)  # type: ignore[operator]
            cells.append(f"{text} {'yes' if holds else '**no**'}")
        lines.append(f"| {claim} | {limit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def tables() -> str:
    """Return the generated block of docs/models.md (between the markers)."""
    return "\n\n".join(
        [
            BEGIN,
            "Error against measured Azure round trips (median |modelled / measured - 1| on "
            "the held-back pairs; pair counts in brackets; bias = median signed error):",
            calibration_table(),
            "Service radius (distance at which the round trip reaches the budget: great "
            "circle, or corridor path length for `geographic`):",
            radius_table(),
            "The essay's claims, modelled round trip [ms] under each preset and whether the "
            "claim holds:",
            claims_table(),
            END,
        ]
    )


def main(argv: list[str]) -> int:
    """Print the tables, or with ``--write`` replace them in docs/models.md."""
    block = tables()
    if "--write" not in argv:
        print(block)
        return 0
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    DOC.write_text(head + block + tail, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
