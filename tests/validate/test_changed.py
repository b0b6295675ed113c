"""``skills validate --changed FILE...``: the skill folders of changed files, as pre-commit passes them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult, skill_md, write_tree
from loader.validate.changed import skill_folders_of

Cli = Callable[..., CliResult]


def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {
        "skills/good/SKILL.md": skill_md("good"),
        "skills/good/references/notes.md": "# Notes\n",
        "skills/bad/SKILL.md": "---\nname: bad\ndescription: [not, a, string]\n---\nbody\n",
        "src/app.py": "print('hi')\n",
    })


def test_a_changed_reference_file_checks_its_skill_only(tmp_path: Path, cli: Cli) -> None:
    root = repo(tmp_path)
    os.chdir(root)
    result = cli("validate", "--changed", "skills/good/references/notes.md", "src/app.py")
    assert result.code == 0, result.out
    assert "checked 1 skill (0 with errors, 0 left out): 0 errors" in result.out


def test_a_changed_broken_skill_fails_naming_file_and_line(tmp_path: Path, cli: Cli) -> None:
    root = repo(tmp_path)
    os.chdir(root)
    result = cli("validate", "--changed", "skills/bad/SKILL.md", "skills/good/SKILL.md")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "skills/bad/SKILL.md"
    assert lines[1].split()[:3] == ["3", "error", "schema-type"]
    assert "checked 2 skills" in result.out


def test_files_outside_every_skill_check_nothing(tmp_path: Path, cli: Cli) -> None:
    root = repo(tmp_path)
    os.chdir(root)
    result = cli("validate", "--changed", "src/app.py", "gone.md")
    assert result.code == 0 and "checked 0 skills" in result.out


def test_the_walk_up_stops_at_the_given_folder(tmp_path: Path) -> None:
    root = repo(tmp_path)
    write_tree(tmp_path, {"SKILL.md": skill_md("outer")})  # a skill around the repository
    assert skill_folders_of([root / "src" / "app.py"], stop=root) == []
    assert skill_folders_of([root / "skills" / "good" / "references" / "notes.md", root / "skills" / "good"],
                            stop=root) == [(root / "skills" / "good").resolve()]
