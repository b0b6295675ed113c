"""The Claude Code plugins a project gets, read from the files Claude Code writes.

Claude Code records installed plugins in ``<config>/plugins/installed_plugins.json``
(format 2: ``{"version": 2, "plugins": {"name@marketplace": [{"scope": "user" | "project" |
"local", "projectPath": ..., "installPath": ...}]}}``; format 1 held one object per plugin,
user scope) and turns each on or off with ``enabledPlugins`` (``{"name@marketplace": true}``)
in the user, project and local settings, the later scope winning. A plugin's skills are the
folders under ``<installPath>/skills/`` plus the paths its ``.claude-plugin/plugin.json``
lists under ``skills`` (https://code.claude.com/docs/en/plugins-reference). Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.runtime.claude_config import JsonFile, SettingsFile, merged_mapping, read_json

REGISTRY = Path("plugins") / "installed_plugins.json"
"""The registry's place under Claude Code's config folder."""


@dataclass(frozen=True, slots=True)
class Plugin:
    """One plugin as Claude Code would load it for this project (or not)."""

    key: str
    """``name@marketplace``, as in the registry and ``enabledPlugins``."""
    name: str
    """The plugin's name: its skills are listed as ``name:skill``."""
    scope: str
    """The installation's scope (``user``, ``project``, ``local``), or ``""`` when not installed."""
    install_path: Path | None
    enabled: bool
    enabled_in: str
    """Which settings scope decided ``enabled`` (``""`` when none mentions the plugin)."""
    found_by: str
    """How it was found, for the report."""

    @property
    def installed(self) -> bool:
        """True when the registry has an installation whose folder exists."""
        return self.install_path is not None and self.install_path.is_dir()


@dataclass(frozen=True, slots=True)
class PluginScan:
    """The plugins found, and the registry as read (for its problem, if any)."""

    plugins: tuple[Plugin, ...]
    registry: JsonFile


def find_plugins(config: Path, project: Path, settings: list[SettingsFile]) -> PluginScan:
    """Every plugin installed for ``project`` or enabled in its settings, sorted by key."""
    registry = read_json(config / REGISTRY)
    installs = _installations(registry.data, project)
    enabled = merged_mapping(settings, "enabledPlugins")
    deciding = {key: s.scope for s in settings for key in _mapping(s.file.data.get("enabledPlugins"))}
    plugins = []
    for key in sorted(set(installs) | {k for k in enabled if isinstance(k, str)}):
        scope, path = installs.get(key, ("", None))
        name = _plugin_name(path, key)
        how = (f"{registry.path} ({scope} scope)" if path is not None
               else f"enabledPlugins in the {deciding.get(key, '?')} settings, no installation in {registry.path}")
        plugins.append(Plugin(key, name, scope, path, enabled.get(key) is True, deciding.get(key, ""), how))
    return PluginScan(tuple(plugins), registry)


def plugin_skill_roots(plugin: Plugin) -> list[Path]:
    """Folders to search for the plugin's skills: ``skills/`` and the manifest's ``skills`` paths."""
    if plugin.install_path is None:
        return []
    roots = [plugin.install_path / "skills"]
    manifest = read_json(plugin.install_path / ".claude-plugin" / "plugin.json").data
    extra = manifest.get("skills")
    for entry in [extra] if isinstance(extra, str) else extra if isinstance(extra, list) else []:
        if isinstance(entry, str) and entry.strip():
            candidate = (plugin.install_path / entry).resolve()
            if _inside(candidate, plugin.install_path.resolve()) and candidate not in roots:
                roots.append(candidate)
    return [root for root in roots if root.is_dir()]


def _installations(registry: Mapping[str, Any], project: Path) -> dict[str, tuple[str, Path]]:
    """``key -> (scope, installPath)`` for the installations that apply to ``project``."""
    found: dict[str, tuple[str, Path]] = {}
    plugins = registry.get("plugins")
    if not isinstance(plugins, dict):
        return found
    resolved = project.resolve()
    for key, value in plugins.items():
        entries = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("installPath"), str):
                continue
            scope = entry.get("scope") if isinstance(entry.get("scope"), str) else "user"
            where = entry.get("projectPath")
            if scope in ("project", "local") and not (isinstance(where, str) and Path(where).resolve() == resolved):
                continue  # installed for another project
            if key not in found or scope in ("project", "local"):  # the project's own install wins
                found[str(key)] = (str(scope), Path(entry["installPath"]).expanduser())
    return found


def _plugin_name(install_path: Path | None, key: str) -> str:
    if install_path is not None:
        name = read_json(install_path / ".claude-plugin" / "plugin.json").data.get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return key.partition("@")[0]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
