"""Usage stage, locate: where Claude Code keeps a project's transcripts, and which files to read.

Guarantees: follows Claude Code's own naming (``$CLAUDE_CONFIG_DIR``, else ``~/.claude``, then
``projects/<encoded project path>/<session id>.jsonl``); lists files in a stable order, bounded
in number; a missing folder is a clear error naming it, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from loader.core.errors import PathNotFoundError, UsageError
from loader.usage.transcripts import encode_project

MAX_FILES = 200_000
"""Transcript files read at most in one run (a guard against pointing at ``/``)."""


def claude_dir() -> Path:
    """Claude Code's configuration folder: ``$CLAUDE_CONFIG_DIR`` when set to an absolute path, else ``~/.claude``."""
    value = os.environ.get("CLAUDE_CONFIG_DIR", "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".claude"


def projects_dir() -> Path:
    """The folder holding one transcript folder per project."""
    return claude_dir() / "projects"


def project_transcripts(project: Path) -> Path:
    """The transcript folder of the project at ``project`` (an absolute path)."""
    return projects_dir() / encode_project(project.resolve())


def transcript_files(sources: Sequence[Path], *, since: date | None = None) -> list[Path]:
    """The ``.jsonl`` files under ``sources`` (files or folders, searched recursively), sorted.

    Files last written before ``since`` are left out unread: they cannot hold a later turn.

    Raises:
        PathNotFoundError: a source does not exist.
        UsageError: more than ``MAX_FILES`` files.
    """
    cutoff = datetime.combine(since, datetime.min.time(), UTC).timestamp() if since else None
    found: set[Path] = set()
    for source in sources:
        if not source.exists():
            raise PathNotFoundError(path=source, what="transcript folder")
        candidates = [source] if source.is_file() else source.rglob("*.jsonl")
        for path in candidates:
            try:
                if not path.is_file() or (cutoff is not None and path.stat().st_mtime < cutoff):
                    continue
            except OSError:
                continue
            found.add(path)
            if len(found) > MAX_FILES:
                raise UsageError(message=f"more than {MAX_FILES} transcript files under {source}",
                                 hint="point --transcripts at one project's folder")
    return sorted(found)


def default_sources(*, all_projects: bool, cwd: Path | None = None) -> list[Path]:
    """The current project's transcript folder, or every project's with ``all_projects``.

    Raises:
        UsageError: the folder does not exist (the message names it and what to pass instead).
    """
    folder = projects_dir() if all_projects else project_transcripts(cwd or Path.cwd())
    if not folder.is_dir():
        raise UsageError(message=f"no Claude Code transcripts at {folder}",
                         hint="run this in a project you used Claude Code in, pass --all-projects, "
                              "or pass --transcripts DIR")
    return [folder]
