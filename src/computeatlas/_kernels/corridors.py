"""Corridor-path kernels on a regular lat/lon grid (numba).

The formula is that of :mod:`computeatlas.models.corridors`: the great circle
between points of the same or adjacent zones (or outside every zone), else the
shortest path through the hubs the cell reaches overland,
``min_h d(cell, h) + C[metro, h]``. Per cell the distances to its hubs are
computed once and reused for every metro, so a field costs
O(cells x (hubs + metros)) time and O(metros x cells) memory for the output only.

* :func:`path_field_grid`: path length from every cell to each metro.
* :func:`nearest_via_hubs_grid`: shortest path through hubs to any metro, given
  the metro side collapsed to one number per hub.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from computeatlas._kernels.geo import _hav
from computeatlas.constants import EARTH_RADIUS_KM


@njit(cache=True)
def _hub_km(la, lo, zi, hub_lat, hub_lon, access, out):
    """Distance [km] from one point to the hubs its zone row ``zi`` reaches (inf otherwise)."""
    for h in range(hub_lat.size):
        out[h] = _hav(la, lo, hub_lat[h], hub_lon[h]) if access[zi, h] else np.inf


@njit(cache=True, inline="always")
def _via(dh, c, k, hubs, start, stop):
    """``min_h dh[h] + c[k, h]`` [km] over the hubs ``hubs[start:stop]``."""
    best = np.inf
    for q in range(start, stop):
        h = hubs[q]
        v = dh[h] + c[k, h]
        if v < best:
            best = v
    return best


@njit(cache=True)
def _hub_lists(access):
    """CSR lists of the hubs each zone row of ``access`` reaches: (offsets, hubs)."""
    nz, nh = access.shape
    offsets = np.zeros(nz + 1, dtype=np.int64)
    for z in range(nz):
        offsets[z + 1] = offsets[z] + access[z].sum()
    hubs = np.empty(offsets[-1], dtype=np.int64)
    for z in range(nz):
        q = offsets[z]
        for h in range(nh):
            if access[z, h]:
                hubs[q] = h
                q += 1
    return offsets, hubs


@njit(cache=True)
def _lon_terms(lo, plon):
    """Tabulate the haversine's longitude term ``sin^2(dlon / 2)`` per column and point."""
    s = np.empty((lo.size, plon.size))
    for j in range(lo.size):
        for h in range(plon.size):
            s[j, h] = math.sin(0.5 * math.radians(plon[h] - lo[j])) ** 2
    return s


@njit(cache=True)
def _lat_terms(la_i, plat):
    """Return the haversine's latitude terms of one row and each point (sin^2(dlat/2), cos cos)."""
    p1 = math.radians(la_i)
    cos1 = math.cos(p1)
    a0 = np.empty(plat.size)
    b = np.empty(plat.size)
    for h in range(plat.size):
        p2 = math.radians(plat[h])
        a0[h] = math.sin(0.5 * (p2 - p1)) ** 2
        b[h] = cos1 * math.cos(p2)
    return a0, b


@njit(cache=True, inline="always")
def _tab_km(a0, b, s, j, h):
    """Haversine distance [km] from tabulated terms (the operations of ``_kernels.geo``)."""
    a = a0[h] + b[h] * s[j, h]
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@njit(parallel=True, cache=True)
def path_field_grid(la, lo, zone, hub_lat, hub_lon, access, mlat, mlon, mzone, adjacent, c):
    """Corridor path length [km] from every cell of a grid to each metro.

    ``la`` (nlat,) and ``lo`` (nlon,) are the grid axes [deg]; ``zone`` (nlat,
    nlon) the cells' zones (-1: none); ``access`` (zones + 1, hubs) the hubs each
    zone reaches (last row: none); ``mzone`` (m,) the metros' zones;
    ``adjacent`` (zones, zones); ``c`` (m, hubs) the path from each hub to each
    metro [km]. Returns (m, nlat, nlon).

    Great circles are the haversine of ``_kernels.geo`` term by term, its
    longitude term tabulated per column and metro and its latitude terms per
    row and metro (the same operations in the same order: the same numbers).
    Each row's distances to the hubs are computed once, when a cell of the row
    needs a path through hubs.
    """
    nlat, nlon = zone.shape
    m = mlat.size
    nh = hub_lat.size
    ho, hl = _hub_lists(access)
    out = np.empty((m, nlat, nlon))
    s = _lon_terms(lo, mlon)
    for i in prange(nlat):
        p1 = math.radians(la[i])
        cos1 = math.cos(p1)
        dh = np.full((nlon, nh), np.inf)
        ready = False
        for k in range(m):
            p2 = math.radians(mlat[k])
            a0 = math.sin(0.5 * (p2 - p1)) ** 2
            b = cos1 * math.cos(p2)
            zm = mzone[k]
            for j in range(nlon):
                z = zone[i, j]
                if z < 0 or zm < 0 or adjacent[z, zm]:
                    a = a0 + b * s[j, k]
                    out[k, i, j] = 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
                    continue
                if not ready:
                    for jj in range(nlon):
                        zz = zone[i, jj]
                        if zz >= 0:
                            _hub_km(la[i], lo[jj], zz, hub_lat, hub_lon, access, dh[jj])
                    ready = True
                out[k, i, j] = _via(dh[j], c, k, hl, ho[z], ho[z + 1])
    return out


