"""Index storage, the file itself: its SQLite schema, connections, errors and the folder-tree encoding.

Everything that reads or writes the index file goes through :func:`connect`; the other
storage modules (``store`` reads, ``write`` writes, ``stored_terms`` fetches term lists and
postings on use) build on this one and never on each other's internals.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from array import array
from collections.abc import Mapping

from loader.core.errors import HintedError, IndexDamagedError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

CHUNK = 500
"""Terms per ``IN (...)`` query (SQLite's parameter limit is far higher; this keeps statements small)."""
BUSY_MS = 5000
"""How long a reader or writer waits for another process's transaction to finish (by default)."""
_wait = {"ms": BUSY_MS}

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE skills(
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL, path TEXT NOT NULL,
    content_hash TEXT NOT NULL, signature TEXT NOT NULL, manifest_stat TEXT NOT NULL,
    body_offset INTEGER NOT NULL, listing_tokens INTEGER NOT NULL, body_tokens INTEGER NOT NULL,
    refs TEXT NOT NULL, invocable INTEGER NOT NULL, len_name INTEGER NOT NULL, len_description INTEGER NOT NULL,
    len_when INTEGER NOT NULL, len_headings INTEGER NOT NULL, len_body INTEGER NOT NULL,
    files TEXT NOT NULL);
CREATE TABLE terms(id INTEGER PRIMARY KEY, terms TEXT NOT NULL);
CREATE TABLE postings(term TEXT PRIMARY KEY, docs TEXT NOT NULL);
CREATE TABLE skipped(path TEXT PRIMARY KEY, signature TEXT NOT NULL, message TEXT NOT NULL, files TEXT NOT NULL);
CREATE TABLE tree(id INTEGER PRIMARY KEY CHECK (id = 0), folders TEXT NOT NULL, mtimes BLOB NOT NULL);
"""
TABLES = frozenset({"meta", "skills", "terms", "postings", "skipped", "tree"})
ROW_COLUMNS = ("name, description, path, content_hash, signature, manifest_stat, body_offset, listing_tokens, "
        "body_tokens, refs, invocable, len_name, len_description, len_when, len_headings, len_body, files")
BAD_ROWS = (
    "SELECT count(*) FROM skills WHERE typeof(id) != 'integer' OR typeof(name) != 'text' "
    "OR typeof(description) != 'text' OR typeof(path) != 'text' OR typeof(content_hash) != 'text' "
    "OR typeof(signature) != 'text' OR typeof(manifest_stat) != 'text' OR typeof(body_offset) != 'integer' "
    "OR typeof(listing_tokens) != 'integer' OR typeof(body_tokens) != 'integer' OR typeof(refs) != 'text' "
    "OR invocable NOT IN (0, 1) OR typeof(invocable) != 'integer' OR typeof(len_name) != 'integer' "
    "OR typeof(len_description) != 'integer' OR typeof(len_when) != 'integer' "
    "OR typeof(len_headings) != 'integer' OR typeof(len_body) != 'integer' OR typeof(files) != 'text'"
)
SEP = "\0"

class IndexBusyError(HintedError):
    """Another process held the index longer than this one may wait (see :func:`wait_at_most`)."""


class StoreChangedError(Exception):
    """Another process wrote the index after it was read: re-read it and try again."""


def wait_at_most(seconds: float) -> None:
    """How long this process waits for another process's transaction on an index file.

    The Claude Code hook waits 2 s, not 5: it must answer within its own timeout, and an index
    it cannot read in time costs one prompt its skills, not the prompt itself.
    """
    _wait["ms"] = max(0, round(seconds * 1000))


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock another process holds."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def busy(path: Path | str) -> IndexBusyError:
    """The error for an index another process held longer than this one may wait."""
    return IndexBusyError(message=f"the index {path} is being written by another process "
                                  f"(waited {_wait['ms'] / 1000:g} s)",
                          hint="try again in a moment; if it persists, another skillpack may be stuck: stop it")


def connect(path: Path | str, *, write: bool) -> sqlite3.Connection:
    """A connection to the index file: read-only (``mode=ro``) unless ``write``."""
    timeout = _wait["ms"] / 1000
    if write:
        con = sqlite3.connect(os.fspath(path), isolation_level=None, timeout=timeout)
        con.execute("PRAGMA synchronous=OFF")  # a cache: a killed process is safe, a power cut rebuilds
    else:
        con = sqlite3.connect(_file_uri(path) + "?mode=ro", uri=True, isolation_level=None, timeout=timeout)
    return con


_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/-._~")


def _file_uri(path: Path | str) -> str:
    """``Path(path).resolve().as_uri()`` without pathlib (whose import pulls in ``urllib``: 4 ms of a hook).

    Every byte of the resolved path but letters, digits and ``/-._~`` is percent-encoded, so a
    ``?``, ``#`` or ``%`` in a folder name stays part of the path for SQLite.
    """
    raw = os.fsencode(os.path.realpath(path))
    return "file://" + "".join(chr(byte) if byte in _URI_SAFE else f"%{byte:02X}" for byte in raw)

def encode_tree(tree: Mapping[str, int]) -> tuple[str, bytes]:
    """The folder tree as two values: folder paths joined by NUL, and their mtimes as little-endian int64s.

    Thirteen thousand folders read as two values instead of as many rows (or parsed from text).
    """
    folders = sorted(tree)
    try:
        mtimes = array("q", [tree[f] for f in folders])
    except OverflowError:  # a timestamp past 2262: stored as the limit, so it never matches (the folder is re-read)
        mtimes = array("q", [max(-(2 ** 63), min(2 ** 63 - 1, tree[f])) for f in folders])
    if sys.byteorder == "big":
        mtimes.byteswap()
    return SEP.join(folders), mtimes.tobytes()


def decode_tree(row: tuple[object, ...] | None) -> dict[str, int] | None:
    """Inverse of :func:`encode_tree`; ``None`` for anything malformed."""
    if row is None or type(row[0]) is not str or type(row[1]) is not bytes:
        return None
    folders = row[0].split(SEP) if row[0] else []
    mtimes = array("q")
    if len(row[1]) != mtimes.itemsize * len(folders):
        return None
    mtimes.frombytes(row[1])
    if sys.byteorder == "big":
        mtimes.byteswap()
    return dict(zip(folders, mtimes, strict=True))

def damaged(path: Path | str, exc: Exception) -> IndexDamagedError:
    """The error for an index that opened but can no longer be read (damage past its rows, or gone)."""
    return IndexDamagedError(message=f"the index {path} cannot be read: {exc}")
