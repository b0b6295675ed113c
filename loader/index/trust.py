"""Index storage, checked files: skip re-checking the row types of an index file nobody changed.

Opening an index checks the type of every column of every row (a crafted or damaged file must
read as "no index", not crash later); at 10,000 skills that is a tenth of an open. This module
remembers, in the user's cache directory (never next to the library, which may come from
anyone), the identity of the last file that passed: device, inode, size and SQLite's file
change counter, which SQLite bumps on every committed write. Any write by anything changes
the counter, a replaced file has another inode, so a remembered stamp only ever matches the
very bytes that were checked. Writers that start from a checked file and write only typed rows
record the stamp their own commit produces.

Guarantees: read while the caller's transaction holds the file (no writer can commit in
between); any doubt (unreadable header or record, a counter that moved more than the
writer's own commit) means "check again", never "trust".
"""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from pathlib import Path

from loader.core.atomic import write_text
from loader.core.userdirs import cache_dir

COUNTER = slice(24, 28)
"""Where the SQLite header keeps the file change counter (big-endian)."""


def stamp(path: Path) -> str | None:
    """``dev:ino:size:counter`` of the index file now; ``None`` when it cannot be read."""
    try:
        with Path(path).open("rb") as handle:
            header = handle.read(COUNTER.stop)
            st = os.fstat(handle.fileno())
    except OSError:
        return None
    if len(header) < COUNTER.stop:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{int.from_bytes(header[COUNTER], 'big')}"


def after_commit(before: str | None, path: Path) -> str | None:
    """The stamp a single commit by this process turned ``before`` into (the counter moves by one)."""
    if before is None:
        return None
    dev, ino, _, counter = before.split(":")
    try:
        size = os.stat(path).st_size  # noqa: PTH116
    except OSError:
        return None
    return f"{dev}:{ino}:{size}:{int(counter) + 1}"


def _record(path: Path) -> Path:
    key = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "checked" / key


def is_checked(path: Path, current: str | None) -> bool:
    """Whether the file at ``path``, as stamped ``current``, is the one whose rows last passed the check."""
    if current is None:
        return False
    try:
        return _record(path).read_text(encoding="utf-8") == current
    except (OSError, UnicodeDecodeError):
        return False


def remember(path: Path, checked: str | None) -> None:
    """Record that the file stamped ``checked`` holds only well-typed rows (best effort, atomic)."""
    if checked is None:
        return
    with suppress(OSError):
        write_text(_record(path), checked, durable=False)  # a lost record only costs one more check
