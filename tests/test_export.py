"""Tests of computeatlas.export: GeoJSON (+ QML), GeoPackage, Parquet and GeoTIFF writers."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import xarray as xr
from shapely.geometry import Point, Polygon

from computeatlas import export
from computeatlas.errors import CRSError, GridError, InputError
from computeatlas.export import VIRIDIS_7, to_geojson, to_geotiff, to_gpkg, to_parquet

COST = "cost_usd_per_mwh_it"


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Tokyo", "Oslo", "Nowhere"],
            COST: [61.5, np.nan, np.inf],
            "rank": np.array([1, 2, 3], dtype=np.int64),
            "when": pd.to_datetime(["2024-01-02T03:04:05", None, "2024-06-30T00:00:00"]),
        },
        geometry=[Point(139.7, 35.7), Point(10.75, 59.91), Point(-0.5, -0.25)],
        crs="EPSG:4326",
    )


@pytest.fixture
def cw_polygon() -> gpd.GeoDataFrame:
    # Exterior given clockwise, hole given counter-clockwise: both wrong for RFC 7946.
    shell = [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]
    hole = [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]
    poly = Polygon(shell, [hole])
    assert not poly.exterior.is_ccw
    assert poly.interiors[0].is_ccw
    return gpd.GeoDataFrame({"v": [1.0]}, geometry=[poly], crs="EPSG:4326")


def _many_points(n: int = 50) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    vals = rng.gamma(2.0, 20.0, n)
    vals[3] = np.nan
    return gpd.GeoDataFrame(
        {COST: vals},
        geometry=gpd.points_from_xy(rng.uniform(-170, 170, n), rng.uniform(-60, 70, n)),
        crs="EPSG:4326",
    )


# ----------------------------------------------------------------------------- GeoJSON


def test_geojson_structure_and_values(points, tmp_path):
    out = to_geojson(points, tmp_path / "sites.geojson")
    assert out == tmp_path / "sites.geojson"
    text = out.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    f0, f1, f2 = doc["features"]
    assert f0["geometry"] == {"type": "Point", "coordinates": [139.7, 35.7]}
    assert list(f0["properties"]) == ["name", COST, "rank", "when"]
    assert f0["properties"][COST] == 61.5
    assert f0["properties"]["rank"] == 1 and isinstance(f0["properties"]["rank"], int)
    assert f0["properties"]["when"] == "2024-01-02T03:04:05"
    assert f1["properties"][COST] is None  # NaN
    assert f1["properties"]["when"] is None  # NaT
    assert f2["properties"][COST] is None  # inf


def test_geojson_reads_back_with_pyogrio(points, tmp_path):
    out = to_geojson(points, tmp_path / "sites.geojson")
    back = pyogrio.read_dataframe(out)
    assert back.crs.to_epsg() == 4326
    assert list(back["name"]) == ["Tokyo", "Oslo", "Nowhere"]
    assert back.geometry.iloc[0].x == pytest.approx(139.7)
    assert back.geometry.iloc[0].y == pytest.approx(35.7)
    assert back[COST].iloc[0] == 61.5
    assert back[COST].iloc[1:].isna().all()


def test_geojson_accepts_str_path_and_rounds(points, tmp_path):
    pts = points.copy()
    pts.geometry = [Point(139.123456789, 35.987654321), Point(0, 0), Point(1, 1)]
    out = to_geojson(pts, str(tmp_path / "r.geojson"), precision=3)
    doc = json.loads(out.read_text())
    assert doc["features"][0]["geometry"]["coordinates"] == [139.123, 35.988]


def test_geojson_right_hand_rule(cw_polygon, tmp_path):
    out = to_geojson(cw_polygon, tmp_path / "poly.geojson")
    geom = json.loads(out.read_text())["features"][0]["geometry"]
    exterior, hole = geom["coordinates"]
    assert shapely.LinearRing(exterior).is_ccw
    assert not shapely.LinearRing(hole).is_ccw
    assert shapely.Polygon(exterior).area > 0  # signed-area check via shapely
    assert shapely.Polygon(exterior, [hole]).area == pytest.approx(96.0)


def test_geojson_reprojects_from_3857(tmp_path):
    gdf = gpd.GeoDataFrame({"v": [1.0]}, geometry=[Point(139.7, 35.7)], crs="EPSG:4326").to_crs(
        "EPSG:3857"
    )
    assert gdf.geometry.iloc[0].x > 1e6
    out = to_geojson(gdf, tmp_path / "m.geojson")
    lon, lat = json.loads(out.read_text())["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(139.7, abs=1e-6)
    assert lat == pytest.approx(35.7, abs=1e-6)


def test_geojson_deterministic(points, tmp_path):
    a = to_geojson(points, tmp_path / "a.geojson", style_column=COST)
    b = to_geojson(points, tmp_path / "b.geojson", style_column=COST)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a.qml").read_bytes() == (tmp_path / "b.qml").read_bytes()
    to_geojson(points, a)  # overwrite in place
    assert a.read_bytes() == b.read_bytes()


def test_geojson_missing_folder(points, tmp_path):
    target = tmp_path / "nope" / "sites.geojson"
    with pytest.raises(InputError, match="nope"):
        to_geojson(points, target)
    assert not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_geojson_unwritable_folder(points, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(InputError, match="not writable"):
        to_geojson(points, tmp_path / "x.geojson")
    assert list(tmp_path.iterdir()) == []


def test_geojson_no_crs(points, tmp_path):
    gdf = points.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="set"):
        to_geojson(gdf, tmp_path / "x.geojson")
    assert list(tmp_path.iterdir()) == []


def test_geojson_bad_precision(points, tmp_path):
    with pytest.raises(InputError, match="precision"):
        to_geojson(points, tmp_path / "x.geojson", precision=-1)


def test_geojson_failing_json_leaves_nothing(points, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("serialiser failed")

    monkeypatch.setattr(export.geojson.json, "dumps", boom)
    with pytest.raises(RuntimeError, match="serialiser"):
        to_geojson(points, tmp_path / "x.geojson")
    assert list(tmp_path.iterdir()) == []


def test_geojson_failing_writer_leaves_nothing(points, tmp_path, monkeypatch):
    real = export.geojson._write_text

    def half_then_fail(path, text):
        real(path, text[: len(text) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(export.geojson, "_write_text", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        to_geojson(points, tmp_path / "x.geojson", style_column=COST)
    assert list(tmp_path.iterdir()) == []


def test_geojson_failure_keeps_previous_file(points, tmp_path, monkeypatch):
    out = to_geojson(points, tmp_path / "x.geojson")
    before = out.read_bytes()

    def fail(path, text):
        raise OSError("disk full")

    monkeypatch.setattr(export.geojson, "_write_text", fail)
    with pytest.raises(OSError):
        to_geojson(points.iloc[:1], out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.geojson"]


# ----------------------------------------------------------------------------- QML


def _ranges(qml_path):
    root = ET.parse(qml_path).getroot()
    assert root.tag == "qgis"
    renderer = root.find("renderer-v2")
    assert renderer is not None
    return root, renderer, renderer.findall("ranges/range")


def test_qml_graduated_points(tmp_path):
    gdf = _many_points()
    to_geojson(gdf, tmp_path / "sites.geojson", style_column=COST, style_label="Cost [USD/MWh]")
    qml = tmp_path / "sites.qml"
    root, renderer, ranges = _ranges(qml)
    assert renderer.get("type") == "graduatedSymbol"
    assert renderer.get("attr") == COST
    assert len(ranges) == 7
    lows = np.array([float(r.get("lower")) for r in ranges])
    highs = np.array([float(r.get("upper")) for r in ranges])
    vals = gdf[COST].to_numpy()
    assert lows[0] == np.nanmin(vals)
    assert highs[-1] == np.nanmax(vals)
    assert np.all(np.diff(lows) > 0) and np.all(highs > lows)
    np.testing.assert_array_equal(lows[1:], highs[:-1])  # contiguous classes
    assert [r.get("symbol") for r in ranges] == [str(i) for i in range(7)]
    assert all(r.get("render") == "true" for r in ranges)
    assert all(r.get("label").startswith("Cost [USD/MWh]: ") for r in ranges)
    symbols = renderer.findall("symbols/symbol")
    assert [s.get("name") for s in symbols] == [str(i) for i in range(7)]
    assert {s.get("type") for s in symbols} == {"marker"}
    layer = symbols[0].find("layer")
    assert layer.get("class") == "SimpleMarker"
    opts = {o.get("name"): o.get("value") for o in layer.findall("Option/Option")}
    assert opts["name"] == "circle"
    assert opts["color"] == "68,1,84,255"  # #440154, lowest class
    last = {o.get("name"): o.get("value") for o in symbols[-1].findall("layer/Option/Option")}
    assert last["color"] == "253,231,37,255"  # #fde725, highest class
    assert root.findtext("layerGeometryType") == "0"


def test_qml_polygons_default_label(cw_polygon, tmp_path):
    gdf = pd.concat([cw_polygon] * 10, ignore_index=True)
    gdf["v"] = np.arange(10.0)
    to_geojson(gdf, tmp_path / "cells.geojson", style_column="v")
    _, renderer, ranges = _ranges(tmp_path / "cells.qml")
    assert len(ranges) == 7
    assert ranges[0].get("label").startswith("v: ")
    symbols = renderer.findall("symbols/symbol")
    assert {s.get("type") for s in symbols} == {"fill"}
    assert symbols[0].find("layer").get("class") == "SimpleFill"


@pytest.mark.parametrize("values", [[5.0, 5.0, 5.0], [np.nan, 3.0, np.nan], [np.nan] * 3])
def test_qml_single_class(values, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"x": values}, geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]), crs=4326
    )
    to_geojson(gdf, tmp_path / "s.geojson", style_column="x")
    _, renderer, ranges = _ranges(tmp_path / "s.qml")
    assert len(ranges) == 1
    assert float(ranges[0].get("lower")) <= float(ranges[0].get("upper"))
    if np.isfinite(values).any():
        v = float(np.nanmax(values))
        assert float(ranges[0].get("lower")) == v == float(ranges[0].get("upper"))
    assert len(renderer.findall("symbols/symbol")) == 1


def test_qml_tied_quantiles_merge(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"x": [1.0] * 10 + [2.0, 3.0, 4.0, 5.0, 6.0]},
        geometry=gpd.points_from_xy(range(15), range(15)),
        crs=4326,
    )
    to_geojson(gdf, tmp_path / "t.geojson", style_column="x")
    _, _, ranges = _ranges(tmp_path / "t.qml")
    lows = [float(r.get("lower")) for r in ranges]
    assert 1 < len(ranges) < 7
    assert lows == sorted(set(lows))
    assert float(ranges[-1].get("upper")) == 6.0


def test_qml_bad_column(points, tmp_path):
    with pytest.raises(InputError, match="not a column"):
        to_geojson(points, tmp_path / "s.geojson", style_column="missing")
    with pytest.raises(InputError, match="numeric"):
        to_geojson(points, tmp_path / "s.geojson", style_column="name")
    assert list(tmp_path.iterdir()) == []


def test_viridis_ramp():
    assert len(VIRIDIS_7) == 7 and VIRIDIS_7[0] == "#440154" and VIRIDIS_7[-1] == "#fde725"


# ----------------------------------------------------------------------------- GPKG, Parquet


def test_gpkg_round_trip(points, tmp_path):
    out = to_gpkg(points.to_crs("EPSG:3857"), tmp_path / "sites.gpkg", layer="ranked")
    assert out == tmp_path / "sites.gpkg"
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["ranked"]
    back = gpd.read_file(out, layer="ranked", engine="pyogrio")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals_exact(points.geometry, tolerance=1e-9).all()
    assert back["name"].tolist() == points["name"].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.gpkg"]


def test_gpkg_checks(points, tmp_path):
    with pytest.raises(CRSError):
        to_gpkg(points.set_crs(None, allow_override=True), tmp_path / "a.gpkg")
    with pytest.raises(InputError, match="does not exist"):
        to_gpkg(points, tmp_path / "missing" / "a.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_parquet_geo_round_trip(points, tmp_path):
    out = to_parquet(points, tmp_path / "sites.parquet")
    back = gpd.read_parquet(out)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals(points.geometry).all()
    pd.testing.assert_series_equal(back[COST], points[COST])


def test_parquet_plain_round_trip(tmp_path):
    df = pd.DataFrame({"lat": [1.0, 2.0], COST: [3.0, np.nan]})
    out = to_parquet(df, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(out), df)


def test_parquet_checks(tmp_path):
    with pytest.raises(InputError):
        to_parquet([1, 2, 3], tmp_path / "x.parquet")
    with pytest.raises(InputError, match="does not exist"):
        to_parquet(pd.DataFrame({"a": [1]}), tmp_path / "no" / "x.parquet")


# ----------------------------------------------------------------------------- GeoTIFF


@pytest.fixture
def grid_ds() -> xr.Dataset:
    lat = np.array([-10.0, -9.5, -9.0])  # ascending cell centres, 0.5 deg
    lon = np.array([100.0, 100.5, 101.0, 101.5])
    cost = np.arange(12.0).reshape(3, 4)
    cost[0, 0] = np.nan
    pue = 1.1 + 0.01 * np.arange(12.0).reshape(3, 4)
    return xr.Dataset(
        {
            COST: (("lat", "lon"), cost, {"units": "USD/MWh"}),
            "pue": (("lat", "lon"), pue, {"units": "1"}),
            "flag": (("lat", "lon"), np.ones((3, 4), dtype=np.int8)),
            "series": (("time", "lat", "lon"), np.zeros((2, 3, 4))),
        },
        coords={"lat": lat, "lon": lon, "time": [0, 1]},
    )


def test_geotiff_round_trip(grid_ds, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    out = to_geotiff(grid_ds, tmp_path / "layers.tif")
    assert out == tmp_path / "layers.tif"
    with rasterio.open(out) as src:
        assert src.count == 2  # the float (lat, lon) variables only
        assert (src.height, src.width) == (3, 4)
        assert src.crs.to_epsg() == 4326
        assert src.dtypes == ("float32", "float32")
        assert src.nodata == -9999.0
        assert src.descriptions == (COST, "pue")
        assert src.tags(1)["units"] == "USD/MWh"
        assert src.units == ("USD/MWh", "1")
        t = src.transform
        assert (t.c, t.f, t.a, t.e) == (99.75, -8.75, 0.5, -0.5)
        cost = src.read(1)
        # north-up: first row is the northernmost latitude (-9.0)
        np.testing.assert_array_equal(cost[0], [8.0, 9.0, 10.0, 11.0])
        np.testing.assert_array_equal(cost[-1, 1:], [1.0, 2.0, 3.0])
        assert cost[-1, 0] == -9999.0
        assert src.read_masks(1)[-1, 0] == 0
        np.testing.assert_allclose(src.read(2), grid_ds["pue"].values[::-1], rtol=1e-6)
        # the cell centre of (row 0, col 0) maps back to (lon[0], lat[-1])
        assert src.xy(0, 0) == (100.0, -9.0)


def test_geotiff_selected_variables_and_polar_rows(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    lat = np.arange(-90.0, 90.1, 30.0)  # polar rows centred on the poles
    lon = np.arange(-180.0, 180.0, 30.0)
    ds = xr.Dataset(
        {"a": (("lon", "lat"), np.ones((lon.size, lat.size)))},  # transposed is fine
        coords={"lat": lat, "lon": lon},
    )
    out = to_geotiff(ds, tmp_path / "g.tif", "a", nodata=np.nan)
    with rasterio.open(out) as src:
        assert src.count == 1 and src.descriptions == ("a",)
        assert (src.height, src.width) == (lat.size, lon.size)
        assert src.transform.f == 105.0  # 90 + res/2, accepted by GDAL
        assert src.bounds.left == -195.0


def test_geotiff_bad_variables(grid_ds, tmp_path):
    with pytest.raises(InputError, match="not in ds"):
        to_geotiff(grid_ds, tmp_path / "x.tif", ["nope"])
    with pytest.raises(InputError, match="2-D"):
        to_geotiff(grid_ds, tmp_path / "x.tif", ["series"])
    with pytest.raises(InputError, match="no 2-D"):
        to_geotiff(grid_ds[["series"]], tmp_path / "x.tif")
    assert list(tmp_path.iterdir()) == []


def test_geotiff_irregular_grid(grid_ds, tmp_path):
    bad = grid_ds.assign_coords(lon=[100.0, 100.5, 101.0, 102.0])
    with pytest.raises(GridError, match="regular"):
        to_geotiff(bad, tmp_path / "x.tif")
    desc = grid_ds.isel(lat=slice(None, None, -1))
    with pytest.raises(InputError, match="ascending"):
        to_geotiff(desc, tmp_path / "x.tif")
    assert list(tmp_path.iterdir()) == []


def test_geotiff_int_variable_on_request(grid_ds, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    out = to_geotiff(grid_ds, tmp_path / "f.tif", ["flag", COST])
    with rasterio.open(out) as src:
        assert src.descriptions == ("flag", COST)
        assert src.read(1).dtype == np.float32
        assert (src.read(1) == 1.0).all()


def test_ranking_geotiff_single_variable_string(grid_ds, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from computeatlas.ranking import SiteRanking

    ranking = SiteRanking(grid=grid_ds, metros=pd.DataFrame())
    out = ranking.to_geotiff(tmp_path / "pue.tif", variables="pue")  # not "p", "u", "e"
    with rasterio.open(out) as src:
        assert src.count == 1 and src.descriptions == ("pue",)
    out = ranking.to_geotiff(tmp_path / "two.tif", variables=("pue", COST))
    with rasterio.open(out) as src:
        assert src.descriptions == ("pue", COST)


def test_geotiff_variables_not_a_sequence(grid_ds, tmp_path):
    with pytest.raises(InputError, match="name or a sequence of names"):
        to_geotiff(grid_ds, tmp_path / "x.tif", 5)
    with pytest.raises(InputError, match="not in ds"):
        to_geotiff(grid_ds, tmp_path / "x.tif", [5])
    assert list(tmp_path.iterdir()) == []


def test_geotiff_truncated_file_fails_verification(grid_ds, tmp_path):
    pytest.importorskip("rasterio")
    from computeatlas.export import raster

    out = to_geotiff(grid_ds, tmp_path / "t.tif", ["pue"])
    bands = raster._bands(grid_ds, ["pue"], -9999.0)
    raster._verify(out, ["pue"], bands)  # the complete file passes
    with open(out, "r+b") as fh:
        fh.truncate(out.stat().st_size - 64)
    with pytest.raises(OSError, match="GeoTIFF written"):
        raster._verify(out, ["pue"], bands)
    other = to_geotiff(grid_ds, tmp_path / "u.tif", ["pue"])
    with pytest.raises(OSError, match="does not read back"):
        raster._verify(other, ["pue"], [bands[0] + 1])


# ----------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("a.geojson", "geojson"),
        ("a.json", "geojson"),
        ("dir/a.GPKG", "gpkg"),
        ("a.parquet", "parquet"),
        ("a.tif", "geotiff"),
        ("a.TIFF", "geotiff"),
    ],
)
def test_writer_for(path, name):
    writer = export.writer_for(path)
    assert writer.name == name and writer is export.WRITERS[name]
    assert writer.write is getattr(export, f"to_{name}")


@pytest.mark.parametrize("path", ["a.shp", "a", "a.geojson.bak", "a.qml"])
def test_writer_for_unsupported(path):
    with pytest.raises(InputError, match=r"path .* supported: \.geojson, \.json, \.gpkg") as info:
        export.writer_for(path)
    for suffix in export.supported_suffixes():
        assert suffix in str(info.value)
