"""Where Claude Code keeps its configuration, and a tolerant reader for its JSON files.

Guarantees: reads only (never writes); every file is bounded in size; a missing file is
``{}``, and an unreadable, oversized or non-object file is reported as a problem string,
never raised, so ``skills doctor`` can name it as a finding. Locations follow Claude Code's
documentation (https://code.claude.com/docs/en/settings, https://code.claude.com/docs/en/env-vars):
``$CLAUDE_CONFIG_DIR`` (else ``~/.claude``) holds user settings, user skills and ``plugins/``;
a project holds ``.claude/settings.json`` (shared) and ``.claude/settings.local.json`` (personal).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.core.regular import read_regular_bytes

MAX_JSON_BYTES = 4 * 1024 * 1024
"""Settings and plugin registries are a few KB; anything past this is not Claude Code's."""


@dataclass(frozen=True, slots=True)
class JsonFile:
    """One JSON file as read: its object, or why it could not be used."""

    path: Path
    data: Mapping[str, Any] = field(default_factory=dict)
    """The top-level object (empty when missing or unusable)."""
    exists: bool = False
    problem: str | None = None
    """Why the file could not be used (not JSON, not an object, too large, unreadable)."""


@dataclass(frozen=True, slots=True)
class SettingsFile:
    """One of the settings files Claude Code merges, with its scope."""

    scope: str
    """``user``, ``project`` or ``local`` (lowest to highest precedence)."""
    file: JsonFile


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Claude Code's user folder: ``$CLAUDE_CONFIG_DIR`` when set to an absolute path, else ``~/.claude``."""
    env = os.environ if environ is None else environ
    value = env.get("CLAUDE_CONFIG_DIR", "").strip()
    if value:
        path = Path(value).expanduser()
        if path.is_absolute():
            return path
    return Path.home() / ".claude"


def read_json(path: Path) -> JsonFile:
    """Read a JSON object from ``path``; never raises."""
    try:
        data = read_regular_bytes(path, limit=MAX_JSON_BYTES)
    except FileNotFoundError:
        return JsonFile(path)
    except OSError as exc:
        return JsonFile(path, exists=True, problem=f"cannot be read: {exc.strerror or exc}")
    if len(data) > MAX_JSON_BYTES:
        return JsonFile(path, exists=True, problem=f"is larger than {MAX_JSON_BYTES // 1024 // 1024} MiB")
    if not data.strip():
        return JsonFile(path, exists=True)
    try:
        doc = json.loads(data)
    except ValueError as exc:  # includes UnicodeDecodeError
        return JsonFile(path, exists=True, problem=f"is not valid JSON ({exc})")
    if not isinstance(doc, dict):
        return JsonFile(path, exists=True, problem=f"holds a JSON {type(doc).__name__}, not an object")
    return JsonFile(path, doc, exists=True)


def settings_files(project: Path, *, config: Path) -> list[SettingsFile]:
    """The settings files Claude Code reads for ``project``, lowest precedence first."""
    return [
        SettingsFile("user", read_json(config / "settings.json")),
        SettingsFile("project", read_json(project / ".claude" / "settings.json")),
        SettingsFile("local", read_json(project / ".claude" / "settings.local.json")),
    ]


def merged_mapping(files: list[SettingsFile], key: str) -> dict[str, Any]:
    """``key`` (an object, e.g. ``enabledPlugins``) merged over the files, later scopes winning."""
    merged: dict[str, Any] = {}
    for settings in files:
        value = settings.file.data.get(key)
        if isinstance(value, dict):
            merged.update(value)
    return merged
