"""Index stage, change detection: which skill folders changed since the index was stored.

Guarantees: ``stat`` and a listing of changed folders only, never a walk of the library; the
answer is never "unchanged" when a full walk would have found a change, except edits that keep
a file's size and mtime (a walk misses those too). Folders and manifests modified less than
``RACY_NS`` before the index was taken are re-examined, as their timestamps cannot be trusted.
Whatever is hard to settle locally (a folder or skill removed, a folder that became a skill,
many folders changed at once) returns ``None``: the caller walks the whole library. Of each
entry it reads only the folder, signature and file list.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from operator import attrgetter

from loader.core.record import Record
from loader.index.stamps import RACY_NS, file_stamps, folder_signature, folder_tree
from loader.index.types import Index
from loader.validate.layout import MAX_DEPTH, SKILL_FILE, SKIP_DIRS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Final

_PATH = attrgetter("path")
RECHECK_LIMIT = 64
"""Changed folders above which one full walk (which reuses unchanged entries) is cheaper."""


class Plan(Record):
    """What a targeted refresh has to do."""

    __slots__ = ("folders", "tree", "tree_time", "rechecked")
    folders: Final[tuple[str, ...]]
    """Skill folders to re-index: edited, added, or too recently changed to trust."""
    tree: Final[dict[str, int]]
    """The folder mtimes after the refresh (changed folders re-read, new ones added)."""
    tree_time: Final[int]
    rechecked: Final[bool]
    """Some folder or manifest was re-examined only because its timestamp was too recent."""

    def __init__(self, folders: tuple[str, ...], tree: dict[str, int], tree_time: int, rechecked: bool) -> None:
        self.folders = folders
        self.tree = tree
        self.tree_time = tree_time
        self.rechecked = rechecked


def plan_refresh(index: Index, roots: Sequence[Path | str]) -> Plan | None:
    """The skill folders of ``roots`` that changed since ``index`` was taken; ``None``: walk it all."""
    resolved = tuple(os.path.realpath(r) for r in roots)  # strings: the hook does not import pathlib
    if not index.tree or index.roots != resolved:
        return None
    tree_time = time.time_ns()  # before any stat: a change during this check is seen next time
    racy_from = index.tree_time - RACY_NS
    folders: set[str] = set()
    dirs: list[str] = []
    rechecked = False
    stat, manifest = os.stat, os.sep + SKILL_FILE  # hot loops: one stat per folder and per file, nothing else
    tree = index.tree
    try:
        # A skill's folder, then its files (neighbours on disk are cheaper to stat one after the other).
        for entry in index.entries:  # what folder_signature gives, inlined (only signature, path, files are read)
            path = entry.path
            mtime = tree.get(path)
            if mtime is not None and (stat(path).st_mtime_ns != mtime or mtime >= racy_from):
                dirs.append(path)
                rechecked = rechecked or mtime >= racy_from
            st = stat(path + manifest)
            signature = f"SKILL.md:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
            if entry.files:
                signature += file_stamps(path + os.sep, entry.files)
            # An unchanged signature has SKILL.md's stamp as indexed (``loader.index.stamps.settled``),
            # so its current mtime is the indexed one.
            racy = st.st_mtime_ns >= racy_from
            if racy or signature != entry.signature:
                folders.add(path)
                rechecked = rechecked or racy
        # The other folders (roots, groups, skills' sub-folders), found with set operations, in path order.
        for folder in sorted(tree.keys() - set(map(_PATH, index.entries))):
            mtime = tree[folder]
            if stat(folder).st_mtime_ns != mtime or mtime >= racy_from:
                dirs.append(folder)
                rechecked = rechecked or mtime >= racy_from
        for path, (signature, _, files) in index.skipped.items():
            if folder_signature(path, files) != signature:
                folders.add(path)
    except (OSError, ValueError):
        return None  # something vanished: a walk sorts out what went with it
    if len(dirs) + len(folders) > RECHECK_LIMIT:
        return None
    tree = dict(tree)
    if dirs and not _settle_dirs(dirs, index, {*index.by_path, *index.skipped}, resolved, tree, folders):
        return None
    if folders:
        _retree(sorted(folders), tree, resolved)
    return Plan(tuple(sorted(folders)), tree, tree_time, rechecked)


def _settle_dirs(dirs: list[str], index: Index, skills: set[str], roots: tuple[str, ...],
                 tree: dict[str, int], folders: set[str]) -> bool:
    """Find the skill folders behind changed folders; False when only a full walk can tell."""
    children: dict[str, set[str]] = {}
    for folder in index.tree:
        children.setdefault(os.path.dirname(folder), set()).add(folder)  # noqa: PTH120
    for folder in dirs:
        owner = _owner(folder, skills, roots)
        if owner is not None:
            if owner not in index.skipped or tree.get(folder) != _mtime(folder):
                folders.add(owner)  # a file or sub-folder of a skill: re-index the skill
            continue  # (a broken skill is trusted by its signature, as a walk trusts it)
        if os.path.lexists(os.path.join(folder, SKILL_FILE)):  # noqa: PTH110, PTH118
            return False  # a plain folder became a skill
        depth = _depth(folder, roots)
        try:
            tree[folder] = os.stat(folder).st_mtime_ns  # noqa: PTH116
            with os.scandir(folder) as entries:
                subdirs = {e.path for e in entries
                           if e.name not in SKIP_DIRS and not e.is_symlink() and e.is_dir(follow_symlinks=False)}
        except OSError:
            return False
        if depth is None or children.get(folder, set()) - subdirs:
            return False  # a sub-folder went away (or the folder is outside the roots)
        if depth >= MAX_DEPTH:
            continue
        for sub in sorted(subdirs - children.get(folder, set())):
            added = folder_tree([sub], depth + 1)
            tree.update(added)
            folders.update(f for f in added if _is_new_skill(f, added))
    return True


def _mtime(folder: str) -> int | None:
    try:
        return os.stat(folder).st_mtime_ns  # noqa: PTH116
    except OSError:
        return None


def _is_new_skill(folder: str, added: dict[str, int]) -> bool:
    """A new folder holding SKILL.md that is not inside another new skill folder."""
    if not os.path.isfile(os.path.join(folder, SKILL_FILE)):  # noqa: PTH113, PTH118
        return False
    parent = os.path.dirname(folder)  # noqa: PTH120
    while parent in added:
        if os.path.isfile(os.path.join(parent, SKILL_FILE)):  # noqa: PTH113, PTH118
            return False
        parent = os.path.dirname(parent)  # noqa: PTH120
    return True


def _retree(folders: list[str], tree: dict[str, int], roots: tuple[str, ...]) -> None:
    """Re-read the sub-tree of each re-indexed skill folder (files or sub-folders may have come or gone)."""
    prefixes = tuple(f + os.sep for f in folders)
    owned = set(folders)
    for key in [k for k in tree if k in owned or k.startswith(prefixes)]:
        del tree[key]
    for folder in folders:
        depth = _depth(folder, roots)
        if depth is not None:
            tree.update(folder_tree([folder], depth))


def _owner(folder: str, skills: set[str], roots: tuple[str, ...]) -> str | None:
    """The skill folder ``folder`` is (or is inside), if any."""
    current = folder
    while True:
        if current in skills:
            return current
        if current in roots:
            return None
        parent = os.path.dirname(current)  # noqa: PTH120
        if parent == current:
            return None
        current = parent


def _depth(folder: str, roots: tuple[str, ...]) -> int | None:
    for root in roots:
        if folder == root:
            return 0
        if folder.startswith(root + os.sep):
            return folder[len(root) + 1:].count(os.sep) + 1
    return None
