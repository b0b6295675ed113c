"""Install and uninstall the skillpack hook in Claude Code's ``settings.json``.

Guarantees: every other setting and hook is kept as it was (key order included); the file is
replaced atomically, after a copy of the previous version is saved next to it; installing twice
changes nothing; uninstalling removes only the hook entries this tool writes (recognised by
their command line: ``<skills> hook --library ...``), and the containers it leaves empty.
A settings file that is not a JSON object is refused, never overwritten.
Format: https://docs.anthropic.com/en/docs/claude-code/hooks (``hooks`` -> event -> matcher
groups -> ``{"type": "command", "command": ..., "timeout": ...}``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.core.atomic import write_text
from loader.core.errors import UsageError

TIMEOUT_S = 15
"""Claude Code kills the hook after this; a warm run takes well under a second."""
EVENTS: dict[str, str | None] = {"UserPromptSubmit": None, "SessionStart": "compact|clear"}
"""Events the hook is installed for, with their matcher. ``SessionStart`` after a compaction or
``/clear`` resets the session memory, so skills dropped from the context are sent again."""
BACKUP_SUFFIX = ".skillpack-backup"
MAX_SETTINGS_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What an install or uninstall did."""

    path: Path
    changed: bool
    """False when the file already was in the wanted state (nothing written)."""
    backup: Path | None
    """The copy of the previous file, when one was written."""
    command: str | None = None
    """The hook command now configured (install only)."""


def settings_path(*, user: bool, project_dir: Path | None = None) -> Path:
    """``~/.claude/settings.json`` with ``user``, else ``<project>/.claude/settings.json``."""
    if user:
        return Path.home() / ".claude" / "settings.json"
    return (project_dir or Path.cwd()).resolve() / ".claude" / "settings.json"


def skills_command() -> list[str]:
    """How to start this installation's ``skills`` command, independent of the caller's PATH.

    The console script next to the running interpreter (the venv's), else the one on PATH,
    else the interpreter running the entry point directly.
    """
    sibling = Path(sys.executable).parent / ("skills.exe" if os.name == "nt" else "skills")
    if sibling.is_file():
        return [str(sibling)]
    found = shutil.which("skills")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-c", "from loader.cli.entry import run; run()"]


def hook_command(libraries: Sequence[Path], *, budget: int | None = None) -> str:
    """The shell command Claude Code runs; the library is recorded in it as absolute paths."""
    argv = [*skills_command(), "hook"]
    for library in libraries:
        argv += ["--library", str(Path(library).resolve())]
    if budget is not None:
        argv += ["--budget", str(budget)]
    return shlex.join(argv)


def is_our_command(command: object) -> bool:
    """True for a command this module writes: a ``skills`` invocation running ``hook --library``."""
    if not isinstance(command, str):
        return False
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    if "hook" not in argv:
        return False
    at = argv.index("hook")
    program = argv[:at]
    ours = (len(program) == 1 and Path(program[0]).name in ("skills", "skills.exe")) or (
        len(program) == 3 and program[1] == "-c" and "loader.cli.entry" in program[2])
    return ours and "--library" in argv[at + 1:]


