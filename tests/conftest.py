"""Shared fixtures: small synthetic inputs the tests make themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr


@pytest.fixture
def era5_like():
    """A tiny ERA5-style dataset: 0..360 longitudes, descending latitudes, kelvin."""
    lat = np.array([60.0, 59.75, 59.5])
    lon = np.array([0.0, 0.25, 0.5, 359.75])
    time = pd.date_range("2023-01-01", periods=48, freq="h")
    rng = np.random.default_rng(0)
    t2m = 270.0 + rng.normal(0, 2, (time.size, lat.size, lon.size))
    d2m = t2m - 3.0
    return xr.Dataset(
        {
            "t2m": (("valid_time", "latitude", "longitude"), t2m, {"units": "K"}),
            "d2m": (("valid_time", "latitude", "longitude"), d2m, {"units": "K"}),
        },
        coords={"valid_time": time, "latitude": lat, "longitude": lon},
    )
