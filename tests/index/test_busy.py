"""Another process holding the index: readers wait a bounded time, writers serve what they found."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import loader.index.sqlite
from conftest import SAMPLE_LIBRARY, env_without_debug, write_tree
from loader.index import default_index_path, open_index
from loader.match import match
from loader.runtime.hook_state import log_path


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(loader.index.sqlite._wait, "ms", 200)


def _hold(index: Path, how: str) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(index, isolation_level=None)
    con.execute(f"BEGIN {how}")
    try:
        yield con
    finally:
        con.execute("ROLLBACK")
        con.close()


def test_an_edit_is_served_from_memory_while_another_process_writes(tmp_path: Path, short_wait: None) -> None:
    library = write_tree(tmp_path / "lib", SAMPLE_LIBRARY)
    index_path = tmp_path / "index.sqlite"
    open_index([library], index_path=index_path)
    skill = library / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\n## Signing\n\nSign with a zebra key.\n")
    for _ in _hold(index_path, "IMMEDIATE"):  # another writer: reading works, writing must wait
        index, diagnostics = open_index([library], index_path=index_path)
    assert [d.rule for d in diagnostics] == ["index-busy"] and "being written" in diagnostics[0].message
    assert match(index, "sign with a zebra key").names == ["commit"]  # the edit is seen all the same
    index, diagnostics = open_index([library], index_path=index_path)  # the next open stores it
    assert diagnostics == [] and match(index, "sign with a zebra key").names == ["commit"]


def test_the_hook_gives_up_on_a_held_index_and_lets_the_prompt_through(tmp_path: Path, skills_bin: list[str]) -> None:
    library = write_tree(tmp_path / "lib", SAMPLE_LIBRARY)
    open_index([library])
    event = json.dumps({"session_id": "s1", "prompt": "extract text from a pdf",
                        "hook_event_name": "UserPromptSubmit"}).encode()
    for _ in _hold(default_index_path([library]), "EXCLUSIVE"):  # a writer mid-commit, for longer than 2 s
        done = subprocess.run([*skills_bin, "hook", "--library", str(library)], input=event, capture_output=True,
                              env=env_without_debug(), timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert "being written by another process (waited 2 s)" in log_path().read_text(encoding="utf-8")
