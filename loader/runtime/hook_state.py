"""The hook's small on-disk state: per-session memory of skills already sent, and the failure log.

Guarantees: stdlib only (the hook imports this on every prompt); every write is atomic (temp
file in the same folder + ``os.replace``); every file is bounded (entries per session, number
of session files, log size), and a corrupt or oversized state file is treated as empty, never
trusted and never fatal; a FIFO or device in place of a state or log file is skipped, never
opened in a way that could block. Nothing here ever raises on bad state: the hook must fail open.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress

from loader.core.atomic import write_text
from loader.core.digest import hex_key
from loader.core.locks import lock_within
from loader.core.regular import NotARegularFileError, open_regular_fd, read_up_to
from loader.core.userdirs import state_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

MAX_SKILLS_PER_SESSION = 500
"""Oldest entries are dropped beyond this, so a very long session cannot grow its file forever."""
MAX_SESSION_FILES = 200
"""Sessions kept; the least recently used are pruned first."""
MAX_SESSION_AGE_S = 14 * 24 * 3600
"""Sessions untouched for longer than this are pruned."""
MAX_STATE_BYTES = 256 * 1024
"""A session file larger than this is ignored (it cannot have been written by us)."""
MAX_LOG_BYTES = 512 * 1024
"""The log is rotated to ``hook.log.1`` past this size, so it never grows without bound."""

LOCK_WAIT_S = 1.0
"""Longest a hook waits for another hook of the same session to record what it sent."""
_FORMAT = 1


def _open_regular(path: str, flags: int, mode: int = 0o666) -> int | None:
    """A descriptor on ``path`` (see ``loader.core.regular``), or ``None`` when it is not a regular file.

    Raises:
        OSError: the file cannot be opened (missing, no permission).
    """
    try:
        return open_regular_fd(path, flags, mode)
    except NotARegularFileError:
        return None


def log_path() -> Path:
    """Where the hook writes one line per problem."""
    from pathlib import Path

    return Path(log_file())


def log_file() -> str:
    """:func:`log_path` as a string (the hook's path does not import pathlib)."""
    return os.path.join(state_folder(), "hook.log")


def log_line(message: str, *, path: Path | str | None = None) -> None:
    """Append one timestamped line to the hook log; never raises (logging must not break fail-open)."""
    target = os.fspath(path) if path is not None else log_file()
    line = " ".join(message.split())[:1000]  # one line, bounded, whatever the message holds
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    # backslashreplace: a lone surrogate (e.g. in a session id) is logged as \ud800, not fatal
    data = f"{stamp} {line}\n".encode("utf-8", "backslashreplace")
    try:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        try:
            if os.stat(target).st_size > MAX_LOG_BYTES:
                os.replace(target, target + ".1")
        except FileNotFoundError:
            pass
        fd = _open_regular(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        if fd is not None:
            with os.fdopen(fd, "ab") as handle:
                handle.write(data)
    except (OSError, ValueError):
        pass


class SessionMemory:
    """What this hook already sent in one Claude Code session, as ``skill name -> fingerprint``.

    A skill is re-sent only when its fingerprint (content hash) changed. The file is keyed by a
    hash of the session id and the library, so two libraries in one session never collide and
    no session id appears in a file name.
    """

    def __init__(self, session_id: str, library: str, *, root: Path | str | None = None) -> None:
        self.folder = os.path.join(os.fspath(root) if root is not None else state_folder(), "sessions")
        # a session id holding a lone surrogate (bad JSON from the caller) still has a key
        key = hex_key(session_id + "\0" + library, 32)
        self.file = os.path.join(self.folder, f"{key}.json")
        """The session's file (strings: the hook's path does not import pathlib)."""

    @property
    def root(self) -> Path:
        """The folder of all sessions' files."""
        from pathlib import Path

        return Path(self.folder)

    @property
    def path(self) -> Path:
        """This session's file."""
        from pathlib import Path

        return Path(self.file)

    def sent(self) -> dict[str, str]:
        """The skills already sent in this session (empty when unknown, corrupt or oversized)."""
        try:
            fd = _open_regular(self.file, os.O_RDONLY)
            if fd is None:
                return {}
            try:
                data = read_up_to(fd, MAX_STATE_BYTES)
            finally:
                os.close(fd)
        except OSError:
            return {}
        if len(data) > MAX_STATE_BYTES:
            return {}
        try:
            doc = json.loads(data)
        except ValueError:
            return {}
        sent = doc.get("sent") if isinstance(doc, dict) and doc.get("format") == _FORMAT else None
        if not isinstance(sent, dict):
            return {}
        return {k: v for k, v in sent.items() if isinstance(k, str) and isinstance(v, str)}

    def remember(self, fingerprints: Mapping[str, str]) -> None:
        """Record newly sent skills (atomically); prunes old sessions when this one is new.

        Read, merge and write happen under one lock on the sessions folder: hooks of one session
        run in parallel (Claude Code starts one per prompt), and without it each wrote back what
        it had read, so 12 concurrent hooks remembered only 3 to 5 of the 12 skills sent.
        """
        with _sessions_lock(self.folder):
            self._merge(fingerprints)

    def _merge(self, fingerprints: Mapping[str, str]) -> None:
        is_new = not os.path.exists(self.file)
        sent = self.sent()
        for name, fingerprint in fingerprints.items():
            sent.pop(name, None)  # re-insert so insertion order is recency order
            sent[name] = fingerprint
        if len(sent) > MAX_SKILLS_PER_SESSION:
            sent = dict(list(sent.items())[-MAX_SKILLS_PER_SESSION:])
        # Private (0600) and not fsynced: losing the last write only means a skill is sent again.
        write_text(self.file, json.dumps({"format": _FORMAT, "sent": sent}, ensure_ascii=False),
                   mode=0o600, durable=False)
        if is_new:
            prune_sessions(self.folder, keep=self.file)

    def forget(self) -> None:
        """Drop this session's memory, e.g. after a compaction removed the skills from context."""
        try:
            os.unlink(self.file)
        except FileNotFoundError:
            pass


@contextmanager
def _sessions_lock(root: str, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold the sessions folder's lock (``flock`` on ``.lock``), or go on without it after ``wait_s``.

    Best effort by design: a hook must never hang on a stuck process; the cost of going on
    unlocked is, at worst, one skill sent twice.
    """
    fd = None
    with suppress(OSError):
        os.makedirs(root, exist_ok=True)
        fd = _open_regular(os.path.join(root, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fd is not None:
            lock_within(fd, wait_s)  # not had in time: go on without it
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def prune_sessions(root: Path | str, *, keep: Path | str | None = None, now: float | None = None,
                   max_files: int = MAX_SESSION_FILES, max_age_s: float = MAX_SESSION_AGE_S) -> int:
    """Delete session files older than ``max_age_s`` and all but the ``max_files`` most recent.

    Returns:
        How many files were removed.
    """
    now = time.time() if now is None else now
    kept = os.fspath(keep) if keep is not None else None
    sessions: list[tuple[float, str]] = []
    doomed: list[str] = []
    try:
        with os.scandir(root) as it:
            for entry in it:
                try:
                    mtime = entry.stat().st_mtime
                except OSError:
                    continue
                if entry.name.endswith(".json"):
                    sessions.append((mtime, entry.path))
                elif entry.name.endswith(".tmp") and now - mtime > 3600:  # left by a killed writer
                    doomed.append(entry.path)
    except OSError:
        return 0
    sessions.sort(reverse=True)
    doomed += [path for rank, (mtime, path) in enumerate(sessions)
               if path != kept and (rank >= max_files or now - mtime > max_age_s)]
    removed = 0
    for path in doomed:
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    return removed
