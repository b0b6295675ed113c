"""Usage stage, summary: turns and a library in, a :class:`UsageReport` out.

Guarantees: one pass over the turns, in bounded memory (each prompt is matched and dropped;
only counts, per-session prompt numbers and, with ``keep_prompts``, the prompts themselves are
kept); costs use ``loader.report``'s model (same prices, same eager / listing / on-demand
scenarios), replayed per session: the stable part is written to the cache once per session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from loader.core.counter import TokenCounter
from loader.report.compute import Prices, Report, Scenario, compute, scenario
from loader.report.listing import EntryStatus
from loader.usage.transcripts import ReadStats, Turn

if TYPE_CHECKING:
    from loader.match.library import SkillLibrary
    from loader.report.compute import SkillSizes

SCHEMA_VERSION = 1
HOWS = ("claude", "read", "user", "hook")
MAX_PROMPTS_SHOWN = 500
"""Prompts ``--show-prompts`` keeps at most (the report stays bounded on a long history)."""


@dataclass(frozen=True, slots=True)
class SkillUse:
    """How often one skill was used, and how."""

    name: str
    claude: int
    """Turns where Claude invoked it with the Skill tool."""
    read: int
    """Turns where Claude read its ``SKILL.md`` (a skill's body reached without the tool)."""
    user: int
    """Turns where the user typed ``/name``."""
    hook: int
    """Turns where skillpack's hook placed it in context."""
    last: str
    """Time of the last turn that used it."""
    in_library: bool
    listing: str
    """Its entry in Claude Code's listing under the budget: ``full``, ``name-only``, ``dropped``, ``not-listed``."""

    @property
    def total(self) -> int:
        """Turns that used it in any way."""
        return self.claude + self.read + self.user + self.hook


@dataclass(frozen=True, slots=True)
class Replay:
    """The three ways of loading skills, costed on the real prompts, session by session."""

    eager: Scenario
    listing: Scenario
    on_demand: Scenario
    threshold: float
    """The matcher's threshold in this replay (the calibration in force, else the default)."""
    no_skill_prompts: int
    """Prompts for which the matcher loaded nothing."""


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Everything ``skills usage`` shows."""

    sources: tuple[str, ...]
    since: str
    stats: ReadStats
    sessions: int
    prompts: int
    prompts_with_skill: int
    """Prompts where Claude or the user used at least one skill (the hook alone does not count)."""
    skills: tuple[SkillUse, ...]
    """Library skills first (by uses, then name), then skills used that the library lacks."""
    never_used: tuple[str, ...]
    cut_by_listing: tuple[str, ...]
    """Skills used that Claude Code's listing budget would list as a bare name or drop."""
    replay: Replay | None
    report: Report | None
    """The size report behind the replay (counter, prices, listing check)."""
    prompts_shown: tuple[str, ...] = ()
    """The prompts themselves, only when asked (``--show-prompts``)."""


@dataclass(slots=True)
class _Tally:
    counts: dict[str, dict[str, int]]
    last: dict[str, str]
    sessions: dict[str, int]
    prompts: int = 0
    with_skill: int = 0


def summarize(turns: Iterable[Turn], *, library: SkillLibrary | None, sizes: Sequence[SkillSizes],
              counter: TokenCounter, prices: Prices, budget_chars: int, budget_source: str,
              sources: Sequence[Path], stats: ReadStats, since: date | None = None, top_k: int = 3,
              keep_prompts: bool = False) -> UsageReport:
    """Count skill use over ``turns`` and replay the three ways of loading on their prompts."""
    from loader.core.text import prompt_for_matching

    tally = _Tally({}, {}, {})
    tails: dict[tuple[str, ...], int] = {}
    """Tokens of the tail for each loaded set (one count per distinct set: bodies are long)."""
    tail_tokens = no_skill = 0
    kept: list[str] = []
    threshold = 0.0
    if library is not None:
        from loader.match.calibration import calibrated_threshold
        from loader.match.context import render_prefix, render_tail
        from loader.match.rank import DEFAULT_PARAMS

        found = calibrated_threshold(library.index, library.index_path)
        threshold = DEFAULT_PARAMS.threshold if found is None else found
        prefix = render_prefix(library.index)
    for turn in turns:
        if since is not None and turn.time[:10] < since.isoformat():
            continue
        tally.prompts += 1
        tally.sessions[turn.session] = tally.sessions.get(turn.session, 0) + 1
        if turn.used("claude", "read", "user"):
            tally.with_skill += 1
        for use in {(u.name, u.how) for u in turn.uses}:
            per = tally.counts.setdefault(use[0], dict.fromkeys(HOWS, 0))
            per[use[1]] += 1
            tally.last[use[0]] = max(tally.last.get(use[0], ""), turn.time)
        if keep_prompts and len(kept) < MAX_PROMPTS_SHOWN:
            kept.append(turn.prompt)
        if library is not None:
            result = library.match(prompt_for_matching(turn.prompt), top_k=top_k, threshold=threshold)
            names = tuple(result.names)
            if names not in tails:
                tails[names] = counter.count(render_tail(library.index, result))
            tail_tokens += tails[names]
            no_skill += not names
    if library is None:
        return _assemble(tally, None, None, sizes, sources, stats, since, tuple(kept))
    report = compute(sizes, counter, budget_chars=budget_chars, budget_source=budget_source, prices=prices,
                     turns=1, prefix=prefix)
    mean_tail = round(tail_tokens / tally.prompts, 1) if tally.prompts else 0.0
    per_turn = (report.eager, scenario("listing", report.listing.stable_tokens, mean_tail, prices, 1),
                scenario("on-demand", counter.count(prefix), mean_tail, prices, 1))
    eager, listing, on_demand = (_per_session(s, prices, tally.sessions.values()) for s in per_turn)
    replay = Replay(eager, listing, on_demand, threshold=threshold, no_skill_prompts=no_skill)
    return _assemble(tally, report, replay, sizes, sources, stats, since, tuple(kept))


def _assemble(tally: _Tally, report: Report | None, replay: Replay | None, sizes: Sequence[SkillSizes],
              sources: Sequence[Path], stats: ReadStats, since: date | None, kept: tuple[str, ...]) -> UsageReport:
    names = [s.name for s in sizes]
    status = {r.name: r.listing_status for r in report.rows} if report else {}
    rows = []
    for name in sorted(set(names) | set(tally.counts)):
        per = tally.counts.get(name, dict.fromkeys(HOWS, 0))
        rows.append(SkillUse(name, per["claude"], per["read"], per["user"], per["hook"], tally.last.get(name, ""),
                             name in names, status.get(name, "not-listed" if name in names else "")))
    rows.sort(key=lambda r: (not r.in_library, -r.total, r.name))
    cut = {EntryStatus.NAME_ONLY.value, EntryStatus.DROPPED.value}
    return UsageReport(
        sources=tuple(map(str, sources)), since=since.isoformat() if since else "", stats=stats,
        sessions=len(tally.sessions), prompts=tally.prompts, prompts_with_skill=tally.with_skill,
        skills=tuple(rows), never_used=tuple(r.name for r in rows if r.in_library and r.total == 0),
        cut_by_listing=tuple(r.name for r in rows if r.total - r.hook > 0 and r.listing in cut),
        replay=replay, report=report, prompts_shown=kept)


def _per_session(base: Scenario, prices: Prices, sessions: Iterable[int]) -> Scenario:
    """``base``'s per-turn tokens costed over every session (one cache write per session)."""
    parts = [scenario(base.name, base.stable_tokens, base.volatile_tokens, prices, n) for n in sessions if n > 0]
    return Scenario(base.name, base.stable_tokens, base.volatile_tokens,
                    round(sum(p.cost_uncached for p in parts), 6), round(sum(p.cost_cached for p in parts), 6))
