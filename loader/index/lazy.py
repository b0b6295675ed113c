"""Index storage, lazy entries: a stored skill's larger fields are read when first used.

Opening an index reads, per skill, only what finding changes needs (name, folder, signature,
file list). The matcher's fields (field lengths, ``invocable``, body tokens) are read for every
skill in one narrow query the first time one is needed; any other field (description, hashes,
offsets...) one row at a time for the first few entries asked (an edit re-indexes one skill),
then every remaining row in one query (a listing). A completed entry becomes a plain
:class:`~loader.index.types.IndexEntry`, equal to one built in memory.

Guarantees: a row is used only if it still has the entry's id (file unchanged since read, or
changed only by this process's commit) or name (otherwise) and its signature (the same stamps,
hence the same content as when the index was opened); a skill whose row changed or
went away since (another process re-indexed it) gets neutral values and is never
auto-matched (``invocable`` false); the next open sees the change. When the file changed since
it was read and is not one known to hold typed rows (``loader.index.trust``), its rows are
type-checked before use (a mistyped row is treated as changed). A file that can no longer be
read is an :class:`~loader.index.sqlite.IndexDamagedError`, as for postings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from loader.core.gc_pause import gc_paused
from loader.index.postings import FIELDS
from loader.index.sqlite import BAD_ROWS, CHUNK, SEP, connect, damaged
from loader.index.stored_terms import StoredTerms, TermSource
from loader.index.trust import held, is_checked
from loader.index.types import ENTRY_FIELDS, IndexEntry, _entry_values

SINGLE_LOADS = 8
"""Entries completed one query each before the rest are read in one go."""
HEAVY = ("content_hash", "description", "manifest_stat", "body_offset", "listing_tokens", "body_tokens",
         "reference_tokens", "invocable", "lengths")
"""The fields read on first use, in the order :data:`HEAVY_COLUMNS` gives them."""
MATCHING = ("body_tokens", "invocable", "lengths")
"""The heavy fields the matcher reads for every skill: read for all at once, before the others."""
HEAVY_COLUMNS = ("name, signature, content_hash, description, manifest_stat, body_offset, listing_tokens, "
                 "body_tokens, refs, invocable, len_name, len_description, len_when, len_headings, len_body")
MATCHING_COLUMNS = "body_tokens, invocable, len_name, len_description, len_when, len_headings, len_body"
_SLOTS = {name: IndexEntry.__dict__[name] for name in ENTRY_FIELDS}
"""The slot descriptors of IndexEntry: how a frozen entry's fields are filled in once."""
_set_name, _set_path, _set_signature = _SLOTS["name"].__set__, _SLOTS["path"].__set__, _SLOTS["signature"].__set__
_set_files, _set_terms = _SLOTS["files"].__set__, _SLOTS["terms"].__set__
_HEAVY_SETTERS = tuple(_SLOTS[name].__set__ for name in HEAVY)
_NEUTRAL: tuple[Any, ...] = ("", "", "", 0, 0, 0, {}, False, dict.fromkeys(FIELDS, 0))
"""What a skill whose row changed since the index was opened gets: nothing to match or load
(mappings copied per entry, as every entry has its own)."""


class _Pending(IndexEntry):
    """An entry read from disk with some fields not read yet (see the subclasses)."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> IndexEntry:  # type: ignore[misc]
        """``dataclasses.replace`` and copies build a plain entry."""
        return IndexEntry(*args, **kwargs)

    def __reduce__(self) -> tuple[type[IndexEntry], tuple[Any, ...]]:
        return IndexEntry, _entry_values(self)


class StoredEntry(_Pending):
    """An :class:`IndexEntry` read from disk whose :data:`HEAVY` fields are not read yet.

    Reading one of the :data:`MATCHING` fields reads them for every pending entry of the index
    (it becomes a :class:`PartialEntry`); reading another completes the entry (and, past
    :data:`SINGLE_LOADS`, every pending entry), which then becomes a plain ``IndexEntry``.
    """

    __slots__ = ()


class PartialEntry(_Pending):
    """A :class:`StoredEntry` whose :data:`MATCHING` fields are read; the others still are not."""

    __slots__ = ()


_get_terms = _SLOTS["terms"].__get__


def _source(entry: IndexEntry) -> EntrySource:
    """A pending entry's ``terms`` slot holds its source until the terms are asked for."""
    held = _get_terms(entry, IndexEntry)
    return held if isinstance(held, EntrySource) else held._source


