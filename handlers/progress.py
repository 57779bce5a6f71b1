"""Progress of long commands, fit for where the output goes.

On a terminal: a live bar (tqdm). Anywhere else (a log file, CI, a pipe): one plain summary line per step when it
ends, so logs never fill with carriage returns and escape codes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is not a terminal
        return False


class StepProgress:
    """One step of a command (reading a file, ingesting documents): ``update`` as it goes, ``close`` at the end."""

    def __init__(self, desc: str, unit: str, *, stream: IO[str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.desc, self.unit = desc, unit
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.total: int | None = None
        self._bar = None
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(total=0, desc=desc, unit=f" {unit}", file=self.stream, leave=False)

    @property
    def live(self) -> bool:
        """A bar redrawn as the step goes (on a terminal), rather than one line when it ends."""
        return self._bar is not None

    def update(self, done: int, total: int | None = None, detail: str = "") -> None:
        self.done = done
        self.total = total if total is not None else self.total
        if self._bar is not None:
            self._bar.total = self.total or 0
            self._bar.n = done
            if detail:
                self._bar.set_postfix_str(detail[:30])
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            return
        of = f" of {self.total:,}" if self.total is not None and self.total != self.done else ""
        self.stream.write(f"{self.desc}: {self.done:,}{of} {self.unit} in {self.clock() - self.started:.1f} s\n")
        self.stream.flush()


def track(rows: Iterable[T], desc: str, total: int | None, *, unit: str = "rows", stream: IO[str] | None = None,
          clock: Callable[[], float] = time.monotonic) -> Iterator[T]:
    """``rows``, reporting progress as they are consumed (a bar on a terminal, one line at the end elsewhere)."""
    step = StepProgress(desc, unit, stream=stream, clock=clock)
    step.update(0, total)
    done = 0
    try:
        for row in rows:
            yield row
            done += 1
            if step.live or done == total:
                step.update(done)
        step.update(done)
    finally:
        step.close()
