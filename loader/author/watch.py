"""Watch stage: turn filesystem events under skill roots into debounced per-skill changes.

Guarantees: bursts of events (editors' temp-file-and-rename saves, ``git checkout``) are
folded into one batch after ``debounce`` seconds of quiet; every batch names whole skill
folders (added, changed or removed), including folders moved, deleted and recreated, and a
root that disappears and comes back. The core never prints: it calls ``on_change`` on its
own thread with a ``WatchBatch`` (``loader.author.changes``). ``loader.author.live`` builds
re-validation on top of this.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from pathlib import Path

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from loader.author.changes import (
    ChangeKind,
    SkillEvent,
    WatchBatch,
    WatchUnavailableError,
    skill_folders,
    skipped,
    watch_roots,
)
from loader.author.watch_events import EventHandler, OverflowListener
from loader.core.errors import PathNotFoundError
from loader.validate.discover import discover
from loader.validate.layout import SKILL_FILE

log = logging.getLogger("loader")

# watchdog's inotify emitter warns from its own thread when folders are created in quick
# succession (it re-registers the same callback); the watch is unaffected, so keep it quiet.
warnings.filterwarnings("ignore", message=r"Callback with id .* already exists", category=RuntimeWarning)

DEFAULT_DEBOUNCE = 0.1
"""Seconds of quiet before a batch is processed: covers an editor's write-temp-then-rename save."""
MAX_WAIT_FACTOR = 10
"""A never-quiet stream is still processed every ``debounce * MAX_WAIT_FACTOR`` seconds (at least 1 s)."""
ROOT_POLL = 0.5
"""How often a root that disappeared is looked for again."""
class Watcher:
    """A running watch. Stop it with ``stop()`` (or use it as a context manager)."""

    def __init__(self, roots: Sequence[Path], on_change: Callable[[WatchBatch], None], *,
                 debounce: float = DEFAULT_DEBOUNCE, on_error: Callable[[BaseException], None] | None = None,
                 known: Iterable[Path] | None = None, observer: BaseObserver | None = None) -> None:
        """Prepare a watch (``start`` begins it).

        Args:
            roots: resolved folders to watch (see ``watch_roots``).
            on_change: called on the watcher's thread with each batch.
            debounce: seconds of quiet before a burst is processed.
            on_error: receives exceptions raised by ``on_change`` (default: logged).
            known: the skill folders the caller already knows (default: found now); skills
                added or removed since the caller looked are reported once the watch starts.
            observer: a watchdog observer to use instead of the platform default.
        """
        self.roots = tuple(roots)
        self.debounce = max(0.0, debounce)
        self._on_change = on_change
        self._on_error = on_error
        self._observer = observer or Observer()
        self._watches: dict[Path, ObservedWatch | None] = {}
        self._known: set[Path] = set(known) if known is not None else skill_folders(self.roots)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pending: dict[Path, bool] = {}
        self._first = self._last = 0.0
        self._thread = threading.Thread(target=self._run, name="skillpack-watch", daemon=True)
        self._overflow = OverflowListener(self)

    def start(self) -> Watcher:
        """Begin observing; events from now on are reported."""
        try:
            for root in self.roots:
                self._watches[root] = self._observer.schedule(EventHandler(self), str(root), recursive=True)
            self._observer.start()
        except OSError as exc:  # typically the inotify watch limit (fs.inotify.max_user_watches)
            raise WatchUnavailableError(roots=self.roots, reason=exc.strerror or str(exc)) from exc
        self._overflow.attach()
        self._thread.start()
        missed = self._known.symmetric_difference(skill_folders(self.roots))
        self.notify((folder, True) for folder in missed)  # appeared or vanished before we watched
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop observing and wait for a batch being processed to finish."""
        self._stopping.set()
        self._wake.set()
        self._overflow.detach()
        try:
            self._observer.stop()
            if self._observer.is_alive():
                self._observer.join(timeout)
        finally:
            if self._thread.is_alive() and threading.current_thread() is not self._thread:
                self._thread.join(timeout)

    def is_alive(self) -> bool:
        """True until ``stop`` was called (or the worker died)."""
        return self._thread.is_alive() and not self._stopping.is_set()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def notify(self, changes: Iterable[tuple[Path, bool]]) -> None:
        """Record changed paths (``(path, is_directory)``); the worker folds them into a batch."""
        now = time.monotonic()
        with self._lock:
            for path, is_dir in changes:
                if not self._pending:
                    self._first = now
                self._pending[path] = self._pending.get(path, False) or is_dir
            self._last = now
            self._wake.set()

    def rescan(self) -> None:
        """Treat every root as changed: the next batch reports what differs from what is known."""
        self.notify((root, True) for root in self.roots)

    def _schedule(self, root: Path) -> None:
        try:
            self._watches[root] = self._observer.schedule(EventHandler(self), str(root), recursive=True)
        except OSError as exc:
            log.info("cannot watch %s yet: %s", root, exc)
            self._watches[root] = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # never die silently: log it, rescan, and go on watching
                log.exception("the skill watcher failed; rescanning")
                self._stopping.wait(ROOT_POLL)
                self.rescan()

    def _step(self) -> None:
        """Wait for changes, then deliver one batch once the burst is over."""
        while not self._stopping.is_set():
            self._wake.wait(ROOT_POLL)
            if self._stopping.is_set():
                return
            self._check_roots()
            with self._lock:
                if not self._pending:
                    self._wake.clear()
                    continue
                now = time.monotonic()
                wait = self._last + self.debounce - now
                if wait > 0 and now - self._first < max(1.0, self.debounce * MAX_WAIT_FACTOR):
                    pending = None
                else:
                    pending, first = self._pending, self._first
                    self._pending = {}
                    self._wake.clear()
            if pending is None:
                self._stopping.wait(wait)
                continue
            self._deliver(pending, first)

    def _deliver(self, pending: dict[Path, bool], first: float) -> None:
        try:
            events = self._resolve(pending)
            if events:
                self._on_change(WatchBatch(events, first))
        except Exception as exc:  # a callback bug must not kill the watch
            if self._on_error is not None:
                self._on_error(exc)
            else:
                log.exception("watch callback failed")

    def _check_roots(self) -> None:
        """Re-schedule a root that was deleted and has come back, or whose emitter died, and rescan it."""
        dead = {e.watch for e in getattr(self._observer, "emitters", ()) if not e.is_alive()}
        for root, handle in list(self._watches.items()):
            if handle is not None and handle in dead and root.is_dir():  # watchdog's thread crashed
                log.warning("the file watcher of %s stopped; watching it again", root)
                with suppress(KeyError, OSError):
                    self._observer.unschedule(handle)
                self._schedule(root)
                self.notify([(root, True)])
                continue
            if handle is not None and not root.is_dir():
                try:
                    self._observer.unschedule(handle)
                except (KeyError, OSError):  # the emitter may already have gone with the folder
                    pass
                self._watches[root] = None
                self.notify([(root, True)])
            elif handle is None and root.is_dir():
                self._schedule(root)
                if self._watches[root] is not None:
                    self.notify([(root, True)])

    def _root_of(self, path: Path) -> Path | None:
        for root in self.roots:
            if path == root or root in path.parents:
                return None if skipped(path, root) else root
        return None

    def _resolve(self, pending: dict[Path, bool]) -> tuple[SkillEvent, ...]:
        """Map changed paths to the skill folders they belong to, and say what happened to each."""
        touched: dict[Path, Path] = {}
        for path, is_dir in pending.items():
            root = self._root_of(path)
            if root is None:
                continue
            for known in self._known:  # folders deleted or moved away, with skills inside
                if known == path or path in known.parents:
                    touched[known] = root
            owner = self._owner(path if is_dir else path.parent, root)
            if owner is not None:
                touched[owner] = root
            elif is_dir and path.is_dir():  # a folder created or moved in: it may hold skills
                try:
                    found = discover([path]).skill_dirs
                except PathNotFoundError:
                    found = ()
                touched.update((d.path, root) for d in found)
        events = []
        for folder, root in sorted(touched.items()):
            exists = (folder / SKILL_FILE).is_file()
            if exists:
                kind = ChangeKind.CHANGED if folder in self._known else ChangeKind.ADDED
                self._known.add(folder)
            elif folder in self._known:
                kind = ChangeKind.REMOVED
                self._known.discard(folder)
            else:
                continue
            events.append(SkillEvent(kind, folder, root))
        return tuple(events)

    def _owner(self, folder: Path, root: Path) -> Path | None:
        """The skill folder ``folder`` is (or is inside): the nearest one, up to the root."""
        while True:
            if folder in self._known or (folder / SKILL_FILE).is_file():
                return folder
            if folder == root or root not in folder.parents:
                return None
            folder = folder.parent


def watch(paths: Sequence[Path], on_change: Callable[[WatchBatch], None], *, debounce: float = DEFAULT_DEBOUNCE,
          on_error: Callable[[BaseException], None] | None = None) -> Watcher:
    """Start watching ``paths`` (folders of skills, or skill folders) and return the running handle.

    ``on_change`` runs on the watcher's thread, once per debounced burst, with the skill
    folders that were added, changed or removed. Exceptions it raises go to ``on_error``
    (default: logged) and the watch goes on.

    Raises:
        PathNotFoundError: a path does not exist.
    """
    return Watcher(watch_roots(paths), on_change, debounce=debounce, on_error=on_error).start()