@njit(parallel=True, cache=True)
def nearest_via_hubs_grid(la, lo, zone, hub_lat, hub_lon, access, best, init):
    """``min(init, min_h d(cell, h) + best[h])`` [km] on a grid.

    ``best`` (hubs,) is the shortest hub-to-metro path over all metros [km];
    ``init`` (nlat, nlon) the nearest metro by great circle [km] (``inf`` for
    none). A hub is skipped when its latitude gap alone, ``R |lat - lat_h| +
    best[h]``, cannot beat the current value (a great circle is at least the
    arc of the latitude difference).
    """
    nlat, nlon = zone.shape
    nh = hub_lat.size
    none = access.shape[0] - 1
    ho, hl = _hub_lists(access)
    out = np.empty((nlat, nlon))
    s = _lon_terms(lo, hub_lon)  # the haversine's terms tabulated
    for i in prange(nlat):
        a0, b = _lat_terms(la[i], hub_lat)
        gap_h = np.empty(nh)
        for h in range(nh):
            gap_h[h] = EARTH_RADIUS_KM * abs(math.radians(la[i] - hub_lat[h])) + best[h]
        for j in range(nlon):
            z = zone[i, j]
            zi = z if z >= 0 else none
            v = init[i, j]
            for q in range(ho[zi], ho[zi + 1]):
                h = hl[q]
                if gap_h[h] < v:
                    d = _tab_km(a0, b, s, j, h) + best[h]
                    if d < v:
                        v = d
            out[i, j] = v
    return out


@njit(parallel=True, cache=True)
def weight_via_hubs_grid(
    la, lo, zone, hub_lat, hub_lon, access, offsets, mets, paths, weight, radii
):
    """Sum the weight of the metros reached through hubs within each radius, on a grid.

    For each position ``q`` of the zones' hub lists (:func:`_hub_lists`: zone ``z``
    reaches hubs ``hubs[ho[z]:ho[z + 1]]``) the candidate metros are
    ``mets[offsets[q]:offsets[q + 1]]`` (those whose great circle from the zone is not
    the path), sorted by ``paths``: their shortest path from that hub [km]. A cell
    walks each of its hubs' lists while ``d(cell, hub) + path`` can be within the
    largest radius, keeping each metro's shortest path (exact: a metro's path is the
    least over the hubs, and the hubs that cannot bring it within the radius do
    not count). ``radii`` [km]. Returns (radii, nlat, nlon).
    """
    nlat, nlon = zone.shape
    nm = weight.size
    rmax = radii.max()
    ho, hl = _hub_lists(access)
    out = np.zeros((radii.size, nlat, nlon))
    # the haversine of ``_kernels.geo`` term by term (as path_field_grid): its longitude
    # term per column and hub, its latitude terms per row and hub
    s = _lon_terms(lo, hub_lon)
    for i in prange(nlat):
        stamp = np.full(nm, -1, dtype=np.int64)
        best = np.empty(nm)
        touched = np.empty(nm, dtype=np.int64)
        a0, b = _lat_terms(la[i], hub_lat)
        for j in range(nlon):
            z = zone[i, j]
            if z < 0 or offsets[ho[z]] == offsets[ho[z + 1]]:
                continue
            nt = 0
            for q in range(ho[z], ho[z + 1]):
                h = hl[q]
                dh = _tab_km(a0, b, s, j, h)
                # a margin against rounding: the final test below is exact
                lim = rmax - dh + 1e-9 * (1.0 + rmax)
                for e in range(offsets[q], offsets[q + 1]):
                    if paths[e] > lim:
                        break
                    m = mets[e]
                    v = dh + paths[e]
                    if stamp[m] != j:
                        stamp[m] = j
                        best[m] = v
                        touched[nt] = m
                        nt += 1
                    elif v < best[m]:
                        best[m] = v
            for t in range(nt):
                m = touched[t]
                for r in range(radii.size):
                    if best[m] <= radii[r]:
                        out[r, i, j] += weight[m]
    return out
