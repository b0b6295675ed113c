"""Index stage, location: where the index of a library is kept.

Guarantees: next to the library (``.skillpack/index.sqlite``) only when the library is a
folder of skills that may be written, judged by access check *and* mode bits (root passes
every access check); otherwise in the user cache, under a name derived from the resolved
library paths, so a read-only or single-skill library is never written into.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence

from loader.core.digest import hex_key
from loader.core.userdirs import cache_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

INDEX_DIR = ".skillpack"
INDEX_FILE = "index.sqlite"


def default_index_path(roots: Sequence[Path | str]) -> Path:
    """Where the index of ``roots`` lives by default.

    ``.skillpack/index.sqlite`` inside the first root when that is a folder of skills that can
    be written, else a file in the user cache directory named after a hash of the resolved
    roots (read-only libraries, and roots that are a single skill, which must stay clean).
    """
    from pathlib import Path

    return Path(index_file(roots))


def index_file(roots: Sequence[Path | str]) -> str:
    """:func:`default_index_path` as a string (the hook's path does not import pathlib)."""
    resolved = [os.path.realpath(r) for r in roots] or [os.path.realpath("skills")]
    first = resolved[0]
    local = os.path.join(first, INDEX_DIR, INDEX_FILE)
    if os.path.isdir(first) and not os.path.exists(os.path.join(first, "SKILL.md")) and _writable(local):
        return local
    return cache_index_file(resolved)


def cache_index_path(roots: Sequence[Path | str]) -> Path:
    """The user-cache location for the index of ``roots`` (used for read-only libraries)."""
    from pathlib import Path

    return Path(cache_index_file(roots))


def cache_index_file(roots: Sequence[Path | str]) -> str:
    """:func:`cache_index_path` as a string."""
    key = hex_key("\0".join(os.path.realpath(r) for r in roots))
    return os.path.join(cache_folder(), f"{key}.sqlite")


def _writable(path: str) -> bool:
    """Whether ``path`` may be written: by access check *and* by mode bits.

    ``os.access`` says yes to root for everything, so a library whose folders carry no write
    bit at all (a read-only checkout, CI's shared copy) also counts as read-only.
    """
    parent = os.path.dirname(path)
    folder = parent if os.path.isdir(parent) else os.path.dirname(parent)
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK) or not _has_write_bit(folder):
        return False
    return not os.path.exists(path) or (os.access(path, os.W_OK) and _has_write_bit(path))


def _has_write_bit(path: str) -> bool:
    return bool(os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
