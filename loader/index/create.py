"""Index storage, a new file: build it under a temporary name, then rename it into place.

Guarantees: all or nothing (a reader sees the old file or the new one); the rename happens
under the old file's write lock, so a writer mid-transaction keeps its journal and a killed
writer's journal is rolled back rather than replayed into the new file; a new file's
generation starts at a random number, so no writer mistakes it for the file it read.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from loader.index.postings import build_postings
from loader.index.rows import meta_rows, row, terms_text, write_side_tables
from loader.index.sqlite import ROW_COLUMNS, SCHEMA, busy, connect, is_busy
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


def write_new(index: Index, path: Path, meta: Mapping[str, str]) -> Stored:
    """Write ``index`` as a new file replacing ``path`` (temp file + rename: all or nothing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generation = first_generation()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    postings = index.postings if index.stored is None and isinstance(index.postings, dict) \
        else build_postings(index.entries)
    try:
        con = connect(tmp, write=True)
        try:
            con.execute("PRAGMA journal_mode=OFF")  # private until renamed: no journal needed
            con.executescript(SCHEMA)
            con.execute("BEGIN")
            con.executemany(f"INSERT INTO skills(id, {ROW_COLUMNS}) VALUES ({','.join('?' * 18)})",
                            (row(e, i) for i, e in enumerate(index.entries)))
            con.executemany("INSERT INTO terms(id, terms) VALUES (?, ?)",
                            ((i, terms_text(e)) for i, e in enumerate(index.entries)))
            con.executemany("INSERT INTO postings(term, docs) VALUES (?, ?)", sorted(postings.items()))
            write_side_tables(con, index, None)
            con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                            meta_rows(index, meta, generation, len(index.entries)))
            con.execute("COMMIT")
        finally:
            con.close()
        os.chmod(tmp, 0o644)  # noqa: PTH101
        with held(tmp) as handle:  # written here, rows typed: the same inode once renamed
            checked = handle.stamp()
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    remember(path, checked)
    return Stored(path, generation, tuple(range(len(index.entries))), len(index.entries), stamp=checked)


def _replace(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` onto ``path`` while no writer is inside a transaction on the file there.

    The rename happens under the old file's write lock: a writer mid-transaction keeps its
    journal (deleting it under the writer once broke its commit with "disk I/O error"), and
    taking the lock rolls back a journal left by a killed writer, so none is left to be
    replayed into the new file. A file there that is not a usable index has no live writer:
    its stale journal is deleted and the new file renamed over it.
    """
    con = _locked(path) if path.is_file() else None
    if con is None:
        Path(f"{path}-journal").unlink(missing_ok=True)
        os.replace(tmp, path)
        return
    try:
        os.replace(tmp, path)
    finally:
        con.execute("ROLLBACK")
        con.close()


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
    except sqlite3.Error as exc:
        con.close()
        if is_busy(exc):
            raise busy(path) from exc
        return None
    return con
