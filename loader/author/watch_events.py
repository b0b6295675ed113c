"""Author stage, watchdog's side of a watch: which file-system events count, and when events were lost.

``EventHandler`` turns watchdog's events into changed paths (dropping reads, folder echoes and
editors' swap files); ``OverflowListener`` tells the watcher when the kernel's event queue
overflowed, which watchdog only logs. ``loader.author.watch`` folds both into skill changes.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler

if TYPE_CHECKING:
    from loader.author.watch import Watcher

_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})
"""Event types that can change a skill; "opened" and "closed_no_write" are reads (our own included)."""
_EDITOR_TEMP = re.compile(r"(.*~|\.#.*|#.*#|.*\.sw[a-px]|4913)")
"""Editors' swap, lock and backup files (vim, emacs): written while typing, never a save by themselves.
An atomic save that renames one onto SKILL.md still counts, through the rename's destination."""


class EventHandler(FileSystemEventHandler):
    """Hands the paths of the events that can change a skill to the watcher."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EVENTS or (event.is_directory and event.event_type == "modified"):
            return  # a folder's "modified" only echoes the entry events we already get
        paths = [event.src_path, event.dest_path] if event.event_type == "moved" else [event.src_path]
        changed = [Path(_text(p)) for p in paths if p]
        self._watcher.notify((path, event.is_directory) for path in changed
                             if event.is_directory or not _EDITOR_TEMP.fullmatch(path.name))


class OverflowListener(logging.Handler):
    """Tells the watcher when the kernel's event queue overflowed, so it rescans.

    watchdog rebuilds its inotify watches after an overflow but only logs it: the events lost
    in the overflow are gone, and a watcher that waits for them never sees the skills added or
    changed meanwhile (the MCP server missed a new skill for good after a burst of renames).
    """

    LOGGERS = ("watchdog.observers.inotify", "watchdog.observers.inotify_c")

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self._watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._watcher.rescan()

    def attach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)

    def detach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path
