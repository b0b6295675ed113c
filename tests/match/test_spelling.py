"""Typo tolerance: unknown prompt words read as the library word one slip away, and only then."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, skill_md, write_tree
from loader.index import build_index
from loader.match.rank import match
from loader.match.spelling import MAX_CORRECTIONS, MAX_LENGTH, correct, edits, worth_trying

Cli = Callable[..., CliResult]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "skills", {
        "preview-deploys/SKILL.md": skill_md(
            "preview-deploys", "Publish a preview deployment and share its URL. Use when someone wants a "
            "preview of their branch online."),
        "error-triage/SKILL.md": skill_md(
            "error-triage", "Group production errors by cause and rank them. Use when a service reports "
            "errors after a release."),
        "lack-of-sleep/SKILL.md": skill_md(
            "lack-of-sleep", "Plan recovery after a lack of rest. Use when a person is tired."),
    })


@pytest.mark.parametrize(("word", "slip"), [("preview", "preveiw"), ("error", "eror"), ("commit", "commmit")])
def test_edits_include_common_slips(word: str, slip: str) -> None:
    assert word in edits(slip)


def test_edits_leave_out_substitutions_and_short_swaps() -> None:
    assert "lack" not in edits("slack")  # a dropped letter: too often another real word
    assert "reach" not in edits("react")  # a substituted letter
    assert "from" not in edits("form")  # swaps only from five letters on
    assert "refere" not in edits("referee")  # a doubled last letter is how the word is spelled


@pytest.mark.parametrize(("word", "tried"), [
    ("eror", True), ("internationalizaton", True), ("a" * MAX_LENGTH, True), ("a" * (MAX_LENGTH + 1), False),
    ("q" * 60_000, False), ("eor", False), ("s3bucket", False),
])
def test_only_words_of_plausible_length_are_tried(word: str, tried: bool) -> None:
    assert worth_trying(word) is tried


def test_an_overlong_unknown_word_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import loader.match.spelling as spelling

    asked: list[str] = []
    monkeypatch.setattr(spelling, "edits", lambda word: asked.append(word) or edits(word))
    fixes = correct([("x" * 60_000, "x" * 60_000), ("preveiw", "preveiw")],
                    lambda term: 1 if term == "preview" else 0, lambda terms: None)
    assert fixes == {"preveiw": "preview"} and asked == ["preveiw"]


def test_typo_loads_the_skill_and_says_so(library: Path) -> None:
    index = build_index([library])[0]
    assert match(index, "show me a preveiw").names[:1] == ["preview-deploys"]  # the only topical word
    result = match(index, "publish a preveiw deployment")
    assert result.corrections == (("preveiw", "preview"),)
    assert "preview" in result.query_terms and "preveiw" not in result.query_terms


def test_known_and_unrelated_words_are_not_corrected(library: Path) -> None:
    index = build_index([library])[0]
    assert match(index, "the slack channel is noisy").corrections == ()  # not a slip for "lack"
    assert match(index, "rank the errors").corrections == ()  # every word is known
    assert match(index, "quantum chromodynamics").corrections == ()  # unknown, but no neighbour


def test_correction_prefers_the_more_common_term_then_spelling() -> None:
    counts = {"form": 3, "from": 1}
    found = correct({"fomr": "fomr"}, lambda t: counts.get(t, 0), lambda terms: None)
    assert found == {}  # "fomr" is four letters: no swaps tried
    counts = {"preview": 2, "previews": 5}
    assert correct({"preveiw": "preveiw"}, lambda t: counts.get(t, 0), lambda terms: None) == {"preveiw": "preview"}


def test_corrections_are_bounded_per_prompt() -> None:
    unknown = {f"wordx{chr(97 + i)}": f"wordx{chr(97 + i)}" for i in range(20)}
    found = correct(unknown, lambda t: 1, lambda terms: None)  # every slip "exists"
    assert list(found) == list(unknown)[:MAX_CORRECTIONS]


def test_cli_reports_corrections(cli: Cli, library: Path) -> None:
    text = cli("match", "publish a preveiw deployment", "--skills", library, "--explain")
    assert text.code == 0, text.err
    assert text.out.startswith("preview-deploys")
    assert "read 'preveiw' as 'preview' (typo)" in text.out
    doc = json.loads(cli("match", "publish a preveiw deployment", "--skills", library, "--format", "json").out)
    assert doc["corrections"] == [{"typed": "preveiw", "read_as": "preview"}]
    assert [row["skill"] for row in doc["loaded"]][:1] == ["preview-deploys"]


def test_typo_tolerance_can_be_turned_off(library: Path) -> None:
    from loader.match.rank import DEFAULT_PARAMS

    index = build_index([library])[0]
    strict = DEFAULT_PARAMS.replace(typos=False)
    result = match(index, "show me a preveiw", params=strict)
    assert result.corrections == () and result.names == []
    assert match(index, "show me a preveiw").names == ["preview-deploys"]
