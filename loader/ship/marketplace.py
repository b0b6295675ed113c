"""Plugin folders and marketplaces as sources, and ``skills pack --plugin`` / ``--marketplace`` as outputs.

A marketplace is a folder with ``.claude-plugin/marketplace.json`` (``name``, ``owner``,
``plugins[]`` of ``name``, ``source``, ``description``, ``version``); a plugin entry's ``source``
is a path relative to the marketplace, and may list its ``skills`` folders (as anthropics/skills
does with ``"source": "./"``), else they are ``PLUGIN/skills/NAME``. Only local sources can be
installed from a folder; every path must stay inside the marketplace.
Format: https://code.claude.com/docs/en/plugins/marketplace-reference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loader.core.atomic import write_bytes
from loader.core.errors import UsageError
from loader.core.model import Skill
from loader.ship.install import install, plan_install, uninstall
from loader.ship.lockfile import read_lock
from loader.ship.plugin import plugin_name, read_json_object, update_manifest
from loader.ship.targets import PLUGIN_MANIFEST, Target

MARKETPLACE_MANIFEST = Path(".claude-plugin") / "marketplace.json"


@dataclass(frozen=True, slots=True)
class PackedPlugin:
    """A plugin folder that ``pack_plugin`` brought up to date."""

    root: Path
    name: str
    version: str
    description: str
    skills: tuple[str, ...]
    removed: tuple[str, ...]
    """Skills the plugin held before and no longer does."""


def pack_plugin(skills: Sequence[Skill], root: Path, *, name: str | None = None, force: bool = False) -> PackedPlugin:
    """Make ``root`` a plugin holding exactly ``skills`` (installed atomically, with ``skills.lock``).

    ``force`` lets skills with validation errors in, as ``skills pack --force`` does.
    """
    root = root.absolute()
    target = Target(root / "skills", root, "plugin")
    install(plan_install([skill.path for skill in skills], target, upgrade=True), upgrade=True, force=force)
    wanted = {skill.name for skill in skills}
    removed = tuple(sorted(set(read_lock(target.lock_path).skills) - wanted))
    for stale in removed:
        uninstall(target, stale)
    _, _, manifest = update_manifest(root, read_lock(target.lock_path), name=name)
    return PackedPlugin(root, str(manifest["name"]), str(manifest["version"]), str(manifest["description"]),
                        tuple(sorted(wanted)), removed)


def pack_marketplace(skills: Sequence[Skill], root: Path, *, plugin: str | None = None,
                     owner: str | None = None, force: bool = False) -> tuple[Path, PackedPlugin]:
    """Pack ``skills`` as ``root/plugins/PLUGIN`` and write or update ``root/.claude-plugin/marketplace.json``.

    Entries of other plugins, and other keys, are kept.

    Raises:
        UsageError: a new marketplace without ``owner``, or a marketplace file that is not one.
    """
    root = root.absolute()
    path = root / MARKETPLACE_MANIFEST
    doc = read_json_object(path, "marketplace file") if path.is_file() else {}
    if not isinstance(doc.get("owner", {}), dict) or not isinstance(doc.get("plugins", []), list):
        raise UsageError(message=f"{path}: 'owner' must be an object and 'plugins' a list; not touching it")
    if owner is None and "owner" not in doc:
        raise UsageError(message=f"a new marketplace needs an owner: {path}", hint="pass --owner 'Your Name'")
    name = plugin_name(plugin or root.name)
    packed = pack_plugin(skills, root / "plugins" / name, name=name, force=force)
    doc.setdefault("name", plugin_name(root.name))
    if owner is not None:
        doc["owner"] = {**doc.get("owner", {}), "name": owner}
    entry = {"name": packed.name, "source": f"./plugins/{name}", "description": packed.description,
             "version": packed.version}
    plugins = [p for p in doc.get("plugins", []) if not (isinstance(p, dict) and p.get("name") == packed.name)]
    old = next((p for p in doc.get("plugins", []) if isinstance(p, dict) and p.get("name") == packed.name), {})
    at = next((i for i, p in enumerate(doc.get("plugins", [])) if p is old), len(plugins))
    plugins.insert(at, {**old, **entry})
    ordered = {"name": doc["name"], "owner": doc["owner"]}
    ordered.update((k, v) for k, v in doc.items() if k not in ordered and k != "plugins")
    ordered["plugins"] = plugins
    write_bytes(path, (json.dumps(ordered, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path, packed


def expand_source(source: Path, chosen: Sequence[str]) -> list[Path] | None:
    """The skill folders a marketplace or plugin folder ``source`` provides; ``None`` for any other source.

    Raises:
        UsageError: a plugin name that is not there, several plugins and none chosen, a remote
            plugin source, or a path that leaves the marketplace.
    """
    if (source / MARKETPLACE_MANIFEST).is_file():
        return _from_marketplace(source, chosen)
    if (source / PLUGIN_MANIFEST).is_file():
        return [source / "skills"]
    return None


def _from_marketplace(root: Path, chosen: Sequence[str]) -> list[Path]:
    path = root / MARKETPLACE_MANIFEST
    doc = read_json_object(path, "marketplace file")
    entries = doc.get("plugins")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                                for e in entries):
        raise UsageError(message=f"{path}: 'plugins' must be a list of objects with a name")
    by_name = {str(e["name"]): e for e in entries}
    names = list(chosen) or (list(by_name) if len(by_name) == 1 else [])
    if not names:
        raise UsageError(message=f"{path} lists {len(by_name)} plugins: {', '.join(by_name) or 'none'}",
                         hint="choose with --plugin-name NAME (repeatable)")
    folders: list[Path] = []
    for name in names:
        if name not in by_name:
            raise UsageError(message=f"{path} has no plugin named {name!r}",
                             hint=f"it lists: {', '.join(by_name) or 'none'}")
        folders += _plugin_folders(root, by_name[name], path)
    return folders


def _plugin_folders(root: Path, entry: dict[str, Any], path: Path) -> list[Path]:
    source = entry.get("source")
    if not isinstance(source, str):
        kind = source.get("source", "remote") if isinstance(source, dict) else type(source).__name__
        raise UsageError(message=f"{path}: plugin {entry['name']!r} comes from a {kind} source, not this folder",
                         hint="install it with Claude Code's /plugin install, or clone it and give the folder")
    plugin_dir = _inside(root, root / source, path)
    listed = entry.get("skills")
    if listed is None:
        return [plugin_dir / "skills"]
    if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
        raise UsageError(message=f"{path}: plugin {entry['name']!r}: 'skills' must be a list of paths")
    return [_inside(root, plugin_dir / rel, path) for rel in listed]


def _inside(root: Path, candidate: Path, path: Path) -> Path:
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise UsageError(message=f"{path}: {candidate} is outside the marketplace; not following it")
    if not resolved.is_dir():
        raise UsageError(message=f"{path}: plugin folder {candidate} does not exist")
    return resolved
