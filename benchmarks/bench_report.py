"""Time ``skills report`` end to end (a fresh process, as users run it), cold and warm.

    python benchmarks/bench_report.py [CORPUS] [QUERIES] [--runs N]

Cold: an empty cache directory, so the matcher's index is built first. Warm: the index is
cached from the previous run. Prints the median and worst wall time of each; writes only
into a temporary cache directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_once(args: list[str], cache: str) -> float:
    """Wall time of one ``skills report`` process."""
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    env.pop("SKILLPACK_DEBUG", None)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from loader.cli.entry import run; run()", *args],
                          env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"skills report failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(HERE.parent.parent / "shared" / "corpus"))
    bench = HERE.parent.parent / "shared" / "bench"
    parser.add_argument("queries", nargs="?", default=str(bench / "dev-queries.jsonl"))
    parser.add_argument("--runs", type=int, default=3)
    ns = parser.parse_args()
    args = ["report", ns.corpus, "--queries", ns.queries, "--format", "text"]
    cold, warm = [], []
    for _ in range(ns.runs):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(run_once(args, cache))
            warm.append(run_once(args, cache))
    for label, times in (("cold (index built)", cold), ("warm (index cached)", warm)):
        print(f"skills report {label:20s} median {statistics.median(times):.2f} s, "
              f"worst {max(times):.2f} s over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
