"""Author stage, what a watch reports: changed skill folders, and the roots to watch.

The records a watcher hands to its callback (:class:`WatchBatch` of :class:`SkillEvent`),
and how the folders given on the command line become watch roots. Kept apart from the
watchdog machinery in ``loader.author.watch`` so readers of batches need not import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from loader.core.errors import PathNotFoundError, SkillpackError
from loader.validate.discover import discover
from loader.validate.layout import SKILL_FILE, SKIP_DIRS


class WatchUnavailableError(SkillpackError, OSError):
    """The operating system refused to watch the folders (e.g. the inotify watch limit)."""

    def __init__(self, *, roots: Sequence[Path], reason: str) -> None:
        super().__init__(reason)
        self.roots = tuple(roots)
        self.reason = reason

    def __str__(self) -> str:
        where = ", ".join(str(root) for root in self.roots)
        return (f"cannot watch {where}: {self.reason} (on Linux, raise fs.inotify.max_user_watches "
                "or watch fewer folders)")


class ChangeKind(StrEnum):
    """What happened to a skill folder."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class SkillEvent:
    """One skill folder that changed."""

    kind: ChangeKind
    path: Path
    """Absolute path of the skill folder."""
    root: Path
    """The watched root it is under."""


@dataclass(frozen=True, slots=True)
class WatchBatch:
    """The skill folders touched by one debounced burst of filesystem events."""

    events: tuple[SkillEvent, ...]
    """Sorted by path; each folder appears once."""
    first_event: float
    """``time.monotonic()`` of the first filesystem event in the burst (for save-to-update latency)."""


def skill_folders(roots: Sequence[Path]) -> set[Path]:
    return {d.path for d in discover(roots).skill_dirs}


def skipped(path: Path, root: Path) -> bool:
    return any(part in SKIP_DIRS for part in path.relative_to(root).parts)


def watch_roots(paths: Sequence[Path]) -> list[Path]:
    """Absolute, resolved folders to watch; a ``SKILL.md`` path stands for its folder.

    Raises:
        PathNotFoundError: a path does not exist.
    """
    roots = []
    for given in paths:
        if not given.exists():
            raise PathNotFoundError(path=given, what="skills folder")
        root = given.resolve()
        if root.is_file() and root.name != SKILL_FILE:
            raise PathNotFoundError(path=given, what="skills folder (got a file that is not SKILL.md)")
        roots.append(root.parent if root.is_file() else root)
    return roots
