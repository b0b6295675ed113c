"""Options shared by the commands that read Claude Code transcripts, and ``skills eval --transcripts``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loader.core.errors import UsageError

if TYPE_CHECKING:
    from loader.index import Index
    from loader.match.evaluate import Query

TranscriptsOpt = Annotated[
    list[Path] | None,
    typer.Option("--transcripts", "-t", help="Claude Code transcript folder or .jsonl file (repeatable; default: "
                 "this project's folder under ~/.claude/projects).", show_default=False),
]
NegativesOpt = Annotated[bool, typer.Option("--negatives", help="Count prompts where no skill was used as "
                                            "no-skill prompts (Claude not using one does not prove none applied).")]
ExportOpt = Annotated[Path | None, typer.Option("--export", help="Write the labelled pairs to FILE in the eval "
                                                "JSON Lines format (they hold your prompts).", show_default=False)]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only turns on or after this date (YYYY-MM-DD).",
                                              show_default=False)]
AllProjectsOpt = Annotated[bool, typer.Option("--all-projects", help="Read every project's transcripts, "
                                              "not only this project's.")]


def parse_since(value: str | None) -> date | None:
    """``--since`` as a date.

    Raises:
        UsageError: not ``YYYY-MM-DD``.
    """
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(message=f"--since {value!r} is not a date", hint="use YYYY-MM-DD, e.g. 2026-01-31") from None


def sources(transcripts: list[Path] | None, *, all_projects: bool = False) -> list[Path]:
    """The transcript folders to read: the given ones, else this project's (or every project's)."""
    from loader.usage.locate import default_sources

    return list(transcripts) if transcripts else default_sources(all_projects=all_projects)


def eval_items(queries: Path | None, transcripts: list[Path] | None, index: Index, *, negatives: bool,
               export: Path | None, since: date | None = None) -> list[Query]:
    """The queries of ``skills eval --transcripts``: labelled pairs from transcripts (exported on request).

    Raises:
        UsageError: both a query file and ``--transcripts``, or no labelled pair at all.
    """
    if queries is not None:
        raise UsageError(message="give a query file or --transcripts, not both",
                         hint="skills eval QUERIES.jsonl, or skills eval --transcripts DIR")
    from loader.usage.collect import labelled
    from loader.usage.labels import export_lines

    pairs = labelled(sources(transcripts), index, negatives=negatives, since=since)
    if export is not None:
        from loader.core.atomic import write_text

        write_text(export, export_lines(pairs), mode=0o600)
        sys.stderr.write(f"wrote {len(pairs)} labelled prompt(s) to {export}\n")
    if not pairs:
        raise UsageError(message="no prompt in these transcripts used a skill of this library",
                         hint="check --skills, or add --negatives to count prompts that used none")
    return [p.query for p in pairs]
