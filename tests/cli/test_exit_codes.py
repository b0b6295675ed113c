"""What the machine refuses (names too long, a lock nested thousands deep) is exit 2 naming the file, not exit 3."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import env_without_debug, skill_md

LONG = "a" * 4200


def run(skills_bin: list[str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*skills_bin, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env_without_debug(), timeout=60)


@pytest.mark.parametrize("command", [["validate"], ["index"], ["match", "hello", "--skills"], ["report"]],
                         ids=["validate", "index", "match-fast-path", "report"])
def test_a_path_too_long_for_the_system_is_exit_2(skills_bin: list[str], tmp_path: Path, command: list[str]) -> None:
    done = run(skills_bin, *command, tmp_path / LONG, cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr and len(done.stderr) < 1000


def test_a_lock_file_nested_thousands_deep_is_exit_2(skills_bin: list[str], tmp_path: Path) -> None:
    skills = tmp_path / ".claude" / "skills"
    skills.mkdir(parents=True)
    (skills / "skills.lock").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for command in (["list"], ["verify"]):
        done = run(skills_bin, *command, cwd=tmp_path)
        assert done.returncode == 2 and "nested too deeply" in done.stderr, done.stderr[-500:]


def test_an_archive_entry_name_too_long_to_extract_is_exit_2_and_installs_nothing(
        skills_bin: list[str], tmp_path: Path) -> None:
    archive = tmp_path / "long.skill"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("long/SKILL.md", skill_md("long"))
        zf.writestr(f"long/references/{'r' * 300}.md", "# Too long a name for most file systems\n")
    project = tmp_path / "project"
    project.mkdir()
    done = run(skills_bin, "install", archive, "--project", project, cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-500:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (project / ".claude" / "skills" / "long").exists()
