"""``skills hook`` (run, install, uninstall) and ``skills mcp``: skills on demand in Claude Code and MCP clients.

The hook's real entry is the fast path in ``loader.cli.entry`` (no typer); this command is the
same hook for ``skills hook --help``, in-process tests, and odd invocations.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from loader.cli.app import DEFAULT_SKILLS_DIR, IndexOpt, PathsArg, QuietOpt, VerboseOpt, app, paths_or_default
from loader.cli.help import SkillsTyper, example_epilog
from loader.core.errors import PathNotFoundError, UsageError

hook_app = SkillsTyper(
    name="hook",
    help="Claude Code UserPromptSubmit hook: add the skills each prompt needs to its context.",
    invoke_without_command=True,
    no_args_is_help=False,
    epilog=example_epilog("skills hook install --skills skills",
                          "echo '{\"prompt\": \"fill in this PDF form\"}' | skills hook --skills skills"),
)
app.add_typer(hook_app, name="hook")

LibraryOpt = Annotated[
    list[Path] | None,
    typer.Option("--skills", "-s", "--library", "-l", help="Folder of skills (repeatable; default: ./skills). "
                 "--library/-l is the old spelling, kept for hooks already installed.", show_default=False),
]
UserOpt = Annotated[bool, typer.Option("--user", help="Use ~/.claude/settings.json instead of the project's.")]
ProjectOpt = Annotated[
    Path | None,
    typer.Option("--project", help="Project folder holding .claude/ (default: the current folder).",
                 show_default=False, file_okay=False),
]


@hook_app.callback()
def hook(
    ctx: typer.Context,
    library: LibraryOpt = None,
    budget: Annotated[int, typer.Option("--budget", min=1, help="Most tokens of skill text added per prompt.")] = 2500,
    max_chars: Annotated[int, typer.Option(
        "--max-chars", min=1, help="Most characters added per prompt (Claude Code inlines ~10,000).")] = 9500,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Most skills added per prompt.")] = 3,
    suggest: Annotated[int | None, typer.Option(
        "--suggest", min=0, help="Most skills suggested in one line each (0: none; default: 5).",
        show_default=False)] = None,
) -> None:
    """Run the hook: read Claude Code's event JSON on stdin, print the matched skills as context.

    Prints nothing when no new skill matches. Never fails the prompt: problems go to
    hook.log in the user state folder ($XDG_STATE_HOME/skillpack, ~/.local/state/skillpack).
    """
    if ctx.invoked_subcommand is not None:
        return
    from loader.runtime.hook import run
    from loader.runtime.hook_input import HookOptions

    options = HookOptions(tuple(str(path) for path in library or ()), budget, max_chars, top_k, suggest)
    out = getattr(sys.stdout, "buffer", None) or _BinaryOut(sys.stdout)
    raise typer.Exit(run(options, _binary(sys.stdin), out))


LocalOpt = Annotated[bool, typer.Option("--local", help="Write .claude/settings.local.json (personal, git-ignored) "
                                        "with this machine's absolute paths instead of the shared settings.json.")]


@hook_app.command("install", example='skills hook install --skills skills --budget 2000')
def hook_install(
    library: LibraryOpt = None,
    user: UserOpt = False,
    project: ProjectOpt = None,
    local: LocalOpt = False,
    budget: Annotated[int | None, typer.Option("--budget", min=1, help="Token budget recorded in the hook.",
                                               show_default=False)] = None,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Add the hook to .claude/settings.json (--local: settings.local.json; --user: ~/.claude/settings.json).

    The shared settings.json gets a command that works on every teammate's machine: the library
    as "$CLAUDE_PROJECT_DIR"/path and `skills` found on PATH. --local and --user record this
    machine's absolute paths instead. A library outside the project is added to
    permissions.additionalDirectories. Keeps every other setting and hook, writes a backup next
    to the file; running it again changes nothing.
    """
    from loader.index import open_index
    from loader.runtime.hook_checks import directory_entry, duplicated_skills
    from loader.runtime.hook_settings import install, settings_path
    from loader.runtime.settings_file import blocked_reads

    if user and local:
        raise UsageError(message="--user and --local cannot be used together",
                         hint="--user writes ~/.claude/settings.json, --local the project's settings.local.json")
    base = (project or Path.cwd()).resolve()
    roots = [p if p.is_absolute() else base / p for p in (library or [DEFAULT_SKILLS_DIR])]
    for root in roots:
        if not root.is_dir():
            raise PathNotFoundError(path=root, what="skills folder")
    index, _ = open_index(roots)  # build it now, so the first prompt finds a warm index
    shared = not (user or local)
    # --user serves every project, so its library is outside all but one of them
    outside = [r for r in roots if user or not r.resolve().is_relative_to(base)]
    change = install(settings_path(user=user, project_dir=base, local=local), roots, budget=budget,
                     shared_project=base if shared else None,
                     directories=[directory_entry(r, base, portable=shared) for r in outside])
    verb = "added the skillpack hook to" if change.changed else "the skillpack hook is already in"
    typer.echo(f"{verb} {change.path}")
    if change.backup:
        typer.echo(f"  previous version saved as {change.backup}")
    typer.echo(f"  library: {', '.join(map(str, roots))} ({len(index)} skills indexed)")
    typer.echo(f"  command: {change.command}")
    if change.added:
        typer.echo(f"  added {', '.join(change.added)} to permissions.additionalDirectories, so Claude reads the "
                   "library's skills and reference files without asking")
    if outside and blocked_reads(base):
        typer.echo("warning: permissions.blockReadsOutsideWorkingDirectories is set, so Claude cannot read the "
                   "library outside the project: skill paths will not work; keep the library inside the project",
                   err=True)
    both = duplicated_skills(index, base)
    if both:
        typer.echo(f"warning: {len(both)} skill(s) of the library are also in {base / '.claude' / 'skills'} "
                   f"({', '.join(both[:5])}{', ...' if len(both) > 5 else ''}): Claude Code loads those itself "
                   "and the hook would add them again; keep one copy", err=True)
    if len(index) == 0:
        typer.echo("warning: the library holds no usable skill yet", err=True)
    _warn_doubled(base)
    return 0


