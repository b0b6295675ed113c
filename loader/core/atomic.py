"""Atomic file writes: readers see the old content or the new, never a half-written file.

Every writer in skillpack (index, lockfile, settings, hook state, reports) goes through here:
write a temp file in the same folder, flush and fsync it, then ``os.replace`` it over the target.
"""

from __future__ import annotations

import os
from contextlib import suppress

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def write_bytes(path: Path | str, data: bytes, *, mode: int = 0o644, durable: bool = True) -> None:
    """Atomically replace ``path`` with ``data``.

    Args:
        path: the file to write; its folder is created if missing.
        data: the new content.
        mode: permission bits of the new file (0o600 for private state).
        durable: fsync before the rename, so a crash cannot leave an empty file behind the new name.
    """
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = _new_temp(folder, os.path.basename(target))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _new_temp(folder: str, name: str) -> tuple[int, str]:
    """A new file in ``folder`` next to ``name``, created exclusively (0o600, no symlink followed), as mkstemp does.

    Not ``tempfile`` itself: it imports ``shutil``, ``random``, ``bz2`` and ``lzma``, 3 ms of a hook
    that records what it sent on most prompts.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {os.path.join(folder, name)}")


def write_text(path: Path | str, text: str, *, mode: int = 0o644, durable: bool = True) -> None:
    """:func:`write_bytes` for UTF-8 text."""
    write_bytes(path, text.encode("utf-8"), mode=mode, durable=durable)
