"""Console-script entry point: dispatches fast paths before importing the full CLI.

Importing typer and the command modules costs ~150 ms; the Claude Code hook runs on every prompt,
so it must not pay that. ``skills hook`` with only run options (``--skills``/``-s`` or its alias
``--library``/``-l``, which installed hooks use, ``--budget``, ``--max-chars``, ``--top-k``,
``--suggest``) goes straight to ``loader.runtime.hook``; everything else, including ``skills hook
--help``, ``hook install`` and ``hook uninstall``, goes to ``loader.cli.main``. ``skills match``
with plain options is answered by ``loader.cli.match_output.fast_main``, which hands anything it
does not handle back (``None``). ``skills --version`` and plain ``skills rules [-f text|json]``
print without typer either (they were 0.34 s and 0.59 s, almost all of it imports; now about
Python's start-up), and plain ``skills validate`` runs through
``loader.cli.validate_run.fast_main``. None of these paths imports typer, click or rich, so they
draw no progress bar; ``--verbose``/``--quiet`` after the command are understood by the match and
validate paths, and anything else a path does not know is handed to the full CLI.

The hook, match and validate paths end with :func:`exit_now`, skipping the interpreter's
teardown: freeing every object and module took about 9 ms after a hook had read a 1,000-skill
index, more than its match.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


def run() -> None:
    """Entry point of the ``skills`` command."""
    try:
        _dispatch(sys.argv[1:])
    except BrokenPipeError:  # output piped into `head`: end quietly, with click's exit code for it
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def _dispatch(args: list[str]) -> None:
    if args == ["--version"]:
        from loader import __version__

        sys.stdout.write(f"skillpack {__version__}\n")
        sys.exit(0)
    if args[:1] == ["rules"]:
        from loader.cli.rules_output import fast_format, render_rules

        fmt = fast_format(args[1:])
        if fmt is not None:
            render_rules(fmt, sys.stdout)
            sys.exit(0)
    if args[:1] == ["hook"]:
        from loader.runtime.hook_input import parse_args

        if parse_args(args[1:]) is not None:
            import gc

            # A short process with bounded work that ends in exit_now: collecting its cyclic
            # garbage (there is little) only costs time, 5-10% of a prompt at 1,000 skills.
            gc.disable()
            from loader.runtime.hook import main as hook_main

            exit_now(hook_main(args[1:]))
    if args[:1] == ["validate"]:
        from loader.cli.validate_run import fast_main as validate_main

        code = validate_main(args[1:])
        if code is not None:
            exit_now(code)
    if args[:1] == ["match"]:
        from loader.cli.match_output import fast_main

        code = fast_main(args[1:])
        if code is not None:
            exit_now(code)
    from loader.cli.main import main

    sys.exit(main())


def exit_now(code: int) -> NoReturn:
    """Flush the standard streams and end the process at once, without the interpreter's teardown.

    Only for paths that have closed every file they wrote (each write goes through a ``with``
    block or ``loader.core.atomic``); the standard streams are the only buffered output left.
    A stream that cannot be flushed (a closed pipe) ends the run with exit code 1, as
    :func:`run` does for ``BrokenPipeError``.
    """
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)
