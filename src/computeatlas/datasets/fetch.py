"""Fetchers for larger public data that does not ship with computeatlas.

Downloads go through :mod:`pooch` into a cache folder (``$COMPUTEATLAS_DATA_DIR``
or the platform cache, e.g. ``~/.cache/computeatlas``). Files with a published
or previously recorded SHA-256 are checked against it. For static files
whose hash computeatlas could not record at release time (no network when the
registry was written), the first download's hash is stored in
``hashes.json`` in the cache and every later use is verified against it
(trust on first use); the hash is printed so you can pin it in
:data:`REGISTRY`. Nothing here runs at import time or in the default
workflow, which is fully offline.

Every download, and every update of ``hashes.json``, goes through
:func:`computeatlas._io.atomic_write`: the file is written to a temporary
path in the cache folder and renamed into place only once it is complete (and,
for downloads, its hash checked), so an interrupted or failed download leaves
no partial file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from computeatlas._io import atomic_write, check_target
from computeatlas.errors import DataError, InputError

__all__ = [
    "REGISTRY",
    "RemoteFile",
    "cache_dir",
    "fetch",
    "fetch_era5_hourly",
    "fetch_geoboundaries_adm1",
    "fetch_worldclim_tavg",
]


@dataclass(frozen=True)
class RemoteFile:
    """A file computeatlas can download.

    Parameters
    ----------
    url : str
        Download address.
    sha256 : str or None
        Expected SHA-256; None means trust on first use (see module notes).
    description, licence : str
        What it is and under which terms it may be used.
    """

    url: str
    sha256: str | None
    description: str
    licence: str


#: Static files computeatlas knows how to fetch.
REGISTRY: dict[str, RemoteFile] = {
    "wc2.1_10m_tavg.zip": RemoteFile(
        url="https://geodata.ucdavis.edu/climate/worldclim/2_1/base/wc2.1_10m_tavg.zip",
        sha256=None,
        description="WorldClim 2.1 monthly mean temperature 1970-2000, 10 arc-minutes "
        "(Fick & Hijmans 2017, doi:10.1002/joc.5086)",
        licence="CC BY 4.0 (https://www.worldclim.org/data/index.html)",
    ),
    "wc2.1_10m_vapr.zip": RemoteFile(
        url="https://geodata.ucdavis.edu/climate/worldclim/2_1/base/wc2.1_10m_vapr.zip",
        sha256=None,
        description="WorldClim 2.1 monthly water vapour pressure [kPa], 10 arc-minutes",
        licence="CC BY 4.0 (https://www.worldclim.org/data/index.html)",
    ),
}

_GEOBOUNDARIES_URL = (
    "https://github.com/wmgeolab/geoBoundaries/raw/9469f09/releaseData/gbOpen/"
    "{iso3}/ADM1/geoBoundaries-{iso3}-ADM1.geojson"
)


def cache_dir() -> Path:
    """Return the download cache folder (``$COMPUTEATLAS_DATA_DIR`` or the platform cache)."""
    env = os.environ.get("COMPUTEATLAS_DATA_DIR")
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("computeatlas"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _load_hashes(store: Path) -> dict[str, str]:
    """Read the recorded hashes; raise :class:`DataError` if the file is corrupt."""
    if not store.exists():
        return {}
    try:
        seen = json.loads(store.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(
            f"the hash store {str(store)!r} is corrupt ({err}); delete it to record the "
            "hashes of the cached files again (trust on first use)"
        ) from None
    if not isinstance(seen, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in seen.items()
    ):
        raise DataError(
            f"the hash store {str(store)!r} is not a JSON object of file name -> SHA-256; "
            "delete it to record the hashes of the cached files again (trust on first use)"
        )
    return seen


def _verify(path: Path, name: str, expected: str | None, store: Path) -> str:
    """Check a downloaded file against a pinned or first-seen SHA-256.

    Returns the file's hash; raises :class:`DataError` on mismatch (and
    deletes the file so that no corrupt copy stays in the cache) or when
    ``store`` is corrupt. A first-seen hash is recorded in ``store`` atomically.
    """
    digest = _sha256(path)
    seen = _load_hashes(store)
    want = expected or seen.get(name)
    if want is not None and digest != want:
        path.unlink(missing_ok=True)
        raise DataError(
            f"{name}: SHA-256 {digest} does not match the expected {want}; the download "
            "was removed. If the provider has published a new version, update the registry."
        )
    if want is None:
        seen[name] = digest
        with atomic_write(store, what="store") as (tmp,):
            tmp.write_text(json.dumps(seen, indent=1, sort_keys=True), encoding="utf-8")
        print(f"computeatlas: recorded SHA-256 of {name}: {digest}")
    return digest


def _download(url: str, output: Path, *, progress: bool = False) -> None:
    """Stream ``url`` into the file ``output`` (pooch's HTTP downloader)."""
    import pooch

    pooch.HTTPDownloader(progressbar=progress)(url, str(output), None)


def _retrieve(url: str, name: str, expected: str | None, *, progress: bool = False) -> Path:
    """Return the cached ``name``, downloading it first if needed; verify its hash.

    A new download is written to a temporary file and checked before it is
    renamed into the cache, so a failed, interrupted or corrupt download leaves
    nothing there.
    """
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    store = folder / "hashes.json"
    if path.exists():
        _verify(path, name, expected, store)
        return path
    with atomic_write(path, what="target") as (tmp,):
        _download(url, tmp, progress=progress)
        _verify(tmp, name, expected, store)
    return path


def fetch(name: str, *, progress: bool = True) -> Path:
    """Download (once) a file of :data:`REGISTRY` and return its local path.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.
    progress : bool, default True
        Show a progress bar (needs ``tqdm``).

    Raises
    ------
    InputError
        If ``name`` is not in the registry.
    DataError
        If the checksum does not match (the download is then removed) or the
        hash store ``hashes.json`` is corrupt.
    """
    if name not in REGISTRY:
        raise InputError(f"unknown remote file {name!r}; known: {sorted(REGISTRY)}")
    entry = REGISTRY[name]
    return _retrieve(entry.url, name, entry.sha256, progress=progress and _has_tqdm())


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def fetch_worldclim_tavg() -> Path:
    """Fetch WorldClim 2.1 monthly mean temperature at 10 arc-minutes (zip of 12 GeoTIFFs).

    Read a month with :func:`computeatlas.datasets.read_climate_geotiff` and
    ``units="degC"``.
    """
    return fetch("wc2.1_10m_tavg.zip")


def fetch_geoboundaries_adm1(iso3: str) -> Path:
    """Fetch the full-resolution geoBoundaries gbOpen ADM1 layer of one country.

    Parameters
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 country code, e.g. ``"NOR"``.

    Returns
    -------
    pathlib.Path
        A GeoJSON file; read it with :func:`computeatlas.datasets.read_regions`.
    """
    code = str(iso3).upper()
    if len(code) != 3 or not code.isalpha():
        raise InputError(f"iso3 must be an ISO 3166-1 alpha-3 code like 'NOR', got {iso3!r}")
    name = f"geoBoundaries-{code}-ADM1.geojson"
    return _retrieve(_GEOBOUNDARIES_URL.format(iso3=code), name, None)


def fetch_era5_hourly(
    bbox: tuple[float, float, float, float], year: int, target: str | os.PathLike
) -> Path:
    """Download one year of hourly ERA5 2 m temperature and dew point for a bbox.

    Uses the Copernicus Climate Data Store API (``pip install cdsapi`` and a
    ``~/.cdsapirc`` with your key; see
    https://cds.climate.copernicus.eu/how-to-api). CDS builds each file on
    request, so no checksum can be pinned; the file is written atomically.

    Parameters
    ----------
    bbox : tuple of float
        (west, south, east, north) [deg].
    year : int
        Calendar year (1940 or later).
    target : path
        Output NetCDF file; read it with :func:`computeatlas.datasets.read_era5`.
    """
    west, south, east, north = (float(v) for v in bbox)
    if not (-90 <= south < north <= 90):
        raise InputError(f"bbox south/north must satisfy -90 <= south < north <= 90: {bbox}")
    if not 1940 <= int(year) <= 2100:
        raise InputError(f"year must be 1940 or later, got {year}")
    target = check_target(target, "target")
    try:
        import cdsapi
    except ImportError as err:
        raise ImportError("fetch_era5_hourly needs cdsapi: pip install cdsapi") from err
    request = {
        "product_type": ["reanalysis"],
        "variable": ["2m_temperature", "2m_dewpoint_temperature"],
        "year": [str(int(year))],
        "month": [f"{m:02d}" for m in range(1, 13)],
        "day": [f"{d:02d}" for d in range(1, 32)],
        "time": [f"{h:02d}:00" for h in range(24)],
        "area": [north, west, south, east],
        "data_format": "netcdf",
    }
    with atomic_write(target, what="target") as (tmp,):
        cdsapi.Client().retrieve("reanalysis-era5-single-levels", request, str(tmp))
    return target
