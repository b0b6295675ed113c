"""``skills verify``, ``list`` and ``uninstall``: what ``skills install`` put in a target.

Split from ``loader.cli.ship`` (pack and install), whose options these commands share.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loader.cli.app import FormatOpt, OutputFormat, PlainFormat, PlainFormatOpt, QuietOpt, VerboseOpt, app
from loader.cli.render_diagnostics import display_path, github_annotation
from loader.cli.ship import PluginOpt, ProjectOpt, TargetArg, TargetOpt, UserOpt, _dump
from loader.core.errors import UsageError

if TYPE_CHECKING:  # the ship stage is imported by the command that runs, not by `skills --help`
    from loader.ship.targets import Target


def _target(path: Path | None, user: bool, plugin: Path | None, name: str | None) -> Target:
    from loader.ship.targets import choose_target, find_target

    if path is not None:
        if user or plugin is not None or name is not None:
            raise UsageError(message="give either a TARGET folder or --user/--plugin/--target, not both")
        return find_target(path)
    return choose_target(user=user, plugin=plugin, target=name)


@app.command(example='skills verify --format github')
def verify(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
           target_name: TargetOpt = None, fmt: FormatOpt = OutputFormat.TEXT, verbose: VerboseOpt = False,
           quiet: QuietOpt = False) -> int:
    """Check installed skills against skills.lock: exits 1 naming every missing, extra or modified file."""
    from loader.ship.installed import verify as run_verify

    report = run_verify(_target(target_path, user, plugin, target_name))
    where = report.target.skills_dir
    if fmt is OutputFormat.JSON:
        _dump({"target": str(where), "target_name": report.target.name, "ok": report.ok,
               "checked": report.checked, "untracked": list(report.untracked),
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
        typer.echo(f"verified {report.checked} skill(s) in {display_path(where)} ({report.target.name}): {status}")
    return 0 if report.ok else 1


@app.command("list", example='skills list --user')
def list_(target_path: TargetArg = None, user: UserOpt = False, plugin: PluginOpt = None,
          target_name: TargetOpt = None, fmt: PlainFormatOpt = PlainFormat.TEXT, verbose: VerboseOpt = False,
          quiet: QuietOpt = False) -> int:
    """Show installed skills with their versions and where they came from, in every target found.

    Without a choice of target, looks at .claude/skills and .agents/skills in the project and
    in HOME (--user: HOME only); each skill is shown under the target that holds it.
    """
    from loader.ship.installed import installed

    targets = _listed_targets(target_path, user, plugin, target_name)
    found = [(target, installed(target)) for target in targets]
    if fmt is PlainFormat.JSON:
        _dump({"targets": [{"target": t.name, "path": str(t.skills_dir)} for t in targets],
               "skills": [{"name": r.name, "version": r.version, "source": r.source, "files": r.files,
                           "tracked": r.tracked, "target": t.name, "source_path": _source_path(t, r.source)}
                          for t, rows in found for r in rows]})
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
            detail = f"{row.version or '-':<10} {_shown_source(target, row.source)}" if row.tracked else untracked
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


@app.command(example='skills uninstall pdf-forms')
def uninstall(name: Annotated[str, typer.Argument(help="Skill name.")], project: ProjectOpt = None,
              user: UserOpt = False, plugin: PluginOpt = None, target_name: TargetOpt = None,
              verbose: VerboseOpt = False, quiet: QuietOpt = False) -> int:
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
