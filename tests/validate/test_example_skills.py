"""The bundled example skills in ``skills/`` are clean in both profiles and usable by the README quickstart."""

from __future__ import annotations

import json
import py_compile
from pathlib import Path

import pytest

from loader.core.model import Profile
from loader.validate.load import load_skills
from tests.conftest import REPO

SKILLS = REPO / "skills"
PROMPTS = REPO / "examples" / "prompts.jsonl"


@pytest.mark.parametrize("profile", list(Profile))
def test_example_skills_have_no_diagnostics(profile: Profile) -> None:
    result = load_skills([SKILLS], profile, strict=True)
    assert [d for d in result.diagnostics] == []
    assert len(result.skills) >= 5
    assert len(result.usable()) == len(result.skills) == result.skill_count


def test_some_example_skill_has_reference_files() -> None:
    result = load_skills([SKILLS], strict=True)
    with_references = [s.skill.name for s in result.skills
                       if any(f.startswith("references/") for f in s.skill.files)]
    assert with_references


def test_example_skill_names_match_folders() -> None:
    result = load_skills([SKILLS], strict=True)
    for loaded in result.skills:
        assert loaded.skill.name == loaded.skill.path.name


def test_python_testing_script_compiles(tmp_path: Path) -> None:
    script = SKILLS / "python-testing" / "scripts" / "find_slow_tests.py"
    py_compile.compile(str(script), cfile=str(tmp_path / "find_slow_tests.pyc"), doraise=True)


def test_find_slow_tests_reads_junit(tmp_path: Path) -> None:
    """The bundled script does what SKILL.md says: ranks tests from a JUnit report."""
    import runpy

    report = tmp_path / "junit.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_a" name="test_fast" time="0.01"/>'
        '<testcase classname="tests.test_a" name="test_slow" time="2.5"><failure message="x"/></testcase>'
        '</testsuite></testsuites>', encoding="utf-8")
    module = runpy.run_path(str(SKILLS / "python-testing" / "scripts" / "find_slow_tests.py"))
    timings = module["parse_junit"](report)
    ranked = sorted(timings, key=lambda t: t.seconds, reverse=True)
    assert [(t.test_id, t.outcome) for t in ranked] == [
        ("tests.test_a::test_slow", "failed"), ("tests.test_a::test_fast", "passed")]
    assert module["main"](["--junit", str(report), "--fail-over", "1"]) == 1
    assert module["main"](["--junit", str(tmp_path / "missing.xml")]) == 2


def test_prompts_name_only_bundled_skills() -> None:
    names = {loaded.skill.name for loaded in load_skills([SKILLS]).skills}
    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 30
    expected = [name for row in rows for name in row["expected"]]
    assert set(expected) <= names
    assert set(expected) == names, "every bundled skill has prompts"
    assert any(row["expected"] == [] for row in rows)


def test_cli_validate_strict_passes_on_example_skills(cli) -> None:
    result = cli("validate", SKILLS, "--strict")
    assert result.code == 0, result.out + result.err
    assert "0 errors, 0 warnings" in result.out
