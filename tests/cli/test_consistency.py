"""One spelling per concept: the library, --format/-f, --index, --quiet/-q and --verbose/-v on every command."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from loader.cli.main import app
from tests.conftest import env_without_debug, skill_md, write_tree

ROOT = typer.main.get_command(app)
LIBRARY_BY_PATH = ("validate", "dev", "index", "report", "pack", "mcp")
"""Commands about a library: it is the positional PATH..."""
LIBRARY_BY_OPTION = ("match", "context", "eval", "usage", "calibrate", "hook install")
"""Commands about something else (a prompt, transcripts) that read a library: --skills/-s."""


def _command(path: str) -> Any:
    command = ROOT
    for name in path.split():
        command = command.get_command(typer.Context(command), name)
    return command


def _options(path: str) -> dict[str, tuple[str, ...]]:
    """Each option's long name -> all its spellings."""
    found = {}
    for param in _command(path).params:
        opts = tuple(getattr(param, "opts", ())) + tuple(getattr(param, "secondary_opts", ()))
        longs = [o for o in opts if o.startswith("--")]
        if getattr(param, "param_type_name", "") == "option" and longs:
            found[longs[0]] = opts
    return found


def _all_commands() -> list[str]:
    names = []
    for name in ROOT.list_commands(typer.Context(ROOT)):
        command = ROOT.get_command(typer.Context(ROOT), name)
        if hasattr(command, "list_commands"):
            names += [f"{name} {sub}" for sub in command.list_commands(typer.Context(command))]
        else:
            names.append(name)
    return names


@pytest.mark.parametrize("path", LIBRARY_BY_PATH)
def test_library_commands_take_the_library_as_path(path: str) -> None:
    arguments = [p for p in _command(path).params if getattr(p, "param_type_name", "") == "argument"]
    assert [a.metavar for a in arguments] == ["PATH"] and arguments[0].nargs == -1
    assert "--skills" not in _options(path) and "--library" not in _options(path)
    if path in ("index", "report", "dev", "mcp"):  # the commands that read or write an index
        assert "--index" in _options(path)


@pytest.mark.parametrize("path", LIBRARY_BY_OPTION)
def test_other_library_readers_take_skills_s(path: str) -> None:
    options = _options(path)
    assert "--skills" in options and "-s" in options["--skills"]
    if path != "hook install":
        assert "--library" not in options
    assert "--index" in options or path == "hook install"


@pytest.mark.parametrize("path", _all_commands())
def test_shared_options_are_spelled_the_same_everywhere(path: str) -> None:
    options = _options(path)
    assert options.get("--verbose") == ("--verbose", "-v")
    assert options.get("--quiet") == ("--quiet", "-q")
    if "--format" in options:
        assert options["--format"] == ("--format", "-f")
    if "--index" in options:
        assert options["--index"] == ("--index",)
    short = [o for opts in options.values() for o in opts if not o.startswith("--")]
    assert len(short) == len(set(short)), short


def test_verbose_and_quiet_work_after_the_command(cli: Callable[..., Any], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/pdf-forms/SKILL.md": skill_md("pdf-forms")})
    index = tmp_path / "i.sqlite"
    for args in (("report", tmp_path / "skills", "--index", tmp_path / "r.sqlite", "-v"),
                 ("index", tmp_path / "skills", "--index", index, "-q"),
                 ("match", "fill a pdf form", "-s", tmp_path / "skills", "--index", index, "-v"),
                 ("validate", tmp_path / "skills", "--quiet")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
    assert (tmp_path / "r.sqlite").is_file()  # report built its index where --index said


def test_hook_takes_skills_and_the_old_library_spelling(skills_bin: list[str], tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/pdf-forms/SKILL.md": skill_md(
        "pdf-forms", "Fill in PDF forms field by field. Use when the user asks to fill a PDF form.")})
    outputs = []
    for flag in ("--skills", "-s", "--library", "-l"):  # a new session each time: a session loads a skill once
        event = f'{{"hook_event_name": "UserPromptSubmit", "session_id": "{flag}", "prompt": "fill in this pdf form"}}'
        run = subprocess.run([*skills_bin, "hook", flag, str(tmp_path / "skills")], input=event, text=True,
                             capture_output=True, env=env_without_debug(), cwd=tmp_path, timeout=60)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert all("pdf-forms" in out for out in outputs), outputs


def test_quiet_silences_match_warnings_on_both_paths(cli: Callable[..., Any], skills_bin: list[str],
                                                      tmp_path: Path) -> None:
    write_tree(tmp_path, {"skills/pdf-forms/SKILL.md": skill_md("pdf-forms"), "skills/bad/SKILL.md": "# none\n"})
    args = ["match", "fill a pdf form", "-s", str(tmp_path / "skills"), "--index", str(tmp_path / "i.sqlite")]
    loud = subprocess.run([*skills_bin, *args], capture_output=True, text=True, env=env_without_debug(), timeout=60)
    assert "indexing warning" in loud.stderr
    fast = subprocess.run([*skills_bin, *args, "-q"], capture_output=True, text=True, env=env_without_debug(),
                          timeout=60)
    assert fast.returncode == 0 and fast.stderr == "" and "pdf-forms" in fast.stdout
    full = cli("--quiet", *args)  # before the command: the full CLI
    assert full.code == 0 and full.err == "" and "pdf-forms" in full.out
