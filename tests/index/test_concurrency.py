"""Concurrent writers never corrupt the index, and readers keep matching while they write."""

from __future__ import annotations

from pathlib import Path

from stress import run, soundness_problems, write_library


def test_concurrent_writers_and_readers_leave_a_sound_index(tmp_path: Path) -> None:
    root, index = tmp_path / "lib", tmp_path / "index.sqlite"
    write_library(root, 60)
    outcome = run(root, index, seconds=4, writers=4, readers=2)
    assert outcome.errors == []
    assert outcome.runs["write"] > 4 and outcome.runs["read"] > 2
    assert soundness_problems(root, index) == []
