"""The QGIS GeoPackage: class breaks, cell and service-area geometry, styles, and real QGIS."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon

import computeatlas
from computeatlas.errors import InputError
from computeatlas.export import atlas, to_qgis_gpkg, vector
from computeatlas.export.geometry import cell_polygons, service_circle
from computeatlas.export.qgis import (
    class_breaks,
    display_decimals,
    display_units,
    graduated_style,
    single_style,
)

R_KM = 6371.0088  # IUGG mean radius, the latency model's sphere
SPHERE = Geod(a=R_KM * 1000.0, f=0.0)
ROOT = Path(__file__).resolve().parents[1]
RENDER = ROOT / "docs" / "scripts" / "qgis_render.py"
QGIS_PYTHON = "/usr/bin/python3"


def _cap_km2(radius_km: float) -> float:
    """Area of a spherical cap [km2]: 2 pi R^2 (1 - cos(r / R)) (independent of the code)."""
    return 2.0 * np.pi * R_KM**2 * (1.0 - np.cos(radius_km / R_KM))


def _area_km2(geom) -> float:
    return abs(SPHERE.geometry_area_perimeter(geom)[0]) / 1e6


def _qgis_range(edges: np.ndarray, v: float) -> int:
    """The class QGIS gives a value: the first range with lower <= v <= upper."""
    for i in range(len(edges) - 1):
        if edges[i] <= v <= edges[i + 1]:
            return i
    raise AssertionError(f"{v} is in no class {edges}")


# ----------------------------------------------------------------------------- classes


def test_near_ties_are_one_class_with_cents():
    # The issue: tied costs gave 7 classes over 0.02 USD/MWh and 15-digit labels.
    costs = 41.2312 + np.random.default_rng(0).uniform(0.0, 0.0079, 500)
    classes = class_breaks(costs, 2)
    assert len(classes.edges) == 2
    assert classes.edges[0] == costs.min() and classes.edges[-1] == costs.max()
    gdf = gpd.GeoDataFrame(
        {"cost_usd_per_mwh_it": costs},
        geometry=gpd.points_from_xy(np.arange(500) * 0.01, np.zeros(500)),
        crs=4326,
    )
    root = ET.fromstring(graduated_style(gdf, "cost_usd_per_mwh_it", "cost", units="USD/MWh"))
    labels = [r.get("label") for r in root.iter("range")]
    assert labels in (["cost: 41.23 USD/MWh"], ["cost: 41.23 – 41.24 USD/MWh"])


def test_labels_at_display_precision_hold_their_values():
    rng = np.random.default_rng(3)
    values = np.concatenate([np.full(300, 41.23), rng.uniform(41.0, 45.0, 200)])
    classes = class_breaks(values, 2)
    assert 2 <= len(classes.edges) - 1 <= 7
    assert np.all(np.diff(classes.edges) > 0)
    for v in values:  # every value sits in the class whose label shows its rounded value
        lo, hi = classes.shown[_qgis_range(classes.edges, v)]
        assert lo <= round(v, 2) <= hi
    assert np.all(classes.shown[1:, 0] > classes.shown[:-1, 1])  # labels never overlap


def test_quantiles_are_taken_on_distinct_values():
    # 99 % of the cells tie at 10.00: quantiles over the cells would give 1-2 classes.
    values = np.concatenate([np.full(1000, 10.0), np.arange(11.0, 21.0)])
    classes = class_breaks(values, 2)
    assert len(classes.edges) - 1 == 7
    assert classes.shown[0, 0] == 10.0 and classes.shown[-1, 1] == 20.0
    few = class_breaks(np.array([87.26] * 50 + [104.89] * 50), 2)
    np.testing.assert_array_equal(few.shown, [[87.26, 87.26], [104.89, 104.89]])


def test_display_precision_and_units():
    assert display_decimals("cost_usd_per_mwh_it") == 2
    assert display_decimals("best_cost_usd_per_mwh_it") == 2
    assert display_decimals("min_rtt_ms") == 1
    assert display_decimals("pue") == 3
    assert display_decimals("v", np.array([0.0, 5.0])) == 2
    assert display_units("USD MWh-1") == "USD/MWh"
    assert display_units("h yr-1") == "h/yr"
    assert display_units("1") == ""
    assert display_units("ms") == "ms"


def test_single_style_and_bad_kind():
    root = ET.fromstring(single_style("fill", "#d62728", overrides={"style": "no"}))
    assert root.find("renderer-v2").get("type") == "singleSymbol"
    opts = {o.get("name"): o.get("value") for o in root.iter("Option") if o.get("name")}
    assert opts["style"] == "no" and opts["color"] == "214,39,40,255"
    with pytest.raises(InputError, match="kind"):
        single_style("blob", "#000000")


# ----------------------------------------------------------------------------- geometry


@pytest.mark.parametrize(
    ("lat", "lon", "radius_km", "parts"),
    [
        (0.0, 0.0, 500.0, 1),
        (0.0, 179.0, 500.0, 2),
        (-33.9, -179.5, 1500.0, 2),
        (50.0, 10.0, 3000.0, 1),
    ],
)
def test_service_circle_radius_area_and_antimeridian(lat, lon, radius_km, parts):
    disc = service_circle(lat, lon, radius_km)
    assert disc.is_valid
    polys = list(getattr(disc, "geoms", [disc]))
    assert len(polys) == parts
    assert (parts == 2) == isinstance(disc, MultiPolygon)
    west, _, east, _ = disc.bounds
    assert -180.0 <= west and east <= 180.0
    assert _area_km2(disc) == pytest.approx(_cap_km2(radius_km), rel=2e-4)
    # Every vertex off the antimeridian cut is at the radius (pyproj on the same sphere).
    for poly in polys:
        x, y = np.asarray(poly.exterior.coords).T
        on_circle = np.abs(np.abs(x) - 180.0) > 1e-9
        _, _, dist_m = SPHERE.inv(
            np.full(on_circle.sum(), lon), np.full(on_circle.sum(), lat), x[on_circle], y[on_circle]
        )
        np.testing.assert_allclose(dist_m / 1000.0, radius_km, rtol=1e-9)


@pytest.mark.parametrize(("lat", "lon", "pole"), [(85.0, 20.0, 90.0), (-80.0, -170.0, -90.0)])
def test_service_circle_over_a_pole(lat, lon, pole):
    radius = 1500.0  # more than the distance to the pole
    disc = service_circle(lat, lon, radius)
    assert disc.is_valid
    assert disc.bounds[0] == -180.0 and disc.bounds[2] == 180.0
    assert (disc.bounds[3] if pole > 0 else disc.bounds[1]) == pole
    near_pole = pole - np.sign(pole) * 0.5
    for plon in (-179.0, -90.0, 0.0, 90.0, 179.0):  # every meridian near the pole is inside
        assert disc.contains(Point(plon, near_pole)), plon
    assert not disc.contains(Point(lon, lat - np.sign(pole) * 14.0))  # 1557 km away
    assert _area_km2(disc) == pytest.approx(_cap_km2(radius), rel=2e-4)


def test_service_circle_centred_on_a_pole():
    disc = service_circle(-90.0, 0.0, 1000.0)
    assert disc.bounds == pytest.approx((-180.0, -90.0, 180.0, -90.0 + np.degrees(1000.0 / R_KM)))
    # Geodesic edges between 0.5 deg steps follow the parallel closely enough.
    assert _area_km2(shapely.segmentize(disc, 0.5)) == pytest.approx(_cap_km2(1000.0), rel=1e-3)


def test_service_circle_over_both_poles_and_degenerate():
    radius = 0.75 * np.pi * R_KM  # 135 deg of arc
    disc = service_circle(10.0, 100.0, radius)
    assert disc.contains(Point(0.0, 89.9)) and disc.contains(Point(0.0, -89.9))
    assert not disc.contains(Point(-80.0, -10.0))  # the antipode
    (hole,) = disc.interiors
    assert _area_km2(Polygon(hole)) == pytest.approx(_cap_km2(np.pi * R_KM - radius), rel=2e-4)
    assert service_circle(0.0, 0.0, 0.0).is_empty
    assert service_circle(0.0, 0.0, 2.1e4).equals(shapely.box(-180, -90, 180, 90))
    with pytest.raises(InputError, match="radius_km"):
        service_circle(0.0, 0.0, -1.0)
    with pytest.raises(InputError, match="lat"):
        service_circle(91.0, 0.0, 10.0)


def test_cell_polygons_antimeridian_and_poles():
    cells = cell_polygons([0.0, 90.0, -90.0, 10.0], [-180.0, 0.0, 179.75, 20.0], 0.25)
    split, north, south, plain = cells
    assert isinstance(split, MultiPolygon) and len(split.geoms) == 2
    assert sorted(g.bounds[0] for g in split.geoms) == [-180.0, 179.875]
    assert split.area == pytest.approx(0.0625)
    assert north.bounds == (-0.125, 89.875, 0.125, 90.0)
    assert south.bounds == (179.625, -90.0, 179.875, -89.875)
    assert plain.bounds == (19.875, 9.875, 20.125, 10.125)
    with pytest.raises(InputError, match="resolution_deg"):
        cell_polygons([0.0], [0.0], 0.0)


# ----------------------------------------------------------------------------- GeoPackage


def _pts(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"v": np.arange(float(n))}, geometry=gpd.points_from_xy(range(n), range(n)), crs=4326
    )


QGIS_STYLE_COLUMNS = [
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


def test_to_qgis_gpkg_layers_and_style_table(tmp_path):
    layers = {"a": _pts(3), "b": _pts(5)}
    styles = {"a": graduated_style(layers["a"], "v")}
    out = to_qgis_gpkg(layers, tmp_path / "x.gpkg", styles)
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["a", "b", "layer_styles"]
    assert [pyogrio.read_info(out, layer=n)["features"] for n in "ab"] == [3, 5]
    with sqlite3.connect(out) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        assert cols[1:] == QGIS_STYLE_COLUMNS
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
        geom = db.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name='a'"
        ).fetchone()[0]
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name='layer_styles'"
        ).fetchone()[0]
    assert rows == [("", "", "a", geom, 1, styles["a"])]
    assert kind == "attributes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gpkg"]


def test_to_qgis_gpkg_checks(tmp_path):
    with pytest.raises(InputError, match="reserved"):
        to_qgis_gpkg({"layer_styles": _pts()}, tmp_path / "x.gpkg")
    with pytest.raises(InputError, match="ignoring case"):
        to_qgis_gpkg({"A": _pts(), "a": _pts()}, tmp_path / "x.gpkg")
    with pytest.raises(InputError, match="not written"):
        to_qgis_gpkg({"a": _pts()}, tmp_path / "x.gpkg", {"b": single_style("marker", "#000000")})
    with pytest.raises(InputError, match="qml text"):
        to_qgis_gpkg({"a": _pts()}, tmp_path / "x.gpkg", {"a": "red"})
    with pytest.raises(InputError, match="geometry type"):
        to_qgis_gpkg({"a": _pts(0)}, tmp_path / "x.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_to_qgis_gpkg_failure_keeps_previous_file(tmp_path, monkeypatch):
    out = to_qgis_gpkg({"a": _pts()}, tmp_path / "x.gpkg")
    before = out.read_bytes()
    monkeypatch.setattr(vector, "_gpkg_rows", lambda path, layer: 0)  # a short read-back
    with pytest.raises(OSError, match="rows"):
        to_qgis_gpkg({"a": _pts(4), "b": _pts(2)}, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]


# ----------------------------------------------------------------------------- a ranking

ANADYR = (64.73, 177.5)  # a metro 2.5 deg west of the antimeridian


@pytest.fixture(scope="module")
def ranking():
    return computeatlas.rank_sites((170, 58, -170, 70), [ANADYR], max_rtt_ms=20, top=10)


@pytest.fixture(scope="module")
def gpkg(ranking, tmp_path_factory):
    return ranking.to_gpkg(tmp_path_factory.mktemp("atlas") / "atlas.gpkg")


def test_ranking_gpkg_layers(ranking, gpkg):
    listed = dict(pyogrio.list_layers(gpkg).tolist())
    assert list(listed) == [*atlas.LAYERS, "layer_styles"]
    g = ranking.grid
    n_eligible = int(g["eligible"].sum())
    assert n_eligible > 20
    cells = gpd.read_file(gpkg, layer="cells")
    assert len(cells) == n_eligible
    for name, da in g.data_vars.items():
        if da.dims == ("lat", "lon"):
            assert name in cells.columns, name
    assert cells["rank"].tolist() == sorted(cells["rank"])
    # Cell polygons are the cells' bounds: centre inside, area res^2 (deg).
    xy = gpd.points_from_xy(cells["lon"], cells["lat"])
    assert cells.geometry.covers(gpd.GeoSeries(xy, index=cells.index, crs=4326)).all()
    np.testing.assert_allclose(shapely.area(np.asarray(cells.geometry)), 0.25**2)  # deg^2
    assert (cells["lon"] == -180.0).any()  # the split cell was written and read back
    assert len(gpd.read_file(gpkg, layer="sites")) == 10
    assert len(gpd.read_file(gpkg, layer="metros")) == 1
    with sqlite3.connect(gpkg) as db:
        styled = [r[0] for r in db.execute("SELECT f_table_name FROM layer_styles")]
    assert styled == list(atlas.LAYERS)


def test_service_area_matches_the_eligible_cells(ranking, gpkg):
    area = gpd.read_file(gpkg, layer="service_areas")
    assert area["radius_km"].iloc[0] == pytest.approx(
        float(computeatlas.models.service_radius_km(20.0, route="geographic"))
    )
    disc = area.geometry.iloc[0]
    assert isinstance(disc, MultiPolygon) and len(disc.geoms) == 2  # across the antimeridian
    cells = gpd.read_file(gpkg, layer="cells")
    # mode "all", one metro: every eligible cell centre lies in the disc (0.01 deg for chords).
    centres = gpd.points_from_xy(cells["lon"], cells["lat"])
    assert shapely.contains(disc.buffer(0.01), np.asarray(centres)).all()
    assert (cells["min_rtt_ms"] <= 20.0).all()


def test_to_gpkg_what_is_backward_compatible(ranking, tmp_path):
    out = ranking.to_gpkg(tmp_path / "sites.gpkg", what="sites")
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["sites", "layer_styles"]
    back = gpd.read_file(out, layer="sites")
    assert back["rank"].tolist() == ranking.sites["rank"].tolist()
    with pytest.raises(InputError, match="layers must be among"):
        ranking.to_gpkg(tmp_path / "x.gpkg", what="nope")


def test_all_ocean_ranking_writes_empty_styled_layers(tmp_path):
    with pytest.warns(computeatlas.ComputeAtlasWarning, match="all ocean"):
        r = computeatlas.rank_sites((-150, -40, -140, -30), [(-33.9, 151.2)], max_rtt_ms=50)
    out = r.to_gpkg(tmp_path / "empty.gpkg")
    listed = dict(pyogrio.list_layers(out).tolist())
    assert {n: pyogrio.read_info(out, layer=n)["features"] for n in atlas.LAYERS} == {
        "sites": 0,
        "metros": 1,
        "service_areas": 1,
        "cells": 0,
        "regions_admin1": 0,
        "regions_admin0": 0,
    }
    assert listed["cells"] == "MultiPolygon" and listed["sites"] == "Point"
    assert _style_classes(out)["cells"] == 1


# ----------------------------------------------------------------------------- real QGIS


def _qgis_missing() -> str | None:
    """Why QGIS cannot be run here (None when it can); fails instead where CI requires it."""
    reason = None
    if not Path(QGIS_PYTHON).exists():
        reason = f"{QGIS_PYTHON} not found (QGIS's Python bindings run with the system Python)"
    elif subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode:
        reason = "QGIS Python bindings absent (Debian: apt-get install python3-qgis qgis-providers)"
    if reason and os.environ.get("COMPUTEATLAS_REQUIRE_QGIS") == "1":
        pytest.fail(f"COMPUTEATLAS_REQUIRE_QGIS=1 but {reason}")
    return reason


def _render(gpkg: Path, png: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(png.parent)}
    env.pop("PYTHONPATH", None)  # QGIS's Python must not see the pyenv packages
    done = subprocess.run(
        [QGIS_PYTHON, str(RENDER), str(gpkg), str(png), "--size", "600x400"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _style_classes(gpkg: Path) -> dict[str, int]:
    """Range count of each layer's embedded style, read from the table QGIS reads."""
    with sqlite3.connect(gpkg) as db:
        rows = db.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall()
    return {
        name: len(list(ET.fromstring(qml.split("\n", 1)[1]).iter("range"))) for name, qml in rows
    }


