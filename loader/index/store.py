"""Index storage, reading half: one SQLite file (stdlib ``sqlite3``), read in one transaction.

Guarantees: opening reads every skill's row and the folder tree in one read transaction, so the
skills of an index are one consistent snapshot of the file, however many processes write it;
term lists and postings (the bulk of the file) stay on disk until an update or a query asks for
them (``loader.index.stored_terms``), and postings map back to the snapshot's skills by stored
id (a skill stored since is ignored). The type of every stored column is checked at open, unless
the very same file already passed (``loader.index.trust``). Writers (``loader.index.write``)
change the file in single transactions, so readers see the old index or the new one, never a
mix, and a killed writer leaves the old index (its journal is rolled back by the next connection
that may write). Anything that is not an index of this exact format (another format version,
the old JSON file, any other bytes, a truncated file, mistyped rows, a FIFO) reads as ``None``,
so callers rebuild. Reads open the file with ``mode=ro``: a read-only location works. Doc
numbers in stored postings are stable skill ids (never reused), not name positions;
:class:`Stored` maps them back.

Every row is read whole. Reading only what finding changes needs and the rest on first use
(index format 4's "lazy entries") saved 1-2 ms an open at 1,000 skills and about 30 ms at
10,000, but it took a subclass that swapped its ``__class__`` and filled frozen slots by hand,
and a skill rewritten by another process between the open and the first use had to be served
with neutral values. Measured on this machine before the change, open plus first match: 19.4
vs 20.9 ms at 1,000 skills, 174 vs 178 ms at 10,000 (benchmarks/bench_open.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping

from loader.core.gc_pause import gc_paused
from loader.core.record import Record
from loader.index.postings import FIELDS
from loader.index.sqlite import BAD_ROWS, ROW_COLUMNS, SEP, TABLES, busy, connect, decode_tree, is_busy
from loader.index.stored_terms import StoredPostings, StoredTerms, TermSource
from loader.index.trust import HeldFile, held, is_checked, remember
from loader.index.types import Index, IndexEntry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Final

    _Rows = tuple[list[tuple[Any, ...]], dict[str, tuple[str, str, tuple[str, ...]]], dict[str, int],
                  dict[str, str], str | None, bool]


class Stored(Record):
    """Where an index was read from or written to, and which stored state it reflects."""

    __slots__ = ("path", "generation", "ids", "next_id", "stamp")
    path: Final[str]
    """The index file (a string: the hook's path does not import pathlib)."""
    generation: Final[int]
    """Bumped by every write (a new file starts at a random number): a writer whose index was read at
    another generation starts over."""
    ids: Final[tuple[int, ...]]
    """Stable id of each entry, in entry (name) order; the doc numbers of the stored postings."""
    next_id: Final[int]
    stamp: Final[str | None]
    """The file's ``loader.index.trust`` stamp when its rows were known to be well typed."""

    def __init__(self, path: str, generation: int, ids: tuple[int, ...], next_id: int,
                 stamp: str | None = None) -> None:
        self.path = path
        self.generation = generation
        self.ids = ids
        self.next_id = next_id
        self.stamp = stamp

def _split(text: str) -> list[str]:
    return text.split(SEP) if text else []

def read_index(path: Path | str, meta_expected: Mapping[str, str]) -> Index | None:
    """Read the index at ``path`` (every skill's row); ``None`` for anything untrustworthy."""
    with gc_paused():  # tens of thousands of new objects, none cyclic: collecting would only cost time
        return _read_index(os.fspath(path), meta_expected)


def _read_index(path: str, meta_expected: Mapping[str, str]) -> Index | None:
    try:
        with held(path) as handle:  # open before SQLite's connection, closed after it (loader.index.trust)
            if not handle.is_sqlite():
                return None
            found = _read_rows(path, handle, meta_expected)
    except OSError:
        return None
    if found is None:
        return None
    rows, skipped, tree, meta, current, checked = found
    try:
        roots = json.loads(meta["roots"])
        if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots) \
                or not all(isinstance(v, str) for item in skipped.values() for v in (item[0], item[1], *item[2])):
            return None
        generation, next_id, tree_time = int(meta["generation"]), int(meta["next_id"]), int(meta["tree_time"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    try:
        entries = _entries(rows, TermSource(path))
    except (ValueError, TypeError):  # reference counts that do not parse: not an index we wrote
        return None
    if not checked:
        remember(path, current)
    stored = Stored(path, generation, tuple(r[0] for r in rows), next_id, current)
    return Index(entries, tuple(roots), meta["token_counter"], StoredPostings(path), skipped,
                 tree, tree_time, stored=stored)


def _entries(rows: list[tuple[Any, ...]], terms: TermSource) -> tuple[IndexEntry, ...]:
    """Plain entries from ``skills`` rows (``id`` then :data:`ROW_COLUMNS`); term lists stay on disk until asked for.

    Written out field by field: this runs for every skill on every open.
    """
    f_name, f_description, f_when, f_headings, f_body = FIELDS
    return tuple(
        IndexEntry(name, description, folder, content_hash, signature, manifest_stat, offset, listing, body,
                   _refs(refs) if refs else {}, invocable == 1, StoredTerms(terms, name),
                   {f_name: l_name, f_description: l_description, f_when: l_when, f_headings: l_headings,
                    f_body: l_body}, tuple(files.split(SEP)) if files else ())
        for (_, name, description, folder, content_hash, signature, manifest_stat, offset, listing, body, refs,
             invocable, l_name, l_description, l_when, l_headings, l_body, files) in rows)


def _refs(text: str) -> dict[str, int]:
    parts = text.split(SEP)
    return dict(zip(parts[::2], map(int, parts[1::2]), strict=True))


def _read_rows(path: str, handle: HeldFile, meta_expected: Mapping[str, str]) -> _Rows | None:
    """Everything an open reads, in one read transaction; ``None`` for anything untrustworthy."""
    try:
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
        current = handle.stamp()  # our read transaction holds the file: no writer can commit meanwhile
        checked = is_checked(path, current)
        if os.stat(path).st_size < pages or (not checked and con.execute(BAD_ROWS).fetchone()[0]):  # noqa: PTH116
            return None
        rows = con.execute(f"SELECT id, {ROW_COLUMNS} FROM skills ORDER BY name").fetchall()
        skipped = {p: (s, m, tuple(_split(f))) for p, s, m, f in con.execute("SELECT * FROM skipped")}
        tree = decode_tree(con.execute("SELECT folders, mtimes FROM tree").fetchone())
        if tree is None:
            return None
        con.execute("COMMIT")
        return rows, skipped, tree, meta, current, checked
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        if is_busy(exc):  # held by another process longer than we may wait: not damage, do not rebuild
            raise busy(path) from exc
        return None
    finally:
        con.close()
