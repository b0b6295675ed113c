"""Usage stage, calibrate: a labelled query set in, this library's threshold out, chosen by cross-validation.

Guarantees: every prompt is matched once (``loader.match.evaluate.sweep`` derives the outcome at
any threshold); folds are fixed by a hash of the prompt, so a run is reproducible; the figures
reported for "default" and "calibrated" are both measured on held-out folds (each fold scored
with a threshold picked on the others), never on the prompts the threshold was fitted to.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from loader.core.errors import UsageError
from loader.match.evaluate import Outcome, Query, Report, summarize

if TYPE_CHECKING:
    from loader.index import Index
    from loader.match.rank import MatchResult

GRID = tuple(round(0.30 + 0.025 * i, 3) for i in range(25))
"""Thresholds tried: 0.30 to 0.90 in steps of 0.025 (the shipped default is added)."""
FOLDS = 5
MIN_POSITIVES = 8
"""Fewer prompts with a skill than this cannot say anything about a threshold."""


@dataclass(frozen=True, slots=True)
class Fit:
    """The calibration and the held-out figures that justify it."""

    threshold: float
    """Chosen on all the prompts (what is written)."""
    default: float
    held_out_default: Report
    """Each fold scored at the shipped default."""
    held_out_calibrated: Report
    """Each fold scored at the threshold picked on the other folds."""
    fold_thresholds: tuple[float, ...]
    positives: int
    negatives: int


def objective(report: Report) -> float:
    """What calibration maximises: the mean of hit@1 and (1 - false-load rate).

    Balanced, so a history where most prompts used no skill does not push the threshold up
    just because no-skill prompts are many; with one kind only, that kind's figure.
    """
    if report.positives and report.negatives:
        return 0.5 * report.hit1 + 0.5 * (1.0 - report.false_load_rate)
    return report.hit1 if report.positives else 1.0 - report.false_load_rate


def _fold(query: Query, folds: int) -> int:
    return int.from_bytes(hashlib.sha256(query.query.encode("utf-8", "replace")).digest()[:4], "big") % folds


def outcomes_at(runs: Sequence[tuple[Query, MatchResult]], threshold: float) -> list[Outcome]:
    """What each prompt's match (made at threshold 0) loads at ``threshold``, scored."""
    found = []
    for query, result in runs:
        loaded = tuple(result.names) if result.confidence >= threshold else ()
        rank = next((i for i, name in enumerate(loaded, start=1) if name in query.expected), None)
        found.append(Outcome(query, loaded, tuple(m.skill for m in result.ranking[:3]),
                             result.tokens if loaded else 0, rank))
    return found


def standard_error(report: Report) -> float:
    """The standard error of :func:`objective` on ``report``'s prompts (binomial, per kind)."""
    parts = []
    if report.positives:
        parts.append(report.hit1 * (1 - report.hit1) / report.positives)
    if report.negatives:
        parts.append(report.false_load_rate * (1 - report.false_load_rate) / report.negatives)
    return math.sqrt(sum(parts)) / len(parts) if parts else 0.0


def pick(runs: Sequence[tuple[Query, MatchResult]], grid: Sequence[float], default: float, *,
         one_se: bool = True) -> float:
    """The threshold of ``grid`` nearest ``default`` whose :func:`objective` on ``runs`` is within one
    standard error of the best (the "one standard error" rule: a gain smaller than the noise of
    a few dozen prompts is no reason to move away from a default fitted on many more).

    ``one_se=False``: the best itself (ties still go to the one nearest ``default``). Over 40
    half/half splits of the dev set on three libraries, the rule was never worse than the
    default on held-out prompts, the plain best was on one (docs/usage.md).
    """
    scored = [(summarize(outcomes_at(runs, t)), t) for t in grid]
    best_report, _ = max(scored, key=lambda item: objective(item[0]))
    floor = objective(best_report) - (standard_error(best_report) if one_se else 0.0) - 1e-12
    return min((t for report, t in scored if objective(report) >= floor), key=lambda t: (abs(t - default), t))


def fit(index: Index, queries: Sequence[Query], matcher: Callable[[Index, str], MatchResult], *,
        default: float, folds: int = FOLDS) -> Fit:
    """Choose a threshold for ``index`` on ``queries`` by ``folds``-fold cross-validation.

    ``matcher`` must load at threshold 0 (the outcome at each threshold is derived from it).

    Raises:
        UsageError: fewer than ``MIN_POSITIVES`` prompts with a skill.
    """
    positives = sum(1 for q in queries if q.expected)
    if positives < MIN_POSITIVES:
        raise UsageError(message=f"only {positives} prompt(s) with a skill to calibrate on; need {MIN_POSITIVES}",
                         hint="use Claude Code with this library for longer, add --all-projects, "
                              "or pass --queries FILE")
    grid = sorted(set(GRID) | {default})
    runs = [(q, matcher(index, q.query)) for q in queries]
    k = max(2, min(folds, positives))
    held_default: list[Outcome] = []
    held_calibrated: list[Outcome] = []
    chosen = []
    for fold in range(k):
        train = [r for r in runs if _fold(r[0], k) != fold]
        test = [r for r in runs if _fold(r[0], k) == fold]
        if not test:
            continue
        threshold = pick(train, grid, default) if train else default
        chosen.append(threshold)
        held_default.extend(outcomes_at(test, default))
        held_calibrated.extend(outcomes_at(test, threshold))
    return Fit(pick(runs, grid, default), default, summarize(held_default), summarize(held_calibrated),
               tuple(chosen), positives, len(queries) - positives)
