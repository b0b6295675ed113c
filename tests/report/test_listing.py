from __future__ import annotations

import pytest

from loader.report.listing import (
    DEFAULT_LISTING_BUDGET,
    MAX_DESCRIPTION_CHARS,
    EntryStatus,
    check_listing,
    default_budget,
    listing_entry,
)

ALPHA = ("alpha", "Alpha does one thing.", "")  # "- alpha: Alpha does one thing." = 30 chars + newline
BETA = ("beta", "Beta.", "")  # "- beta: Beta." = 13 chars + newline


def test_entry_is_name_colon_description_with_whitespace_collapsed() -> None:
    assert listing_entry("pdf", "Extract text\n  from PDFs.") == ("- pdf: Extract text from PDFs.", False)


def test_when_to_use_follows_the_description() -> None:
    assert listing_entry("pdf", "Extract text.", "Use for PDFs.")[0] == "- pdf: Extract text. - Use for PDFs."


def test_long_description_is_cut_at_the_per_skill_cap() -> None:
    text, capped = listing_entry("big", "x" * 2000)
    assert capped
    assert len(text) == len("- big: ") + MAX_DESCRIPTION_CHARS
    assert text.endswith("\u2026")


def test_everything_fits_under_a_large_budget() -> None:
    check = check_listing([ALPHA, BETA], 45)
    assert check.fits and check.total_chars == 31 + 14 == check.kept_chars
    assert [e.status for e in check.entries] == [EntryStatus.FULL, EntryStatus.FULL]
    assert check.text == "- alpha: Alpha does one thing.\n- beta: Beta.\n"


def test_past_the_budget_later_skills_keep_only_their_name() -> None:
    # names first: 8 + 7 = 15, leaving 29; alpha's description needs 23 more (fits), beta's 7 (6 left)
    check = check_listing([ALPHA, BETA], 44)
    assert not check.fits
    assert check.names(EntryStatus.FULL) == ["alpha"]
    assert check.names(EntryStatus.NAME_ONLY) == ["beta"]
    assert check.kept_chars == 31 + 7


def test_the_cut_is_a_prefix_even_when_a_later_description_would_fit() -> None:
    long = ("long", "x" * 100, "")
    check = check_listing([long, BETA], 8 + 7 + 10)
    assert check.names(EntryStatus.NAME_ONLY) == ["long", "beta"]


def test_names_that_do_not_fit_are_dropped() -> None:
    check = check_listing([ALPHA, BETA], 10)
    assert check.names(EntryStatus.NAME_ONLY) == ["alpha"]
    assert check.names(EntryStatus.DROPPED) == ["beta"]


def test_default_budget_is_one_percent_of_200k_tokens_at_4_chars_per_token() -> None:
    budget, source = default_budget({})
    assert budget == DEFAULT_LISTING_BUDGET == 8000
    assert "1%" in source and "200k" in source


@pytest.mark.parametrize(("value", "expected"), [("30000", 30000), ("", 8000), ("lots", 8000), ("0", 8000)])
def test_budget_environment_variable_overrides_when_valid(value: str, expected: int) -> None:
    budget, source = default_budget({"SLASH_COMMAND_TOOL_CHAR_BUDGET": value})
    assert budget == expected
    assert ("SLASH_COMMAND_TOOL_CHAR_BUDGET" in source) == (expected != 8000)
