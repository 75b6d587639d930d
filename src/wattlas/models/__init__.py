"""Physical models of wattlas (one function per model, units in every docstring)."""

from wattlas.models.psychrometrics import (
    dew_point_from_vapour_pressure,
    saturation_vapour_pressure,
    vapour_pressure_from_density,
)

__all__ = [
    "dew_point_from_vapour_pressure",
    "saturation_vapour_pressure",
    "vapour_pressure_from_density",
]
