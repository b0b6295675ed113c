"""Discover stage: what is found, what is skipped, and that hostile trees cannot escape or hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import skill_md, write_tree
from loader.core.errors import PathNotFoundError
from loader.validate.discover import discover


def test_finds_skills_sorted_and_lists_their_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "b/SKILL.md": skill_md("b"),
        "a/SKILL.md": skill_md("a"),
        "a/references/guide.md": "g",
        "a/scripts/run.py": "print()",
        "group/c/SKILL.md": skill_md("c"),
    })
    found = discover([tmp_path])
    assert [d.path.name for d in found.skill_dirs] == ["a", "b", "c"]
    assert found.skill_dirs[0].files == ("references/guide.md", "scripts/run.py")


def test_skips_vcs_and_dependency_folders(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".git/x/SKILL.md": skill_md("x"),
        "node_modules/y/SKILL.md": skill_md("y"),
        "ok/SKILL.md": skill_md("ok"),
        "ok/.git/config": "",
    })
    found = discover([tmp_path])
    assert [d.path.name for d in found.skill_dirs] == ["ok"]
    assert found.skill_dirs[0].files == ()


def test_a_skill_folder_or_its_skill_md_can_be_the_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"one/SKILL.md": skill_md("one")})
    assert [d.path.name for d in discover([tmp_path / "one"]).skill_dirs] == ["one"]
    assert [d.path.name for d in discover([tmp_path / "one" / "SKILL.md"]).skill_dirs] == ["one"]


def test_missing_root_is_a_could_not_run_error(tmp_path: Path) -> None:
    with pytest.raises(PathNotFoundError, match="not found"):
        discover([tmp_path / "nope"])


def test_symlinked_folder_inside_root_is_not_walked_twice(tmp_path: Path) -> None:
    write_tree(tmp_path, {"real/a/SKILL.md": skill_md("a")})
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    found = discover([tmp_path])
    assert [d.path.name for d in found.skill_dirs] == ["a"]
    assert found.diagnostics == ()


def test_directory_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/SKILL.md": skill_md("a")})
    (tmp_path / "x").symlink_to(tmp_path / "y")
    (tmp_path / "y").symlink_to(tmp_path / "x")
    found = discover([tmp_path])
    assert [d.path.name for d in found.skill_dirs] == ["a"]
    assert {d.rule for d in found.diagnostics} == {"symlink-loop"}


def test_symlink_out_of_root_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"evil/SKILL.md": skill_md("evil")})
    root = tmp_path / "root"
    write_tree(root, {"a/SKILL.md": skill_md("a")})
    (root / "escape").symlink_to(outside)
    (root / "a" / "leak.md").symlink_to(outside / "evil" / "SKILL.md")
    found = discover([root])
    assert [d.path.name for d in found.skill_dirs] == ["a"]
    assert found.skill_dirs[0].files == ()
    assert {d.rule for d in found.diagnostics} == {"symlink-escape"}


def test_the_same_folder_given_twice_is_found_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/SKILL.md": skill_md("a")})
    assert len(discover([tmp_path, tmp_path / "a"]).skill_dirs) == 1
