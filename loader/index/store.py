"""Index storage, reading half: one SQLite file (stdlib ``sqlite3``), read lazily.

Guarantees: opening reads, in one read transaction, each skill's name, folder, signature and
file list (what finding changes needs) and the folder tree; every other field is read when
first used (``loader.index.lazy``), term lists when an update needs them, and a query's
postings with one indexed SELECT. The type of every stored column is checked at open, unless
the very same file already passed (``loader.index.trust``). Writers
(``loader.index.write``) change the file in single transactions, so readers see the old index
or the new one, never a mix, and a killed writer leaves the old index (its journal is rolled
back by the next connection that may write). Anything that is not an index of this exact format (another format
version, the old JSON file, any other bytes, a truncated file, mistyped rows) reads as
``None``, so callers rebuild. Reads open the file with ``mode=ro``: a read-only location works.
Doc numbers in stored postings are stable skill ids (never reused), not name positions;
:class:`Stored` maps them back.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loader.core.errors import HintedError
from loader.index.trust import is_checked, remember, stamp
from loader.index.postings import FIELDS

if TYPE_CHECKING:
    from loader.index.types import Index, IndexEntry

MAGIC = b"SQLite format 3\x00"
CHUNK = 500
"""Terms per ``IN (...)`` query (SQLite's parameter limit is far higher; this keeps statements small)."""
BUSY_MS = 5000
"""How long a reader or writer waits for another process's transaction to finish."""

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
_BAD_ROWS = (
    "SELECT count(*) FROM skills WHERE typeof(id) != 'integer' OR typeof(name) != 'text' "
    "OR typeof(description) != 'text' OR typeof(path) != 'text' OR typeof(content_hash) != 'text' "
    "OR typeof(signature) != 'text' OR typeof(manifest_stat) != 'text' OR typeof(body_offset) != 'integer' "
    "OR typeof(listing_tokens) != 'integer' OR typeof(body_tokens) != 'integer' OR typeof(refs) != 'text' "
    "OR invocable NOT IN (0, 1) OR typeof(invocable) != 'integer' OR typeof(len_name) != 'integer' "
    "OR typeof(len_description) != 'integer' OR typeof(len_when) != 'integer' "
    "OR typeof(len_headings) != 'integer' OR typeof(len_body) != 'integer' OR typeof(files) != 'text'"
)
SEP = "\0"


@dataclass(frozen=True, slots=True)
class Stored:
    """Where an index was read from or written to, and which stored state it reflects."""

    path: Path
    generation: int
    """Bumped by every write: a writer whose index was read at another generation starts over."""
    ids: tuple[int, ...]
    """Stable id of each entry, in entry (name) order; the doc numbers of the stored postings."""
    next_id: int
    source: TermSource | None = None
    """Where the entries read from this file complete themselves (``loader.index.lazy``)."""
    stamp: str | None = None
    """The file's ``loader.index.trust`` stamp when its rows were known to be well typed."""


class IndexDamagedError(HintedError):
    """The stored postings could not be read although the index opened (damage past its rows)."""


class StoreChangedError(Exception):
    """Another process wrote the index after it was read: re-read it and try again."""


def connect(path: Path, *, write: bool) -> sqlite3.Connection:
    """A connection to the index file: read-only (``mode=ro``) unless ``write``."""
    if write:
        con = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_MS / 1000)
        con.execute("PRAGMA synchronous=OFF")  # a cache: a killed process is safe, a power cut rebuilds
    else:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        con = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_MS / 1000)
    return con


def _split(text: str) -> list[str]:
    return text.split(SEP) if text else []


def read_index(path: Path, meta_expected: Mapping[str, str]) -> Index | None:
    """Read the index at ``path`` (per-skill rows only); ``None`` for anything untrustworthy."""
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none cyclic: collecting would only cost time
    try:
        return _read_index(Path(path), meta_expected)
    finally:
        if enabled:
            gc.enable()


def _read_index(path: Path, meta_expected: Mapping[str, str]) -> Index | None:
    from loader.index.types import Index

    try:
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                return None
        # A journal left by a killed writer is rolled back by the first connection that may
        # write; a read-only one could not read past it.
        hot = os.path.exists(f"{path}-journal") and os.access(path, os.W_OK)  # noqa: PTH110
        con = connect(path, write=hot)
    except (OSError, sqlite3.Error):
        return None
    try:
        con.execute("BEGIN")
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not TABLES <= tables:
            return None
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if any(meta.get(k) != v for k, v in meta_expected.items()):
            return None
        pages = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
        current = stamp(path)  # our read transaction holds the file: no writer can commit meanwhile
        checked = is_checked(path, current)
        if os.stat(path).st_size < pages or (not checked and con.execute(_BAD_ROWS).fetchone()[0]):  # noqa: PTH116
            return None
        rows = con.execute("SELECT id, name, path, signature, files FROM skills ORDER BY name").fetchall()
        skipped = {p: (s, m, tuple(_split(f))) for p, s, m, f in con.execute("SELECT * FROM skipped")}
        tree = decode_tree(con.execute("SELECT folders, mtimes FROM tree").fetchone())
        if tree is None:
            return None
        con.execute("COMMIT")
        roots = json.loads(meta["roots"])
        if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots) \
                or not all(isinstance(v, str) for item in skipped.values() for v in (item[0], item[1], *item[2])):
            return None
        generation, next_id, tree_time = int(meta["generation"]), int(meta["next_id"]), int(meta["tree_time"])
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    finally:
        con.close()
    from loader.index.lazy import EntrySource  # entries complete themselves from the file on first use

    if not checked:
        remember(path, current)
    source = EntrySource(path, current)
    stored = Stored(path, generation, tuple(r[0] for r in rows), next_id, source, current)
    return Index(tuple(source.make(rows)), tuple(roots), meta["token_counter"], StoredPostings(path), skipped, tree,
                 tree_time, stored=stored)


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


