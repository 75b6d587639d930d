"""Fault injection: a failed export never damages the previous file nor leaves debris.

For every format (GeoJSON with its QGIS style, GeoPackage, Parquet, GeoTIFF) a
previous output is written first; then a new write is made to fail by

* a full disk: a child process with ``RLIMIT_FSIZE`` below the new file's size
  (SIGXFSZ ignored, so writes fail with EFBIG instead of killing the process),
* permission denied (CI runs as root, so ``os.replace``, ``open`` or the
  staging folder are monkeypatched to raise :class:`PermissionError`),
* an interruption: an exception raised in the middle of the write,

and each test checks that the previous files are byte-identical and that the
folder holds nothing else (no temporary, staging or partial file).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import xarray as xr

from computeatlas import _io, export
from computeatlas.errors import InputError

pytest.importorskip("rasterio")

FORMATS = ("geojson", "gpkg", "parquet", "geotiff")
#: Files each format writes (the GeoJSON comes with its style).
NAMES = {
    "geojson": ("out.geojson", "out.qml"),
    "gpkg": ("out.gpkg",),
    "parquet": ("out.parquet",),
    "geotiff": ("out.tif",),
}


def _points(n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame(
        {"cost": rng.gamma(2.0, 20.0, n), "name": [f"site {i}" for i in range(n)]},
        geometry=gpd.points_from_xy(rng.uniform(-170, 170, n), rng.uniform(-60, 70, n)),
        crs="EPSG:4326",
    )


def _grid(n: int, seed: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)  # random values: deflate cannot shrink them much
    lat = np.linspace(-40.0, 40.0, n)
    lon = np.linspace(0.0, 80.0, n)
    data = {v: (("lat", "lon"), rng.normal(size=(n, n)), {"units": "1"}) for v in ("a", "b")}
    return xr.Dataset(data, coords={"lat": lat, "lon": lon})


def write(fmt: str, folder: Path, size: str) -> Path:
    """Write ``fmt`` into ``folder``: ``"old"`` (small) or ``"new"`` (large) content."""
    n, seed = (4, 0) if size == "old" else (3000, 1)
    target = folder / NAMES[fmt][0]
    if fmt == "geojson":
        return export.to_geojson(_points(n, seed), target, style_column="cost")
    if fmt == "gpkg":
        return export.to_gpkg(_points(n, seed), target)
    if fmt == "parquet":
        return export.to_parquet(_points(n, seed), target)
    return export.to_geotiff(_grid(8 if size == "old" else 300, seed), target)


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of ``folder`` (hidden ones included) with its bytes."""
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>" for p in folder.iterdir()}


@pytest.fixture
def previous(tmp_path: Path) -> Callable[[str], tuple[Path, dict[str, bytes]]]:
    """Write the previous output of a format; return its folder and snapshot."""

    def make(fmt: str) -> tuple[Path, dict[str, bytes]]:
        folder = tmp_path / fmt
        folder.mkdir()
        write(fmt, folder, "old")
        before = _snapshot(folder)
        assert sorted(before) == sorted(NAMES[fmt])
        return folder, before

    return make


def _assert_untouched(folder: Path, before: dict[str, bytes]) -> None:
    after = _snapshot(folder)
    assert sorted(after) == sorted(before), "a temporary or partial file was left behind"
    for name, data in before.items():
        assert after[name] == data, f"{name} was changed by a failed write"


# ----------------------------------------------------------------------------- full disk


def _child(spec_path: str) -> None:
    """Run in a subprocess: attempt each write under its file-size limit, report outcomes."""
    import resource
    import signal

    import pyarrow.parquet  # noqa: F401 - imported before the limit, like the drivers below
    import pyogrio  # noqa: F401
    import rasterio  # noqa: F401

    spec = json.loads(Path(spec_path).read_text())
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    outcomes = []
    for case in spec:
        resource.setrlimit(resource.RLIMIT_FSIZE, (case["limit"], hard))
        try:
            if case["fmt"] == "geojson-small":
                _small_geojson(Path(case["folder"]), "new")
            else:
                write(case["fmt"], Path(case["folder"]), "new")
            outcome = "returned"
        except Exception as err:  # reported to the parent, which asserts on it
            outcome = f"raised {type(err).__name__}: {err}"
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        outcomes.append(outcome)
    print(json.dumps(outcomes))


