"""Calibrate on half of a labelled set (as transcripts), measure on the other half: default vs calibrated.

    python benchmarks/calibrate_split.py [QUERIES] [SKILLS...]

Splits the query set in two halves by a hash of each prompt; turns one half into synthetic
Claude Code transcripts (Claude invokes the Skill tool for the first expected skill; no tool
for a no-skill prompt), runs ``skills calibrate --transcripts`` on it, then ``skills eval`` on
the other half at the shipped default and at the calibrated threshold; then the same with the
halves swapped. The index and the config go to a temporary folder; nothing is written into
the corpus. Prints hit@1, false-load rate and the thresholds.

With SKILLS naming part of the corpus (a library unlike the one the default was fitted on),
each prompt's expected skills are cut to that library's; a prompt left with none is a
no-skill prompt for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_transcripts import from_queries  # noqa: E402

CLI = [sys.executable, "-c", "from loader.cli.entry import run; run()"]


def skills(*args: str | Path, env: dict[str, str]) -> dict[str, object]:
    """Run ``skills ARGS --format json`` and return its document."""
    proc = subprocess.run([*CLI, *map(str, args), "--format", "json"], env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"skills {' '.join(map(str, args))} failed: {proc.stderr}")
    doc: dict[str, object] = json.loads(proc.stdout)
    return doc


def main() -> int:
    """Entry point."""
    queries = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "bench" / "dev-queries.jsonl"
    roots = [Path(p) for p in sys.argv[2:]] or [HERE.parent.parent / "shared" / "corpus"]
    items = [json.loads(line) for line in queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    halves: list[list[dict[str, object]]] = [[], []]
    for item in items:
        halves[hashlib.sha256(str(item["query"]).encode()).digest()[0] % 2].append(item)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        env.pop("SKILLPACK_DEBUG", None)
        index = Path(tmp) / "index.sqlite"
        library = [*(arg for root in roots for arg in ("--skills", str(root))), "--index", str(index)]
        names = set(skills("index", *roots, "--index", index, env=env)["names"])  # type: ignore[call-overload]
        for item in items:
            item["expected"] = [e for e in item["expected"] if e in names]  # type: ignore[attr-defined]
        print(f"{len(names)} skills; {sum(1 for i in items if i['expected'])} prompts with one of them, "
              f"{sum(1 for i in items if not i['expected'])} without")
        for fit_on, measure_on in ((0, 1), (1, 0)):
            folder = Path(tmp) / f"run{fit_on}"
            pairs = [(str(i["query"]), [str(e) for e in i["expected"]]) for i in halves[fit_on]]  # type: ignore[attr-defined]
            from_queries(pairs, folder / "transcripts")
            held = folder / "held-out.jsonl"
            held.write_text("".join(json.dumps({"query": i["query"], "expected": i["expected"]}) + "\n"
                                    for i in halves[measure_on]), encoding="utf-8")
            fitted = skills("calibrate", "--transcripts", folder / "transcripts", *library, env=env)
            default = skills("eval", held, *library, "--threshold", str(fitted["default_threshold"]), env=env)
            calibrated = skills("eval", held, *library, env=env)
            print(f"fit on half {fit_on} ({fitted['positives']} with a skill, {fitted['negatives']} without), "
                  f"measured on half {measure_on} ({default['positives']} + {default['negatives']}):")
            for name, doc, threshold in (("shipped default", default, fitted["default_threshold"]),
                                         ("calibrated", calibrated, fitted["threshold"])):
                print(f"  {name:<16} threshold {threshold:<6} hit@1 {doc['hit@1']:.3f}  hit@3 {doc['hit@3']:.3f}  "
                      f"false-load {doc['false_load_rate']:.3f}  tokens/query {doc['mean_tokens_loaded']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
