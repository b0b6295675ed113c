"""Benchmark: how much typo tolerance recovers on prompts with slips of the fingers.

Run: ``python benchmarks/bench_typos.py [--queries Q.jsonl] [--skills PATH] [--rates 0 0.2 0.4]
[--seeds 3]``. Defaults: the dev query set and the corpus in ``../shared`` (skipped with a
message when absent). Each word of five letters or more gets, with the given probability, one
slip of the kind people make (two neighbouring letters swapped, or a letter typed twice);
every prompt set is matched with and without typo tolerance (``Params.typos``), and hit@1,
hit@3 and the false-load rate are printed for both. The slips come from a seeded generator,
so runs repeat exactly.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

from loader.index import Index, open_index
from loader.match.evaluate import Query, evaluate, read_queries
from loader.match.rank import DEFAULT_PARAMS, MatchResult, match

SHARED = Path(__file__).resolve().parents[2] / "shared"
_LONG_WORD = re.compile(r"[A-Za-z]{5,}")


def slip(word: str, rnd: random.Random) -> str:
    """``word`` with one swap of neighbouring letters or one letter typed twice (never the first)."""
    i = rnd.randrange(1, len(word) - 1)
    if rnd.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def with_slips(prompt: str, rnd: random.Random, rate: float) -> str:
    """``prompt`` with each long word slipped with probability ``rate``."""
    return _LONG_WORD.sub(lambda m: slip(m.group(0), rnd) if rnd.random() < rate else m.group(0), prompt)


def measure(index: Index, queries: list[Query], typos: bool) -> str:
    """hit@1, hit@3 and false loads of the default matcher, with or without typo tolerance."""
    params = DEFAULT_PARAMS.replace(typos=typos)

    def matcher(idx: Index, prompt: str) -> MatchResult:
        return match(idx, prompt, params=params)

    report = evaluate(index, queries, matcher)
    return f"hit@1 {report.hit1:.3f}  hit@3 {report.hit3:.3f}  false loads {report.false_load_rate:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=SHARED / "bench" / "dev-queries.jsonl")
    parser.add_argument("--skills", type=Path, default=SHARED / "corpus")
    parser.add_argument("--rates", type=float, nargs="*", default=[0.0, 0.2, 0.4])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    if not args.queries.is_file() or not args.skills.is_dir():
        print(f"skipped: {args.queries} or {args.skills} is missing (pass --queries and --skills)")
        return 0
    index, _ = open_index([args.skills])
    queries = read_queries(args.queries)
    print(f"{len(queries)} prompts over {len(index)} skills")
    for rate in args.rates:
        for seed in range(args.seeds if rate else 1):
            rnd = random.Random(seed)
            slipped = [replace(q, query=with_slips(q.query, rnd, rate)) for q in queries]
            print(f"slip rate {rate:.1f} seed {seed}:  without  {measure(index, slipped, False)}")
            print(f"{'':22}with     {measure(index, slipped, True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
