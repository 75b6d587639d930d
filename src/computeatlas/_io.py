"""One atomic-write mechanism for every file computeatlas writes.

:func:`atomic_write` is used by the exporters, the download fetchers and any
cache: the caller writes to temporary paths that :func:`atomic_write` yields,
and only when the ``with`` block succeeds are the files flushed to disk
(:func:`os.fsync`) and moved onto their targets with :func:`os.replace`. On any
exception (including :class:`KeyboardInterrupt`) every temporary file is
removed and the previous targets are left byte-identical.

Conventions
-----------
* The temporary files live in a private folder ``.computeatlas-tmp-*`` created
  in the folder of each target (same file system, so the rename is atomic) and
  keep the target's file name, so drivers that look at the extension (GDAL,
  SQLite journals, sidecar files) behave as for the real file. The private
  folder and anything a driver left in it are removed in every case.
* Several targets are replaced together: the previous version of each target
  but the last is kept (hard link, or copy) until all are in place; if one
  replace fails, the targets already replaced are restored (or removed if they
  did not exist before), so the set is either all new or all old.
* A target that is a symbolic link is written **through**: the file the link
  points to is replaced and the link itself is kept, still pointing to it. A
  link loop is refused. (Replacing the link by a regular file would silently
  detach whatever else points to the link's target.)
* The folder of a target must exist: nothing creates it implicitly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from computeatlas.errors import InputError

__all__ = ["PathLike", "atomic_write", "check_target"]

PathLike = str | os.PathLike[str]

#: Prefix of the private staging folders (hidden, removed after every write).
STAGING_PREFIX = ".computeatlas-tmp-"


def check_target(path: object, what: str = "path") -> Path:
    """Validate an output file path before any work is done; return it as a Path.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written. It may not exist yet; its folder must.
    what : str, default "path"
        Name of the parameter, used in error messages (e.g. ``"--out"``).

    Returns
    -------
    pathlib.Path
        ``path`` as given (a symbolic link is not resolved here).

    Raises
    ------
    InputError
        ``path`` is not a path, is empty, ends in a path separator, names a
        folder, is a symbolic-link loop, or its folder (that of the link's
        target for a link) does not exist or is not writable.
    """
    try:
        text = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        raise InputError(
            f"{what} must be a str or os.PathLike; got {type(path).__name__}"
        ) from None
    if not isinstance(text, str):
        raise InputError(f"{what} must be a text path; got {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{what} is empty; give a file name such as 'sites.geojson'")
    seps = tuple(s for s in (os.sep, os.altsep) if s)
    if text.endswith(seps):
        raise InputError(f"{what} {text!r} ends with a path separator; give a file, not a folder")
    p = Path(text)
    if p.name in ("", ".", ".."):
        raise InputError(f"{what} {text!r} does not name a file")
    real = _resolve(p, what)
    for folder in dict.fromkeys((p.parent, real.parent)):
        if not folder.is_dir():
            raise InputError(
                f"output folder does not exist: {str(folder)!r} ({what} {text!r}); create it first"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"output folder {str(folder)!r} is not writable ({what} {text!r})")
    if real.is_dir():
        raise InputError(f"{what} {text!r} is an existing folder, not a file")
    return p


def _resolve(p: Path, what: str) -> Path:
    """Follow symbolic links to the file that will really be replaced."""
    if not p.is_symlink():
        return p
    real = Path(os.path.realpath(p))
    if real.is_symlink():  # realpath stops inside a loop
        raise InputError(f"{what} {str(p)!r} is a symbolic link that never resolves (a loop)")
    return real


@contextmanager
def atomic_write(*targets: PathLike, what: str = "path") -> Iterator[tuple[Path, ...]]:
    """Yield temporary paths for ``targets``; move them into place if the block succeeds.

    Parameters
    ----------
    *targets : str or os.PathLike
        The files to write (one or more); each is validated with
        :func:`check_target`. A symbolic link is written through to its target.
    what : str, default "path"
        Parameter name used in error messages.

    Yields
    ------
    tuple of pathlib.Path
        One temporary path per target, in the same order, with the target's file
        name, inside a private folder beside the (resolved) target. Nothing
        exists there yet: the caller creates the files.

    Raises
    ------
    InputError
        A target is invalid (see :func:`check_target`), two targets are the
        same file, or no temporary folder can be created (permission denied).
    FileNotFoundError
        The block finished without creating one of the temporary files.

    Notes
    -----
    On success each temporary file is fsynced, then renamed onto its target
    with :func:`os.replace` and the folder fsynced; several targets are
    replaced as a set (see the module notes). On any exception raised in the
    block or while committing, the temporary files are removed and every
    target keeps its previous content.

    Examples
    --------
    >>> with atomic_write("sites.geojson", "sites.qml") as (geojson, qml):  # doctest: +SKIP
    ...     geojson.write_text(text_a)
    ...     qml.write_text(text_b)
    """
    if not targets:
        raise InputError("atomic_write needs at least one target path")
    reals = [_resolve(check_target(t, what), what) for t in targets]
    if len({os.path.normcase(os.path.abspath(r)) for r in reals}) != len(reals):
        raise InputError(f"{what}: the same file is given twice: {[str(t) for t in targets]}")
    staging: dict[Path, Path] = {}
    try:
        for real in reals:
            if real.parent not in staging:
                staging[real.parent] = _make_staging(real.parent)
        tmps = tuple(staging[r.parent] / r.name for r in reals)
        yield tmps
        _commit(tmps, reals, [staging[r.parent] for r in reals])
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)


def _make_staging(folder: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except PermissionError as err:
        raise InputError(f"output folder {str(folder)!r} is not writable ({err})") from err


def _commit(tmps: tuple[Path, ...], reals: list[Path], stagings: list[Path]) -> None:
    """Fsync the temporary files, then replace the targets as a set."""
    for tmp in tmps:
        if not tmp.is_file():
            raise FileNotFoundError(f"the writer did not create {tmp.name!r}; nothing replaced")
        _fsync(tmp)
    # Keep the previous version of every target but the last until all are replaced.
    backups = [_backup(real, stagings[i], i) for i, real in enumerate(reals[:-1])]
    done: list[int] = []
    try:
        for i, (tmp, real) in enumerate(zip(tmps, reals, strict=True)):
            os.replace(tmp, real)
            done.append(i)
    except BaseException as err:
        _rollback([(reals[i], backups[i]) for i in done], err)
        raise
    for folder in dict.fromkeys(r.parent for r in reals):
        _fsync_folder(folder)


def _backup(real: Path, staging: Path, i: int) -> Path | None:
    """Keep the current ``real`` (hard link, or copy) in ``staging``; None if absent."""
    if not real.exists():
        return None
    backup = staging / f"previous-{i}"
    try:
        os.link(real, backup)
    except OSError:  # no hard links on this file system
        shutil.copy2(real, backup)
    return backup


def _rollback(replaced: list[tuple[Path, Path | None]], err: BaseException) -> None:
    """Put back the previous version of targets already replaced (remove new ones)."""
    for real, backup in replaced:
        try:
            if backup is None:
                real.unlink(missing_ok=True)
            else:
                os.replace(backup, real)
        except OSError as undo:  # pragma: no cover - would need two independent faults
            err.add_note(f"computeatlas: could not restore {str(real)!r}: {undo}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform dependent
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)
