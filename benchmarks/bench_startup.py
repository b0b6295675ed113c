"""Benchmark: whole-process times of ``skills`` next to the agentskills CLI (the strongest peer).

Cases: ``validate`` on the 7 example skills, on 1,000 synthetic skills cold (no validation
cache) and again unchanged (cached), ``skills --version``/``rules``/``--help`` against
``python -c pass``. Every case runs its commands in turns (ours, peer, baseline, ours, ...),
so a busy moment of a shared machine hits all of them alike; the table shows medians.
Goals (issue 19): 7 skills no slower than the peer; 1,000 cold at least 3x faster than the
peer; the cached run at least 5x faster than our cold one; ``--version`` within 5x Python's
start-up.

Run: ``python benchmarks/bench_startup.py [--peer /path/to/agentskills] [--baseline DIR]
[--runs 7]``. ``--peer`` is the peer's console script (``pip install agentskills-tools`` in a
Python 3.12 virtualenv); without it our figures are printed alone. ``--baseline`` is a
source tree of an older skillpack (e.g. ``git archive <commit> loader | tar -x -C DIR``),
run with this interpreter, for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ENTRY = "from loader.cli.entry import run; run()"
Command = tuple[list[str], dict[str, str]]


def timed(command: Command, cwd: Path) -> float:
    """Wall-clock seconds of one run (output discarded; a non-zero exit is fine: findings exit 1)."""
    argv, env = command
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
    return time.perf_counter() - start


def alternate(commands: dict[str, Command | None], runs: int, cwd: Path,
              before_each: Callable[[str], None] | None = None) -> dict[str, float]:
    """Median seconds per label, running the labels in turns ``runs`` times."""
    times: dict[str, list[float]] = {label: [] for label, cmd in commands.items() if cmd is not None}
    for _ in range(runs):
        for label in times:
            if before_each is not None:
                before_each(label)
            command = commands[label]
            assert command is not None
            times[label].append(timed(command, cwd))
    return {label: statistics.median(values) for label, values in times.items()}


def main() -> None:
    """Print one row per case: our median, the peer's, the baseline's and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", type=Path, help="the peer's `agentskills` console script")
    parser.add_argument("--baseline", type=Path, help="source tree of an older skillpack (holds loader/)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skills", type=int, default=1000)
    args = parser.parse_args()
    peer = args.peer if args.peer is not None and args.peer.exists() else None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        library = tmp / "library"
        generate(library, args.skills, seed=1)
        base_env = {k: v for k, v in os.environ.items() if k not in ("SKILLPACK_DEBUG", "PYTHONDONTWRITEBYTECODE")}
        warm_cache, cold_cache = tmp / "warm-cache", tmp / "cold-cache"

        def ours(*argv: str, cache: Path = warm_cache) -> Command:
            env = base_env | {"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO)}
            return [sys.executable, "-c", ENTRY, *argv], env

        def baseline(*argv: str, cache: Path = tmp / "baseline-cache") -> Command | None:
            if args.baseline is None:
                return None
            env = base_env | {"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(args.baseline)}
            return [sys.executable, "-c", ENTRY, *argv], env

        def theirs(*argv: str) -> Command | None:
            return ([str(peer), *argv], base_env) if peer is not None else None

        def clear_cold(label: str) -> None:  # before each cold run, ours and the baseline's alike
            import shutil

            shutil.rmtree(cold_cache, ignore_errors=True)

        examples, lib = str(REPO / "skills"), str(library)
        # A library is trusted by its stamps only once its files are 2 s old (their ctime cannot
        # be dated back), as a user's is between two runs; then fill the warm cache once.
        time.sleep(max(0.0, 2.1 - (time.time() - library.stat().st_ctime)))
        timed(ours("validate", lib), tmp)
        warm_baseline = baseline("validate", lib)
        if warm_baseline is not None:
            timed(warm_baseline, tmp)  # and the baseline's, so that its cached row is cached from the first run
        rows = [
            ("validate 7 example skills", {"ours": ours("validate", examples), "peer": theirs("validate", examples),
                                           "baseline": baseline("validate", examples)}, None),
            (f"validate {args.skills} skills, cold", {"ours": ours("validate", lib, cache=cold_cache),
                                                      "peer": theirs("validate", lib),
                                                      "baseline": baseline("validate", lib, cache=cold_cache)},
             clear_cold),
            (f"validate {args.skills} skills, cached", {"ours": ours("validate", lib), "peer": theirs("validate", lib),
                                                        "baseline": baseline("validate", lib)}, None),
            ("skills --version", {"ours": ours("--version"), "python -c pass": ([sys.executable, "-c", "pass"],
                                                                                 base_env),
                                  "baseline": baseline("--version")}, None),
            ("skills rules", {"ours": ours("rules"), "baseline": baseline("rules")}, None),
            ("skills --help", {"ours": ours("--help"), "peer": theirs("--help"), "baseline": baseline("--help")},
             None),
        ]
        print(f"medians of {args.runs} alternating runs, seconds; peer: {peer or 'not installed (ours alone)'}")
        print(f"{'case':<34} {'ours':>7} {'peer':>7} {'peer/ours':>9} {'baseline':>9} {'base/ours':>9}  other")
        found: dict[str, dict[str, float]] = {}
        for label, commands, before in rows:
            medians = alternate(commands, args.runs, tmp, before)
            found[label] = medians
            mine = medians["ours"]

            def cell(key: str, ratio: bool = False, values: dict[str, float] = medians, base: float = mine) -> str:
                if key not in values:
                    return "-"
                return f"{values[key] / base:.1f}x" if ratio else f"{values[key]:.3f}"

            other = f"python -c pass {medians['python -c pass']:.3f}" if "python -c pass" in medians else ""
            print(f"{label:<34} {mine:>7.3f} {cell('peer'):>7} {cell('peer', True):>9} {cell('baseline'):>9} "
                  f"{cell('baseline', True):>9}  {other}")
        cold = found[f"validate {args.skills} skills, cold"]["ours"]
        cached = found[f"validate {args.skills} skills, cached"]["ours"]
        version = found["skills --version"]
        print(f"cached run: {cold / cached:.1f}x faster than cold (goal 5x); "
              f"--version: {version['ours'] / version['python -c pass']:.1f}x python -c pass (goal within 5x)")


if __name__ == "__main__":
    main()
