"""Runtime stage, reading Claude Code's ``settings.json`` files, and the one setting the hook itself checks.

Guarantees: a missing file reads as ``{}``; anything else that is not a JSON object of bounded
size (a FIFO, a directory, bad JSON, an array) is a :class:`~loader.core.errors.UsageError`
naming the file, so nothing is ever rewritten from a file that could not be read. Kept apart
from ``hook_settings`` (which writes) and ``hook_checks``: the hook reads settings on a prompt
when its library lies outside the project, and must not import their dataclasses.
"""

from __future__ import annotations

import json
import os

from loader.core.errors import UsageError
from loader.core.regular import NotARegularFileError, read_regular_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

MAX_SETTINGS_BYTES = 4 * 1024 * 1024
"""A settings file larger than this is refused (it cannot be a hand-kept settings file)."""


def read_settings(path: Path | str) -> dict[str, Any]:
    """The settings object, ``{}`` when the file does not exist.

    Raises:
        UsageError: the file is not a JSON object (we refuse to rewrite what we cannot read).
    """
    try:
        # regular files only: a FIFO named settings.json would block a plain open forever
        data = read_regular_bytes(path, limit=MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        return {}
    except NotARegularFileError as exc:
        raise UsageError(message=f"{path} is not a regular file",
                         hint="move it away; settings are a JSON file") from exc
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


def blocked_reads(project: Path | str) -> bool:
    """True when a settings file that applies to ``project`` sets ``blockReadsOutsideWorkingDirectories``."""
    for path in (os.path.join(os.path.expanduser("~"), ".claude", "settings.json"),
                 os.path.join(project, ".claude", "settings.json"),
                 os.path.join(project, ".claude", "settings.local.json")):
        try:
            permissions = read_settings(path).get("permissions")
        except UsageError:
            continue
        if isinstance(permissions, dict) and permissions.get("blockReadsOutsideWorkingDirectories") is True:
            return True
    return False
