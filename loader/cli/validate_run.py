"""``skills validate``'s work, without typer: shared by the typer command and the start-up fast path.

Validating the 7 example skills took 0.53 s, most of it importing typer (which imports
pydantic to coerce options) and the command modules; ``fast_main`` answers plain
invocations (paths, ``--format``, ``--profile``, ``--strict``, ``--info``, ``--changed``,
``--no-cache``, ``--verbose``/``--quiet``; it draws no progress bar) from ``loader.cli.entry``
and hands anything else, ``--help`` included, back to the full CLI (``None``), which then
parses and reports it as it always did.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from loader.cli.render_diagnostics import has_failures, render_github, render_json, render_text
from loader.core.model import Profile

FORMATS = ("text", "json", "github")


def run_validate(paths: Sequence[Path] | None, output: str, profile: Profile, *, strict: bool, show_info: bool,
                 changed: bool, no_cache: bool) -> int:
    """Validate, render to stdout in ``output`` format, return the exit code (1 on failures)."""
    if changed:  # files outside every skill folder are skipped, not errors
        from loader.validate.changed import skill_folders_of

        roots, explicit = skill_folders_of(paths or []), False
    else:
        roots, explicit = (list(paths), True) if paths else ([Path("skills")], False)
    # --changed (pre-commit) checks a different handful of folders each time: a cache file per
    # such set would only pile up, and a few skills are checked in milliseconds anyway.
    cached = not (no_cache or changed)
    if cached:  # an unchanged library, run as last time: its output again (loader.validate.snapshot)
        from loader.validate.snapshot import record, replay, run_key

        key = run_key(roots, explicit=explicit, profile=profile, strict=strict, output=output, show_info=show_info)
        stored = replay(key)
        if stored is not None:
            _emit(stored[0])
            return stored[1]
        started = time.time_ns()
    from loader.validate.load import load_skills, validation_cache

    with validation_cache(roots, profile, strict=strict, enabled=cached):
        result = load_skills(roots, profile, strict=strict, explicit=explicit)
    out = io.StringIO()
    if output == "json":
        render_json(result, out)
    elif output == "github":
        render_github(result, out)
    else:
        render_text(result, out, show_info=show_info)
    code = 1 if has_failures(result.diagnostics, strict=strict) else 0
    text = out.getvalue()
    _emit(text)
    if cached:
        record(key, roots, result, text, code, started)
    return code


def _emit(text: str) -> None:
    """Write ``text`` to stdout line by line, as the renderers do.

    Not in one call: on an unbuffered stdout (``PYTHONUNBUFFERED``) a pipe closed mid-way takes
    part of one large write without an error and the rest is lost silently, where the next
    line's write raises ``BrokenPipeError`` (exit 1, as for every command).
    """
    write = sys.stdout.write
    for line in text.splitlines(keepends=True):
        write(line)


_FLAGS = {"--strict": "strict", "--info": "info", "--changed": "changed", "--no-cache": "no_cache",
          "--verbose": "verbose", "-v": "verbose", "--quiet": "quiet", "-q": "quiet"}
_VALUED = {"--format": "format", "-f": "format", "--profile": "profile"}


def parse_fast(args: Sequence[str]) -> tuple[list[Path], dict[str, str | bool]] | None:
    """Paths and options of a plain ``skills validate`` command line; ``None`` for anything else.

    Understands what the full CLI does for these options, in their common spellings (``-f json``,
    ``-fjson``, ``--format json``, ``--format=json``; the last of a repeated option wins).
    Anything else (``--help``, ``--``, an unknown or abbreviated option, grouped short flags,
    a bad value) is ``None``, so the full CLI parses it and explains the problem. Not argparse:
    it and the ``shutil`` its formatter imports were ~5 ms of a ~0.13 s cached run.
    """
    paths: list[Path] = []
    options: dict[str, str | bool] = {"format": "text", "profile": Profile.CLAUDE_CODE.value}
    options |= dict.fromkeys(_FLAGS.values(), False)
    choices = {"format": FORMATS, "profile": tuple(p.value for p in Profile)}
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        if not arg.startswith("-"):
            paths.append(Path(arg))
            continue
        if arg in _FLAGS:
            options[_FLAGS[arg]] = True
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        if name not in _VALUED or (name.startswith("--") and not equals and value) or (equals and not value):
            return None
        if not equals and not value:
            if position == len(args) or args[position].startswith("-"):
                return None
            value = args[position]
            position += 1
        if value not in choices[_VALUED[name]]:
            return None
        options[_VALUED[name]] = value
    return paths, options


def fast_main(args: Sequence[str]) -> int | None:
    """Run ``skills validate ARGS`` without typer; ``None`` when the arguments need the full CLI.

    Logging is not configured: nothing a validate run imports logs (a test keeps it so), and
    importing ``logging`` cost ~7 ms of a cached run; ``--verbose``/``--quiet`` are accepted.
    """
    parsed = parse_fast(args)
    if parsed is None:
        return None
    paths, ns = parsed
    from loader.core.errors import SkillpackError, describe_os_error

    try:
        return run_validate(paths, str(ns["format"]), Profile(str(ns["profile"])), strict=bool(ns["strict"]),
                            show_info=bool(ns["info"]), changed=bool(ns["changed"]), no_cache=bool(ns["no_cache"]))
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
