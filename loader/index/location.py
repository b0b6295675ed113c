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
from pathlib import Path

from loader.core.digest import hex_key
from loader.core.userdirs import cache_dir

INDEX_DIR = ".skillpack"
INDEX_FILE = "index.sqlite"


def default_index_path(roots: Sequence[Path]) -> Path:
    """Where the index of ``roots`` lives by default.

    ``.skillpack/index.sqlite`` inside the first root when that is a folder of skills that can
    be written, else a file in the user cache directory named after a hash of the resolved
    roots (read-only libraries, and roots that are a single skill, which must stay clean).
    """
    resolved = [Path(r).resolve() for r in roots] or [Path("skills").resolve()]
    first = resolved[0]
    local = first / INDEX_DIR / INDEX_FILE
    if first.is_dir() and not (first / "SKILL.md").exists() and _writable(local):
        return local
    return cache_index_path(resolved)


def cache_index_path(roots: Sequence[Path]) -> Path:
    """The user-cache location for the index of ``roots`` (used for read-only libraries)."""
    key = hex_key("\0".join(str(Path(r).resolve()) for r in roots))
    return cache_dir() / f"{key}.sqlite"


def _writable(path: Path) -> bool:
    """Whether ``path`` may be written: by access check *and* by mode bits.

    ``os.access`` says yes to root for everything, so a library whose folders carry no write
    bit at all (a read-only checkout, CI's shared copy) also counts as read-only.
    """
    folder = path.parent if path.parent.is_dir() else path.parent.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK) or not _has_write_bit(folder):
        return False
    return not path.exists() or (os.access(path, os.W_OK) and _has_write_bit(path))


def _has_write_bit(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
