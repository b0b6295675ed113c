"""``skills pack`` and ``install``: shipping skills to Claude Code and other agents.

The commands that read what is installed (``verify``, ``list``, ``uninstall``) are in
``loader.cli.ship_installed``, which shares this module's options.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from loader.cli.app import (
    NoCacheOpt,
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
from loader.cli.render_diagnostics import display_path, has_failures, plural, render_text
from loader.core.errors import UsageError
from loader.core.model import Diagnostic, Profile, Severity
from loader.ship.hosts import Host  # an option's type: typer reads it when the command is registered

SCHEMA_VERSION = 1

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Folder for the archives and skills.lock.",
                                         file_okay=False)]
BundleOpt = Annotated[str | None, typer.Option("--bundle", help="Write one archive of every skill with this "
                                               "file name (e.g. team.skills) instead of one NAME.skill each.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Go on even when skills have validation errors.")]
UserOpt = Annotated[bool, typer.Option("--user", help="Use the home folder (~/.claude/skills, ~/.agents/skills) "
                                       "instead of the project's.")]
TargetOpt = Annotated[str | None, typer.Option("--target", "-t", help="claude (.claude/skills, the default), agents "
                                               "(.agents/skills, read by Codex, Copilot, Cursor, Gemini CLI, "
                                               "opencode, goose) or a skills folder.", show_default=False)]
PluginOpt = Annotated[Path | None, typer.Option("--plugin", help="Use a plugin layout: DIR/skills and "
                                                "DIR/.claude-plugin/plugin.json.", file_okay=False)]
ProjectOpt = Annotated[Path | None, typer.Option("--project", help="Project folder (default: the current one).",
                                                 file_okay=False)]
PluginNameOpt = Annotated[list[str] | None, typer.Option("--plugin-name", help="Plugin name: of the plugin packed "
                                                      "(default: from the folder), or the marketplace's plugins to "
                                                      "install (repeatable).", show_default=False)]
TargetArg = Annotated[Path | None, typer.Argument(help="Project, plugin or skills folder (default: this project).",
                                                  show_default=False)]


@app.command(example='skills pack skills -o dist')
def pack(
    paths: PathsArg = None,
    output: OutputOpt = Path("dist"),
    bundle_name: BundleOpt = None,
    force: ForceOpt = False,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    host: Annotated[Host, typer.Option("--for", help="The host the skills are for: its exact rules refuse what it "
                                       "would refuse (claude-ai and api: Anthropic's packager).")] = Host.CLAUDE_CODE,
    strict: StrictOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be packed; write nothing.")] = False,
    plugin_dir: Annotated[Path | None, typer.Option("--plugin", help="Build a Claude Code plugin folder here "
                                                    "instead of archives.", file_okay=False)] = None,
    marketplace: Annotated[Path | None, typer.Option("--marketplace", help="Build DIR/plugins/NAME and write or "
                                                     "update DIR/.claude-plugin/marketplace.json.",
                                                     file_okay=False)] = None,
    name: PluginNameOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Marketplace owner's name (needed for a new one).",
                                              show_default=False)] = None,
    fmt: PlainFormatOpt = PlainFormat.TEXT,
    no_cache: NoCacheOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Validate skills, then write reproducible NAME.skill archives (or one --bundle) and skills.lock.

    The same files give byte-identical archives on any machine. Exits 1 (writing nothing) when a
    skill has validation errors, unless --force. --plugin DIR builds a Claude Code plugin folder
    instead (its version changes whenever its skills do); --marketplace DIR also lists it in a
    marketplace that teams add with /plugin marketplace add.
    """
    if bundle_name is not None and (not bundle_name or Path(bundle_name).name != bundle_name):
        raise UsageError(message=f"--bundle takes a file name, not a path: {bundle_name!r}",
                         hint="choose the folder with --output")
    if bundle_name is not None and (plugin_dir is not None or marketplace is not None):
        raise UsageError(message="--bundle writes an archive; --plugin and --marketplace write folders",
                         hint="choose one")
    from loader.cli.progress import progress, wanted
    from loader.ship import bundle
    from loader.ship.hosts import host_findings
    from loader.ship.lockfile import SKILL_DIR_NAME
    from loader.validate.load import LoadResult, load_skills, validation_cache

    chosen = host.profile if host is not Host.CLAUDE_CODE else profile
    roots, strictly = paths_or_default(paths), strict or host.unknown_fields_are_errors
    with validation_cache(roots, chosen, strict=strictly, enabled=not no_cache), \
            progress("validating", enabled=wanted(json_output=fmt is PlainFormat.JSON)) as advance:
        result = load_skills(roots, chosen, strict=strictly, progress=advance)
    findings = host_findings([loaded.skill for loaded in result.skills], host)
    result = LoadResult(result.skills, tuple(sorted((*result.diagnostics, *findings), key=Diagnostic.sort_key)),
                        result.skill_count)
    failed = has_failures(result.diagnostics, strict=strict)
    if failed or any(d.severity is not Severity.INFO for d in result.diagnostics):
        render_text(result, sys.stderr)  # every warning, whatever the host; all findings when refusing
    if failed and not force:
        what = "errors or warnings (--strict)" if strict else "errors"
        typer.echo(f"refusing to pack skills with {what} for {host.value}: "
                   f"{plural(len(result.with_errors()), 'skill')} (fix them, or pass --force)", err=True)
        return 1
    skills = result.usable()
    if force:  # pack what can be packed, naming every skill left behind and why
        for item in result.left_out():
            typer.echo(f"skipped {display_path(item.path)}: {item.reason}", err=True)
        unpackable = [skill for skill in skills if not SKILL_DIR_NAME.match(skill.name)]
        for skill in unpackable:
            typer.echo(f"skipped {display_path(skill.path)}: its name {skill.name!r} cannot be a folder name", err=True)
        skills = [skill for skill in skills if skill not in unpackable]
    if not skills:
        raise UsageError(message="no skills found in " + ", ".join(map(str, paths_or_default(paths))))
    entries = bundle.plan(skills, bundle=bundle_name)
    if dry_run:
        for entry in entries:
            typer.echo(f"{entry.archive}: {entry.name} ({plural(len(entry.files), 'file')})")
            for file in entry.files:
                typer.echo(f"  {entry.name}/{file.rel}{'  (executable)' if file.executable else ''}")
        return 0
    if plugin_dir is not None or marketplace is not None:
        from loader.cli.plugin_output import pack_plugin_output

        return pack_plugin_output(skills, plugin_dir=plugin_dir, marketplace=marketplace, names=name or [],
                                  owner=owner, force=force, as_json=fmt is PlainFormat.JSON)
    with progress("writing archives", enabled=wanted(json_output=fmt is PlainFormat.JSON)):
        packed = bundle.write(entries, output)
    if fmt is PlainFormat.JSON:
        _dump({"archives": [{"path": str(a.path), "sha256": a.sha256, "skills": list(a.skills)}
                            for a in packed.archives], "lockfile": str(packed.lock_path)})
    else:
        for archive in packed.archives:
            typer.echo(f"{archive.sha256}  {display_path(archive.path)}")
        typer.echo(f"wrote {len(packed.archives)} archive(s) and {display_path(packed.lock_path)}")
    return 0


