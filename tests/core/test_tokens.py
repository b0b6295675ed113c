from __future__ import annotations

import math
from pathlib import Path

import pytest

from loader.core.counter import TokenCounter
from loader.core.errors import UsageError
from loader.core.tokens import (
    DEFAULT_COUNTER,
    EstimateCounter,
    FixedRatioCounter,
    count_tokens,
    get_counter,
)

C = EstimateCounter()


def test_empty_text_is_zero_tokens_and_any_text_at_least_one() -> None:
    assert C.count("") == 0
    assert C.count(" ") == 1


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("alpha beta gamma", 3 * C.word_cost, id="short-words"),
    pytest.param("internationalization", C.word_cost + C.long_word_cost * (20 - C.long_word_after), id="long-word"),
    pytest.param("1234567", 3 * C.digit_group_cost, id="digits-in-groups-of-three"),
    pytest.param("a, b.", 2 * C.word_cost + 2 * C.punct_cost, id="punctuation"),
    pytest.param("x\n\n\ny", 2 * C.word_cost + 3 * C.newline_cost, id="newlines"),
    pytest.param("x\n        y", 2 * C.word_cost + C.newline_cost + C.indent_cost, id="indent-run"),
    pytest.param("caf\u00e9 \u00e9t\u00e9", 2 * C.word_cost + 3 * C.other_cost, id="non-ascii"),
])
def test_estimate_adds_the_documented_cost_of_each_piece(text: str, expected: float) -> None:
    assert C.count(text) == max(1, round(expected))


def test_estimate_scales_with_text_length() -> None:
    paragraph = "Use this skill when the user asks to fill in a PDF form.\n"
    one, hundred = C.count(paragraph), C.count(paragraph * 100)
    assert 95 * one <= hundred <= 105 * one


def test_constants_can_be_overridden_for_a_fully_predictable_counter() -> None:
    words_only = EstimateCounter(name="words", word_cost=1.0, long_word_cost=0.0, digit_group_cost=0.0,
                                 punct_cost=0.0, newline_cost=0.0, indent_cost=0.0, other_cost=0.0)
    assert words_only.count("one two, three!\nfour") == 4


def test_fixed_ratio_counter_rounds_up() -> None:
    counter = FixedRatioCounter()
    assert [counter.count("x" * n) for n in (0, 1, 4, 5, 8)] == [0, 1, 1, 2, 2]


def test_count_tokens_uses_the_default_unless_a_counter_is_injected() -> None:
    text = "Extract text and tables from PDF files."
    assert count_tokens(text) == DEFAULT_COUNTER.count(text)
    assert count_tokens(text, FixedRatioCounter()) == math.ceil(len(text) / 4)


def test_every_counter_names_itself_and_says_whether_it_is_exact() -> None:
    counters: list[TokenCounter] = [get_counter("estimate"), get_counter("chars4")]
    assert [(c.name, c.exact) for c in counters] == [("estimate-v2", False), ("chars/4", False)]
    assert get_counter("estimate") is DEFAULT_COUNTER


def test_unknown_counter_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown token counter"):
        get_counter("gpt-9")


def test_legacy_counter_without_a_tokenizer_file_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("SKILLPACK_TOKENIZER", str(tmp_path / "missing.json"))
    with pytest.raises(UsageError) as info:
        get_counter("claude-legacy")
    assert "tokenizer.json" in str(info.value)


def test_legacy_counter_counts_with_a_local_tokenizer_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    vocab = {"[UNK]": 0, "hello": 1, "world": 2}
    model = tokenizers.models.WordLevel(vocab, unk_token="[UNK]")
    tok = tokenizers.Tokenizer(model)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    monkeypatch.setenv("SKILLPACK_TOKENIZER", str(path))
    counter = get_counter("claude-legacy")
    assert (counter.name, counter.exact) == ("claude-legacy", True)
    assert counter.count("hello world hello") == 3
    assert counter.count("") == 0
