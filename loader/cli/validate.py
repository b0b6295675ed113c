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
    ProfileOpt,
    StrictOpt,
    app,
    paths_or_default,
)
from loader.cli.render_diagnostics import has_failures, render_github, render_json, render_text
from loader.cli.rules_output import render_rules
from loader.core.model import Profile


@app.command()
def validate(
    paths: PathsArg = None,
    output: FormatOpt = OutputFormat.TEXT,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    strict: StrictOpt = False,
    show_info: Annotated[bool, typer.Option("--info", help="Also show notes (e.g. CRLF line endings).")] = False,
    changed: Annotated[bool, typer.Option("--changed", help="PATHs are changed files (as pre-commit passes "
                       "them): check the skill folder each belongs to; files in no skill are skipped.")] = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """Check skill folders: frontmatter schema, semantic rules and best practices.

    Exits 0 when clean (warnings allowed), 1 when errors were found (or warnings under
    --strict), 2 when it could not run.
    """
    from loader.validate.load import load_skills, validation_cache  # here: not needed by other commands

    if changed:
        from loader.validate.changed import skill_folders_of

        roots = skill_folders_of(paths or [])
    else:
        roots = paths_or_default(paths)
    with validation_cache(roots, profile, strict=strict, enabled=not no_cache):
        result = load_skills(roots, profile, strict=strict)
    if output is OutputFormat.JSON:
        render_json(result, sys.stdout)
    elif output is OutputFormat.GITHUB:
        render_github(result, sys.stdout)
    else:
        render_text(result, sys.stdout, show_info=show_info)
    return 1 if has_failures(result.diagnostics, strict=strict) else 0


@app.command()
def rules(output: FormatOpt = OutputFormat.TEXT) -> int:
    """List every rule skillpack checks: id, default severity, stage, whether it blocks loading, meaning."""
    render_rules("json" if output is OutputFormat.JSON else "text", sys.stdout)
    return 0
