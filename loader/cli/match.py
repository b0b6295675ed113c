"""``skills index``, ``skills match``, ``skills context`` and ``skills eval``."""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from loader.cli.app import (
    IndexOpt,
    NoCacheOpt,
    PathsArg,
    QuietOpt,
    SkillsOpt,
    VerboseOpt,
    app,
    is_quiet,
    paths_or_default,
)
from loader.cli.match_output import render_json, render_text, warning_summary
from loader.cli.render_diagnostics import plural
from loader.cli.usage_options import ExportOpt, NegativesOpt, TranscriptsOpt, eval_items
from loader.core.model import Diagnostic
from loader.match.calibration import calibrated_threshold, calibration_for, threshold_origin

TopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, help="Load at most this many skills.")]
BudgetOpt = Annotated[int | None, typer.Option("--budget", min=0, help="Never load more body tokens than this.",
                                                show_default=False)]
ThresholdOpt = Annotated[float | None, typer.Option("--threshold", min=0.0,
                                                     help="Confidence needed to load (default: calibrated).",
                                                     show_default=False)]
SuggestOpt = Annotated[int | None, typer.Option("--suggest", min=0, show_default=False,
                                                help="Suggest at most N more skills in one line each (0: none; "
                                                     "default: 5).")]


class MatchFormat(StrEnum):
    """Output formats of ``skills match`` and ``skills eval``."""

    TEXT = "text"
    JSON = "json"


class ContextFormat(StrEnum):
    """Output formats of ``skills context``."""

    TEXT = "text"
    ANTHROPIC = "anthropic"


class ListingMode(StrEnum):
    """What the stable prefix lists."""

    NONE = "none"
    NAMES = "names"
    FULL = "full"


def _suggest(value: int | None) -> int:
    from loader.match.tiers import DEFAULT_SUGGEST

    return DEFAULT_SUGGEST if value is None else value


def _warn(diagnostics: list[Diagnostic], *, summary: bool = False) -> None:
    if summary:
        sys.stderr.write(warning_summary(diagnostics))
        return
    for d in diagnostics:
        typer.echo(f"warning: {d.path}: {d.message}", err=True)


def _open(skills: list[Path] | None, index: Path | None, *, quiet: bool = False) -> Any:
    from loader.index import open_index

    idx, diagnostics = open_index(paths_or_default(skills), index_path=index)
    if not (quiet or is_quiet()):
        _warn(diagnostics, summary=True)
    return idx


