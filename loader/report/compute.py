"""Report stage: the skill context per turn, eager vs Claude Code's listing vs on-demand, in tokens and money.

Guarantees: pure computation over already-loaded skills (``compute`` reads no files; the
caller passes what the matcher loaded per prompt), with the token counter injected, so the
same inputs always give the same frozen :class:`Report`. Rendering lives in
``loader.report.render`` and ``loader.report.html``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from loader.core.counter import TokenCounter
from loader.core.errors import UsageError
from loader.report.listing import EntryStatus, ListingCheck, check_listing, listing_entry

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens for one model, and where the figures come from."""

    model: str
    input: float
    cache_write: float
    cache_read: float
    output: float
    source: str
    taken: str
    """Date the prices were taken (``YYYY-MM-DD``), or ``"flags"`` when overridden."""


@dataclass(frozen=True, slots=True)
class SkillSizes:
    """The texts of one skill that the report measures (input to :func:`compute`)."""

    name: str
    description: str
    when_to_use: str
    skill_md: str
    """The whole SKILL.md (frontmatter and body): what eager loading puts in context."""
    body: str
    references: Mapping[str, str]
    """Reference file (relative POSIX path) -> text."""
    invocable: bool = True


@dataclass(frozen=True, slots=True)
class OnDemandInput:
    """What skillpack's matcher sends: a stable prefix, and per prompt the tail it loaded."""

    prefix: str
    tails: tuple[tuple[str, tuple[str, ...]], ...]
    """Per prompt: (the rendered tail text, names of the skills loaded)."""
    suggestions: tuple[str, ...] = ()
    """Per prompt, the part of its tail that suggests skills (``loader.match.tiers``); empty strings when none."""


@dataclass(frozen=True, slots=True)
class SkillRow:
    """Per-skill figures (tokens unless named otherwise)."""

    name: str
    listing_tokens: int
    listing_chars: int
    listing_status: str
    """``full``, ``name-only`` or ``dropped`` under the listing budget."""
    description_capped: bool
    skill_md_tokens: int
    body_tokens: int
    reference_tokens: int
    reference_files: int
    invocable: bool
    loads: int
    """Prompts of the query set that loaded this skill (0 without a query set)."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One way of putting skills in context, per turn and over the report's turns."""

    name: str
    stable_tokens: int
    """Sent every turn unchanged: cacheable (written once, then read from the cache)."""
    volatile_tokens: float
    """Changes per turn (on-demand bodies; mean over the query set): paid at the input price."""
    cost_uncached: float
    """USD over ``turns`` turns without prompt caching."""
    cost_cached: float
    """USD over ``turns`` turns with the stable part cached (1 write, turns-1 reads)."""

    @property
    def per_turn_tokens(self) -> float:
        """Tokens of skill context in one turn."""
        return self.stable_tokens + self.volatile_tokens


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the renderers show; see ``docs/report.md`` for the JSON form."""

    counter: str
    counter_exact: bool
    skills: int
    rows: tuple[SkillRow, ...]
    """Sorted by name."""
    eager: Scenario
    eager_references_tokens: int
    """Reference files on top of eager SKILL.md loading (not in ``eager``)."""
    listing: Scenario
    """Claude Code's listing (stable) plus, with prompts, the same bodies on-demand loads (volatile)."""
    listing_check: ListingCheck
    listing_sent_tokens: int
    """Tokens of the listing Claude Code actually sends after the budget."""
    on_demand: Scenario | None
    """``None`` without a query set: on-demand cost depends on the prompts."""
    prefix_tokens: int | None
    """skillpack's stable prefix (known without prompts), when the matcher is available."""
    queries: int
    no_skill_queries: int
    """Prompts for which the matcher loaded nothing."""
    mean_loaded: float
    max_tail_tokens: int
    prices: Prices
    turns: int
    top: tuple[str, ...]
    """Names of the costliest skills, costliest first (see :func:`top_skills`)."""
    roots: tuple[str, ...] = ()
    """The library folders, as given (for headings only)."""
    suggestion_tokens: float = 0.0
    """Mean tokens of suggestions per prompt: part of on-demand's volatile tokens, never of the listing's."""
    listing_reach: int = 0
    """Skills Claude Code's listing can reach: the ones it lists (in full or by name) within its budget."""
    on_demand_reach: int = 0
    """Skills skillpack can reach: every auto-invocable skill can be loaded or suggested when a prompt matches it."""

    def savings(self, against: Scenario) -> tuple[float, float, float] | None:
        """(tokens per turn, fraction of tokens, USD over the turns cached) on-demand saves vs ``against``."""
        if self.on_demand is None:
            return None
        tokens = against.per_turn_tokens - self.on_demand.per_turn_tokens
        share = tokens / against.per_turn_tokens if against.per_turn_tokens else 0.0
        return tokens, share, against.cost_cached - self.on_demand.cost_cached


