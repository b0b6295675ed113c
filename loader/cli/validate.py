"""``skills validate`` and ``skills rules``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from loader.cli.app import (
    FormatOpt,
    NoCacheOpt,
    OutputFormat,
    PathsArg,
    PlainFormat,
    PlainFormatOpt,
    ProfileOpt,
    QuietOpt,
    StrictOpt,
    VerboseOpt,
    app,
)
from loader.cli.rules_output import render_rules
from loader.cli.validate_run import run_validate
from loader.core.model import Profile


@app.command(example='skills validate skills --format github')
def validate(
    paths: PathsArg = None,
    output: FormatOpt = OutputFormat.TEXT,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    strict: StrictOpt = False,
    show_info: Annotated[bool, typer.Option("--info", help="Also show notes (e.g. CRLF line endings).")] = False,
    changed: Annotated[bool, typer.Option("--changed", help="PATHs are changed files (as pre-commit passes "
                       "them): check the skill folder each belongs to; files in no skill are skipped.")] = False,
    no_cache: NoCacheOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Check skill folders: frontmatter schema, semantic rules and best practices.

    Exits 0 when clean (warnings allowed), 1 when errors were found (or warnings under
    --strict), 2 when it could not run.
    """
    return run_validate(paths, output.value, profile, strict=strict, show_info=show_info, changed=changed,
                        no_cache=no_cache)


@app.command(example='skills rules --format json')
def rules(output: PlainFormatOpt = PlainFormat.TEXT, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """List every rule skillpack checks: id, default severity, stage, whether it blocks loading, meaning."""
    render_rules("json" if output is PlainFormat.JSON else "text", sys.stdout)
    return 0
