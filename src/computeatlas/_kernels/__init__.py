"""Private numba kernels: plain arrays in and out, SI-ish units fixed by each module.

Users never import these; the public, unit-checked wrappers live in
:mod:`computeatlas.models`. Every kernel is compiled once at module level with
``cache=True`` and runs unchanged under ``NUMBA_DISABLE_JIT=1``.

Two pieces of runtime housekeeping live here, before any kernel is compiled:

* **Cache folder.** numba caches compiled kernels beside the source
  (``__pycache__``) or in the user cache folder (``~/.cache/numba``). A
  read-only install with a read-only home has neither, and numba would refuse
  to compile the first kernel. Then, and only when ``NUMBA_CACHE_DIR`` is not
  set, the cache goes to ``<tempdir>/computeatlas-numba-<uid>`` with a
  :class:`~computeatlas.errors.ComputeAtlasWarning`.
* **Threads.** numba's fallback ``workqueue`` threading layer (used when neither
  TBB nor OpenMP is available) aborts the process when two threads launch
  parallel kernels at once. :func:`serialised` makes such calls take turns
  under that layer and does nothing under ``tbb``/``omp``.
"""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["cache_fallback", "serialised"]


def _writable(path: Path) -> bool:
    """Whether numba could create ``path`` and write a file in it (as its locators test)."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def cache_fallback() -> str | None:
    """Point numba's cache at a writable folder when its default ones are not.

    Returns
    -------
    str or None
        The folder now used, or None when nothing was changed (``NUMBA_CACHE_DIR``
        set by the user, or a default location writable).
    """
    from numba.core import config
    from numba.misc.appdirs import AppDirs

    if getattr(config, "CACHE_DIR", "") or os.environ.get("NUMBA_CACHE_DIR"):
        return None
    in_tree = Path(__file__).parent / "__pycache__"
    user_wide = Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    if _writable(in_tree) or _writable(user_wide):
        return None
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    folder = Path(tempfile.gettempdir()) / f"computeatlas-numba-{uid}"
    from computeatlas.errors import ComputeAtlasWarning

    if not _writable(folder):
        warnings.warn(
            f"numba cannot write its cache beside computeatlas ({in_tree}), in {user_wide} "
            f"nor in {folder}; set NUMBA_CACHE_DIR to a writable folder",
            ComputeAtlasWarning,
            stacklevel=2,
        )
        return None
    # numba reads NUMBA_CACHE_DIR into config.CACHE_DIR and may re-read the
    # environment later: set both so the choice survives a config reload.
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    setattr(config, "CACHE_DIR", str(folder))  # noqa: B010 (numba sets it dynamically)

    warnings.warn(
        f"numba cannot write its cache beside computeatlas ({in_tree}) nor in {user_wide}; "
        f"compiled kernels are cached in {folder} instead (set NUMBA_CACHE_DIR to choose)",
        ComputeAtlasWarning,
        stacklevel=2,
    )
    return str(folder)


cache_fallback()

_LOCK = threading.RLock()


def _threadsafe_layer() -> bool:
    """Whether parallel kernels may be launched from several threads at once."""
    from numba.core import config

    if getattr(config, "DISABLE_JIT", False):
        return True
    import numba

    try:
        return str(numba.threading_layer()) != "workqueue"
    except ValueError:  # no parallel kernel has run yet: the layer is not chosen
        return str(getattr(config, "THREADING_LAYER", "")) in ("tbb", "omp")


@contextmanager
def serialised() -> Iterator[None]:
    """Run the enclosed parallel kernels one thread at a time under ``workqueue``.

    Under the ``tbb`` and ``omp`` layers (thread-safe) this is a no-op; under
    ``workqueue``, and before numba has picked a layer, calls take a
    process-wide re-entrant lock.

    Yields
    ------
    None
    """
    if _threadsafe_layer():
        yield
        return
    with _LOCK:
        yield
