"""Index storage, term lists and postings of a stored index, fetched only when asked for.

An open reads neither: a query fetches the postings of its own terms with one indexed SELECT
(:class:`StoredPostings`), and an update fetches the term lists of the skills it rewrites
(:func:`fetch_terms`). Both cache what they read for the life of the index object.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping

from loader.index.postings import FIELDS
from loader.index.sqlite import CHUNK, connect, damaged

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.index.types import IndexEntry


class TermSource:
    """The stored term lists of an index's skills, fetched only when asked for (updates, exports)."""

    def __init__(self, path: str) -> None:
        """Read lazily from ``path``."""
        self.path = path
        self._cache: dict[str, tuple[str, ...]] = {}
        self._complete = False

    def __reduce__(self) -> tuple[type[TermSource], tuple[str]]:
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

    def __init__(self, path: str) -> None:
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
