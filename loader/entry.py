"""Console-script entry point: dispatches fast paths before importing the full CLI.

Importing typer and the command modules costs ~150 ms; the Claude Code hook runs on every
prompt, so it must not pay that. Everything else goes to ``loader.cli.main``.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Entry point of the ``skills`` command."""
    from loader.cli import main

    sys.exit(main())
