"""Physical and economic models of computeatlas: one function per model, units in every docstring.

* :mod:`~computeatlas.models.psychrometrics`: vapour pressure, dew point, relative
  humidity, wet bulb, air pressure;
* :mod:`~computeatlas.models.cooling`: hour-resolved PUE, free-cooling hours and
  water use per cooling technology and ASHRAE class;
* :mod:`~computeatlas.models.heat`: heating season, heat-pump COP, heat credit;
* :mod:`~computeatlas.models.latency`: great-circle distance, fibre RTT, service radius;
* :mod:`~computeatlas.models.energy`: cost of IT energy and of tokens.

:func:`serialised_kernels` (a context manager) makes concurrent callers take
turns in the parallel kernels under numba's non-thread-safe ``workqueue`` layer.
"""

from computeatlas._kernels import serialised as serialised_kernels
from computeatlas.models.cooling import annual_cooling, chiller_cop, fan_power_fraction, hourly_pue
from computeatlas.models.energy import cost_usd_per_mtoken, cost_usd_per_mwh_it
from computeatlas.models.heat import (
    heat_credit,
    heat_pump_cop,
    heating_degree_days,
    heating_season_fraction,
)
from computeatlas.models.latency import great_circle_km, rtt_ms, service_radius_km
from computeatlas.models.psychrometrics import (
    air_pressure,
    dew_point_from_relative_humidity,
    dew_point_from_vapour_pressure,
    relative_humidity,
    saturation_vapour_pressure,
    vapour_pressure_from_density,
    wet_bulb_temperature,
)

__all__ = [
    "air_pressure",
    "annual_cooling",
    "chiller_cop",
    "cost_usd_per_mtoken",
    "cost_usd_per_mwh_it",
    "dew_point_from_relative_humidity",
    "dew_point_from_vapour_pressure",
    "fan_power_fraction",
    "great_circle_km",
    "heat_credit",
    "heat_pump_cop",
    "heating_degree_days",
    "heating_season_fraction",
    "hourly_pue",
    "relative_humidity",
    "rtt_ms",
    "saturation_vapour_pressure",
    "serialised_kernels",
    "service_radius_km",
    "vapour_pressure_from_density",
    "wet_bulb_temperature",
]
