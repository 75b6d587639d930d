r"""Fibre paths that follow geography: overland within a continent, along cable corridors between.

A coarse corridor graph (:func:`computeatlas.presets.corridors`, typed in from the
public descriptions of the submarine cable systems it cites) replaces the great
circle of a route preset with ``geographic = true``:

.. math::

    d_{path}(p, q) =
    \begin{cases}
      d_{gc}(p, q) & \text{same or adjacent zones, or either outside every zone} \\
      \min_{a \in H(p),\, b \in H(q)} d_{gc}(p, a) + G_{ab} + d_{gc}(b, q) & \text{otherwise}
    \end{cases}

with :math:`H(p)` the hubs of the zone of :math:`p` and of the zones adjacent to it
and :math:`G` the shortest hub-to-hub distance over the graph whose edges are the
great circles between hubs of the same or adjacent zones and the sea links (each
the sum of the great circles through its waypoints). Every edge is at least the
great circle between its ends, so :math:`G_{ab} \ge d_{gc}(a, b)` and by the
triangle inequality the path through hubs is never shorter than the great circle:
:math:`d_{path} \ge d_{gc}` always, and the minimum over "great circle if allowed,
else through hubs" equals the case split above.

The route factor then scales :math:`d_{path}` as it scales :math:`d_{gc}` in
:mod:`computeatlas.models.latency`. What the graph leaves out (it is coarse by
design): terrestrial Europe-Asia routes through Russia or Iran (not used by the
cloud backbones it is calibrated on), trans-Saharan fibre (North and sub-Saharan
Africa are joined overland), the exact course of each cable, and routing policy
beyond Israel's Mediterranean-only cables. Mainland China's border gateways add
delay that no distance models: see
:func:`computeatlas.models.latency.crosses_mainland_china_border`.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from numpy.typing import ArrayLike

from computeatlas._kernels.geo import haversine_km
from computeatlas.presets import corridors

__all__ = [
    "direct_allowed",
    "hub_access_km",
    "hub_paths_km",
    "nearest_via_hubs_grid_km",
    "nearest_via_hubs_km",
    "path_field_km",
    "path_grid_km",
    "path_km",
    "weight_via_hubs",
    "weight_via_hubs_grid",
    "zone_grid",
    "zone_index",
]

#: Pairs per block when paths through hubs are evaluated pair by pair.
_CHUNK = 4096


def zone_index(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """Corridor zone of each point: the first zone whose box holds it.

    Parameters
    ----------
    lat, lon : array_like
        Coordinates [deg]; broadcast; longitudes in -180..180 or 0..360.

    Returns
    -------
    numpy.ndarray of int
        Index into ``corridors().zone_names``; -1 outside every zone.
    """
    la, lo = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    lo = np.where(lo > 180.0, lo - 360.0, lo)
    out = np.full(la.shape, -1, dtype=np.int64)
    for z, x0, y0, x1, y1 in corridors().boxes:
        hit = (out < 0) & (lo >= x0) & (lo <= x1) & (la >= y0) & (la <= y1)
        out[hit] = int(z)
    return out


def zone_grid(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """:func:`zone_index` of every cell of a grid, cached for the last few grids.

    Parameters
    ----------
    lat, lon : array_like
        Grid axes [deg], shapes (nlat,) and (nlon,).

    Returns
    -------
    numpy.ndarray of int16
        ``(nlat, nlon)`` zone indices (-1 outside every zone), read-only.
    """
    la = np.ascontiguousarray(lat, dtype=float).ravel()
    lo = np.ascontiguousarray(lon, dtype=float).ravel()
    return _zone_grid(la.tobytes(), lo.tobytes())


@lru_cache(maxsize=4)
def _zone_grid(lat_bytes: bytes, lon_bytes: bytes) -> np.ndarray:
    la, lo = np.frombuffer(lat_bytes), np.frombuffer(lon_bytes)
    out = zone_index(la[:, None], lo[None, :]).astype(np.int16)
    out.setflags(write=False)
    return out


def direct_allowed(zone_a: ArrayLike, zone_b: ArrayLike) -> np.ndarray:
    """Whether the great circle is the path between points of two zones.

    Parameters
    ----------
    zone_a, zone_b : array_like of int
        Zone indices from :func:`zone_index` (-1: outside every zone).

    Returns
    -------
    numpy.ndarray of bool
        True for the same or adjacent zones, or where either is -1.
    """
    za, zb = np.broadcast_arrays(np.asarray(zone_a, int), np.asarray(zone_b, int))
    adj = corridors().adjacent
    out = (za < 0) | (zb < 0)
    both = ~out
    out[both] = adj[za[both], zb[both]]
    return out


@cache
def _access() -> np.ndarray:
    """``(zones + 1, hubs)``: hubs a point of each zone reaches overland (last row: none)."""
    c = corridors()
    acc = c.adjacent[:, c.hub_zone]
    return np.vstack([acc, np.zeros((1, c.hub_zone.size), dtype=bool)])


@cache
def hub_paths_km() -> np.ndarray:
    """Shortest distance between every pair of hubs over the corridor graph.

    Returns
    -------
    numpy.ndarray
        ``(hubs, hubs)`` [km], symmetric, zero on the diagonal.

    Notes
    -----
    Floyd-Warshall over the great-circle edges between hubs of the same or
    adjacent zones and the sea links of ``corridors.toml`` (each the summed
    great circles through its waypoints).
    """
    c = corridors()
    g = np.asarray(haversine_km(c.hub_lat[:, None], c.hub_lon[:, None], c.hub_lat, c.hub_lon))
    g = np.where(c.adjacent[c.hub_zone][:, c.hub_zone], g, np.inf)
    for a, b, pts in c.links:
        length = float(np.sum(haversine_km(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])))
        g[a, b] = g[b, a] = min(g[a, b], length)
    np.fill_diagonal(g, 0.0)
    for k in range(g.shape[0]):
        g = np.minimum(g, g[:, k : k + 1] + g[k : k + 1, :])
    g.setflags(write=False)
    return g


def hub_access_km(lat: ArrayLike, lon: ArrayLike, zone: ArrayLike | None = None) -> np.ndarray:
    """Overland distance from points to the hubs they can reach.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [deg], shape (n,).
    zone : array_like of int, optional
        Their zones (:func:`zone_index`; computed when omitted).

    Returns
    -------
    numpy.ndarray
        ``(n, hubs)`` great-circle distance [km] to the hubs of the point's own
        and adjacent zones, ``inf`` to the others (all ``inf`` outside every zone).
    """
    la = np.asarray(lat, float).ravel()
    lo = np.asarray(lon, float).ravel()
    z = zone_index(la, lo) if zone is None else np.asarray(zone, int).ravel()
    c = corridors()
    d = np.asarray(haversine_km(la[:, None], lo[:, None], c.hub_lat, c.hub_lon))
    return np.where(_access()[z], d, np.inf)


def path_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Corridor path length between points (great circle where geography allows it).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates [deg]; broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Path length [km], at least the great-circle distance.

    Notes
    -----
    See the module docstring for the formula; paths through hubs are evaluated
    in blocks of pairs, O(pairs x hubs^2) time and O(block x hubs^2) memory.
    """
    a1, o1, a2, o2 = np.broadcast_arrays(*(np.asarray(x, float) for x in (lat1, lon1, lat2, lon2)))
    shape = a1.shape
    a1, o1, a2, o2 = (x.ravel() for x in (a1, o1, a2, o2))
    out = np.asarray(haversine_km(a1, o1, a2, o2), dtype=float).copy()
    z1, z2 = zone_index(a1, o1), zone_index(a2, o2)
    far = np.flatnonzero(~direct_allowed(z1, z2))
    g = hub_paths_km()
    acc = _access()
    c = corridors()
    pair = z1[far] * (acc.shape[0] + 1) + z2[far]
    for key in np.unique(pair):  # per zone pair: only the hubs each end reaches
        group = far[pair == key]
        ha, hb = np.flatnonzero(acc[z1[group[0]]]), np.flatnonzero(acc[z2[group[0]]])
        if not ha.size or not hb.size:  # a zone without hubs: no path
            out[group] = np.inf
            continue
        gab = g[np.ix_(ha, hb)]
        for s in range(0, group.size, _CHUNK):
            idx = group[s : s + _CHUNK]
            h1 = np.asarray(
                haversine_km(a1[idx, None], o1[idx, None], c.hub_lat[ha], c.hub_lon[ha])
            )
            h2 = np.asarray(
                haversine_km(a2[idx, None], o2[idx, None], c.hub_lat[hb], c.hub_lon[hb])
            )
            to_b = np.min(h1[:, :, None] + gab[None, :, :], axis=1)  # (pairs, hb): p -> ... -> b
            out[idx] = np.min(to_b + h2, axis=1)
    return out.reshape(shape)


def _metro_hub_km(metro_lat: ArrayLike, metro_lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Zones of the metros and ``C[m, a]``: shortest path from hub ``a`` to metro ``m`` [km].

    Kept for the last few metro sets (a field asks for it once for the nearest metro
    and once for the reach); the caller gets copies (a few MB for every shipped metro).
    """
    mlat = np.ascontiguousarray(metro_lat, dtype=float).ravel()
    mlon = np.ascontiguousarray(metro_lon, dtype=float).ravel()
    zm, c = _metro_hub_cached(mlat.tobytes(), mlon.tobytes())
    return zm.copy(), c.copy()


@lru_cache(maxsize=4)
def _metro_hub_cached(lat_bytes: bytes, lon_bytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    mlat = np.frombuffer(lat_bytes, dtype=float)
    mlon = np.frombuffer(lon_bytes, dtype=float)
    zm = zone_index(mlat, mlon)
    b = hub_access_km(mlat, mlon, zm)
    g = hub_paths_km()
    c = np.full(b.shape, np.inf)
    for h in range(g.shape[0]):  # hubs: a few dozen
        c = np.minimum(c, g[None, :, h] + b[:, h : h + 1])
    return zm, c


def path_field_km(
    lat: ArrayLike, lon: ArrayLike, metro_lat: ArrayLike, metro_lon: ArrayLike
) -> np.ndarray:
    r"""Corridor path length from every point to every metro.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [deg], shape (n,).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).

    Returns
    -------
    numpy.ndarray
        ``(m, n)`` path length [km], equal to :func:`path_km` pair by pair.

    Notes
    -----
    The hub-to-metro part :math:`\min_b G_{ab} + d(b, q)` is computed once per
    metro; the point side is one min-plus pass per hub over ``(m, n)`` arrays.
    """
    la = np.asarray(lat, float).ravel()
    lo = np.asarray(lon, float).ravel()
    mlat = np.asarray(metro_lat, float).ravel()
    mlon = np.asarray(metro_lon, float).ravel()
    out = np.asarray(haversine_km(mlat[:, None], mlon[:, None], la[None, :], lo[None, :]), float)
    zp = zone_index(la, lo)
    zm, c = _metro_hub_km(mlat, mlon)
    far = ~direct_allowed(zm[:, None], zp[None, :])
    if not far.any():
        return out
    a = hub_access_km(la, lo, zp)
    via = np.full(out.shape, np.inf)
    for h in range(a.shape[1]):
        via = np.minimum(via, c[:, h : h + 1] + a[None, :, h])
    return np.where(far, via, out)


def path_grid_km(
    lat: ArrayLike, lon: ArrayLike, metro_lat: ArrayLike, metro_lon: ArrayLike
) -> np.ndarray:
    """Corridor path length from every cell of a grid to every metro.

    Parameters
    ----------
    lat, lon : array_like
        Grid axes [deg], shapes (nlat,) and (nlon,).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).

    Returns
    -------
    numpy.ndarray
        ``(m, nlat, nlon)`` path length [km], equal to :func:`path_field_km` on the
        cells (numba kernel: the hub distances of a cell are computed once for all
        metros).
    """
    from computeatlas._kernels.corridors import path_field_grid

    la = np.ascontiguousarray(lat, dtype=float).ravel()
    lo = np.ascontiguousarray(lon, dtype=float).ravel()
    mlat = np.ascontiguousarray(metro_lat, dtype=float).ravel()
    mlon = np.ascontiguousarray(metro_lon, dtype=float).ravel()
    c = corridors()
    zm, hub_to_metro = _metro_hub_km(mlat, mlon)
    zone = zone_grid(la, lo)
    return np.asarray(
        path_field_grid(
            la,
            lo,
            zone,
            c.hub_lat,
            c.hub_lon,
            _access(),
            mlat,
            mlon,
            zm,
            c.adjacent,
            np.ascontiguousarray(hub_to_metro),
        )
    )


def nearest_via_hubs_grid_km(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    direct_km: ArrayLike | None = None,
) -> np.ndarray:
    """:func:`nearest_via_hubs_km` on the cells of a grid (numba kernel).

    Parameters
    ----------
    lat, lon : array_like
        Grid axes [deg], shapes (nlat,) and (nlon,).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).
    direct_km : array_like, optional
        ``(nlat, nlon)`` distance to the nearest metro each cell reaches by great
        circle [km]; the result is then the smaller of the two, and hubs that
        cannot beat it are skipped.

    Returns
    -------
    numpy.ndarray
        ``(nlat, nlon)`` [km]; ``inf`` for cells outside every zone (without
        ``direct_km``).
    """
    from computeatlas._kernels.corridors import nearest_via_hubs_grid

    la = np.ascontiguousarray(lat, dtype=float).ravel()
    lo = np.ascontiguousarray(lon, dtype=float).ravel()
    _, hub_to_metro = _metro_hub_km(metro_lat, metro_lon)
    zone = zone_grid(la, lo)
    c = corridors()
    best = (
        np.ascontiguousarray(hub_to_metro.min(axis=0))
        if hub_to_metro.size
        else np.full(c.hub_lat.size, np.inf)
    )
    init = np.full(zone.shape, np.inf) if direct_km is None else np.asarray(direct_km, float)
    return np.asarray(
        nearest_via_hubs_grid(
            la, lo, zone, c.hub_lat, c.hub_lon, _access(), best, np.ascontiguousarray(init)
        )
    )


def weight_via_hubs_grid(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    weights: ArrayLike,
    radii_km: ArrayLike,
) -> np.ndarray:
    """:func:`weight_via_hubs` on the cells of a grid (numba kernel).

    Parameters
    ----------
    lat, lon : array_like
        Grid axes [deg], shapes (nlat,) and (nlon,).
    metro_lat, metro_lon, weights : array_like
        Metros [deg] and their weights, shape (m,).
    radii_km : array_like
        Path radii [km], shape (k,).

    Returns
    -------
    numpy.ndarray
        ``(k, nlat, nlon)``: summed weight of the metros reached only through hubs
        whose path is at most the radius.

    Notes
    -----
    Per zone and hub the metros the zone reaches only through hubs are sorted
    by their path from that hub; a cell walks each of its hubs' lists until the
    path passes the largest radius and keeps each metro's shortest path.
    """
    from computeatlas._kernels.corridors import weight_via_hubs_grid as kernel

    la = np.ascontiguousarray(lat, dtype=float).ravel()
    lo = np.ascontiguousarray(lon, dtype=float).ravel()
    w = np.ascontiguousarray(weights, dtype=float).ravel()
    radii = np.ascontiguousarray(np.atleast_1d(np.asarray(radii_km, float)))
    zm, c = _metro_hub_km(metro_lat, metro_lon)
    acc = _access()
    rmax = float(radii.max())
    # One sorted list per (zone, hub) in the order of the kernel's hub lists: zones in
    # turn, each zone's hubs by index.
    offsets, mets, paths = [0], [], []
    for z in range(acc.shape[0] - 1):
        far = np.flatnonzero(~direct_allowed(z, zm))
        for h in np.flatnonzero(acc[z]):
            cand = far[c[far, h] <= rmax]
            cand = cand[np.argsort(c[cand, h], kind="stable")]
            mets.append(cand)
            paths.append(c[cand, h])
            offsets.append(offsets[-1] + cand.size)
    zone = zone_grid(la, lo)
    cc = corridors()
    return np.asarray(
        kernel(
            la,
            lo,
            zone,
            cc.hub_lat,
            cc.hub_lon,
            acc,
            np.asarray(offsets, dtype=np.int64),
            np.concatenate(mets).astype(np.int64) if mets else np.zeros(0, np.int64),
            np.concatenate(paths).astype(float) if paths else np.zeros(0),
            w,
            radii,
        )
    )


def nearest_via_hubs_km(
    lat: ArrayLike, lon: ArrayLike, metro_lat: ArrayLike, metro_lon: ArrayLike
) -> np.ndarray:
    r"""Shortest path through hubs from every point to any metro.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [deg], shape (n,).
    metro_lat, metro_lon : array_like
        Metro coordinates [deg], shape (m,).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` [km]; ``inf`` for points outside every zone.

    Notes
    -----
    :math:`\min_m \min_a d(p, a) + C_{ma} = \min_a d(p, a) + \min_m C_{ma}`: the
    metro side collapses to one number per hub, so the cost is O(n x hubs) for
    any number of metros. Paths through hubs are never shorter than the great
    circle, so the nearest metro is the smaller of this and the nearest metro
    the point may reach directly.
    """
    _, c = _metro_hub_km(metro_lat, metro_lon)
    best = c.min(axis=0)
    la = np.asarray(lat, float).ravel()
    lo = np.asarray(lon, float).ravel()
    out = np.full(la.size, np.inf)
    for s in range(0, la.size, 16 * _CHUNK):
        a = hub_access_km(la[s : s + 16 * _CHUNK], lo[s : s + 16 * _CHUNK])
        out[s : s + 16 * _CHUNK] = np.min(a + best[None, :], axis=1)
    return out


def weight_via_hubs(
    lat: ArrayLike,
    lon: ArrayLike,
    metro_lat: ArrayLike,
    metro_lon: ArrayLike,
    weights: ArrayLike,
    radii_km: ArrayLike,
) -> np.ndarray:
    """Weight of the metros reached only through hubs within path radii of every point.

    Parameters
    ----------
    lat, lon : array_like
        Point coordinates [deg], shape (n,).
    metro_lat, metro_lon, weights : array_like
        Metros [deg] and their weights, shape (m,).
    radii_km : array_like
        Path radii [km], shape (k,).

    Returns
    -------
    numpy.ndarray
        ``(k, n)``: summed weight of the metros whose great circle is not the
        path (:func:`direct_allowed` False) and whose path is at most the radius.
        Add the great-circle count over the other metros for the full reach.

    Notes
    -----
    Per zone, only the points and metros within the largest radius of a hub
    enter the ``(points, metros)`` min-plus pass, in blocks of points.
    """
    la = np.asarray(lat, float).ravel()
    lo = np.asarray(lon, float).ravel()
    w = np.asarray(weights, float).ravel()
    radii = np.atleast_1d(np.asarray(radii_km, float))
    out = np.zeros((radii.size, la.size))
    zp = zone_index(la, lo)
    zm, c = _metro_hub_km(metro_lat, metro_lon)
    rmax = float(radii.max())
    acc = _access()
    for z in np.unique(zp[zp >= 0]):
        hubs = np.flatnonzero(acc[z])
        mets = np.flatnonzero(~direct_allowed(z, zm) & (c[:, hubs].min(axis=1) <= rmax))
        pts = np.flatnonzero(zp == z)
        if not mets.size or not pts.size:
            continue
        a = hub_access_km(la[pts], lo[pts], zp[pts])[:, hubs]
        pts, a = pts[a.min(axis=1) <= rmax], a[a.min(axis=1) <= rmax]
        cm = c[np.ix_(mets, hubs)]
        for s in range(0, pts.size, 256):
            d = np.min(a[s : s + 256, :, None] + cm.T[None, :, :], axis=1)  # (pts, mets)
            for k, rad in enumerate(radii):
                out[k, pts[s : s + 256]] = (d <= rad) @ w[mets]
    return out
