"""Index stage, change stamps: how the index tells that a skill folder changed without reading it.

A skill's ``signature`` is the ``size:mtime_ns:ctime_ns`` of SKILL.md and of every other file
in its folder, as plain text (the change time too: a copy that keeps size and mtime, as
``cp -p`` or an archive dated 1980 does, still gets a new ctime, which nobody can set); the
library's ``tree`` is every folder's mtime. Building records them, planning a refresh compares
them with the disk. Timestamps are coarse, so anything changed
within :data:`RACY_NS` of a walk is re-examined rather than trusted (git's "racy clean").
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from loader.validate.layout import MAX_DEPTH, SKIP_DIRS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

RACY_NS = 2_000_000_000
"""Folders modified less than this before the last walk are re-walked rather than trusted."""


def is_racy(tree: Mapping[str, int], tree_time: int) -> bool:
    """True when a folder of ``tree`` changed so shortly before the walk at ``tree_time`` (ns)
    that its mtime cannot be trusted.

    Timestamps are coarse (a clock tick, often 4 ms): a folder changed just before the walk
    could change again within the same tick unseen (git's "racy clean" problem).
    """
    return not tree or max(tree.values()) >= tree_time - RACY_NS


def folder_tree(roots: Sequence[Path | str], depth: int = 0) -> dict[str, int]:
    tree: dict[str, int] = {}
    stack = [(os.fspath(root), depth) for root in roots if os.path.isdir(root)]
    while stack:
        folder, depth = stack.pop()
        try:
            tree[folder] = os.stat(folder).st_mtime_ns
            with os.scandir(folder) as entries:
                subdirs = [e.path for e in entries
                           if e.name not in SKIP_DIRS and not e.is_symlink() and e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        if depth < MAX_DEPTH:
            stack.extend((sub, depth + 1) for sub in subdirs)
    return tree


def folder_signature(folder: str | Path, files: Sequence[str]) -> str:
    """``SKILL.md:size:mtime_ns:ctime_ns``, then one such line per other file (``?`` when it cannot be read).

    Kept as plain text, not hashed: comparing it is what every open does for every skill,
    and formatting a few numbers is several times cheaper than hashing them.
    """
    base = f"{folder}{os.sep}"  # plain strings: this runs for every skill on every open
    st = os.stat(base + "SKILL.md")  # noqa: PTH116 - hot path
    signature = f"SKILL.md:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    return signature + file_stamps(base, files) if files else signature


def file_stamps(base: str, files: Sequence[str]) -> str:
    """The signature lines of ``files`` (relative to ``base``, which ends with a separator)."""
    lines = ""
    for rel in files:
        try:
            st = os.stat(base + rel)  # noqa: PTH116
            lines += f"\n{rel}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
        except OSError:
            lines += f"\n{rel}:?"
    return lines


def settled(signature: str, manifest_stat: str) -> str:
    """``signature``, unless SKILL.md changed between it and ``manifest_stat`` (taken after reading).

    Then the first line becomes ``SKILL.md:?``, which no stat gives, so the next check re-reads
    the skill. This keeps a signature that matches the disk equal to ``manifest_stat`` for SKILL.md,
    which lets change detection judge a racy timestamp from the file's current mtime.
    """
    first, sep, rest = signature.partition("\n")
    return signature if first == f"SKILL.md:{manifest_stat}" else f"SKILL.md:?{sep}{rest}"
