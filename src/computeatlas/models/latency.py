r"""Fibre latency between sites and demand metros.

.. math::

    \mathrm{RTT}(d) = t_0 + (t_{fixed} - t_0)\,\min(d / d_r, 1) + \frac{2\,d\,k}{v_f},
    \qquad v_f = c/n = 204.2\ \mathrm{km\,ms^{-1}}

with :math:`d` the great-circle (haversine) distance on a sphere of the IUGG
mean radius 6371.0088 km, :math:`k` the route factor (fibre path length over
:math:`d`) and :math:`n = 1.468` the group index of single-mode fibre.
:math:`t_{fixed}` is the part of a long route's round trip that does not shrink
with distance (metro access at both ends, long-haul switching). Between two
sites of one metro the round trip is :math:`t_0` (``access_ms``: Microsoft
documents < 2 ms between the availability zones of one region [4]_); the fixed
part rises to :math:`t_{fixed}` over the first :math:`d_r` (``ramp_km``) as a
route leaves the metro network for the long-haul backbone. A preset without
``access_ms`` has :math:`t_0 = t_{fixed}`. A route with ``geographic`` set
replaces :math:`d` with the corridor path of :mod:`computeatlas.models.corridors`
(overland within a continent, along submarine-cable corridors between
continents); every function below honours it, and the service radius becomes a
radius in path length. Route presets (see :func:`computeatlas.presets.route`):
``geographic`` (default: corridor paths, fitted to Microsoft's measured Azure
inter-region median round trips [3]_, ``grids/build_latency.py``),
``cloud_backbone`` (the same fit over great circles), ``public_internet`` (k =
2.1, the rule of thumb of measurement campaigns quoted by Bozkurt et al. [1]_,
plus 4 ms), ``leased_line`` (1.5, 2 ms), ``conduit_bound`` (1.3: the median
shortest path through the US conduit map in [1]_, a lower bound on fibre
length, not a measured latency) and ``line_of_sight`` (1.0, 0 ms: the physical
floor).

References
----------
.. [1] Bozkurt, I. N., et al., 2018: Dissecting Latency in the Internet's Fiber
   Infrastructure. arXiv:1811.10737.
.. [2] Moritz, H., 2000: Geodetic Reference System 1980. J. Geodesy, 74, 128-133
   (mean radius R1 = 6371.0088 km).
.. [3] Microsoft: Azure network round-trip latency statistics.
   https://learn.microsoft.com/en-us/azure/networking/azure-network-latency
.. [4] Microsoft: What are availability zones? (round-trip latency below 2 ms
   between the zones of a region).
   https://learn.microsoft.com/en-us/azure/availability-zones/az-overview
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from computeatlas._kernels.geo import haversine_km
from computeatlas.constants import EARTH_RADIUS_KM, FIBRE_GROUP_INDEX, FIBRE_SPEED_KM_PER_MS
from computeatlas.errors import InputError
from computeatlas.presets import Route
from computeatlas.presets import route as route_preset

__all__ = [
    "FIBRE_GROUP_INDEX",
    "FIBRE_SPEED_KM_PER_MS",
    "crosses_mainland_china_border",
    "distance_for_rtt_km",
    "eligible_by_reach",
    "great_circle_km",
    "mean_rtt_ms",
    "nearest_rtt_ms",
    "rtt_field_ms",
    "rtt_from_km",
    "rtt_ms",
    "service_radius_km",
    "weight_within_km",
]


def _coords(lat: ArrayLike, lon: ArrayLike, what: str) -> tuple[np.ndarray, np.ndarray]:
    lat_a = np.asarray(lat, dtype=float)
    lon_a = np.asarray(lon, dtype=float)
    if np.isnan(lat_a).any() or np.isnan(lon_a).any():
        raise InputError(f"{what} coordinates contain NaN")
    if np.any(np.abs(lat_a) > 90.0):
        raise InputError(f"{what} latitude must be within [-90, 90] deg")
    if np.any(np.abs(lon_a) > 360.0):
        raise InputError(f"{what} longitude must be within [-180, 360] deg")
    return lat_a, lon_a


def crosses_mainland_china_border(iso_a2_a: ArrayLike, iso_a2_b: ArrayLike) -> np.ndarray:
    """Flag pairs of places on either side of mainland China's international border.

    Parameters
    ----------
    iso_a2_a, iso_a2_b : array_like of str
        ISO 3166-1 alpha-2 country codes of the two ends (Natural Earth
        ``iso_a2``; Hong Kong ``HK``, Macau ``MO`` and Taiwan ``TW`` are
        outside the mainland ``CN``); broadcast.

    Returns
    -------
    numpy.ndarray of bool
        True where exactly one end is in mainland China.

    Notes
    -----
    Transnational paths into mainland China cross a few gateways and the Great
    Firewall's filtering; Zhu et al. [4]_ measured a widespread inbound
    bottleneck (79 % of the receiver-sender pairs they measured, more than 70 %
    of them below 1 Mbps for over 5 hours a day) and ThousandEyes [5]_ report
    higher latency and loss for traffic crossing the border. Neither publishes a
    round-trip penalty per distance that a model could use, and the Azure matrix
    the presets are fitted on has no mainland China region, so no penalty is
    applied: for flagged pairs the modelled round trip is a lower bound.

    References
    ----------
    .. [4] Zhu, P., et al., 2020: Characterizing Transnational Internet
       Performance and the Great Bottleneck of China. Proc. ACM Meas. Anal.
       Comput. Syst. 4(1), 13. https://doi.org/10.1145/3379479
    .. [5] ThousandEyes, 2016: Benchmarking Network Performance in China.
       https://www.thousandeyes.com/blog/benchmarking-network-performance-china
    """
    a = np.asarray(iso_a2_a).astype(str)
    b = np.asarray(iso_a2_b).astype(str)
    return np.asarray((a == "CN") != (b == "CN"))


def great_circle_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    r"""Great-circle distance between points (haversine on a sphere).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates [deg]; broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Distance [km].

    Notes
    -----
    .. math::

        d = 2R\arcsin\sqrt{\sin^2\frac{\Delta\varphi}{2}
            + \cos\varphi_1\cos\varphi_2\sin^2\frac{\Delta\lambda}{2}}

    with :math:`R = 6371.0088` km. Against the WGS84 ellipsoidal geodesic
    (:class:`pyproj.Geod`) the sphere is within 0.5 % for 99 % of random pairs
    and within 0.56 % for all (north-south paths near the equator).
    """
    a1, o1 = _coords(lat1, lon1, "first")
    a2, o2 = _coords(lat2, lon2, "second")
    return np.asarray(haversine_km(a1, o1, a2, o2))


def rtt_ms(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    *,
    route: str | Route = "geographic",
) -> np.ndarray:
    """Round-trip time over fibre between points.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates [deg].
    route : str or Route, default "geographic"
        Route preset (route factor and fixed overhead).

    Returns
    -------
    numpy.ndarray
        Round-trip time [ms].
    """
    r = route_preset(route)
    d = great_circle_km(lat1, lon1, lat2, lon2)
    if r.geographic:
        from computeatlas.models.corridors import path_km

        d = path_km(lat1, lon1, lat2, lon2)
    return rtt_from_km(d, route=r)


def service_radius_km(max_rtt_ms: ArrayLike, *, route: str | Route = "geographic") -> np.ndarray:
    """Radius within which the round trip stays below a limit.

    Parameters
    ----------
    max_rtt_ms : array_like
        Round-trip budget [ms]; must be positive.
    route : str or Route, default "geographic"
        Route preset.

    Returns
    -------
    numpy.ndarray
        Radius [km]; 0 where the budget does not cover the zero-distance round
        trip. On great circles it is at most half the Earth's circumference. For
        a geographic route it is a radius in corridor path length (the
        great-circle radius of the metros the great circle reaches, an upper
        bound for the others), not capped: a corridor path may be longer.
    """
    r = route_preset(route)
    budget = np.asarray(max_rtt_ms, dtype=float)
    if np.isnan(budget).any() or np.any(budget <= 0):
        raise InputError(f"max_rtt_ms must be positive and not NaN, got {max_rtt_ms!r}")
    cap = np.inf if r.geographic else np.pi * EARTH_RADIUS_KM
    return np.clip(distance_for_rtt_km(budget, route=r), 0.0, cap)


def distance_for_rtt_km(rtt: ArrayLike, *, route: str | Route = "geographic") -> np.ndarray:
    """Distance at which the round trip equals ``rtt``: the inverse of :func:`rtt_from_km`.

    Parameters
    ----------
    rtt : array_like
        Round-trip time [ms]; NaN passes through.
    route : str or Route, default "geographic"
        Route preset.

    Returns
    -------
    numpy.ndarray
        Great-circle distance, or corridor path length for a geographic route
        [km]; 0 where ``rtt`` is at most the round trip at zero distance. Not
        clipped above (a corridor path may be longer than half the Earth's
        circumference).
    """
    r = route_preset(route)
    budget = np.asarray(rtt, dtype=float)
    slope = 2.0 * r.route_factor / FIBRE_SPEED_KM_PER_MS  # ms per km
    d = (budget - r.fixed_ms) / slope
    if r.ramp_km > 0.0:
        ramp_slope = slope + (r.fixed_ms - r.floor_ms) / r.ramp_km
        near = budget < r.fixed_ms + slope * r.ramp_km
        d = np.where(near, (budget - r.floor_ms) / ramp_slope, d)
    return np.asarray(np.maximum(d, 0.0))


def rtt_from_km(
    distance_km: ArrayLike,
    *,
    route: str | Route = "geographic",
    route_factor: ArrayLike | None = None,
    fixed_ms: ArrayLike | None = None,
) -> np.ndarray:
    r"""Round-trip time [ms] over a fibre route of a given straight-line length.

    .. math::

        \mathrm{RTT}(d) = t_0 + (t_{fixed} - t_0) \min(d / d_r, 1) + \frac{2\,d\,k}{v_f}

    with :math:`t_0` the route's ``access_ms`` (the round trip at zero distance)
    and :math:`d_r` its ``ramp_km``; without a ramp :math:`t_0 = t_{fixed}`.

    Parameters
    ----------
    distance_km : array_like
        Great-circle distance, or corridor path length for a geographic route [km].
    route : str or Route, default "geographic"
        Route preset.
    route_factor, fixed_ms : array_like, optional
        Override the preset's route factor [1] and long-route fixed part [ms]
        (broadcast against ``distance_km``: paired draws); the zero-distance
        round trip and the ramp stay the preset's.

    Returns
    -------
    numpy.ndarray
        Round-trip time [ms]; increasing in distance.
    """
    from computeatlas._kernels.latency import rtt_of_km

    r = route_preset(route)
    d = np.asarray(distance_km, dtype=float)
    k = np.asarray(r.route_factor if route_factor is None else route_factor, dtype=float)
    fixed = np.asarray(r.fixed_ms if fixed_ms is None else fixed_ms, dtype=float)
    shape = np.broadcast_shapes(d.shape, k.shape, fixed.shape)

    def flat(a: np.ndarray) -> np.ndarray:  # one value stays one value
        return a.reshape(1) if a.size == 1 else np.ascontiguousarray(np.broadcast_to(a, shape))

    args = (r.floor_ms, r.ramp_km, FIBRE_SPEED_KM_PER_MS)
    out = rtt_of_km(
        np.ascontiguousarray(np.broadcast_to(d, shape)).ravel(),
        flat(k).ravel(),
        flat(fixed).ravel(),
        *args,
    )
    return np.asarray(out).reshape(shape)


def rtt_field_ms(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    *,
    route: str | Route = "geographic",
    grid: bool = True,
) -> np.ndarray:
    """Round-trip time from every sample to each metro.

    Parameters
    ----------
    lat, lon : array_like
        Sample coordinates [deg]: the 1-D axes of a grid (``grid=True``) or
        the coordinates of points (``grid=False``, equal length).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).
    route : str or Route, default "geographic"
        Route preset.
    grid : bool, default True
        Whether ``lat``/``lon`` are grid axes (outer product) or points.

    Returns
    -------
    numpy.ndarray
        RTT [ms], shape (m, nlat, nlon) for a grid, (m, n) for points.

    Notes
    -----
    The same formula as :func:`rtt_ms`; on a grid the angles come from a numba
    kernel working in cosine space.
    """
    r = route_preset(route)
    mlat = np.asarray(metro_lat, dtype=float)
    mlon = np.asarray(metro_lon, dtype=float)
    if r.geographic:
        from computeatlas.models.corridors import path_field_km, path_grid_km

        la, lo = np.asarray(lat, float), np.asarray(lon, float)
        if grid:
            return rtt_from_km(path_grid_km(la, lo, mlat, mlon), route=r)
        return rtt_from_km(path_field_km(la, lo, mlat, mlon), route=r)
    if grid:
        from computeatlas._kernels.latency import angles_to

        angle = angles_to(np.asarray(lat, float), np.asarray(lon, float), mlat, mlon)
        return rtt_from_km(angle * EARTH_RADIUS_KM, route=r)
    plat = np.asarray(lat, dtype=float)[None, :]
    plon = np.asarray(lon, dtype=float)[None, :]
    return np.asarray(rtt_ms(plat, plon, mlat[:, None], mlon[:, None], route=r))


def nearest_rtt_ms(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    *,
    route: str | Route = "geographic",
) -> np.ndarray:
    """Round-trip time from every cell of a grid to its nearest metro.

    Parameters
    ----------
    lat, lon : array_like
        Grid axes [deg] (1-D each).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg].
    route : str or Route, default "geographic"
        Route preset.

    Returns
    -------
    numpy.ndarray
        RTT [ms], shape (nlat, nlon).

    Notes
    -----
    A pruned nearest-metro search, exact against brute force: metros sorted by
    latitude for up to :data:`BANDED_SEARCH_MIN_METROS` metros; beyond, bucketed in
    latitude bands and searched a tile of :func:`tile_cells` cells of a row at a
    time (the tile's worst distance bounds the bands and the longitude window;
    every metro in it updates the whole tile in one vectorised pass).
    """
    r = route_preset(route)
    mlat = np.asarray(metro_lat, dtype=float)
    mlon = np.asarray(metro_lon, dtype=float)
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    if r.geographic:
        d = _nearest_path_km(la, lo, mlat, mlon)
    else:
        d = _nearest_angle(la, lo, mlat, mlon) * EARTH_RADIUS_KM
    return rtt_from_km(d, route=r)


def _nearest_angle(
    la: np.ndarray, lo: np.ndarray, mlat: np.ndarray, mlon: np.ndarray
) -> np.ndarray:
    """Central angle [rad] from every cell of a grid to its nearest metro (exact pruned search)."""
    from computeatlas._kernels.latency import build_bands, min_angle, min_angle_tiled

    if mlat.size > BANDED_SEARCH_MIN_METROS:
        order, offsets = build_bands(mlat, mlon)
        res = float(np.median(np.diff(lo))) if lo.size > 1 else 1.0
        angle = min_angle_tiled(la, lo, mlat[order], mlon[order], offsets, tile_cells(res))
    else:
        order = np.argsort(mlat, kind="stable")
        angle = min_angle(la, lo, mlat[order], mlon[order])
    return np.asarray(angle)


def _zone_blocks(
    la: np.ndarray, lo: np.ndarray, metro_zone: np.ndarray
) -> Iterator[tuple[slice, slice, np.ndarray, np.ndarray]]:
    """Blocks of a grid, each within one corridor zone box: rows/cols, mask and allowed metros.

    Yields ``(rows, cols, mask, metros)``: slices of the grid axes bounding one
    box of a zone (the cells outside every zone: the whole grid), the cells of
    that block in the zone and not yet yielded (so every cell is in exactly one
    mask), and the metros whose great circle is the path from the zone
    (:func:`computeatlas.models.corridors.direct_allowed`). Blocks per box, not per
    zone, keep the blocks of zones made of distant boxes (or crossing the
    antimeridian) from covering the grid between them.
    """
    from computeatlas.models.corridors import direct_allowed, zone_grid
    from computeatlas.presets import corridors

    zc = zone_grid(la, lo)
    lon = np.where(lo > 180.0, lo - 360.0, lo)
    done = np.zeros(zc.shape, dtype=bool)
    present = set((np.flatnonzero(np.bincount(zc.ravel() + 1)) - 1).tolist())
    if -1 in present:
        yield slice(0, la.size), slice(0, lo.size), zc == -1, np.arange(metro_zone.size)
    for z, x0, y0, x1, y1 in corridors().boxes:
        if int(z) not in present:
            continue
        r = np.flatnonzero((la >= y0) & (la <= y1))
        c = np.flatnonzero((lon >= x0) & (lon <= x1))
        if not r.size or not c.size:
            continue
        rows, cols = slice(int(r[0]), int(r[-1]) + 1), slice(int(c[0]), int(c[-1]) + 1)
        mask = (zc[rows, cols] == int(z)) & ~done[rows, cols]
        if mask.any():
            done[rows, cols] |= mask
            yield rows, cols, mask, np.flatnonzero(direct_allowed(int(z), metro_zone))


def _nearest_path_km(
    la: np.ndarray, lo: np.ndarray, mlat: np.ndarray, mlon: np.ndarray
) -> np.ndarray:
    """Corridor path [km] from every grid cell to its nearest metro.

    The smaller of the nearest metro the cell reaches by great circle (the pruned
    search, run per zone on the block of its cells with the metros it may reach
    directly) and the nearest through hubs (one pass, any number of metros).
    """
    from computeatlas.models.corridors import nearest_via_hubs_grid_km, zone_index

    zm = zone_index(mlat, mlon)
    out = np.full((la.size, lo.size), np.inf)
    for rows, cols, mask, mets in _zone_blocks(la, lo, zm):
        if mets.size:
            d = _nearest_angle(la[rows], lo[cols], mlat[mets], mlon[mets]) * EARTH_RADIUS_KM
            np.copyto(out[rows, cols], d, where=mask)  # in place: a view of ``out``
    return nearest_via_hubs_grid_km(la, lo, mlat, mlon, direct_km=out)


def tile_cells(resolution_deg: float) -> int:
    """Cells per tile of the tiled nearest-metro search: about 16 deg of longitude.

    Parameters
    ----------
    resolution_deg : float
        Grid spacing [deg].

    Returns
    -------
    int
        Between 16 and 128 (measured on 2 cores with 6,204 metros, world: 32-48 cells
        at 0.5 deg, 48-80 at 0.25 deg and 128 at 0.1 and 0.05 deg are fastest; 64
        cells at 0.25 deg take 15 % less time than 32).
    """
    return int(min(128, max(16, round(16.0 / max(resolution_deg, 1e-6)))))


#: Above this many metros the tiled banded search beats the latitude-only one.
BANDED_SEARCH_MIN_METROS = 1000


def reach_span(cols: ArrayLike) -> slice | None:
    """Return the columns the grid reach kernel fills for a window, as a run of the circle.

    Parameters
    ----------
    cols : array_like of int
        The window's columns on the grid around the circle.

    Returns
    -------
    slice or None
        The window's own columns when they are consecutive (the whole circle, or a
        regional row whose intervals are also tried shifted by +-360 deg): the
        kernel's arrays are the window's. None otherwise (a window across the
        antimeridian): the kernel fills the whole circle and the window's columns
        are cut from it. The memory guard counts what this says
        (:mod:`computeatlas.ranking`).
    """
    c = np.asarray(cols)
    if c.size and bool(np.all(np.diff(c) == 1)):
        return slice(int(c[0]), int(c[-1]) + 1)
    return None


def weight_within_km(
    lat: ArrayLike,
    lon: ArrayLike,
    source_lat: ArrayLike,
    source_lon: ArrayLike,
    weights: ArrayLike,
    radii_km: ArrayLike,
    *,
    grid: tuple[float, float, int, np.ndarray] | None = None,
    geographic: bool = False,
) -> np.ndarray:
    """Sum the weight of the sources within great-circle radii of every sample.

    Parameters
    ----------
    lat, lon : array_like
        Grid rows' latitudes [deg] (with ``grid``) or point coordinates [deg].
    source_lat, source_lon, weights : array_like
        Sources (metros, towns) [deg] and their weights (e.g. population).
    radii_km : array_like
        Radii [km], shape (k,).
    grid : (lon0, resolution, nlon, cols), optional
        For a grid window: the first longitude and spacing [deg] and column count
        of the global grid, and the window's column indices. Without it the
        samples are points.
    geographic : bool, default False
        Count by corridor path length (:mod:`computeatlas.models.corridors`)
        instead of great-circle distance.

    Returns
    -------
    numpy.ndarray
        Weight within each radius, shape (k, nlat, ncols) for a grid, (k, n) for points.

    Notes
    -----
    A source counts when its great-circle distance is at most the radius. On a
    grid each source's circle is cut into exact per-row longitude intervals and
    summed with a prefix sum (numba kernel), O(rows x sources + cells). With
    ``geographic`` the great-circle count runs per corridor zone over the
    sources the zone reaches directly, and the sources reached only through
    hubs are added by :func:`computeatlas.models.corridors.weight_via_hubs`.
    """
    if geographic:
        return _weight_within_path(lat, lon, source_lat, source_lon, weights, radii_km, grid)
    radii = np.atleast_1d(np.asarray(radii_km, dtype=float))
    theta = np.minimum(radii / EARTH_RADIUS_KM, np.pi)
    slat = np.asarray(source_lat, dtype=float)
    slon = np.asarray(source_lon, dtype=float)
    w = np.asarray(weights, dtype=float)
    if grid is not None:
        from computeatlas._kernels.latency import reach_weights

        lon0, res, nlon, cols = grid
        cols = np.asarray(cols)
        la = np.asarray(lat, float)
        span = reach_span(cols)
        if span is not None and cols.size < nlon:
            # consecutive columns short of the circle: a regional row (intervals +-360 deg)
            first = lon0 + res * float(span.start)
            return reach_weights(la, first, res, cols.size, slat, slon, w, np.cos(theta), False)
        full = reach_weights(la, lon0, res, nlon, slat, slon, w, np.cos(theta), True)
        return full if span is not None else full[:, :, cols]  # the whole circle: no copy
    plat = np.asarray(lat, dtype=float)
    plon = np.asarray(lon, dtype=float)
    out = np.zeros((radii.size, plat.size))
    for i in range(plat.size):  # points: a few thousand at most
        d = haversine_km(plat[i], plon[i], slat, slon)
        out[:, i] = [(w * (d <= rad)).sum() for rad in radii]
    return out


def _weight_within_path(
    lat: ArrayLike,
    lon: ArrayLike,
    source_lat: ArrayLike,
    source_lon: ArrayLike,
    weights: ArrayLike,
    radii_km: ArrayLike,
    grid: tuple[float, float, int, np.ndarray] | None,
) -> np.ndarray:
    """:func:`weight_within_km` by corridor path length (``geographic=True``)."""
    from computeatlas.models.corridors import (
        direct_allowed,
        weight_via_hubs,
        weight_via_hubs_grid,
        zone_index,
    )

    slat = np.asarray(source_lat, dtype=float)
    slon = np.asarray(source_lon, dtype=float)
    w = np.asarray(weights, dtype=float)
    zs = zone_index(slat, slon)
    la = np.asarray(lat, dtype=float)
    if grid is None:
        lo = np.asarray(lon, dtype=float)
        out = weight_via_hubs(la, lo, slat, slon, w, radii_km)
        allowed = direct_allowed(zone_index(la, lo)[:, None], zs[None, :])
        for i in range(la.size):  # points: a few thousand at most
            d = haversine_km(la[i], lo[i], slat, slon)
            out[:, i] += [(w * allowed[i] * (d <= rad)).sum() for rad in np.atleast_1d(radii_km)]
        return out
    lon0, res, nlon, cols = grid
    cols = np.asarray(cols)
    lo = lon0 + res * cols.astype(float)
    radii = np.atleast_1d(np.asarray(radii_km, dtype=float))
    # the metros reached through hubs, then each cell's block of direct metros added in
    # place (every cell is in one block): no second grid-sized array
    out = weight_via_hubs_grid(la, lo, slat, slon, w, radii)
    for rows, cc, mask, mets in _zone_blocks(la, lo, zs):
        if mets.size:
            part = weight_within_km(
                la[rows],
                lo[cc],
                slat[mets],
                slon[mets],
                w[mets],
                radii,
                grid=(lon0, res, nlon, cols[cc]),
            )
            block = out[:, rows, cc]  # a view: added in place
            np.add(block, part, out=block, where=mask)
    return out


def eligible_by_reach(
    count_within: np.ndarray | None,
    weight_within: np.ndarray | None,
    weights: ArrayLike,
    *,
    mode: str,
    min_share: float,
) -> np.ndarray:
    """Whether each sample is close enough to the demand, from the metros within the budget.

    Parameters
    ----------
    count_within : numpy.ndarray or None
        Number of metros within the round-trip budget of each sample
        (:func:`weight_within_km` with unit weights at the service radius); read
        in ``all`` mode only (None in ``share`` mode).
    weight_within : numpy.ndarray or None
        Their summed demand weight [1]; read in ``share`` mode only.
    weights : array_like
        Demand weight of every metro [1].
    mode : {"all", "share"}
        ``all``: every metro within the budget; ``share``: the metros within it
        hold at least ``min_share`` of the weight.
    min_share : float
        Required share in ``share`` mode, in (0, 1].

    Returns
    -------
    numpy.ndarray of bool
        Shape of the array the mode reads.

    Notes
    -----
    A metro is within the budget when its distance is at most the service
    radius (:func:`service_radius_km`), which needs no per-metro arrays: memory
    O(cells) for any number of metros.
    """
    w = np.asarray(weights, dtype=float)
    needed = count_within if mode == "all" else weight_within
    if needed is None:
        raise ValueError(f"eligible_by_reach: mode {mode!r} needs the array it reads")
    if mode == "all":
        return np.asarray(needed >= w.size - 0.5)
    return np.asarray(needed / w.sum() >= min_share - 1e-12)


def mean_rtt_ms(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    weights: ArrayLike,
    *,
    route: str | Route = "geographic",
) -> np.ndarray:
    r"""Demand-weighted mean round-trip time from points to the metros.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [deg], shape (n,).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).
    weights : array_like
        Demand weight of each metro [1], shape (m,).
    route : str or Route, default "geographic"
        Route preset.

    Returns
    -------
    numpy.ndarray
        :math:`\sum_j w_j \mathrm{RTT}_j / \sum_j w_j` [ms], shape (n,).

    Notes
    -----
    RTT is affine in distance beyond the ramp and in ``min(d, ramp_km)`` below
    it, so the weighted mean RTT follows from the weighted means of ``d`` and
    ``min(d, ramp_km)``; a numba kernel sums them in O(n) memory.
    """
    from computeatlas._kernels.latency import weighted_mean_angle

    r = route_preset(route)
    if r.geographic:
        rtt = rtt_field_ms(lat, lon, metro_lat, metro_lon, route=r, grid=False)
        w = np.asarray(weights, dtype=float)
        return np.asarray((w @ rtt) / w.sum())
    args = (
        np.ascontiguousarray(lat, dtype=float).ravel(),
        np.ascontiguousarray(lon, dtype=float).ravel(),
        np.asarray(metro_lat, dtype=float),
        np.asarray(metro_lon, dtype=float),
        np.asarray(weights, dtype=float),
    )
    d = weighted_mean_angle(*args, np.inf) * EARTH_RADIUS_KM
    out = r.fixed_ms + 2.0 * d * r.route_factor / FIBRE_SPEED_KM_PER_MS
    if r.ramp_km > 0.0:  # the ramp is linear below ramp_km: the mean of min(d, ramp)
        near = weighted_mean_angle(*args, r.ramp_km / EARTH_RADIUS_KM) * EARTH_RADIUS_KM
        out = out - (r.fixed_ms - r.floor_ms) * (1.0 - near / r.ramp_km)
    return np.asarray(out)
