"""The schema's fast path says "valid" exactly when jsonschema finds no error, and steps aside otherwise."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import write_tree
from loader.core.model import Profile
from loader.validate.fastschema import compile_check
from loader.validate.schema import load_schema

VALUES: list[Any] = [
    "ok", "", "x" * 65, "x" * 600, "x" * 1100, "Not-A-Name", "pdf-forms", "a--b", "fork", "inherit", 0, 1, 2.5,
    True, False, None, [], ["Read", "Bash"], ["a", 1], [{"name": "x"}], [["nested"]], {}, {"author": "me"},
    {"n": 1}, {"deep": {"x": "y"}}, "é" * 64, "é" * 65,
]
BASE = {"name": "pdf-forms", "description": "Fills PDF forms. Use when the user asks to fill a form."}


def _instances(profile: Profile) -> list[dict[str, Any]]:
    fields = sorted(load_schema()["$defs"][profile.value]["properties"]) + sorted(
        load_schema()["$defs"]["standard-fields"]["properties"]) + ["colour", "metadata"]
    found: list[dict[str, Any]] = [dict(BASE), {}, {"name": "pdf-forms"}, {"description": "only"}]
    for field, value in itertools.product(fields, VALUES):
        found.append({**BASE, field: value})
    found += [{**BASE, "metadata": {"version": "1"}, "allowed-tools": "Read", "license": "MIT"}]
    return found


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_the_fast_check_agrees_with_jsonschema(profile: Profile) -> None:
    schema = dict(load_schema())
    schema["$ref"] = f"#/$defs/{profile.value}"
    fast = compile_check(schema)
    assert fast is not None  # the shipped schema stays inside the subset, or this path is dead code
    reference = Draft202012Validator(schema)
    instances = _instances(profile)
    verdicts = [(fast(i), reference.is_valid(i)) for i in instances]
    disagreements = [i for i, (got, want) in zip(instances, verdicts, strict=True) if got != want]
    assert disagreements == []
    assert {want for _, want in verdicts} == {True, False}  # the table holds both kinds


@pytest.mark.parametrize("schema", [
    pytest.param({"type": "integer"}, id="integer-type"),
    pytest.param({"minimum": 1}, id="unknown-keyword"),
    pytest.param({"$ref": "https://example.com/s.json"}, id="remote-ref"),
    pytest.param({"enum": [1, True]}, id="non-string-enum"),
    pytest.param({"properties": {"a": {}}, "patternProperties": {"^x": {}}, "unevaluatedProperties": False},
                 id="dynamic-unevaluated"),
])
def test_a_schema_outside_the_subset_leaves_every_check_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compile_check(schema) is None


def test_invalid_frontmatter_still_gets_jsonschema_s_detailed_errors(tmp_path: Path, cli: Any) -> None:
    write_tree(tmp_path, {"bad-one/SKILL.md": "---\nname: bad-one\ndescription: " + "x" * 1100 + "\n---\nBody.\n"})
    result = cli("validate", tmp_path, "-f", "json")
    assert result.code == 1
    assert "schema-max-length" in result.out and "the limit is 1024" in result.out
