"""Which region each sample lies in, and the ONE resolver of prices and carbon intensity.

Rules (the same for grid cells and for points, so ``rank_sites`` and
``site_report`` agree at cell centres):

1. **Containment.** A sample belongs to the region that contains it: a grid
   cell by its centre (GDAL's rasterisation rule, ``all_touched=False``), a
   point by itself. Where polygons overlap, the later row of the layer wins
   (as in rasterisation).
2. **Coastal gaps.** A land sample (land at its nearest 0.25 deg cell of the
   shipped elevation layer) that no polygon contains takes the nearest polygon
   whose boundary is within :data:`GAP_KM` of ground distance (the simplified
   polygons miss coastal cells and harbours); otherwise it has no region.
3. **Clash.** The admin-0 (Natural Earth) and admin-1 (geoBoundaries) layers
   disagree along some borders: a sample in a country keeps its province only
   when the province belongs to that country.
4. **Price.** The province's price row (:func:`computeatlas.datasets.resolve_prices`,
   with its own documented chain admin-1 -> bidding zone -> country -> medians),
   else the country's; a sample with no country has no price and is not ranked.
   Samples on permanent ice (the Greenland ice sheet, Natural Earth 1:110m
   glaciated areas; Antarctica through its country ``AQ``) have no price.
5. **Carbon.** The province's intensity (:func:`computeatlas.datasets.resolve_carbon`),
   else the country's row; NaN where neither exists.

A user's region layer (:func:`user_layer`, e.g. grid-operator zones) follows
rule 1 only: a cell whose centre no polygon contains has no region.

Grid labels are rasterised once per grid resolution and region layer, kept in
memory and on disk (``$COMPUTEATLAS_DATA_DIR`` or the platform cache) keyed by
the SHA-256 of the shipped region file (of the geometries for a user layer), so
every later join is an array lookup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.constants import EARTH_RADIUS_KM
from computeatlas.errors import InputError
from computeatlas.grid import GridSpec, Window
from computeatlas.models.aggregate import group_stats

__all__ = [
    "GAP_KM",
    "Resolved",
    "group_stats",
    "labels",
    "layer",
    "point_labels",
    "resolve",
    "user_layer",
]

_FILES = {"admin0": "countries.parquet", "admin1": "admin1.parquet"}
#: Largest ground distance [km] from a land sample to a polygon that may claim it (rule 2).
GAP_KM = 25.0
#: Largest global label raster kept in memory and on disk (0.05 deg: 26 M cells, 104 MB);
#: finer grids rasterise only the window's block.
GLOBAL_LABEL_MAX_CELLS = 26_000_000
#: Bumped when the labelling rule changes, so old disk caches are not reused.
_RULE_VERSION = "v2"
#: ``priced_by`` codes of :class:`Resolved`.
PRICED_BY = ("none", "admin1", "admin0")


def layer(level: str) -> Any:
    """Return the region layer for ``level`` (``admin0`` or ``admin1``) as a GeoDataFrame."""
    from computeatlas import datasets

    if level == "admin0":
        return datasets.countries()
    if level == "admin1":
        return datasets.admin1()
    if level in _USER_LAYERS:
        return _USER_LAYERS[level]
    raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")


def _check_level(level: str) -> None:
    if level not in _FILES and level not in _USER_LAYERS:
        raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")


#: Region layers of users, keyed ``user_<sha256 of their geometries>`` (see :func:`user_layer`).
_USER_LAYERS: dict[str, Any] = {}


def user_layer(regions: Any, *, name: str | None = None) -> str:
    """Check a user's region layer and register it for :func:`labels`; return its key.

    Parameters
    ----------
    regions : geopandas.GeoDataFrame
        Polygons in any CRS (reprojected to EPSG:4326, polygons crossing 180 deg
        split; :func:`computeatlas.datasets.read_regions` output plugs in as is).
    name : str, optional
        Column of region names; default the ``name`` column.

    Returns
    -------
    str
        The layer's key, ``user_`` plus 16 hex digits of the SHA-256 of its
        geometries (WKB, in row order): the same layer gets the same cached labels.

    Raises
    ------
    InputError
        If ``regions`` is not a GeoDataFrame, is empty, has no CRS, has invalid,
        empty or non-polygon geometries, or its names are missing, blank or repeated.
    """
    import geopandas as gpd
    import shapely

    from computeatlas.datasets import read_regions

    if not isinstance(regions, gpd.GeoDataFrame):
        raise InputError(
            "level must be 'admin0', 'admin1' or a geopandas.GeoDataFrame of region "
            f"polygons, got {type(regions).__name__}"
        )
    geoms = regions.geometry
    bad = ~geoms.isna() & ~geoms.is_empty & ~geoms.is_valid
    if bad.any():
        rows = ", ".join(map(str, regions.index[bad][:5]))
        raise InputError(
            f"level: {int(bad.sum())} region geometries are invalid (rows {rows}); repair "
            "them with computeatlas.datasets.read_regions(...) or shapely.make_valid"
        )
    try:
        gdf = read_regions(regions)
    except InputError as err:  # name the parameter the user passed
        raise type(err)(f"level: {err}") from err
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf["name"] = _region_names(gdf, name)
    wkb = shapely.to_wkb(gdf.geometry.values)
    digest = hashlib.sha256(b"".join(wkb)).hexdigest()[:16]
    key = f"user_{digest}"
    _USER_LAYERS[key] = gdf.reset_index(drop=True)
    return key


def _region_names(gdf: Any, name: str | None) -> np.ndarray:
    """Return the region names of a user layer, checked: present, not blank, unique."""
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    if name is None and "name" not in gdf.columns:
        raise InputError(
            f"name: the region layer has no 'name' column; pass name= one of {columns}"
        )
    col = "name" if name is None else name
    if col not in gdf.columns or col == gdf.geometry.name:
        raise InputError(f"name {col!r} is not a column of the region layer; use one of {columns}")
    values = gdf[col]
    blank = values.isna() | (values.astype(str).str.strip() == "")
    if blank.any():
        raise InputError(
            f"name: column {col!r} is missing or blank in {int(blank.sum())} rows; "
            "give every region a name"
        )
    names = values.astype(str)
    repeated = names[names.duplicated()].unique()
    if repeated.size:
        raise InputError(
            f"name: column {col!r} is ambiguous, these names repeat: {list(repeated[:5])}; "
            f"merge their rows (gdf.dissolve(by={col!r})) or name them apart"
        )
    return names.to_numpy(object)


def _cache_file(level: str, resolution: float) -> Path | None:
    from computeatlas.datasets import data_path, manifest

    try:
        from computeatlas.datasets.fetch import cache_dir

        folder = cache_dir() / "labels"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if level in _USER_LAYERS:
        return folder / f"{level}_{resolution:g}_{_RULE_VERSION}.npy"
    name = _FILES[level]
    digest = ""
    for lay in manifest()["layers"].values():
        if name in lay["files"]:
            digest = lay["files"][name]["sha256"][:16]
    if not digest:
        digest = hashlib.sha256(data_path(name).read_bytes()).hexdigest()[:16]
    return folder / f"{level}_{resolution:g}_{digest}_{_RULE_VERSION}.npy"


@cache
def _n_regions(level: str) -> int:
    """Rows of a region layer, from the Parquet metadata (no geometry decoded)."""
    import pyarrow.parquet as pq

    from computeatlas.datasets import data_path

    if level in _USER_LAYERS:
        return len(_USER_LAYERS[level])
    return int(pq.read_metadata(data_path(_FILES[level])).num_rows)


@cache
def _land_mask() -> np.ndarray:
    """Land (land fraction > 0) on the default grid of the shipped layers."""
    from computeatlas import datasets

    lf = datasets.elevation()["land_fraction"].values
    return np.nan_to_num(lf, nan=0.0) > 0


def _load_cached(path: Path | None, shape: tuple[int, int]) -> np.ndarray | None:
    if path is None or not path.exists():
        return None
    try:
        out = np.load(path)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    if out.shape != shape or out.dtype != np.int32 or (out.size and out.min() < -1):
        path.unlink(missing_ok=True)
        return None
    return out


@lru_cache(maxsize=8)
def _global_labels(level: str, resolution: float) -> np.ndarray:
    grid = GridSpec(resolution)
    path = _cache_file(level, resolution)
    cached = _load_cached(path, (grid.nlat, grid.nlon))
    if cached is not None and cached.max() < _n_regions(level):
        return cached
    out = _rasterize_block(level, grid, slice(0, grid.nlat), slice(0, grid.nlon))
    if path is not None:
        _save(path, out)
    return out


def _rasterize_block(level: str, grid: GridSpec, rows: slice, cols: slice) -> np.ndarray:
    """Labels of a block of a global grid (rules 1 and 2), aligned to the global cells."""
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    res = float(grid.resolution)
    lat = grid.lat[rows]
    lon = grid.lon[cols]
    gdf = layer(level)
    transform = from_origin(lon[0] - res / 2, lat[-1] + res / 2, res, res)
    shapes = ((geom, i) for i, geom in enumerate(gdf.geometry.values) if geom is not None)
    north_up = rasterize(
        shapes,
        out_shape=(lat.size, lon.size),
        transform=transform,
        fill=-1,
        dtype="int32",
        all_touched=False,
    )
    out = np.ascontiguousarray(north_up[::-1, :])  # ascending latitude
    if level in _USER_LAYERS:  # a user's layer: containment only (rule 1)
        _claim_antimeridian(out, gdf.geometry.values, lat, lon)
        return out
    block = Window(grid, lat, lon, np.arange(grid.nlat)[rows], np.arange(grid.nlon)[cols], True)
    land = block.take(_land_mask())
    mlat, mlon = block.mesh()
    gap = (out < 0) & land
    out[gap] = _nearest_within(level, mlat[gap], mlon[gap])
    return out


def _claim_antimeridian(
    out: np.ndarray, geoms: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> None:
    """Label the cells centred on 180 deg that a polygon holds on both sides of it.

    A polygon crossing the antimeridian is stored as parts either side of it, so
    the centre of the -180 deg column lies on two part edges and rasterisation
    claims it for neither; it goes to the (last) polygon touching both x = -180
    and x = 180 at that latitude.
    """
    import shapely

    col = np.flatnonzero(np.isclose(lon, -180.0))
    if not col.size:
        return
    rows = np.flatnonzero(out[:, col[0]] < 0)
    if not rows.size:
        return
    tree = shapely.STRtree(geoms)
    pairs = []
    for x in (-180.0, 180.0):
        src, idx = tree.query(
            shapely.points(np.full(rows.size, x), lat[rows]), predicate="intersects"
        )
        pairs.append(src.astype(np.int64) * len(geoms) + idx)
    both = np.intersect1d(pairs[0], pairs[1])
    column = out[:, col[0]]
    np.maximum.at(column, rows[both // len(geoms)], (both % len(geoms)).astype(np.int32))
    out[:, col[0]] = column


def _save(path: Path, values: np.ndarray) -> None:
    """Write a label cache atomically; a cache that cannot be written is skipped."""
    from contextlib import suppress

    from computeatlas._io import atomic_write

    # A cache that cannot be written is skipped: the labels are still returned and the
    # next process recomputes them.
    with suppress(OSError), atomic_write(path) as (tmp,):
        np.save(tmp, values)


@cache
def _boundary_segments(level: str) -> tuple[Any, np.ndarray, np.ndarray]:
    """STRtree of the layer's boundary segments, their owning polygon, and the segments."""
    import shapely

    geoms = np.asarray(layer(level).geometry.values)
    lines, owner = shapely.get_parts(shapely.boundary(geoms), return_index=True)
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    same = line_of[1:] == line_of[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    return shapely.STRtree(segments), owner[line_of[:-1][same]].astype(np.int32), segments


def _nearest_within(level: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Index of the nearest polygon within :data:`GAP_KM` of each point, else -1 (rule 2).

    The candidate is the polygon owning the nearest boundary segment in lon/lat
    degrees, searched within a per-latitude-band radius that bounds ``GAP_KM``
    of ground distance; it is accepted when the great-circle distance to the
    nearest point of that segment is at most ``GAP_KM``.
    """
    import shapely

    from computeatlas.models.latency import great_circle_km

    out = np.full(lat.size, -1, dtype=np.int32)
    if lat.size == 0:
        return out
    tree, owner, segments = _boundary_segments(level)
    edges = np.array([0.0, 30.0, 45.0, 60.0, 70.0, 80.0, 85.0, 90.0])
    band = np.clip(np.searchsorted(edges, np.abs(lat), side="right") - 1, 0, edges.size - 2)
    km_per_deg = np.pi * EARTH_RADIUS_KM / 180.0
    for b in np.unique(band):
        sel = np.flatnonzero(band == b)
        cos_top = np.cos(np.deg2rad(min(edges[b + 1] + 0.5, 89.5)))
        max_deg = GAP_KM / km_per_deg * np.sqrt(1.0 + 1.0 / cos_top**2)
        pts = shapely.points(lon[sel], lat[sel])
        src, idx = tree.query_nearest(pts, max_distance=max_deg, all_matches=False)
        if src.size == 0:
            continue
        line = shapely.shortest_line(pts[src], segments[idx])
        xy = shapely.get_coordinates(line).reshape(-1, 2, 2)
        d = great_circle_km(xy[:, 0, 1], xy[:, 0, 0], xy[:, 1, 1], xy[:, 1, 0])
        ok = d <= GAP_KM
        out[sel[src[ok]]] = owner[idx[ok]]
    return out


def labels(grid: GridSpec, level: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Region index (row of :func:`layer`) of each grid cell; -1 outside every region.

    Parameters
    ----------
    grid : GridSpec
        The global grid the rows and columns index.
    level : str
        Region layer: ``admin0``, ``admin1`` or a key from :func:`user_layer`.
    rows, cols : numpy.ndarray
        Row and column indices of the cells wanted.

    Returns
    -------
    numpy.ndarray of int32
        Shape ``(rows.size, cols.size)``.
    """
    _check_level(level)
    if grid.nlat * grid.nlon <= GLOBAL_LABEL_MAX_CELLS:
        full = _global_labels(level, float(grid.resolution))
        return full[np.ix_(rows, cols)]
    # Finer grids: only the window's block is rasterised (no global raster, no disk cache).
    r0, r1 = int(np.min(rows)), int(np.max(rows)) + 1
    c0, c1 = int(np.min(cols)), int(np.max(cols)) + 1
    block = _rasterize_block(level, grid, slice(r0, r1), slice(c0, c1))
    return block[np.ix_(np.asarray(rows) - r0, np.asarray(cols) - c0)]


def label_bytes(window: Window) -> float:
    """Memory [bytes] the region labels of a grid window take while they are made.

    The global raster of a grid up to :data:`GLOBAL_LABEL_MAX_CELLS` cells (unless
    already in memory), else the window's block; about three int32 copies of it
    (rasterised, flipped, indexed) for each of the two layers.
    """
    grid = window.grid
    if grid.nlat * grid.nlon <= GLOBAL_LABEL_MAX_CELLS:
        cached = _global_labels.cache_info().currsize
        cells = 0 if cached else grid.nlat * grid.nlon
    else:
        rows = int(np.ptp(window.rows)) + 1
        cells = rows * (int(np.ptp(window.cols)) + 1)
    return 2 * 3 * 4.0 * cells


def point_labels(level: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Region index of each point (rules 1 and 2 of the module notes); -1 for none.

    Parameters
    ----------
    level : {"admin0", "admin1"}
        Region layer.
    lat, lon : numpy.ndarray
        Point coordinates [deg].

    Returns
    -------
    numpy.ndarray of int32
    """
    import shapely

    _check_level(level)
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    gdf = layer(level)
    pts = shapely.points(lon, lat)
    src, idx = gdf.sindex.query(pts, predicate="intersects")
    out = np.full(lat.size, -1, dtype=np.int32)
    np.maximum.at(out, src, idx.astype(np.int32))  # the later row wins, as in rasterisation
    window = Window.at_points(lat, lon)
    gap = (out < 0) & window.take(_land_mask())
    out[gap] = _nearest_within(level, lat[gap], lon[gap])
    return out


def window_labels(window: Window, level: str) -> np.ndarray:
    """Region index of every sample of a window (grid cells or points)."""
    if window.is_grid:
        return labels(window.grid, level, window.rows, window.cols)
    return point_labels(level, window.lat, window.lon)


@dataclass(frozen=True, eq=False)
class Resolved:
    """Regions, price and carbon intensity of every sample, with their provenance.

    Attributes
    ----------
    admin0, admin1 : numpy.ndarray of int
        Row of the country and province layers (-1 for none), after the clash rule.
    price_usd_per_mwh : numpy.ndarray
        Electricity price [USD/MWh]; NaN where no region holds the sample.
    priced_by : numpy.ndarray of int8
        Index into :data:`PRICED_BY`: 0 none, 1 the province row, 2 the country row.
    carbon_kg_per_mwh : numpy.ndarray
        Grid carbon intensity [kgCO2/MWh]; NaN where unknown.
    admin1_prices, admin0_prices : pandas.DataFrame
        The resolved price tables the indices point into (``price_source``,
        ``price_region_code`` per row).
    ice : numpy.ndarray of bool
        Permanent ice (:func:`computeatlas.datasets.permanent_ice`): no price.
    """

    admin0: np.ndarray
    admin1: np.ndarray
    price_usd_per_mwh: np.ndarray
    priced_by: np.ndarray
    carbon_kg_per_mwh: np.ndarray
    admin1_prices: pd.DataFrame
    admin0_prices: pd.DataFrame
    ice: np.ndarray

    def columns(self, index: Any = ...) -> dict[str, np.ndarray]:
        """Region names and codes and price provenance of the samples at ``index``.

        Parameters
        ----------
        index : index expression, optional
            Which samples (e.g. ``(rows, cols)``); all by default.

        Returns
        -------
        dict of numpy.ndarray
            ``country``, ``iso_a2``, ``admin1``, ``admin1_iso``; ``priced_by``
            (``admin1``, ``zone``, ``country``, ``fallback`` or ``none``),
            ``price_source`` (the rule of :func:`computeatlas.datasets.resolve_prices`),
            ``price_region_code`` (the row used) and that row's ``price_year``
            (NaN for a fallback median), ``price_basis``, ``price_flags`` and
            ``price_citation``.
        """
        lab0 = np.atleast_1d(self.admin0[index])
        lab1 = np.atleast_1d(self.admin1[index])
        by = np.atleast_1d(self.priced_by[index])

        def pick(table: pd.DataFrame, col: str, lab: np.ndarray, fill: Any = "") -> np.ndarray:
            values = table[col].to_numpy(object if fill == "" else float)
            if fill == "":
                values = np.where(pd.isna(values), "", values).astype(object)
            return np.where(lab >= 0, values[np.maximum(lab, 0)], fill)

        def price(col: str, fill: Any = "") -> np.ndarray:
            # unpriced samples say why through their country's rule (e.g. none:permanent_ice)
            return np.where(
                by == 1,
                pick(self.admin1_prices, col, lab1, fill),
                pick(self.admin0_prices, col, lab0, fill),
            )

        ice = np.atleast_1d(self.ice[index])
        src = np.where(ice, "none:permanent_ice", price("price_source").astype(str))

        def meta(col: str, fill: Any = "") -> np.ndarray:
            return np.where(ice, fill, price(col, fill))

        return {
            "country": pick(self.admin0_prices, "name", lab0),
            "iso_a2": pick(self.admin0_prices, "iso_a2", lab0),
            "admin1": pick(self.admin1_prices, "name", lab1),
            "admin1_iso": pick(self.admin1_prices, "iso_3166_2", lab1),
            "priced_by": _priced_by(src),
            "price_source": src.astype(object),
            "price_region_code": meta("price_region_code"),
            "price_year": meta("price_year", np.nan).astype(float),
            "price_basis": meta("price_basis"),
            "price_flags": meta("price_flags"),
            "price_citation": meta("price_citation"),
        }


#: ``priced_by`` of an output row from the rule that priced it.
_RULE_CLASS = {"admin1": "admin1", "bidding_zone": "zone", "country": "country"}


def _priced_by(rule: np.ndarray) -> np.ndarray:
    out = np.full(rule.shape, "none", dtype=object)
    for key, name in _RULE_CLASS.items():
        out[rule == key] = name
    out[np.char.startswith(rule.astype(str), "fallback:")] = "fallback"
    return out


def _lookup(label: np.ndarray, table: np.ndarray) -> np.ndarray:
    out = np.full(label.shape, np.nan)
    ok = label >= 0
    out[ok] = table[label[ok]]
    return out


@cache
def _country_carbon() -> np.ndarray:
    from computeatlas import datasets

    table = datasets.carbon_intensity()
    rows = table[table["level"] == "country"].set_index("region_code")["kg_co2_per_mwh"]
    iso = datasets.region_attributes("admin0")["iso_a2"].to_numpy(str)
    return np.array([float(rows.get(c, np.nan)) for c in iso])


def resolve(window: Window, prices: pd.DataFrame | None = None) -> Resolved:
    """Apply the module's rules to every sample of a window.

    Parameters
    ----------
    window : Window
        Grid cells or points.
    prices : pandas.DataFrame, optional
        A user price table (see :func:`computeatlas.datasets.resolve_prices`);
        the shipped table when None.

    Returns
    -------
    Resolved
    """
    from computeatlas.datasets.prices import carbon_values, resolve_price_columns

    lab0 = window_labels(window, "admin0")
    lab1 = window_labels(window, "admin1")
    by_admin1 = resolve_price_columns(prices)
    by_admin0 = resolve_price_columns(prices, level="admin0")
    iso1 = by_admin1["iso_a2"].to_numpy(str)
    iso0 = by_admin0["iso_a2"].to_numpy(str)
    clash = (lab1 >= 0) & (lab0 >= 0)
    clash[clash] = iso1[lab1[clash]] != iso0[lab0[clash]]
    lab1 = np.where(clash, -1, lab1).astype(np.int32)
    p1 = _lookup(lab1, by_admin1["price_usd_per_mwh"].to_numpy(float))
    p0 = _lookup(lab0, by_admin0["price_usd_per_mwh"].to_numpy(float))
    ice = _on_ice(window)
    p1, p0 = np.where(ice, np.nan, p1), np.where(ice, np.nan, p0)
    use1 = np.isfinite(p1)
    price = np.where(use1, p1, p0)
    priced_by = np.where(use1, 1, np.where(np.isfinite(p0), 2, 0)).astype(np.int8)
    c1 = _lookup(lab1, carbon_values())
    carbon = np.where(np.isfinite(c1), c1, _lookup(lab0, _country_carbon()))
    return Resolved(lab0, lab1, price, priced_by, carbon, by_admin1, by_admin0, ice)


def _on_ice(window: Window) -> np.ndarray:
    """Flag the samples on permanent ice (Greenland ice sheet), by cell centre or point."""
    import shapely

    from computeatlas import datasets

    if window.is_grid:
        lat, lon = np.meshgrid(window.lat, window.lon, indexing="ij")
    else:
        lat, lon = np.asarray(window.lat), np.asarray(window.lon)
    out = np.zeros(lat.shape, dtype=bool)
    north = lat > 59.0  # every ice polygon lies north of 60 N
    if north.any():
        out[north] = shapely.contains_xy(datasets.permanent_ice(), lon[north], lat[north])
    return out
