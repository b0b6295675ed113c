"""Concurrent writers and readers on one index, then a check that the stored index is sound.

Used by ``tests/index/test_concurrency.py`` (a few seconds) and by
``benchmarks/bench_index_stress.py`` (a minute, printing the counts). Writers edit, add and
remove skills and refresh the index as every command does (``open_index``); readers open it
and match, as the hook does. Afterwards the file must pass SQLite's ``integrity_check``, every
term's stored postings must agree with the stored term lists of the skills table, and matching
on the stored index must give what a fresh in-memory build gives.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from loader.index import build_index, open_index
from loader.index.postings import FIELDS, decode_terms
from loader.match import match

TOPICS = ("pdf", "docker", "invoice", "latex", "postgres", "terraform", "podcast", "chess", "budget", "genomics")
PROMPTS = tuple(f"help me with the {topic} files please" for topic in TOPICS)


def write_library(root: Path, count: int) -> None:
    """``count`` small skills, a topic word each, dated a minute back (a settled library)."""
    for number in range(count):
        topic = TOPICS[number % len(TOPICS)]
        folder = root / f"{topic}-skill-{number:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: {folder.name}\ndescription: Works on {topic} files, number {number}. "
            f"Use when the user asks about {topic}.\n---\n\n# {topic.title()}\n\nSteps for {topic}.\n",
            encoding="utf-8")
    settled = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (settled, settled), follow_symlinks=False)


@dataclass
class Outcome:
    """What the processes did and what went wrong."""

    runs: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def _writer(root: Path, index: Path, deadline: float, seed: int, queue: multiprocessing.Queue[tuple[str, str]]
            ) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        skills = sorted(p for p in root.iterdir() if p.is_dir())
        action = rng.random()
        try:
            if action < 0.7 and skills:
                manifest = rng.choice(skills) / "SKILL.md"
                with manifest.open("a", encoding="utf-8") as handle:
                    handle.write(f"\nEdited by {seed}: {rng.choice(TOPICS)} {rng.random():.6f}.\n")
            elif action < 0.85:
                topic = rng.choice(TOPICS)
                folder = root / f"{topic}-new-{seed}-{rng.randrange(10**6)}"
                folder.mkdir()
                (folder / "SKILL.md").write_text(
                    f"---\nname: {folder.name}\ndescription: New {topic} skill. Use when asked about {topic}.\n"
                    f"---\n\n# New\n\n{topic} steps.\n", encoding="utf-8")
            elif len(skills) > 5:
                victim = rng.choice(skills)
                for path in sorted(victim.rglob("*"), reverse=True):
                    path.unlink()
                victim.rmdir()
        except OSError:
            pass  # another writer removed the folder first
        try:
            open_index([root], index_path=index)
            queue.put(("write", ""))
        except Exception:  # noqa: BLE001 - every failure is a finding, reported by the parent
            queue.put(("error", traceback.format_exc()))


def _reader(root: Path, index: Path, deadline: float, queue: multiprocessing.Queue[tuple[str, str]]) -> None:
    while time.monotonic() < deadline:
        try:
            found, _ = open_index([root], index_path=index)
            for prompt in PROMPTS[:3]:
                match(found, prompt)
            queue.put(("read", ""))
        except Exception:  # noqa: BLE001
            queue.put(("error", traceback.format_exc()))


def run(root: Path, index: Path, *, seconds: float, writers: int, readers: int) -> Outcome:
    """Run ``writers`` and ``readers`` processes on ``root`` for ``seconds``; collect what they report."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[str, str]] = context.Queue()
    deadline = time.monotonic() + seconds
    processes = [context.Process(target=_writer, args=(root, index, deadline, seed, queue)) for seed in range(writers)]
    processes += [context.Process(target=_reader, args=(root, index, deadline, queue)) for _ in range(readers)]
    for process in processes:
        process.start()
    outcome = Outcome()
    while any(p.is_alive() for p in processes) or not queue.empty():
        try:
            kind, detail = queue.get(timeout=0.2)
        except Exception:  # noqa: BLE001 - queue.Empty: poll the processes again
            continue
        outcome.runs[kind] += 1
        if kind == "error":
            outcome.errors.append(detail)
    for process in processes:
        process.join(timeout=30)
        if process.exitcode != 0:
            outcome.errors.append(f"process exited with {process.exitcode}")
    return outcome


def soundness_problems(root: Path, index: Path) -> list[str]:
    """Everything wrong with the stored index after the run (empty: sound)."""
    problems: list[str] = []
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        check = con.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check[:5]}")
        expected: dict[str, set[str]] = {}
        for ident, terms in con.execute("SELECT id, terms FROM terms"):
            per_field = terms.split("\n")
            counts: dict[str, list[int]] = {}
            for position, text in enumerate(per_field[:len(FIELDS)]):
                for term, count in decode_terms(text).items():
                    counts.setdefault(term, [0] * len(FIELDS))[position] = count
            for term, tfs in counts.items():
                expected.setdefault(term, set()).add(f"{ident}:{','.join(map(str, tfs))}")
        stored = {term: set(docs.split()) for term, docs in con.execute("SELECT term, docs FROM postings")}
        wrong = sorted(t for t in expected.keys() | stored.keys() if expected.get(t) != stored.get(t))
        if wrong:
            problems.append(f"{len(wrong)} terms' postings disagree with the skills table, e.g. {wrong[:5]}")
        ids = {i for (i,) in con.execute("SELECT id FROM skills")}
        term_ids = {i for (i,) in con.execute("SELECT id FROM terms")}
        if ids != term_ids:
            problems.append(f"skills and terms tables hold different ids: {sorted(ids ^ term_ids)[:5]}")
    finally:
        con.close()
    stored_index, _ = open_index([root], index_path=index)
    fresh, _ = build_index([root])
    for prompt in PROMPTS:
        if match(stored_index, prompt).names != match(fresh, prompt).names:
            problems.append(f"{prompt!r}: stored index loads {match(stored_index, prompt).names}, "
                            f"a fresh build {match(fresh, prompt).names}")
    return problems
