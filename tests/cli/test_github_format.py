"""``--format github`` writes workflow annotations wherever it is offered, and is offered nowhere else."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from loader.cli.main import app
from tests.conftest import skill_md, write_tree

ROOT = typer.main.get_command(app)
ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,:]+(,line=\d+)?(,col=\d+)?(,title=[^:]+)?::.+$")


def _offers_github(name: str) -> bool:
    command = ROOT.get_command(typer.Context(ROOT), name)
    for param in getattr(command, "params", ()):
        if "--format" in getattr(param, "opts", ()):
            return "github" in (param.type_descriptor.choices and
                                [getattr(c, "value", c) for c in param.type_descriptor.choices] or [])
    return False


def test_github_is_offered_exactly_where_it_works() -> None:
    offered = {name for name in ROOT.list_commands(typer.Context(ROOT)) if _offers_github(name)}
    assert offered == {"validate", "verify"}


@pytest.mark.parametrize("command", ["rules", "list", "pack"])
def test_commands_without_files_to_annotate_refuse_github(cli: Callable[..., Any], command: str) -> None:
    result = cli(command, "--format", "github")
    assert result.code == 2 and "github" in result.err


def test_validate_github_annotates_the_file_and_line(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/Bad_Name/SKILL.md": skill_md("Bad_Name")})
    result = cli("validate", tmp_path / "skills", "--format", "github")
    annotations = [line for line in result.out.splitlines() if line.startswith("::")]
    assert result.code == 1 and annotations and all(ANNOTATION.match(line) for line in annotations), result.out
    assert any(line.startswith("::error file=") and ",line=" in line for line in annotations)


def test_verify_github_annotates_each_difference(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/demo-skill/SKILL.md": skill_md("demo-skill")})
    project = tmp_path / "project"
    assert cli("install", tmp_path / "skills", "--project", project).code == 0
    assert cli("verify", project, "--format", "github").out == ""
    skill = project / ".claude" / "skills" / "demo-skill"
    (skill / "SKILL.md").write_text("changed\n")
    write_tree(skill.parent, {"stray/SKILL.md": skill_md("stray")})
    result = cli("verify", project, "--format", "github")
    lines = result.out.splitlines()
    assert result.code == 1 and all(ANNOTATION.match(line) for line in lines), result.out
    assert any(line.startswith("::error file=") and "demo-skill/SKILL.md" in line and "modified" in line
               for line in lines)
    assert any(line.startswith("::warning file=") and "stray" in line for line in lines)
