"""Eval stage: measure the matcher on a JSON Lines query set, as ``skills eval`` reports it.

Guarantees: metrics follow ``bench/README.md`` exactly (only *loaded* skills count: a right
skill ranked first but below the threshold is a miss); ``reach`` also counts suggestions (a
right skill loaded *or* suggested), and suggestions are costed as rendered in the context
(``loader.match.tiers.render_suggestions``); the query file is untrusted input, so bad lines
raise one clear error naming the line instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loader.core.errors import UsageError
from loader.core.regular import read_regular_bytes

if TYPE_CHECKING:
    from loader.index import Index
    from loader.match.rank import MatchResult
    from loader.match.tiers import Suggestion

MAX_QUERY_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Query:
    """One evaluation prompt and the skills that would be right to load (empty: none)."""

    query: str
    expected: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the matcher loaded for one query, and how that scores."""

    query: Query
    loaded: tuple[str, ...]
    ranked: tuple[str, ...]
    """The top candidates by score, loaded or not (for failure reports)."""
    tokens: int
    rank: int | None
    """1-based rank of the first expected skill among the loaded ones."""
    suggested: tuple[str, ...] = ()
    """Skills offered as suggestions, not loaded."""
    suggestion_tokens: int = 0
    """Tokens of the rendered suggestion block."""

    @property
    def reached(self) -> bool:
        """A right skill is in front of the model: loaded or suggested."""
        return any(name in self.query.expected for name in (*self.loaded, *self.suggested))

    @property
    def ok(self) -> bool:
        """Right decision: the first loaded skill is expected, or nothing loaded when none was."""
        if not self.query.expected:
            return not self.loaded
        return self.rank == 1


