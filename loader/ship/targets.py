"""Install targets: the folders agents read skills from, chosen by name (``claude``, ``agents``) or path.

``claude`` is Claude Code's ``.claude/skills``; ``agents`` is the open standard's shared
``.agents/skills``, read by Codex, Copilot, Cursor, Gemini CLI, opencode and goose (see
docs/shipping.md for the page of each). Each has a project and a ``--user`` (home) variant, and
any other folder can be given as a path. Every target keeps its own ``skills.lock``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from loader.core.errors import PathNotFoundError, UsageError
from loader.ship.lockfile import LOCK_FILE

PLUGIN_MANIFEST = Path(".claude-plugin") / "plugin.json"
TARGET_DIRS: dict[str, Path] = {"claude": Path(".claude") / "skills", "agents": Path(".agents") / "skills"}
"""Named targets and where their skills folder lies, under a project or under HOME (``--user``)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A folder of installed skills."""

    skills_dir: Path
    plugin_root: Path | None = None
    """The plugin folder, when installing into a plugin layout."""
    label: str = ""
    """How the target is named to the user: ``claude``, ``agents (user)``, ``plugin``, or its path."""

    @property
    def lock_path(self) -> Path:
        """The target's ``skills.lock``."""
        return self.skills_dir / LOCK_FILE

    @property
    def name(self) -> str:
        """The label, or the folder when the target has none."""
        return self.label or str(self.skills_dir)


def named_target(kind: str, *, user: bool = False, project: Path | None = None) -> Target:
    """The ``claude`` or ``agents`` target of a project (default: the cwd), or of HOME with ``user``."""
    base = Path.home() if user else (project or Path.cwd()).absolute()
    return Target(base / TARGET_DIRS[kind], None, f"{kind} (user)" if user else kind)


def choose_target(*, project: Path | None = None, user: bool = False, plugin: Path | None = None,
                  target: str | None = None) -> Target:
    """The install target for the command-line choice: ``--target claude`` in the cwd by default.

    Raises:
        UsageError: options that contradict each other.
    """
    if plugin is not None and (user or target is not None):
        raise UsageError(message="--plugin cannot be used together with --user or --target",
                         hint="a plugin folder is its own target")
    if plugin is not None:
        return Target(plugin.absolute() / "skills", plugin.absolute(), "plugin")
    kind = target or "claude"
    if kind in TARGET_DIRS:
        return named_target(kind, user=user, project=project)
    if user:
        raise UsageError(message=f"--user picks the home folder of a named target, not of {kind!r}",
                         hint="use --target claude or --target agents with --user, or give the folder alone")
    folder = Path(kind).expanduser()
    if not folder.is_absolute() and project is not None:
        folder = project / folder
    return Target(Path(os.path.abspath(folder)), None, str(Path(kind)))  # noqa: PTH100 (no '..' shown; links kept)


def find_target(path: Path) -> Target:
    """Interpret a TARGET argument: a skills folder with a lockfile, a plugin folder or a project."""
    if not path.is_dir():
        raise PathNotFoundError(path=path, what="install target folder")
    path = path.absolute()
    if (path / LOCK_FILE).is_file():
        plugin = path.parent if (path.parent / PLUGIN_MANIFEST).is_file() else None
        return Target(path, plugin, "plugin" if plugin else str(path))
    if (path / PLUGIN_MANIFEST).is_file():
        return Target(path / "skills", path, "plugin")
    return named_target("claude", project=path)


def found_targets(*, project: Path | None = None, user: bool | None = None) -> list[Target]:
    """Every named target whose folder exists: the project's (unless ``user`` is True), then HOME's.

    ``user=None`` looks at both, ``False`` at the project only, ``True`` at HOME only. A
    project that is HOME itself is listed once.
    """
    wanted = [False, True] if user is None else [user]
    seen: set[Path] = set()
    found = []
    for at_home in wanted:
        for kind in TARGET_DIRS:
            target = named_target(kind, user=at_home, project=project)
            key = target.skills_dir.resolve()
            if key not in seen and target.skills_dir.is_dir():
                seen.add(key)
                found.append(target)
    return found
