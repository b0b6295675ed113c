"""``skills new`` (scaffold a skill from a template) and ``skills dev`` (validate on every save)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Annotated, TextIO

import typer

from loader.cli.app import DEFAULT_SKILLS_DIR, PathsArg, ProfileOpt, StrictOpt, app, paths_or_default
from loader.errors import UsageError
from loader.model import Profile, Severity
from loader.render_diagnostics import display_path, render_text

EXIT_INTERRUPTED = 130


@app.command()
def new(
    name: Annotated[str | None, typer.Argument(help="Name of the new skill (lowercase, digits, hyphens).",
                                               show_default=False)] = None,
    template: Annotated[str, typer.Option("--template", "-t", help="Template: basic, references, scripts, "
                                          "or one from --templates.")] = "basic",
    skills_dir: Annotated[Path, typer.Option("--dir", help="Folder the skill is created in.")] = DEFAULT_SKILLS_DIR,
    description: Annotated[str | None, typer.Option("--description", help="What the skill does and when to use "
                                                    "it (default: a placeholder that validates).")] = None,
    license: Annotated[str | None, typer.Option("--license", help="License name, e.g. MIT.")] = None,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    templates: Annotated[Path | None, typer.Option("--templates", help="Folder of your own templates "
                                                   "(or one template).", show_default=False)] = None,
    list_only: Annotated[bool, typer.Option("--list-templates", help="List the templates and exit.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the template's files in an existing "
                                        "folder (other files are kept).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
) -> int:
    """Create a skill folder from a template, then validate it.

    Exits 0 when the skill was written clean (or with warnings), 1 when the result had errors
    (nothing is written then), 2 for an invalid or existing name.
    """
    from loader import scaffold

    if list_only:
        infos = scaffold.list_templates(templates)
        width = max(len(info.name) for info in infos)
        for info in infos:
            origin = "" if info.builtin else f"  [{display_path(info.path)}]"
            typer.echo(f"{info.name:<{width}}  {info.summary}{origin}")
        return 0
    if name is None:
        raise UsageError(message="missing the skill NAME", hint="e.g. `skills new pdf-forms`")
    created = scaffold.create(name, skills_dir, template, description=description, license=license,
                              profile=profile, templates_dir=templates, force=force, dry_run=dry_run)
    where = display_path(created.dest)
    verb = "would write" if dry_run else ("wrote" if created.written else "did not write")
    problems = [d for d in created.result.diagnostics if d.severity is not Severity.INFO]
    errors = created.result.count(Severity.ERROR)
    status = "it has errors (fix the options or the template)" if errors else (
        "valid, with warnings" if problems else "valid")
    typer.echo(f"{verb} {where} ({template} template, {profile.value} profile): {status}")
    for rel in created.files:
        typer.echo(f"  {where}/{rel.as_posix()}")
    if problems:
        render_text(created.result, sys.stdout)
    return 1 if errors else 0
