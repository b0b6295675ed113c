"""A FIFO wherever the tool reads a file: a clear error or diagnostic, never a hang (each run has a hang guard)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import env_without_debug, skill_md, write_tree

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
HANG_GUARD_S = 30


def run(skills_bin: list[str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*skills_bin, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env_without_debug(), timeout=HANG_GUARD_S)


def test_a_fifo_as_a_reference_file_is_a_finding(skills_bin: list[str], tmp_path: Path) -> None:
    body = "# PDF\n\nSee [forms](forms.md).\n"
    library = write_tree(tmp_path / "skills", {"pdf/SKILL.md": skill_md("pdf", body=body)})
    os.mkfifo(library / "pdf" / "forms.md")
    done = run(skills_bin, "validate", library, cwd=tmp_path)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    assert run(skills_bin, "index", library, cwd=tmp_path).returncode == 0


def test_a_fifo_as_skill_md_is_a_finding(skills_bin: list[str], tmp_path: Path) -> None:
    library = write_tree(tmp_path / "skills", {"good/SKILL.md": skill_md("good")})
    (library / "bad").mkdir()
    os.mkfifo(library / "bad" / "SKILL.md")
    done = run(skills_bin, "validate", library, cwd=tmp_path)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr


def test_a_fifo_as_the_lock_file_is_exit_2(skills_bin: list[str], tmp_path: Path) -> None:
    skills = tmp_path / ".claude" / "skills"
    skills.mkdir(parents=True)
    os.mkfifo(skills / "skills.lock")
    for command in (["list"], ["verify"]):
        done = run(skills_bin, *command, cwd=tmp_path)
        assert done.returncode == 2 and "skills.lock" in done.stderr, done.stderr[-400:]


def test_a_fifo_as_the_query_file_is_exit_2(skills_bin: list[str], tmp_path: Path) -> None:
    library = write_tree(tmp_path / "skills", {"good/SKILL.md": skill_md("good")})
    os.mkfifo(tmp_path / "queries.jsonl")
    done = run(skills_bin, "eval", tmp_path / "queries.jsonl", "--skills", library, cwd=tmp_path)
    assert done.returncode == 2 and "queries.jsonl" in done.stderr, done.stderr[-400:]


def test_a_fifo_as_an_archive_to_install_is_exit_2(skills_bin: list[str], tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.skill")
    done = run(skills_bin, "install", tmp_path / "pipe.skill", "--project", tmp_path, cwd=tmp_path)
    assert done.returncode == 2 and "pipe.skill" in done.stderr, done.stderr[-400:]
