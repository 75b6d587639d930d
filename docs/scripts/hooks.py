"""MkDocs hook: ``mkdocs build`` regenerates the figures first (docs/scripts/figures.py).

``mkdocs serve`` does not (writing docs/img would trigger its own reload loop); run
``python3 docs/scripts/figures.py`` by hand there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

_COMMAND = {"name": ""}


def on_startup(command: str, dirty: bool, **kwargs: Any) -> None:
    """Remember which mkdocs command runs."""
    _COMMAND["name"] = command


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Make the figures before a build (not on serve)."""
    if _COMMAND["name"] == "serve":
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import figures

    for path in figures.make():
        print(f"INFO    -  figures: wrote {path}")
