"""One test per row of the comparison table in docs/validation.md (ours vs skills-ref vs Claude Code)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, skill_md, write_tree

Cli = Callable[..., CliResult]
DESC = "Formats invoice tables for the finance team. Use when the user asks to tidy an invoice table."


def rules(cli: Cli, path: Path, profile: str = "agentskills") -> tuple[int, dict[str, str]]:
    result = cli("validate", path, "--profile", profile, "--format", "json")
    report = json.loads(result.out)
    return result.code, {d["rule"]: d["severity"] for d in report["diagnostics"]}


def test_row_unknown_field_is_an_error_in_agentskills_and_a_warning_for_claude_code(tmp_path: Path,
                                                                                    cli: Cli) -> None:
    write_tree(tmp_path, {"tidy/SKILL.md": skill_md("tidy", DESC, extra="owner: finance\n")})
    assert rules(cli, tmp_path) == (1, {"schema-unknown-field": "error"})
    assert rules(cli, tmp_path, "claude-code") == (0, {"schema-unknown-field": "warning"})


@pytest.mark.parametrize("file_name", ["skill.md", "Skill.md", "SKILL.MD"])
def test_row_skill_md_in_another_case_is_found_with_a_warning_to_rename(file_name: str, tmp_path: Path,
                                                                        cli: Cli) -> None:
    write_tree(tmp_path, {f"tidy/{file_name}": skill_md("tidy", DESC)})
    result = cli("validate", tmp_path / "tidy", "--profile", "agentskills")
    assert result.code == 0 and "manifest-case" in result.out and f"git mv {file_name} SKILL.md" in result.out
    assert "no-skill-found" not in result.out


def test_row_an_explicit_path_without_a_skill_is_an_error(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"notes/README.md": "# Notes\n"})
    assert rules(cli, tmp_path / "notes") == (1, {"no-skill-found": "error"})
    assert rules(cli, tmp_path / "notes", "claude-code") == (1, {"no-skill-found": "error"})


@pytest.mark.parametrize("extra", [
    pytest.param("license: yes\n", id="license-yes"),
    pytest.param("license: 2.0\n", id="license-number"),
    pytest.param("metadata:\n  version: 1.0\n  reviewed: no\n", id="metadata-version-number"),
])
def test_row_yaml_scalars_are_read_as_the_hosts_read_them(extra: str, tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"tidy/SKILL.md": skill_md("tidy", DESC, extra=extra)})
    for profile in ("agentskills", "claude-code"):
        assert rules(cli, tmp_path, profile) == (0, {}), profile


def test_row_yaml_1_2_booleans_only_true_and_false(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"tidy/SKILL.md": skill_md("tidy", DESC, extra="disable-model-invocation: yes\n")})
    code, found = rules(cli, tmp_path, "claude-code")
    assert code == 1 and found == {"schema-type": "error"}, "yes is text in YAML 1.2, not a boolean"
    write_tree(tmp_path, {"tidy/SKILL.md": skill_md("tidy", DESC, extra="disable-model-invocation: true\n")})
    assert rules(cli, tmp_path, "claude-code") == (0, {})


def test_row_non_ascii_lowercase_names_follow_the_spec_text(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path / "ok", {"café-notes/SKILL.md": skill_md("café-notes", DESC)})
    assert rules(cli, tmp_path / "ok") == (0, {})
    code, found = rules(cli, tmp_path / "ok", "claude-code")
    assert code == 1 and found["schema-pattern"] == "error"
    write_tree(tmp_path / "upper", {"Café-notes/SKILL.md": skill_md("Café-notes", DESC)})
    code, found = rules(cli, tmp_path / "upper")
    assert code == 1 and found["schema-pattern"] == "error"


def test_row_allowed_tools_as_a_string_or_a_list(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path / "a", {"tidy/SKILL.md": skill_md("tidy", DESC, extra="allowed-tools: Read Grep\n")})
    write_tree(tmp_path / "b", {"tidy/SKILL.md": skill_md("tidy", DESC, extra="allowed-tools: [Read, Grep]\n")})
    write_tree(tmp_path / "c", {"tidy/SKILL.md": skill_md("tidy", DESC, extra="allowed-tools: [Read, 5]\n")})
    assert rules(cli, tmp_path / "a") == (0, {})
    assert rules(cli, tmp_path / "b") == (0, {})
    code, found = rules(cli, tmp_path / "c")
    assert code == 1 and found == {"schema-one-of": "error"}