def read_settings(path: Path) -> dict[str, Any]:
    """The settings object, ``{}`` when the file does not exist.

    Raises:
        UsageError: the file is not a JSON object (we refuse to rewrite what we cannot read).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(message=f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_SETTINGS_BYTES:
        raise UsageError(message=f"{path} is larger than {MAX_SETTINGS_BYTES // 1024 // 1024} MiB; not touching it")
    if not data.strip():
        return {}
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise UsageError(message=f"{path} is not valid JSON: {exc}",
                         hint="fix or move the file; skillpack does not overwrite settings it cannot read") from exc
    if not isinstance(doc, dict):
        raise UsageError(message=f"{path} holds a JSON {type(doc).__name__}, not an object")
    return doc


def _hooks_table(settings: dict[str, Any], path: Path) -> dict[str, Any]:
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise UsageError(message=f"'hooks' in {path} is not an object; not touching it")
    for event in EVENTS:
        groups = hooks.get(event, [])
        if not isinstance(groups, list):
            raise UsageError(message=f"'hooks.{event}' in {path} is not a list; not touching it")
    return hooks


def _remove_ours(hooks: dict[str, Any]) -> None:
    """Drop our command entries, and the groups and event lists that only held them."""
    for event in EVENTS:
        if event not in hooks:
            continue
        kept_groups = []
        for group in hooks[event]:
            inner = group.get("hooks") if isinstance(group, dict) else None
            if not isinstance(inner, list):
                kept_groups.append(group)
                continue
            kept = [h for h in inner if not (isinstance(h, dict) and is_our_command(h.get("command")))]
            if len(kept) == len(inner):
                kept_groups.append(group)
            elif kept:
                kept_groups.append({**group, "hooks": kept})
        if kept_groups:
            hooks[event] = kept_groups
        else:
            del hooks[event]


def install(path: Path, libraries: Sequence[Path], *, budget: int | None = None) -> SettingsChange:
    """Add (or update) the hook in the settings file at ``path``; idempotent."""
    settings = read_settings(path)
    before = json.dumps(settings, sort_keys=False)
    hooks = _hooks_table(settings, path)
    _remove_ours(hooks)
    command = hook_command(libraries, budget=budget)
    for event, matcher in EVENTS.items():
        group: dict[str, Any] = {} if matcher is None else {"matcher": matcher}
        group["hooks"] = [{"type": "command", "command": command, "timeout": TIMEOUT_S}]
        hooks.setdefault(event, []).append(group)
    settings["hooks"] = hooks
    if _same_as_before(before, settings):
        return SettingsChange(path, False, None, command)
    return SettingsChange(path, True, _write(path, settings), command)


def uninstall(path: Path) -> SettingsChange:
    """Remove the hook entries ``install`` wrote; leave everything else untouched."""
    if not path.exists():
        return SettingsChange(path, False, None)
    settings = read_settings(path)
    before = json.dumps(settings, sort_keys=False)
    if "hooks" not in settings:
        return SettingsChange(path, False, None)
    hooks = _hooks_table(settings, path)
    had_hooks = bool(hooks)
    _remove_ours(hooks)
    if had_hooks and not hooks:  # we emptied it, so it only held ours
        del settings["hooks"]
    if _same_as_before(before, settings):
        return SettingsChange(path, False, None)
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if not settings:  # the file held only our hook: remove it, and our backup, rather than leave `{}`
        path.unlink()
        backup.unlink(missing_ok=True)
        return SettingsChange(path, True, None)
    restored = _backup_equals(backup, settings)
    written = _write(path, settings)
    if restored:  # back to the version `install` saved: that backup (now of ours) is not needed any more
        backup.unlink(missing_ok=True)
        written = None
    return SettingsChange(path, True, written)


def _backup_equals(backup: Path, settings: dict[str, Any]) -> bool:
    try:
        return bool(json.loads(backup.read_text(encoding="utf-8")) == settings)
    except (OSError, ValueError):
        return False


def installed_command(path: Path) -> str | None:
    """The skillpack hook command configured in ``path``, if any (for status messages)."""
    try:
        hooks = read_settings(path).get("hooks", {})
    except UsageError:
        return None
    for group in hooks.get("UserPromptSubmit", []) if isinstance(hooks, dict) else []:
        for entry in group.get("hooks", []) if isinstance(group, dict) else []:
            if isinstance(entry, dict) and is_our_command(entry.get("command")):
                return str(entry["command"])
    return None


def _same_as_before(before: str, settings: dict[str, Any]) -> bool:
    return before == json.dumps(settings, sort_keys=False)


def _write(path: Path, settings: dict[str, Any]) -> Path | None:
    backup, mode = None, 0o644
    if path.exists():
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        shutil.copy2(path, backup)
        mode = path.stat().st_mode & 0o7777
    write_text(path, json.dumps(settings, indent=2, ensure_ascii=False) + "\n", mode=mode)
    return backup
