"""``skills validate`` and ``skills rules``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from loader.cli.app import (
    FormatOpt,
    OutputFormat,
    PathsArg,
    PlainFormat,
    PlainFormatOpt,
    ProfileOpt,
    QuietOpt,
    StrictOpt,
    VerboseOpt,
    app,
    paths_or_default,
)
from loader.cli.render_diagnostics import has_failures, render_github, render_json, render_text
from loader.core.model import Profile, Severity
from loader.validate.load import load_skills
from loader.validate.rulebook import RULES


@app.command(example='skills validate skills --format github')
def validate(
    paths: PathsArg = None,
    output: FormatOpt = OutputFormat.TEXT,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    strict: StrictOpt = False,
    show_info: Annotated[bool, typer.Option("--info", help="Also show notes (e.g. CRLF line endings).")] = False,
    changed: Annotated[bool, typer.Option("--changed", help="PATHs are changed files (as pre-commit passes "
                       "them): check the skill folder each belongs to; files in no skill are skipped.")] = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Check skill folders: frontmatter schema, semantic rules and best practices.

    Exits 0 when clean (warnings allowed), 1 when errors were found (or warnings under
    --strict), 2 when it could not run.
    """
    if changed:
        from loader.validate.changed import skill_folders_of

        roots = skill_folders_of(paths or [])
    else:
        roots = paths_or_default(paths)
    result = load_skills(roots, profile, strict=strict)
    if output is OutputFormat.JSON:
        render_json(result, sys.stdout)
    elif output is OutputFormat.GITHUB:
        render_github(result, sys.stdout)
    else:
        render_text(result, sys.stdout, show_info=show_info)
    return 1 if has_failures(result.diagnostics, strict=strict) else 0


@app.command(example='skills rules --format json')
def rules(output: PlainFormatOpt = PlainFormat.TEXT, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """List every rule skillpack checks: id, default severity, stage, whether it blocks loading, meaning."""
    if output is PlainFormat.JSON:
        import json

        rows = [{"id": r.id, "severity": r.severity.value, "stage": r.stage, "blocking": r.blocking,
                 "summary": r.summary}
                for r in RULES.values()]
        json.dump({"schema_version": 1, "rules": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(rule_id) for rule_id in RULES)
    for rule in RULES.values():
        mark = "*" if rule.blocking and rule.severity is Severity.ERROR else " "
        typer.echo(f"{rule.id:<{width}}  {rule.severity.value:<7}{mark} {rule.stage:<8}  {rule.summary}")
    typer.echo("\n* an error of this rule keeps the skill out of the index (it cannot work at run time);\n"
               "  other errors fail `skills validate` but the skill is still matched and loaded.")
    return 0
