"""Index storage, a new index: written into the existing file in one transaction, or created beside it.

Guarantees: all or nothing (a reader sees the old index or the new one). An existing index file
is rewritten in place, inside one write transaction, never renamed over: SQLite names a rollback
journal after the path, so a file renamed over while another process still had the old one open
left that process's journal beside the new file, where a reader took it for a crashed writer's
("attempt to write a readonly database"). Only a missing path is created (linked into place,
so two creators cannot overwrite each other), and only a file that is no index at all is
replaced. A new index's generation starts at a random number, so no writer mistakes it for the
index it read.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from loader.index.postings import build_postings
from loader.index.rows import meta_rows, row, terms_text, write_side_tables
from loader.index.sqlite import ROW_COLUMNS, SCHEMA, TABLES, StoreChangedError, busy, connect, is_busy
from loader.index.store import Stored
from loader.index.trust import held, remember

if TYPE_CHECKING:
    from loader.index.types import Index


def first_generation() -> int:
    """A new file's first generation: random, so that no two files of one path share a generation.

    A writer checks, under the write lock, that the file is still at the generation it read. Were
    every new file to start at 1, a writer that read the old file could find a rebuilt one (renamed
    into place by another process) at "its" generation and write its ids into it.
    """
    return secrets.randbits(48)


def write_new(index: Index, path: Path | str, meta: Mapping[str, str]) -> Stored:
    """Write ``index`` as the whole content of ``path``: in place when it is an index, else a new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generation = first_generation()
    postings = index.postings if index.stored is None and isinstance(index.postings, dict) \
        else build_postings(index.entries)
    for _ in range(2):  # a second try when another process created the file meanwhile
        garbage = False
        if path.exists() or path.is_symlink():  # something is there: an index, or not one (a FIFO, garbage)
            if path.is_file():
                rewritten, checked = _rewrite(path, index, postings, meta, generation)
                if rewritten:
                    break
            garbage = True
        if _create(path, index, postings, meta, generation, replace=garbage):
            checked = _stamp_of(path)
            break
    else:
        raise StoreChangedError(str(path))
    remember(path, checked)
    return Stored(str(path), generation, tuple(range(len(index.entries))), len(index.entries), stamp=checked)


def _stamp_of(path: Path) -> str | None:
    with suppress(OSError), held(path) as handle:
        return handle.stamp()
    return None


def _fill(con: sqlite3.Connection, index: Index, postings: Mapping[str, str], meta: Mapping[str, str],
          generation: int) -> None:
    """Create the tables and write every row, inside the caller's transaction."""
    for table in sorted(TABLES):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in filter(str.strip, SCHEMA.split(";")):
        con.execute(statement)
    con.executemany(f"INSERT INTO skills(id, {ROW_COLUMNS}) VALUES ({','.join('?' * 18)})",
                    (row(e, i) for i, e in enumerate(index.entries)))
    con.executemany("INSERT INTO terms(id, terms) VALUES (?, ?)",
                    ((i, terms_text(e)) for i, e in enumerate(index.entries)))
    con.executemany("INSERT INTO postings(term, docs) VALUES (?, ?)", sorted(postings.items()))
    write_side_tables(con, index, None)
    con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                    meta_rows(index, meta, generation, len(index.entries)))


def _rewrite(path: Path, index: Index, postings: Mapping[str, str], meta: Mapping[str, str],
             generation: int) -> tuple[bool, str | None]:
    """Replace the content of the index file at ``path`` in one write transaction.

    Returns whether it was rewritten (False: ``path`` is no usable SQLite file, so the caller
    creates a new one) and the stamp the commit left (``None``: unknown).

    Raises:
        IndexBusyError: another process held the file longer than this one may wait.
    """
    try:
        with held(path) as handle:  # open before the connection, closed after it (loader.index.trust)
            con = _locked(path)
            if con is None:
                return False, None
            try:
                before = handle.stamp()
                _fill(con, index, postings, meta, generation)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            finally:
                con.close()
            return True, handle.after_commit(before)
    except FileNotFoundError:
        return False, None


def _create(path: Path, index: Index, postings: Mapping[str, str], meta: Mapping[str, str],
            generation: int, *, replace: bool) -> bool:
    """Write a new file beside ``path`` and put it in place; False when another process created ``path`` first.

    With ``replace``, the caller found no usable index at ``path`` (garbage, an old JSON index):
    it is replaced, with any stale journal beside it, as no live writer can be using such a
    file. Otherwise the file is linked into place, which fails rather than overwrite an index
    another process has just created.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = connect(tmp, write=True)
        try:
            con.execute("PRAGMA journal_mode=OFF")  # private until it is in place: no journal needed
            con.execute("BEGIN")
            _fill(con, index, postings, meta, generation)
            con.execute("COMMIT")
        finally:
            con.close()
        os.chmod(tmp, 0o644)  # noqa: PTH101
        if replace:
            Path(f"{path}-journal").unlink(missing_ok=True)
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # fails if another process created it meanwhile
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _locked(path: Path) -> sqlite3.Connection | None:
    """A connection holding ``path``'s write lock (waiting for a writer to finish), or ``None`` if it is no index.

    Raises:
        IndexBusyError: another process held the lock longer than this one may wait.
    """
    try:
        con = connect(path, write=True)
    except sqlite3.Error:
        return None
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()  # garbage says so here
    except sqlite3.Error as exc:
        if con.in_transaction:
            with suppress(sqlite3.Error):
                con.execute("ROLLBACK")
        con.close()
        if is_busy(exc):
            raise busy(path) from exc
        return None
    return con
