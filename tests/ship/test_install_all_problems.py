"""install checks every archive before refusing, names them all, and with --force skips exactly those."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import skill_md, write_tree


def _archives(cli: Callable[..., Any], tmp_path: Path) -> Path:
    write_tree(tmp_path, {f"skills/{name}/SKILL.md": skill_md(name, "Use when " + "x" * 1100)
                          for name in ("long-one", "long-two")})
    write_tree(tmp_path, {"skills/fine/SKILL.md": skill_md("fine")})
    assert cli("pack", tmp_path / "skills", "--force", "-o", tmp_path / "dist").code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "broken.skill", "w") as zf:  # no frontmatter: cannot work at all
        zf.writestr("broken/SKILL.md", "# no frontmatter\n")
    return tmp_path / "dist"


def test_install_names_every_skill_that_does_not_validate(cli: Callable[..., Any], tmp_path: Path) -> None:
    dist = _archives(cli, tmp_path)
    archives = sorted(dist.glob("*.skill"))
    result = cli("install", *archives, "--project", tmp_path / "p")
    assert result.code == 2
    assert "3 of 4 skills do not validate" in result.err
    for name in ("long-one", "long-two", "broken"):
        assert f"{name}.skill: skill '{name}'" in result.err
    assert not (tmp_path / "p" / ".claude" / "skills" / "fine").exists()


def test_force_skips_exactly_the_skills_that_cannot_work(cli: Callable[..., Any], tmp_path: Path) -> None:
    dist = _archives(cli, tmp_path)
    result = cli("install", *sorted(dist.glob("*.skill")), "--project", tmp_path / "p", "--force")
    assert result.code == 0, result.err
    installed = sorted(p.name for p in (tmp_path / "p" / ".claude" / "skills").iterdir() if p.is_dir()
                       and not p.name.startswith("."))
    assert installed == ["fine", "long-one", "long-two"]
    assert result.err.count("skipped ") == 1 and "broken.skill" in result.err
