"""Start-up: each command imports only what it uses, recorded with ``python -X importtime``.

``-X importtime`` lists every module a process imported (on stderr), so these tests see the
real console entry point's imports, including ones a fast path pulls in indirectly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, env_without_debug, skill_md, write_tree

SKILLS = REPO / "skills"
ENTRY = "from loader.cli.entry import run; run()"
HEAVY = ("jsonschema", "jinja2", "watchdog", "mcp", "typer", "click", "rich", "yaml")
"""Top-level packages a command may only import when it needs them."""


def _imported(*args: str, tmp_path: Path, stdin: str = "") -> tuple[set[str], subprocess.CompletedProcess[str]]:
    env = env_without_debug() | {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "st")}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", ENTRY, *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path, input=stdin)
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert "loader.cli.entry" in modules, done.stderr[-2000:]
    return {m.split(".")[0] for m in modules if not m.startswith("loader")} | {m for m in modules if
                                                                                m.startswith("loader")}, done


def _heavy(modules: set[str]) -> set[str]:
    return modules & set(HEAVY)


@pytest.mark.parametrize(("args", "allowed"), [
    pytest.param(("--version",), set(), id="version"),
    pytest.param(("rules",), set(), id="rules"),
    pytest.param(("rules", "-f", "json"), set(), id="rules-json"),
    pytest.param(("--help",), {"typer", "click", "rich"}, id="help"),
    pytest.param(("validate", "--help"), {"typer", "click", "rich"}, id="validate-help"),
    pytest.param(("match", "review this pull request", "--skills", str(SKILLS)), {"yaml"}, id="match"),
    pytest.param(("validate", str(SKILLS), "-q"), {"yaml"}, id="validate-quiet"),  # -v/-q after the command
    pytest.param(("match", "review this pull request", "-s", str(SKILLS), "-q"), {"yaml"}, id="match-quiet"),
])
def test_a_command_imports_no_heavy_module_it_does_not_use(args: tuple[str, ...], allowed: set[str],
                                                           tmp_path: Path) -> None:
    if args[0] == "match":
        _imported("index", str(SKILLS), tmp_path=tmp_path)  # a warm index: the case the fast path is for
    modules, done = _imported(*args, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _heavy(modules) <= allowed, f"skills {' '.join(args)} imported {sorted(_heavy(modules) - allowed)}"


def test_the_hook_imports_no_heavy_module(tmp_path: Path) -> None:
    _imported("index", str(SKILLS), tmp_path=tmp_path)  # a warm index, as `skills hook install` leaves it
    event = {"session_id": "s1", "transcript_path": "/dev/null", "cwd": str(tmp_path),
             "hook_event_name": "UserPromptSubmit", "prompt": "review this pull request before I merge it"}
    modules, done = _imported("hook", "--library", str(SKILLS), tmp_path=tmp_path, stdin=json.dumps(event))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pr-review" in done.stdout
    assert _heavy(modules) == set()


def test_validate_imports_what_checking_needs_and_nothing_for_other_commands(tmp_path: Path) -> None:
    modules, done = _imported("validate", str(SKILLS), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "yaml" in modules
    assert _heavy(modules) == {"yaml"}  # valid frontmatter never needs jsonschema; plain options never need typer
    # Other commands' stages stay out of a validate run.
    assert not {m for m in modules if m.startswith(("loader.ship", "loader.report", "loader.author",
                                                    "loader.runtime", "loader.usage", "loader.index"))}
    cached, done = _imported("validate", str(SKILLS), tmp_path=tmp_path)
    assert done.returncode == 0
    assert _heavy(cached) == set()  # every result came from the cache: nothing was parsed


def test_validate_imports_jsonschema_for_the_detailed_errors_of_invalid_frontmatter(tmp_path: Path) -> None:
    write_tree(tmp_path / "lib", {"bad/SKILL.md": "---\nname: Bad_Name\ndescription: x\n---\nBody.\n"})
    modules, done = _imported("validate", str(tmp_path / "lib"), tmp_path=tmp_path)
    assert done.returncode == 1 and "schema-pattern" in done.stdout
    assert _heavy(modules) == {"yaml", "jsonschema"}


def test_the_fast_paths_print_what_the_full_cli_prints(tmp_path: Path, cli: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where the subprocesses run: paths are shown relative to it
    write_tree(tmp_path / "lib", {"bad/SKILL.md": "---\nname: Bad_Name\ndescription: x\ncolour: red\n---\n",
                                  "good/SKILL.md": skill_md("good", extra="colour: red\n")})
    lib = str(tmp_path / "lib")
    cases = [("--version",), ("rules",), ("rules", "-f", "json"), ("rules", "--format=json"),
             ("validate", str(SKILLS)), ("validate", lib), ("validate", lib, "-f", "json"),
             ("validate", "--format", "github", lib), ("validate", lib, "--strict", "--profile", "agentskills"),
             ("validate", lib, "--info", "--no-cache"), ("validate", str(tmp_path / "missing")),
             ("validate", "--changed", lib + "/good/SKILL.md"), ("validate", lib, "-q"),
             ("validate", "-v", lib, "--no-cache")]
    for args in cases:
        _, fast = _imported(*args, tmp_path=tmp_path)
        full = cli(*args)
        assert (fast.returncode, fast.stdout, fast.stderr.count("error:")) == (full.code, full.out,
                                                                              full.err.count("error:")), args
