"""The typer application object and the options shared by several commands."""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from loader import __version__
from loader.cli.help import SkillsTyper, example_epilog
from loader.core.model import Profile

app = SkillsTyper(
    name="skills",
    help="Validate, index, match, report on and ship Agent Skills for Claude Code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=example_epilog("skills new pdf-forms && skills validate skills", "skills COMMAND --help"),
)


class OutputFormat(StrEnum):
    """Formats for reporting commands."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


class PlainFormat(StrEnum):
    """Formats of commands whose output names no file to annotate (``rules``, ``list``, ``pack``)."""

    TEXT = "text"
    JSON = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillpack {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes on stderr.")] = False,
) -> None:
    logging.basicConfig(level=logging.WARNING, format="skills: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)  # one in-process run must not inherit the last one's
    QUIET["on"] = False
    _set_verbosity(verbose=verbose, quiet=quiet)


QUIET = {"on": False}
"""Whether --quiet was given (before or after the command); read by :func:`is_quiet`."""


def _set_verbosity(*, verbose: bool, quiet: bool) -> None:
    if verbose:
        logging.getLogger().setLevel(logging.INFO)
    if quiet:
        QUIET["on"] = True
        logging.getLogger().setLevel(logging.ERROR)


def is_quiet() -> bool:
    """True when ``--quiet`` was given anywhere on the command line."""
    return QUIET["on"]


def _verbose_flag(value: bool) -> bool:
    _set_verbosity(verbose=value, quiet=False)
    return value


def _quiet_flag(value: bool) -> bool:
    _set_verbosity(verbose=False, quiet=value)
    return value


DEFAULT_SKILLS_DIR = Path("skills")

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Skill folders or folders of skills (default: ./skills).", metavar="PATH",
                   show_default=False),
]
SkillsOpt = Annotated[
    list[Path] | None,
    typer.Option("--skills", "-s", help="Folder of skills (repeatable; default: ./skills).", show_default=False),
]
IndexOpt = Annotated[
    Path | None,
    typer.Option("--index", help="Index file (default: .skillpack/index.sqlite in the library, else the user cache).",
                 show_default=False),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", callback=_verbose_flag, help="Log progress to stderr.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", callback=_quiet_flag,
                                        help="No progress bars or notes on stderr.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format (github: workflow "
                                                  "annotations on the files).")]
PlainFormatOpt = Annotated[PlainFormat, typer.Option("--format", "-f", help="Output format.")]
ProfileOpt = Annotated[Profile, typer.Option("--profile", help="Frontmatter profile to validate against.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings and unknown fields as errors.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Check every skill again instead of reusing results "
                                          "stored for unchanged ones (in the user cache folder).")]


def paths_or_default(paths: list[Path] | None) -> list[Path]:
    """The given paths, or ``./skills`` when none were given."""
    return list(paths) if paths else [DEFAULT_SKILLS_DIR]
