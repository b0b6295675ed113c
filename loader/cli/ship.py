"""``skills pack``, ``install``, ``verify``, ``list`` and ``uninstall``: shipping skills to Claude Code."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from loader.cli.app import FormatOpt, NoCacheOpt, OutputFormat, PathsArg, ProfileOpt, StrictOpt, app, paths_or_default
from loader.cli.render_diagnostics import display_path, has_failures, render_text
from loader.core.errors import UsageError
from loader.core.model import Diagnostic, Profile, Severity
from loader.ship.hosts import Host  # an option's type: typer reads it when the command is registered

if TYPE_CHECKING:  # the ship and validate stages are imported by the command that runs, not by `skills --help`
    from loader.ship.targets import Target

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


@app.command()
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
    fmt: FormatOpt = OutputFormat.TEXT,
    no_cache: NoCacheOpt = False,
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
    from loader.ship import bundle
    from loader.ship.hosts import host_findings
    from loader.ship.lockfile import SKILL_DIR_NAME
    from loader.validate.load import load_skills, validation_cache

    chosen = host.profile if host is not Host.CLAUDE_CODE else profile
    roots, strictly = paths_or_default(paths), strict or host.unknown_fields_are_errors
    with validation_cache(roots, chosen, strict=strictly, enabled=not no_cache):
        result = load_skills(roots, chosen, strict=strictly)
    findings = host_findings([loaded.skill for loaded in result.skills], host)
    result = replace(result, diagnostics=tuple(sorted((*result.diagnostics, *findings), key=Diagnostic.sort_key)))
    failed = has_failures(result.diagnostics, strict=strict)
    if failed or any(d.severity is not Severity.INFO for d in result.diagnostics):
        render_text(result, sys.stderr)  # every warning, whatever the host; all findings when refusing
    if failed and not force:
        what = "errors or warnings (--strict)" if strict else "errors"
        typer.echo(f"refusing to pack skills with {what} for {host.value} (fix them, or pass --force)", err=True)
        return 1
    skills = [loaded.skill for loaded in result.skills]
    if force:  # pack what can be packed; a name that cannot be a folder name cannot ship at all
        unpackable = [skill for skill in skills if not SKILL_DIR_NAME.match(skill.name)]
        for skill in unpackable:
            typer.echo(f"skipped {display_path(skill.path)}: its name {skill.name!r} cannot be a folder name", err=True)
        skills = [skill for skill in skills if skill not in unpackable]
    if not skills:
        raise UsageError(message="no skills found in " + ", ".join(map(str, paths_or_default(paths))))
    entries = bundle.plan(skills, bundle=bundle_name)
    if dry_run:
        for entry in entries:
            typer.echo(f"{entry.archive}: {entry.name} ({len(entry.files)} files)")
            for file in entry.files:
                typer.echo(f"  {entry.name}/{file.rel}{'  (executable)' if file.executable else ''}")
        return 0
    if plugin_dir is not None or marketplace is not None:
        from loader.cli.plugin_output import pack_plugin_output

        return pack_plugin_output(skills, plugin_dir=plugin_dir, marketplace=marketplace, names=name or [],
                                  owner=owner, force=force, as_json=fmt is OutputFormat.JSON)
    packed = bundle.write(entries, output)
    if fmt is OutputFormat.JSON:
        _dump({"archives": [{"path": str(a.path), "sha256": a.sha256, "skills": list(a.skills)}
                            for a in packed.archives], "lockfile": str(packed.lock_path)})
    else:
        for archive in packed.archives:
            typer.echo(f"{archive.sha256}  {display_path(archive.path)}")
        typer.echo(f"wrote {len(packed.archives)} archive(s) and {display_path(packed.lock_path)}")
    return 0


@app.command()
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
) -> int:
    """Install skills into .claude/skills (or --target agents|DIR, --user, --plugin DIR) atomically; update skills.lock.

    Archives are checked before anything is written; an unsafe archive, a conflict or a failed
    hash check leaves the target exactly as it was (exit 2).
    """
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
    plan = plan_install(expanded, target, upgrade=upgrade)
    if errors_only(plan.diagnostics) and not force:
        for diag in errors_only(plan.diagnostics):
            typer.echo(f"{display_path(diag.path)}:{diag.line or ''}: {diag.rule}: {diag.message}", err=True)
        typer.echo("refusing to install skills with errors (fix them, or pass --force)", err=True)
        return 1
    for record in run_install(plan, upgrade=upgrade, force=force):
        version = f" {record.version}" if record.version else ""
        typer.echo(f"installed {record.name}{version} ({len(record.files)} files) into "
                   f"{display_path(target.skills_dir)}")
    return 0


def _target(path: Path | None, user: bool, plugin: Path | None, name: str | None) -> Target:
    from loader.ship.targets import choose_target, find_target

    if path is not None:
        if user or plugin is not None or name is not None:
            raise UsageError(message="give either a TARGET folder or --user/--plugin/--target, not both")
        return find_target(path)
    return choose_target(user=user, plugin=plugin, target=name)


@app.command()
def verify(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
           target_name: TargetOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> int:
    """Check installed skills against skills.lock: exits 1 naming every missing, extra or modified file."""
    from loader.ship.installed import verify as run_verify

    report = run_verify(_target(target_path, user, plugin, target_name))
    where = report.target.skills_dir
    if fmt is OutputFormat.JSON:
        _dump({"target": str(where), "target_name": report.target.name, "ok": report.ok,
               "checked": report.checked, "untracked": list(report.untracked),
               "differences": [{"skill": d.skill, "path": d.path, "kind": d.kind} for d in report.differences]})
    else:
        for diff in report.differences:
            shown = display_path(where / diff.skill / diff.path) if diff.path else display_path(where / diff.skill)
            typer.echo(f"{diff.kind:<12} {shown}")
        for name in report.untracked:
            typer.echo(f"{'untracked':<12} {display_path(where / name)} (not in skills.lock; not checked)")
        status = "ok" if report.ok else f"FAILED: {len(report.differences)} difference(s)"
        typer.echo(f"verified {report.checked} skill(s) in {display_path(where)} ({report.target.name}): {status}")
    return 0 if report.ok else 1


@app.command("list")
def list_(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
          target_name: TargetOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> int:
    """Show installed skills with their versions and where they came from, in every target found.

    Without a choice of target, looks at .claude/skills and .agents/skills in the project and
    in HOME (--user: HOME only); each skill is shown under the target that holds it.
    """
    from loader.ship.installed import installed

    targets = _listed_targets(target_path, user, plugin, target_name)
    found = [(target, installed(target)) for target in targets]
    if fmt is OutputFormat.JSON:
        _dump({"targets": [{"target": t.name, "path": str(t.skills_dir)} for t in targets],
               "skills": [{"name": r.name, "version": r.version, "source": r.source, "files": r.files,
                           "tracked": r.tracked, "target": t.name} for t, rows in found for r in rows]})
        return 0
    if not any(rows for _, rows in found):
        typer.echo("no skills installed")
    for target, rows in found:
        if not rows:
            continue
        typer.echo(f"{target.name}: {display_path(target.skills_dir)}")
        width = max(len(r.name) for r in rows)
        for row in rows:
            untracked = f"{'-':<10} (untracked: not in skills.lock)"
            detail = f"{row.version or '-':<10} {row.source}" if row.tracked else untracked
            typer.echo(f"  {row.name:<{width}}  {detail}")
    return 0


def _listed_targets(path: Path | None, user: bool, plugin: Path | None, name: str | None) -> list[Target]:
    from loader.ship.targets import found_targets

    if plugin is not None or name is not None:
        return [_target(path, user, plugin, name)]
    if path is not None:
        one = _target(path, user, plugin, name)
        if one.plugin_root is not None or one.lock_path.is_file():
            return [one]
        return found_targets(project=path, user=False)
    return found_targets(user=True if user else None)


@app.command()
def uninstall(name: Annotated[str, typer.Argument(help="Skill name.")], project: ProjectOpt = None,
              user: UserOpt = False, plugin: PluginOpt = None, target_name: TargetOpt = None) -> int:
    """Remove a skill that skills install put there, and its skills.lock entry.

    Without --target or --plugin, the skill is looked for in the project's .claude/skills and
    .agents/skills (--user: HOME's); when both hold it, choose one with --target.
    """
    from loader.ship.install import uninstall as run_uninstall
    from loader.ship.lockfile import read_lock
    from loader.ship.targets import choose_target, found_targets

    if plugin is not None or target_name is not None:
        target = choose_target(project=project, user=user, plugin=plugin, target=target_name)
    else:
        holding = [t for t in found_targets(project=project, user=user) if name in read_lock(t.lock_path).skills]
        if len(holding) > 1:
            raise UsageError(message=f"skill {name!r} is installed in {' and '.join(t.name for t in holding)}",
                             hint="choose one with --target")
        target = holding[0] if holding else choose_target(project=project, user=user)
    record = run_uninstall(target, name)
    typer.echo(f"uninstalled {record.name} from {display_path(target.skills_dir)} ({target.name})")
    return 0


def _dump(data: dict[str, Any]) -> None:
    json.dump({"schema_version": SCHEMA_VERSION, **data}, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
