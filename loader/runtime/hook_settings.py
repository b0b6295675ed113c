"""Install and uninstall the skillpack hook in Claude Code's ``settings.json``.

Guarantees: every other setting and hook is kept as it was (key order included); the file is
replaced atomically, after a copy of the previous version is saved next to it; installing twice
changes nothing; uninstalling removes only the hook entries this tool writes (recognised by
their command line, ``loader.runtime.hook_command``), the ``permissions.additionalDirectories``
entries it recorded adding, and the containers it leaves empty.
A settings file that is not a JSON object is refused, never overwritten.
Format: https://docs.anthropic.com/en/docs/claude-code/hooks (``hooks`` -> event -> matcher
groups -> ``{"type": "command", "command": ..., "timeout": ...}``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.core.atomic import write_text
from loader.core.errors import UsageError
from loader.runtime.hook_command import added_directories, is_our_command, local_command, shared_command, with_added
from loader.runtime.settings_file import read_settings

TIMEOUT_S = 15
"""Claude Code kills the hook after this; a warm run takes well under a second."""
EVENTS: dict[str, str | None] = {"UserPromptSubmit": None, "SessionStart": "compact|clear"}
"""Events the hook is installed for, with their matcher. ``SessionStart`` after a compaction or
``/clear`` resets the session memory, so skills dropped from the context are sent again."""
BACKUP_SUFFIX = ".skillpack-backup"


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
    added: tuple[str, ...] = ()
    """``permissions.additionalDirectories`` entries this install added (install only)."""


def settings_path(*, user: bool, project_dir: Path | None = None, local: bool = False) -> Path:
    """``~/.claude/settings.json`` with ``user``, else the project's ``settings.json`` (``settings.local.json``)."""
    if user:
        return Path.home() / ".claude" / "settings.json"
    name = "settings.local.json" if local else "settings.json"
    return (project_dir or Path.cwd()).resolve() / ".claude" / name


def _hooks_table(settings: dict[str, Any], path: Path) -> dict[str, Any]:
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise UsageError(message=f"'hooks' in {path} is not an object; not touching it")
    for event in EVENTS:
        groups = hooks.get(event, [])
        if not isinstance(groups, list):
            raise UsageError(message=f"'hooks.{event}' in {path} is not a list; not touching it")
    return hooks


def _remove_ours(hooks: dict[str, Any]) -> list[str]:
    """Drop our command entries, and the groups and event lists that only held them.

    Returns the ``additionalDirectories`` entries the dropped commands say install added.
    """
    added: list[str] = []
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
            added += [a for h in inner if isinstance(h, dict) and is_our_command(h.get("command"))
                      for a in added_directories(str(h["command"]))]
            if len(kept) == len(inner):
                kept_groups.append(group)
            elif kept:
                kept_groups.append({**group, "hooks": kept})
        if kept_groups:
            hooks[event] = kept_groups
        else:
            del hooks[event]
    return sorted(set(added))


def _directories(settings: dict[str, Any], path: Path) -> list[Any] | None:
    permissions = settings.get("permissions", {})
    if not isinstance(permissions, dict):
        raise UsageError(message=f"'permissions' in {path} is not an object; not touching it")
    found = permissions.get("additionalDirectories")
    if found is not None and not isinstance(found, list):
        raise UsageError(message=f"'permissions.additionalDirectories' in {path} is not a list; not touching it")
    return found


def _drop_directories(settings: dict[str, Any], path: Path, drop: Sequence[str]) -> None:
    """Remove ``drop`` from ``additionalDirectories``, and the containers that only held them."""
    current = _directories(settings, path)
    if not drop or current is None:
        return
    kept = [d for d in current if d not in drop]
    permissions = settings["permissions"]
    if kept:
        permissions["additionalDirectories"] = kept
        return
    del permissions["additionalDirectories"]
    if not permissions:
        del settings["permissions"]


def _add_directories(settings: dict[str, Any], path: Path, wanted: Sequence[str]) -> list[str]:
    current = _directories(settings, path) or []
    added = [d for d in dict.fromkeys(wanted) if d not in current]
    if added:
        settings.setdefault("permissions", {})["additionalDirectories"] = [*current, *added]
    return added


def install(path: Path, libraries: Sequence[Path], *, budget: int | None = None, shared_project: Path | None = None,
            directories: Sequence[str] = ()) -> SettingsChange:
    """Add (or update) the hook in the settings file at ``path``; idempotent.

    With ``shared_project`` the command holds no absolute path (for a committed settings file),
    else this machine's. ``directories`` are added to ``permissions.additionalDirectories``
    where missing, and the command records which were added so uninstall removes only those.
    """
    settings = read_settings(path)
    before = json.dumps(settings, sort_keys=False)
    hooks = _hooks_table(settings, path)
    _drop_directories(settings, path, _remove_ours(hooks))
    added = _add_directories(settings, path, directories)
    command = (shared_command(libraries, shared_project, budget=budget) if shared_project is not None
               else local_command(libraries, budget=budget))
    command = with_added(command, added)
    for event, matcher in EVENTS.items():
        group: dict[str, Any] = {} if matcher is None else {"matcher": matcher}
        group["hooks"] = [{"type": "command", "command": command, "timeout": TIMEOUT_S}]
        hooks.setdefault(event, []).append(group)
    settings["hooks"] = hooks
    if _same_as_before(before, settings):
        return SettingsChange(path, False, None, command, tuple(added))
    return SettingsChange(path, True, _write(path, settings), command, tuple(added))


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
    _drop_directories(settings, path, _remove_ours(hooks))
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
    """Write ``settings`` atomically, through a symlink to its target, after a backup; never a read-only file.

    A ``settings.json`` that links into a dotfiles repository stays a link (the target is
    rewritten in place, next to itself); a read-only one is refused, not silently replaced.
    """
    backup, mode = None, 0o644
    target = path.resolve() if path.is_symlink() else path
    if target.exists():
        current = target.stat().st_mode
        if not current & 0o222:
            raise UsageError(message=f"{target} is read-only; skillpack does not override that",
                             hint=f"make it writable (chmod u+w {target}) or add the hook by hand")
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        shutil.copy2(target, backup)
        mode = current & 0o7777
    write_text(target, json.dumps(settings, indent=2, ensure_ascii=False) + "\n", mode=mode)
    return backup
