"""Inspect an untrusted zip archive before anything is extracted from it.

``inspect_zip`` reads only the central directory and either returns the entries that are safe
to extract (regular files and folders with clean relative names, within size bounds) or raises
``UnsafeArchiveError`` naming the archive, the entry and the reason. Nothing is ever written
here; extraction code must still stop at the declared size (``read_member`` does).
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from loader.core.errors import SkillpackError

_DRIVE = re.compile(r"^[A-Za-z]:")
_ALLOWED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds an archive must stay within; the defaults are generous for skills (text + small scripts)."""

    max_entries: int = 10_000
    """Entries in the central directory, folders included."""
    max_entry_size: int = 64 * 1024 * 1024
    """Uncompressed bytes of one entry."""
    max_total_size: int = 256 * 1024 * 1024
    """Uncompressed bytes of all entries together."""
    max_ratio: float = 200.0
    """Uncompressed / compressed size of one entry (zip bombs reach 1000:1 and more)."""
    ratio_min_size: int = 1024 * 1024
    """The ratio is only checked for entries at least this large: small text compresses well legitimately."""


DEFAULT_LIMITS = Limits()


class UnsafeArchiveError(SkillpackError, ValueError):
    """An archive that must not be extracted, with the entry and the reason."""

    def __init__(self, *, archive: Path, entry: str, reason: str) -> None:
        super().__init__(reason)
        self.archive = archive
        self.entry = entry
        self.reason = reason

    def __str__(self) -> str:
        where = f", entry {self.entry!r}" if self.entry else ""
        return f"unsafe archive {self.archive}{where}: {self.reason}; nothing was installed"


@dataclass(frozen=True, slots=True)
class SafeEntry:
    """One archive member that passed every check."""

    name: str
    """The clean relative POSIX path (no trailing slash)."""
    info: zipfile.ZipInfo
    is_dir: bool
    executable: bool
    """True when the Unix mode has an execute bit; extraction gives it 0755, else 0644."""


def unsafe_path_reason(name: str) -> str | None:
    """Why ``name`` is not a safe relative POSIX path, or ``None`` when it is.

    Used for archive members and for paths read from untrusted lockfiles alike.
    """
    if not name:
        return "empty name"
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        return "control character in name"
    if "\\" in name:
        return "backslash in name (a Windows path separator)"
    if _DRIVE.match(name):
        return "drive letter in name (an absolute Windows path)"
    if name.startswith("/"):
        return "absolute path"
    parts = name.rstrip("/").split("/")
    if any(part == ".." for part in parts):
        return "'..' component (path traversal)"
    if any(part in ("", ".") for part in parts):
        return "empty or '.' path component"
    return None


def inspect_zip(archive: Path, zf: zipfile.ZipFile, limits: Limits | None = None) -> list[SafeEntry]:
    """Check every member of ``zf`` (opened from ``archive``) and return them, sorted by name.

    ``limits`` defaults to ``DEFAULT_LIMITS``, looked up at call time.

    Raises:
        UnsafeArchiveError: the first problem found; the archive must not be used at all.
    """
    limits = limits or DEFAULT_LIMITS
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeArchiveError(archive=archive, entry="",
                                 reason=f"{len(infos)} entries, more than the limit of {limits.max_entries}")
    entries: list[SafeEntry] = []
    seen: dict[str, str] = {}
    offsets: dict[int, str] = {}
    total = 0
    for info in infos:
        entry = _check_entry(archive, info, limits)
        folded = path_key(entry.name)
        if folded in seen:
            raise UnsafeArchiveError(archive=archive, entry=info.filename,
                                     reason=f"duplicate entry (same path as {seen[folded]!r}, ignoring case and "
                                            "Unicode normalisation)")
        seen[folded] = info.filename
        if info.header_offset in offsets:
            raise UnsafeArchiveError(archive=archive, entry=info.filename,
                                     reason=f"shares its data with {offsets[info.header_offset]!r} "
                                            "(a hard link or overlapping entries)")
        offsets[info.header_offset] = info.filename
        total += info.file_size
        if total > limits.max_total_size:
            raise UnsafeArchiveError(archive=archive, entry=info.filename,
                                     reason=f"total uncompressed size over the limit of {limits.max_total_size} bytes")
        entries.append(entry)
    _check_prefixes(archive, entries, seen)
    _check_overlaps(archive, zf, infos)
    return sorted(entries, key=lambda e: e.name)


