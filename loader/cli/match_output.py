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


def _confidences(result: MatchResult) -> dict[str, float]:
    """Each ranked candidate's own confidence: the quantity the threshold and the suggestion floor apply to."""
    return {m.skill: c for m, c in zip(result.ranking, result.confidences, strict=False)}


def _row(m: Match, confidence: dict[str, float], reason: str | None = None) -> dict[str, Any]:
    row = {"skill": m.skill, "score": m.score, "confidence": round(confidence.get(m.skill, 0.0), 4),
           "tokens": m.tokens, "explanation": list(m.explanation)}
    return row if reason is None else {**row, "reason": reason}


def render_json(result: MatchResult, out: TextIO) -> None:
    """The ``--format json`` document (``schema_version`` 1; fields are only ever added)."""
    each = _confidences(result)
    json.dump({"schema_version": 1, "prompt": result.prompt, "query_terms": list(result.query_terms),
               "corrections": [{"typed": typed, "read_as": term} for typed, term in result.corrections],
               "confidence": round(result.confidence, 4), "loaded": [_row(m, each) for m in result.matches],
               "cut": [_row(m, each, r) for m, r in result.cut[:10]], "tokens": result.tokens,
               "suggested": [{"skill": s.name, "summary": s.summary, "path": s.path, "score": s.score,
                              "confidence": round(s.confidence, 4)} for s in result.suggested]},
              out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_text(result: MatchResult, out: TextIO, *, explain: bool = False, calibration: str = "") -> None:
    """One line per loaded skill (name, score, tokens), or ``no skill``, then one per suggestion
    (``suggest``, name, score, SKILL.md path); ``explain`` adds why, with each candidate's confidence
    (and ``calibration``: the threshold in force and its origin)."""
    each = _confidences(result)
    if not result.matches:
        out.write("no skill\n")
    for m in result.matches:
        out.write(f"{m.skill}\t{m.score:.3f}\t{m.tokens} tokens\n")
        if explain:
            out.write(f"    confidence {each.get(m.skill, 0.0):.3f}\n")
            out.writelines(f"    {line}\n" for line in m.explanation)
    for s in result.suggested:
        out.write(f"suggest {s.name}\t{s.score:.3f}\t{s.path}\n")
        if explain:
            out.write(f"    confidence {s.confidence:.3f}: {s.summary}\n")
    if explain:
        out.write(f"confidence {result.confidence:.3f} (terms: {' '.join(result.query_terms) or '-'})\n")
        if calibration:
            out.write(f"{calibration}\n")
        out.writelines(f"  read {typed!r} as {term!r} (typo)\n" for typed, term in result.corrections)
        for m, reason in result.cut[:5]:
            sure = each.get(m.skill, 0.0)
            out.write(f"  not loaded: {m.skill} ({reason}, score {m.score:.3f}, confidence {sure:.3f})\n")
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
    parser.add_argument("--suggest", type=int)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text")
    parser.add_argument("--quiet", "-q", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")  # nothing is logged on this path
    try:
        ns = parser.parse_args(list(args))
    except (argparse.ArgumentError, SystemExit):
        return None
    if ns.top_k < 1 or (ns.budget is not None and ns.budget < 0) or (ns.threshold is not None and ns.threshold < 0) \
            or (ns.suggest is not None and ns.suggest < 0) or ns.prompt.startswith("-"):
        return None  # the full CLI reports these with its usual messages
    from loader.core.errors import SkillpackError, describe_os_error

    try:
        return _fast_match(ns)
    except SkillpackError as exc:
        sys.stderr.write(f"error: {exc}\n")
    except OSError as exc:  # the machine said no (a name too long, permissions): exit 2, as the full CLI does
        sys.stderr.write(f"error: {describe_os_error(exc)}\n")
    return 2


def _fast_match(ns: Any) -> int:
    import sys

    from loader.core.text import prompt_for_matching
    from loader.index import open_index
    from loader.match.calibration import calibration_for, threshold_origin
    from loader.match.rank import match
    from loader.match.tiers import DEFAULT_SUGGEST

    index, diagnostics = open_index(ns.skills or [Path("skills")], index_path=ns.index)
    if not ns.quiet:
        sys.stderr.write(warning_summary(diagnostics))
    calibration = calibration_for(index, ns.index)
    threshold = ns.threshold if ns.threshold is not None or calibration is None else calibration.threshold
    result = match(index, prompt_for_matching(ns.prompt), top_k=ns.top_k, budget_tokens=ns.budget,
                   threshold=threshold, suggest=DEFAULT_SUGGEST if ns.suggest is None else ns.suggest)
    if ns.format == "json":
        render_json(result, sys.stdout)
    else:
        render_text(result, sys.stdout, explain=ns.explain, calibration=threshold_origin(ns.threshold, calibration))
    return 0
