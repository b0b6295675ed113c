"""Console-script entry point: dispatches fast paths before importing the full CLI.

Importing typer and the command modules costs ~150 ms; the Claude Code hook runs on every
prompt, so it must not pay that. ``skills hook`` with only run options (``--library``,
``--budget``, ``--max-chars``, ``--top-k``) goes straight to ``loader.hook``; everything else,
including ``skills hook --help``, ``hook install`` and ``hook uninstall``, goes to
``loader.cli.main``.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Entry point of the ``skills`` command."""
    args = sys.argv[1:]
    if args[:1] == ["hook"]:
        from loader.hook import main as hook_main
        from loader.hook import parse_args

        if parse_args(args[1:]) is not None:
            sys.exit(hook_main(args[1:]))
    from loader.cli import main

    sys.exit(main())
