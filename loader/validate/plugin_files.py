"""Validate stage, plugin files: ``.claude-plugin/plugin.json`` and ``marketplace.json`` at a root, by JSON Schema.

The schemas ship beside the skill schema (``plugin.schema.json``, ``marketplace.schema.json``) and
check the documented fields only, so a field a later Claude Code adds is not an error. Problems
are Diagnostics (``plugin-manifest``, ``marketplace-manifest``) located at the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from loader.core.model import Diagnostic, Severity
from loader.core.regular import read_regular_text

MAX_BYTES = 1024 * 1024
FILES = {"plugin.json": ("plugin-manifest", "plugin.schema.json"),
         "marketplace.json": ("marketplace-manifest", "marketplace.schema.json")}


@cache
def _validator(schema_file: str) -> object:
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("loader").joinpath(f"validate/{schema_file}").read_text("utf-8"))
    return Draft202012Validator(schema)


def check_plugin_files(roots: Sequence[Path]) -> list[Diagnostic]:
    """Diagnostics for the plugin and marketplace files directly under each root's ``.claude-plugin``."""
    found = []
    for root in roots:
        folder = root / ".claude-plugin"
        if not folder.is_dir():
            continue
        for name, (rule, schema_file) in FILES.items():
            if (folder / name).is_file():
                found += _check(folder / name, rule, schema_file)
    return found


def _check(path: Path, rule: str, schema_file: str) -> list[Diagnostic]:
    def diag(message: str, hint: str) -> Diagnostic:
        return Diagnostic(path, None, rule, Severity.ERROR, message, hint)

    try:
        if path.stat().st_size > MAX_BYTES:
            return [diag(f"larger than {MAX_BYTES} bytes", "this is not a manifest Claude Code will read")]
        doc = json.loads(read_regular_text(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [diag(f"not readable JSON: {exc}", "fix the JSON syntax (`claude plugin validate` shows it too)")]
    validator = _validator(schema_file)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))  # type: ignore[attr-defined]
    return [diag(f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}",
                 "see the plugin reference: https://code.claude.com/docs/en/plugins-reference") for e in errors]
