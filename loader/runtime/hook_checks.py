"""What ``skills hook install`` checks around the settings it writes: duplicates, blocked reads, directory entries.

Claude Code loads ``.claude/skills`` on its own, so a library skill that is also there reaches
the model twice; a library outside the project needs ``permissions.additionalDirectories`` to be
read without a prompt, and cannot be read at all under ``blockReadsOutsideWorkingDirectories``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loader.core.errors import UsageError
from loader.runtime.hook_command import portable_directory
from loader.runtime.hook_settings import read_settings


def duplicated_skills(index: Any, project: Path) -> list[str]:
    """Names of indexed skills that also have a folder in ``project/.claude/skills``, sorted."""
    folder = project / ".claude" / "skills"
    if not folder.is_dir():
        return []
    present = {p.name for p in folder.iterdir() if (p / "SKILL.md").is_file()}
    return sorted(entry.name for entry in index.entries if entry.name in present)


def blocked_reads(project: Path) -> bool:
    """True when a settings file that applies to ``project`` sets ``blockReadsOutsideWorkingDirectories``."""
    for path in (Path.home() / ".claude" / "settings.json", project / ".claude" / "settings.json",
                 project / ".claude" / "settings.local.json"):
        try:
            permissions = read_settings(path).get("permissions")
        except UsageError:
            continue
        if isinstance(permissions, dict) and permissions.get("blockReadsOutsideWorkingDirectories") is True:
            return True
    return False


def directory_entry(library: Path, project: Path, *, portable: bool) -> str:
    """The ``additionalDirectories`` entry for ``library``: without this machine's paths when ``portable``."""
    return portable_directory(library, project) if portable else str(library.resolve())
