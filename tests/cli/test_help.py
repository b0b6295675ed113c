"""Every command's --help renders what the source says, with readable metavars and an example."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typer

from loader.cli.help import ORDER
from loader.cli.main import app


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if hasattr(command, "list_commands"):
            yield from _commands(command, (*prefix, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def _balanced(text: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
    return not stack


def test_every_command_is_covered() -> None:
    assert {path[0] for path in COMMANDS} >= set(ORDER)
    assert ("hook", "install") in COMMANDS


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "skills")
def test_help_is_balanced_readable_and_has_an_example(cli: Callable[..., Any], path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    assert _balanced(result.out), result.out
    assert not re.search(r"<(bool|int|float|str|list|Path|int range)", result.out), result.out
    example = result.out.split("Example:", 1)
    assert len(example) == 2, f"no example in {' '.join(path)} --help"
    lines = [line.strip() for line in example[1].splitlines() if line.strip()]
    assert lines and all(line.startswith(("skills ", "echo ")) for line in lines), lines
    assert all("skills" in line and len(line.split()) >= 2 for line in lines)


def test_square_brackets_in_the_source_survive(cli: Callable[..., Any]) -> None:
    assert "pip install 'skillpack[mcp]'" in cli("mcp", "--help").out
    assert '{"query": ..., "expected": [names]}' in cli("eval", "--help").out


def test_usage_lines_use_click_conventions(cli: Callable[..., Any]) -> None:
    assert "Usage: skills match [OPTIONS] PROMPT\n" in cli("match", "--help").out
    assert "Usage: skills validate [OPTIONS] [PATH]...\n" in cli("validate", "--help").out
    assert "-s, --skills PATH" in cli("match", "--help").out
    assert "-f, --format text|json" in cli("match", "--help").out


def test_commands_are_listed_in_the_order_a_user_meets_them(cli: Callable[..., Any]) -> None:
    listing = cli("--help").out.split("Commands:", 1)[1]
    shown = [line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line.split()
             and not line.startswith("   ")]
    assert shown[: len(ORDER)] == list(ORDER)
