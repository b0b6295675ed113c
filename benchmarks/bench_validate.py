"""Benchmark: in-process validation (discover + parse + schema + rules) of synthetic libraries.

Goal on a 2-core machine: 1,000 skills in under 1 s and 10,000 in under 10 s.
Run: ``python benchmarks/bench_validate.py [--sizes 1000 10000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate  # noqa: E402

from loader.validate.load import load_skills  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def time_validation(root: Path, repeat: int) -> tuple[float, int, int]:
    """Median seconds over ``repeat`` runs, with the skill and diagnostic counts of the last."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = load_skills([root])
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result.skill_count, len(result.diagnostics)


def main() -> None:
    """Print one row per library size, plus the real corpus when it is present."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'library':<22} {'skills':>7} {'diags':>7} {'median s':>9} {'ms/skill':>9}  goal")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            root = Path(tmp) / f"lib{size}"
            generate(root, size, seed=1)
            seconds, skills, diags = time_validation(root, args.repeat)
            goal = "< 1 s" if size <= 1000 else "< 10 s" if size <= 10000 else ""
            print(f"{'synthetic':<22} {skills:>7} {diags:>7} {seconds:>9.3f} {1000 * seconds / skills:>9.3f}  {goal}")
    if CORPUS.is_dir():
        seconds, skills, diags = time_validation(CORPUS, args.repeat)
        print(f"{'shared corpus':<22} {skills:>7} {diags:>7} {seconds:>9.3f} {1000 * seconds / skills:>9.3f}")


if __name__ == "__main__":
    main()
