"""The console entry point: fast paths answer without importing the full CLI, and behave the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, env_without_debug, skill_md, write_tree

SKILLS = REPO / "skills"
PROBE = (  # fast paths end with os._exit (loader.cli.entry.exit_now), the full CLI with SystemExit
    "import os, sys; sys.argv = ['skills', *sys.argv[1:]]\n"
    "def report():\n    heavy = sorted(m for m in ('typer', 'jsonschema') if m in sys.modules)\n"
    "    sys.stderr.write('MODULES ' + ' '.join(heavy)); sys.stderr.flush()\n"
    "real_exit = os._exit\n"
    "def probe_exit(code):\n    report(); real_exit(code)\n"
    "os._exit = probe_exit\n"
    "from loader.cli.entry import run\n"
    "try:\n    run()\n"
    "finally:\n    report()"
)


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = env_without_debug() | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)


def test_match_fast_path_skips_typer_and_matches_the_full_cli(tmp_path: Path) -> None:
    _run("index", str(SKILLS), tmp_path=tmp_path)  # warm the index
    fast = _run("match", "review this pull request before I merge it", "--skills", str(SKILLS), "-f", "json",
                tmp_path=tmp_path)
    assert fast.returncode == 0, fast.stderr
    assert fast.stderr.strip().endswith("MODULES")  # neither typer nor jsonschema was imported
    document = json.loads(fast.stdout)
    assert document["schema_version"] == 1
    assert document["loaded"][0]["skill"] == "pr-review"


def test_match_help_and_bad_options_go_to_the_full_cli(tmp_path: Path) -> None:
    help_run = _run("match", "--help", tmp_path=tmp_path)
    assert help_run.returncode == 0 and "--explain" in help_run.stdout
    bad = _run("match", "x", "--top-k", "0", "--skills", str(SKILLS), tmp_path=tmp_path)
    assert bad.returncode == 2 and "--top-k" in bad.stderr and "usage: skills [" not in bad.stderr


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    # 400 skills with a warning each print far more than a pipe buffer holds.
    write_tree(tmp_path / "lib", {f"s{i}/SKILL.md": skill_md(f"s{i}", extra="colour: blue\n") for i in range(400)})
    proc = subprocess.Popen([sys.executable, "-c", PROBE, "validate", str(tmp_path / "lib")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env_without_debug(), cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 1  # click's code for a closed pipe; the fast paths use the same
    assert "Traceback" not in proc.stderr.read().decode()
