"""Measure the offline token estimate against Claude's legacy tokenizer on a skill corpus.

Run in a scratch venv that has the real tokenizer (never a project dependency):

    python3 -m venv /tmp/tok && /tmp/tok/bin/pip install tokenizers anthropic==0.34.0
    PYTHONPATH=. /tmp/tok/bin/python benchmarks/calibrate_tokens.py /work/shared/corpus

Prints the error per file kind and in aggregate, for SKILL.md files, reference files and
listing lines (``- name: description``). Reads only; writes nothing.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from loader.core.counter import TokenCounter
from loader.core.tokens import EstimateCounter, FixedRatioCounter, get_counter

SUFFIXES = {".md", ".markdown", ".txt", ".rst", ".py", ".sh", ".json", ".yaml", ".tex", ".js", ".ts"}


def collect(root: Path) -> list[tuple[str, str, str]]:
    """(kind, path, text) for every SKILL.md, its reference files and its listing line."""
    import yaml

    rows: list[tuple[str, str, str]] = []
    for skill_md in sorted(root.rglob("SKILL.md")):
        for path in sorted(skill_md.parent.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in SUFFIXES:
                continue
            if path != skill_md and path.name == "SKILL.md":
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if text.strip():
                rows.append(("skill" if path == skill_md else "reference", str(path.relative_to(root)), text))
        head = skill_md.read_text(encoding="utf-8").split("---", 2)
        try:
            meta = yaml.safe_load(head[1]) if len(head) == 3 else None
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and isinstance(meta.get("description"), str):
            line = f"- {meta.get('name', skill_md.parent.name)}: {' '.join(meta['description'].split())}"
            rows.append(("listing", str(skill_md.relative_to(root)), line))
    return rows


def errors(counter: TokenCounter, rows: list[tuple[str, str, str]], exact: TokenCounter) -> None:
    """Print mean/median/p90/max absolute % error and the aggregate error per kind."""
    for kind in ("skill", "reference", "listing", "all"):
        sel = [r for r in rows if kind in ("all", r[0])]
        real = [exact.count(t) for _, _, t in sel]
        est = [counter.count(t) for _, _, t in sel]
        ape = sorted(abs(e - r) / r for e, r in zip(est, real, strict=True) if r)
        agg = (sum(est) - sum(real)) / sum(real)
        p90 = ape[int(0.9 * (len(ape) - 1))]
        print(f"  {counter.name:12s} {kind:9s} n={len(sel):5d} real={sum(real):9d} "
              f"MAPE={statistics.mean(ape):6.2%} median={statistics.median(ape):6.2%} "
              f"p90={p90:6.2%} max={ape[-1]:6.2%} aggregate={agg:+6.2%}")


def main(argv: list[str]) -> int:
    """Entry point: ``calibrate_tokens.py CORPUS``."""
    root = Path(argv[1] if len(argv) > 1 else "/work/shared/corpus")
    exact = get_counter("claude-legacy")
    rows = collect(root)
    print(f"corpus {root}: {len(rows)} texts; reference counter {exact.name}")
    for counter in (EstimateCounter(), FixedRatioCounter()):
        errors(counter, rows, exact)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
