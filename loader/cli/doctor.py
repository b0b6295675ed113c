"""``skills doctor``: check the whole Claude Code setup of a project (sources, listing budget, hook)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from loader.cli.app import QuietOpt, VerboseOpt, app
from loader.core.errors import PathNotFoundError


class DoctorFormat(StrEnum):
    """Formats of ``skills doctor``."""

    TEXT = "text"
    JSON = "json"
    MD = "md"


@app.command(example='skills doctor --project .')
def doctor(
    project: Annotated[Path | None, typer.Option("--project", help="Project folder Claude Code starts in "
                       "(default: the current folder).", show_default=False, file_okay=False)] = None,
    output: Annotated[DoctorFormat, typer.Option("--format", "-f", help="Output format.")] = DoctorFormat.TEXT,
    listing_budget: Annotated[int | None, typer.Option("--listing-budget", min=1, help="Claude Code's listing "
                              "budget in characters (default: $SLASH_COMMAND_TOOL_CHAR_BUDGET, else 8000).",
                              show_default=False)] = None,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Find every skill source Claude Code reads here and check the setup: names, budget, hook.

    Exits 0 when healthy, 1 when a finding is an error or a warning, 2 when it could not run.
    """
    from loader.cli import render_doctor
    from loader.runtime.doctor import diagnose

    folder = (project or Path.cwd()).resolve()
    if not folder.is_dir():
        raise PathNotFoundError(path=folder, what="project folder")
    report = diagnose(folder, budget=listing_budget)
    if output is DoctorFormat.JSON:
        render_doctor.render_json(report, sys.stdout)
    elif output is DoctorFormat.MD:
        render_doctor.render_markdown(report, sys.stdout)
    else:
        render_doctor.render_text(report, sys.stdout)
    return 0 if report.healthy else 1