def _warn_doubled(project: Path) -> None:
    """Say so when Claude Code also lists the hooked library's skills (they would reach the model twice)."""
    from loader.runtime.doctor import diagnose

    for finding in diagnose(project).findings:
        if finding.code == "hook-doubled":
            names = f" ({', '.join(finding.details[:10])}{', ...' if len(finding.details) > 10 else ''})" \
                if finding.details else ""
            typer.echo(f"warning: {finding.message}{names}\n  fix: {finding.fix}", err=True)


@hook_app.command("uninstall", example='skills hook uninstall')
def hook_uninstall(user: UserOpt = False, project: ProjectOpt = None, local: LocalOpt = False,
                   verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """Remove the hook entries (and additionalDirectories) `skills hook install` added; nothing else is touched."""
    from loader.runtime.hook_settings import settings_path, uninstall

    change = uninstall(settings_path(user=user, project_dir=(project or Path.cwd()).resolve(), local=local))
    if change.changed:
        typer.echo(f"removed the skillpack hook from {change.path}")
        if change.backup:
            typer.echo(f"  previous version saved as {change.backup}")
    else:
        typer.echo(f"no skillpack hook in {change.path}; nothing changed")
    return 0


@hook_app.command("check", example='skills hook check')
def hook_check(project: ProjectOpt = None, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """Run the installed hook command(s) as Claude Code would, and say whether they work on this machine.

    Looks at the project's settings.json and settings.local.json and ~/.claude/settings.json.
    Exits 1 when a command fails here (skills not on PATH, a moved library...) or none is installed.
    """
    from loader.runtime.hook_checks import check_commands

    base = (project or Path.cwd()).resolve()
    if not base.is_dir():
        raise PathNotFoundError(path=base, what="project folder")
    checks = check_commands(base)
    if not checks:
        typer.echo(f"no skillpack hook in the settings of {base} or of your home folder", err=True)
        return 1
    for check in checks:
        typer.echo(f"{'ok' if check.ok else 'FAILED':<6}  {check.settings}: {check.detail}")
        if not check.ok:
            typer.echo(f"        command: {check.command}")
    return 0 if all(check.ok for check in checks) else 1


@app.command(example='skills mcp skills')
def mcp(
    paths: PathsArg = None,
    watch: Annotated[bool, typer.Option("--watch/--no-watch", help="Reload when skill files change.")] = True,
    index: IndexOpt = None,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Serve the library over MCP on stdin/stdout: search_skills, load_skills, read_skill_file.

    Needs the optional extra: pip install 'skillpack[mcp]'.
    """
    roots = paths_or_default(paths)
    for root in roots:
        if not root.exists():
            raise PathNotFoundError(path=root, what="skills folder")
    try:
        from loader.runtime.mcp import serve
    except ImportError as exc:
        if "mcp" not in (getattr(exc, "name", "") or ""):
            raise
        raise UsageError(message="the MCP server needs the MCP Python SDK, which is not installed",
                         hint="pip install 'skillpack[mcp]'") from exc
    from loader.cli.progress import progress, wanted
    from loader.index import open_index

    resolved = [r.resolve() for r in roots]
    with progress("indexing", enabled=wanted()):  # a cold index takes seconds; the server then opens it warm
        open_index(resolved, index_path=index)
    serve(resolved, watch=watch, index_path=index)
    return 0


def _binary(stream: IO[str]) -> IO[bytes]:
    buffer = getattr(stream, "buffer", None)
    return buffer if buffer is not None else io.BytesIO(stream.read().encode("utf-8"))


class _BinaryOut(io.BytesIO):
    """Bytes written to a text stream (the in-process runner's stdout has no ``.buffer``)."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self._stream = stream

    def write(self, data: Any) -> int:
        self._stream.write(bytes(data).decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()
