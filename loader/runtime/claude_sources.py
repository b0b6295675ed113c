"""Every folder of skills an agent reads for one project, with how each was found.

Claude Code reads, in this order of precedence for equal names: the user's skills
(``<config>/skills``), the project's (``.claude/skills``), those of directories added with
``permissions.additionalDirectories`` (their ``.claude/skills``, since Claude Code 2.1.32), and
the skills of enabled plugins (listed as ``plugin:skill``, so they never clash with the others;
https://code.claude.com/docs/en/skills). ``.agents/skills`` (project and user) is the shared
folder other agents read (Codex, Copilot, Cursor, Gemini CLI, ...); Claude Code does not.
Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from loader.runtime.claude_config import SettingsFile, config_dir, settings_files
from loader.runtime.claude_plugins import Plugin, PluginScan, find_plugins, plugin_skill_roots


@dataclass(frozen=True, slots=True)
class Source:
    """One folder of skills."""

    kind: str
    """``user``, ``project``, ``added-dir``, ``plugin``, ``agents-project`` or ``agents-user``."""
    label: str
    """A short name for the report (``user``, ``project``, ``plugin pdf-kit@acme``)."""
    roots: tuple[Path, ...]
    found_by: str
    """How the folder was found (the path rule or the registry entry)."""
    claude_reads: bool
    """False for folders only other agents read."""
    namespace: str = ""
    """The plugin's name: its skills are listed as ``namespace:skill``."""


@dataclass(frozen=True, slots=True)
class SourceScan:
    """What :func:`find_sources` found, plus what it read to find it."""

    project: Path
    config: Path
    sources: tuple[Source, ...]
    settings: tuple[SettingsFile, ...]
    plugins: PluginScan


def find_sources(project: Path, environ: Mapping[str, str] | None = None) -> SourceScan:
    """The skill sources of ``project``, Claude Code's first (in precedence order), then other agents'."""
    project = project.resolve()
    config = config_dir(environ)
    settings = settings_files(project, config=config)
    sources: list[Source] = []
    user = config / "skills"
    if user.is_dir():
        sources.append(Source("user", "user", (user,), f"{_config_rule(environ)}/skills", True))
    own = project / ".claude" / "skills"
    if own.is_dir():
        sources.append(Source("project", "project", (own,), "<project>/.claude/skills", True))
    for folder, scope in _added_dirs(settings, project):
        skills = folder / ".claude" / "skills"
        if skills.is_dir() and skills != own:
            sources.append(Source("added-dir", f"added dir {folder}", (skills,),
                                  f"permissions.additionalDirectories in the {scope} settings", True))
    scan = find_plugins(config, project, settings)
    sources += [_plugin_source(plugin) for plugin in scan.plugins if plugin.enabled and plugin.installed
                and plugin_skill_roots(plugin)]
    for kind, folder, rule in (("agents-project", project / ".agents" / "skills", "<project>/.agents/skills"),
                               ("agents-user", Path.home() / ".agents" / "skills", "~/.agents/skills")):
        if folder.is_dir():
            sources.append(Source(kind, kind.replace("-", " "), (folder,), rule, False))
    return SourceScan(project, config, tuple(sources), tuple(settings), scan)


def _plugin_source(plugin: Plugin) -> Source:
    return Source("plugin", f"plugin {plugin.key}", tuple(plugin_skill_roots(plugin)),
                  f"{plugin.found_by}, enabled in the {plugin.enabled_in} settings", True, plugin.name)


def _config_rule(environ: Mapping[str, str] | None) -> str:
    import os

    env = os.environ if environ is None else environ
    return "$CLAUDE_CONFIG_DIR" if env.get("CLAUDE_CONFIG_DIR", "").strip() else "~/.claude"


def _added_dirs(settings: list[SettingsFile], project: Path) -> list[tuple[Path, str]]:
    """``permissions.additionalDirectories`` of every scope (relative paths from the project)."""
    found: list[tuple[Path, str]] = []
    for item in settings:
        permissions = item.file.data.get("permissions")
        listed = permissions.get("additionalDirectories") if isinstance(permissions, dict) else None
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, str) and entry.strip():
                folder = (project / Path(entry).expanduser()).resolve()
                if folder not in [f for f, _ in found]:
                    found.append((folder, item.scope))
    return found
