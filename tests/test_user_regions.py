"""SiteRanking.regions() with a user's own region layer (any CRS, antimeridian-safe)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import computeatlas
from computeatlas import datasets, regions
from computeatlas.errors import CRSError, InputError
from computeatlas.grid import cell_area_km2, split_antimeridian

# Edges off the 0.25 deg cell centres, so that no centre lies on a region boundary.
WEST = shapely.box(110.1, 30.1, 120.1, 44.9)
EAST = shapely.box(120.1, 30.1, 129.9, 44.9)


@pytest.fixture(scope="module")
def ranking():
    return computeatlas.rank_sites((110, 30, 130, 45), ["Beijing", "Seoul"], max_rtt_ms=40)


@pytest.fixture(scope="module")
def chukotka():
    # Chukotka-like: land on both sides of 180 deg, priced by Russia's row.
    return computeatlas.rank_sites(
        (175, 64, -172, 68), [("Anadyr", 64.73, 177.5, 1.0)], max_rtt_ms=100
    )


def _zones(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {"zone": ["west", "east"], "operator": ["A", "B"]}, geometry=[WEST, EAST], crs="EPSG:4326"
    )
    return gdf.to_crs(crs)


def _expected(ranking, west, south, east, north):
    """Eligible area [km^2], best and area-weighted mean cost over centres in a lon/lat box."""
    g = ranking.grid
    lat, lon = g["lat"].values, g["lon"].values
    in_lon = (lon > west) & (lon < east) if west < east else (lon > west) | (lon < east)
    inside = ((lat > south) & (lat < north))[:, None] & in_lon[None, :] & g["eligible"].values
    area = np.broadcast_to(cell_area_km2(lat, 0.25)[:, None], inside.shape)[inside]
    cost = g["cost_usd_per_mwh_it"].values[inside]
    return area.sum(), cost.min(), (area * cost).sum() / area.sum()


def test_user_layer_aggregates_by_cell_centre(ranking):
    table = ranking.regions(_zones(), name="zone").set_index("name")
    assert set(table.index) == {"west", "east"}
    for zone, box in (("west", (110.1, 30.1, 120.1, 44.9)), ("east", (120.1, 30.1, 129.9, 44.9))):
        area, best, mean = _expected(ranking, *box)
        row = table.loc[zone]
        assert row["eligible_area_km2"] == pytest.approx(area, rel=1e-12)
        assert row["best_cost_usd_per_mwh_it"] == pytest.approx(best, rel=1e-12)
        assert row["mean_cost_usd_per_mwh_it"] == pytest.approx(mean, rel=1e-9)
    assert table.loc["east", "operator"] == "B"  # the user's columns travel
    assert {"priced_by", "price_source", "best_pue"} <= set(table.columns)
    assert table.crs.to_epsg() == 4326


def test_any_crs_and_read_regions_output_plug_in(ranking, tmp_path):
    base = ranking.regions(_zones(), name="zone")
    # EPSG:3857 is axis-aligned with lon/lat, so the boxes survive the round trip exactly.
    projected = ranking.regions(_zones("EPSG:3857"), name="zone")
    path = tmp_path / "zones.gpkg"
    _zones("EPSG:3857").to_file(path)
    read = ranking.regions(datasets.read_regions(path, name_column="zone"))
    for other in (projected, read):
        assert other["name"].tolist() == base["name"].tolist()
        np.testing.assert_allclose(other["eligible_area_km2"], base["eligible_area_km2"])
        np.testing.assert_allclose(
            other["best_cost_usd_per_mwh_it"], base["best_cost_usd_per_mwh_it"]
        )


def test_user_labels_are_cached_per_layer(ranking):
    gdf = _zones()
    ranking.regions(gdf, name="zone")
    before = regions._global_labels.cache_info()
    ranking.regions(gdf.rename(columns={"zone": "z"}), name="z")  # same geometries
    after = regions._global_labels.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses
    key = regions.user_layer(gdf, name="zone")
    assert key == regions.user_layer(gdf.to_crs("EPSG:4326"), name="operator")
    assert key != regions.user_layer(gdf.iloc[::-1], name="zone")  # row order is the label


@pytest.mark.parametrize("form", ["beyond 180", "reprojected", "split"])
def test_region_crossing_the_antimeridian(chukotka, form):
    box = shapely.box(175.1, 64.1, 186.9, 67.9)  # 186.9 E = 173.1 W
    gdf = gpd.GeoDataFrame({"name": ["chukotka"]}, geometry=[box], crs="EPSG:4326")
    if form == "reprojected":  # PDC Mercator (centred on 150 E): vertices wrap on the way back
        gdf = gdf.to_crs("EPSG:3832")
    elif form == "split":  # as Natural Earth stores such polygons
        gdf = gdf.set_geometry(
            [
                shapely.MultiPolygon(
                    [shapely.box(175.1, 64.1, 180, 67.9), shapely.box(-180, 64.1, -173.1, 67.9)]
                )
            ]
        )
    row = chukotka.regions(gdf).iloc[0]
    area, best, mean = _expected(chukotka, 175.1, 64.1, -173.1, 67.9)
    g = chukotka.grid
    west_side = g["eligible"].values[:, g["lon"].values < 0].sum()
    assert west_side > 0 and g["eligible"].values[:, g["lon"].values > 0].sum() > 0
    assert row["eligible_area_km2"] == pytest.approx(area, rel=1e-12)  # incl. the 180 deg column
    assert row["best_cost_usd_per_mwh_it"] == pytest.approx(best, rel=1e-12)
    assert row["mean_cost_usd_per_mwh_it"] == pytest.approx(mean, rel=1e-9)


def test_split_antimeridian_forms():
    fiji = shapely.box(177.0, -19.0, 182.0, -16.0)
    wrapped = gpd.GeoSeries([fiji], crs="EPSG:4326").to_crs("EPSG:3832").to_crs("EPSG:4326")
    # reprojection wraps each vertex: the ring now runs the long way round
    assert wrapped[0].bounds[2] - wrapped[0].bounds[0] > 350
    for geom in (fiji, wrapped[0]):
        out = split_antimeridian([geom])[0]
        assert out.geom_type == "MultiPolygon" and out.area == pytest.approx(15.0)
        assert out.bounds[0] == -180.0 and out.bounds[2] == 180.0
        assert out.covers(shapely.Point(179.5, -17)) and out.covers(shapely.Point(-178.5, -17))
        assert not out.covers(shapely.Point(0.0, -17))
    # untouched: inside [-180, 180] and around the South Pole (ring along 180 deg)
    plain = shapely.box(10, 10, 20, 20)
    pole = shapely.Polygon([(-180, -90), (-180, -60), (0, -65), (180, -60), (180, -90)])
    out = split_antimeridian([plain, pole, None])
    assert out[0] is plain and out[1] is pole and out[2] is None


def test_bad_user_layers(ranking):
    bowtie = shapely.Polygon([(111, 31), (115, 35), (115, 31), (111, 35)])
    cases = [
        ([WEST], "level", "GeoDataFrame"),
        (_zones().iloc[:0], "level", "empty"),
        (_zones().set_crs(None, allow_override=True), "level", "no CRS"),
        (gpd.GeoDataFrame({"name": ["x"]}, geometry=[bowtie], crs="EPSG:4326"), "level", "invalid"),
        (
            gpd.GeoDataFrame({"name": ["p"]}, geometry=[shapely.Point(112, 32)], crs="EPSG:4326"),
            "level",
            "polygons",
        ),
        (_zones(), "name", "no 'name' column"),
        (_zones().assign(name=["a", "a"]), "name", "ambiguous"),
        (_zones().assign(name=["a", None]), "name", "blank"),
    ]
    for layer, param, match in cases:
        with pytest.raises(InputError, match=match) as info:
            ranking.regions(layer)
        assert param in str(info.value)
    with pytest.raises(InputError, match="name 'nom' is not a column"):
        ranking.regions(_zones(), name="nom")
    with pytest.raises(InputError, match="name applies"):
        ranking.regions("admin0", name="zone")
    with pytest.raises(CRSError):
        ranking.regions(_zones().set_crs(None, allow_override=True), name="zone")
