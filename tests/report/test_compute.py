"""The report's arithmetic on a library small enough to count by hand, with a word counter."""

from __future__ import annotations

import dataclasses

import pytest

from loader.core.errors import UsageError
from loader.report.compute import (
    OnDemandInput,
    Prices,
    SkillSizes,
    compute,
    gate_failures,
    load_prices,
    top_skills,
)


class Words:
    """One token per whitespace-separated word: every figure below can be checked by eye."""

    name = "words"
    exact = True

    def count(self, text: str) -> int:
        return len(text.split())


# alpha's SKILL.md: 9 words of frontmatter + 6 of body = 15; one reference of 10 words
ALPHA = SkillSizes(
    name="alpha", description="Alpha does one thing.", when_to_use="",
    skill_md="---\nname: alpha\ndescription: Alpha does one thing.\n---\n\none two three four five six\n",
    body="\none two three four five six\n", references={"ref.md": " ".join(f"r{i}" for i in range(10))},
)
# beta's SKILL.md: 6 words of frontmatter + 4 of body = 10; no references
BETA = SkillSizes(
    name="beta", description="Beta.", when_to_use="",
    skill_md="---\nname: beta\ndescription: Beta.\n---\n\nb1 b2 b3 b4\n", body="\nb1 b2 b3 b4\n", references={},
)
# gamma (6 words) is disable-model-invocation: eager still pays for it, the listing does not show it
GAMMA = SkillSizes(
    name="gamma", description="Manual only.", when_to_use="", skill_md="---\nname: gamma\n---\n\ng1 g2\n",
    body="\ng1 g2\n", references={}, invocable=False,
)
PRICES = Prices("test-model", input=3.0, cache_write=3.75, cache_read=0.30, output=15.0, source="test", taken="t")
# two prompts: the first loads alpha (a 4-word tail), the second loads nothing
ON_DEMAND = OnDemandInput(prefix="p1 p2 p3 p4 p5", tails=(("t1 t2 t3 t4", ("alpha",)), ("", ())))


def report(**kwargs: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"budget_chars": 8000, "budget_source": "test", "prices": PRICES, "turns": 10}
    args.update(kwargs)
    return compute([ALPHA, BETA, GAMMA], Words(), **args)  # type: ignore[arg-type]


def test_per_skill_rows_count_listing_body_skill_md_and_references() -> None:
    rows = {r.name: r for r in report().rows}
    # listing entries: "- alpha: Alpha does one thing." = 6 words, "- beta: Beta." = 3
    assert (rows["alpha"].listing_tokens, rows["alpha"].body_tokens, rows["alpha"].skill_md_tokens,
            rows["alpha"].reference_tokens, rows["alpha"].reference_files) == (6, 6, 15, 10, 1)
    assert (rows["beta"].listing_tokens, rows["beta"].body_tokens, rows["beta"].skill_md_tokens) == (3, 4, 10)
    assert (rows["gamma"].listing_tokens, rows["gamma"].listing_status, rows["gamma"].invocable) == (0, "not-listed",
                                                                                                 False)


def test_eager_listing_and_on_demand_tokens_per_turn() -> None:
    r = report(on_demand=ON_DEMAND)
    assert r.eager.per_turn_tokens == 15 + 10 + 6
    assert r.eager_references_tokens == 10
    assert r.listing.stable_tokens == 6 + 3
    assert r.listing.volatile_tokens == 2.0  # Claude Code would load the same bodies when it invokes them
    assert r.on_demand is not None
    assert (r.on_demand.stable_tokens, r.on_demand.volatile_tokens) == (5, 2.0)  # tails 4 and 0 -> mean 2
    assert (r.queries, r.no_skill_queries, r.mean_loaded, r.max_tail_tokens) == (2, 1, 0.5, 4)


def test_money_over_turns_caches_the_stable_part_and_pays_the_tail_each_turn() -> None:
    r = report(on_demand=ON_DEMAND)
    eager = r.eager.stable_tokens
    # 10 turns: one cache write, nine cache reads, prices per million tokens
    assert r.eager.cost_cached == pytest.approx(eager * (3.75 + 9 * 0.30) / 1e6, abs=1e-6)
    assert r.eager.cost_uncached == pytest.approx(eager * 10 * 3.0 / 1e6, abs=1e-6)
    assert r.on_demand is not None
    assert r.on_demand.cost_cached == pytest.approx((5 * (3.75 + 9 * 0.30) + 2 * 10 * 3.0) / 1e6, abs=1e-6)


