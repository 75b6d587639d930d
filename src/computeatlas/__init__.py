"""computeatlas: where an AI token is cheapest to make, and still close to its users.

The public API is small; heavy modules load on first use so that
``import computeatlas`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from computeatlas.errors import (
    ComputeAtlasWarning,
    CRSError,
    DataError,
    GridError,
    InputError,
    ResourceError,
    UnitsError,
    UnknownNameError,
)

try:
    __version__ = version("computeatlas")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CRSError",
    "ComputeAtlasWarning",
    "DataError",
    "GridError",
    "InputError",
    "ResourceError",
    "SiteRanking",
    "UnitsError",
    "UnknownNameError",
    "__version__",
    "datasets",
    "grid",
    "latency_field",
    "models",
    "presets",
    "rank_sites",
    "sensitivity",
    "site_report",
]

_SUBMODULES = {"datasets", "grid", "models", "presets"}
_FUNCTIONS = {
    "site_report": "computeatlas.site",
    "sensitivity": "computeatlas.site",
    "rank_sites": "computeatlas.ranking",
    "latency_field": "computeatlas.ranking",
    "SiteRanking": "computeatlas.ranking",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"computeatlas.{name}")
    if name in _FUNCTIONS:
        return getattr(import_module(_FUNCTIONS[name]), name)
    raise AttributeError(f"module 'computeatlas' has no attribute {name!r}")
