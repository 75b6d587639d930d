"""Recipe: first-level administrative regions (states, provinces) of the world.

Source: Natural Earth 1:10m Cultural Vectors, Admin 1 - States, Provinces
(https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-1-states-provinces/,
public domain), as kept by Elastic Maps Service in the public repository
``elastic/ems-file-service`` (file
``sources/world/ne_10m_admin_1_states_provinces.topo.json.gz``, pinned below by
commit and SHA-256): a TopoJSON of the Natural Earth layer cleaned with
mapshaper (``snap -clean``), keeping ``name``, ``iso_3166_2``, ``iso_a2``,
``adm0_a3`` and ``admin``, with Elastic's corrections (China and Lithuania
2020, DK-85 2022, IN-TG/IN-AP/GB-LND 2022) and, per its README, boundaries
supplemented from OpenStreetMap where Natural Earth is incomplete. The
file is read straight from the pinned commit of a local mirror of that
repository (``git show``), or from ``grids/.cache``; it is never committed.

Method: units are keyed by the source's own ISO 3166-2 code and name. Units
sharing a code are dissolved into one region; Norway's pre-2020 counties are
merged into the 2020 counties (:data:`MERGES`), the codes the price tables use.
A unit whose Natural Earth admin-0 country (``countries.parquet``) differs
from its ``iso_a2`` -- Hong Kong and Macau, filed under China in the admin-1
layer but countries of their own in admin-0 -- is moved to that country and,
as its code would then carry another country's prefix, keeps an empty
``iso_3166_2``, as does any unit whose code names another country (BQ-BO
filed under NL, US-PR under PR). Minas Gerais, merged into Mato Grosso do Sul
in the source, is split off with Elastic's OpenStreetMap-derived Brazil file
(:data:`SPLITS`). Each region is clipped to its Natural Earth
country (buffered by 0.05 deg) and the whole coverage is simplified at once
(``shapely.coverage_simplify``, tolerance 0.02 deg) so that neighbours keep shared borders.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from _common import CACHE, OUT, sha256
from _writers import write_geoparquet

#: The pinned source: (repository, commit, path, SHA-256 of the .gz file).
SOURCE = (
    "elastic/ems-file-service",
    "d4c50cfbdcc9137ed33212c1ae414e2a8e64e3fe",
    "sources/world/ne_10m_admin_1_states_provinces.topo.json.gz",
    "0fe8e18d4d3c70e7c8e366a5eded4d364315d7aa851b485782cfaa5a15e11323",
)
#: Regions merged since the source was drawn: new ISO 3166-2 code -> (name, old codes).
#: Norway's county reform of 1 January 2020 (Stortinget, Prop. 84 S (2016-2017);
#: ISO 3166-2:NO as amended 2020), whose codes the bidding-zone table uses. (The
#: 2024 split of Viken, Vestfold og Telemark and Troms og Finnmark is not applied.)
MERGES = {
    "NO-30": ("Viken", ("NO-01", "NO-02", "NO-06")),
    "NO-34": ("Innlandet", ("NO-04", "NO-05")),
    "NO-38": ("Vestfold og Telemark", ("NO-07", "NO-08")),
    "NO-42": ("Agder", ("NO-09", "NO-10")),
    "NO-46": ("Vestland", ("NO-12", "NO-14")),
    "NO-54": ("Troms og Finnmark", ("NO-19", "NO-20")),
}
#: Elastic's file has no feature for Minas Gerais: its geometry is merged into
#: Mato Grosso do Sul (one polygon, BR-MS, 81 deg^2). The merged unit is split with
#: Elastic's own OpenStreetMap-derived Brazil states file of the same commit
#: (``data/brazil_states_v1.geo.json``, ODbL): the part inside its BR-MG polygon
#: becomes Minas Gerais. merged code -> (new code, new name, source, field).
SPLIT_SOURCE = (
    SOURCE[0],
    SOURCE[1],
    "data/brazil_states_v1.geo.json",
    "73cb28508916c5d55e655c0ec497bd2b3cd9d5ce2edd7375f5fb6a78db103793",
)
SPLITS = {"BR-MS": ("BR-MG", "Minas Gerais")}
#: Environment variable naming a local (bare) git mirror of the source repository.
MIRROR_ENV = "COMPUTEATLAS_EMS_MIRROR"
FILENAME = "admin1.parquet"
TOLERANCE_DEG = 0.02
#: Buffer [deg] around Natural Earth countries when clipping regions (keeps coastlines).
CLIP_BUFFER_DEG = 0.05
#: Detached parts smaller than this [deg^2] (about 0.12 km^2 at the equator) are dropped;
#: small inhabited islands (Kavaratti, 1e-4 deg^2) stay.
MIN_PART_DEG2 = 1e-5


def source_file(source: tuple[str, str, str, str] = SOURCE) -> str:
    """Path of a pinned source file, copied out of the mirror on first use."""
    repo, commit, path, digest = source
    target = CACHE / "github" / repo.replace("/", "+") / commit / path
    if not target.exists():
        mirror = os.environ.get(MIRROR_ENV, "")
        if not mirror:
            raise RuntimeError(
                f"{target} is missing: clone {repo} (any clone holding commit {commit}), "
                f"then set {MIRROR_ENV} to its git directory"
            )
        data = subprocess.run(
            ["git", "--git-dir", mirror, "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    got = sha256(target)
    if got != digest:
        raise RuntimeError(f"{target}: sha256 {got} does not match the pin {digest}")
    return str(target)


def _decode_arcs(topology: dict) -> list[np.ndarray]:
    """Absolute coordinates of every TopoJSON arc (delta-decoded, de-quantised)."""
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    translate = np.asarray(topology["transform"]["translate"], dtype=float)
    return [
        np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
        for arc in topology["arcs"]
    ]


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indices):
        coords = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(coords if k == 0 else coords[1:])
    return np.concatenate(parts)


def _polygon(rings: list[list[int]], arcs: list[np.ndarray]) -> shapely.Polygon:
    shell, *holes = (_ring(r, arcs) for r in rings)
    return shapely.Polygon(shell, holes)


def load_units() -> gpd.GeoDataFrame:
    """Read the admin-1 units of the source with their attributes."""
    with gzip.open(source_file(), "rt", encoding="utf-8") as f:
        topology = json.load(f)
    arcs = _decode_arcs(topology)
    (layer,) = topology["objects"].values()
    records, geoms = [], []
    for g in layer["geometries"]:
        if g["type"] == "Polygon":
            geom = shapely.multipolygons([_polygon(g["arcs"], arcs)])
        elif g["type"] == "MultiPolygon":
            geom = shapely.multipolygons([_polygon(p, arcs) for p in g["arcs"]])
        else:
            continue
        p = g["properties"]
        records.append(
            {
                "iso_a2": str(p.get("iso_a2") or ""),
                "country_name": str(p.get("admin") or ""),
                "iso_3166_2": str(p.get("iso_3166_2") or ""),
                "name": str(p.get("name") or ""),
            }
        )
        geoms.append(geom)
    df = gpd.GeoDataFrame(records, geometry=shapely.make_valid(geoms), crs="EPSG:4326")
    for col in ("iso_a2", "iso_3166_2"):
        df.loc[df[col].isin(["-99", "-1"]), col] = ""
    # Natural Earth fills units without an ISO 3166-2 code with placeholders such as
    # "AU-X02~" (Jervis Bay Territory); those regions keep their name and no code.
    placeholder = ~df["iso_3166_2"].str.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}")
    df.loc[placeholder, "iso_3166_2"] = ""
    for new, (name, old) in MERGES.items():
        merged = df["iso_3166_2"].isin(old)
        if merged.sum() != len(old):
            raise RuntimeError(f"{new}: expected the units {old} in the source")
        df.loc[merged, ["iso_3166_2", "name"]] = [new, name]
    return df


def _polygonal(geom) -> shapely.MultiPolygon:
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    big = [p for p in polys if p.area >= MIN_PART_DEG2]
    if not big and polys:
        big = [max(polys, key=lambda p: p.area)]
    return shapely.multipolygons(big)


def _dissolve(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per (country, code); units without a code stay one row per name."""
    key = np.where(units["iso_3166_2"] != "", units["iso_3166_2"], "~" + units["name"])
    records = []
    for (cc, _k), group in units.groupby([units["iso_a2"], key], sort=True):
        geom = shapely.union_all(group.geometry.values, grid_size=1e-6)
        first = group.iloc[0]
        records.append(
            (cc, first["country_name"], first["iso_3166_2"], first["name"], _polygonal(geom))
        )
    return gpd.GeoDataFrame(
        pd.DataFrame(records, columns=["iso_a2", "country_name", "iso_3166_2", "name", "geometry"]),
        geometry="geometry",
        crs="EPSG:4326",
    )


