"""``skills validate``'s start-up path parses its own options: exactly the plain forms, and hands back the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, env_without_debug, skill_md, write_tree
from loader.cli.validate_run import parse_fast


@pytest.mark.parametrize(("args", "paths", "options"), [
    pytest.param([], [], {}, id="nothing"),
    pytest.param(["a", "b"], ["a", "b"], {}, id="paths"),
    pytest.param(["-f", "json", "a"], ["a"], {"format": "json"}, id="short-separate"),
    pytest.param(["-fgithub"], [], {"format": "github"}, id="short-attached"),
    pytest.param(["--format", "json"], [], {"format": "json"}, id="long-separate"),
    pytest.param(["--format=json", "--format=text"], [], {"format": "text"}, id="long-equals-last-wins"),
    pytest.param(["--profile", "agentskills", "--strict"], [], {"profile": "agentskills", "strict": True},
                 id="profile-strict"),
    pytest.param(["a", "--info", "--no-cache", "--changed", "-v", "--quiet"], ["a"],
                 {"info": True, "no_cache": True, "changed": True, "verbose": True, "quiet": True}, id="flags"),
])
def test_plain_command_lines_are_parsed(args: list[str], paths: list[str], options: dict[str, Any]) -> None:
    parsed = parse_fast(args)
    assert parsed is not None
    assert parsed[0] == [Path(p) for p in paths]
    expected = {"format": "text", "profile": "claude-code", "strict": False, "info": False, "changed": False,
                "no_cache": False, "verbose": False, "quiet": False} | options
    assert parsed[1] == expected


@pytest.mark.parametrize("args", [
    pytest.param(["--help"], id="help"), pytest.param(["-h"], id="h"), pytest.param(["--", "a"], id="dashdash"),
    pytest.param(["-"], id="dash"), pytest.param(["--form", "json"], id="abbreviation"),
    pytest.param(["-vq"], id="grouped"), pytest.param(["--format"], id="missing-value"),
    pytest.param(["--format", "-v"], id="option-as-value"), pytest.param(["--format=yaml"], id="bad-choice"),
    pytest.param(["--format="], id="empty-value"), pytest.param(["--strict=yes"], id="flag-with-value"),
    pytest.param(["-f=json"], id="short-equals"), pytest.param(["--profile", "claude"], id="bad-profile"),
    pytest.param(["--unknown"], id="unknown"),
])
def test_anything_else_goes_to_the_full_cli(args: list[str]) -> None:
    assert parse_fast(args) is None


def test_a_validate_run_imports_no_logging(tmp_path: Path) -> None:
    # The start-up path configures no logging because nothing a validate run imports logs; if
    # that changes, configure it in loader.cli.validate_run.fast_main (as the typer callback does).
    write_tree(tmp_path / "lib", {"good/SKILL.md": skill_md("good"),
                                  "bad/SKILL.md": "---\nname: Bad_Name\ndescription: x\n---\n[x](missing.md)\n"})
    env = env_without_debug() | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for first in (True, False):  # checked (jsonschema for the bad frontmatter), then from the cache
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "from loader.cli.entry import run; run()",
                               "validate", str(tmp_path / "lib"), str(REPO / "skills")], capture_output=True,
                              text=True, env=env, timeout=120, cwd=tmp_path)
        assert done.returncode == 1, done.stderr[-2000:]
        modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import")}
        assert ("jsonschema" in modules) is first and "loader.validate.load" in modules
        assert "logging" not in modules
