"""Save-to-updated latency of hot reload on a 1,000-skill tree, with the default debounce.

Measures, from just before a file is saved to the moment the update is served:
  * the library API (``loader.author.live.LiveLibrary.watch``), in-process;
  * ``skills dev`` as a subprocess (until its ``updated ...`` line is read), without and
    with ``--prompt`` (which re-runs the matcher over the whole index after each update).
Saves alternate between in-place writes and editor-style atomic saves (temp file + rename).
Skills come from ``benchmarks/synthetic.py`` (varied, realistic sizes) when it is there.
Goal: median under 300 ms. Usage: ``python benchmarks/bench_watch.py [--skills N] [--saves N]``.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from loader.author.live import LiveLibrary, LiveUpdate
from loader.author.watch import DEFAULT_DEBOUNCE

TOPICS = ["invoice", "pdf", "csv", "deploy", "review", "release", "test", "sql", "docker", "email",
          "chart", "schema", "backup", "incident", "translate", "summary", "budget", "calendar"]


def make_tree(root: Path, count: int) -> list[Path]:
    """``count`` valid skills: the shared synthetic generator when present, else simple ones."""
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from synthetic import generate  # type: ignore[import-not-found]
    except ImportError:
        return _simple_tree(root, count)
    return sorted(generate(root, count, seed=42))


def _simple_tree(root: Path, count: int) -> list[Path]:
    rng = random.Random(42)
    folders = []
    for i in range(count):
        a, b = rng.sample(TOPICS, 2)
        folder = root / f"group-{i % 20:02d}" / f"skill-{i:04d}"
        (folder / "references").mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: skill-{i:04d}\ndescription: Handles {a} and {b} work for team {i}. "
            f"Use when the user asks about {a} {b} tasks.\n---\n\n# {a.title()} {b}\n\n"
            + "".join(f"{n}. Step {n} of the {a} procedure.\n" for n in range(1, 8))
            + "\nSee [the notes](references/notes.md).\n", encoding="utf-8")
        (folder / "references" / "notes.md").write_text(f"# Notes {i}\n\nDetails.\n", encoding="utf-8")
        folders.append(folder)
    return folders


def save(folder: Path, revision: int) -> None:
    """Change a skill's body (it stays valid); odd revisions save like an editor (temp + rename)."""
    path = folder / "SKILL.md"
    text = path.read_text(encoding="utf-8").split("\n<!-- revision")[0] + f"\n<!-- revision {revision} -->\n"
    if revision % 2:
        temp = path.with_name(".SKILL.md.swp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    else:
        path.write_text(text, encoding="utf-8")


def summary(label: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (f"{label:<42} n={len(ordered):<3} median {statistics.median(ordered):7.1f} ms   "
            f"p90 {p90:7.1f} ms   max {ordered[-1]:7.1f} ms")


def bench_library(root: Path, folders: list[Path], saves: int) -> None:
    started = time.perf_counter()
    library = LiveLibrary([root])
    opened = time.perf_counter() - started
    updates: queue.Queue[tuple[float, LiveUpdate]] = queue.Queue()
    handle = library.watch(lambda update: updates.put((time.perf_counter(), update)))
    print(f"library: opened {len(library.skills())} skills in {opened * 1000:.0f} ms "
          f"(validate + index), watching from {(time.perf_counter() - started) * 1000:.0f} ms")
    rng = random.Random(7)
    latencies, work = [], []
    try:
        for revision in range(1, saves + 1):
            folder = rng.choice(folders).resolve()
            before = time.perf_counter()
            save(folder, revision)
            while True:
                done, update = updates.get(timeout=10)
                if any(u.path == folder for u in update.skills):
                    break
            assert all(u.ok for u in update.skills), update
            latencies.append((done - before) * 1000)
            work.append(update.seconds * 1000)
    finally:
        handle.stop()
    print(summary("library API: save -> updated", latencies))
    print(summary("  of which re-validate + re-index", work))


def bench_cli(root: Path, folders: list[Path], saves: int, prompt: str | None) -> None:
    command = [sys.executable, "-c", "from loader.cli.entry import run; run()", "dev", str(root)]
    if prompt:
        command += ["--prompt", prompt]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((time.perf_counter(), line))

    threading.Thread(target=read, daemon=True).start()

    def wait_for(text: str) -> float:
        while True:
            when, line = lines.get(timeout=60)
            if text in line:
                return when

    label = "skills dev" + (" --prompt" if prompt else "")
    print(f"{label}: ready after {(wait_for('watching') - started) * 1000:.0f} ms")
    rng = random.Random(11)
    latencies = []
    try:
        for revision in range(1, saves + 1):
            folder = rng.choice(folders)
            before = time.perf_counter()
            save(folder, revision)
            done = wait_for("prompt " if prompt else "updated ")
            latencies.append((done - before) * 1000)
    finally:
        proc.terminate()
        proc.wait()
    print(summary(f"{label}: save -> output line", latencies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skills", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()
    print(f"{args.skills} skills, default debounce {DEFAULT_DEBOUNCE * 1000:.0f} ms, {args.saves} saves per run, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as scratch:
        root = Path(scratch) / "skills"
        started = time.perf_counter()
        folders = make_tree(root, args.skills)
        print(f"generated {len(folders)} skills in {(time.perf_counter() - started) * 1000:.0f} ms")
        bench_library(root, folders, args.saves)
        bench_cli(root, folders, max(5, args.saves // 2), None)
        bench_cli(root, folders, max(5, args.saves // 2), "summarise the invoice csv for the budget")


if __name__ == "__main__":
    main()