def _rehome(units: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Move units into the admin-0 country that holds them (Hong Kong, Macau)."""
    units = units.copy()
    points = gpd.GeoDataFrame(
        geometry=shapely.point_on_surface(units.geometry.values), crs="EPSG:4326"
    )
    coded = countries[countries["iso_a2"] != ""][["iso_a2", "name", "geometry"]]
    joined = gpd.sjoin(points, coded, predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    home = joined["iso_a2"].reindex(units.index)
    moved = home.notna() & (home != units["iso_a2"]) & (units["iso_a2"] != "")
    for i in np.flatnonzero(moved.values):
        cc = home.iloc[i]
        units.iloc[i, units.columns.get_loc("iso_a2")] = cc
        units.iloc[i, units.columns.get_loc("country_name")] = joined["name"].iloc[i]
    # A code of another country (Natural Earth files Bonaire, BQ-BO, under NL and
    # Puerto Rico, US-PR, under PR) is not kept: the region keeps its name only.
    wrong = (units["iso_3166_2"] != "") & (
        units["iso_3166_2"].str.split("-").str[0] != units["iso_a2"]
    )
    units.loc[wrong, "iso_3166_2"] = ""
    return units


def _split_merged(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split the :data:`SPLITS` units with the polygons of :data:`SPLIT_SOURCE`."""
    with open(source_file(SPLIT_SOURCE), encoding="utf-8") as f:
        features = json.load(f)["features"]
    shapes = {
        ft["properties"]["iso_3166_2"]: shapely.make_valid(shapely.geometry.shape(ft["geometry"]))
        for ft in features
    }
    units = units.copy()
    extra = []
    for merged, (code, name) in SPLITS.items():
        if code in set(units["iso_3166_2"]):
            raise RuntimeError(f"{code} is in the source now; drop it from SPLITS")
        (i,) = np.flatnonzero((units["iso_3166_2"] == merged).values)
        geom = units.geometry.values[i]
        part = shapely.intersection(geom, shapes[code], grid_size=1e-6)
        # The merged unit keeps the largest piece outside the new region; slivers
        # along the new region's outer border (where the coarser file lies inside
        # Natural Earth's) belong to the new region.
        pieces = sorted(
            shapely.get_parts(shapely.difference(geom, part, grid_size=1e-6)),
            key=lambda g: -g.area,
        )
        rest = _polygonal(pieces[0])
        part = _polygonal(shapely.union_all([part, *pieces[1:]], grid_size=1e-6))
        if part.area < 0.3 * geom.area or rest.area < 0.2 * geom.area:
            raise RuntimeError(f"{merged}: split {part.area:.1f} / {rest.area:.1f} deg^2")
        units.iloc[i, units.columns.get_loc("geometry")] = rest
        row = units.iloc[[i]].copy()
        row["iso_3166_2"], row["name"] = code, name
        row["geometry"] = [part]
        extra.append(row)
    return gpd.GeoDataFrame(pd.concat([units, *extra], ignore_index=True), crs="EPSG:4326")


def _clip_to_countries(df: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip every region to its (buffered) Natural Earth country."""
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
        part = shapely.intersection(geom, country, grid_size=1e-6)
        clipped.append(_polygonal(shapely.make_valid(part)))
    out = df.copy()
    out["geometry"] = clipped
    return out[~out.geometry.is_empty].reset_index(drop=True)


def build(out_dir=OUT):
    countries = gpd.read_parquet(out_dir / "countries.parquet")
    units = _rehome(load_units(), countries)
    df = _clip_to_countries(_dissolve(_split_merged(units)), countries)
    simplified = shapely.coverage_simplify(df.geometry.values, TOLERANCE_DEG)
    df["geometry"] = [
        _polygonal(g) for g in shapely.set_precision(shapely.make_valid(simplified), 1e-4)
    ]
    df = df[~df.geometry.is_empty]
    df = df.sort_values(["iso_a2", "iso_3166_2", "name"]).reset_index(drop=True)
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
