"""A read-only library (a shared checkout, CI's copy of the corpus) is never written into.

As root, ``os.access`` says every path is writable, so this runs the real commands against a
tree with every write bit removed and checks that not one file or folder changed.
"""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug, skill_md, write_tree


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.lstat().st_mode, path.lstat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def _set_writable(root: Path, writable: bool) -> None:
    paths = [root, *root.rglob("*")]
    for path in sorted(paths, reverse=not writable):
        mode = path.lstat().st_mode
        bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~bits)


@pytest.fixture
def readonly_library(tmp_path: Path) -> Iterator[Path]:
    library = write_tree(tmp_path / "library", {
        "invoice-parsing/SKILL.md": skill_md(
            "invoice-parsing",
            "Extracts totals, dates and vendors from PDF invoices. Use when the user asks to parse invoices.",
        ),
        "release-notes/SKILL.md": skill_md("release-notes"),
        "queries.jsonl": json.dumps({"query": "parse the totals from these invoices", "expected": ["invoice-parsing"]})
        + "\n",
    })
    _set_writable(library, False)
    try:
        yield library
    finally:
        _set_writable(library, True)


def test_commands_never_write_into_a_readonly_library(readonly_library: Path, cli: Callable[..., CliResult],
                                                      skills_bin: list[str]) -> None:
    before = _snapshot(readonly_library)
    queries = readonly_library / "queries.jsonl"
    for args in (
        ("validate", readonly_library),
        ("index", readonly_library),
        ("match", "parse the totals from these invoices", "--skills", readonly_library),
        ("context", "parse the totals from these invoices", "--skills", readonly_library),
        ("eval", queries, "--skills", readonly_library),
        ("report", readonly_library, "--queries", queries),
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.out, result.err)
    event = {"session_id": "s1", "transcript_path": "/dev/null", "cwd": str(readonly_library),
             "hook_event_name": "UserPromptSubmit", "prompt": "parse the totals from these invoices"}
    hook = subprocess.run([*skills_bin, "hook", "--library", str(readonly_library)], input=json.dumps(event),
                          capture_output=True, text=True, env=env_without_debug(), timeout=60)
    assert hook.returncode == 0
    assert "invoice-parsing" in hook.stdout
    assert _snapshot(readonly_library) == before
    assert not any(child.name.startswith(".skillpack") for child in readonly_library.iterdir())
