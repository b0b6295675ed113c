"""Validate stage, reading skill files as bytes: one read sized by ``fstat``, on a plain descriptor.

The validation cache hashes the bytes and parses them on a miss, and the link rules only need
the text, so the stage reads bytes here and decodes them with ``core.textfile.decode_text``
(diagnostics) or :func:`text_of` (the text alone, the same decisions; ``tests/validate/
test_readfile.py`` compares both with ``read_text`` on every kind of bad file).
"""

from __future__ import annotations

import os
from stat import S_ISREG

from loader.core.regular import read_up_to

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
        return read_up_to(fd, limit)
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
