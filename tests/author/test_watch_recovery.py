"""The watcher survives lost events, its own failures and a dead watchdog thread: it rescans and goes on."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import skill_md, write_tree
from loader.author.changes import ChangeKind, WatchBatch
from loader.author.watch import Watcher

TIMEOUT = 10.0


class Emitter:
    """A watchdog emitter that delivers nothing (its events are lost), alive until told otherwise."""

    def __init__(self, watch: object) -> None:
        self.watch, self.alive = watch, True

    def is_alive(self) -> bool:
        return self.alive


class DeafObserver:
    """Stands in for watchdog's observer: schedules watches, delivers no event (as after an overflow)."""

    def __init__(self) -> None:
        self.emitters: set[Emitter] = set()
        self.scheduled = 0

    def schedule(self, *args: object, **kwargs: object) -> object:
        self.scheduled += 1
        handle = object()
        self.emitters.add(Emitter(handle))
        return handle

    def unschedule(self, handle: object) -> None:
        self.emitters = {e for e in self.emitters if e.watch is not handle}

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def is_alive(self) -> bool:
        return False


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})


@pytest.fixture
def batches() -> queue.Queue[WatchBatch]:
    return queue.Queue()


@pytest.fixture
def deaf(root: Path, batches: queue.Queue[WatchBatch]) -> Iterator[tuple[Watcher, DeafObserver]]:
    observer = DeafObserver()
    watcher = Watcher([root], batches.put, debounce=0.05, observer=observer)  # type: ignore[arg-type]
    watcher.start()
    yield watcher, observer
    watcher.stop()


def _kinds(batch: WatchBatch) -> dict[str, ChangeKind]:
    return {event.path.name: event.kind for event in batch.events}


def test_an_overflow_of_the_kernel_queue_makes_the_watcher_rescan(
        root: Path, deaf: tuple[Watcher, DeafObserver], batches: queue.Queue[WatchBatch]) -> None:
    write_tree(root, {"beta/SKILL.md": skill_md("beta")})  # its events are lost
    assert batches.empty()
    logging.getLogger("watchdog.observers.inotify").warning("Inotify queue overflowed; reconciling recursive "
                                                            "watches below %r", str(root))
    batch = batches.get(timeout=TIMEOUT)
    assert _kinds(batch)["beta"] is ChangeKind.ADDED


def test_a_failure_inside_the_watcher_is_logged_and_the_watch_goes_on(
        root: Path, deaf: tuple[Watcher, DeafObserver], batches: queue.Queue[WatchBatch],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    watcher, _ = deaf
    real = watcher._resolve
    calls = {"n": 0}

    def broken_once(pending: dict[Path, bool]) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("a bug")
        return real(pending)

    monkeypatch.setattr(watcher, "_resolve", broken_once)
    monkeypatch.setattr(watcher, "_deliver", lambda pending, first: batches.put(WatchBatch(watcher._resolve(pending),
                                                                                          first)))
    write_tree(root, {"gamma/SKILL.md": skill_md("gamma")})
    with caplog.at_level(logging.ERROR, logger="loader"):
        watcher.rescan()
        batch = batches.get(timeout=TIMEOUT)
    assert "gamma" in _kinds(batch) and watcher.is_alive()
    assert any("rescanning" in record.getMessage() for record in caplog.records)


def test_a_dead_watchdog_thread_is_replaced_and_the_root_rescanned(
        root: Path, deaf: tuple[Watcher, DeafObserver], batches: queue.Queue[WatchBatch]) -> None:
    _, observer = deaf
    write_tree(root, {"delta/SKILL.md": skill_md("delta")})
    for emitter in observer.emitters:
        emitter.alive = False  # watchdog's inotify thread died (it once did with a KeyError)
    batch = batches.get(timeout=TIMEOUT)
    assert _kinds(batch)["delta"] is ChangeKind.ADDED and observer.scheduled == 2
