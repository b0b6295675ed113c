"""Every entry point bounds a long prompt the same way, and never spells out an over-long word.

Work is asserted, not timed: spies record what the matcher and the typo check were given. The
subprocess runs carry a generous timeout only so that a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug

HANG_GUARD_S = 20
REQUEST = "Please fill in the fields of this PDF form."


def _letters(count: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(count))


LONG_WORD = _letters(60_000)
"""One 60,000-letter word: its slips once took over a minute and 7 GB."""
_VOCABULARY = [_letters(5 + n % 9, seed=n) for n in range(2000)]
BIG_PASTE = " ".join(_VOCABULARY[n % 2000] for n in range(220_000))[:2_000_000]
"""About 2 MB of made-up words no skill contains, as in a pasted log."""


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", description="Fills in PDF forms, finding the form fields and writes values into them. "
               "Use when the user wants to fill a PDF form or its fields.", body="# Filling PDF forms\n\nSteps.\n")
    make_skill("git-bisect", description="Finds the commit that introduced a regression with git bisect. "
               "Use when the user asks which commit broke something.", body="# Bisecting\n\nMark good and bad.\n")
    make_skill("invoice-totals", description="Checks invoice totals, tax lines and currency rounding. "
               "Use when the user asks to verify or reconcile an invoice.", body="# Invoices\n\nAdd them up.\n")
    return tmp_path / "skills"


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Lengths of the prompts the matcher got and of the words the typo check spelled out."""
    import loader.match.rank as rank
    import loader.match.spelling as spelling
    import loader.runtime.mcp as mcp

    seen: dict[str, list[int]] = {"prompts": [], "words": []}
    real_match, real_edits = rank.match, spelling.edits

    def match(index: object, prompt: str, **kwargs: object) -> object:
        seen["prompts"].append(len(prompt))
        return real_match(index, prompt, **kwargs)

    def edits(word: str) -> set[str]:
        seen["words"].append(len(word))
        return real_edits(word)

    monkeypatch.setattr(rank, "match", match)
    monkeypatch.setattr(mcp, "match", match)
    monkeypatch.setattr(spelling, "edits", edits)
    return seen


def assert_bounded(seen: dict[str, list[int]]) -> None:
    from loader.core.text import MAX_PROMPT_CHARS
    from loader.match.spelling import MAX_CORRECTIONS, MAX_LENGTH

    assert seen["prompts"] and max(seen["prompts"]) <= MAX_PROMPT_CHARS + 1
    assert len(seen["words"]) <= MAX_CORRECTIONS and max(seen["words"], default=0) <= MAX_LENGTH


PROMPTS = [pytest.param(f"{LONG_WORD} {REQUEST}", id="60000-letter-word"),
           pytest.param(f"{BIG_PASTE}\n{REQUEST}", id="2mb-prompt")]


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("command", ["match", "context"])
def test_cli_bounds_the_prompt(cli: Callable[..., CliResult], library: Path, spies: dict[str, list[int]],
                               command: str, prompt: str) -> None:
    result = cli(command, prompt, "--skills", library)
    assert result.code == 0 and "pdf-forms" in result.out  # the request at the end still counts
    assert_bounded(spies)


def test_cli_json_shows_the_prompt_it_matched(cli: Callable[..., CliResult], library: Path) -> None:
    from loader.core.text import prompt_for_matching

    result = cli("match", f"{BIG_PASTE}\n{REQUEST}", "--skills", library, "--format", "json")
    assert json.loads(result.out)["prompt"] == prompt_for_matching(f"{BIG_PASTE}\n{REQUEST}")


@pytest.mark.parametrize("prompt", PROMPTS)
def test_hook_in_process_bounds_the_prompt(cli: Callable[..., CliResult], library: Path,
                                           spies: dict[str, list[int]], prompt: str) -> None:
    event = json.dumps({"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": prompt})
    result = cli("hook", "--library", library, stdin=event)
    assert result.code == 0 and "pdf-forms" in json.loads(result.out)["hookSpecificOutput"]["additionalContext"]
    assert_bounded(spies)


def test_mcp_search_bounds_the_query(library: Path, spies: dict[str, list[int]]) -> None:
    pytest.importorskip("mcp")
    from loader.core.text import MAX_PROMPT_CHARS
    from loader.index import open_index
    from loader.runtime.mcp import search

    index, _ = open_index([library])
    found = search(index, f"{BIG_PASTE} {LONG_WORD} {REQUEST}")
    assert found["skills"][0]["name"] == "pdf-forms" and len(found["query"]) <= MAX_PROMPT_CHARS + 1
    assert_bounded(spies)


@pytest.mark.parametrize("prompt", PROMPTS)
def test_hook_process_finishes(skills_bin: list[str], library: Path, prompt: str) -> None:
    event = json.dumps({"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": prompt})
    env = env_without_debug()
    env.pop("CLAUDE_PROJECT_DIR", None)
    done = subprocess.run([*skills_bin, "hook", "--library", str(library)], input=event.encode(),
                          capture_output=True, env=env, timeout=HANG_GUARD_S)
    assert (done.returncode, done.stderr) == (0, b"")
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]


def test_match_process_finishes(skills_bin: list[str], library: Path) -> None:
    done = subprocess.run([*skills_bin, "match", f"{LONG_WORD} {REQUEST}", "--skills", str(library)],
                          capture_output=True, env=env_without_debug(), timeout=HANG_GUARD_S)
    assert done.returncode == 0 and done.stdout.startswith(b"pdf-forms\t")