@dataclass(frozen=True, slots=True)
class Report:
    """Aggregate metrics over a query set."""

    outcomes: tuple[Outcome, ...]
    hit1: float
    hit3: float
    mrr: float
    false_load_rate: float
    mean_tokens: float
    positives: int
    negatives: int
    extra: dict[str, Any] = field(default_factory=dict)
    reach: float = 0.0
    """Share of the prompts needing a skill where a right one is loaded or suggested."""
    suggestion_tokens: float = 0.0
    """Mean tokens of suggestions per prompt."""
    false_suggest_rate: float = 0.0
    """Share of the no-skill prompts that received any suggestion."""

    @property
    def tokens_per_query(self) -> float:
        """Mean tokens per prompt, bodies plus suggestions."""
        return self.mean_tokens + self.suggestion_tokens

    def metrics(self) -> dict[str, float]:
        """The headline metrics under their JSON names (rounded)."""
        return {"hit@1": round(self.hit1, 4), "hit@3": round(self.hit3, 4), "mrr": round(self.mrr, 4),
                "false_load_rate": round(self.false_load_rate, 4), "reach": round(self.reach, 4),
                "false_suggest_rate": round(self.false_suggest_rate, 4),
                "mean_tokens_loaded": round(self.mean_tokens, 1), "suggestion_tokens": round(self.suggestion_tokens, 1),
                "tokens_per_query": round(self.tokens_per_query, 1)}

    @property
    def failures(self) -> list[Outcome]:
        """Queries where the decision was wrong."""
        return [o for o in self.outcomes if not o.ok]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary plus failures."""
        return {
            "schema_version": 1, "queries": len(self.outcomes), "positives": self.positives,
            "negatives": self.negatives, **self.metrics(), **self.extra,
            "failures": [{"line": o.query.line, "query": o.query.query, "expected": list(o.query.expected),
                          "loaded": list(o.loaded), "suggested": list(o.suggested), "ranked": list(o.ranked)}
                         for o in self.failures],
        }


def read_queries(path: Path) -> list[Query]:
    """Parse a JSON Lines query file.

    Raises:
        PathNotFoundError: the file does not exist.
        UsageError: a line is not ``{"query": str, "expected": [str, ...]}``.
    """
    from loader.core.errors import PathNotFoundError

    if not Path(path).is_file():
        raise PathNotFoundError(path=Path(path), what="query file")
    data = read_regular_bytes(path)
    if len(data) > MAX_QUERY_FILE_BYTES:
        raise UsageError(message=f"{path}: query file larger than 16 MiB", hint="split it")
    queries = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(message=f"{path}:{number}: not JSON: {exc.msg}",
                             hint='one object a line: {"query": "...", "expected": ["skill"]}') from exc
        expected = item.get("expected") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("query"), str) or not isinstance(expected, list) \
                or not all(isinstance(e, str) for e in expected):
            raise UsageError(message=f"{path}:{number}: expected {{\"query\": str, \"expected\": [str, ...]}}",
                             hint="`expected: []` means no skill should load")
        queries.append(Query(item["query"], tuple(expected), number))
    return queries


def evaluate(index: Index, queries: Sequence[Query],
             matcher: Callable[[Index, str], MatchResult] | None = None) -> Report:
    """Run every query through the matcher and aggregate the metrics."""
    if matcher is None:
        from loader.match.rank import match as matcher_default

        matcher = matcher_default
    outcomes = []
    for q in queries:
        result = matcher(index, q.query)
        loaded = tuple(result.names)
        outcomes.append(_outcome(q, loaded, result, result.tokens, result.suggested))
    return summarize(outcomes)


def _outcome(q: Query, loaded: tuple[str, ...], result: MatchResult, tokens: int,
             suggested: Sequence[Suggestion]) -> Outcome:
    from loader.core.tokens import count_tokens
    from loader.match.tiers import render_suggestions

    rank = next((i for i, name in enumerate(loaded, start=1) if name in q.expected), None)
    ranked = tuple(m.skill for m in result.ranking[:3])
    cost = count_tokens(render_suggestions(suggested)) if suggested else 0
    return Outcome(q, loaded, ranked, tokens, rank, tuple(s.name for s in suggested), cost)


def sweep(index: Index, queries: Sequence[Query], thresholds: Sequence[float],
          matcher: Callable[[Index, str], MatchResult] | None = None, *,
          suggest: Sequence[tuple[int, float]] = ((0, 1.0),)) -> list[tuple[float, int, float, Report]]:
    """Metrics at each threshold and each ``(N, floor)`` of ``suggest``, from one matching pass.

    What loads does not otherwise depend on the threshold (it gates everything on the top
    candidate's confidence), and what is suggested depends only on the ranking, each
    candidate's confidence and what loaded, so each prompt is matched once (threshold 0, no
    suggestions) and the outcome at any setting is derived: this is how to calibrate on your
    own query set. Rows are ``(threshold, N, floor, report)``.
    """
    from loader.match.tiers import choose

    if matcher is None:
        from loader.match.rank import match as matcher_default

        def matcher(i: Index, prompt: str) -> MatchResult:
            return matcher_default(i, prompt, threshold=0.0, suggest=0)

    runs = [(q, matcher(index, q.query)) for q in queries]
    table = []
    for threshold in thresholds:
        for n, floor in suggest:
            outcomes = []
            for q, result in runs:
                loaded = tuple(result.names) if result.confidence >= threshold else ()
                offered = choose(index, result.ranking, result.confidences, loaded, n=n, floor=floor)
                outcomes.append(_outcome(q, loaded, result, result.tokens if loaded else 0, offered))
            table.append((threshold, n, floor, summarize(outcomes)))
    return table


def summarize(outcomes: Sequence[Outcome]) -> Report:
    """Aggregate per-query outcomes into the reported metrics."""
    pos = [o for o in outcomes if o.query.expected]
    neg = [o for o in outcomes if not o.query.expected]
    hit1 = sum(1 for o in pos if o.rank == 1) / len(pos) if pos else 0.0
    hit3 = sum(1 for o in pos if o.rank is not None and o.rank <= 3) / len(pos) if pos else 0.0
    mrr = sum(1.0 / o.rank for o in pos if o.rank) / len(pos) if pos else 0.0
    false_load = sum(1 for o in neg if o.loaded) / len(neg) if neg else 0.0
    tokens = sum(o.tokens for o in outcomes) / len(outcomes) if outcomes else 0.0
    reach = sum(1 for o in pos if o.reached) / len(pos) if pos else 0.0
    suggestion_tokens = sum(o.suggestion_tokens for o in outcomes) / len(outcomes) if outcomes else 0.0
    false_suggest = sum(1 for o in neg if o.suggested) / len(neg) if neg else 0.0
    return Report(tuple(outcomes), hit1, hit3, mrr, false_load, tokens, len(pos), len(neg),
                  reach=reach, suggestion_tokens=suggestion_tokens, false_suggest_rate=false_suggest)
