"""Shared header and writer of the benchmark tables included by ``docs/performance.md``.

Every table in the docs is written by the script that measured it, with the date, the
machine and the load on it when the run started, so no hand-copied number can go stale.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


#: Python expression: this process's peak resident set size [MiB]. ``VmHWM`` of
#: /proc/self/status is reset by ``exec``; ``ru_maxrss`` is not (a child started by a
#: large parent reports at least the parent's size), so it is only the fallback.
PEAK_MIB = (
    "next((int(l.split()[1]) / 1024 for l in open('/proc/self/status') "
    "if l.startswith('VmHWM:')), None) or "
    "__import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 1024"
)


def peak_rss_gib() -> float:
    """This process's peak resident set size [GiB] (see :data:`PEAK_MIB`)."""
    return float(eval(PEAK_MIB)) / 1024


def header(command: str) -> str:
    """One line: when, where and under what load a table was measured, and how to redo it."""
    try:
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    except OSError:  # pragma: no cover - not on every platform
        load = ""
    return (
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()} {platform.processor() or ''}".rstrip()
        + f", {os.cpu_count()} cores{load}, Python {platform.python_version()} "
        f"(`{command}`).\n\n"
    )


def markdown(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A Markdown table."""
    out = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return out + "".join("| " + " | ".join(str(c) for c in r) + " |\n" for r in rows)


def write(name: str, text: str) -> None:
    """Write ``docs/<name>`` and say so."""
    path = DOCS / name
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
