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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from loader.index.lazy import EntrySource
from loader.index.sqlite import BAD_ROWS, SEP, TABLES, connect, decode_tree
from loader.index.stored_terms import StoredPostings
from loader.index.trust import HeldFile, held, is_checked, remember
from loader.index.types import Index


@dataclass(frozen=True, slots=True)
class Stored:
    """Where an index was read from or written to, and which stored state it reflects."""

    path: Path
    generation: int
    """Bumped by every write (a new file starts at a random number): a writer whose index was read at
    another generation starts over."""
    ids: tuple[int, ...]
    """Stable id of each entry, in entry (name) order; the doc numbers of the stored postings."""
    next_id: int
    source: EntrySource | None = None
    """Where the entries read from this file complete themselves (``loader.index.lazy``)."""
    stamp: str | None = None
    """The file's ``loader.index.trust`` stamp when its rows were known to be well typed."""

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
    if not checked:
        remember(path, current)
    source = EntrySource(path, current)
    stored = Stored(path, generation, tuple(r[0] for r in rows), next_id, source, current)
    return Index(tuple(source.make(rows)), tuple(roots), meta["token_counter"], StoredPostings(path), skipped, tree,
                 tree_time, stored=stored)


_Rows = tuple[list[tuple[int, str, str, str, str]], dict[str, tuple[str, str, tuple[str, ...]]], dict[str, int],
              dict[str, str], str | None, bool]


def _read_rows(path: Path, handle: HeldFile, meta_expected: Mapping[str, str]) -> _Rows | None:
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
        rows = con.execute("SELECT id, name, path, signature, files FROM skills ORDER BY name").fetchall()
        skipped = {p: (s, m, tuple(_split(f))) for p, s, m, f in con.execute("SELECT * FROM skipped")}
        tree = decode_tree(con.execute("SELECT folders, mtimes FROM tree").fetchone())
        if tree is None:
            return None
        con.execute("COMMIT")
        return rows, skipped, tree, meta, current, checked
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    finally:
        con.close()
