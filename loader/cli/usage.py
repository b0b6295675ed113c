"""``skills usage`` and ``skills calibrate``: what Claude Code's transcripts say about a library."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loader.cli.app import IndexOpt, QuietOpt, SkillsOpt, VerboseOpt, app, paths_or_default
from loader.cli.match import MatchFormat, TopKOpt
from loader.cli.report import ReportFormat
from loader.cli.usage_options import AllProjectsOpt, SinceOpt, TranscriptsOpt, parse_since, sources

if TYPE_CHECKING:
    from loader.match.evaluate import Report
    from loader.usage.calibrate import Fit
    from loader.usage.summary import UsageReport


@app.command("usage", example='skills usage -s skills --since 2026-01-01')
def usage_command(
    transcripts: TranscriptsOpt = None, skills: SkillsOpt = None, index: IndexOpt = None, since: SinceOpt = None,
    all_projects: AllProjectsOpt = False, top_k: TopKOpt = 3,
    show_prompts: Annotated[bool, typer.Option("--show-prompts", help="Include the prompts themselves "
                            "(text shows each cut to one line); off by default, for privacy.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="Model whose prices to use (as `skills report`).",
                     show_default=False)] = None,
    listing_budget: Annotated[int | None, typer.Option("--listing-budget", min=1, help="Claude Code's listing "
                              "budget in characters (default: as `skills report`).", show_default=False)] = None,
    counter_name: Annotated[str, typer.Option("--counter", help="Token counter (as `skills report`).")] = "estimate",
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.TEXT,
    out_file: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (atomically).",
                        show_default=False)] = None,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Report skill use in Claude Code's transcripts: uses, dead skills, listing cuts, costs replayed.

    Reads this project's transcripts (or --transcripts DIR, or --all-projects); nothing leaves
    the machine, and prompts are shown only with --show-prompts.
    """
    from loader.core.tokens import get_counter
    from loader.report.compute import load_prices
    from loader.report.listing import default_budget
    from loader.usage.collect import turns
    from loader.usage.summary import summarize
    from loader.usage.transcripts import ReadStats

    day = parse_since(since)
    where = sources(transcripts, all_projects=all_projects)
    counter = get_counter(counter_name)
    prices = load_prices(model)
    budget, source = (listing_budget, "--listing-budget") if listing_budget else default_budget()
    library, sizes = _library(skills, index)
    stats = ReadStats()
    report = summarize(turns(where, index=library.index if library else None, stats=stats, since=day),
                       library=library, sizes=sizes, counter=counter, prices=prices, budget_chars=budget,
                       budget_source=source, sources=where, stats=stats, since=day, top_k=top_k,
                       keep_prompts=show_prompts)
    buffer = io.StringIO()
    _render(report, output, buffer)
    if out_file is not None:
        from loader.core.atomic import write_text

        write_text(out_file, buffer.getvalue(), mode=0o600 if show_prompts else 0o644)
        typer.echo(f"wrote {out_file}", err=True)
    else:
        sys.stdout.write(buffer.getvalue())
    return 0


def _library(skills: list[Path] | None, index: Path | None) -> tuple[Any, tuple[Any, ...]]:
    """The library and its skills' sizes; none when no ``--skills`` was given and ``./skills`` is absent."""
    from loader.match.library import SkillLibrary
    from loader.report.inputs import skill_sizes
    from loader.validate.load import load_skills

    roots = paths_or_default(skills)
    if not skills and not roots[0].exists():
        typer.echo("note: no ./skills folder: counting use only (pass --skills PATH for the rest)", err=True)
        return None, ()
    library = SkillLibrary.open(roots, index_path=index)
    return library, tuple(skill_sizes(s) for s in load_skills(roots).usable())


def _render(report: UsageReport, output: ReportFormat, out: io.StringIO) -> None:
    from loader.usage import render

    if output is ReportFormat.JSON:
        render.render_json(report, out)
    elif output is ReportFormat.MD:
        render.render_markdown(report, out)
    elif output is ReportFormat.HTML:
        render.render_html(report, out)
    else:
        render.render_text(report, out)


