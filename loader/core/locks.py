"""Core, advisory locks that never wait forever: ``flock`` polled until a deadline.

A blocking ``flock`` would hang a command (or the hook, on every prompt) behind a stuck
process; each caller decides what giving up means (an error for an install, going on unlocked
for the hook's session memory). The kernel releases the lock when the descriptor is closed or
the process dies, so a killed holder never blocks the next one.
"""

from __future__ import annotations

import time

try:
    import fcntl
except ImportError:  # not POSIX: no advisory locks
    fcntl = None  # type: ignore[assignment]


def lock_within(fd: int, wait_s: float, *, poll_s: float = 0.005) -> bool:
    """Take an exclusive lock on ``fd``, trying until ``wait_s`` has passed; True when taken.

    Without ``fcntl`` (Windows) there is nothing to take, and the answer is True.
    """
    if fcntl is None:
        return True
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_s)
