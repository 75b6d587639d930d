"""Physical and calendar constants, defined once (imported by kernels, models and composers).

References
----------
.. [1] Moritz, H., 2000: Geodetic Reference System 1980. J. Geodesy, 74, 128-133
   (IUGG mean Earth radius R1 = 6371.0088 km).
.. [2] BIPM, 2019: The International System of Units, 9th ed. (c = 299 792 458 m/s).
.. [3] ITU-T G.652 single-mode fibre: group index about 1.468 at 1550 nm
   (shared/DOMAIN.md section 5).
"""

from __future__ import annotations

__all__ = [
    "EARTH_RADIUS_KM",
    "FIBRE_GROUP_INDEX",
    "FIBRE_SPEED_KM_PER_MS",
    "GJ_PER_MWH",
    "HOURS_PER_YEAR",
    "SPEED_OF_LIGHT_KM_PER_S",
    "TIE_STEP_USD_PER_MWH",
]

#: Mean Earth radius [km] (IUGG R1, [1]).
EARTH_RADIUS_KM = 6371.0088
#: Speed of light in vacuum [km/s] ([2]).
SPEED_OF_LIGHT_KM_PER_S = 299_792.458
#: Group index of standard single-mode fibre [1] ([3]).
FIBRE_GROUP_INDEX = 1.468
#: Speed of light in fibre [km/ms]: c / n / 1000 = 204.2 km/ms.
FIBRE_SPEED_KM_PER_MS = SPEED_OF_LIGHT_KM_PER_S / FIBRE_GROUP_INDEX / 1000.0
#: Hours in a (non-leap) year [h], the basis of every annual figure.
HOURS_PER_YEAR = 8760.0
#: Gigajoules in a megawatt-hour (1 MWh = 3.6e9 J).
GJ_PER_MWH = 3.6
#: Costs equal to this step [USD/MWh_IT] are ties in a ranking, ordered by what else
#: matters (docs/ranking.md).
TIE_STEP_USD_PER_MWH = 0.01
