"""Read untrusted files as text: bounded size, binary detection, exact UTF-8 decoding.

Every stage that reads skill files goes through here, so the limits hold everywhere.
"""

from __future__ import annotations

from loader.core.model import Diagnostic, Severity
from loader.core.record import Record
from loader.core.regular import read_regular_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Final

MAX_TEXT_BYTES = 4 * 1024 * 1024
"""Larger files are not read as text at all (a skill body is meant to be a few KB)."""

_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 8192


class TextFile(Record):
    """Decoded text of a file, or the diagnostics saying why there is none."""

    __slots__ = ("text", "had_bom", "diagnostics")
    text: Final[str | None]
    had_bom: Final[bool]
    diagnostics: Final[tuple[Diagnostic, ...]]

    def __init__(self, text: str | None, had_bom: bool, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.text = text
        self.had_bom = had_bom
        self.diagnostics = diagnostics


def looks_binary(data: bytes) -> bool:
    """Guess binary content the way git does: a NUL byte in the first 8 KB."""
    return b"\x00" in data[:_SNIFF_BYTES]


def read_text(path: Path | str, *, max_bytes: int = MAX_TEXT_BYTES) -> TextFile:
    """Read ``path`` as UTF-8 text, turning every way this can fail into a Diagnostic."""
    try:
        data = read_regular_bytes(path, limit=max_bytes)
    except PermissionError:
        return _failed(path, "file-unreadable", "permission denied", "make the file readable (chmod a+r)")
    except IsADirectoryError:
        return _failed(path, "file-unreadable", "expected a file, found a directory", "remove or rename it")
    except OSError as exc:
        return _failed(path, "file-unreadable", f"cannot read file: {exc.strerror or exc}", "check the file")
    return decode_text(path, data, max_bytes)


def decode_text(path: Path | str, data: bytes, max_bytes: int = MAX_TEXT_BYTES) -> TextFile:
    """What :func:`read_text` returns for a file at ``path`` holding ``data`` (read by the caller)."""
    if len(data) > max_bytes:
        return _failed(path, "file-too-large", f"file is larger than {max_bytes // (1024 * 1024)} MiB",
                       "move bulky content out of the skill, or split it into smaller reference files")
    if looks_binary(data):
        return _failed(path, "file-binary", "file is binary (contains NUL bytes)", "save it as UTF-8 text")
    had_bom = data.startswith(_BOM)
    if had_bom:
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failed(path, "file-encoding", f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                       "re-save the file as UTF-8", data[: exc.start].count(b"\n") + 1)
    return TextFile(text, had_bom, ())


def _failed(path: Path | str, rule: str, message: str, hint: str, line: int | None = None) -> TextFile:
    from pathlib import Path  # only for a file that cannot be read: the hook reads bodies without pathlib

    return TextFile(None, False, (Diagnostic(Path(path), line, rule, Severity.ERROR, message, hint),))
