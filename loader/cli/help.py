"""How ``skills`` renders its help: the source's words as written, readable metavars, an example each.

Typer's rich help reads ``[...]`` in docstrings as markup (``pip install 'skillpack[mcp]'`` lost
its extra) and prints types as ``<bool>``, ``<list[Path]>``. Here help goes through click's plain
formatter (no markup at all), every value gets a metavar a user can read (``PATH``, ``N``,
``TEXT``, ``text|json``; none for flags), and each command carries an ``Example:`` epilog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import PurePath
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

Param = TyperOption | TyperArgument

ORDER = ("new", "validate", "dev", "index", "match", "context", "eval", "usage", "calibrate", "report", "pack",
         "install", "verify", "list", "uninstall", "doctor", "hook", "mcp", "rules")
"""Commands in the order a user meets them: write, check, index and match, measure, ship, run."""


def readable_metavar(param: Param) -> str:
    """The metavar shown for ``param``: ``PATH``, ``N``, ``NUMBER``, ``TEXT``, the choices, or none for a flag."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(c.value if isinstance(c, Enum) else c) for c in desc.choices or ())
    annotation: Any = desc.annotation
    base = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    if desc.is_path or (isinstance(base, type) and issubclass(base, PurePath)):
        return "PATH"
    if base is bool:
        return ""
    if base is int:
        return "N"
    if base is float:
        return "NUMBER"
    if isinstance(param, TyperArgument):
        return (param.name or "value").upper()
    return "TEXT"


def _label(params: Sequence[Any]) -> None:
    for param in params:
        if isinstance(param, TyperOption | TyperArgument) and param.metavar is None:
            param.metavar = readable_metavar(param)


class SkillsCommand(TyperCommand):
    """A command whose help and usage line show readable metavars (``skills match [OPTIONS] PROMPT``)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Label the parameters, then render with click's plain formatter."""
        _label(self.params)
        super().format_help(ctx, formatter)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Arguments by metavar and help alone (typer appends ``<list[Path]>``), then the options."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or (param.name or "").upper()) + ("..." if param.nargs != 1 else "")
                arguments.append((name, param.help or ""))
            elif not getattr(param, "hidden", False):
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """``[OPTIONS] PROMPT`` or ``[OPTIONS] [PATH]...``: click's conventions, not typer's ``{prompt}``."""
        _label(self.params)
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                shown = name if param.required else f"[{name}]"
                pieces.append(shown + ("..." if param.nargs != 1 else ""))
        return pieces


class SkillsGroup(TyperGroup):
    """The ``skills`` group: commands listed in :data:`ORDER`, then any others, with readable metavars."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in the order a user meets them."""
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(ORDER)), names.index(name)))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Label the group's own options, then render plainly."""
        _label(self.params)
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command's whole first sentence, wrapped rather than cut off mid-parenthesis with ``...``."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def example_epilog(*examples: str) -> str:
    """An ``Example:`` epilog kept line by line (click rewraps paragraphs unless they start with ``\\b``)."""
    lines = "\n".join(f"  {example}" for example in examples)
    return f"Example:\n\n\b\n{lines}"


class SkillsTyper(typer.Typer):
    """``typer.Typer`` whose commands take ``example=``, render plain help, and list in :data:`ORDER`."""

    def __init__(self, **kwargs: Any) -> None:
        """Plain help (``rich_markup_mode=None``) and the :class:`SkillsGroup` unless told otherwise."""
        kwargs.setdefault("cls", SkillsGroup)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, example: str | Sequence[str] = (),
                **kwargs: Any) -> Callable[[Any], Any]:
        """Register a command; ``example`` lines become its ``Example:`` epilog."""
        examples = [example] if isinstance(example, str) else list(example)
        if examples:
            kwargs.setdefault("epilog", example_epilog(*examples))
        kwargs.setdefault("cls", SkillsCommand)
        return super().command(name, **kwargs)
