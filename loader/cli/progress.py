"""Progress on stderr for work that can take more than a second (report, index, pack, install, mcp start-up).

A bar (or a spinner, when the core cannot say how far it is) is drawn only when stderr is a
terminal, never with ``--quiet`` and never alongside ``--format json``; otherwise the callback
does nothing. The core never prints: it calls the ``advance(done, total)`` callback it is given.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from loader.cli.app import is_quiet

log = logging.getLogger("loader")

Advance = Callable[[int, int], None]
"""``advance(done, total)``: ``done`` of ``total`` items finished."""


def wanted(*, json_output: bool = False) -> bool:
    """True when a progress display may be drawn: stderr is a terminal, no --quiet, no JSON output."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(callable(isatty) and isatty()) and not is_quiet() and not json_output


def _nothing(done: int, total: int) -> None:
    del done, total


@contextmanager
def progress(label: str, *, enabled: bool) -> Iterator[Advance]:
    """Show ``label`` with a bar that ``advance`` moves (a spinner until it is first called).

    With ``--verbose``, how long the step took is logged either way (``skills: reading skills: 812 ms``).
    """
    started = time.perf_counter()
    try:
        with _display(label, enabled=enabled) as advance:
            yield advance
    finally:
        log.info("%s: %.0f ms", label, (time.perf_counter() - started) * 1000)


@contextmanager
def _display(label: str, *, enabled: bool) -> Iterator[Advance]:
    if not enabled:
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
