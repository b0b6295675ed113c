"""Benchmark what every prompt pays before matching: opening a stored index, the first match, the hook.

Run: ``python benchmarks/bench_open.py [--sizes 1000 10000] [--rounds 5]``; add
``--other PATH`` (another checkout of skillpack) to time that checkout in the same loop, in
alternating rounds, so two versions are compared on the same machine at the same moment.

Per library size it prints medians over ``--rounds`` rounds of: ``open_index`` with nothing
changed (a fresh process each time, as a command or the hook pays it), the first match on
that freshly opened index (reads the matcher's fields and the query's postings), and the
whole ``skills hook`` process on one matching prompt (Python start-up included), next to
``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hook import generate, settle  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
PROBE = """
import sys, time, json
from pathlib import Path
from loader.index import open_index
from loader.match import match
root, prompt = Path(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
index, _ = open_index([root])
t1 = time.perf_counter()
result = match(index, prompt)
t2 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "first_match": t2 - t1, "loaded": [m.skill for m in result.matches]}))
"""
HOOK = """
import importlib, sys
run = importlib.import_module(sys.argv[1]).run
sys.argv = ["skills", *sys.argv[2:]]
run()
"""
"""The console entry point, given by module: ``loader.cli.entry`` now, ``loader.entry`` in older checkouts
(trying one and falling back would import the older ``loader.cli`` package, typer and all)."""


def _env(checkout: Path) -> dict[str, str]:
    """The checkout first on the path. Children run outside any checkout (``cwd``): ``python -c`` puts
    the working folder before ``PYTHONPATH``, so run from a checkout it would time that one twice."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(checkout)
    return env


def _probe(checkout: Path, root: Path, prompt: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(root), prompt], capture_output=True, text=True,
                          env=_env(checkout), check=True, cwd=root.parent)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _hook(checkout: Path, root: Path, prompt: str) -> float:
    event = json.dumps({"session_id": f"bench-{time.monotonic_ns()}", "prompt": prompt,
                        "hook_event_name": "UserPromptSubmit", "cwd": str(root)}).encode()
    start = time.perf_counter()
    entry = "loader.cli.entry" if (checkout / "loader" / "cli" / "entry.py").is_file() else "loader.entry"
    subprocess.run([sys.executable, "-c", HOOK, entry, "hook", "--library", str(root)], input=event,
                   capture_output=True, env=_env(checkout), check=True, cwd=root.parent)
    return time.perf_counter() - start


def _pass() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def main() -> None:
    """Print one row per size and checkout: medians in milliseconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--other", type=Path, help="another skillpack checkout, timed in alternation")
    args = parser.parse_args()
    checkouts = {"this": HERE}
    if args.other:
        checkouts["other"] = args.other.resolve()
    print("size    checkout  open_index  first_match  hook     python -c pass   (medians, ms)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            products = generate(Path(tmp) / "lib", size)
            settle(Path(tmp) / "lib")
            prompt = f"please review the invoice file for {products[size // 2]}"
            # Each checkout keeps its own library copy: index formats may differ between versions.
            roots = {}
            for label, checkout in checkouts.items():
                root = Path(tmp) / label / "lib"
                root.parent.mkdir(parents=True)
                subprocess.run(["cp", "-a", str(Path(tmp) / "lib"), str(root.parent)], check=True)
                _probe(checkout, root, prompt)  # build and store the index
                _probe(checkout, root, prompt)  # settle the racy-timestamp window
                roots[label] = root
            samples: dict[str, dict[str, list[float]]] = {k: {"open": [], "first": [], "hook": [], "pass": []}
                                                          for k in checkouts}
            for _ in range(args.rounds):
                for label, checkout in checkouts.items():
                    probe = _probe(checkout, roots[label], prompt)
                    samples[label]["open"].append(probe["open"])
                    samples[label]["first"].append(probe["first_match"])
                    samples[label]["hook"].append(_hook(checkout, roots[label], prompt))
                    samples[label]["pass"].append(_pass())
            for label in checkouts:
                s = {k: statistics.median(v) * 1000 for k, v in samples[label].items()}
                print(f"{size:<7} {label:<9} {s['open']:>10.1f}  {s['first']:>11.1f}  {s['hook']:>7.1f}  "
                      f"{s['pass']:>8.1f}")


if __name__ == "__main__":
    main()
