"""The composite GitHub Action in ``action.yml``: its ``run:`` steps, run with bash as a runner would.

Each step's script runs with ``bash --noprofile --norc -eo pipefail`` (GitHub's ``shell: bash``),
its ``env:`` filled in from the action's inputs (``${{ inputs.NAME }}`` and ``a || b``, the only
expressions the action uses), and a temporary ``$GITHUB_STEP_SUMMARY``. The install step is not
run here (it pip-installs this checkout, which the test environment already has; the pre-commit
test installs it for real); the validate and report steps run the installed ``skills``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, skill_md, write_tree

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

needs_skills = pytest.mark.skipif(not (BIN / "skills").exists() and shutil.which("skills") is None,
                                  reason="the skills command is not installed (pip install -e .)")


def evaluate(text: str, inputs: dict[str, str]) -> str:
    """Fill in ``${{ inputs.NAME }}``, ``${{ github.action_path }}`` and ``a || b``."""
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}

    def value(term: str) -> str:
        term = term.strip()
        if term.startswith("inputs."):
            name = term.removeprefix("inputs.")
            assert name in defaults, f"action.yml uses an undeclared input {name!r}"
            return inputs.get(name, defaults[name])
        assert term == "github.action_path", f"unexpected expression {term!r}"
        return str(REPO)

    return EXPRESSION.sub(lambda m: next((v for v in map(value, m.group(1).split("||")) if v), ""), text)


def step(name: str) -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("name") == name)


def run_step(name: str, workspace: Path, inputs: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run one ``run:`` step; returns the process and what it wrote to the job summary."""
    spec = step(name)
    assert spec["shell"] == "bash"
    summary = workspace / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    script = workspace / "step.sh"
    script.write_text(spec["run"], encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    env.pop("SLASH_COMMAND_TOOL_CHAR_BUDGET", None)
    env.update({key: evaluate(str(value), inputs) for key, value in spec.get("env", {}).items()})
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=120)
    return done, summary.read_text(encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "checkout", {
        "skills/good/SKILL.md": skill_md("good"),
        "skills/bad/SKILL.md": "---\nname: bad\ndescription: [not, a, string]\n---\nbody\n",
        "more/extra/SKILL.md": skill_md("extra"),
    })


def test_the_action_is_composite_and_installs_this_checkout() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert [s.get("name") for s in ACTION["runs"]["steps"]] == [
        "Set up Python", "Install skillpack", "Validate skills", "Report context cost"]
    install = step("Install skillpack")
    assert "pip install" in install["run"] and evaluate(install["env"]["SKILLPACK_SPEC"], {}) == str(REPO)
    assert evaluate(install["env"]["SKILLPACK_SPEC"], {"skillpack": "skillpack==0.1.0"}) == "skillpack==0.1.0"
    assert step("Report context cost")["if"] == "${{ !cancelled() }}"  # the summary is written even after errors


@needs_skills
def test_validate_annotates_the_diff_with_file_and_line(workspace: Path) -> None:
    done, _ = run_step("Validate skills", workspace, {"paths": "skills more"})
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert errors == [line for line in errors if line.startswith("::error file=skills/bad/SKILL.md,line=3,")]
    assert len(errors) == 1 and "title=schema-type::description must be of type string" in errors[0]
    assert "checked 3 skills" in done.stdout


@needs_skills
def test_validate_passes_a_clean_library_and_strict_fails_on_warnings(workspace: Path) -> None:
    done, _ = run_step("Validate skills", workspace, {"paths": "more"})
    assert done.returncode == 0 and "::error" not in done.stdout
    write_tree(workspace, {"warn/w/SKILL.md": skill_md("w", extra="colour: blue\n")})
    relaxed, _ = run_step("Validate skills", workspace, {"paths": "warn"})
    strict, _ = run_step("Validate skills", workspace, {"paths": "warn", "strict": "true"})
    assert relaxed.returncode == 0 and strict.returncode == 1
    assert "::warning file=warn/w/SKILL.md" in relaxed.stdout


@needs_skills
def test_report_writes_a_markdown_summary(workspace: Path) -> None:
    done, summary = run_step("Report context cost", workspace, {"paths": "more"})
    assert done.returncode == 0, done.stderr
    assert summary.startswith("### Skill context report\n")
    assert "| context per turn | tokens |" in summary and "listing budget:" in summary
    assert done.stdout == ""  # everything went to the summary


@needs_skills
def test_a_failed_budget_gate_fails_the_step_and_still_writes_the_summary(workspace: Path) -> None:
    done, summary = run_step("Report context cost", workspace,
                             {"paths": "skills more", "fail-over-budget": "true", "listing-budget": "20"})
    assert done.returncode == 1
    assert "::error title=skills report::a budget gate failed" in done.stdout
    assert "gate failed: listing needs" in done.stderr
    assert summary.startswith("### Skill context report\n")
    prefix, _ = run_step("Report context cost", workspace, {"paths": "more", "max-prefix-tokens": "1"})
    assert prefix.returncode == 1
