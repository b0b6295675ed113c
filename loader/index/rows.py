"""Index storage, rows: how an entry, its term lists, the meta values and the side tables are written.

Shared by the two writers, ``create`` (a new file) and ``write`` (the changes between two
indexes), so both store exactly the same values.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING

from loader.index.postings import FIELDS
from loader.index.sqlite import SEP, encode_tree

if TYPE_CHECKING:
    from loader.index.types import Index, IndexEntry


def row(entry: IndexEntry, ident: int) -> tuple[object, ...]:
    """The ``skills`` row of ``entry`` under id ``ident`` (``id`` then the columns of ``ROW_COLUMNS``)."""
    refs = SEP.join(f"{k}{SEP}{v}" for k, v in sorted(entry.reference_tokens.items()))
    return (ident, entry.name, entry.description, entry.path, entry.content_hash, entry.signature,
            entry.manifest_stat, entry.body_offset, entry.listing_tokens, entry.body_tokens, refs,
            int(entry.invocable), *(entry.lengths.get(f, 0) for f in FIELDS), SEP.join(entry.files))


def terms_text(entry: IndexEntry) -> str:
    """The ``terms`` row of ``entry``: one encoded term list per field, one per line."""
    return "\n".join(entry.terms.get(f, "") for f in FIELDS)


def meta_rows(index: Index, meta: Mapping[str, str], generation: int, next_id: int) -> list[tuple[str, str]]:
    """The ``meta`` table's key-value rows."""
    values = {**meta, "roots": json.dumps(list(index.roots)), "token_counter": index.token_counter,
              "tree_time": str(index.tree_time), "generation": str(generation), "next_id": str(next_id)}
    return sorted(values.items())


def write_side_tables(con: sqlite3.Connection, index: Index, old: Index | None) -> None:
    """Write the skipped folders and the folder tree, where they differ from ``old``'s."""
    if old is None or old.skipped != index.skipped:
        con.execute("DELETE FROM skipped")
        con.executemany("INSERT INTO skipped(path, signature, message, files) VALUES (?, ?, ?, ?)",
                        ((p, s, m, SEP.join(f)) for p, (s, m, f) in sorted(index.skipped.items())))
    if old is None or old.tree != index.tree:
        con.execute("INSERT OR REPLACE INTO tree(id, folders, mtimes) VALUES (0, ?, ?)", encode_tree(index.tree))