@app.command("calibrate", example='skills calibrate --queries queries.jsonl -s skills --dry-run')
def calibrate_command(
    transcripts: TranscriptsOpt = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="Labelled prompts (JSON Lines, as for "
                       "`skills eval`) instead of transcripts.", show_default=False)] = None,
    skills: SkillsOpt = None, index: IndexOpt = None, since: SinceOpt = None, all_projects: AllProjectsOpt = False,
    top_k: TopKOpt = 3,
    negatives: Annotated[bool, typer.Option("--negatives/--no-negatives", help="Count transcript prompts where "
                         "no skill was used as no-skill prompts (without them, only hit@1 is fitted).")] = True,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the table; write nothing.")] = False,
    output: Annotated[MatchFormat, typer.Option("--format", "-f", help="Output format.")] = MatchFormat.TEXT,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Fit this library's threshold to your prompts by cross-validation and store it beside the index.

    skills match, context and eval, the hook, the MCP server and the Python API then use it;
    --threshold still overrides it. Delete the file it names to go back to the default.
    """
    from loader.index import open_index
    from loader.match.calibration import Calibration, config_path_for, write_calibration
    from loader.match.evaluate import read_queries
    from loader.match.rank import DEFAULT_PARAMS, match
    from loader.usage.calibrate import fit

    if queries is not None and (transcripts or all_projects):
        from loader.core.errors import UsageError

        raise UsageError(message="give --transcripts (or --all-projects) or --queries, not both",
                         hint="skills calibrate --queries FILE, or skills calibrate --transcripts DIR")
    roots = paths_or_default(skills)
    idx, _ = open_index(roots, index_path=index)
    if queries is not None:
        items, source = read_queries(queries), f"queries {queries}"
    else:
        from loader.usage.collect import labelled

        where = sources(transcripts, all_projects=all_projects)
        items = [p.query for p in labelled(where, idx, negatives=negatives, since=parse_since(since))]
        source = "transcripts " + ", ".join(map(str, where))
    result = fit(idx, items, lambda i, p: match(i, p, top_k=top_k, threshold=0.0), default=DEFAULT_PARAMS.threshold)
    path = config_path_for(roots, index)
    written = not dry_run
    if written:
        figures = [("cv_hit1_default", round(result.held_out_default.hit1, 4)),
                   ("cv_hit1_calibrated", round(result.held_out_calibrated.hit1, 4)),
                   ("cv_false_load_default", round(result.held_out_default.false_load_rate, 4)),
                   ("cv_false_load_calibrated", round(result.held_out_calibrated.false_load_rate, 4))]
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        try:
            write_calibration(Calibration(result.threshold, path, source, len(items), created),
                              default=DEFAULT_PARAMS.threshold, table=figures)
        except OSError as exc:
            from loader.core.errors import UsageError

            raise UsageError(message=f"cannot write {path}: {exc.strerror or exc}",
                             hint="pass --index PATH to a writable place (the config goes beside it)") from None
    if output is MatchFormat.JSON:
        json.dump(_fit_json(result, source, path, written), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    _fit_text(result, source, path, written)
    return 0


def _row(report: Report) -> dict[str, float]:
    return {"hit@1": round(report.hit1, 4), "hit@3": round(report.hit3, 4), "mrr": round(report.mrr, 4),
            "false_load_rate": round(report.false_load_rate, 4), "mean_tokens_loaded": round(report.mean_tokens, 1)}


def _fit_json(result: Fit, source: str, path: Path, written: bool) -> dict[str, Any]:
    return {"schema_version": 1, "source": source, "prompts": result.positives + result.negatives,
            "positives": result.positives, "negatives": result.negatives, "default_threshold": result.default,
            "threshold": result.threshold, "fold_thresholds": list(result.fold_thresholds),
            "held_out": {"default": _row(result.held_out_default), "calibrated": _row(result.held_out_calibrated)},
            "config": str(path), "written": written}


def _fit_text(result: Fit, source: str, path: Path, written: bool) -> None:
    typer.echo(f"prompts    {result.positives + result.negatives} ({result.positives} with a skill, "
               f"{result.negatives} with none) from {source}")
    typer.echo(f"method     {len(result.fold_thresholds)}-fold cross-validation; each fold scored at a threshold "
               f"picked on the others (picked: {', '.join(f'{t:g}' for t in result.fold_thresholds)})")
    typer.echo("")
    typer.echo("held-out         threshold  hit@1  hit@3  MRR    false-load  tokens/query")
    for label, threshold, report in (("shipped default", f"{result.default:g}", result.held_out_default),
                                     ("calibrated", "per fold", result.held_out_calibrated)):
        typer.echo(f"{label:<16} {threshold:<10} {report.hit1:.3f}  {report.hit3:.3f}  {report.mrr:.3f}  "
                   f"{report.false_load_rate:<10.3f}  {report.mean_tokens:.0f}")
    typer.echo("")
    verb = "wrote" if written else "would write (--dry-run)"
    typer.echo(f"threshold {result.threshold:g} (fitted on all {result.positives + result.negatives} prompts); "
               f"{verb} {path}")
