"""Claude Code plugin folders: ``.claude-plugin/plugin.json`` beside ``skills/NAME/``, with a version that moves.

Claude Code caches an installed plugin under its ``version`` and refreshes it only when that
string changes (https://code.claude.com/docs/en/plugins-reference, "Version management"). So the
version is derived from what is shipped, deterministically: ``X.Y.Z+H`` where ``X.Y.Z`` is the
highest ``metadata.version`` of the plugin's skills (``0.0.0`` when none has one) and ``H`` the
first 12 hex digits of the sha256 of every skill's name, file paths and file sha256 (as recorded
in ``skills.lock``). Any changed byte, added, removed or renamed file or skill gives a new
version; repacking the same skills gives the same one.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from loader.core.atomic import write_bytes
from loader.core.errors import UsageError
from loader.core.regular import read_regular_text
from loader.ship.lockfile import Lock
from loader.ship.targets import PLUGIN_MANIFEST

MAX_MANIFEST_BYTES = 1024 * 1024
_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
DEFAULT_DESCRIPTION = "Agent Skills packed by skillpack (see skills/skills.lock)."


def plugin_name(text: str) -> str:
    """A kebab-case plugin name: accents folded to ASCII (``"Ünï Plug"`` -> ``uni-plug``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return name or "skills"


def plugin_version(lock: Lock) -> str:
    """The version for a plugin holding ``lock``'s skills (see the module docstring)."""
    digest = hashlib.sha256()
    base = (0, 0, 0)
    for name in sorted(lock.skills):
        skill = lock.skills[name]
        found = _SEMVER.match(skill.version or "")
        if found:
            base = max(base, (int(found[1]), int(found[2]), int(found[3])))
        for rel in sorted(skill.files):
            digest.update(f"{name}\0{rel}\0{skill.files[rel]}\n".encode())
    return f"{base[0]}.{base[1]}.{base[2]}+{digest.hexdigest()[:12]}"


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """A bounded, checked JSON object from ``path``.

    Raises:
        UsageError: unreadable, too large, not JSON or not an object.
    """
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise UsageError(message=f"{path} is larger than {MAX_MANIFEST_BYTES} bytes; not a {what}")
        doc = json.loads(read_regular_text(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, UsageError):
            raise
        raise UsageError(message=f"cannot read {what} {path}: {exc}", hint="fix the file, or move it away") from exc
    if not isinstance(doc, dict):
        raise UsageError(message=f"{path} holds a JSON {type(doc).__name__}, not a {what} object")
    return doc


def update_manifest(root: Path, lock: Lock, *, name: str | None = None,
                    description: str | None = None) -> tuple[Path, bytes | None, dict[str, Any]]:
    """Write ``root/.claude-plugin/plugin.json`` with the version of ``lock``; other keys are kept.

    ``name`` and ``description`` replace the manifest's when given; a new manifest takes its name
    from the folder; any name is made kebab-case, as Claude Code requires. Returns the path, its
    previous bytes (``None`` when it was new, to roll back) and the manifest written.
    """
    path = root / PLUGIN_MANIFEST
    previous = path.read_bytes() if path.is_file() else None
    manifest = read_json_object(path, "plugin manifest") if previous is not None else {}
    given = name or manifest.get("name")
    manifest["name"] = plugin_name(given if isinstance(given, str) and given else root.name)
    manifest["version"] = plugin_version(lock)
    manifest["description"] = description or manifest.get("description") or DEFAULT_DESCRIPTION
    ordered = {key: manifest[key] for key in ("name", "version", "description")}
    ordered.update((k, v) for k, v in manifest.items() if k not in ordered)
    text = json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
    if previous != text.encode("utf-8"):
        write_bytes(path, text.encode("utf-8"))
    return path, previous, ordered


def restore(path: Path, previous: bytes | None) -> None:
    """Undo ``update_manifest``: the previous bytes back, or no file (and no empty folder) when it was new."""
    if previous is not None:
        write_bytes(path, previous)
        return
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass
