from __future__ import annotations

import io
import random
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from loader.ship.archive_safety import Limits, UnsafeArchiveError, inspect_zip, read_member, unsafe_path_reason

SKILL_TEXT = (b"---\nname: good\ndescription: Explains how to do good things step by step. "
              b"Use when the user asks to do good things.\n---\n\n# Steps\n\n1. Do it.\n")
SMALL = Limits(max_entries=20, max_entry_size=100_000, max_total_size=250_000, max_ratio=50, ratio_min_size=10_000)
"""Limits small enough that tests build real over-limit archives cheaply."""


def build_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, with_skill: bool = True) -> bytes:
    """A zip holding a valid ``good/SKILL.md`` (unless told not to) followed by ``entries``."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which is the point
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            if with_skill:
                zf.writestr("good/SKILL.md", SKILL_TEXT)
            for name, data in entries:
                zf.writestr(name, data)
    return buffer.getvalue()


def info(name: str, mode: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.create_system = 3
    entry.external_attr = mode << 16
    return entry


def central_entries(data: bytes) -> list[int]:
    """Offsets of the central-directory records in ``data``."""
    offsets, start = [], 0
    while (found := data.find(b"PK\x01\x02", start)) != -1:
        offsets.append(found)
        start = found + 4
    return offsets


def shared_data() -> bytes:
    """Two entries whose central records point at the same local data: a zip "hard link"."""
    data = bytearray(build_zip([("good/a.md", b"same"), ("good/b.md", b"same")]))
    records = central_entries(bytes(data))
    first_offset = struct.unpack_from("<I", data, records[1] + 42)[0]
    struct.pack_into("<I", data, records[2] + 42, first_offset)
    return bytes(data)


def overlapping() -> bytes:
    """The second entry's data starts inside the first's (the non-recursive zip bomb trick)."""
    data = bytearray(build_zip([("good/a.md", b"a" * 500), ("good/b.md", b"b")]))
    records = central_entries(bytes(data))
    first_offset = struct.unpack_from("<I", data, records[1] + 42)[0]
    struct.pack_into("<I", data, records[2] + 42, first_offset + 10)
    return bytes(data)


def lying_size() -> bytes:
    """An entry whose central directory declares fewer bytes than its data holds."""
    data = bytearray(build_zip([("good/big.md", b"x" * 5000)]))
    struct.pack_into("<I", data, central_entries(bytes(data))[1] + 24, 100)
    return bytes(data)


UNSAFE_ARCHIVES: dict[str, tuple[Callable[[], bytes], str]] = {
    "dotdot": (lambda: build_zip([("good/../../evil.md", b"x")]), "'..'"),
    "dotdot-top": (lambda: build_zip([("../evil.md", b"x")]), "'..'"),
    "absolute": (lambda: build_zip([("/tmp/evil.md", b"x")]), "absolute path"),
    "backslash": (lambda: build_zip([("good\\..\\..\\evil.md", b"x")]), "backslash"),
    "drive-letter": (lambda: build_zip([("C:/evil.md", b"x")]), "drive letter"),
    "symlink": (lambda: build_zip([(info("good/link", stat.S_IFLNK | 0o777), b"/etc/passwd")]), "symbolic link"),
    "hard-link": (shared_data, "shares its data"),
    "overlap": (overlapping, "overlaps"),
    "char-device": (lambda: build_zip([(info("good/tty", stat.S_IFCHR | 0o644), b"")]), "device"),
    "block-device": (lambda: build_zip([(info("good/sda", stat.S_IFBLK | 0o644), b"")]), "device"),
    "fifo": (lambda: build_zip([(info("good/pipe", stat.S_IFIFO | 0o644), b"")]), "FIFO"),
    "duplicate": (lambda: build_zip([("good/a.md", b"1"), ("good/a.md", b"2")]), "duplicate"),
    "duplicate-case": (lambda: build_zip([("good/A.md", b"1"), ("good/a.md", b"2")]), "duplicate"),
    "duplicate-skill-md": (lambda: build_zip([("good/SKILL.md", b"evil")]), "duplicate"),
    "duplicate-nfc-nfd": (lambda: build_zip([("good/caf\u00e9.md", b"1"), ("good/cafe\u0301.md", b"2")]),
                          "Unicode normalisation"),
    "file-as-folder": (lambda: build_zip([("good/a", b"1"), ("good/a/b.md", b"2")]), "is a file"),
    "too-many-entries": (lambda: build_zip([(f"good/f{i}.md", b"x") for i in range(SMALL.max_entries)]), "entries"),
    "entry-too-large": (lambda: build_zip([("good/big.bin", bytes(range(256)) * 400)]), "uncompressed size"),
    "total-too-large": (lambda: build_zip([(f"good/b{i}.bin", random.Random(i).randbytes(80_000)) for i in range(4)]),
                        "total uncompressed size"),
    "zip-bomb-ratio": (lambda: build_zip([("good/zeros.bin", b"\0" * 60_000)]), "compression ratio"),
    "control-char": (lambda: build_zip([("good/a\x1b.md", b"x")]), "control character"),
}
"""Each unsafe kind: a builder (every archive also holds a valid skill) and words the refusal must contain."""


def inspect(data: bytes, limits: Limits = SMALL) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [e.name for e in inspect_zip(Path("test.skill"), zf, limits)]


@pytest.mark.parametrize("kind", sorted(UNSAFE_ARCHIVES))
def test_every_unsafe_kind_is_refused_naming_the_archive(kind: str) -> None:
    build, words = UNSAFE_ARCHIVES[kind]
    with pytest.raises(UnsafeArchiveError) as caught:
        inspect(build())
    assert words in str(caught.value)
    assert "test.skill" in str(caught.value)


def test_a_clean_archive_passes_and_is_sorted() -> None:
    data = build_zip([("good/scripts/", b""), ("good/b.md", b"b"), ("good/a.md", b"a"),
                      (info("good/run.sh", stat.S_IFREG | 0o755), b"#!/bin/sh\n")])
    assert inspect(data) == ["good/SKILL.md", "good/a.md", "good/b.md", "good/run.sh", "good/scripts"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {e.name: e for e in inspect_zip(Path("x"), zf, SMALL)}
    assert list(entries) == sorted(entries)
    assert entries["good/run.sh"].executable and not entries["good/a.md"].executable
    assert entries["good/scripts"].is_dir


def test_default_limits_refuse_a_real_zip_bomb_and_a_flood_of_entries() -> None:
    with pytest.raises(UnsafeArchiveError, match="compression ratio"):
        inspect(build_zip([("good/zeros.bin", b"\0" * (2 * 1024 * 1024))]), Limits())
    with pytest.raises(UnsafeArchiveError, match="entries"):
        inspect(build_zip([(f"good/{i}", b"") for i in range(Limits().max_entries)]), Limits())


def test_small_text_that_compresses_well_is_not_a_bomb() -> None:
    assert inspect(build_zip([("good/notes.md", b"a" * 9_000)])) == ["good/SKILL.md", "good/notes.md"]


def test_reading_stops_at_a_lie_about_the_size() -> None:
    data = lying_size()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {e.name: e for e in inspect_zip(Path("lie.skill"), zf, SMALL)}
        with pytest.raises(UnsafeArchiveError, match="corrupt data"):
            b"".join(read_member(Path("lie.skill"), zf, entries["good/big.md"]))


@pytest.mark.parametrize(("name", "bad"), [
    pytest.param("a/b.md", False, id="plain"),
    pytest.param("a/.hidden", False, id="dotfile"),
    pytest.param("a/..b", False, id="dots-in-name"),
    pytest.param("", True, id="empty"),
    pytest.param("a//b", True, id="empty-part"),
    pytest.param("./a", True, id="dot-part"),
    pytest.param("a/../../b", True, id="dotdot"),
    pytest.param("/a", True, id="absolute"),
    pytest.param("c:a", True, id="drive-relative"),
    pytest.param("a\\b", True, id="backslash"),
    pytest.param("a\x00b", True, id="nul"),
])
def test_unsafe_path_reason(name: str, bad: bool) -> None:
    assert (unsafe_path_reason(name) is not None) is bad
