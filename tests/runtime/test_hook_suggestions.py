"""The hook's second tier: bodies it is sure of, then one block of suggestions, within one budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hook import context_of, event, run_hook

from conftest import FORM_PROMPT, TIERED, write_tree
from loader.core.tokens import count_tokens
from loader.runtime.hook import HOOK_HINT
from loader.runtime.hook_input import HookOptions, parse_args


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "skills", TIERED)


def suggested_names(context: str) -> list[str]:
    after = context.split(HOOK_HINT, 1)[1]
    return [line[2:].split(":", 1)[0] for line in after.strip("\n").splitlines()]


def test_bodies_then_suggestions(skills_bin: list[str], library: Path) -> None:
    context = context_of(run_hook(skills_bin, event(FORM_PROMPT), "--library", library))
    assert context.startswith("skillpack loaded 1 skill for this prompt: pdf-forms (score")
    assert context.index("</skill>") < context.index(HOOK_HINT)
    assert suggested_names(context) == ["pdf-merge"]  # admin-reset ranks higher but is manual only
    assert f"({library.resolve() / 'pdf-merge' / 'SKILL.md'})" in context
    assert context.count("<skill ") == 1


def test_suggestions_only_when_nothing_is_sure_enough(skills_bin: list[str], library: Path) -> None:
    done = run_hook(skills_bin, event("pdf"), "--library", library)
    reply = json.loads(done.stdout)
    assert list(reply) == ["hookSpecificOutput"]
    context = context_of(done)
    assert context.startswith(HOOK_HINT) and "<skill" not in context
    assert suggested_names(context) == ["pdf-merge", "pdf-forms"]


def test_nothing_when_no_candidate_reaches_the_floor(skills_bin: list[str], library: Path) -> None:
    done = run_hook(skills_bin, event("What is a good name for a cat?"), "--library", library)
    assert done.returncode == 0 and done.stdout == b""


def test_suggest_option_limits_or_turns_off(skills_bin: list[str], library: Path) -> None:
    assert suggested_names(context_of(run_hook(skills_bin, event("pdf"), "--library", library, "--suggest", "1"))) \
        == ["pdf-merge"]
    assert run_hook(skills_bin, event("pdf"), "--library", library, "--suggest", "0").stdout == b""
    context = context_of(run_hook(skills_bin, event(FORM_PROMPT), "--library", library, "--suggest=0"))
    assert HOOK_HINT not in context and "pdf-forms" in context


def test_a_skill_already_sent_is_not_suggested_again(skills_bin: list[str], library: Path) -> None:
    assert "pdf-forms" in context_of(run_hook(skills_bin, event(FORM_PROMPT), "--library", library))
    assert suggested_names(context_of(run_hook(skills_bin, event("pdf"), "--library", library))) == ["pdf-merge"]
    other_session = context_of(run_hook(skills_bin, event("pdf", session="session-2"), "--library", library))
    assert suggested_names(other_session) == ["pdf-merge", "pdf-forms"]


@pytest.mark.parametrize(("prompt", "budget", "max_chars"), [
    pytest.param("pdf", 2500, 9500, id="defaults"),
    pytest.param("pdf", 60, 9500, id="tokens-for-one-suggestion"),
    pytest.param("pdf", 2500, 200, id="chars-for-one-suggestion"),
    pytest.param(FORM_PROMPT, 150, 9500, id="body-and-suggestion-tight"),
    pytest.param(FORM_PROMPT, 2500, 500, id="body-and-suggestion-few-chars"),
])
def test_whole_context_stays_within_the_budget(skills_bin: list[str], library: Path, prompt: str, budget: int,
                                               max_chars: int) -> None:
    done = run_hook(skills_bin, event(prompt), "--library", library, "--budget", str(budget),
                    "--max-chars", str(max_chars))
    if done.stdout == b"":
        return
    context = context_of(done)
    assert count_tokens(context) <= budget and len(context) <= max_chars


def test_tight_budget_drops_suggestions_from_the_end(skills_bin: list[str], library: Path) -> None:
    full = context_of(run_hook(skills_bin, event("pdf"), "--library", library))
    budget = count_tokens(full) - 5
    context = context_of(run_hook(skills_bin, event("pdf"), "--library", library, "--budget", str(budget)))
    assert suggested_names(context) == ["pdf-merge"]


def test_parse_args_suggest() -> None:
    assert parse_args(["--suggest", "0"]) == HookOptions(suggest=0)
    assert parse_args(["--suggest=7", "--top-k", "2"]) == HookOptions(top_k=2, suggest=7)
    assert parse_args(["--suggest", "-1"]) is None
    assert parse_args(["--top-k", "0"]) is None


def _blocking_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"permissions": {"blockReadsOutsideWorkingDirectories": True}}), encoding="utf-8")
    return project


def test_when_reads_outside_the_project_are_blocked_only_bodies_are_sent(
        skills_bin: list[str], library: Path, tmp_path: Path) -> None:
    project = _blocking_project(tmp_path)  # the library (tmp_path/skills) lies outside it
    context = context_of(run_hook(skills_bin, event(FORM_PROMPT, cwd=str(project)), "--library", library))
    assert "<skill name=\"pdf-forms\"" in context and HOOK_HINT not in context and "read that file" not in context
    done = run_hook(skills_bin, event("pdf", cwd=str(project)), "--library", library)  # suggestions only: nothing
    assert done.returncode == 0 and done.stdout == b""


def test_a_library_inside_the_project_keeps_its_suggestions_under_blocked_reads(
        skills_bin: list[str], tmp_path: Path) -> None:
    project = _blocking_project(tmp_path)
    inside = write_tree(project / "skills", TIERED)
    context = context_of(run_hook(skills_bin, event("pdf", cwd=str(project)), "--library", inside))
    assert suggested_names(context) == ["pdf-merge", "pdf-forms"]
