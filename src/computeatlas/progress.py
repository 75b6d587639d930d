"""A small progress display on stderr for long steps (command line and notebooks).

No third-party dependency: neither tqdm nor rich is required. On a terminal the
current step is redrawn in place with a bar of completed steps and the elapsed
time, refreshed twice a second while a step runs; elsewhere (a pipe, a log
file, a CI job) each step is one plain line, or nothing unless ``force=True``.
In a notebook, ``Progress(force=True)`` prints plain lines under the cell.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO

__all__ = ["Progress"]


class Progress:
    """Show ``[###---] 2/3 step name  12.3 s`` on stderr while steps run.

    Parameters
    ----------
    total : int
        Number of steps announced with :meth:`step`.
    quiet : bool, default False
        Show nothing.
    force : bool, default False
        Show plain lines even when the stream is not a terminal.
    stream : file, optional
        Where to write; default ``sys.stderr``.

    Examples
    --------
    >>> with Progress(2, force=True) as bar:  # doctest: +SKIP
    ...     bar.step("ranking")
    ...     bar.step("writing")
    """

    WIDTH = 20

    def __init__(
        self, total: int, *, quiet: bool = False, force: bool = False, stream: IO[str] | None = None
    ) -> None:
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty()) if callable(isatty) else False
        self.enabled = not quiet and (self.live or force)
        self.done = 0
        self.label = ""
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled and self.live:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.enabled and exc_type is None:
            self.done = self.total
            self.label = "done"
            self._draw(final=True)
        elif self.enabled and self.live:  # an error follows: leave its line clean
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def line(self) -> str:
        """Return the text of the display now (bar, step count, label, elapsed time)."""
        filled = round(self.WIDTH * self.done / self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        elapsed = time.perf_counter() - self._t0
        return f"[{bar}] {self.done}/{self.total} {self.label}  {elapsed:5.1f} s"

    def step(self, label: str) -> None:
        """Start the next step (the previous one counts as done)."""
        with self._lock:
            if self.label:
                self.done = min(self.done + 1, self.total)
            self.label = label
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._draw()

    def _draw(self, final: bool = False) -> None:
        if not self.enabled:
            return
        with self._lock:
            text = self.line()
            if self.live:
                end = "\n" if final else ""
                self.stream.write("\r\x1b[2K" + text + end)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
