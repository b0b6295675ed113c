"""Calibration over many half/half splits: held-out objective, hit@1 and false loads, default vs calibrated.

    python benchmarks/calibrate_repeated.py [--splits 20] [--queries FILE] [SKILLS...]

For each split (a seeded hash of each prompt), each half is "the user's history": its labels
are cut to the first expected skill (what Claude would have invoked) and a threshold is
picked on it, with the one-standard-error rule (what ``skills calibrate`` writes) and without
(the plain best); both and the shipped default are then scored on the other half with its
full expected lists. Every prompt is matched once, in-process; SKILLS (default: the whole
corpus) are indexed in memory. With part of the corpus, expected skills are cut to that
library's, and a prompt left with none is a no-skill prompt for it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
from pathlib import Path

from loader.index import build_index
from loader.match.evaluate import Query, summarize
from loader.match.rank import DEFAULT_PARAMS, match
from loader.usage.calibrate import GRID, objective, outcomes_at, pick

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("skills", nargs="*", type=Path)
    parser.add_argument("--queries", type=Path, default=HERE.parent.parent / "shared" / "bench" / "dev-queries.jsonl")
    parser.add_argument("--splits", type=int, default=20)
    ns = parser.parse_args()
    roots = ns.skills or [HERE.parent.parent / "shared" / "corpus"]
    index, _ = build_index(roots)
    names = {entry.name for entry in index.entries}
    items = [json.loads(line) for line in ns.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [Query(i["query"], tuple(e for e in i["expected"] if e in names), n) for n, i in enumerate(items, 1)]
    runs = [(q, match(index, q.query, threshold=0.0)) for q in queries]
    default = DEFAULT_PARAMS.threshold
    grid = sorted(set(GRID) | {default})
    rows: dict[str, list[tuple[float, float, float, float]]] = {"default": [], "calibrated": [], "plain best": []}
    for seed in range(ns.splits):
        halves: list[list[tuple[Query, object]]] = [[], []]
        for q, result in runs:
            halves[hashlib.sha256(f"{seed}:{q.query}".encode()).digest()[0] % 2].append((q, result))
        for fit_on in (0, 1):
            history = [(Query(q.query, q.expected[:1], q.line), r) for q, r in halves[fit_on]]
            held = halves[1 - fit_on]
            for name, threshold in (("default", default), ("calibrated", pick(history, grid, default)),  # type: ignore[arg-type]
                                    ("plain best", pick(history, grid, default, one_se=False))):  # type: ignore[arg-type]
                report = summarize(outcomes_at(held, threshold))  # type: ignore[arg-type]
                rows[name].append((objective(report), report.hit1, report.false_load_rate, threshold))
    positives = sum(1 for q in queries if q.expected)
    print(f"{len(names)} skills; {positives} prompts with one of them, {len(queries) - positives} without; "
          f"{ns.splits} splits x 2 directions; means on held-out halves")
    print("rule         objective  hit@1  false-load  threshold  worse than default")
    base = [r[0] for r in rows["default"]]
    for name, values in rows.items():
        worse = sum(1 for v, b in zip(values, base, strict=True) if v[0] < b - 1e-12) if name != "default" else 0
        means = [statistics.mean(v[i] for v in values) for i in range(4)]
        print(f"{name:<12} {means[0]:.4f}     {means[1]:.3f}  {means[2]:.3f}       {means[3]:.3f}      "
              f"{worse}/{len(values)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
