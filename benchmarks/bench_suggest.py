"""Benchmark: what suggestions buy (reach) and cost (tokens, false suggestions), cross-validated.

Run: ``python benchmarks/bench_suggest.py [--queries Q.jsonl] [--skills PATH] [--index FILE]
[--folds 5] [--repeats 4] [--max-tokens 300]``. Defaults: the dev query set and the corpus in
``../shared`` (skipped with a message when absent); the index goes to a temp folder. Prints:
the full trade-off table (N, floor -> reach, suggestion tokens, false suggestions) on all
prompts; the summary length's cost; and a k-fold cross-validation in which each training fold
picks the (N, floor) with the highest reach whose suggestion tokens stay under
``--max-tokens`` (ties: fewer tokens), scored on the held-out fold. Each prompt is matched once.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from loader.index import Index, open_index
from loader.match.evaluate import Query, Report, read_queries, summarize, sweep
from loader.match.rank import DEFAULT_PARAMS, MatchResult, match
from loader.match.tiers import SUMMARY_CHARS, render_suggestions, summary_of

SHARED = Path(__file__).resolve().parents[2] / "shared"
NS = (0, 2, 3, 4, 5, 6, 7, 8)
FLOORS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def grid_reports(index: Index, queries: Sequence[Query]) -> dict[tuple[int, float], Report]:
    """Reports at the default threshold for every (N, floor) of the grid (one matching pass)."""
    rows = sweep(index, queries, [DEFAULT_PARAMS.threshold], suggest=[(n, f) for n in NS for f in FLOORS])
    return {(n, f): r for _, n, f, r in rows}


def pick(reports: dict[tuple[int, float], Report], max_tokens: float) -> tuple[int, float]:
    """The setting with the highest reach within the token cap (ties: fewest tokens, then highest floor)."""
    fits = [(k, r) for k, r in reports.items() if r.suggestion_tokens <= max_tokens]
    return max(fits, key=lambda kr: (round(kr[1].reach, 6), -kr[1].suggestion_tokens, kr[0][1]))[0]


def cross_validate(index: Index, queries: Sequence[Query], folds: int, repeats: int, max_tokens: float
                   ) -> tuple[list[Report], Counter[tuple[int, float]]]:
    """Held-out reports of the per-fold choice, and how often each setting was chosen."""
    runs: dict[int, MatchResult] = {q.line: match(index, q.query, threshold=0.0, suggest=0) for q in queries}
    held: list[Report] = []
    chosen: Counter[tuple[int, float]] = Counter()
    for repeat in range(repeats):
        order = list(queries)
        random.Random(repeat).shuffle(order)
        for k in range(folds):
            test = order[k::folds]
            train = [q for q in order if q not in test]
            setting = pick(_reports(index, train, runs), max_tokens)
            chosen[setting] += 1
            held.append(_reports(index, test, runs, [setting])[setting])
    return held, chosen


def _reports(index: Index, queries: Sequence[Query], runs: dict[int, MatchResult],
             settings: Sequence[tuple[int, float]] | None = None) -> dict[tuple[int, float], Report]:
    def cached(_: Index, prompt: str) -> MatchResult:
        return by_prompt[prompt]

    by_prompt = {q.query: runs[q.line] for q in queries}
    grid = settings or [(n, f) for n in NS for f in FLOORS]
    rows = sweep(index, queries, [DEFAULT_PARAMS.threshold], cached, suggest=grid)
    return {(n, f): r for _, n, f, r in rows}


def summary_costs(index: Index) -> None:
    """How many first sentences fit whole at each length, and what a suggestion line costs."""
    from loader.core.tokens import count_tokens
    from loader.match.tiers import Suggestion

    entries = [e for e in index.entries if e.invocable]
    print("\nsummary chars  first sentence whole  mean tokens per suggestion line")
    for chars in (60, 80, 100, 120, 160, 100_000):
        whole = sum(1 for e in entries if not summary_of(e.description, chars).endswith("..."))
        lines = [render_suggestions([Suggestion(e.name, summary_of(e.description, chars), str(e.manifest_path),
                                                0.0, 0.0)]) for e in entries]
        mean = statistics.mean(count_tokens(line) for line in lines) - count_tokens(render_suggestions([]) or "")
        print(f"{chars if chars < 100_000 else 'full':<14} {whole / len(entries):<21.2f} {mean:.1f}")


def hook_sizes(skills: Path, queries: Sequence[Query], cache: Path) -> None:
    """The hook's whole ``additionalContext`` per prompt (no session memory), against its default budget."""
    import os

    from loader.core.tokens import count_tokens
    from loader.runtime.hook import HOOK_HINT, handle
    from loader.runtime.hook_input import DEFAULT_BUDGET_TOKENS, DEFAULT_MAX_CHARS, HookEvent, HookOptions

    os.environ["XDG_CACHE_HOME"] = str(cache)  # the hook's index goes to the temp folder, never next to the corpus
    options = HookOptions(libraries=(skills.resolve(),))
    sizes: list[tuple[int, int]] = []
    kinds: Counter[str] = Counter()
    for q in queries:
        reply = handle(HookEvent("UserPromptSubmit", "", q.query, str(skills)), options)
        if reply is None:
            kinds["nothing"] += 1
            continue
        text = json.loads(reply.output)["hookSpecificOutput"]["additionalContext"]
        sizes.append((count_tokens(text), len(text)))
        kinds["suggestions only" if text.startswith(HOOK_HINT) else
              "bodies and suggestions" if HOOK_HINT in text else "bodies only"] += 1
    over = sum(1 for t, c in sizes if t > DEFAULT_BUDGET_TOKENS or c > DEFAULT_MAX_CHARS)
    print(f"\nhook, default options: {dict(kinds)}; largest additionalContext {max(t for t, _ in sizes)} tokens, "
          f"{max(c for _, c in sizes)} chars (budget {DEFAULT_BUDGET_TOKENS} tokens, {DEFAULT_MAX_CHARS} chars); "
          f"over budget: {over}")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the trade-off table, the summary costs and the cross-validated choice."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, default=SHARED / "bench" / "dev-queries.jsonl")
    parser.add_argument("--skills", type=Path, default=SHARED / "corpus")
    parser.add_argument("--index", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--max-tokens", type=float, default=300.0)
    ns = parser.parse_args(argv)
    if not ns.queries.is_file() or not ns.skills.is_dir():
        print(f"skipped: {ns.queries} or {ns.skills} not found", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        index, _ = open_index([ns.skills], index_path=ns.index or Path(tmp) / "index.sqlite")
        queries = read_queries(ns.queries)
        print(f"{len(queries)} prompts, {len(index)} skills, threshold {DEFAULT_PARAMS.threshold}, "
              f"summary {SUMMARY_CHARS} chars")
        print("\nN  floor  reach  sugg.tokens  false-suggest  hit@1  false-load")
        for (n, floor), r in sorted(grid_reports(index, queries).items()):
            print(f"{n:<2} {floor:<6.2f} {r.reach:.3f}  {r.suggestion_tokens:<11.0f}  {r.false_suggest_rate:<13.3f}  "
                  f"{r.hit1:.3f}  {r.false_load_rate:.3f}")
        summary_costs(index)
        held, chosen = cross_validate(index, queries, ns.folds, ns.repeats, ns.max_tokens)
        print(f"\ncross-validation: {ns.folds} folds x {ns.repeats} repeats, cap {ns.max_tokens:g} suggestion tokens")
        for name, get in (("reach", lambda r: r.reach), ("suggestion_tokens", lambda r: r.suggestion_tokens),
                          ("false_suggest_rate", lambda r: r.false_suggest_rate), ("hit@1", lambda r: r.hit1),
                          ("false_load_rate", lambda r: r.false_load_rate)):
            values = [get(r) for r in held]
            print(f"  {name:<19} {statistics.mean(values):.3f} +- {statistics.pstdev(values):.3f}")
        pooled = summarize([o for r in held for o in r.outcomes])
        print(f"  pooled held-out reach {pooled.reach:.3f}, suggestion tokens {pooled.suggestion_tokens:.0f}")
        print("  chosen (N, floor): " + ", ".join(f"{k} x{v}" for k, v in chosen.most_common()))
        hook_sizes(ns.skills, queries, Path(tmp) / "cache")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
