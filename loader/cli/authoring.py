"""``skills new`` (scaffold a skill from a template) and ``skills dev`` (validate on every save)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from loader.cli.app import (
    DEFAULT_SKILLS_DIR,
    IndexOpt,
    NoCacheOpt,
    PathsArg,
    ProfileOpt,
    QuietOpt,
    StrictOpt,
    VerboseOpt,
    app,
    paths_or_default,
)
from loader.cli.render_diagnostics import display_path, render_text
from loader.core.errors import UsageError
from loader.core.model import Profile, Severity

if TYPE_CHECKING:  # imported lazily below: watchdog and the index are not needed by other commands
    from loader.author.live import LiveLibrary, SkillUpdate

EXIT_INTERRUPTED = 130


@app.command(example='skills new pdf-forms --description "Fill in PDF forms. Use when the user asks to fill a PDF."')
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
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Create a skill folder from a template, then validate it.

    Exits 0 when the skill was written clean (or with warnings), 1 when the result had errors
    (nothing is written then), 2 for an invalid or existing name.
    """
    from loader.author import scaffold
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
    if created.written:
        placeholder = "" if description else " (replace the placeholder description)"
        typer.echo(f"next: edit {where}/SKILL.md{placeholder}; `skills dev {display_path(created.dest.parent) or '.'}`"
                   " checks every save")
    return 1 if errors else 0


class _Printer:
    """Writes whole blocks of lines and flushes them, so output from the watch thread is never torn."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()

    def lines(self, *lines: str) -> None:
        with self._lock:
            self._out.write("".join(f"{line}\n" for line in lines))
            self._out.flush()


@app.command(example='skills dev skills --prompt "fill in this PDF form"')
def dev(
    paths: PathsArg = None,
    prompt: Annotated[str | None, typer.Option("--prompt", "-p", help="After each change, show what the matcher "
                                               "would load for this prompt.", show_default=False)] = None,
    debounce: Annotated[int, typer.Option("--debounce", min=0, max=10_000,
                                          help="Milliseconds of quiet before a burst of saves is processed.")] = 100,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    strict: StrictOpt = False,
    index: IndexOpt = None,
    no_cache: NoCacheOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Validate skills, then re-validate and re-index each skill the moment it is saved.

    Runs until Ctrl-C (exit 130). A skill whose edit has errors keeps being served in its
    last good version, so the index and --prompt results stay usable while you type.
    """
    from loader.author.live import LiveLibrary, LiveUpdate
    from loader.validate.load import validation_cache

    printer = _Printer(sys.stdout)
    with validation_cache(paths_or_default(paths), profile, strict=strict, enabled=not no_cache):
        library = LiveLibrary(paths_or_default(paths), profile, strict=strict, stored_index=True, index_path=index)
    render_text(library.initial, sys.stdout)
    if prompt is not None:
        printer.lines(_prompt_line(library, prompt))

    def on_update(update: LiveUpdate) -> None:
        block = [line for item in update.skills for line in _update_lines(item)]
        block.append(f"updated {len(update.skills)} skill(s) in {update.seconds * 1000:.1f} ms "
                     f"({update.latency * 1000:.0f} ms after the save)")
        if prompt is not None:
            block.append(_prompt_line(library, prompt))
        printer.lines(*block)

    def on_error(exc: BaseException) -> None:
        printer.lines(f"internal error while updating: {type(exc).__name__}: {exc}")

    watcher = library.watch(on_update, debounce=debounce / 1000, on_error=on_error)
    roots = ", ".join(display_path(root) or "." for root in library.roots)
    printer.lines(f"watching {roots} (debounce {debounce} ms); press Ctrl-C to stop")
    stop = threading.Event()
    try:
        while watcher.is_alive():
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    typer.echo("stopped", err=True)
    return EXIT_INTERRUPTED


def _update_lines(item: SkillUpdate) -> list[str]:
    from loader.author.changes import ChangeKind

    where = display_path(item.path)
    if item.kind is ChangeKind.REMOVED:
        return [f"removed {where}"]
    shown = [d for d in item.diagnostics if d.severity is not Severity.INFO]
    errors = sum(d.severity is Severity.ERROR for d in shown)
    warnings = len(shown) - errors
    if errors:
        status = f"{errors} error(s), {warnings} warning(s)"
        if item.serving_last_good:
            status += "; still serving the last good version"
    else:
        status = f"ok, {warnings} warning(s)" if warnings else "ok"
    lines = [f"{item.kind.value} {where}: {status}"]
    for diag in shown:
        position = f":{diag.line}" if diag.line else ""
        lines.append(f"  {display_path(diag.path)}{position}  {diag.severity.value}  {diag.rule}  {diag.message}")
    return lines


def _prompt_line(library: LiveLibrary, prompt: str) -> str:
    result = library.match(prompt)
    if not result.matches:
        return f"prompt {prompt!r}: no skill would load"
    loaded = ", ".join(f"{m.skill} ({m.score:.2f})" for m in result.matches)
    return f"prompt {prompt!r}: would load {loaded}"