def damaged(path: Path, exc: Exception) -> IndexDamagedError:
    """The error for an index that opened but can no longer be read (damage past its rows, or gone)."""
    return IndexDamagedError(message=f"the index {path} cannot be read: {exc}",
                             hint=f"delete {path}; the next command rebuilds it")


class TermSource:
    """The stored term lists of an index's skills, fetched only when asked for (updates, exports)."""

    def __init__(self, path: Path) -> None:
        """Read lazily from ``path``."""
        self.path = path
        self._cache: dict[str, tuple[str, ...]] = {}
        self._complete = False

    def __reduce__(self) -> tuple[type[TermSource], tuple[Path]]:
        return TermSource, (self.path,)  # a copy in another process reads the file afresh

    def fetch(self, names: Iterable[str] | None = None) -> None:
        """Load the term lists of ``names`` (all skills when ``None``) into the cache."""
        con = connect(self.path, write=False)
        try:
            if names is None:
                rows = con.execute("SELECT name, terms FROM skills JOIN terms USING (id)").fetchall()
                self._complete = True
            else:
                todo, rows = [n for n in names if n not in self._cache], []
                for i in range(0, len(todo), CHUNK):
                    part = todo[i:i + CHUNK]
                    marks = ",".join("?" * len(part))
                    sql = f"SELECT name, terms FROM skills JOIN terms USING (id) WHERE name IN ({marks})"
                    rows.extend(con.execute(sql, part).fetchall())
        finally:
            con.close()
        for name, terms in rows:
            values = tuple(terms.split("\n"))
            self._cache[name] = values if len(values) == len(FIELDS) else ("",) * len(FIELDS)

    def get(self, name: str) -> tuple[str, ...]:
        """One skill's encoded term strings, in ``FIELDS`` order (empty when not stored)."""
        found = self._cache.get(name)
        if found is None and not self._complete:
            self.fetch()  # one skill asked for means all will be (a rebuild of the postings)
            found = self._cache.get(name)
        return found if found is not None else ("",) * len(FIELDS)


class StoredTerms(Mapping[str, str]):
    """``IndexEntry.terms`` of an entry read from disk: field -> encoded terms, fetched on use."""

    __slots__ = ("_name", "_source")

    def __init__(self, source: TermSource, name: str) -> None:
        """The terms of skill ``name`` in ``source``."""
        self._source, self._name = source, name

    def __getitem__(self, key: str) -> str:
        if key not in FIELDS:
            raise KeyError(key)
        return self._source.get(self._name)[FIELDS.index(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(FIELDS)

    def __len__(self) -> int:
        return len(FIELDS)

    def __repr__(self) -> str:
        return f"StoredTerms({self._name!r})"


def fetch_terms(entries: Iterable[IndexEntry]) -> None:
    """Read the stored terms of ``entries`` now, one query per file (writers do, before taking the lock)."""
    groups: dict[int, tuple[TermSource, list[str]]] = {}
    for entry in entries:
        terms = entry.terms
        if isinstance(terms, StoredTerms):
            groups.setdefault(id(terms._source), (terms._source, []))[1].append(terms._name)
    for source, names in groups.values():
        source.fetch(names)


class StoredPostings(Mapping[str, str]):
    """Term -> stored posting string (doc numbers are stable ids), fetched per query and cached."""

    def __init__(self, path: Path) -> None:
        """Read lazily from ``path``."""
        self.path = path
        self._cache: dict[str, str | None] = {}

    def prefetch(self, terms: Iterable[str]) -> None:
        """Fetch the postings of every term in ``terms`` not fetched yet (one SELECT per 500)."""
        todo = [t for t in dict.fromkeys(terms) if t not in self._cache]
        if not todo:
            return
        try:
            con = connect(self.path, write=False)
            try:
                for i in range(0, len(todo), CHUNK):
                    part = todo[i:i + CHUNK]
                    sql = f"SELECT term, docs FROM postings WHERE term IN ({','.join('?' * len(part))})"
                    found = dict(con.execute(sql, part).fetchall())
                    for term in part:
                        self._cache[term] = found.get(term)
            finally:
                con.close()
        except sqlite3.Error as exc:
            raise damaged(self.path, exc) from exc

    def __getitem__(self, term: str) -> str:
        if term not in self._cache:
            self.prefetch([term])
        found = self._cache[term]
        if found is None:
            raise KeyError(term)
        return found

    def __iter__(self) -> Iterator[str]:
        con = connect(self.path, write=False)
        try:
            terms = [t for (t,) in con.execute("SELECT term FROM postings ORDER BY term")]
        finally:
            con.close()
        return iter(terms)

    def __len__(self) -> int:
        return sum(1 for _ in self)
