"""``skills pack``, ``install``, ``verify``, ``list`` and ``uninstall``: shipping skills to Claude Code."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

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
from loader.cli.render_diagnostics import display_path, github_annotation, has_failures, plural, render_text
from loader.core.errors import UsageError
from loader.core.model import Profile
from loader.ship import bundle
from loader.ship.install import install as run_install
from loader.ship.install import plan_install
from loader.ship.install import uninstall as run_uninstall
from loader.ship.installed import Target, choose_target, find_target, installed
from loader.ship.installed import verify as run_verify
from loader.ship.lockfile import SKILL_DIR_NAME
from loader.validate.load import errors_only, load_skills

SCHEMA_VERSION = 1

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Folder for the archives and skills.lock.",
                                         file_okay=False)]
BundleOpt = Annotated[str | None, typer.Option("--bundle", help="Write one archive of every skill with this "
                                               "file name (e.g. team.skills) instead of one NAME.skill each.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Go on even when skills have validation errors.")]
UserOpt = Annotated[bool, typer.Option("--user", help="Use ~/.claude/skills instead of the project's.")]
PluginOpt = Annotated[Path | None, typer.Option("--plugin", help="Use a plugin layout: DIR/skills and "
                                                "DIR/.claude-plugin/plugin.json.", file_okay=False)]
ProjectOpt = Annotated[Path | None, typer.Option("--project", help="Project folder (default: the current one).",
                                                 file_okay=False)]
TargetArg = Annotated[Path | None, typer.Argument(help="Project, plugin or skills folder (default: this project).",
                                                  show_default=False)]


@app.command(example='skills pack skills -o dist')
def pack(
    paths: PathsArg = None,
    output: OutputOpt = Path("dist"),
    bundle_name: BundleOpt = None,
    force: ForceOpt = False,
    profile: ProfileOpt = Profile.CLAUDE_CODE,
    strict: StrictOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be packed; write nothing.")] = False,
    fmt: PlainFormatOpt = PlainFormat.TEXT,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Validate skills, then write reproducible NAME.skill archives (or one --bundle) and skills.lock.

    The same files give byte-identical archives on any machine. Exits 1 (writing nothing) when a
    skill has validation errors, unless --force.
    """
    if bundle_name is not None and (not bundle_name or Path(bundle_name).name != bundle_name):
        raise UsageError(message=f"--bundle takes a file name, not a path: {bundle_name!r}",
                         hint="choose the folder with --output")
    from loader.cli.progress import progress, wanted

    with progress("validating", enabled=wanted(json_output=fmt is PlainFormat.JSON)) as advance:
        result = load_skills(paths_or_default(paths), profile, strict=strict, progress=advance)
    if has_failures(result.diagnostics, strict=strict) and not force:
        render_text(result, sys.stderr)
        what = "errors or warnings (--strict)" if strict else "errors"
        typer.echo(f"refusing to pack skills with {what}: {plural(len(result.with_errors()), 'skill')} "
                   "(fix them, or pass --force)", err=True)
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
    sources: Annotated[list[Path], typer.Argument(help=".skill or bundle files, skill folders or folders of "
                                                  "skills.", show_default=False)],
    project: ProjectOpt = None,
    user: UserOpt = False,
    plugin: PluginOpt = None,
    upgrade: Annotated[bool, typer.Option("--upgrade", help="Replace skills that are already installed.")] = False,
    force: ForceOpt = False,
    verbose: VerboseOpt = False, quiet: QuietOpt = False,
) -> int:
    """Install skills into .claude/skills (or --user, --plugin DIR), atomically, and update skills.lock.

    Archives are checked before anything is written; an unsafe archive, a conflict or a failed
    hash check leaves the target exactly as it was (exit 2).
    """
    from loader.cli.progress import progress, wanted

    target = choose_target(project=project, user=user, plugin=plugin)
    with progress("checking", enabled=wanted()):
        plan = plan_install(sources, target, upgrade=upgrade)
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