def _check_entry(archive: Path, info: zipfile.ZipInfo, limits: Limits) -> SafeEntry:
    def refuse(reason: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(archive=archive, entry=info.filename, reason=reason)

    # zipfile rewrites "\" to "/" in filename on Windows only; orig_filename is what the archive says.
    raw = getattr(info, "orig_filename", info.filename)
    reason = unsafe_path_reason(raw) or unsafe_path_reason(info.filename)
    if reason:
        raise refuse(reason)
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    is_dir = info.filename.endswith("/")
    if stat.S_ISLNK(mode):
        raise refuse("symbolic link")
    if kind in (stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK):
        raise refuse("device file, FIFO or socket")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR) or (kind == stat.S_IFDIR and not is_dir):
        raise refuse(f"unsupported file type (mode {mode:o})")
    if info.flag_bits & 0x1:
        raise refuse("encrypted entry")
    if info.compress_type not in _ALLOWED_METHODS:
        raise refuse(f"unsupported compression method {info.compress_type}")
    if is_dir and info.file_size:
        raise refuse("folder entry with data")
    if info.file_size > limits.max_entry_size:
        raise refuse(f"uncompressed size {info.file_size} bytes, over the limit of {limits.max_entry_size}")
    if info.file_size >= limits.ratio_min_size:
        ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
        if ratio > limits.max_ratio:
            raise refuse(f"compression ratio {ratio:.0f}:1, over the limit of {limits.max_ratio:.0f}:1 (a zip bomb?)")
    name = info.filename.rstrip("/")
    return SafeEntry(name, info, is_dir, bool(mode & 0o111) and not is_dir)


def path_key(name: str) -> str:
    """What two entry names must differ in to be two files everywhere: case and Unicode normalisation aside.

    ``É.md`` and ``é.md`` are one file on macOS and Windows; so are ``é`` written as one code point
    (NFC) and as ``e`` plus a combining accent (NFD) on macOS. Extracting both would let the
    second overwrite the first there.
    """
    return unicodedata.normalize("NFC", name).casefold()


def _check_prefixes(archive: Path, entries: list[SafeEntry], seen: dict[str, str]) -> None:
    """A file may not also be used as a folder (``a`` and ``a/b``): extraction would be ambiguous."""
    files = {path_key(e.name): e for e in entries if not e.is_dir}
    for entry in entries:
        for parent in PurePosixPath(entry.name).parents:
            key = path_key(str(parent))
            if key != "." and key in files:
                raise UnsafeArchiveError(archive=archive, entry=entry.info.filename,
                                         reason=f"its parent {files[key].info.filename!r} is a file")


def _check_overlaps(archive: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse members whose compressed data overlap (the "non-recursive zip bomb" trick)."""
    spans = sorted((info.header_offset, info.header_offset + 30 + len(info.orig_filename.encode())
                    + info.compress_size, info.filename) for info in infos)
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise UnsafeArchiveError(archive=archive, entry=second,
                                     reason=f"its data overlaps {first!r} (a hard link or zip bomb trick)")


def read_member(archive: Path, zf: zipfile.ZipFile, entry: SafeEntry) -> Iterator[bytes]:
    """Yield the member's bytes in chunks, refusing more data than its header declared.

    ``zipfile`` checks the CRC at the end; a mismatch surfaces as an ``UnsafeArchiveError``.
    """
    produced = 0
    try:
        with zf.open(entry.info) as stream:
            while chunk := stream.read(_CHUNK):
                produced += len(chunk)
                if produced > entry.info.file_size:
                    raise UnsafeArchiveError(archive=archive, entry=entry.info.filename,
                                             reason="more data than its declared size")
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, UnsafeArchiveError):
            raise
        raise UnsafeArchiveError(archive=archive, entry=entry.info.filename,
                                 reason=f"corrupt data ({exc})") from exc
