"""Latency kernels on a regular lat/lon grid (numba).

All work is done in cosine space on the unit sphere: a cell is within an
angular radius ``theta`` of a metro when the dot product of their unit
vectors is at least ``cos(theta)``; only the final minimum distances go
through ``acos``.

* :func:`reach_weights`: for each threshold, the summed weight of the metros
  within reach of every cell. Each metro's threshold circle is cut into one
  longitude interval per grid row (exact, from spherical trigonometry), added
  to a per-row difference array and turned into counts by a prefix sum: cost
  O(rows x metros + cells) instead of O(cells x metros), and a row visits only
  the metros within the radius in latitude (found by bisection).
* :func:`min_angle`: angular distance to the nearest metro, with metros
  sorted by latitude and the search stopped once the latitude gap alone
  exceeds the best distance found.
* :func:`angles_to`: angular distance of every cell to each metro.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _wrap(i, n):
    """``i % n`` for the column indices of one interval (within a few turns of ``[0, n)``).

    Adds or subtracts ``n`` instead of dividing: an integer division per interval end
    was about a tenth of :func:`reach_weights`.
    """
    while i < 0:
        i += n
    while i >= n:
        i -= n
    return i


@njit(cache=True)
def _add_interval(diff, w, west, east, lon0, dlon, wrap):
    """Add ``w`` to the columns whose centres lie within ``[west, east]`` [deg] (a difference row).

    ``diff`` has one more entry than the row's columns; ``wrap`` when the columns span
    the whole globe (the interval wraps around), else the interval is also tried
    shifted by +-360 deg.
    """
    nlon = diff.size - 1
    lo = (west - lon0) / dlon
    hi = (east - lon0) / dlon
    if wrap:
        if hi - lo >= nlon - 1:
            diff[0] += w
            diff[nlon] -= w
            return
        a = math.ceil(lo - 1e-9)
        b = math.floor(hi + 1e-9)
        if b < a:
            return
        a_mod = _wrap(a, nlon)
        b_mod = _wrap(b, nlon)
        if a_mod <= b_mod and b - a < nlon:
            diff[a_mod] += w
            diff[b_mod + 1] -= w
        else:
            diff[a_mod] += w
            diff[nlon] -= w
            diff[0] += w
            diff[b_mod + 1] -= w
        return
    for shift in (-360.0, 0.0, 360.0):
        a = math.ceil(lo + shift / dlon - 1e-9)
        b = math.floor(hi + shift / dlon + 1e-9)
        if b < 0 or a > nlon - 1:
            continue
        a = max(a, 0)
        b = min(b, nlon - 1)
        if a > b:
            continue
        diff[a] += w
        diff[b + 1] -= w


@njit(cache=True, parallel=True)
def reach_weights(lat, lon0, dlon, nlon, mlat, mlon, weight, cos_thresh, wrap):
    """Sum the weight of the metros within each threshold, per cell.

    Parameters
    ----------
    lat : (nrow,) float64
        Cell-centre latitudes [deg].
    lon0, dlon : float
        Longitude of the first column and the spacing [deg].
    nlon : int
        Number of columns.
    mlat, mlon, weight : (m,) float64
        Metro coordinates [deg] and weights.
    cos_thresh : (k,) float64
        Cosines of the angular radii, one per threshold.
    wrap : bool
        True when the columns span the whole globe (intervals wrap around).

    Returns
    -------
    (k, nrow, nlon) float64
    """
    nrow = lat.size
    k = cos_thresh.size
    m = mlat.size
    out = np.zeros((k, nrow, nlon))
    # Metros by latitude: a row reaches only those within the radius in latitude (the
    # angular distance is at least the latitude gap), found by bisection.
    # Sorted copies, read in order by every row.
    by_lat = np.argsort(mlat, kind="mergesort")
    lat_sorted = np.empty(m)
    sm = np.empty(m)
    cm = np.empty(m)
    lon_s = np.empty(m)
    w_s = np.empty(m)
    for q in range(m):
        j = by_lat[q]
        lat_sorted[q] = mlat[j]
        sm[q] = math.sin(math.radians(mlat[j]))
        cm[q] = math.cos(math.radians(mlat[j]))
        lon_s[q] = mlon[j]
        w_s[q] = weight[j]
    band = np.empty(k)  # angular radius [deg], widened by 1e-6 deg against rounding
    for t in range(k):
        band[t] = math.degrees(math.acos(min(1.0, max(-1.0, cos_thresh[t])))) + 1e-6
    for r in prange(nrow):
        sp = math.sin(math.radians(lat[r]))
        cp = math.cos(math.radians(lat[r]))
        diff = np.zeros(nlon + 1)
        for t in range(k):
            diff[:] = 0.0
            ct = cos_thresh[t]
            first = np.searchsorted(lat_sorted, lat[r] - band[t])
            last = np.searchsorted(lat_sorted, lat[r] + band[t], side="right")
            for q in range(first, last):
                num = ct - sp * sm[q]
                den = cp * cm[q]
                if den <= 1e-15:
                    # Cell row or metro at a pole: distance does not depend on longitude.
                    if sp * sm[q] >= ct:
                        diff[0] += w_s[q]
                        diff[nlon] -= w_s[q]
                    continue
                c = num / den
                if c > 1.0:
                    continue
                if c <= -1.0:
                    diff[0] += w_s[q]
                    diff[nlon] -= w_s[q]
                    continue
                half = math.degrees(math.acos(c))
                _add_interval(diff, w_s[q], lon_s[q] - half, lon_s[q] + half, lon0, dlon, wrap)
            acc = 0.0
            for c_ in range(nlon):
                acc += diff[c_]
                out[t, r, c_] = acc
    return out


@njit(cache=True)
def _unit(lat, lon):
    p = math.radians(lat)
    q = math.radians(lon)
    return math.cos(p) * math.cos(q), math.cos(p) * math.sin(q), math.sin(p)


@njit(cache=True, parallel=True)
def min_angle(lat, lon, mlat_sorted, mlon_sorted):
    """Angular distance [rad] from each cell to the nearest metro.

    ``mlat_sorted``/``mlon_sorted`` must be sorted by latitude.
    """
    nrow = lat.size
    ncol = lon.size
    m = mlat_sorted.size
    out = np.empty((nrow, ncol))
    mx = np.empty(m)
    my = np.empty(m)
    mz = np.empty(m)
    for j in range(m):
        mx[j], my[j], mz[j] = _unit(mlat_sorted[j], mlon_sorted[j])
    for r in prange(nrow):
        start = np.searchsorted(mlat_sorted, lat[r])
        prev = -1
        for c in range(ncol):
            x, y, z = _unit(lat[r], lon[c])
            best = -2.0  # best cosine
            best_angle = math.pi
            if prev >= 0:
                # Warm start: the neighbouring cell's nearest metro is usually close, which
                # narrows the latitude band searched below.
                best = x * mx[prev] + y * my[prev] + z * mz[prev]
                best_angle = math.acos(min(1.0, max(-1.0, best)))
            # Walk outwards in latitude; stop when the latitude gap exceeds the best angle.
            up = start
            down = start - 1
            while up < m or down >= 0:
                if up < m:
                    gap = math.radians(mlat_sorted[up] - lat[r])
                    if gap > best_angle:
                        up = m
                    else:
                        d = x * mx[up] + y * my[up] + z * mz[up]
                        if d > best:
                            best = d
                            best_angle = math.acos(min(1.0, max(-1.0, d)))
                            prev = up
                        up += 1
                if down >= 0:
                    gap = math.radians(lat[r] - mlat_sorted[down])
                    if gap > best_angle:
                        down = -1
                    else:
                        d = x * mx[down] + y * my[down] + z * mz[down]
                        if d > best:
                            best = d
                            best_angle = math.acos(min(1.0, max(-1.0, d)))
                            prev = down
                        down -= 1
            out[r, c] = best_angle
    return out


@njit(cache=True, parallel=True)
def angles_to(lat, lon, mlat, mlon):
    """Angular distance [rad] of every cell to each metro: (m, nrow, ncol)."""
    m = mlat.size
    out = np.empty((m, lat.size, lon.size))
    for j in prange(m):
        mx, my, mz = _unit(mlat[j], mlon[j])
        for r in range(lat.size):
            for c in range(lon.size):
                x, y, z = _unit(lat[r], lon[c])
                d = x * mx + y * my + z * mz
                out[j, r, c] = math.acos(min(1.0, max(-1.0, d)))
    return out


BAND_DEG = 2.0


def build_bands(mlat, mlon):
    """Bucket metros into latitude bands of ``BAND_DEG``, sorted by longitude within each.

    Returns ``(order, offsets)``: metro indices band by band and the CSR offsets of the
    ``180 / BAND_DEG`` bands (plus one).
    """
    nb = round(180.0 / BAND_DEG)
    band = np.clip(((np.asarray(mlat) + 90.0) // BAND_DEG).astype(np.int64), 0, nb - 1)
    order = np.lexsort((np.asarray(mlon), band))
    counts = np.bincount(band, minlength=nb)
    offsets = np.zeros(nb + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    return order.astype(np.int64), offsets


@njit(cache=True)
def _scan(x, y, z, lo, hi, lon_sorted, mx, my, mz, best, best_j):
    """Check metros ``lo..hi-1`` of a band (positions in band order)."""
    for k in range(lo, hi):
        d = x * mx[k] + y * my[k] + z * mz[k]
        if d > best:
            best = d
            best_j = k
    return best, best_j


@njit(cache=True, parallel=True)
def weighted_mean_angle(plat, plon, mlat, mlon, weight, cap):
    """Weighted mean of ``min(angle, cap)`` [rad] from each point to the metros (haversine).

    ``plat``/``plon`` are (n,) points; ``cap`` [rad] (``inf``: the plain mean
    angle); memory O(n), time O(n x metros).
    """
    n = plat.size
    m = mlat.size
    out = np.empty(n)
    wsum = 0.0
    for j in range(m):
        wsum += weight[j]
    for i in prange(n):
        p1 = math.radians(plat[i])
        acc = 0.0
        for j in range(m):
            p2 = math.radians(mlat[j])
            dl = math.radians(mlon[j] - plon[i])
            a = (
                math.sin(0.5 * (p2 - p1)) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(0.5 * dl) ** 2
            )
            acc += weight[j] * min(2.0 * math.asin(min(1.0, math.sqrt(a))), cap)
        out[i] = acc / wsum if wsum > 0 else math.nan
    return out


@njit(cache=True)
def _seed(phi, lam, blat, blon, offsets, mx, my, mz):
    """Index (band order) of the nearest metro to one point: bands outward, exact."""
    nb = offsets.size - 1
    x, y, z = _unit(phi, lam)
    home = min(max(int((phi + 90.0) // BAND_DEG), 0), nb - 1)
    best = -2.0
    best_j = -1
    for step in range(nb):
        beta = math.acos(min(1.0, max(-1.0, best))) if best_j >= 0 else math.pi
        reached = False
        for side in range(2):
            if step == 0 and side == 1:
                continue
            b = home - step if side == 0 else home + step
            if b < 0 or b >= nb:
                continue
            edge_lo = -90.0 + b * BAND_DEG
            gap = max(0.0, edge_lo - phi, phi - edge_lo - BAND_DEG)
            if math.radians(gap) > beta:
                continue
            reached = True
            best, best_j = _scan(
                x, y, z, offsets[b], offsets[b + 1], blon, mx, my, mz, best, best_j
            )
        if not reached and step > 0:
            break
    return best_j


@njit(cache=True, fastmath={"contract", "arcp", "nsz"})
def _tile_update(best, cl, sl, a, b, d):
    """best[c] = max(best[c], a cos(lon_c) + b sin(lon_c) + d): one metro against a tile."""
    for c in range(best.size):
        v = a * cl[c] + b * sl[c] + d
        if v > best[c]:
            best[c] = v


@njit(cache=True, parallel=True)
def min_angle_tiled(lat, lon, blat, blon, offsets, tile):
    """Angular distance [rad] to the nearest metro, a tile of cells of a row at a time.

    Each tile of ``tile`` consecutive cells of a row is seeded with the metro
    nearest to its middle cell; the tile's worst distance ``W`` then bounds the
    search: only the metros of latitude bands within ``W`` and inside the
    longitude window ``[lon_a - w, lon_b + w]``, ``w = asin(sin W / cos lat)``,
    can be nearer to any cell of the tile, and each of them updates every cell
    of the tile in one vectorisable pass (exact: no metro nearer than a cell's
    best can lie outside the window).

    ``blat``/``blon`` are the metros in band order (:func:`build_bands`).
    """
    nb = offsets.size - 1
    m = blat.size
    mx = np.empty(m)
    my = np.empty(m)
    mz = np.empty(m)
    for j in range(m):
        mx[j], my[j], mz[j] = _unit(blat[j], blon[j])
    ncol = lon.size
    cl_all = np.cos(np.radians(lon))
    sl_all = np.sin(np.radians(lon))
    out = np.empty((lat.size, ncol))
    ntile = (ncol + tile - 1) // tile
    for r in prange(lat.size):
        phi = lat[r]
        cphi = math.cos(math.radians(phi))
        sphi = math.sin(math.radians(phi))
        best = np.empty(tile)
        for t in range(ntile):
            c0 = t * tile
            c1 = min(ncol, c0 + tile)
            n = c1 - c0
            cl = cl_all[c0:c1]
            sl = sl_all[c0:c1]
            j0 = _seed(phi, lon[(c0 + c1 - 1) // 2], blat, blon, offsets, mx, my, mz)
            bt = best[:n]
            for c in range(n):
                bt[c] = -2.0
            _tile_update(bt, cl, sl, cphi * mx[j0], cphi * my[j0], sphi * mz[j0])
            worst = 2.0
            for c in range(n):
                worst = min(worst, bt[c])
            big_w = math.acos(min(1.0, max(-1.0, worst)))
            whole = abs(phi) + math.degrees(big_w) >= 89.9 or cphi <= 1e-9
            w = 180.0 if whole else math.degrees(math.asin(min(1.0, math.sin(big_w) / cphi)))
            lo_lon = lon[c0] - w
            hi_lon = lon[c1 - 1] + w
            for b in range(nb):
                edge_lo = -90.0 + b * BAND_DEG
                gap = max(0.0, edge_lo - phi, phi - edge_lo - BAND_DEG)
                if math.radians(gap) > big_w:
                    continue
                lo = offsets[b]
                hi = offsets[b + 1]
                if lo == hi:
                    continue
                seg = blon[lo:hi]
                for shift in (-360.0, 0.0, 360.0):
                    if whole and shift != 0.0:
                        continue
                    aa = -1e9 if whole else lo_lon + shift
                    ee = 1e9 if whole else hi_lon + shift
                    if ee < -180.0 or aa > 180.0:
                        continue
                    i0 = lo + np.searchsorted(seg, aa)
                    i1 = lo + np.searchsorted(seg, ee, side="right")
                    for k in range(i0, i1):
                        _tile_update(bt, cl, sl, cphi * mx[k], cphi * my[k], sphi * mz[k])
            for c in range(n):
                out[r, c0 + c] = math.acos(min(1.0, max(-1.0, bt[c])))
    return out


@njit(parallel=True, cache=True)
def rtt_of_km(d, k, fixed, floor, ramp, v):
    """Round trip [ms] of each distance [km] (``models.latency.rtt_from_km``).

    ``d`` is 1-D; ``k`` (route factor) and ``fixed`` (long-route fixed part [ms])
    are 1-D of the same length or of length 1 (one value for all); ``floor`` is
    the zero-distance round trip [ms] and ``ramp`` [km] (<= 0: no ramp).
    """
    out = np.empty(d.size)
    one_k = k.size == 1
    one_f = fixed.size == 1
    for i in prange(d.size):
        ki = k[0] if one_k else k[i]
        fi = fixed[0] if one_f else fixed[i]
        x = fi + 2.0 * d[i] * ki / v
        if ramp > 0.0:
            t = 1.0 - d[i] / ramp
            x = x - (fi - floor) * (t if t > 0.0 else 0.0)
        out[i] = x
    return out
