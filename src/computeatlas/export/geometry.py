"""Polygons for the vector exports: grid cells and service circles, antimeridian- and pole-safe.

Geometries are in WGS84 longitude/latitude degrees (EPSG:4326) with longitudes
in [-180, 180]: a shape crossing the antimeridian is split there into a
``MultiPolygon`` (GeoJSON, RFC 7946 section 3.1.9), and a circle around a pole
is closed along the pole's latitude so that it covers the pole.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from computeatlas.constants import EARTH_RADIUS_KM
from computeatlas.errors import InputError

__all__ = ["cell_polygons", "service_circle"]

#: The lon/lat plane a geometry must end up in.
_WORLD = box(-180.0, -90.0, 180.0, 90.0)


def _wrap(shape: BaseGeometry) -> BaseGeometry:
    """Cut a shape drawn on unwrapped longitudes into [-180, 180] (a MultiPolygon if split)."""
    parts = []
    for k in (-2, -1, 0, 1, 2):
        window = box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0)
        piece = shape.intersection(window)
        if not piece.is_empty and piece.area > 0:
            parts.append(shapely.affinity.translate(piece, xoff=-360.0 * k))
    merged = shapely.union_all(parts) if parts else Polygon()
    polys = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon)]
    if len(polys) == 1:
        return polys[0]
    return MultiPolygon(polys)


def cell_polygons(lat: Any, lon: Any, resolution_deg: float) -> np.ndarray:
    """Bounds of grid cells as polygons.

    Parameters
    ----------
    lat, lon : array_like
        Cell centres [deg], equal length (one entry per cell).
    resolution_deg : float
        Cell size [deg]; a cell spans ``centre +- resolution_deg / 2``.

    Returns
    -------
    numpy.ndarray of shapely geometries
        One rectangle per cell; latitudes clipped to +-90 (the polar rows of a
        global grid are half cells); a cell crossing the antimeridian (centre
        at -180 on the global grid) is a ``MultiPolygon`` of its two halves.

    Raises
    ------
    InputError
        ``resolution_deg`` is not a positive number, or the lengths differ.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    res = float(resolution_deg)
    if not (np.isfinite(res) and res > 0):
        raise InputError(f"resolution_deg must be a positive number [deg]; got {resolution_deg!r}")
    if lat.shape != lon.shape or lat.ndim != 1:
        raise InputError(
            f"lat and lon must be 1-D and of equal length; got {lat.shape}, {lon.shape}"
        )
    half = res / 2.0
    south = np.clip(lat - half, -90.0, 90.0)
    north = np.clip(lat + half, -90.0, 90.0)
    west, east = lon - half, lon + half
    cells = shapely.box(west, south, east, north)
    for i in np.flatnonzero((west < -180.0) | (east > 180.0)):
        cells[i] = _wrap(cells[i])
    return cells


def _destination(
    lat: float, lon: float, angle: float, bearings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points at central ``angle`` [rad] from (lat, lon) [deg] along ``bearings`` [rad].

    Spherical destination formula (e.g. Snyder 1987, Map Projections -- A Working
    Manual, USGS PP 1395, eq. 5-5 and 5-6): the same sphere of radius
    :data:`~computeatlas.constants.EARTH_RADIUS_KM` as the latency model.
    Longitudes are unwrapped (continuous along the ring) [deg].
    """
    p1, l1 = np.radians(lat), np.radians(lon)
    sin_p2 = np.sin(p1) * np.cos(angle) + np.cos(p1) * np.sin(angle) * np.cos(bearings)
    p2 = np.arcsin(np.clip(sin_p2, -1.0, 1.0))
    dl = np.arctan2(
        np.sin(bearings) * np.sin(angle) * np.cos(p1), np.cos(angle) - np.sin(p1) * sin_p2
    )
    return np.degrees(p2), np.degrees(np.unwrap(l1 + dl))


def _cap(lat: float, lon: float, angle: float, n: int) -> BaseGeometry:
    """Return the spherical cap as a polygon on unwrapped longitudes (at most one pole inside)."""
    # Half-step offset: no vertex lands exactly on a pole the circle passes through.
    bearings = (np.arange(n + 1) % n + 0.5) * (2.0 * np.pi / n)
    plat, plon = _destination(lat, lon, angle, bearings)
    plon[-1] = plon[0] + round((plon[-1] - plon[0]) / 360.0) * 360.0
    turn = plon[-1] - plon[0]
    if abs(turn) < 180.0:  # the ring closes: no pole inside
        return shapely.make_valid(Polygon(np.column_stack([plon, plat])))
    pole = 90.0 if lat > 0 else -90.0
    ring = np.column_stack([plon, plat])
    ring = np.vstack([ring, [[plon[-1], pole], [plon[0], pole]]])
    return shapely.make_valid(Polygon(ring))


def service_circle(lat: float, lon: float, radius_km: float, *, n: int = 360) -> BaseGeometry:
    """Return the great-circle disc of ``radius_km`` around a point as lon/lat polygon(s).

    Parameters
    ----------
    lat, lon : float
        Centre [deg].
    radius_km : float
        Great-circle radius [km] on the sphere of radius 6371.0088 km (the
        latency model's); >= 0.
    n : int, default 360
        Vertices on the circle.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        Longitudes in [-180, 180]: split at the antimeridian into a
        ``MultiPolygon``; closed along latitude +-90 when the disc contains a
        pole; the whole world less the antipodal disc when it contains both;
        empty for a zero radius.

    Raises
    ------
    InputError
        A coordinate or the radius is not finite, the latitude is outside
        -90..90, or the radius is negative.
    """
    values = np.array([lat, lon, radius_km], dtype=float)
    if not np.isfinite(values).all() or not -90.0 <= lat <= 90.0 or radius_km < 0:
        raise InputError(
            f"service_circle needs a finite lat in -90..90, lon and radius_km >= 0; "
            f"got ({lat!r}, {lon!r}, {radius_km!r})"
        )
    angle = float(radius_km) / EARTH_RADIUS_KM
    if angle <= 0.0:
        return Polygon()
    if angle >= np.pi:
        return _WORLD
    if abs(lat) == 90.0:  # centred on a pole: a band of latitude (no bearing is defined)
        edge = np.sign(lat) * (90.0 - np.degrees(min(angle, np.pi)))
        return box(-180.0, min(edge, lat), 180.0, max(edge, lat))
    to_north, to_south = np.radians(90.0 - lat), np.radians(90.0 + lat)
    if angle > to_north and angle > to_south:  # both poles: the world minus the antipodal cap
        antipode = lon + 180.0 if lon <= 0 else lon - 180.0
        hole = service_circle(-lat, antipode, (np.pi - angle) * EARTH_RADIUS_KM, n=n)
        return _wrap(_WORLD.difference(hole))
    return _wrap(_cap(lat, lon, angle, n))
