"""Progress goes to stderr on a terminal only: never with --quiet, never with --format json, never into stdout."""

from __future__ import annotations

import io
import re
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from loader.cli.main import main
from tests.conftest import env_without_debug, skill_md, write_tree


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _run(args: list[str], stderr: io.StringIO) -> tuple[int, str, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(stderr):
        code = main(args)
    return code, out.getvalue(), stderr.getvalue()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {f"skills/s{i}/SKILL.md": skill_md(f"s{i}") for i in range(3)}) / "skills"


@pytest.mark.parametrize(("command", "label"), [
    pytest.param(["report"], "reading skills", id="report"),
    pytest.param(["pack", "--dry-run"], "validating", id="pack"),
    pytest.param(["index", "--index", "{tmp}/i.sqlite"], "indexing", id="index"),
])
def test_a_terminal_sees_progress_and_quiet_or_json_or_a_pipe_do_not(command: list[str], label: str,
                                                                      library: Path, tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + [str(library)]
    code, out, err = _run(args, Terminal())
    assert code == 0 and label in err and label not in out
    for extra, stderr in (["--quiet"], Terminal()), (["-q"], Terminal()), ([], io.StringIO()):
        code, out, err = _run([*args, *extra], stderr)
        assert code == 0 and label not in err, (extra, err)
    if command[0] != "pack":  # pack --dry-run has no JSON output
        code, out, err = _run([*args, "-f", "json"], Terminal())
        assert code == 0 and label not in err and out.lstrip().startswith("{")


def test_install_shows_progress_on_a_terminal(library: Path, tmp_path: Path) -> None:
    code, _, err = _run(["install", str(library), "--project", str(tmp_path / "p")], Terminal())
    assert code == 0 and "checking" in err


def test_verbose_after_the_command_logs_each_step(library: Path, tmp_path: Path, skills_bin: list[str]) -> None:
    args = [*skills_bin, "report", str(library), "--index", str(tmp_path / "i.sqlite")]
    verbose = subprocess.run([*args, "-v"], capture_output=True, text=True, env=env_without_debug(), timeout=60)
    assert verbose.returncode == 0 and re.search(r"^skills: reading skills: \d+ ms$", verbose.stderr, re.M)
    assert "reading skills:" not in verbose.stdout
    plain = subprocess.run(args, capture_output=True, text=True, env=env_without_debug(), timeout=60)
    assert plain.returncode == 0 and "reading skills:" not in plain.stderr


def test_mcp_start_up_indexes_under_the_progress_step(library: Path, tmp_path: Path, skills_bin: list[str]) -> None:
    pytest.importorskip("mcp")
    index = tmp_path / "i.sqlite"
    done = subprocess.run([*skills_bin, "mcp", str(library), "--index", str(index), "-v"], input="",
                          capture_output=True, text=True, env=env_without_debug(), timeout=60)
    assert done.returncode == 0 and re.search(r"^skills: indexing: \d+ ms$", done.stderr, re.M), done.stderr
    assert index.is_file() and done.stdout == ""  # stdout is the protocol's: nothing else goes there
