"""Benchmark: does a confidence that weighs the margin to the second candidate, or a name hit, help short prompts?

Run: ``python benchmarks/bench_short.py [--queries Q.jsonl] [--skills PATH] [--index FILE]
[--words 6 8 12] [--folds 5] [--repeats 4]``. Defaults: the dev query set and the corpus in
``../shared`` (skipped with a message when absent). For prompts of fewer than ``--words``
words only, two changes to the load decision are tried, each with one parameter:

- *margin*: load when ``c1 + a * (c1 - c2)`` reaches the threshold (``c1``, ``c2``: the
  confidences of the best and second invocable candidates);
- *name*: lower the threshold by ``d`` when a prompt term is a term of the best skill's name.

Each training fold picks the variant and parameter with the best short-prompt body hit@1 whose
false-load rate (all prompts) is no higher than the unchanged matcher's on that fold (ties: the
unchanged matcher); the held-out folds are scored the same way. It prints how many short prompts
the query set has, then held-out hit@1 on short prompts and false loads, changed vs unchanged.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loader.core.text import query_terms
from loader.index import Index, open_index
from loader.match.evaluate import Query, read_queries
from loader.match.rank import DEFAULT_PARAMS, match

SHARED = Path(__file__).resolve().parents[2] / "shared"
SETTINGS = [("none", 0.0), *(("margin", a) for a in (0.25, 0.5, 1.0, 2.0)),
            *(("name", d) for d in (0.025, 0.05, 0.1, 0.15))]


@dataclass(frozen=True)
class Case:
    """What the load decision needs for one prompt, from one matching pass."""

    query: Query
    words: int
    c1: float
    c2: float
    name_hit: bool
    loaded: tuple[str, ...]
    """What loads when the gate opens (threshold 0)."""


def cases(index: Index, queries: Sequence[Query]) -> list[Case]:
    """One matching pass per prompt (threshold 0, no suggestions)."""
    found = []
    for q in queries:
        result = match(index, q.query, threshold=0.0, suggest=0)
        invocable = [c for m, c in zip(result.ranking, result.confidences, strict=True)
                     if index.entry(m.skill).invocable]
        best = result.names[0] if result.names else None
        name_terms = set(query_terms(best.replace("-", " "))) if best else set()
        found.append(Case(q, len(q.query.split()), invocable[0] if invocable else 0.0,
                          invocable[1] if len(invocable) > 1 else 0.0,
                          bool(name_terms & set(result.query_terms)), tuple(result.names)))
    return found


def loads(case: Case, setting: tuple[str, float], cutoff: int) -> tuple[str, ...]:
    """What loads for ``case`` under ``setting`` (the change applies to short prompts only)."""
    kind, value = setting
    threshold, confidence = DEFAULT_PARAMS.threshold, case.c1
    if case.words < cutoff:
        if kind == "margin":
            confidence = case.c1 + value * (case.c1 - case.c2)
        elif kind == "name" and case.name_hit:
            threshold -= value
    return case.loaded if confidence >= threshold else ()


def scores(group: Sequence[Case], setting: tuple[str, float], cutoff: int) -> tuple[float | None, float]:
    """(body hit@1 on short prompts needing a skill, or None when there are none; false-load rate on all)."""
    short = [c for c in group if c.words < cutoff and c.query.expected]
    hits = [bool(loaded) and loaded[0] in c.query.expected for c in short for loaded in [loads(c, setting, cutoff)]]
    negatives = [c for c in group if not c.query.expected]
    false = sum(1 for c in negatives if loads(c, setting, cutoff)) / len(negatives) if negatives else 0.0
    return (sum(hits) / len(hits) if hits else None), false


def cross_validate(all_cases: Sequence[Case], cutoff: int, folds: int, repeats: int) -> None:
    """Print held-out short-prompt hit@1 and false loads, per-fold choice vs unchanged."""
    changed: list[tuple[float | None, float]] = []
    base: list[tuple[float | None, float]] = []
    picks: dict[tuple[str, float], int] = {}
    for repeat in range(repeats):
        order = list(all_cases)
        random.Random(repeat).shuffle(order)
        for k in range(folds):
            test, train = order[k::folds], [c for i, c in enumerate(order) if i % folds != k]
            _, base_false = scores(train, ("none", 0.0), cutoff)
            allowed = [s for s in SETTINGS if scores(train, s, cutoff)[1] <= base_false]
            best = max(allowed, key=lambda s: (scores(train, s, cutoff)[0] or 0.0, s == ("none", 0.0)))
            picks[best] = picks.get(best, 0) + 1
            changed.append(scores(test, best, cutoff))
            base.append(scores(test, ("none", 0.0), cutoff))

    def mean(values: Sequence[float | None]) -> str:
        kept = [v for v in values if v is not None]
        return f"{statistics.mean(kept):.3f}" if kept else "n/a"

    print(f"  held out, unchanged: short hit@1 {mean([h for h, _ in base])}, false loads "
          f"{mean([f for _, f in base])}")
    print(f"  held out, per-fold choice: short hit@1 {mean([h for h, _ in changed])}, false loads "
          f"{mean([f for _, f in changed])}")
    print("  chosen: " + ", ".join(f"{k[0]} {k[1]:g} x{v}" for k, v in sorted(picks.items(), key=lambda kv: -kv[1])))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the short-prompt counts and the cross-validated effect of each change."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, default=SHARED / "bench" / "dev-queries.jsonl")
    parser.add_argument("--skills", type=Path, default=SHARED / "corpus")
    parser.add_argument("--index", type=Path)
    parser.add_argument("--words", type=int, nargs="+", default=[6, 8, 12])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=4)
    ns = parser.parse_args(argv)
    if not ns.queries.is_file() or not ns.skills.is_dir():
        print(f"skipped: {ns.queries} or {ns.skills} not found", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        index, _ = open_index([ns.skills], index_path=ns.index or Path(tmp) / "index.sqlite")
        found = cases(index, read_queries(ns.queries))
    for cutoff in ns.words:
        short = [c for c in found if c.words < cutoff]
        positives = sum(1 for c in short if c.query.expected)
        print(f"prompts under {cutoff} words: {len(short)} ({positives} need a skill, {len(short) - positives} none)")
        for setting in SETTINGS:
            hit, false = scores(found, setting, cutoff)
            print(f"  all prompts, {setting[0]} {setting[1]:g}: short hit@1 "
                  f"{'n/a' if hit is None else f'{hit:.3f}'}, false loads {false:.3f}")
        cross_validate(found, cutoff, ns.folds, ns.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
