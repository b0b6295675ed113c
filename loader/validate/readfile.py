"""Validate stage, reading skill files: one read sized by ``fstat``, decoded as ``core.textfile`` decodes.

``core.textfile.read_text`` reads through a buffered file object into a buffer the size of its
limit (4 MiB for SKILL.md, 1 MiB for reference files): ~85 us for a 5 KB file, against ~14 us
here, which was a fifth of a cold ``skills validate``. The decoding below repeats its decisions
exactly (``tests/validate/test_readfile.py`` compares both on every kind of bad file).
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from loader.core.model import Diagnostic, Severity

if TYPE_CHECKING:  # imported where used: a cached run reads SKILL.md here but decodes nothing
    from loader.core.textfile import TextFile

_BOM = b"\xef\xbb\xbf"
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bounded(path: str, limit: int, *, stat_first: bool = True) -> bytes | None:
    """The bytes of the regular file ``path``, at most ``limit + 1`` (so that "too large" shows).

    ``None`` when it cannot be read or is not a regular file. As ``core.regular`` does, the type
    is checked before opening (opening a device can act on it; ``stat_first=False`` when the
    caller has just seen a regular file there) and on the descriptor, which is opened
    non-blocking (a FIFO swapped in never hangs the run).
    """
    try:
        if stat_first and not S_ISREG(os.stat(path).st_mode):  # noqa: PTH116 - strings: once per file
            return None
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode):
            return None
        chunks = []
        want, total = min(st.st_size, limit) + 1, 0
        while total <= limit:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = limit + 1 - total
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def text_of(data: bytes, max_bytes: int) -> str | None:
    """``read_text(path, max_bytes=max_bytes).text`` for a file holding ``data``, without its diagnostics."""
    from loader.core.textfile import looks_binary

    if len(data) > max_bytes or looks_binary(data):
        return None
    try:
        return (data[len(_BOM):] if data.startswith(_BOM) else data).decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_text(path: Path, data: bytes, max_bytes: int) -> TextFile:
    """What ``read_text(path, max_bytes=max_bytes)`` returns for a file holding ``data``, diagnostics included."""
    from loader.core.textfile import TextFile, looks_binary

    def fail(rule: str, message: str, hint: str, line: int | None = None) -> TextFile:
        return TextFile(None, False, (Diagnostic(path, line, rule, Severity.ERROR, message, hint),))

    if len(data) > max_bytes:
        return fail("file-too-large", f"file is larger than {max_bytes // (1024 * 1024)} MiB",
                    "move bulky content out of the skill, or split it into smaller reference files")
    if looks_binary(data):
        return fail("file-binary", "file is binary (contains NUL bytes)", "save it as UTF-8 text")
    had_bom = data.startswith(_BOM)
    if had_bom:
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return fail("file-encoding", f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    "re-save the file as UTF-8", data[: exc.start].count(b"\n") + 1)
    return TextFile(text, had_bom, ())
