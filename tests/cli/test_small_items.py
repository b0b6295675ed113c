"""Smaller promises of the CLI: eval names unknown expected skills, list shows sources from the cwd,
index warns once per left-out skill, summaries say "1 file"."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import skill_md, write_tree


def test_eval_warns_about_expected_skills_the_library_lacks(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/pdf-forms/SKILL.md": skill_md("pdf-forms")})
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "fill this pdf form", "expected": ["pdf-forms"]}\n'
                       '{"query": "make a chart", "expected": ["charts"]}\n'
                       '{"query": "a bar chart", "expected": ["charts"]}\n')
    result = cli("eval", queries, "-s", tmp_path / "skills", "--index", tmp_path / "i.sqlite")
    assert result.code == 0
    assert "warning: expected skill 'charts' is not in the library (2 queries, line 2, 3)" in result.err
    assert "pdf-forms" not in result.err


def test_list_shows_sources_relative_to_the_working_directory(cli: Callable[..., Any], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"work/skills/pdf-forms/SKILL.md": skill_md("pdf-forms")})
    project = tmp_path / "project"
    assert cli("pack", tmp_path / "work" / "skills", "-o", tmp_path / "work" / "dist").code == 0
    assert cli("install", tmp_path / "work" / "dist" / "pdf-forms.skill", "--project", project).code == 0
    monkeypatch.chdir(tmp_path / "work")
    header, line = cli("list", project).out.splitlines()[:2]
    assert header.startswith("claude: ") and header.endswith("project/.claude/skills")  # the target, then its rows
    assert line.split()[-1] == "dist/pdf-forms.skill"  # not ../../../work/dist/... from the lockfile's folder
    row = json.loads(cli("list", project, "-f", "json").out)["skills"][0]
    assert row["source_path"] == os.path.normpath(tmp_path / "work" / "dist" / "pdf-forms.skill")
    assert row["source"].startswith("../")  # the lockfile's own relative form is kept


def test_index_names_each_left_out_skill_once(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/good/SKILL.md": skill_md("good"), "skills/bad/SKILL.md": "# no frontmatter\n"})
    for _ in ("cold", "warm"):
        result = cli("index", tmp_path / "skills", "--index", tmp_path / "i.sqlite")
        assert result.code == 0 and result.err.count("bad/SKILL.md") == 1, result.err
        assert "indexed 1 skill (0 manual-only, 1 left out)" in result.out


def test_pack_dry_run_says_1_file(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/solo/SKILL.md": skill_md("solo")})
    assert "solo.skill: solo (1 file)" in cli("pack", tmp_path / "skills", "--dry-run").out


def test_a_one_word_description_says_1_word(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/terse/SKILL.md": skill_md("terse", "Charts.")})
    assert "description has only 1 word\n" in cli("validate", tmp_path / "skills").out


def test_hook_install_warns_when_claude_code_also_lists_the_skills(cli: Callable[..., Any], tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_tree(project, {".claude/skills/pdf/SKILL.md": skill_md("pdf"), "library/pdf/SKILL.md": skill_md("pdf"),
                         "other/charts/SKILL.md": skill_md("charts")})
    doubled = cli("hook", "install", "--skills", project / "library", "--project", project)
    assert doubled.code == 0 and "warning: the hooked library" in doubled.err and "(pdf)" in doubled.err
    assert "fix: keep the library outside .claude/skills" in doubled.err
    clean = cli("hook", "install", "--skills", project / "other", "--project", tmp_path / "elsewhere")
    assert clean.code == 0 and "warning" not in clean.err


def test_a_bundle_keeps_the_per_skill_archives_in_the_lockfile(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/pdf/SKILL.md": skill_md("pdf"), "b/charts/SKILL.md": skill_md("charts")})
    dist = tmp_path / "dist"
    assert cli("pack", tmp_path / "a", "-o", dist).code == 0
    assert cli("pack", tmp_path / "b", "-o", dist, "--bundle", "team.skills").code == 0
    lock = json.loads((dist / "skills.lock").read_text())
    assert {name: entry["archive"] for name, entry in lock["skills"].items()} == {
        "pdf": "pdf.skill", "charts": "team.skills"}
    (dist / "pdf.skill").unlink()  # an archive that is gone leaves the lock at the next pack
    assert cli("pack", tmp_path / "b", "-o", dist, "--bundle", "team.skills").code == 0
    assert list(json.loads((dist / "skills.lock").read_text())["skills"]) == ["charts"]