@app.command(example='skills install dist/pdf-forms.skill')
def install(
    sources: Annotated[list[Path], typer.Argument(help=".skill or bundle files, skill folders, folders of "
                                                  "skills, plugin or marketplace folders.", show_default=False)],
    project: ProjectOpt = None,
    user: UserOpt = False,
    plugin: PluginOpt = None,
    target_name: TargetOpt = None,
    names: PluginNameOpt = None,
    upgrade: Annotated[bool, typer.Option("--upgrade", help="Replace skills that are already installed.")] = False,
    force: ForceOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Install skills into .claude/skills (or --target agents|DIR, --user, --plugin DIR) atomically; update skills.lock.

    Archives are checked before anything is written; an unsafe archive, a conflict or a failed
    hash check leaves the target exactly as it was (exit 2).
    """
    from loader.cli.progress import progress, wanted
    from loader.ship.install import install as run_install
    from loader.ship.install import plan_install
    from loader.ship.marketplace import expand_source
    from loader.ship.targets import choose_target
    from loader.validate.load import errors_only

    target = choose_target(project=project, user=user, plugin=plugin, target=target_name)
    expanded: list[Path] = []
    for source in sources:
        found = expand_source(source, names or []) if source.is_dir() else None
        expanded += [source] if found is None else found
    if names and expanded == list(sources):
        raise UsageError(message="--plugin-name chooses plugins of a marketplace folder, and no source is one",
                         hint="give the folder holding .claude-plugin/marketplace.json")
    with progress("checking", enabled=wanted()):
        plan = plan_install(expanded, target, upgrade=upgrade)
    if errors_only(plan.diagnostics) and not force:
        for diag in errors_only(plan.diagnostics):
            typer.echo(f"{display_path(diag.path)}:{diag.line or ''}: {diag.rule}: {diag.message}", err=True)
        typer.echo("refusing to install skills with errors (fix them, or pass --force)", err=True)
        return 1
    def skipped(source: Path, why: str) -> None:
        typer.echo(f"skipped {display_path(source)}: {why}", err=True)

    with progress("installing", enabled=wanted()):
        records = run_install(plan, upgrade=upgrade, force=force, on_skip=skipped)
    for record in records:
        version = f" {record.version}" if record.version else ""
        typer.echo(f"installed {record.name}{version} ({plural(len(record.files), 'file')}) into "
                   f"{display_path(target.skills_dir)}")
    return 0


def _dump(data: dict[str, Any]) -> None:
    json.dump({"schema_version": SCHEMA_VERSION, **data}, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
