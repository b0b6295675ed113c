"""Session memory under concurrency: hooks of one session running at once all leave their record."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from loader.runtime.hook_state import SessionMemory


def _remember(root: str, name: str) -> None:
    SessionMemory("session-1", "/library", root=Path(root)).remember({name: f"hash-{name}"})


def test_concurrent_hooks_of_one_session_remember_every_skill(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    names = [f"skill-{i:02d}" for i in range(16)]
    for _ in range(3):
        processes = [context.Process(target=_remember, args=(str(tmp_path), name)) for name in names]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=30)
        sent = SessionMemory("session-1", "/library", root=tmp_path).sent()
        assert sorted(sent) == names and all(sent[n] == f"hash-{n}" for n in names)
        SessionMemory("session-1", "/library", root=tmp_path).forget()
