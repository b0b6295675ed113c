"""The validate stage's fast reads give what ``core.textfile.read_text`` gives, for every kind of file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from loader.core.textfile import decode_text, read_text
from loader.validate.readfile import read_bounded, text_of
from loader.validate.rules import _suffix

LIMIT = 1024

CONTENTS = [
    pytest.param(b"# Guide\n\nSee [x](x.md).\n", id="plain"),
    pytest.param(b"\xef\xbb\xbf# Guide\r\n", id="bom-crlf"),
    pytest.param(b"\xef\xbb\xbf", id="bom-only"),
    pytest.param(b"", id="empty"),
    pytest.param(b"text\x00binary", id="binary"),
    pytest.param(b"line\nbad \xff byte\n", id="not-utf8"),
    pytest.param(b"caf\xc3", id="cut-utf8"),
    pytest.param(b"x" * LIMIT, id="at-limit"),
    pytest.param(b"x" * (LIMIT + 1), id="over-limit"),
    pytest.param(b"\x00" + b"x" * (LIMIT * 20), id="binary-and-large"),
]


@pytest.mark.parametrize("data", CONTENTS)
def test_reading_and_decoding_agree_with_read_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "guide.md"
    path.write_bytes(data)
    expected = read_text(path, max_bytes=LIMIT)
    read = read_bounded(str(path), LIMIT)
    assert read is not None and read == data[: LIMIT + 1]
    assert decode_text(path, read, LIMIT) == expected
    assert text_of(read, LIMIT) == expected.text


def test_what_cannot_be_read_is_none_as_read_text_has_no_text(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    (tmp_path / "link.md").symlink_to(tmp_path / "missing.md")
    for name in ("folder", "pipe.md", "link.md", "nothing.md"):
        done = threading.Event()
        result: list[bytes | None] = []

        def read(path: str, out: list[bytes | None], finished: threading.Event) -> None:
            out.append(read_bounded(path, LIMIT))
            finished.set()

        threading.Thread(target=read, args=(str(tmp_path / name), result, done), daemon=True).start()
        assert done.wait(10), f"{name}: the read blocked"  # a FIFO must not hang the run
        assert result == [None]
        assert read_text(tmp_path / name, max_bytes=LIMIT).text is None


@pytest.mark.parametrize("rel", ["a.md", "dir/a.MD", "a.tar.gz", ".bashrc", "dir/.md", "a.", "..md", "a..b",
                                 "noext", "dir.x/noext", "dir/", "."])
def test_suffix_is_the_path_suffix(rel: str) -> None:
    assert _suffix(rel) == Path(rel).suffix
