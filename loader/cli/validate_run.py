"""``skills validate``'s work, without typer: shared by the typer command and the start-up fast path.

Validating the 7 example skills took 0.53 s, most of it importing typer (which imports
pydantic to coerce options) and the command modules; ``fast_main`` answers plain
invocations (paths, ``--format``, ``--profile``, ``--strict``, ``--info``, ``--changed``,
``--no-cache``, ``--verbose``/``--quiet``; it draws no progress bar) from ``loader.cli.entry``
and hands anything else, ``--help`` included, back to the full CLI (``None``), which then
parses and reports it as it always did.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from loader.cli.render_diagnostics import has_failures, render_github, render_json, render_text
from loader.core.model import Profile

FORMATS = ("text", "json", "github")


def run_validate(paths: Sequence[Path] | None, output: str, profile: Profile, *, strict: bool, show_info: bool,
                 changed: bool, no_cache: bool) -> int:
    """Validate, render to stdout in ``output`` format, return the exit code (1 on failures)."""
    from loader.validate.load import load_skills, validation_cache

    if changed:  # files outside every skill folder are skipped, not errors
        from loader.validate.changed import skill_folders_of

        roots, explicit = skill_folders_of(paths or []), False
    else:
        roots, explicit = (list(paths), True) if paths else ([Path("skills")], False)
    # --changed (pre-commit) checks a different handful of folders each time: a cache file per
    # such set would only pile up, and a few skills are checked in milliseconds anyway.
    with validation_cache(roots, profile, strict=strict, enabled=not (no_cache or changed)):
        result = load_skills(roots, profile, strict=strict, explicit=explicit)
    if output == "json":
        render_json(result, sys.stdout)
    elif output == "github":
        render_github(result, sys.stdout)
    else:
        render_text(result, sys.stdout, show_info=show_info)
    return 1 if has_failures(result.diagnostics, strict=strict) else 0


def fast_main(args: Sequence[str]) -> int | None:
    """Run ``skills validate ARGS`` without typer; ``None`` when the arguments need the full CLI."""
    import argparse
    import logging

    if any(arg in ("-h", "--help") or arg == "--" for arg in args):
        return None

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # stay silent: the full CLI explains the problem
            raise argparse.ArgumentError(None, message)

    parser = Parser(add_help=False, exit_on_error=False, allow_abbrev=False)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--format", "-f", choices=FORMATS, default="text")
    parser.add_argument("--profile", choices=[p.value for p in Profile], default=Profile.CLAUDE_CODE.value)
    for flag in ("--strict", "--info", "--changed", "--no-cache"):
        parser.add_argument(flag, action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")  # as after the command in the full CLI
    parser.add_argument("--quiet", "-q", action="store_true")
    try:
        ns = parser.parse_args(list(args))
    except (argparse.ArgumentError, SystemExit):
        return None
    if any(str(path).startswith("-") for path in ns.paths):
        return None
    level = logging.ERROR if ns.quiet else logging.INFO if ns.verbose else logging.WARNING
    logging.basicConfig(level=level, format="skills: %(message)s")  # as the typer root callback and -v/-q do
    from loader.core.errors import SkillpackError, describe_os_error

    try:
        return run_validate(ns.paths, ns.format, Profile(ns.profile), strict=ns.strict, show_info=ns.info,
                            changed=ns.changed, no_cache=ns.no_cache)
    except SkillpackError as exc:  # the same boundary as loader.cli.main for the errors validate can raise
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        raise  # loader.cli.entry ends quietly, as for every command
    except OSError as exc:  # the machine said no (a name too long, permissions), as loader.cli.main says it
        sys.stderr.write(f"error: {describe_os_error(exc)}\n")
        return 2
    except Exception as exc:  # a bug: the same message and exit code as loader.cli.main
        import os

        if os.environ.get("SKILLPACK_DEBUG", "") not in ("", "0"):
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in skillpack; please report it with the command you ran "
                         "(run with SKILLPACK_DEBUG=1 for the traceback).\n")
        return 3
