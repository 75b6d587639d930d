"""Exception and warning hierarchy of computeatlas.

Every problem with what a user passed in raises a subclass of
:class:`InputError`, which is itself a :class:`ValueError`, so that
``except ValueError`` keeps working in user code. Messages name the
parameter and say what to do.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ComputeAtlasWarning",
    "DataError",
    "GridError",
    "InputError",
    "ResourceError",
    "UnitsError",
    "UnknownNameError",
]


class InputError(ValueError):
    """Base class for every error caused by user input."""


class GridError(InputError):
    """A gridded input does not follow (and cannot be normalised to) the grid conventions."""


class UnitsError(InputError):
    """A variable has missing, unknown or physically impossible units or values."""


class CRSError(InputError):
    """A vector input is in a coordinate reference system computeatlas cannot use."""


class UnknownNameError(InputError, KeyError):
    """A name (metro, preset, region, layer) is not known; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ResourceError(InputError):
    """A request would need more memory than the machine has; refused before any work."""


class DataError(RuntimeError):
    """A shipped or fetched data file is missing or corrupt (not the user's fault)."""


class ComputeAtlasWarning(UserWarning):
    """Warnings emitted by computeatlas (masked values, fallbacks used)."""
