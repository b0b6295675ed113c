"""``skills validate`` / ``skills rules`` through the real entry points: formats and exit codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS, CliResult, env_without_debug, needs_corpus, skill_md, write_tree
from loader.validate.rulebook import RULES

Cli = Callable[..., CliResult]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "lib", {
        "good/SKILL.md": skill_md("good"),
        "bad/SKILL.md": "---\nname: bad\ndescription: [not, a, string]\n---\nbody\n",
        "warn/SKILL.md": skill_md("warn", extra="colour: blue\n"),
    })


def test_clean_library_exits_0(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"good/SKILL.md": skill_md("good")})
    result = cli("validate", tmp_path)
    assert result.code == 0
    assert "checked 1 skill (0 with errors, 0 left out): 0 errors, 0 warnings" in result.out


def test_errors_exit_1_and_text_groups_by_file_with_hints(library: Path, cli: Cli) -> None:
    result = cli("validate", library)
    assert result.code == 1
    lines = result.out.splitlines()
    bad_header = next(i for i, line in enumerate(lines) if line.endswith("bad/SKILL.md"))
    assert "schema-type" in lines[bad_header + 1] and "description must be of type string" in lines[bad_header + 1]
    assert lines[bad_header + 2].strip().startswith("hint:")
    assert lines[-1] == "checked 3 skills (1 with errors, 0 left out): 1 error, 1 warning, 0 notes in 2 files"


def test_warnings_pass_unless_strict(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"warn/SKILL.md": skill_md("warn", extra="colour: blue\n")})
    assert cli("validate", tmp_path).code == 0
    strict = cli("validate", tmp_path, "--strict", "--format", "json")
    assert strict.code == 1
    (diag,) = json.loads(strict.out)["diagnostics"]
    assert (diag["rule"], diag["severity"], diag["line"]) == ("schema-unknown-field", "error", 4)


def test_json_format_is_stable(library: Path, cli: Cli) -> None:
    document = json.loads(cli("validate", library, "-f", "json").out)
    assert document["schema_version"] == 1
    assert document["skills_checked"] == 3
    assert document["summary"] == {"error": 1, "warning": 1, "info": 0}
    assert {s["name"]: s["ok"] for s in document["skills"]} == {"bad": False, "good": True, "warn": True}
    assert set(document["diagnostics"][0]) == {"path", "line", "column", "rule", "severity", "message", "hint"}


def test_github_format_emits_annotations(library: Path, cli: Cli) -> None:
    out = cli("validate", library, "--format", "github").out
    assert "::error file=" in out and ",line=3,title=schema-type::" in out
    assert "::warning file=" in out and "title=schema-unknown-field" in out


def test_profile_option_changes_the_rules(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path, {"cc/SKILL.md": skill_md("cc", extra="argument-hint: '[file]'\n")})
    assert "schema-unknown-field" not in cli("validate", tmp_path, "-f", "json").out
    agentskills = cli("validate", tmp_path, "-f", "json", "--profile", "agentskills").out
    assert "Claude Code field" in agentskills


def test_default_path_is_skills_in_cwd(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"skills/one/SKILL.md": skill_md("one")})
    monkeypatch.chdir(tmp_path)
    assert "checked 1 skill " in cli("validate").out


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("validate", "/definitely/not/here"), id="missing-path"),
        pytest.param(("validate", "--format", "xml"), id="bad-format"),
        pytest.param(("validate", "--profile", "nope"), id="bad-profile"),
        pytest.param(("no-such-command",), id="bad-command"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...], cli: Cli) -> None:
    result = cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.strip()


def test_rules_lists_every_rule(cli: Cli) -> None:
    text = cli("rules").out
    assert all(rule_id in text for rule_id in RULES)
    document = json.loads(cli("rules", "--format", "json").out)
    assert [row["id"] for row in document["rules"]] == list(RULES)


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out.startswith("skillpack ")


def test_console_entry_point_in_a_subprocess(tmp_path: Path, skills_bin: list[str]) -> None:
    write_tree(tmp_path, {"bin/SKILL.md": b"\x00\x01\x02binary"})
    proc = subprocess.run([*skills_bin, "validate", str(tmp_path)], capture_output=True, text=True,
                          env=env_without_debug(), timeout=60)
    assert proc.returncode == 1
    assert "file-binary" in proc.stdout and "bin/SKILL.md" in proc.stdout
    assert "Traceback" not in proc.stderr
    help_proc = subprocess.run([*skills_bin, "validate", "--help"], capture_output=True, text=True, timeout=60)
    assert help_proc.returncode == 0 and "--profile" in help_proc.stdout


@needs_corpus
def test_whole_real_corpus_validates_without_crashing(cli: Cli) -> None:
    result = cli("validate", CORPUS, "--format", "json")
    assert result.code == 1  # the corpus keeps malformed skills on purpose
    document = json.loads(result.out)
    assert document["skills_checked"] == 238
    rules = {d["rule"] for d in document["diagnostics"]}
    assert {"frontmatter-missing", "schema-max-length", "name-mismatch", "schema-unknown-field"} <= rules


def test_a_frontmatter_value_yaml_cannot_construct_is_an_error_not_a_crash(tmp_path: Path, cli: Cli,
                                                                         skills_bin: list[str]) -> None:
    write_tree(tmp_path, {"odd/SKILL.md": "---\nname: !!int abc\ndescription: d\n---\nBody.\n"})
    result = cli("validate", tmp_path)
    assert result.code == 1 and "frontmatter-yaml" in result.out and "internal error" not in result.err
    done = subprocess.run([*skills_bin, "validate", str(tmp_path)], capture_output=True, text=True,
                          env=env_without_debug(), timeout=60)
    assert done.returncode == 1 and "'abc' cannot be read as int" in done.stdout, done.stderr