def _small_geojson(folder: Path, size: str) -> Path:
    """A GeoJSON of a few points (well under 4 KiB) with its style (over 4 KiB)."""
    n, seed = (2, 5) if size == "old" else (3, 6)
    return export.to_geojson(_points(n, seed), folder / "out.geojson", style_column="cost")


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Run every full-disk case in one child process (the imports are the slow part)."""
    root = tmp_path_factory.mktemp("full_disk")
    scratch = root / "complete"
    scratch.mkdir()
    tif_size = write("geotiff", scratch, "new").stat().st_size
    limits = [(fmt, 32 * 1024) for fmt in FORMATS]
    # GDAL fails silently when the limit is only hit while the GeoTIFF is being closed.
    limits += [("geotiff", tif_size - 2000), ("geotiff", tif_size - 1)]
    limits.append(("geojson-small", 4096))  # the GeoJSON fits, its style does not
    cases = []
    for i, (fmt, limit) in enumerate(limits):
        folder = root / f"case{i}-{fmt}"
        folder.mkdir()
        if fmt == "geojson-small":
            _small_geojson(folder, "old")
        else:
            write(fmt, folder, "old")
        cases.append({"fmt": fmt, "folder": str(folder), "limit": limit})
    spec = root / "spec.json"
    spec.write_text(json.dumps(cases))
    for case in cases:
        case["before"] = _snapshot(Path(case["folder"]))
    code = "import sys, test_faults; test_faults._child(sys.argv[1])"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(spec)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, outcome in zip(cases, outcomes, strict=True):
        case["outcome"] = outcome
    return cases


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_disk_keeps_previous(full_disk, fmt):
    cases = [c for c in full_disk if c["fmt"] == fmt]
    assert cases
    for case in cases:
        assert case["outcome"].startswith("raised "), case["outcome"]
        _assert_untouched(Path(case["folder"]), case["before"])


def test_full_disk_style_too_big_keeps_both(full_disk):
    (case,) = [c for c in full_disk if c["fmt"] == "geojson-small"]
    assert case["outcome"].startswith("raised OSError"), case["outcome"]
    assert "File too large" in case["outcome"]
    _assert_untouched(Path(case["folder"]), case["before"])


def test_full_disk_geotiff_close_is_detected(full_disk):
    # Today's regression: GDAL printed "_tiffSeekProc: File too large" and returned.
    late = [c for c in full_disk if c["fmt"] == "geotiff" and c["limit"] > 32 * 1024]
    assert len(late) == 2
    for case in late:
        assert case["outcome"].startswith("raised OSError"), case["outcome"]


# ----------------------------------------------------------------------------- permission denied


def _denied(*args: object, **kwargs: object) -> None:
    raise PermissionError(13, "Permission denied")


@pytest.mark.parametrize("fmt", FORMATS)
def test_replace_denied_keeps_previous(previous, monkeypatch, fmt):
    folder, before = previous(fmt)
    monkeypatch.setattr(_io.os, "replace", _denied)
    with pytest.raises(PermissionError):
        write(fmt, folder, "new")
    _assert_untouched(folder, before)


def test_style_replace_denied_restores_geojson(previous, monkeypatch):
    folder, before = previous("geojson")
    real = os.replace

    def replace(src: str, dst: str) -> None:
        if str(dst).endswith(".qml"):  # the GeoJSON is already in place by then
            _denied()
        real(src, dst)

    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(PermissionError):
        write("geojson", folder, "new")
    _assert_untouched(folder, before)


def test_open_denied_keeps_previous(previous, monkeypatch):
    folder, before = previous("geojson")
    monkeypatch.setattr(export.geojson, "open", _denied, raising=False)
    with pytest.raises(PermissionError):
        write("geojson", folder, "new")
    _assert_untouched(folder, before)


@pytest.mark.parametrize("fmt", FORMATS)
def test_staging_denied_is_an_input_error(previous, monkeypatch, fmt):
    folder, before = previous(fmt)
    monkeypatch.setattr(_io.tempfile, "mkdtemp", _denied)
    with pytest.raises(InputError, match="not writable"):
        write(fmt, folder, "new")
    _assert_untouched(folder, before)


# ----------------------------------------------------------------------------- interrupted


def _half_then(error: BaseException, real: Callable[..., object]) -> Callable[..., None]:
    """Wrap a writer ``real(obj, path, ...)``: write, cut the file in half, then raise."""

    def wrapper(obj: object, path: object, *args: object, **kwargs: object) -> None:
        real(obj, path, *args, **kwargs)
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.truncate(size // 2)
        raise error

    return wrapper


@pytest.mark.parametrize("error", [RuntimeError("interrupted"), KeyboardInterrupt()])
@pytest.mark.parametrize("fmt", FORMATS)
def test_interrupted_write_keeps_previous(previous, monkeypatch, fmt, error):
    folder, before = previous(fmt)
    if fmt == "geojson":  # the style is the second file: fail while writing it
        real_text = export.geojson._write_text

        def write_text(path: Path, text: str) -> None:
            if path.suffix == ".qml":
                real_text(path, text[: len(text) // 2])
                raise error
            real_text(path, text)

        monkeypatch.setattr(export.geojson, "_write_text", write_text)
    elif fmt == "gpkg":
        monkeypatch.setattr(
            gpd.GeoDataFrame, "to_file", _half_then(error, gpd.GeoDataFrame.to_file)
        )
    elif fmt == "parquet":
        real = gpd.GeoDataFrame.to_parquet
        monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", _half_then(error, real))
    else:

        def first_band_only(dst, ds, names, bands):  # the dataset is still open
            dst.write(bands[0], 1)
            raise error

        monkeypatch.setattr(export.raster, "_write_bands", first_band_only)
    with pytest.raises(type(error)):
        write(fmt, folder, "new")
    _assert_untouched(folder, before)


@pytest.mark.parametrize("fmt", FORMATS)
def test_fault_free_write_replaces(previous, fmt):
    """Control: the same new write, without a fault, does replace the previous files."""
    folder, before = previous(fmt)
    write(fmt, folder, "new")
    after = _snapshot(folder)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in before)
