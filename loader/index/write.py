"""Index storage, writing the changes between two indexes in one transaction (a new file: ``create``).

Guarantees: ``write_changes`` rewrites only the rows of skills that were added, removed or changed and the
posting rows of their terms, after checking that the file is still at the generation the old
index was read from (else :class:`~loader.index.sqlite.StoreChangedError`, nothing written).
Skill ids are never reused, so a reader holding older rows cannot mistake a new skill for one
it knows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from itertools import compress
from operator import attrgetter, is_not
from typing import TYPE_CHECKING

from loader.index.postings import FIELDS, decode_terms
from loader.index.rows import meta_rows, row, terms_text, write_side_tables
from loader.index.sqlite import (
    CHUNK,
    ROW_COLUMNS,
    StoreChangedError,
    busy,
    connect,
    is_busy,
)
from loader.index.store import Stored
from loader.index.stored_terms import fetch_terms
from loader.index.trust import held, remember

if TYPE_CHECKING:
    from loader.index.types import Index, IndexEntry


def _tfs(terms_by_field: Sequence[str]) -> dict[str, str]:
    """Term -> ``"tf,tf,tf,tf,tf"`` for one skill."""
    per: dict[str, list[int]] = {}
    for fi, text in enumerate(terms_by_field):
        for term, count in decode_terms(text).items():
            slot = per.get(term)
            if slot is None:
                slot = per[term] = [0] * len(FIELDS)
            slot[fi] = count
    return {t: ",".join(map(str, v)) for t, v in per.items()}


def _changes(old: Index, new: Index, old_ident: Sequence[int]) -> tuple[
        list[IndexEntry], list[tuple[IndexEntry, IndexEntry]], list[IndexEntry], list[IndexEntry], dict[str, int]]:
    """Removed, edited (old, new), moved (same content, new stamps) and added entries, and the old
    ids of every skill among them. An entry reused from ``old`` is the same object."""
    before, after = old.entries, new.entries
    if len(before) == len(after):  # the usual case, an edit: positions line up; find them without a Python loop
        at = list(compress(range(len(after)), map(is_not, before, after)))
        if all(before[i].name == after[i].name for i in at):
            pairs = [(before[i], after[i]) for i in at]
            ids = {before[i].name: old_ident[i] for i in at}
            return ([], [(b, a) for b, a in pairs if b.content_hash != a.content_hash],
                    [a for b, a in pairs if b.content_hash == a.content_hash], [], ids)
    names = list(map(attrgetter("name"), before))
    old_ids = dict(zip(names, old_ident, strict=True))
    old_by_name = dict(zip(names, before, strict=True))
    edited: list[tuple[IndexEntry, IndexEntry]] = []
    moved: list[IndexEntry] = []
    added: list[IndexEntry] = []
    for entry in after:
        known = old_by_name.get(entry.name)
        if known is entry:
            continue
        if known is None:
            added.append(entry)
        elif known.content_hash != entry.content_hash:
            edited.append((known, entry))
        else:
            moved.append(entry)
    kept = len(after) - len(added)
    removed = [] if kept == len(before) else [e for e in before if e.name not in new]
    return removed, edited, moved, added, old_ids


def write_changes(old: Index, new: Index, meta: Mapping[str, str]) -> Stored:
    """Turn the stored ``old`` into ``new`` in one transaction, touching only what differs.

    Raises:
        StoreChangedError: the file is no longer at ``old``'s generation (another writer won).
    """
    stored = old.stored
    assert stored is not None
    removed, edited, moved, added, old_ids = _changes(old, new, stored.ids)
    fetch_terms([*removed, *(o for o, _ in edited)])  # before the write lock is taken
    next_id = stored.next_id
    ids = dict(old_ids)
    removals: dict[str, set[int]] = {}
    additions: dict[str, list[str]] = {}
    for entry in removed:
        for term in _tfs([entry.terms.get(f, "") for f in FIELDS]):
            removals.setdefault(term, set()).add(old_ids[entry.name])
        del ids[entry.name]
    for before, after in edited:
        ident = old_ids[before.name]
        was, now = _tfs([before.terms.get(f, "") for f in FIELDS]), _tfs([after.terms.get(f, "") for f in FIELDS])
        for term in was.keys() | now.keys():
            if was.get(term) != now.get(term):
                if term in was:
                    removals.setdefault(term, set()).add(ident)
                if term in now:
                    additions.setdefault(term, []).append(f"{ident}:{now[term]}")
    for entry in added:
        ids[entry.name] = next_id
        for term, tfs in _tfs([entry.terms.get(f, "") for f in FIELDS]).items():
            additions.setdefault(term, []).append(f"{next_id}:{tfs}")
        next_id += 1
    try:
        with held(stored.path) as handle:  # open before the connection, closed after it (loader.index.trust)
            con = connect(stored.path, write=True)
            try:
                con.execute("BEGIN IMMEDIATE")
                found = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                if found is None or found[0] != str(stored.generation):
                    con.execute("ROLLBACK")
                    raise StoreChangedError(str(stored.path))
                unchanged = handle.stamp()  # the write lock is held: only this commit moves the counter now
                gone = [(old_ids[e.name],) for e in removed]
                con.executemany("DELETE FROM skills WHERE id = ?", gone)
                con.executemany("DELETE FROM terms WHERE id = ?", gone)
                con.executemany(f"INSERT INTO skills(id, {ROW_COLUMNS}) VALUES ({','.join('?' * 18)})",
                                [row(e, ids[e.name]) for e in added])
                con.executemany("INSERT INTO terms(id, terms) VALUES (?, ?)",
                                [(ids[e.name], terms_text(e)) for e in added])
                columns = ", ".join(f"{c.strip()} = ?" for c in ROW_COLUMNS.split(","))
                con.executemany(f"UPDATE skills SET {columns} WHERE id = ?",
                                [(*row(e, 0)[1:], ids[e.name]) for e in (*moved, *(e for _, e in edited))])
                con.executemany("UPDATE terms SET terms = ? WHERE id = ?",
                                [(terms_text(e), ids[e.name]) for _, e in edited])
                _update_postings(con, removals, additions)
                write_side_tables(con, new, old)
                con.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                                meta_rows(new, meta, stored.generation + 1, next_id))
                con.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                if is_busy(exc):
                    raise busy(stored.path) from exc
                if handle.replaced():  # the path names another file now (a garbage file was replaced)
                    raise StoreChangedError(str(stored.path)) from exc
                raise
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            finally:
                con.close()
            # Typed rows written into a file whose rows were known typed (and not changed since): still typed.
            checked = handle.after_commit(unchanged) if unchanged is not None and unchanged == stored.stamp else None
    except FileNotFoundError as exc:  # deleted since it was read: read it again (and rebuild)
        raise StoreChangedError(str(stored.path)) from exc
    remember(stored.path, checked)
    same_skills = not added and not removed  # then the entries are in the same order, with the same ids
    new_ids = stored.ids if same_skills else tuple(ids[e.name] for e in new.entries)
    return Stored(stored.path, stored.generation + 1, new_ids, next_id, checked)


def _update_postings(con: sqlite3.Connection, removals: dict[str, set[int]],
                     additions: dict[str, list[str]]) -> None:
    """Apply item removals and additions to the stored posting strings of the touched terms only."""
    appends = [(t, " ".join(items)) for t, items in sorted(additions.items()) if t not in removals]
    con.executemany("INSERT INTO postings(term, docs) VALUES (?, ?) "
                    "ON CONFLICT(term) DO UPDATE SET docs = docs || ' ' || excluded.docs", appends)
    todo = sorted(removals)
    current: dict[str, str] = {}
    for i in range(0, len(todo), CHUNK):
        part = todo[i:i + CHUNK]
        sql = f"SELECT term, docs FROM postings WHERE term IN ({','.join('?' * len(part))})"
        current.update(con.execute(sql, part).fetchall())
    writes, deletes = [], []
    for term in todo:
        docs = _without(current.get(term, ""), removals[term])
        extra = " ".join(additions.get(term, ()))
        docs = f"{docs} {extra}" if docs and extra else docs or extra
        if docs:
            writes.append((docs, term))
        else:
            deletes.append((term,))
    con.executemany("UPDATE postings SET docs = ? WHERE term = ?", writes)
    con.executemany("DELETE FROM postings WHERE term = ?", deletes)


def _without(docs: str, idents: set[int]) -> str:
    """A posting string without the items of ``idents``.

    Items are found by searching for ``"<id>:"`` at an item start rather than by splitting
    the string: a common term's postings list every skill, and one edit touches hundreds of them.
    """
    for ident in idents:
        key = f"{ident}:"
        if docs.startswith(key):
            start = 0
        else:
            start = docs.find(f" {key}") + 1
            if start == 0:
                continue  # not there
        end = docs.find(" ", start)
        if end < 0:
            docs = docs[:max(start - 1, 0)]
        elif start == 0:
            docs = docs[end + 1:]
        else:
            docs = docs[:start - 1] + docs[end:]
    return docs
