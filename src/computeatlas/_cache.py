"""A bounded in-process cache of climate-only intermediates of the pipeline.

The cooling model's outputs (PUE, free-cooling hours and days, water use, hours by
mode) and the degree-day heating-season share depend only on the climate layers of a
window and on the cooling preset and ASHRAE class, not on the metros, the prices or
the heat price. A notebook that ranks the same large window again with other metros
or prices reuses them instead of recomputing them (about 1.5 s on the world at
0.25 deg). Entries are keyed by the identity of the shipped global layers they were
computed from (held by the entry, so an identity is never reused while cached), the
window's cell centres and every parameter of the computation; a user climate is never
cached. Values are stored and returned as copies, so nothing a caller does to its
arrays reaches the cache.

Bounds: :data:`MAX_ENTRIES` entries and :data:`MAX_BYTES` in all, least recently used
dropped first; :func:`clear` empties it, and ``COMPUTEATLAS_CACHE=0`` turns it off.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

__all__ = ["MAX_BYTES", "MAX_ENTRIES", "clear", "get", "nbytes", "put"]

#: Most entries kept (each one window x one preset, or one window's heating season).
MAX_ENTRIES = 6
#: Most bytes kept in all; a larger entry is not stored.
MAX_BYTES = 768 * 2**20

_LOCK = threading.Lock()
_ENTRIES: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], dict[str, np.ndarray]]] = (
    OrderedDict()
)


def enabled() -> bool:
    """Whether caching is on (``COMPUTEATLAS_CACHE`` unset or not ``0``).

    Returns
    -------
    bool
    """
    return os.environ.get("COMPUTEATLAS_CACHE", "1").strip() != "0"


def _key(sources: tuple[Any, ...], key: tuple[Any, ...]) -> tuple[Any, ...]:
    return (tuple(id(s) for s in sources), *key)


def get(sources: tuple[Any, ...], key: tuple[Any, ...]) -> dict[str, np.ndarray] | None:
    """Return copies of a cached entry, or None.

    Parameters
    ----------
    sources : tuple
        The objects the entry was computed from (compared by identity).
    key : tuple
        Hashable description of everything else it depends on.

    Returns
    -------
    dict of numpy.ndarray or None
    """
    if not enabled():
        return None
    k = _key(sources, key)
    with _LOCK:
        hit = _ENTRIES.get(k)
        if hit is None or any(a is not b for a, b in zip(hit[0], sources, strict=True)):
            return None
        _ENTRIES.move_to_end(k)
        values = hit[1]
    return {name: a.copy() for name, a in values.items()}


def put(sources: tuple[Any, ...], key: tuple[Any, ...], values: dict[str, np.ndarray]) -> None:
    """Store copies of ``values`` (dropping the least recently used beyond the bounds).

    Parameters
    ----------
    sources, key : tuple
        As for :func:`get`.
    values : dict of numpy.ndarray
        The arrays to keep.
    """
    if not enabled():
        return
    kept = {name: np.array(a, copy=True) for name, a in values.items()}
    size = sum(a.nbytes for a in kept.values())
    if size > MAX_BYTES:
        return
    with _LOCK:
        _ENTRIES[_key(sources, key)] = (sources, kept)
        _ENTRIES.move_to_end(_key(sources, key))
        while len(_ENTRIES) > MAX_ENTRIES or _bytes() > MAX_BYTES:
            _ENTRIES.popitem(last=False)


def _bytes() -> int:
    return sum(a.nbytes for _, values in _ENTRIES.values() for a in values.values())


def nbytes() -> int:
    """Bytes the cache holds now.

    Returns
    -------
    int
    """
    with _LOCK:
        return _bytes()


def clear() -> None:
    """Drop every entry."""
    with _LOCK:
        _ENTRIES.clear()
