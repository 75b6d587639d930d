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
