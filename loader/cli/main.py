"""The ``skills`` command line: parses options, calls the core, renders, returns an exit code.

Exit codes (a contract; tests assert each):
    0   clean (warnings allowed unless --strict)
    1   findings at error level (or warnings under --strict), or a failed gate
    2   could not run: bad path, bad option, unusable input
    3   unexpected internal error (a bug: please report it)
    130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import typer

from loader.cli.app import app
from loader.core.errors import SkillpackError, describe_os_error

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

log = logging.getLogger("loader")

# Importing the command modules registers their commands on ``app``.
from loader.cli import authoring as _authoring  # noqa: E402,F401
from loader.cli import doctor as _doctor  # noqa: E402,F401
from loader.cli import match as _match  # noqa: E402,F401
from loader.cli import report as _report  # noqa: E402,F401
from loader.cli import runtime as _runtime  # noqa: E402,F401
from loader.cli import ship as _ship  # noqa: E402,F401
from loader.cli import ship_installed as _ship_installed  # noqa: E402,F401
from loader.cli import usage as _usage  # noqa: E402,F401
from loader.cli import validate as _validate  # noqa: E402,F401


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (never raises, never exits)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="skills", standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:  # bad option or argument: typer says what and how
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except SkillpackError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except OSError as exc:  # the machine said no (permissions, a full disk, a name too long): not a bug
        typer.echo(f"error: {describe_os_error(exc)}", err=True)
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: a bug, not the user's fault
        log.debug("internal error", exc_info=True)
        typer.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in skillpack; please report it with the command you ran "
                   "(run with SKILLPACK_DEBUG=1 for the traceback).", err=True)
        if _debug():
            raise
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK


def _debug() -> bool:
    import os

    return os.environ.get("SKILLPACK_DEBUG", "") not in ("", "0")


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
