"""The typer application object and the options shared by several commands."""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from loader import __version__
from loader.core.model import Profile

app = typer.Typer(
    name="skills",
    help="Validate, index, match, report on and ship Agent Skills for Claude Code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    """Formats for reporting commands."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillpack {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="skills: %(message)s")


DEFAULT_SKILLS_DIR = Path("skills")

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Skill folders or folders of skills to search (default: ./skills).",
                   show_default=False),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
ProfileOpt = Annotated[Profile, typer.Option("--profile", help="Frontmatter profile to validate against.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings and unknown fields as errors.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Check every skill again instead of reusing results "
                                          "stored for unchanged ones (in the user cache folder).")]


def paths_or_default(paths: list[Path] | None) -> list[Path]:
    """The given paths, or ``./skills`` when none were given."""
    return list(paths) if paths else [DEFAULT_SKILLS_DIR]