def test_qgis_opens_the_layers_styled_and_renders(gpkg, tmp_path):
    reason = _qgis_missing()
    if reason:
        pytest.skip(reason)
    report = _render(gpkg, tmp_path / "map.png")
    classes = _style_classes(gpkg)
    layers = report["layers"]
    assert list(layers) == list(atlas.LAYERS)
    for name, info in layers.items():
        assert info["valid"], name
        assert info["features"] == pyogrio.read_info(gpkg, layer=name)["features"], name
    for name in ("sites", "cells", "regions_admin0", "regions_admin1"):
        assert layers[name]["renderer"] == "graduatedSymbol", name
        assert len(layers[name]["classes"]) == classes[name] >= 1, name
        label = layers[name]["classes"][0]["label"]
        assert re.fullmatch(r"\d+\.\d{2}( – \d+\.\d{2})? USD/MWh_IT", label), label
    assert layers["cells"]["attribute"] == "score_usd_per_mwh_it"
    assert layers["metros"]["renderer"] == "singleSymbol"
    assert layers["metros"]["colour"] == atlas.METRO_COLOUR
    assert layers["metros"]["properties"]["name"] == "star"
    assert layers["service_areas"]["properties"]["style"] == "no"
    # The PNG QGIS rendered is not blank and shows the red metro and service area.
    import matplotlib.image as mpimg

    rgb = (mpimg.imread(tmp_path / "map.png")[..., :3] * 255).round()
    assert rgb.shape == (400, 600, 3)
    assert (rgb < 250).any(axis=-1).mean() > 0.01
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 10
    red = np.abs(rgb - [214, 39, 40]).max(axis=-1) < 30
    assert red.sum() > 50


def test_qgis_without_the_style_table_is_not_styled(tmp_path):
    # The control: the same layer without layer_styles opens with QGIS's default renderer.
    reason = _qgis_missing()
    if reason:
        pytest.skip(reason)
    layers = {name: _pts(8) for name in atlas.LAYERS}
    bare = to_qgis_gpkg(layers, tmp_path / "bare.gpkg")
    report = _render(bare, tmp_path / "bare.png")
    assert {info["renderer"] for info in report["layers"].values()} == {"singleSymbol"}
    assert report["layers"]["metros"]["colour"] != atlas.METRO_COLOUR
