"""Time ``skills report`` end to end (a fresh process, as users run it): cold, warm, and what the caches save.

    python benchmarks/bench_report.py [CORPUS] [QUERIES] [--runs N] [--no-queries]

For each run, in a new empty cache folder (``XDG_CACHE_HOME``; nothing is written elsewhere):

- cold: nothing cached, so the matcher's index is built and every text is counted;
- warm: the same command again: index, validation results and token counts all reused (the
  goal of issue 19: under 2 s on the 238-skill corpus);
- warm, counts recounted: the token-count cache (``$XDG_CACHE_HOME/skillpack/report``) deleted
  first, index and validation results still cached: what a warm run cost before that cache;
- warm --no-cache: the index reused, every skill checked and every text counted again.

Prints the median and worst wall time of each, with and without the query set (unless
``--no-queries``), and checks that every case printed the same report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = ("cold", "warm", "warm, counts recounted", "warm --no-cache")


def run_once(args: list[str], cache: str) -> tuple[float, str]:
    """Wall time and output of one ``skills report`` process."""
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    env.pop("SKILLPACK_DEBUG", None)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from loader.cli.entry import run; run()", *args],
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"skills report failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.stdout


def one_round(args: list[str]) -> dict[str, tuple[float, str]]:
    """Each case once, in order, over one fresh cache folder."""
    with tempfile.TemporaryDirectory() as cache:
        found = {"cold": run_once(args, cache), "warm": run_once(args, cache)}
        shutil.rmtree(Path(cache) / "skillpack" / "report")
        found["warm, counts recounted"] = run_once(args, cache)
        found["warm --no-cache"] = run_once([*args, "--no-cache"], cache)
        return found


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(HERE.parent.parent / "shared" / "corpus"))
    bench = HERE.parent.parent / "shared" / "bench"
    parser.add_argument("queries", nargs="?", default=str(bench / "dev-queries.jsonl"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-queries", action="store_true", help="only the report without a query set")
    ns = parser.parse_args()
    if not Path(ns.corpus).is_dir():
        print(f"no corpus at {ns.corpus}: nothing to time")
        return 0
    base = ["report", ns.corpus, "--format", "json"]
    variants = {"without queries": base}
    if not ns.no_queries:
        variants["with --queries"] = [*base, "--queries", ns.queries]
    for label, args in variants.items():
        times: dict[str, list[float]] = {case: [] for case in CASES}
        for _ in range(ns.runs):
            found = one_round(args)
            if len({out for _, out in found.values()}) != 1:
                raise SystemExit(f"skills report {label}: the cases printed different reports")
            for case, (elapsed, _) in found.items():
                times[case].append(elapsed)
        print(f"skills report {label} ({ns.runs} runs each, same report in every case):")
        for case in CASES:
            print(f"  {case:24s} median {statistics.median(times[case]):.2f} s, worst {max(times[case]):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
