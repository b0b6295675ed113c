"""Decide which files of a skill folder are shipped: built-in excludes plus ``.skillignore``.

``.skillignore`` is gitignore, matched by ``pathspec`` (the matcher behind black, pre-commit
hooks and many packagers) rather than a hand-written subset: ``#`` comments, ``!`` to
re-include, a trailing ``/`` for folders, anchoring, ``*``/``?``/``[...]``, ``**`` and
escapes as git reads them. As in git, a file inside an excluded folder stays excluded even
when a later ``!`` pattern names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pathspec

from loader.core.regular import read_regular_text

IGNORE_FILE = ".skillignore"
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git/", ".hg/", ".svn/", "__pycache__/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/",
    ".DS_Store", "Thumbs.db", "desktop.ini", "*.pyc", "*.pyo",
    "*.swp", "*.swo", "*~", ".#*", "#*#", IGNORE_FILE,
)
"""Never shipped: VCS data, caches, OS litter, editor swap files and the ignore file itself."""

_MAX_PATTERNS = 1_000


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """Compiled patterns; ``ignored("a/b.txt")`` answers for a path relative to the skill folder."""

    spec: pathspec.GitIgnoreSpec

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, defaults: bool = True) -> IgnoreRules:
        """Compile ``lines`` (after the built-in excludes when ``defaults``); at most 1,000 of the user's."""
        own = [line.rstrip("\r\n") for line, _ in zip(lines, range(_MAX_PATTERNS), strict=False)]
        return cls(pathspec.GitIgnoreSpec.from_lines([*(DEFAULT_EXCLUDES if defaults else ()), *own]))

    @classmethod
    def for_folder(cls, folder: Path) -> IgnoreRules:
        """The rules for a skill folder: defaults plus its ``.skillignore`` when there is one."""
        path = folder / IGNORE_FILE
        lines: list[str] = []
        if path.is_file() and not path.is_symlink():
            lines = read_regular_text(path, errors="replace").splitlines()
        return cls.from_lines(lines)

    def ignored(self, rel: str) -> bool:
        """True when the file ``rel`` (POSIX, relative) or one of its parent folders is excluded."""
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if self.spec.match_file("/".join(parts[:depth]) + "/"):
                return True
        return self.spec.match_file(rel)
