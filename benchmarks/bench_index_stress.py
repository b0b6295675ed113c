"""Stress the index for a minute: concurrent writers and readers, then check the stored index is sound.

Run: ``python benchmarks/bench_index_stress.py [--seconds 60] [--writers 6] [--readers 4] [--skills 150]``.
Prints how many refreshes and matches ran, the errors they raised, and every soundness problem
found afterwards (``PRAGMA integrity_check``, postings against the skills table, stored matches
against a fresh build). The same check, for a few seconds, is ``tests/index/test_concurrency.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "index"))

from stress import run, soundness_problems, write_library  # noqa: E402


def main() -> None:
    """Run the stress loop and print its counts; exit 1 if anything broke."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--skills", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, index = Path(tmp) / "lib", Path(tmp) / "index.sqlite"
        write_library(root, args.skills)
        outcome = run(root, index, seconds=args.seconds, writers=args.writers, readers=args.readers)
        problems = soundness_problems(root, index)
    print(f"{args.seconds:.0f} s, {args.writers} writers, {args.readers} readers, {args.skills} skills: "
          f"{outcome.runs['write']} refreshes, {outcome.runs['read']} opens+matches, "
          f"{len(outcome.errors)} errors, {len(problems)} soundness problems")
    for line in [*outcome.errors[:5], *problems]:
        print(" ", line.strip().splitlines()[-1] if line.strip() else line)
    sys.exit(1 if outcome.errors or problems else 0)


if __name__ == "__main__":
    main()
