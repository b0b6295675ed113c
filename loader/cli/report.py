"""``skills report``: the skill context on-demand loading saves, in tokens and money, with CI gates."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loader.cli.app import IndexOpt, PathsArg, QuietOpt, VerboseOpt, app, paths_or_default

if TYPE_CHECKING:  # annotations only: the report stage is imported when the command runs
    from loader.report.compute import Report


class ReportFormat(StrEnum):
    """Formats of ``skills report``."""

    TEXT = "text"
    JSON = "json"
    MD = "md"
    HTML = "html"


@app.command(example='skills report skills --queries queries.jsonl --format md -o report.md')
def report(
    paths: PathsArg = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="Prompt set (JSON Lines, as for "
                       "`skills eval`) to measure on-demand loading over.", show_default=False)] = None,
    turns: Annotated[int, typer.Option("--turns", min=1, help="Conversation turns to cost.")] = 20,
    model: Annotated[str | None, typer.Option("--model", help="Model whose prices to use (see docs/report.md); "
                     "default: the bundled price list's default.", show_default=False)] = None,
    price_input: Annotated[float | None, typer.Option("--price-input", help="USD per million input tokens.",
                           show_default=False)] = None,
    price_cache_write: Annotated[float | None, typer.Option("--price-cache-write", help="USD per million "
                                 "cache-write tokens (default 1.25x input).", show_default=False)] = None,
    price_cache_read: Annotated[float | None, typer.Option("--price-cache-read", help="USD per million "
                                "cache-read tokens (default 0.1x input).", show_default=False)] = None,
    listing_budget: Annotated[int | None, typer.Option("--listing-budget", min=1, help="Claude Code's listing "
                              "budget in characters (default: $SLASH_COMMAND_TOOL_CHAR_BUDGET, else 8000).",
                              show_default=False)] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Skills the matcher may load per prompt.")] = 3,
    index: IndexOpt = None,
    counter_name: Annotated[str, typer.Option("--counter", help="Token counter: estimate, chars4, or "
                            "claude-legacy (needs `tokenizers` and a local tokenizer.json).")] = "estimate",
    output: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.TEXT,
    out_file: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (atomically) "
                        "instead of stdout.", show_default=False)] = None,
    fail_over_budget: Annotated[bool, typer.Option("--fail-over-budget", help="Exit 1 when the listing "
                                "overflows the budget.")] = False,
    max_prefix_tokens: Annotated[int | None, typer.Option("--max-prefix-tokens", min=0, help="Exit 1 when "
                                 "skillpack's stable prefix exceeds N tokens.", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Check every skill and count every text again "
                        "instead of reusing results and token counts stored for unchanged ones (in the user "
                        "cache folder).")] = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Show the skill context per turn: eager, Claude Code's listing, and on-demand (skillpack).

    Exits 0 when the report was produced and the gates pass, 1 when a gate fails, 2 when it
    could not run.
    """
    from loader.core.tokens import get_counter
    from loader.report.compute import compute, gate_failures, load_prices
    from loader.report.inputs import gather
    from loader.report.listing import default_budget
    from loader.validate.load import validation_cache

    counter = get_counter(counter_name)
    prices = load_prices(model, input_price=price_input, cache_write=price_cache_write,
                         cache_read=price_cache_read)
    budget, source = (listing_budget, "--listing-budget") if listing_budget else default_budget()
    roots = paths_or_default(paths)
    from loader.cli.progress import progress, wanted

    with validation_cache(roots, enabled=not no_cache), \
            progress("reading skills", enabled=wanted(json_output=output is ReportFormat.JSON)) as advance:
        found = gather(roots, queries=queries, top_k=top_k, progress=advance, index_path=index)
    if found.left_out and not quiet:
        from loader.cli.render_diagnostics import display_path, plural

        for item in found.left_out:
            typer.echo(f"note: left out {display_path(item.path)}: {item.reason}", err=True)
        typer.echo(f"note: {plural(found.skipped, 'skill folder')} left out (see `skills validate`)", err=True)
    from loader.report.countcache import count_cache

    with count_cache(roots, counter, enabled=not no_cache) as counting:
        result = compute(found.skills, counting, budget_chars=budget, budget_source=source, prices=prices,
                         turns=turns, on_demand=found.on_demand, prefix=found.prefix, roots=[str(r) for r in roots])
    buffer = io.StringIO()
    _render(result, output, buffer)
    if out_file is not None:
        from loader.core.atomic import write_bytes

        write_bytes(out_file, buffer.getvalue().encode("utf-8"))
        typer.echo(f"wrote {out_file}", err=True)
    else:
        sys.stdout.write(buffer.getvalue())
    failures = gate_failures(result, fail_over_budget=fail_over_budget, max_prefix_tokens=max_prefix_tokens)
    for failure in failures:
        typer.echo(f"gate failed: {failure}", err=True)
    return 1 if failures else 0


def _render(result: Report, output: ReportFormat, out: io.StringIO) -> None:
    from loader.report import render as report_render
    if output is ReportFormat.JSON:
        report_render.render_json(result, out)
    elif output is ReportFormat.MD:
        report_render.render_markdown(result, out)
    elif output is ReportFormat.HTML:
        from loader.report.html import render_html

        render_html(result, out)
    else:
        report_render.render_text(result, out)