def _heavy(name: str) -> property:
    slot, matching = _SLOTS[name], name in MATCHING

    def get(self: IndexEntry) -> Any:
        _source(self).complete(self, matching=matching)
        return slot.__get__(self, IndexEntry)

    return property(get, doc=f"``{name}``, read from the index on first use.")


def _terms(self: IndexEntry) -> StoredTerms:
    held = _get_terms(self, IndexEntry)
    if isinstance(held, EntrySource):
        held = StoredTerms(held, self.name)
        _set_terms(self, held)
    return held  # type: ignore[no-any-return]


for _name in HEAVY:
    setattr(StoredEntry, _name, _heavy(_name))
    if _name not in MATCHING:
        setattr(PartialEntry, _name, _heavy(_name))
for _lazy in (StoredEntry, PartialEntry):
    _lazy.terms = property(_terms, doc="The stored term lists, fetched on use (``StoredTerms``).")  # type: ignore[assignment]


class EntrySource(TermSource):
    """The stored rows behind an index's lazy entries (and their term lists)."""

    def __init__(self, path: Any, stamp: str | None) -> None:
        """Rows of the index at ``path``, whose ``loader.index.trust`` stamp was ``stamp`` when read."""
        super().__init__(path)
        self.stamp = stamp
        self.entries: list[IndexEntry] = []
        self.ids: list[int] = []
        self._singles = 0

    def make(self, rows: Iterable[tuple[int, str, str, str, str]]) -> list[IndexEntry]:
        """Lazy entries for ``(id, name, path, signature, files)`` rows."""
        new, entries, ids = object.__new__, self.entries, self.ids
        for ident, name, folder, signature, files in rows:
            entry = new(StoredEntry)
            _set_name(entry, name)
            _set_path(entry, folder)
            _set_signature(entry, signature)
            _set_files(entry, tuple(files.split(SEP)) if files else ())
            _set_terms(entry, self)  # becomes StoredTerms(self, name) when first asked for (see _terms)
            entries.append(entry)
            ids.append(ident)
        return entries

    def complete(self, entry: IndexEntry, *, matching: bool = False) -> None:
        """Read what ``entry`` lacks: the matching fields of all, or all of its fields (of everyone's,
        once many were asked for one by one)."""
        kind = type(entry)
        if kind is StoredEntry and matching:
            self.read_matching()
        elif kind is StoredEntry or kind is PartialEntry:
            self._singles += 1
            if self._singles <= SINGLE_LOADS:
                self._load([entry])
            else:
                self._load([e for e in self.entries if type(e) is not IndexEntry], everything=True)

    def read_matching(self) -> None:
        """Read the :data:`MATCHING` fields of every :class:`StoredEntry` of this source in one query."""
        pending = [(e, i) for e, i in zip(self.entries, self.ids, strict=True) if type(e) is StoredEntry]
        if not pending:
            return
        with self._reading() as (con, current):
            same = self.stamp is not None and current == self.stamp  # the very rows read at open
            found = con.execute(f"SELECT id, signature, {MATCHING_COLUMNS} FROM skills").fetchall() if same else []
        if not same:  # the file changed since: read whole rows, checked by name and signature
            self._load([e for e, _ in pending], everything=len(pending) > CHUNK)
            return
        rows = {row[0]: row for row in found}
        set_body, set_invocable = _SLOTS["body_tokens"].__set__, _SLOTS["invocable"].__set__
        set_lengths = _SLOTS["lengths"].__set__
        f_name, f_description, f_when, f_headings, f_body = FIELDS
        swap = object.__setattr__
        with gc_paused():
            for entry, ident in pending:
                row = rows.get(ident)
                if row is None or row[1] != entry.signature:  # rewritten since (this process's own write)
                    self._fill([entry], {}, foreign=False)  # neutral
                    continue
                _, _, body, invocable, l_name, l_description, l_when, l_headings, l_body = row
                set_body(entry, body)
                set_invocable(entry, invocable == 1)
                set_lengths(entry, {f_name: l_name, f_description: l_description, f_when: l_when,
                                    f_headings: l_headings, f_body: l_body})
                swap(entry, "__class__", PartialEntry)

    @contextmanager
    def _reading(self) -> Iterator[tuple[sqlite3.Connection, str | None]]:
        """A read transaction on the file, and the file's stamp while it holds (``loader.index.trust``)."""
        try:
            with held(self.path) as handle:  # open before the connection, closed after it (loader.index.trust)
                con = connect(self.path, write=False)
                try:
                    con.execute("BEGIN")
                    con.execute("SELECT 1 FROM meta LIMIT 1").fetchall()  # takes the read lock: the stamp holds
                    yield con, handle.stamp()
                    con.execute("COMMIT")
                finally:
                    con.close()
        except (sqlite3.Error, OSError) as exc:
            raise damaged(self.path, exc) from exc

    def _load(self, entries: Sequence[IndexEntry], *, everything: bool = False) -> None:
        with self._reading() as (con, current):
            rows = self._fetch(con, [e.name for e in entries], everything)
            # Rows are typed when the file is the one read (or one known checked), else check them.
            typed = current is not None and (current == self.stamp or is_checked(self.path, current))
            typed = typed or not con.execute(BAD_ROWS).fetchone()[0]
        with gc_paused():
            self._fill(entries, {row[0]: row for row in rows}, foreign=not typed)
        if everything and all(type(e) is IndexEntry for e in self.entries):
            self.entries, self.ids = [], []  # all complete: drop the references (and the cycle through terms)

    def _fill(self, entries: Sequence[IndexEntry], rows: Mapping[str, tuple[Any, ...]], *, foreign: bool) -> None:
        """Set the heavy fields of ``entries`` from ``rows`` (by name), then make them plain entries.

        ``foreign``: the file holds rows of unknown types (written since by something else), so
        each row is type-checked first. Written out field by field: this runs for every skill.
        """
        set_hash, set_description, set_stat, set_offset, set_listing, set_body, set_refs, set_invocable, \
            set_lengths = _HEAVY_SETTERS
        f_name, f_description, f_when, f_headings, f_body = FIELDS
        swap = object.__setattr__
        for entry in entries:
            name = entry.name
            row = rows.get(name)
            if row is None or row[1] != entry.signature or (foreign and not _typed(row)):
                for setter, value in zip(_HEAVY_SETTERS, _NEUTRAL, strict=True):
                    setter(entry, value.copy() if isinstance(value, dict) else value)
            else:
                _, _, content_hash, description, manifest_stat, offset, listing, body, refs, invocable, \
                    l_name, l_description, l_when, l_headings, l_body = row
                set_hash(entry, content_hash)
                set_description(entry, description)
                set_stat(entry, manifest_stat)
                set_offset(entry, offset)
                set_listing(entry, listing)
                set_body(entry, body)
                set_refs(entry, _refs(refs) if refs else {})
                set_invocable(entry, invocable == 1)
                set_lengths(entry, {f_name: l_name, f_description: l_description, f_when: l_when,
                                    f_headings: l_headings, f_body: l_body})
            if type(_get_terms(entry, IndexEntry)) is EntrySource:
                _set_terms(entry, StoredTerms(self, name))
            swap(entry, "__class__", IndexEntry)

    def _fetch(self, con: sqlite3.Connection, names: list[str], everything: bool) -> list[tuple[Any, ...]]:
        if everything:
            return con.execute(f"SELECT {HEAVY_COLUMNS} FROM skills").fetchall()
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(names), CHUNK):
            part = names[i:i + CHUNK]
            sql = f"SELECT {HEAVY_COLUMNS} FROM skills WHERE name IN ({','.join('?' * len(part))})"
            rows.extend(con.execute(sql, part).fetchall())
        return rows


def _refs(text: str) -> dict[str, int]:
    parts = text.split(SEP)
    return dict(zip(parts[::2], map(int, parts[1::2]), strict=True))


def _typed(row: tuple[Any, ...]) -> bool:
    try:
        _refs(row[8]) if row[8] else None
    except (ValueError, TypeError, AttributeError):
        return False
    return (all(type(v) is str for v in row[:5]) and type(row[8]) is str
            and all(type(v) is int for v in (*row[5:8], *row[10:])) and row[9] in (0, 1) and type(row[9]) is int)