def load_prices(model: str | None = None, *, input_price: float | None = None,
                cache_write: float | None = None, cache_read: float | None = None) -> Prices:
    """Prices for ``model`` from the bundled ``prices.json``, with flag overrides applied.

    Raises:
        UsageError: unknown model (the message lists the known ones), or a negative price.
    """
    data = json.loads(resources.files("loader.report").joinpath("prices.json").read_text(encoding="utf-8"))
    name = model or data["default_model"]
    name = data.get("aliases", {}).get(name, name)
    row = data["models"].get(name)
    overridden = any(v is not None for v in (input_price, cache_write, cache_read))
    if row is None:
        if input_price is None:
            raise UsageError(message=f"no prices for model {name!r}",
                             hint=f"choose one of {', '.join(sorted(data['models']))}, or pass --price-input")
        row = {"input": input_price, "output": 0.0}
    base = input_price if input_price is not None else float(row["input"])
    prices = Prices(
        model=name, input=base,
        # Anthropic's multipliers (1.25x write, 0.1x read) when a flag sets only the base price.
        cache_write=cache_write if cache_write is not None else
        (float(row["cache_write"]) if input_price is None and "cache_write" in row else base * 1.25),
        cache_read=cache_read if cache_read is not None else
        (float(row["cache_read"]) if input_price is None and "cache_read" in row else base * 0.1),
        output=float(row.get("output", 0.0)),
        source="command-line flags" if overridden else data["source"],
        taken="flags" if overridden else data["taken"],
    )
    if min(prices.input, prices.cache_write, prices.cache_read) < 0:
        raise UsageError(message="prices cannot be negative", hint="pass USD per million tokens, e.g. 3.0")
    return prices


def scenario(name: str, stable: int, volatile: float, prices: Prices, turns: int) -> Scenario:
    """Cost ``stable`` (cacheable) and ``volatile`` (uncached) tokens per turn over ``turns`` turns."""
    per_m = 1_000_000
    uncached = (stable + volatile) * turns * prices.input / per_m
    cached = (stable * (prices.cache_write + (turns - 1) * prices.cache_read) + volatile * turns * prices.input) / per_m
    return Scenario(name, stable, volatile, round(uncached, 6), round(cached, 6))


def top_skills(rows: Sequence[SkillRow], n: int = 5, *, by_loads: bool = False) -> tuple[str, ...]:
    """The ``n`` costliest skills: by tokens loaded over the query set, else by body tokens.

    Ties break on name, so the order is stable.
    """
    def cost(row: SkillRow) -> int:
        return row.loads * row.body_tokens if by_loads else row.body_tokens

    ranked = sorted((r for r in rows if cost(r) > 0), key=lambda r: (-cost(r), r.name))
    return tuple(r.name for r in ranked[:n])


