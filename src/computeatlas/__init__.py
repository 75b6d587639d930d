"""wattlas: where an AI token is cheapest to make, and still close to its users.

The public API is small; heavy modules load on first use so that
``import wattlas`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from wattlas.errors import (
    CRSError,
    DataError,
    GridError,
    InputError,
    ResourceError,
    UnitsError,
    UnknownNameError,
    WattlasWarning,
)

try:
    __version__ = version("wattlas")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CRSError",
    "DataError",
    "GridError",
    "InputError",
    "ResourceError",
    "SiteRanking",
    "UnitsError",
    "UnknownNameError",
    "WattlasWarning",
    "__version__",
    "datasets",
    "grid",
    "latency_field",
    "models",
    "presets",
    "rank_sites",
    "site_report",
]

_SUBMODULES = {"datasets", "grid", "models", "presets"}
_FUNCTIONS = {
    "site_report": "wattlas.site",
    "rank_sites": "wattlas.ranking",
    "latency_field": "wattlas.ranking",
    "SiteRanking": "wattlas.ranking",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"wattlas.{name}")
    if name in _FUNCTIONS:
        return getattr(import_module(_FUNCTIONS[name]), name)
    raise AttributeError(f"module 'wattlas' has no attribute {name!r}")
