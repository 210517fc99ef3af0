"""Progress of a night on a terminal: the step running, the dbt nodes done of the total, the time elapsed.

Shown only where someone watches (the stream is a terminal); under a scheduler a night prints nothing
unless it fails, so cron's mail or the timer's journal holds only what needs a person.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """One status line on `stream`, rewritten in place: `[build] 120/356 nodes  1:05`. A no-op unless
    `enabled` (default: whether the stream is a terminal)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.step = ""
        self.done = 0
        self.total = 0

    def start_step(self, name: str) -> None:
        """A new step begins: its name, and no nodes counted yet."""
        self.step, self.done, self.total = name, 0, 0
        self._show()

    def on_dbt_event(self, event) -> None:
        """A dbtRunner callback: a node's start line gives the run's total, a finished node counts one."""
        name = event.info.name
        if name == "LogStartLine":
            self.total = max(self.total, int(event.data.total))
        elif name == "NodeFinished":
            self.done += 1
            self._show()

    def finish(self, outcome: str) -> None:
        """End the status line with the night's outcome."""
        if self.enabled:
            self.stream.write(f"\r\033[K{outcome}  ({_clock(time.monotonic() - self.started)})\n")
            self.stream.flush()

    def _show(self) -> None:
        if not self.enabled:
            return
        nodes = f" {self.done}/{self.total} nodes" if self.total else ""
        elapsed = _clock(time.monotonic() - self.started)
        self.stream.write(f"\r\033[K[{self.step}]{nodes}  {elapsed}")
        self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"