def compute(skills: Sequence[SkillSizes], counter: TokenCounter, *, budget_chars: int, budget_source: str,
            prices: Prices, turns: int = 1, on_demand: OnDemandInput | None = None,
            prefix: str | None = None, top_n: int = 5, roots: Sequence[str] = ()) -> Report:
    """Build the report for ``skills`` (in library order; the listing budget follows it).

    Args:
        skills: the library's usable skills.
        counter: counts every text; its name goes into the report.
        budget_chars: Claude Code's listing budget in characters.
        budget_source: where that budget came from, for the report.
        prices: USD per million tokens.
        turns: conversation turns to cost (>= 1).
        on_demand: the matcher's prefix and per-prompt tails over a query set, if any.
        prefix: skillpack's stable prefix when there is no query set (shown as the floor).
        top_n: how many costliest skills to name.
        roots: the library folders, shown in headings.

    Raises:
        UsageError: ``turns`` below 1.
    """
    if turns < 1:
        raise UsageError(message="--turns must be at least 1", hint="e.g. --turns 20")
    listed = [s for s in skills if s.invocable]  # disable-model-invocation skills are not listed
    check = check_listing([(s.name, s.description, s.when_to_use) for s in listed], budget_chars,
                          budget_source=budget_source)
    by_name = {e.name: e for e in check.entries}
    loads: dict[str, int] = {}
    for _, names in on_demand.tails if on_demand else ():
        for name in names:
            loads[name] = loads.get(name, 0) + 1
    rows = []
    for s in skills:
        entry = by_name.get(s.name)
        text = entry.text if entry else listing_entry(s.name, s.description, s.when_to_use)[0]
        rows.append(SkillRow(
            name=s.name, listing_tokens=counter.count(text + "\n") if entry else 0,
            listing_chars=entry.chars if entry else 0,
            listing_status=entry.status.value if entry else "not-listed",
            description_capped=entry.capped if entry else False,
            skill_md_tokens=counter.count(s.skill_md), body_tokens=counter.count(s.body),
            reference_tokens=sum(counter.count(t) for t in s.references.values()),
            reference_files=len(s.references), invocable=s.invocable, loads=loads.get(s.name, 0),
        ))
    rows.sort(key=lambda r: r.name)
    eager = scenario("eager", sum(r.skill_md_tokens for r in rows), 0, prices, turns)
    listing_tokens = counter.count(check.text)
    sent = "".join(e.text + "\n" if e.status is EntryStatus.FULL else f"- {e.name}\n"
                   for e in check.entries if e.status is not EntryStatus.DROPPED)
    od = None
    tails: list[int] = []
    mean_tail = mean_suggested = 0.0
    prefix_tokens = counter.count(prefix) if prefix is not None else None
    if on_demand is not None:
        prefix_tokens = counter.count(on_demand.prefix)
        tails = [counter.count(tail) for tail, _ in on_demand.tails]
        mean_tail = round(sum(tails) / len(tails), 1) if tails else 0.0
        offered = [counter.count(text) for text in on_demand.suggestions if text]
        mean_suggested = round(sum(offered) / len(tails), 1) if tails else 0.0
        od = scenario("on-demand", prefix_tokens, mean_tail, prices, turns)
    # Claude Code also loads the body of each skill it invokes; with prompts, assume it invokes
    # the skills the matcher loads, so listing and on-demand differ only in what stays resident
    # (and in skillpack's suggestion lines, which the listing does not need).
    listing = scenario("listing", listing_tokens, round(max(0.0, mean_tail - mean_suggested), 1), prices, turns)
    loaded = [names for _, names in on_demand.tails] if on_demand is not None else []
    return Report(
        counter=counter.name, counter_exact=counter.exact, skills=len(rows), rows=tuple(rows),
        eager=eager, eager_references_tokens=sum(r.reference_tokens for r in rows),
        listing=listing, listing_check=check, listing_sent_tokens=counter.count(sent),
        on_demand=od, prefix_tokens=prefix_tokens, queries=len(loaded),
        no_skill_queries=sum(1 for names in loaded if not names),
        mean_loaded=round(sum(map(len, loaded)) / len(loaded), 3) if loaded else 0.0,
        max_tail_tokens=max(tails, default=0), prices=prices, turns=turns,
        top=top_skills(rows, top_n, by_loads=od is not None), roots=tuple(roots), suggestion_tokens=mean_suggested,
        listing_reach=sum(1 for e in check.entries if e.status is not EntryStatus.DROPPED), on_demand_reach=len(listed),
    )


def gate_failures(report: Report, *, fail_over_budget: bool, max_prefix_tokens: int | None) -> list[str]:
    """Why the CI gates fail (empty when they pass): listing over budget, prefix over a limit."""
    failures = []
    if fail_over_budget and not report.listing_check.fits:
        check = report.listing_check
        failures.append(f"listing needs {check.total_chars:,} chars, over the {check.budget_chars:,}-char budget")
    prefix = report.prefix_tokens
    if max_prefix_tokens is not None and prefix is not None and prefix > max_prefix_tokens:
        failures.append(f"stable prefix is {prefix:,} tokens, over --max-prefix-tokens {max_prefix_tokens:,}")
    return failures
