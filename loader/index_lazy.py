"""Index storage, lazy entries: a stored skill's larger fields are read when first used.

Opening an index reads, per skill, only what finding changes needs (name, folder, signature,
file list); the rest (description, hashes, token counts, field lengths...) is read on first
use: one row at a time for the first few entries asked (an edit re-indexes one skill), then
every remaining row in one query (a matcher reads every skill's field lengths). A completed
entry becomes a plain :class:`~loader.index.IndexEntry`, equal to one built in memory.

Guarantees: a row is used only if it still has the entry's name and signature (the same
stamps, hence the same content as when the index was opened); a skill whose row changed or
went away since (another process re-indexed it) gets neutral values and is never
auto-matched (``invocable`` false); the next open sees the change. Rows written by another
process are type-checked before use. A file that can no longer be read is an
:class:`~loader.index_store.IndexDamagedError`, as for postings.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from loader.index import ENTRY_FIELDS, IndexEntry, _entry_values
from loader.index_store import CHUNK, SEP, StoredTerms, TermSource, connect, damaged
from loader.postings import FIELDS

SINGLE_LOADS = 8
"""Entries completed one query each before the rest are read in one go."""
HEAVY = ("content_hash", "description", "manifest_stat", "body_offset", "listing_tokens", "body_tokens",
         "reference_tokens", "invocable", "lengths")
"""The fields read on first use, in the order :data:`HEAVY_COLUMNS` gives them."""
HEAVY_COLUMNS = ("name, signature, content_hash, description, manifest_stat, body_offset, listing_tokens, "
                 "body_tokens, refs, invocable, len_name, len_description, len_when, len_headings, len_body")
_SLOTS = {name: IndexEntry.__dict__[name] for name in ENTRY_FIELDS}
"""The slot descriptors of IndexEntry: how a frozen entry's fields are filled in once."""
_set_name, _set_path, _set_signature = _SLOTS["name"].__set__, _SLOTS["path"].__set__, _SLOTS["signature"].__set__
_set_files, _set_terms = _SLOTS["files"].__set__, _SLOTS["terms"].__set__
_HEAVY_SETTERS = tuple(_SLOTS[name].__set__ for name in HEAVY)
_NEUTRAL: tuple[Any, ...] = ("", "", "", 0, 0, 0, {}, False, dict.fromkeys(FIELDS, 0))
"""What a skill whose row changed since the index was opened gets: nothing to match or load
(mappings copied per entry, as every entry has its own)."""


class StoredEntry(IndexEntry):
    """An :class:`IndexEntry` read from disk whose :data:`HEAVY` fields are not read yet.

    Reading one of them completes the entry (and, past :data:`SINGLE_LOADS`, every pending
    entry of the same index), which then becomes a plain ``IndexEntry``.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> IndexEntry:  # type: ignore[misc]
        """``dataclasses.replace`` and copies build a plain entry."""
        return IndexEntry(*args, **kwargs)

    def __reduce__(self) -> tuple[type[IndexEntry], tuple[Any, ...]]:
        return IndexEntry, _entry_values(self)


_get_terms = _SLOTS["terms"].__get__


def _source(entry: IndexEntry) -> EntrySource:
    """A pending entry's ``terms`` slot holds its source until the terms are asked for."""
    held = _get_terms(entry, IndexEntry)
    return held if isinstance(held, EntrySource) else held._source


def _heavy(name: str) -> property:
    slot = _SLOTS[name]

    def get(self: IndexEntry) -> Any:
        _source(self).complete(self)
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
StoredEntry.terms = property(_terms, doc="The stored term lists, fetched on use (``StoredTerms``).")  # type: ignore[assignment]


def complete(entries: Iterable[IndexEntry]) -> None:
    """Read the heavy fields of every pending entry among ``entries`` now, one query per index file."""
    pending: dict[int, tuple[EntrySource, list[IndexEntry]]] = {}
    for entry in entries:
        if type(entry) is StoredEntry:
            source = _source(entry)
            pending.setdefault(id(source), (source, []))[1].append(entry)
    for source, group in pending.values():
        source.load_all(group)


class EntrySource(TermSource):
    """The stored rows behind an index's lazy entries (and their term lists)."""

    def __init__(self, path: Any, generation: int) -> None:
        """Rows of the index at ``path`` as of ``generation`` (see ``loader.index_store.Stored``)."""
        super().__init__(path)
        self.generation = generation
        """The rows not rewritten since this generation are the ones the entries were read from."""
        self.entries: list[IndexEntry] = []
        self._singles = 0

    def make(self, rows: Iterable[tuple[int, str, str, str, str]]) -> list[IndexEntry]:
        """Lazy entries for ``(id, name, path, signature, files)`` rows."""
        new, entries = object.__new__, self.entries
        for _, name, folder, signature, files in rows:
            entry = new(StoredEntry)
            _set_name(entry, name)
            _set_path(entry, folder)
            _set_signature(entry, signature)
            _set_files(entry, tuple(files.split(SEP)) if files else ())
            _set_terms(entry, self)  # becomes StoredTerms(self, name) when first asked for (see _terms)
            entries.append(entry)
        return entries

    def complete(self, entry: IndexEntry) -> None:
        """Read ``entry``'s heavy fields (and everyone's, once many were asked for one by one)."""
        if type(entry) is not StoredEntry:
            return
        self._singles += 1
        if self._singles <= SINGLE_LOADS:
            self._load([entry])
        else:
            self.load_all([e for e in self.entries if type(e) is StoredEntry])

    def load_all(self, entries: Sequence[IndexEntry]) -> None:
        """Complete ``entries`` (pending entries of this source) in one query."""
        self._load(entries, everything=len(entries) > CHUNK)
        if all(type(e) is not StoredEntry for e in self.entries):
            self.entries = []  # all complete: drop the references (and the cycle through terms)

    def _load(self, entries: Sequence[IndexEntry], *, everything: bool = False) -> None:
        try:
            con = connect(self.path, write=False)
            try:
                con.execute("BEGIN")
                rows, generation = self._fetch(con, [e.name for e in entries], everything)
                con.execute("COMMIT")
            finally:
                con.close()
        except (sqlite3.Error, OSError) as exc:
            raise damaged(self.path, exc) from exc
        enabled = gc.isenabled()
        gc.disable()  # ten thousand entries completed at once, nothing cyclic: collecting would only cost time
        try:
            self._fill(entries, {row[0]: row for row in rows}, foreign=generation != self.generation)
        finally:
            if enabled:
                gc.enable()

    def _fill(self, entries: Sequence[IndexEntry], rows: Mapping[str, tuple[Any, ...]], *, foreign: bool) -> None:
        """Set the heavy fields of ``entries`` from ``rows`` (by name), then make them plain entries.

        ``foreign``: the file was written by another process since the entries were read, so
        rows are type-checked first. Written out field by field: this runs for every skill.
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

    def _fetch(self, con: sqlite3.Connection, names: list[str], everything: bool
               ) -> tuple[list[tuple[Any, ...]], int]:
        found = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation = int(found[0]) if found is not None else -1
        if everything:
            return con.execute(f"SELECT {HEAVY_COLUMNS} FROM skills").fetchall(), generation
        rows: list[tuple[Any, ...]] = []
        for i in range(0, len(names), CHUNK):
            part = names[i:i + CHUNK]
            sql = f"SELECT {HEAVY_COLUMNS} FROM skills WHERE name IN ({','.join('?' * len(part))})"
            rows.extend(con.execute(sql, part).fetchall())
        return rows, generation


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
