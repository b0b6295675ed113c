"""Render ``skills match`` results, and run ``skills match`` without importing typer (fast path).

Guarantees: the typer command (``loader.cli.match``) and the fast path print byte-identical
output, because both call the renderers here on a prompt cut the same way
(``loader.core.text.prompt_for_matching``; the JSON ``prompt`` field shows the cut prompt). The
fast path understands exactly the options of ``skills match``; anything else (``--help``, a
typo) returns ``None`` so the caller falls back to the full CLI, which explains the problem.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from loader.core.model import Diagnostic, Match
    from loader.match.rank import MatchResult


def _row(m: Match, reason: str | None = None) -> dict[str, Any]:
    row = {"skill": m.skill, "score": m.score, "tokens": m.tokens, "explanation": list(m.explanation)}
    return row if reason is None else {**row, "reason": reason}


def render_json(result: MatchResult, out: TextIO) -> None:
    """The ``--format json`` document (``schema_version`` 1; fields are only ever added)."""
    json.dump({"schema_version": 1, "prompt": result.prompt, "query_terms": list(result.query_terms),
               "corrections": [{"typed": typed, "read_as": term} for typed, term in result.corrections],
               "confidence": round(result.confidence, 4), "loaded": [_row(m) for m in result.matches],
               "cut": [_row(m, r) for m, r in result.cut[:10]], "tokens": result.tokens},
              out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_text(result: MatchResult, out: TextIO, *, explain: bool = False, calibration: str = "") -> None:
    """One line per loaded skill (name, score, tokens), or ``no skill``; ``explain`` adds why (and ``calibration``:
    the threshold in force and its origin)."""
    if not result.matches:
        out.write("no skill\n")
    for m in result.matches:
        out.write(f"{m.skill}\t{m.score:.3f}\t{m.tokens} tokens\n")
        if explain:
            out.writelines(f"    {line}\n" for line in m.explanation)
    if explain:
        out.write(f"confidence {result.confidence:.3f} (terms: {' '.join(result.query_terms) or '-'})\n")
        if calibration:
            out.write(f"{calibration}\n")
        out.writelines(f"  read {typed!r} as {term!r} (typo)\n" for typed, term in result.corrections)
        for m, reason in result.cut[:5]:
            out.write(f"  not loaded: {m.skill} ({reason}, score {m.score:.3f})\n")
            out.writelines(f"    {line}\n" for line in m.explanation)


def warning_summary(diagnostics: Sequence[Diagnostic]) -> str:
    """One stderr line about indexing warnings (details are ``skills index``'s job)."""
    return f"warning: {len(diagnostics)} indexing warning(s); run `skills index` for details\n" if diagnostics else ""


def fast_main(args: Sequence[str]) -> int | None:
    """Run ``skills match ARGS`` without typer; ``None`` when the arguments need the full CLI."""
    import argparse
    import sys

    if any(arg in ("-h", "--help") for arg in args):
        return None

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # stay silent: the full CLI explains the problem
            raise argparse.ArgumentError(None, message)

    parser = Parser(add_help=False, exit_on_error=False, allow_abbrev=False)
    parser.add_argument("prompt")
    parser.add_argument("--skills", "-s", action="append", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--top-k", "-k", type=int, default=3)
    parser.add_argument("--budget", type=int)
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text")
    try:
        ns = parser.parse_args(list(args))
    except (argparse.ArgumentError, SystemExit):
        return None
    if ns.top_k < 1 or (ns.budget is not None and ns.budget < 0) or (ns.threshold is not None and ns.threshold < 0) \
            or ns.prompt.startswith("-"):
        return None  # the full CLI reports these with its usual messages
    from loader.core.errors import SkillpackError
    from loader.core.text import prompt_for_matching
    from loader.index import open_index
    from loader.match.calibration import calibration_for, threshold_origin
    from loader.match.rank import match

    try:
        index, diagnostics = open_index(ns.skills or [Path("skills")], index_path=ns.index)
    except SkillpackError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stderr.write(warning_summary(diagnostics))
    calibration = calibration_for(index, ns.index)
    threshold = ns.threshold if ns.threshold is not None or calibration is None else calibration.threshold
    result = match(index, prompt_for_matching(ns.prompt), top_k=ns.top_k, budget_tokens=ns.budget,
                   threshold=threshold)
    if ns.format == "json":
        render_json(result, sys.stdout)
    else:
        render_text(result, sys.stdout, explain=ns.explain, calibration=threshold_origin(ns.threshold, calibration))
    return 0
