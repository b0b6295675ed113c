"""Benchmark the index and the matcher on synthetic libraries (1,000 and 10,000 skills) and the corpus.

Run: ``python benchmarks/bench_index_match.py [--sizes 1000 10000] [--runs 20] [--edits 7]``.
Prints one table: cold index build; opening the stored index (``load_index``: every skill's
row, in one transaction); re-index after editing one skill (``open_index`` on the stored
index, as every command does: median over ``--edits`` edits of different skills; then in
memory, for the first edit: a full walk, and targeted ``update_index`` as ``skills dev`` uses
it); ``open_index`` when nothing changed (median); in-process match latency on the stored
index (first match after loading, which fetches the query's postings; then median over
distinct prompts, p95); and ``skills match`` end-to-end wall time with a warm index (median of
subprocess runs), through the console entry and through the typer-free fast path.
Goals: build 10k < 10 s; edit re-index < 100 ms at 10k; match median < 2 ms at 1k and
< 10 ms at 10k; ``skills match`` < 150 ms at 1k.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate  # noqa: E402

from loader.index import build_index, load_index, open_index, save_index, update_index  # noqa: E402
from loader.match.rank import match  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ENTRY = "from loader.cli.entry import run; run()"
"""The real console entry point, as the ``skills`` script runs it."""
FAST = "import sys; from loader.cli.match_output import fast_main; sys.exit(fast_main(sys.argv[1:]))"
"""The typer-free ``skills match`` path, for when ``loader.cli.entry`` dispatches to it."""


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Children may cache bytecode, as an installed package does (some machines forbid it by default)."""

def _prompts(index_terms: list[str], count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    common = "please update the config and check why the build fails on the server".split()
    return [" ".join(rng.sample(common, 4) + rng.sample(index_terms, rng.randint(1, 4))) for _ in range(count)]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_library(label: str, root: Path, work: Path, runs: int, edits: int = 7) -> dict[str, str]:
    """Measure one library; ``root`` is copied nowhere: edits are made and undone in place."""
    started = time.perf_counter()
    index, _ = build_index([root])
    cold = time.perf_counter() - started
    index_path = work / f"{label}.index"
    save_index(index, index_path)
    started = time.perf_counter()
    loaded = load_index(index_path)
    load = time.perf_counter() - started
    assert loaded is not None
    time.sleep(2.1)  # let the library settle (RACY_NS), then refresh once, as a user's index is
    open_index([root], index_path=index_path)
    reopens = []
    for i in range(edits):  # edit a different skill each time, re-index, undo the edit and re-index again
        entry = loaded.entries[(len(loaded.entries) // 2 + 97 * i) % len(loaded.entries)]
        edited = Path(entry.path) / "SKILL.md"
        before = edited.read_bytes()
        try:
            edited.write_bytes(before + b"\n## Benchmark edit\n\nOne more paragraph about zebras.\n")
            started = time.perf_counter()
            opened, _ = open_index([root], index_path=index_path)
            reopens.append(time.perf_counter() - started)
            assert "zebra" in opened.entry(entry.name).term_counts("body")
        finally:
            edited.write_bytes(before)
        open_index([root], index_path=index_path)
    skill = Path(loaded.entries[len(loaded.entries) // 2].path)
    manifest = skill / "SKILL.md"
    original = manifest.read_bytes()
    try:
        manifest.write_bytes(original + b"\n## Benchmark edit\n\nOne more paragraph about zebras.\n")
        started = time.perf_counter()
        walked, _ = build_index([root], previous=index)  # in memory, as ``skills dev`` keeps it
        walk = time.perf_counter() - started
        started = time.perf_counter()
        updated, _ = update_index(index, [skill])
        targeted = time.perf_counter() - started
        assert "zebra" in walked.entry(updated.entries[len(updated.entries) // 2].name).term_counts("body")
    finally:
        manifest.write_bytes(original)
    open_index([root], index_path=index_path)
    unchanged = []
    for _ in range(edits):
        started = time.perf_counter()
        open_index([root], index_path=index_path)
        unchanged.append(time.perf_counter() - started)
    names = [e.name for e in loaded.entries]
    vocabulary = sorted({t.split(":")[0] for e in loaded.entries[:200] for t in e.term_counts("description")})
    prompts = _prompts(vocabulary, 300) + [n.replace("-", " ") for n in names[:50]]
    fresh = load_index(index_path)
    assert fresh is not None
    started = time.perf_counter()
    match(fresh, prompts[-1])  # the first match on a freshly loaded index
    first = time.perf_counter() - started
    latencies = []
    for prompt in prompts:
        started = time.perf_counter()
        match(loaded, prompt)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    # A warm index as a user has it: the library settled (folders untouched for a few seconds,
    # see RACY_NS in loader.index.build) and the index refreshed once after the edit above.
    time.sleep(2.1)
    subprocess.run([sys.executable, "-c", FAST, "warm up", "--skills", str(root), "--index", str(index_path)],
                   check=True, capture_output=True, env=_ENV)
    cli, fast = [], []
    for prompt in prompts[:runs]:
        options = [prompt, "--skills", str(root), "--index", str(index_path)]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", ENTRY, "match", *options], check=True, capture_output=True, env=_ENV)
        cli.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", FAST, *options], check=True, capture_output=True, env=_ENV)
        fast.append(time.perf_counter() - started)
    return {
        "library": label, "skills": str(len(loaded)), "cold build": f"{cold:.2f} s",
        "load": f"{load * 1000:.0f} ms",
        "edit 1 (open_index)": f"{_median_ms(reopens):.0f} ms", "open (unchanged)": f"{_median_ms(unchanged):.0f} ms",
        "edit 1 (walk)": f"{walk * 1000:.0f} ms", "edit 1 (targeted)": f"{targeted * 1000:.1f} ms",
        "first match": f"{first * 1000:.1f} ms", "match median": f"{_median_ms(latencies):.2f} ms",
        "match p95": f"{latencies[int(0.95 * len(latencies))] * 1000:.2f} ms",
        "skills match": f"{_median_ms(cli):.0f} ms", "fast path": f"{_median_ms(fast):.0f} ms",
        "index size": f"{index_path.stat().st_size / 1e6:.1f} MB",
    }


def main(argv: list[str] | None = None) -> int:
    """Generate the libraries, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=15, help="subprocess runs of `skills match` per library")
    parser.add_argument("--edits", type=int, default=7, help="edits timed through open_index per library")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="skillpack-bench-") as tmp:
        work = Path(tmp)
        for size in args.sizes:
            root = work / f"synthetic-{size}"
            generate(root, size, seed=size)
            rows.append(bench_library(f"synthetic-{size}", root, work, args.runs, args.edits))
        if CORPUS.is_dir():
            import shutil

            corpus = work / "corpus"  # a copy: the benchmark edits a skill, and /work/shared is read-only
            shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns(".skillpack"))
            rows.append(bench_library("corpus", corpus, work, args.runs, args.edits))
    columns = list(rows[0])
    widths = [max(len(c), *(len(r[c]) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True)))
    print(f"\nmachine: {sys.platform}, Python {sys.version.split()[0]}; token counts are estimates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
