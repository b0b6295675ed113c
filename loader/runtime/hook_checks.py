"""What ``skills hook install`` and ``hook check`` look at: duplicates, blocked reads, directories, a command that runs.

Claude Code loads ``.claude/skills`` on its own, so a library skill that is also there reaches
the model twice; a library outside the project needs ``permissions.additionalDirectories`` to be
read without a prompt, and cannot be read at all under ``blockReadsOutsideWorkingDirectories``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.core.regular import open_regular
from loader.runtime.hook_command import NOT_ON_PATH, portable_directory
from loader.runtime.hook_settings import installed_command
from loader.runtime.hook_state import log_path


def duplicated_skills(index: Any, project: Path) -> list[str]:
    """Names of indexed skills that also have a folder in ``project/.claude/skills``, sorted."""
    folder = project / ".claude" / "skills"
    if not folder.is_dir():
        return []
    present = {p.name for p in folder.iterdir() if (p / "SKILL.md").is_file()}
    return sorted(entry.name for entry in index.entries if entry.name in present)


def directory_entry(library: Path, project: Path, *, portable: bool) -> str:
    """The ``additionalDirectories`` entry for ``library``: without this machine's paths when ``portable``."""
    return portable_directory(library, project) if portable else str(library.resolve())


@dataclass(frozen=True, slots=True)
class CommandCheck:
    """Whether the hook command of one settings file runs on this machine."""

    settings: Path
    command: str
    ok: bool
    detail: str


def check_commands(project: Path, *, timeout: float = 30) -> list[CommandCheck]:
    """Run the skillpack hook command of every settings file that applies to ``project``, as Claude Code would.

    Each runs through ``sh -c`` with ``CLAUDE_PROJECT_DIR`` set and an event with an empty prompt
    (which adds nothing to any session); it fails when it exits non-zero, prints something other
    than JSON, or writes the "not on PATH" line to the hook log.
    """
    shell = shutil.which("sh")
    checks = []
    for path in (project / ".claude" / "settings.json", project / ".claude" / "settings.local.json",
                 Path.home() / ".claude" / "settings.json"):
        command = installed_command(path)
        if command is None:
            continue
        if shell is None:
            checks.append(CommandCheck(path, command, False, "no sh on this machine to run the command with"))
            continue
        checks.append(_run(path, command, shell, project, timeout))
    return checks


def _run(path: Path, command: str, shell: str, project: Path, timeout: float) -> CommandCheck:
    log = log_path()
    before = log.stat().st_size if log.is_file() else 0
    event = {"hook_event_name": "UserPromptSubmit", "session_id": "skillpack-hook-check", "prompt": "",
             "cwd": str(project)}
    env = {**os.environ, "CLAUDE_PROJECT_DIR": str(project)}
    try:
        done = subprocess.run([shell, "-c", command], input=json.dumps(event).encode(), capture_output=True,
                              env=env, cwd=project, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return CommandCheck(path, command, False, f"did not finish within {timeout:g} s")
    logged = ""
    if log.is_file() and log.stat().st_size > before:
        with open_regular(log) as handle:
            handle.seek(before)
            logged = handle.read(64 * 1024).decode("utf-8", "replace")
    if NOT_ON_PATH in logged:
        return CommandCheck(path, command, False, "the skills command is not on PATH here (pipx install skillpack, "
                                                  "or skills hook install --local)")
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return CommandCheck(path, command, False, f"exit {done.returncode}: {problem[0]}")
    try:
        if done.stdout.strip():
            json.loads(done.stdout)
    except ValueError:
        return CommandCheck(path, command, False, "printed something that is not JSON")
    return CommandCheck(path, command, True, "runs")
