"""Validate stage, part 1: check frontmatter against the shipped JSON Schema (draft 2020-12).

jsonschema errors become Diagnostics whose rule comes from the failing keyword
(``maxLength`` -> ``schema-max-length``) and whose line is the offending key's line.
Valid frontmatter (the common case) is recognised by a check compiled once per process
(``fastschema``); jsonschema is imported and asked only when that says no.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from loader.core.model import Diagnostic, Manifest, Profile, Severity
from loader.validate.fastschema import Check, compile_check

if TYPE_CHECKING:  # imported on first use: valid frontmatter never needs jsonschema
    from jsonschema import Draft202012Validator, ValidationError


@cache
def load_schema() -> dict[str, Any]:
    """The frontmatter JSON Schema shipped inside the package."""
    from importlib import resources  # here: ~4 ms that a run answered from the cache does not need
    text = resources.files("loader").joinpath("validate/skill.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _profile_schema(profile: Profile) -> dict[str, Any]:
    schema = dict(load_schema())
    schema["$ref"] = f"#/$defs/{profile.value}"
    return schema


@cache
def _validator(profile: Profile) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_profile_schema(profile))


@cache
def _fast_check(profile: Profile) -> Check | None:
    return compile_check(_profile_schema(profile))


@cache
def known_fields(profile: Profile) -> frozenset[str]:
    """Field names the profile defines."""
    defs = load_schema()["$defs"]
    names = set(defs["standard-fields"]["properties"]) | set(defs[profile.value]["properties"])
    return frozenset(names)


def check_frontmatter(manifest: Manifest, profile: Profile, *, strict: bool = False) -> list[Diagnostic]:
    """Validate ``manifest.frontmatter`` against ``profile``.

    Unknown fields are warnings in the claude-code profile unless strict, errors in agentskills
    (as the reference validator skills-ref has them). Scalars of ``license`` and ``metadata``
    values are read as text, as the hosts do (``license: 2.0``, ``version: 1.0`` are fine).
    """
    if manifest.frontmatter is None:
        return []
    document = host_view(manifest.frontmatter, profile)
    strict = strict or profile is Profile.AGENTSKILLS
    diagnostics = []
    fast = _fast_check(profile)
    valid = fast is not None and fast(document)  # jsonschema only says why when something is wrong
    for error in () if valid else _validator(profile).iter_errors(document):
        diagnostics.extend(_to_diagnostics(error, manifest, profile, strict))
    name = document.get("name")
    if (profile is Profile.AGENTSKILLS and isinstance(name, str) and name != name.lower()
            and not any(d.rule == "schema-pattern" for d in diagnostics)):
        diagnostics.append(Diagnostic(manifest.path, _line(manifest.key_lines, "name"), "schema-pattern",
                                      Severity.ERROR, f"name {name!r} must be lowercase",
                                      f"rename to {name.lower()!r} (and the folder too)"))
    return diagnostics


def host_view(frontmatter: Mapping[str, Any], profile: Profile) -> dict[str, Any]:
    """The frontmatter as the host reads it: scalar ``license`` and ``metadata`` values as text; NFKC names.

    Claude Code's YAML parser and skills-ref keep ``1.0`` or ``2`` in these fields as the text
    written; PyYAML makes numbers of them, which the schema (strings) would call errors.
    """
    document = dict(frontmatter)
    if isinstance(document.get("license"), (int, float)):
        document["license"] = _text(document["license"])
    metadata = document.get("metadata")
    if isinstance(metadata, Mapping):
        document["metadata"] = {k: _text(v) if isinstance(v, (int, float)) else v for k, v in metadata.items()}
    if profile is Profile.AGENTSKILLS and isinstance(document.get("name"), str):
        document["name"] = unicodedata.normalize("NFKC", document["name"].strip())
    return document


def _text(value: int | float) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _to_diagnostics(error: ValidationError, manifest: Manifest, profile: Profile, strict: bool) -> list[Diagnostic]:
    keyword = str(error.validator)
    path = [str(part) for part in error.absolute_path]
    field = path[0] if path else ""

    def diag(rule: str, message: str, hint: str, key: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        return Diagnostic(manifest.path, _line(manifest.key_lines, key), rule, severity, message, hint)

    if keyword == "unevaluatedProperties":
        unknown = sorted(set(_as_mapping(error.instance)) - known_fields(profile))
        severity = Severity.ERROR if strict else Severity.WARNING
        return [
            diag("schema-unknown-field", f"unknown field {key!r} for the {profile.value} profile",
                 _unknown_hint(key, profile), key, severity)
            for key in unknown
        ]
    if keyword == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message) or ["?"]
        return [diag("schema-required", f"missing required field {missing[0]!r}",
                     _REQUIRED_HINTS.get(missing[0], "add the field"), "")]
    location = "/".join(path) or "frontmatter"
    message, hint = _describe(keyword, location, error)
    return [diag(f"schema-{_kebab(keyword)}", message, hint, field)]


def _describe(keyword: str, location: str, error: ValidationError) -> tuple[str, str]:
    value = error.instance
    if keyword == "maxLength":
        return (f"{location} is {len(value)} characters; the limit is {error.validator_value}",
                "shorten it; put the details in the body or a reference file")
    if keyword == "minLength":
        return f"{location} is empty", "give it a value or remove the field"
    if keyword == "pattern" and location == "name":
        return (f"name {value!r} must be lowercase letters, digits and single hyphens",
                "rename to e.g. " + repr(_slug(str(value))) + " (and the folder too)")
    if keyword == "type":
        expected = error.validator_value
        return f"{location} must be of type {expected}, got {type(value).__name__}", _type_hint(expected, value)
    if keyword == "enum":
        return (f"{location} must be one of {', '.join(map(str, error.validator_value))}, got {value!r}",
                "use one of the allowed values")
    return f"{location}: {error.message}", "see `skills rules` and the schema in loader/validate/skill.schema.json"


def _type_hint(expected: object, value: object) -> str:
    """Quoting fixes a scalar (``version: 1.0``); a list or a mapping needs rewriting as one string."""
    if expected != "string":
        return f"write it as a {expected}"
    if isinstance(value, list):
        return "write the items as one string (e.g. 'a, b'), or move the list into the body"
    if isinstance(value, dict):
        return "write it as one string, or move the nested fields into the body"
    return "quote the value to make it a string"


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "my-skill"


def _kebab(keyword: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", keyword).lower()


def _line(key_lines: Mapping[str, int], key: str) -> int | None:
    return key_lines.get(key) if key else 2


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _unknown_hint(key: str, profile: Profile) -> str:
    if profile is Profile.AGENTSKILLS and key in known_fields(Profile.CLAUDE_CODE):
        return f"{key!r} is a Claude Code field; validate with --profile claude-code, or move it under metadata"
    return "remove it, or move it under `metadata:` (a string-to-string map)"


_REQUIRED_HINTS = {
    "name": "add `name: <folder-name>` to the frontmatter",
    "description": "add `description: <what it does>. Use when <situations>.`",
}
