"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run by the real ``pre-commit try-repo``.

try-repo builds a virtualenv and pip-installs skillpack into it (about 30 s here), so the hook
repository is built once per module and every run after the first reuses that environment.
The hook repository is a fresh git repository holding a copy of this checkout's package, so
the test works from a source tree that is not a git repository (an sdist) and checks the
working tree as it is, committed or not.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, skill_md, write_tree

HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
HAS_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None

needs_pre_commit = pytest.mark.skipif(
    not HAS_PRE_COMMIT, reason="pre-commit is not installed (it is in the test extra: pip install -e '.[test]')")


def test_the_hooks_file_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}
    assert set(hooks) == {"skills-validate", "skills-report-budget"}
    assert hooks["skills-validate"]["entry"] == "skills validate --changed"
    assert hooks["skills-report-budget"]["pass_filenames"] is False
    assert all(hook["language"] == "python" for hook in hooks.values())


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SKILLPACK_", "GIT_", "PRE_COMMIT")) and key != "SLASH_COMMAND_TOOL_CHAR_BUDGET"}
    env.update(HOME=str(home), PRE_COMMIT_HOME=str(home / "pre-commit-cache"), XDG_CACHE_HOME=str(home / ".cache"),
               GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com", GIT_CONFIG_NOSYSTEM="1")
    return env


def _git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, dict[str, str]]:
    """(hook repository, a repository using it, the hook repository's commit, environment)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("pre-commit")
    env = _env(base / "home")
    hooks = base / "skillpack"
    hooks.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".skillpack")
    for name in ("loader", "templates"):
        shutil.copytree(REPO / name, hooks / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, hooks / name)
    _git(hooks, "init", "-q", env=env)
    _git(hooks, "add", "-A", env=env)
    _git(hooks, "commit", "-q", "-m", "skillpack", env=env)
    commit = _git(hooks, "rev-parse", "HEAD", env=env)
    work = write_tree(base / "work", {
        "skills/good/SKILL.md": skill_md("good"),
        "skills/bad/SKILL.md": "---\nname: bad\ndescription: [not, a, string]\n---\nbody\n",
        "README.md": "# a repository with skills\n",
    })
    _git(work, "init", "-q", env=env)
    _git(work, "add", "-A", env=env)
    return hooks, work, commit, env


def try_repo(setup: tuple[Path, Path, str, dict[str, str]], *args: str,
             extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` with every hook of the repository (each run builds a fresh environment)."""
    hooks, work, commit, env = setup
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "--ref", commit, *args],
                          cwd=work, env={**env, **(extra_env or {})}, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def bad_run(setup: tuple[Path, Path, str, dict[str, str]]) -> subprocess.CompletedProcess[str]:
    """Both hooks on every file, with a listing budget too small for the two skills."""
    return try_repo(setup, "--all-files", extra_env={"SLASH_COMMAND_TOOL_CHAR_BUDGET": "10"})


@pytest.fixture(scope="module")
def good_run(setup: tuple[Path, Path, str, dict[str, str]]) -> subprocess.CompletedProcess[str]:
    """Both hooks on the good skill only, with Claude Code's default budget."""
    return try_repo(setup, "--files", "skills/good/SKILL.md")


@needs_pre_commit
def test_validate_fails_on_a_bad_skill_naming_file_and_line(bad_run: subprocess.CompletedProcess[str]) -> None:
    assert bad_run.returncode == 1, bad_run.stdout + bad_run.stderr
    validate = bad_run.stdout.split("validate Agent Skills")[1].split("Claude Code skill listing budget")[0]
    assert "Failed" in validate and "- hook id: skills-validate" in validate
    lines = validate.splitlines()
    at = lines.index("skills/bad/SKILL.md")
    assert lines[at + 1].split()[:3] == ["3", "error", "schema-type"]
    assert "skills/good/SKILL.md" not in validate
    assert "checked 2 skills (1 with errors, 0 left out): 1 error," in validate


@needs_pre_commit
def test_report_budget_fails_over_the_listing_budget(bad_run: subprocess.CompletedProcess[str]) -> None:
    budget = bad_run.stdout.split("Claude Code skill listing budget")[1]
    assert "Failed" in budget and "- hook id: skills-report-budget" in budget
    assert "gate failed: listing needs" in budget and "over the 10-char budget" in budget


@needs_pre_commit
def test_both_hooks_pass_on_a_good_skill(good_run: subprocess.CompletedProcess[str]) -> None:
    assert good_run.returncode == 0, good_run.stdout + good_run.stderr
    assert good_run.stdout.count("Passed") == 2
