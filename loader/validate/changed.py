"""Changed files -> the skill folders they belong to, for checks that run on a diff (pre-commit).

A file belongs to the nearest folder above it (or itself, for a folder) that holds a
``SKILL.md``; the walk up is bounded and stops at the working directory's root, so a file
outside every skill is simply skipped. Paths that no longer exist are skipped too (a deleted
file has no skill left to check, and pre-commit does not pass them anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loader.validate.layout import MAX_DEPTH, SKILL_FILE


def skill_folders_of(paths: Sequence[Path], *, stop: Path | None = None) -> list[Path]:
    """The skill folders holding ``paths``, each once, in first-seen order.

    Args:
        paths: changed files or folders.
        stop: the folder the walk up never leaves (default: the working directory, when the
            path is inside it).
    """
    stop = (stop or Path.cwd()).resolve()
    found: list[Path] = []
    for given in paths:
        if not given.exists():
            continue
        path = given.resolve()
        folder = path if path.is_dir() else path.parent
        for _ in range(MAX_DEPTH + 1):
            if (folder / SKILL_FILE).is_file():
                if folder not in found:
                    found.append(folder)
                break
            if folder == stop or folder.parent == folder:
                break
            folder = folder.parent
    return found
