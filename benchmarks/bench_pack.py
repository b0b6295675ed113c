"""Benchmark: pack, install and verify a skill library; prints figures, asserts nothing about speed.

Packs each library twice (one ``NAME.skill`` per skill, then one bundle), checks the two runs are
byte-identical, installs the bundle into a temporary project and verifies it.
Run: ``python benchmarks/bench_pack.py [--skills 500] [--files 8] [--corpus]``.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from loader.ship import bundle
from loader.ship.install import install, plan_install
from loader.ship.installed import verify
from loader.ship.targets import choose_target
from loader.validate.load import load_skills

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
T = TypeVar("T")


def synthetic(root: Path, skills: int, files: int) -> Path:
    """Write ``skills`` skills of ``files`` reference files (~2 KB each) plus a script."""
    for i in range(skills):
        folder = root / f"skill-{i:05d}"
        (folder / "references").mkdir(parents=True)
        (folder / "scripts").mkdir()
        (folder / "SKILL.md").write_text(
            f"---\nname: skill-{i:05d}\ndescription: Explains how to handle task number {i} step by step. "
            f"Use when the user asks about task {i}.\nmetadata:\n  version: 1.{i}.0\n---\n\n# Steps\n\n"
            + "".join(f"- See [part {j}](references/part-{j}.md).\n" for j in range(files)), encoding="utf-8")
        for j in range(files):
            (folder / "references" / f"part-{j}.md").write_text(f"# Part {j}\n\n" + f"Detail {i}.{j}. " * 150,
                                                               encoding="utf-8")
        (folder / "scripts" / "run.sh").write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    return root


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def bench(label: str, root: Path) -> None:
    """Print one block of figures for the library at ``root``."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        result, t_load = timed(lambda: load_skills([root]))
        skills = result.usable()
        entries, t_plan = timed(lambda: bundle.plan(skills))
        first, t_write = timed(lambda: bundle.write(entries, out / "a"))
        second = bundle.write(bundle.plan(skills), out / "b")
        same = [a.sha256 for a in first.archives] == [a.sha256 for a in second.archives]
        packed, t_bundle = timed(lambda: bundle.write(bundle.plan(skills, bundle="all.skills"), out / "c"))
        archive = packed.archives[0].path
        files = sum(len(e.files) for e in entries)
        raw = sum(f.size for e in entries for f in e.files)
        target = choose_target(project=out / "project")
        plan, t_inspect = timed(lambda: plan_install([archive], target))
        _, t_install = timed(lambda: install(plan, force=True))
        report, t_verify = timed(lambda: verify(target))
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()[:16]
        print(f"{label}: {len(skills)} skills, {files} files, {raw / 1e6:.1f} MB")
        print(f"  load+validate {t_load:6.2f} s   plan {t_plan:6.2f} s   write {len(first.archives)} .skill "
              f"{t_write:6.2f} s   bundle {t_bundle:6.2f} s ({archive.stat().st_size / 1e6:.1f} MB, sha256 {digest}…)")
        print(f"  inspect bundle {t_inspect:6.2f} s   install {t_install:6.2f} s   verify {t_verify:6.2f} s "
              f"(ok={report.ok})   two runs byte-identical: {same}")


def main() -> None:
    """Benchmark a synthetic library, and the shared corpus when asked and present."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skills", type=int, default=500)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--corpus", action="store_true", help=f"also bench {CORPUS} (read-only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        bench(f"synthetic ({args.skills} x {args.files} refs)", synthetic(Path(scratch), args.skills, args.files))
    if args.corpus and CORPUS.is_dir():
        bench("shared corpus", CORPUS)


if __name__ == "__main__":
    main()
