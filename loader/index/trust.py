"""Index storage, checked files: skip re-checking the row types of an index file nobody changed.

Opening an index checks the type of every column of every row (a crafted or damaged file must
read as "no index", not crash later); at 10,000 skills that is a tenth of an open. This module
remembers, in the user's cache directory (never next to the library, which may come from
anyone), the identity of the last file that passed: device, inode, size and SQLite's file
change counter, which SQLite bumps on every committed write. Any write by anything changes
the counter, a replaced file has another inode, so a remembered stamp only ever matches the
very bytes that were checked. Writers that start from a checked file and write only typed rows
record the stamp their own commit produces.

The header is read through a descriptor opened *before* SQLite's connection and closed only
*after* it (:func:`held`): on Linux, closing any descriptor of a file releases every POSIX lock
the process holds on it, SQLite's included. An earlier version opened and closed the file for
each stamp inside a transaction, which let a second writer in and corrupted the index.
Any doubt (unreadable header, a counter that moved more than the writer's own commit) means
"check again", never "trust".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from loader.core.atomic import write_text
from loader.core.digest import hex_key
from loader.core.userdirs import cache_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

MAGIC = b"SQLite format 3\x00"
COUNTER = slice(24, 28)
"""Where the SQLite header keeps the file change counter (big-endian)."""


class HeldFile:
    """An open, non-blocking, read-only descriptor of the index file, for its header."""

    def __init__(self, fd: int, path: Path | str) -> None:
        """Wrap ``fd``, opened on ``path`` (closed by :func:`held`)."""
        self.fd = fd
        self._path = os.fspath(path)

    def is_sqlite(self) -> bool:
        """Whether the file is a regular file that starts like an SQLite database."""
        try:
            return stat.S_ISREG(os.fstat(self.fd).st_mode) and os.pread(self.fd, len(MAGIC), 0) == MAGIC
        except OSError:
            return False

    def stamp(self) -> str | None:
        """``dev:ino:size:counter`` of the file now; ``None`` when its header cannot be read."""
        try:
            header = os.pread(self.fd, COUNTER.stop, 0)
            st = os.fstat(self.fd)
        except OSError:
            return None
        if len(header) < COUNTER.stop:
            return None
        return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{int.from_bytes(header[COUNTER], 'big')}"

    def replaced(self) -> bool:
        """Whether the path now names another file than the one held (renamed over, or deleted)."""
        try:
            return not os.path.samestat(os.fstat(self.fd), os.stat(self._path))
        except OSError:
            return True

    def after_commit(self, before: str | None) -> str | None:
        """The stamp one commit by this process turned ``before`` into (the counter moves by one)."""
        if before is None:
            return None
        dev, ino, _, counter = before.split(":")
        try:
            size = os.fstat(self.fd).st_size
        except OSError:
            return None
        return f"{dev}:{ino}:{size}:{int(counter) + 1}"


@contextmanager
def held(path: Path | str) -> Iterator[HeldFile]:
    """The index file held open for the whole of a connection's life: open it first, close it last.

    Opened non-blocking, so a FIFO or a device left at the index path cannot block the open
    (``HeldFile.is_sqlite`` then says no). Raises ``OSError`` when the file cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield HeldFile(fd, path)
    finally:
        os.close(fd)


def _record(path: Path | str) -> str:
    return os.path.join(cache_folder(), "checked", hex_key(os.path.realpath(path)))


def is_checked(path: Path | str, current: str | None) -> bool:
    """Whether the file at ``path``, as stamped ``current``, is the one whose rows last passed the check."""
    if current is None:
        return False
    try:
        with open(_record(path), encoding="utf-8") as handle:
            return handle.read(256) == current
    except (OSError, UnicodeDecodeError):
        return False


def remember(path: Path | str, checked: str | None) -> None:
    """Record that the file stamped ``checked`` holds only well-typed rows (best effort, atomic)."""
    if checked is None:
        return
    with suppress(OSError):
        write_text(_record(path), checked, durable=False)  # a lost record only costs one more check
