"""The window's own block of each shipped layer equals the same cells of the whole layer."""

import numpy as np
import pytest

from computeatlas import inputs
from computeatlas.grid import Window


@pytest.mark.parametrize(
    "window",
    [
        Window.from_bbox((95, 18, 150, 55)),
        Window.from_bbox((170, 50, -170, 70)),  # across the antimeridian
        Window.from_bbox((10, 40, 12, 42), 0.1),  # finer than the layers
        Window.at_points(np.array([65.58, -33.9, 1.35]), np.array([22.15, 151.2, 103.8])),
    ],
    ids=["box", "antimeridian", "fine", "points"],
)
def test_block_reads_equal_whole_layers(window):
    block = inputs._sample_defaults(window)
    whole = inputs._default_arrays()
    for key in inputs._SHIPPED:
        expect = window.take(whole[key]).astype(float)
        if key == "land_fraction":
            expect = np.nan_to_num(expect, nan=0.0)
        np.testing.assert_array_equal(block[key], expect, err_msg=key)
    np.testing.assert_array_equal(block["exceedance"], whole["exceedance"])
    # the dew point derived on the window equals the global derivation
    lay = inputs.layers(window)
    dq = inputs.humidity()["dew_point"].transpose("lat", "lon", "exceedance").values
    np.testing.assert_array_equal(lay.dew_point_q, window.take(dq).astype(float))


@pytest.mark.parametrize(
    "window",
    [
        Window.from_bbox("world"),
        Window.from_bbox((95, 18, 150, 55)),
        Window.from_bbox((170, 50, -170, 70)),  # columns not consecutive: the gather
        Window.from_bbox((10, 40, 12, 42), 0.1),  # repeated cells: the gather
    ],
    ids=["world", "box", "antimeridian", "fine"],
)
def test_take_by_slices_equals_the_gather(window):
    # A window of consecutive rows and columns is read by slicing; the values, their
    # order in memory and the independence from the source must be those of the gather.
    from computeatlas.grid import DEFAULT_GRID

    whole = inputs._default_arrays()["t_monthly"]  # a transposed view on disk order
    i, j = window.index_on(DEFAULT_GRID)
    got = window.take(whole, dtype=float)
    np.testing.assert_array_equal(got, whole[i, j].astype(float))
    assert got.flags["C_CONTIGUOUS"] and got.dtype == np.float64
    assert not np.shares_memory(got, whole)
    assert window.take(whole).dtype == whole.dtype


@pytest.mark.parametrize("key", sorted(inputs._SHIPPED))
def test_h5py_block_equals_xarray_decoding(key, monkeypatch):
    """read_block_array (h5py, CF decoding by hand) == xarray's decoding of the same block."""
    from computeatlas import datasets
    from computeatlas.datasets import _shipped

    name, var, _ = inputs._SHIPPED[key]
    rows, cols = slice(300, 420), slice(1100, 1300)
    monkeypatch.setattr(_shipped, "_LOADED", set())  # both read the file, not the cache
    got, dims = datasets.read_block_array(name, var, rows, cols)
    ref = datasets.read_block(name, var, rows, cols)
    assert dims == ref.dims
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, ref.values.astype(float))
    assert np.isnan(got).any() == bool(ref.isnull().any())


def test_carbon_rules_match_the_row_by_row_rule():
    """The vectorised carbon resolver gives what the documented rule gives row by row."""
    from computeatlas import datasets

    table = datasets.carbon_intensity().set_index("region_code")["kg_co2_per_mwh"]
    zones = datasets.bidding_zones().set_index("admin1_iso")["zone"]
    out = datasets.resolve_carbon()
    for iso2, cc, value, rule in zip(
        out["iso_3166_2"],
        out["iso_a2"],
        out["carbon_kg_per_mwh"],
        out["carbon_source"],
        strict=True,
    ):
        zone = zones.get(iso2) if iso2 else None
        zone = "FI-ZONE" if zone == "FI" else zone
        want, why = np.nan, "missing"
        for code, r in ((iso2, "admin1"), (zone, "bidding_zone"), (cc, "country")):
            if code and code in table.index:
                want, why = float(table[code]), r
                break
        assert rule == why, (iso2, cc)
        np.testing.assert_equal(value, want)
    assert set(out["carbon_source"]) >= {"admin1", "bidding_zone", "country"}
    assert out.loc[out["iso_3166_2"] == "CN-BJ", "carbon_source"].item() == "admin1"