def _target(path: Path | None, user: bool, plugin: Path | None) -> Target:
    if path is not None:
        if user or plugin is not None:
            raise UsageError(message="give either a TARGET folder or --user/--plugin, not both")
        return find_target(path)
    return choose_target(user=user, plugin=plugin)


@app.command(example='skills verify --format github')
def verify(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
           fmt: FormatOpt = OutputFormat.TEXT, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """Check installed skills against skills.lock: exits 1 naming every missing, extra or modified file."""
    report = run_verify(_target(target_path, user, plugin))
    where = report.target.skills_dir
    if fmt is OutputFormat.JSON:
        _dump({"target": str(where), "ok": report.ok, "checked": report.checked, "untracked": list(report.untracked),
               "differences": [{"skill": d.skill, "path": d.path, "kind": d.kind} for d in report.differences]})
    elif fmt is OutputFormat.GITHUB:
        for diff in report.differences:
            path = where / diff.skill / diff.path if diff.path else where / diff.skill
            sys.stdout.write(github_annotation("error", path, f"{diff.kind}: differs from skills.lock "
                                               f"(skill {diff.skill})", title="verify"))
        for name in report.untracked:
            sys.stdout.write(github_annotation("warning", where / name, "not in skills.lock; not checked",
                                               title="verify"))
    else:
        for diff in report.differences:
            shown = display_path(where / diff.skill / diff.path) if diff.path else display_path(where / diff.skill)
            typer.echo(f"{diff.kind:<12} {shown}")
        for name in report.untracked:
            typer.echo(f"{'untracked':<12} {display_path(where / name)} (not in skills.lock; not checked)")
        status = "ok" if report.ok else f"FAILED: {len(report.differences)} difference(s)"
        typer.echo(f"verified {report.checked} skill(s) in {display_path(where)}: {status}")
    return 0 if report.ok else 1


@app.command("list", example='skills list --user')
def list_(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
          fmt: PlainFormatOpt = PlainFormat.TEXT, verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
    """Show installed skills with their versions and where they came from."""
    target = _target(target_path, user, plugin)
    rows = installed(target)
    if fmt is PlainFormat.JSON:
        _dump({"skills": [{"name": r.name, "version": r.version, "source": r.source, "files": r.files,
                           "tracked": r.tracked, "source_path": _source_path(target, r.source)} for r in rows]})
        return 0
    if not rows:
        typer.echo("no skills installed")
    width = max((len(r.name) for r in rows), default=0)
    for row in rows:
        untracked = f"{'-':<10} (untracked: not in skills.lock)"
        detail = f"{row.version or '-':<10} {_shown_source(target, row.source)}" if row.tracked else untracked
        typer.echo(f"{row.name:<{width}}  {detail}")
    return 0


@app.command(example='skills uninstall pdf-forms')
def uninstall(name: Annotated[str, typer.Argument(help="Skill name.")], project: ProjectOpt = None,
              user: UserOpt = False, plugin: PluginOpt = None, verbose: VerboseOpt = False,
              quiet: QuietOpt = False) -> int:
    """Remove a skill that skills install put there, and its skills.lock entry."""
    target = choose_target(project=project, user=user, plugin=plugin)
    record = run_uninstall(target, name)
    typer.echo(f"uninstalled {record.name} from {display_path(target.skills_dir)}")
    return 0


def _source_path(target: Target, source: str) -> str | None:
    """The lockfile's source (relative to the skills folder, as it is stored) as an absolute path."""
    if not source:
        return None
    return os.path.normpath(target.skills_dir / source)  # an absolute source stays as it is


def _shown_source(target: Target, source: str) -> str:
    """The source relative to where the user is (``../dist/x.skill``), not to the lockfile."""
    path = _source_path(target, source)
    if path is None:
        return "-"
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _dump(data: dict[str, Any]) -> None:
    json.dump({"schema_version": SCHEMA_VERSION, **data}, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
