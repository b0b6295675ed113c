"""Benchmark: end-to-end process time of ``skills hook`` on a 1,000-skill library with a warm index.

Goal on this 2-core machine: median under 100 ms per prompt, Python start-up included; the
figure is printed next to ``python -c pass`` (the floor any Python hook pays).
Each run is a fresh process, exactly as Claude Code starts it: event JSON on stdin, the
console entry point, the index already built (as ``skills hook install`` leaves it).
Run: ``python benchmarks/bench_hook.py [--skills 1000] [--runs 21]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = [sys.executable, "-c", "from loader.entry import run; run()"]

_TOPICS = ("invoice", "pdf", "docker", "kubernetes", "postgres", "react", "terraform", "pytest", "latex",
           "spreadsheet", "git", "release", "security", "logging", "graphql", "rust", "android", "figma",
           "slack", "budget", "contract", "translation", "podcast", "genomics", "weather", "chess", "audio")
_ACTIONS = ("review", "generate", "convert", "migrate", "debug", "summarise", "validate", "deploy", "format",
            "optimise", "document", "test", "audit", "plan", "refactor", "extract", "merge", "schedule")
_FILLER = ("Check the inputs first and keep a record of every decision. ", "Prefer small, reversible steps. ",
           "Run the script in scripts/ to verify the result before reporting it. ",
           "When something fails, read references/troubleshooting.md before retrying. ")


def generate(root: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` well-formed skills with varied names, descriptions and ~2 KB bodies."""
    rng = random.Random(seed)
    for number in range(count):
        topic, action, other = rng.choice(_TOPICS), rng.choice(_ACTIONS), rng.choice(_TOPICS)
        name = f"{action}-{topic}-{number:04d}"
        description = (f"{action.capitalize()}s {topic} work alongside {other} tooling. "
                       f"Use when the user asks to {action} a {topic} file or project.")
        body = [f"# {action.capitalize()} {topic}\n"]
        for section in ("Steps", "Checks", "Pitfalls"):
            body.append(f"\n## {section}\n\n")
            body.extend(rng.choice(_FILLER) for _ in range(6))
            body.append("\n")
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\n\n{''.join(body)}",
                                         encoding="utf-8")


def timed(argv: list[str], stdin: bytes, env: dict[str, str]) -> tuple[float, bytes]:
    """Wall-clock seconds of one process run, and its stdout."""
    start = time.perf_counter()
    done = subprocess.run(argv, input=stdin, capture_output=True, env=env, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    """Print the median and spread of hook runs and of ``python -c pass``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skills", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "library"
        generate(library, args.skills)
        env = {**os.environ, "XDG_STATE_HOME": str(Path(tmp) / "state"), "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        start = time.perf_counter()
        from loader.index import open_index

        index, _ = open_index([library])
        cold = time.perf_counter() - start
        prompts = {
            "matching": "please help me convert this kubernetes deployment and migrate the postgres database",
            "unrelated": "what should I cook for dinner tonight with leftover rice",
        }
        print(f"library: {len(index)} synthetic skills; cold index build in-process {cold:.2f} s")
        print(f"{'case':<28} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8} {'output':>9}")
        floor = [timed([sys.executable, "-c", "pass"], b"", env)[0] for _ in range(args.runs)]
        _row("python -c pass", floor, b"")
        for label, prompt in prompts.items():
            times, out = [], b""
            for run in range(args.runs):
                event = {"session_id": f"bench-{label}-{run}", "transcript_path": "/dev/null", "cwd": tmp,
                         "hook_event_name": "UserPromptSubmit", "prompt": prompt}
                seconds, out = timed([*ENTRY, "hook", "--library", str(library)], json.dumps(event).encode(), env)
                times.append(seconds)
            _row(f"skills hook ({label})", times, out)
        print("goal: hook median < 100 ms with a warm index (start-up included)")


def _row(label: str, times: list[float], out: bytes) -> None:
    q = statistics.quantiles(times, n=10)
    size = f"{len(out)} B" if out else "none"
    print(f"{label:<28} {1000 * statistics.median(times):>10.1f} {1000 * q[0]:>8.1f} {1000 * q[-1]:>8.1f} {size:>9}")


if __name__ == "__main__":
    main()
