import numpy as np
import pytest
import xarray as xr

from computeatlas.errors import UnitsError
from computeatlas.units import to_celsius


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [
        (273.15, "K", 0.0),
        (300.0, "kelvin", 26.85),
        (20.0, "degC", 20.0),
        (20.0, "°C", 20.0),
        (20.0, "Celsius", 20.0),
        (104.0, "degF", 40.0),
        (-40.0, "degF", -40.0),
    ],
)
def test_conversions(value, units, expected):
    out = to_celsius(xr.DataArray([value], attrs={"units": units}), name="t")
    assert float(out[0]) == pytest.approx(expected, abs=1e-9)
    assert out.attrs["units"] == "degC"


def test_missing_units():
    with pytest.raises(UnitsError, match="no 'units' attribute"):
        to_celsius(xr.DataArray([1.0]), name="t2m")


def test_unknown_units():
    with pytest.raises(UnitsError, match="expected a temperature unit"):
        to_celsius(xr.DataArray([1.0], attrs={"units": "m"}), name="t2m")


def test_kelvin_labelled_celsius_is_caught():
    with pytest.raises(UnitsError, match="outside the physical range"):
        to_celsius(xr.DataArray(np.array([280.0, 290.0]), attrs={"units": "degC"}), name="t2m")


def test_below_minus_90_is_impossible():
    with pytest.raises(UnitsError, match="physical range"):
        to_celsius(xr.DataArray([-95.0], attrs={"units": "degC"}), name="t2m")