def test_savings_against_eager_and_listing() -> None:
    r = report(on_demand=ON_DEMAND)
    tokens, share, _ = r.savings(r.eager)  # type: ignore[misc]
    assert tokens == r.eager.per_turn_tokens - 7
    assert share == pytest.approx(1 - 7 / r.eager.per_turn_tokens)
    tokens, share, _ = r.savings(r.listing)  # type: ignore[misc]
    assert (tokens, share) == (9 - 5, pytest.approx(4 / 11))  # listing + bodies vs prefix + bodies


def test_without_prompts_there_is_no_on_demand_figure_but_the_prefix_is_known() -> None:
    r = report(prefix="p1 p2 p3")
    assert r.on_demand is None and r.savings(r.eager) is None
    assert r.prefix_tokens == 3
    assert r.top == ("alpha", "beta", "gamma")  # by body tokens: 6, 4, 2


def test_top_skills_with_prompts_rank_by_tokens_loaded() -> None:
    r = report(on_demand=OnDemandInput("p", (("x", ("beta",)), ("x", ("beta",)), ("y", ("alpha",)))))
    assert r.top[:2] == ("beta", "alpha")  # beta 2 loads x 4 = 8 > alpha 1 x 6
    rows = [dataclasses.replace(row, body_tokens=5) for row in r.rows]
    assert top_skills(rows, 3) == ("alpha", "beta", "gamma")  # equal cost: ties break on name


def test_listing_budget_and_gates() -> None:
    r = report(budget_chars=40, prefix="p1 p2 p3")  # needs 31 + 14 = 45 chars
    assert not r.listing_check.fits
    assert r.listing_check.names(r.listing_check.entries[0].status) == ["alpha"]
    assert gate_failures(r, fail_over_budget=False, max_prefix_tokens=None) == []
    assert len(gate_failures(r, fail_over_budget=True, max_prefix_tokens=None)) == 1
    assert gate_failures(r, fail_over_budget=False, max_prefix_tokens=3) == []
    assert "over --max-prefix-tokens 2" in gate_failures(r, fail_over_budget=False, max_prefix_tokens=2)[0]


def test_turns_below_one_cannot_run() -> None:
    with pytest.raises(UsageError):
        report(turns=0)


def test_prices_come_from_the_bundled_list_with_date_and_source() -> None:
    p = load_prices()
    assert p.model == "claude-sonnet-4-6" and p.taken.count("-") == 2 and p.source.startswith("https://")
    assert load_prices("haiku").model == "claude-haiku-4-5"
    assert load_prices("claude-opus-4-1").cache_read == 1.5


def test_price_flags_override_and_derive_cache_prices_from_input() -> None:
    p = load_prices(input_price=10.0)
    assert (p.input, p.cache_write, p.cache_read, p.source) == (10.0, 12.5, 1.0, "command-line flags")
    assert load_prices(cache_read=0.01).cache_read == 0.01
    assert load_prices("my-own-model", input_price=2.0).model == "my-own-model"


@pytest.mark.parametrize("kwargs", [
    pytest.param({"model": "gpt-9"}, id="unknown-model"),
    pytest.param({"input_price": -1.0}, id="negative"),
])
def test_bad_prices_cannot_run(kwargs: dict[str, object]) -> None:
    model = kwargs.pop("model", None)
    with pytest.raises(UsageError):
        load_prices(model, **kwargs)  # type: ignore[arg-type]


def test_on_demand_counts_suggestions_and_the_listing_does_not() -> None:
    # prompt 1: a 4-word body plus a 3-word suggestion block; prompt 2: only a 5-word suggestion block
    tails = (("t1 t2 t3 t4 s1 s2 s3", ("alpha",)), ("u1 u2 u3 u4 u5", ()))
    r = report(on_demand=OnDemandInput("p1 p2", tails, ("s1 s2 s3", "u1 u2 u3 u4 u5")))
    assert r.on_demand is not None and r.on_demand.volatile_tokens == (7 + 5) / 2
    assert r.suggestion_tokens == (3 + 5) / 2
    assert r.listing.volatile_tokens == 4 / 2  # only the body: the listing has no suggestion lines
    assert (r.listing_reach, r.on_demand_reach) == (2, 2)  # alpha and beta; gamma is manual only
    tight = report(budget_chars=10)
    assert tight.listing_reach < tight.on_demand_reach == 2