@app.command("index", example='skills index skills')
def index_command(
    paths: PathsArg = None, index: IndexOpt = None,
    output: Annotated[MatchFormat, typer.Option("--format", "-f", help="Output format.")] = MatchFormat.TEXT,
    no_cache: NoCacheOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Build or refresh the index of a skill library and report what it holds."""
    from loader.index import open_index
    from loader.index.location import default_index_path
    from loader.validate.load import validation_cache

    roots = paths_or_default(paths)
    from loader.cli.progress import progress, wanted

    started = time.perf_counter()
    with validation_cache(roots, enabled=not no_cache), \
            progress("indexing", enabled=wanted(json_output=output is MatchFormat.JSON)):  # a spinner: no count
        idx, diagnostics = open_index(roots, index_path=index, check=True)  # repairs a damaged index
    elapsed = time.perf_counter() - started
    _warn(diagnostics)
    skipped = sum(1 for d in diagnostics if d.rule in ("index-skipped", "name-duplicate"))  # as LoadResult.left_out
    manual = sum(1 for e in idx.entries if not e.invocable)
    where = index or default_index_path(roots)
    if output is MatchFormat.JSON:
        document = {"schema_version": 1, "index": str(where), "skills": len(idx), "manual_only": manual,
                    "left_out": skipped, "milliseconds": round(elapsed * 1000, 1),
                    "names": sorted(e.name for e in idx.entries)}
        typer.echo(json.dumps(document, indent=2))
        return 0
    typer.echo(f"indexed {plural(len(idx), 'skill')} ({manual} manual-only, {skipped} left out) "
               f"in {elapsed * 1000:.0f} ms -> {where}")
    return 0


@app.command("match", example='skills match "fill in this PDF form" --skills skills --explain')
def match_command(
    prompt: Annotated[str, typer.Argument(help="The prompt to find skills for.")],
    skills: SkillsOpt = None, index: IndexOpt = None, top_k: TopKOpt = 3, budget: BudgetOpt = None,
    threshold: ThresholdOpt = None, suggest: SuggestOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show why each candidate scored.")] = False,
    output: Annotated[MatchFormat, typer.Option("--format", "-f", help="Output format.")] = MatchFormat.TEXT,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Show which skills would load for PROMPT (none, when nothing is relevant)."""
    from loader.core.text import prompt_for_matching
    from loader.match.rank import match

    idx = _open(skills, index)
    calibration = calibration_for(idx, index)
    origin = threshold_origin(threshold, calibration)
    threshold = threshold if threshold is not None or calibration is None else calibration.threshold
    result = match(idx, prompt_for_matching(prompt), top_k=top_k, budget_tokens=budget, threshold=threshold,
                   suggest=_suggest(suggest))
    if output is MatchFormat.JSON:
        render_json(result, sys.stdout)
    else:
        render_text(result, sys.stdout, explain=explain, calibration=origin)
    return 0


@app.command("context", example='skills context "fill in this PDF form" -s skills --format anthropic')
def context_command(
    prompt: Annotated[str, typer.Argument(help="The prompt to build context for.")],
    skills: SkillsOpt = None, index: IndexOpt = None, top_k: TopKOpt = 3, budget: BudgetOpt = None,
    suggest: SuggestOpt = None,
    listing: Annotated[ListingMode | None, typer.Option("--listing", help="What the stable prefix lists.",
                                                        show_default=False)] = None,
    output: Annotated[ContextFormat, typer.Option("--format", "-f", help="Output format.")] = ContextFormat.TEXT,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Print the context to send for PROMPT: the stable prefix, then the loaded skills."""
    from loader.core.text import prompt_for_matching
    from loader.match.context import DEFAULT_LISTING, render_context, to_anthropic_blocks
    from loader.match.rank import match

    idx = _open(skills, index)
    result = match(idx, prompt_for_matching(prompt), top_k=top_k, budget_tokens=budget,
                   threshold=calibrated_threshold(idx, index), suggest=_suggest(suggest))
    ctx = render_context(idx, result, listing=listing.value if listing else DEFAULT_LISTING)
    if output is ContextFormat.ANTHROPIC:
        json.dump(to_anthropic_blocks(ctx), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(ctx.text)
    return 0


@app.command("eval", example='skills eval queries.jsonl -s skills --show-failures')
def eval_command(
    queries: Annotated[Path | None, typer.Argument(help="JSON Lines: {\"query\": ..., \"expected\": [names]}.",
                                                   metavar="QUERIES", show_default=False)] = None,
    transcripts: TranscriptsOpt = None, negatives: NegativesOpt = False, export: ExportOpt = None,
    skills: SkillsOpt = None, index: IndexOpt = None, top_k: TopKOpt = 3, budget: BudgetOpt = None,
    threshold: ThresholdOpt = None, suggest: SuggestOpt = None,
    show_failures: Annotated[bool, typer.Option("--show-failures", help="List the queries it got wrong.")] = False,
    sweep: Annotated[bool, typer.Option("--sweep", help="Show the metrics at thresholds 0.30 to 0.80, "
                                                        "then at suggestion counts N 0 to 8.")] = False,
    output: Annotated[MatchFormat, typer.Option("--format", "-f", help="Output format.")] = MatchFormat.TEXT,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Measure matching quality on a query set: hit@1, hit@3, MRR, false loads, reach, tokens.

    hit@1, hit@3, MRR and false loads count loaded bodies only; reach also counts suggestions.
    --sweep prints the same metrics for a range of thresholds and of suggestion counts, to
    calibrate on your own queries.
    """
    from loader.match.evaluate import evaluate, read_queries
    from loader.match.rank import DEFAULT_PARAMS, match
    from loader.match.tiers import SUGGEST_FLOOR

    idx = _open(skills, index, quiet=True)
    n = _suggest(suggest)
    items = read_queries(queries) if queries is not None and transcripts is None \
        else eval_items(queries, transcripts, idx, negatives=negatives, export=export)
    _warn_unknown_expected(items, idx)
    threshold = threshold if threshold is not None else calibrated_threshold(idx, index)
    if sweep:
        return _sweep(idx, items, top_k, budget, output)
    report = evaluate(idx, items, lambda i, p: match(i, p, top_k=top_k, budget_tokens=budget, threshold=threshold,
                                                     suggest=n))
    used = DEFAULT_PARAMS.threshold if threshold is None else threshold
    setup = {"threshold": used, "top_k": top_k, "budget_tokens": budget, "relative": DEFAULT_PARAMS.relative,
             "suggest": n, "suggest_floor": SUGGEST_FLOOR, "token_counter": idx.token_counter}
    if output is MatchFormat.JSON:
        data = {**report.to_json(), "setup": setup}
        if not show_failures:
            data.pop("failures")
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    typer.echo(f"queries          {len(report.outcomes)} ({report.positives} with a skill, "
               f"{report.negatives} with none) over {len(idx)} skills")
    typer.echo(f"hit@1            {report.hit1:.3f}")
    typer.echo(f"hit@3            {report.hit3:.3f}")
    typer.echo(f"MRR              {report.mrr:.3f}")
    typer.echo(f"false-load rate  {report.false_load_rate:.3f}")
    typer.echo(f"reach            {report.reach:.3f} (a right skill loaded or suggested)")
    typer.echo(f"false suggests   {report.false_suggest_rate:.3f} (no-skill prompts given any suggestion)")
    typer.echo(f"tokens/query     {report.tokens_per_query:.0f} ({report.mean_tokens:.0f} body + "
               f"{report.suggestion_tokens:.0f} suggestion tokens, {idx.token_counter})")
    typer.echo(f"matcher          threshold {used:g}, top-k {top_k}, "
               f"budget {budget if budget is not None else 'none'}, suggest {n} (floor {SUGGEST_FLOOR:g})")
    if show_failures:
        for o in report.failures:
            typer.echo(f"\nline {o.query.line}: {o.query.query}")
            typer.echo(f"  expected: {', '.join(o.query.expected) or '(none)'}")
            typer.echo(f"  loaded:   {', '.join(o.loaded) or '(none)'}")
            typer.echo(f"  suggested: {', '.join(o.suggested) or '(none)'}")
            typer.echo(f"  ranked:   {', '.join(o.ranked) or '(none)'}")
    return 0


def _warn_unknown_expected(items: Any, idx: Any) -> None:
    """Name expected skills the library lacks: they can never be matched, so they score 0 silently."""
    lines: dict[str, list[int]] = {}
    for item in items:
        for name in item.expected:
            if name not in idx:
                lines.setdefault(name, []).append(item.line)
    for name, where in sorted(lines.items()):
        shown = ", ".join(map(str, where[:5])) + (", ..." if len(where) > 5 else "")
        typer.echo(f"warning: expected skill {name!r} is not in the library ({plural(len(where), 'query', 'queries')}"
                   f", line {shown}); those queries can never hit it", err=True)


def _sweep(idx: Any, items: Any, top_k: int, budget: int | None, output: MatchFormat) -> int:
    from loader.match.evaluate import sweep
    from loader.match.rank import DEFAULT_PARAMS, match
    from loader.match.tiers import DEFAULT_SUGGEST, SUGGEST_FLOOR

    default = DEFAULT_PARAMS.threshold
    thresholds = sorted({round(0.30 + 0.025 * i, 3) for i in range(21)} | {default})
    grid = [(DEFAULT_SUGGEST, SUGGEST_FLOOR), *((n, SUGGEST_FLOOR) for n in range(9) if n != DEFAULT_SUGGEST)]
    table = sweep(idx, items, thresholds, lambda i, p: match(i, p, top_k=top_k, budget_tokens=budget, threshold=0.0,
                                                             suggest=0), suggest=grid)
    rows = [{"threshold": t, "suggest": n, "suggest_floor": f, **r.metrics()} for t, n, f, r in table
            if n == DEFAULT_SUGGEST or t == default]
    by_threshold = [r for r in rows if r["suggest"] == DEFAULT_SUGGEST]
    by_n = sorted((r for r in rows if r["threshold"] == default), key=lambda r: r["suggest"])
    if output is MatchFormat.JSON:
        json.dump({"schema_version": 1, "default_threshold": default, "default_suggest": DEFAULT_SUGGEST,
                   "suggest_floor": SUGGEST_FLOOR, "sweep": by_threshold, "suggest_sweep": by_n}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    typer.echo(f"threshold  hit@1  hit@3  MRR    false-load  reach  tokens/query   (suggest {DEFAULT_SUGGEST})")
    for row in by_threshold:
        mark = "  (default)" if abs(row["threshold"] - default) < 1e-9 else ""
        typer.echo(f"{row['threshold']:<9.3f}  {row['hit@1']:.3f}  {row['hit@3']:.3f}  {row['mrr']:.3f}  "
                   f"{row['false_load_rate']:<10.3f}  {row['reach']:.3f}  {row['tokens_per_query']:.0f}{mark}")
    typer.echo(f"\nsuggest N  reach  suggestion tokens  false suggests   "
               f"(threshold {default:g}, floor {SUGGEST_FLOOR:g})")
    for row in by_n:
        mark = "  (default)" if row["suggest"] == DEFAULT_SUGGEST else ""
        typer.echo(f"{row['suggest']:<9}  {row['reach']:.3f}  {row['suggestion_tokens']:<17.0f}  "
                   f"{row['false_suggest_rate']:.3f}{mark}")
    return 0
