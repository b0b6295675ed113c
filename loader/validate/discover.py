"""Discover stage: find skill folders (folders holding ``SKILL.md``) under given roots.

The walk is bounded (depth, entries, files per skill), skips VCS and dependency folders,
and never follows a symlink out of its root, so a hostile tree cannot hang or escape it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from loader.core.errors import PathNotFoundError
from loader.core.model import Diagnostic, Severity
from loader.core.record import Record
from loader.validate.layout import MAX_DEPTH, SKILL_FILE, SKIP_DIRS

MAX_ENTRIES = 500_000
"""Directory entries looked at per root before the walk stops with a warning."""
MAX_SKILL_FILES = 2_000


class SkillDir(Record):
    """A folder holding a SKILL.md, and the files inside it.

    Attributes:
        path: absolute path of the skill folder.
        root: the root it was found under.
        files: files other than SKILL.md, sorted POSIX paths relative to the folder.
    """

    __slots__ = ("path", "root", "files")

    def __init__(self, path: Path, root: Path, files: tuple[str, ...]) -> None:
        """Record a skill folder found under ``root``."""
        self.path, self.root, self.files = path, root, files

    @property
    def manifest_path(self) -> Path:
        """Path of the folder's SKILL.md."""
        return self.path / SKILL_FILE


class Discovery(Record):
    """What a walk found: skill folders in root order, problems met on the way, and the folders it listed.

    ``listed`` is every folder the walk read (or tried to), skill folders' sub-folders included:
    while none of them changed (by their stamps), a walk would find the same
    (``loader.validate.snapshot``).
    """

    __slots__ = ("skill_dirs", "diagnostics", "listed")

    def __init__(self, skill_dirs: tuple[SkillDir, ...], diagnostics: tuple[Diagnostic, ...],
                 listed: tuple[str, ...] = ()) -> None:
        """Record a walk's findings."""
        self.skill_dirs, self.diagnostics, self.listed = skill_dirs, diagnostics, listed


def discover(roots: Sequence[Path]) -> Discovery:
    """Find every skill folder under ``roots``, in root order, sorted within each root.

    Raises:
        PathNotFoundError: a root does not exist.
    """
    found: list[SkillDir] = []
    diagnostics: list[Diagnostic] = []
    listed: list[str] = []
    seen: set[Path] = set()
    for given in roots:
        root = _resolve_root(given)
        for skill_dir in _walk_root(root, diagnostics, listed):
            if skill_dir.path not in seen:
                seen.add(skill_dir.path)
                found.append(skill_dir)
    return Discovery(tuple(found), tuple(diagnostics), tuple(listed))


def _note_case_variant(folder: Path, names: Iterable[str], diagnostics: list[Diagnostic]) -> None:
    """A ``skill.md`` in another case is found but not read: Claude Code wants ``SKILL.md``."""
    for name in sorted(n for n in names if n.lower() == SKILL_FILE.lower()):
        hint = f"rename it: git mv {name} {SKILL_FILE} (on macOS or Windows via a temporary name)"
        diagnostics.append(Diagnostic(folder / name, None, "manifest-case", Severity.WARNING,
                                      f"{name} is not read as a skill: the file must be named {SKILL_FILE}", hint))


def _resolve_root(given: Path) -> Path:
    if not given.exists():
        raise PathNotFoundError(path=given, what="skills folder")
    root = given.resolve()
    if root.is_file():
        if root.name != SKILL_FILE:
            raise PathNotFoundError(path=given, what="skills folder (got a file that is not SKILL.md)")
        root = root.parent
    return root


def _walk_root(root: Path, diagnostics: list[Diagnostic], listed: list[str]) -> Iterable[SkillDir]:
    # Strings, not Paths, until a skill folder is found: a Path per entry was most of a cached
    # run's walk (1,000 skills: ~7,200 Path objects, ~60 ms; on strings ~25 ms).
    scan = _Scanner(diagnostics, listed)
    top = str(root)
    stack: list[tuple[str, int]] = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        entries = scan(folder)
        if entries is None:
            continue
        manifest = next((entry for entry in entries if entry.name == SKILL_FILE), None)
        if manifest is not None and _manifest_inside(manifest, root, diagnostics):
            yield SkillDir(Path(folder), root, _skill_files(folder, entries, diagnostics, scan))
            continue
        if manifest is None:
            _note_case_variant(Path(folder), [entry.name for entry in entries], diagnostics)
        if depth >= MAX_DEPTH:
            continue
        subdirs = []
        for entry in entries:
            if entry.name in SKIP_DIRS:
                continue
            if entry.is_symlink():
                _report_dir_symlink(Path(entry.path), root, diagnostics)
            elif entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.path)
        stack.extend((sub, depth + 1) for sub in reversed(subdirs))  # entries are sorted by name


class _Scanner:
    """Lists folders for one walk, sorted by name: keeps the walk's entry budget and what it listed."""

    def __init__(self, diagnostics: list[Diagnostic], listed: list[str]) -> None:
        self.diagnostics, self.listed, self.budget = diagnostics, listed, MAX_ENTRIES

    def __call__(self, folder: str) -> list[os.DirEntry[str]] | None:
        """The folder's entries; ``None`` (with a warning) when it cannot be read or the budget is spent."""
        if self.budget <= 0:
            return None
        self.listed.append(folder)
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=_name)
        except PermissionError:
            self.diagnostics.append(Diagnostic(Path(folder), None, "file-unreadable", Severity.WARNING,
                                               "folder cannot be read (permission denied); skipped",
                                               "make it readable, or move it out of the skills folder"))
            return None
        except OSError as exc:
            self.diagnostics.append(Diagnostic(Path(folder), None, "file-unreadable", Severity.WARNING,
                                               f"folder cannot be read: {exc.strerror or exc}; skipped", ""))
            return None
        self.budget -= len(entries)
        if self.budget <= 0:
            self.diagnostics.append(Diagnostic(Path(folder), None, "tree-too-large", Severity.WARNING,
                                               f"stopped after {MAX_ENTRIES} entries; the rest was not searched",
                                               "point skillpack at the folder that holds your skills"))
        return entries


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _manifest_inside(entry: os.DirEntry[str], root: Path, diagnostics: list[Diagnostic]) -> bool:
    """A SKILL.md symlink is used only when it points to a file inside the root."""
    if not entry.is_symlink():
        return entry.is_file(follow_symlinks=False)
    path = Path(entry.path)
    target = _resolve_link(path)
    if target is None or not _inside(target, root):
        diagnostics.append(Diagnostic(path, None, "symlink-escape", Severity.ERROR,
                                      "SKILL.md is a symlink to outside the skills root (or a broken one); skipped",
                                      "replace the symlink with the real file"))
        return False
    return target.is_file()


def _resolve_link(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on Python < 3.13
        return None


def _report_dir_symlink(path: Path, root: Path, diagnostics: list[Diagnostic]) -> None:
    target = _resolve_link(path)
    if target is None:
        diagnostics.append(Diagnostic(path, None, "symlink-loop", Severity.WARNING,
                                      "symlink is broken or loops; not followed",
                                      "remove the symlink or point it at a real folder"))
    elif not _inside(target, root):
        diagnostics.append(Diagnostic(path, None, "symlink-escape", Severity.WARNING,
                                      "symlink points outside the skills root; not followed",
                                      "copy the folder in, or pass its real location as another root"))
    # A symlink to a folder inside the root is skipped quietly: the real folder is walked anyway.


def _skill_files(folder: str, scanned: list[os.DirEntry[str]], diagnostics: list[Diagnostic],
                 scan: _Scanner) -> tuple[str, ...]:
    """The files of a skill folder whose own entries the walk has ``scanned`` already (not read twice)."""
    files: list[str] = []
    stack = [(folder, "", 0)]  # a folder, its path relative to the skill folder (with a trailing /), depth
    while stack:
        current, prefix, depth = stack.pop()
        entries = scanned if not prefix else scan(current) or []
        for entry in entries:
            name = entry.name
            if name in SKIP_DIRS or (name == SKILL_FILE and not prefix):
                continue
            if entry.is_symlink():
                path = Path(entry.path)
                target = _resolve_link(path)
                if target is not None and _inside(target, Path(folder)) and target.is_file():
                    files.append(prefix + name)
                else:
                    _report_dir_symlink(path, Path(folder), diagnostics)
            elif entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    stack.append((entry.path, f"{prefix}{name}/", depth + 1))
            elif entry.is_file(follow_symlinks=False):
                files.append(prefix + name)
        if len(files) > MAX_SKILL_FILES:
            diagnostics.append(Diagnostic(Path(folder), None, "skill-too-many-files", Severity.WARNING,
                                          f"skill folder holds more than {MAX_SKILL_FILES} files; the rest are ignored",
                                          "keep generated or vendored files out of skill folders"))
            break
    return tuple(sorted(files[:MAX_SKILL_FILES]))
