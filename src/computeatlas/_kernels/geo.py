"""Great-circle kernels (numba): haversine distance on a sphere, degrees in, km out.

The kernels are plain ``njit`` functions loaded from numba's cache at their first
call. A ``numba.vectorize`` ufunc did the same work, but built its ufunc wrapper
anew in every process (about 0.1 s on the default ranking path, which calls it
for the corridor hubs); the wrapper below broadcasts like a ufunc without copies.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from computeatlas.constants import EARTH_RADIUS_KM


def _haversine(lat1, lon1, lat2, lon2):
    """Great-circle distance [km] on a sphere of the IUGG mean radius (scalar body)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(0.5 * dp) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(0.5 * dl) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


#: The scalar body compiled for inlining into the kernels here and in ``corridors``.
_hav = njit(cache=True, inline="always")(_haversine)


@njit(cache=True)
def _haversine_2d(lat1, lon1, lat2, lon2, out):
    """Fill the 2-D ``out`` from four 2-D inputs broadcast against it (axes of size 1)."""
    a1 = lat1.shape[0] > 1, lat1.shape[1] > 1
    o1 = lon1.shape[0] > 1, lon1.shape[1] > 1
    a2 = lat2.shape[0] > 1, lat2.shape[1] > 1
    o2 = lon2.shape[0] > 1, lon2.shape[1] > 1
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = _hav(
                lat1[i * a1[0], j * a1[1]],
                lon1[i * o1[0], j * o1[1]],
                lat2[i * a2[0], j * a2[1]],
                lon2[i * o2[0], j * o2[1]],
            )


def _operand(a: Any, ndim: int) -> np.ndarray:
    """One C-ordered, writeable float64 copy or view with ``ndim`` axes (size-1 axes prepended)."""
    x = np.require(np.asarray(a, dtype=np.float64), np.float64, ["C", "W"])
    return x.reshape((1,) * (ndim - x.ndim) + x.shape)


def _lead_index(lead: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Index of an operand for the output's leading index ``lead`` (0 on its axes of size 1)."""
    return tuple(k * (n > 1) for k, n in zip(lead, shape[:-2], strict=True))


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance [km] on a sphere of the IUGG mean radius.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates [deg], broadcast against each other as a ufunc's arguments.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Distances [km] of the broadcast shape (a NumPy scalar when every input is one).

    Notes
    -----
    The inputs are not expanded to the broadcast shape: the kernel reads axes of
    size 1 at index 0, so memory is the output's alone.
    """
    shape = np.broadcast_shapes(*(np.shape(a) for a in (lat1, lon1, lat2, lon2)))
    nd = max(len(shape), 2)
    args = [_operand(a, nd) for a in (lat1, lon1, lat2, lon2)]
    out = np.empty((1,) * (nd - len(shape)) + shape)
    if out.size:
        for lead in np.ndindex(out.shape[:-2]):  # one pass for 2-D; views of the last two axes
            a1, o1, a2, o2 = (a[_lead_index(lead, a.shape)] for a in args)
            _haversine_2d(a1, o1, a2, o2, out[lead])
    out = out.reshape(shape)
    return out[()] if out.ndim == 0 else out
