"""Decide which files of a skill folder are shipped: built-in excludes plus ``.skillignore``.

``.skillignore`` follows a subset of gitignore: one pattern a line, ``#`` comments, ``!`` to
re-include, a trailing ``/`` for folders only, a leading ``/`` (or any inner ``/``) to anchor
the pattern to the skill folder, ``*``/``?``/``[...]`` wildcards and ``**`` for any depth.
The last matching pattern wins; a file inside an excluded folder is excluded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

IGNORE_FILE = ".skillignore"
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git/", ".hg/", ".svn/", "__pycache__/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/",
    ".DS_Store", "Thumbs.db", "desktop.ini", "*.pyc", "*.pyo",
    "*.swp", "*.swo", "*~", ".#*", "#*#", IGNORE_FILE,
)
"""Never shipped: VCS data, caches, OS litter, editor swap files and the ignore file itself."""

_MAX_PATTERNS = 1_000


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    anchored: bool


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """Compiled patterns; ``ignored("a/b.txt")`` answers for a path relative to the skill folder."""

    patterns: tuple[_Pattern, ...]

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, defaults: bool = True) -> IgnoreRules:
        """Compile ``lines`` (after the built-in excludes when ``defaults``)."""
        source = [*(DEFAULT_EXCLUDES if defaults else ()), *lines]
        compiled = [p for p in (_compile(line) for line in source[: len(DEFAULT_EXCLUDES) + _MAX_PATTERNS]) if p]
        return cls(tuple(compiled))

    @classmethod
    def for_folder(cls, folder: Path) -> IgnoreRules:
        """The rules for a skill folder: defaults plus its ``.skillignore`` when there is one."""
        path = folder / IGNORE_FILE
        lines: list[str] = []
        if path.is_file() and not path.is_symlink():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return cls.from_lines(lines)

    def ignored(self, rel: str) -> bool:
        """True when the file ``rel`` (POSIX, relative) or one of its parent folders is excluded."""
        parts = PurePosixPath(rel).parts
        for depth in range(1, len(parts) + 1):
            if self._match("/".join(parts[:depth]), is_dir=depth < len(parts)):
                return True
        return False

    def _match(self, rel: str, *, is_dir: bool) -> bool:
        name = rel.rsplit("/", 1)[-1]
        verdict = False
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir:
                continue
            subject = rel if pattern.anchored else name
            if pattern.regex.fullmatch(subject):
                verdict = not pattern.negate
        return verdict


def _compile(line: str) -> _Pattern | None:
    text = line.rstrip("\r\n")
    if not text.strip() or text.startswith("#"):
        return None
    text = text.rstrip(" ")
    negate = text.startswith("!")
    if negate:
        text = text[1:]
    text = text.removeprefix("\\")  # "\#file" and "\!file" escape a leading # or !
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    anchored = "/" in text
    text = text.lstrip("/")
    if not text:
        return None
    if text.startswith("**/"):
        text, anchored = text[3:], "/" in text[3:]
    return _Pattern(re.compile(_glob_to_regex(text)), negate, dir_only, anchored)


def _glob_to_regex(glob: str) -> str:
    """Translate a gitignore glob: ``*`` and ``?`` stay within one path part, ``**`` crosses parts."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1:end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)
