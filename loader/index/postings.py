"""Inverted postings for the matcher: stored with the index, decoded lazily, updated in place.

Guarantees: one posting string per term (``"doc:tf,tf,tf,tf,tf doc:..."``, docs ascending,
doc = position of the entry in the name-sorted index), so loading an index parses no
postings at all and a query decodes only its own terms; editing one skill rewrites only the
postings of that skill's terms. The same entries always give the same postings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

from loader.core.errors import IndexDamagedError

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.index.types import IndexEntry

FIELDS = ("name", "description", "when", "headings", "body")
"""Fields whose term frequencies the index keeps, most specific first."""

Posting = tuple[int, tuple[int, ...]]


def encode_terms(counts: Mapping[str, int]) -> str:
    """Encode term frequencies as ``"a b:2 c"`` (sorted, so encoding is deterministic)."""
    return " ".join(t if n == 1 else f"{t}:{n}" for t, n in sorted(counts.items()))


def decode_terms(text: str) -> dict[str, int]:
    """Inverse of :func:`encode_terms`."""
    out: dict[str, int] = {}
    for item in text.split():
        term, sep, count = item.rpartition(":")
        if sep and count.isdigit():
            out[term] = int(count)
        else:
            out[item] = 1
    return out


def _entry_tfs(entry: IndexEntry) -> dict[str, list[int]]:
    per_term: dict[str, list[int]] = {}
    for fi, fname in enumerate(FIELDS):
        for term, count in decode_terms(entry.terms.get(fname, "")).items():
            slot = per_term.get(term)
            if slot is None:
                slot = per_term[term] = [0] * len(FIELDS)
            slot[fi] = count
    return per_term


def _item(doc: int, tfs: Sequence[int]) -> str:
    return f"{doc}:{','.join(map(str, tfs))}"


def build_postings(entries: Sequence[IndexEntry]) -> dict[str, str]:
    """Invert ``entries`` (already in doc order) into one posting string per term."""
    lists: dict[str, list[str]] = {}
    for doc, entry in enumerate(entries):
        fields = [decode_terms(entry.terms.get(f, "")) for f in FIELDS]
        every: set[str] = set()
        for counts in fields:
            every.update(counts)
        for term in every:
            item = f"{doc}:{','.join(str(counts.get(term, 0)) for counts in fields)}"
            bucket = lists.get(term)
            if bucket is None:
                lists[term] = [item]
            else:
                bucket.append(item)
    return {term: " ".join(lists[term]) for term in sorted(lists)}


def decode_posting(text: str) -> list[Posting]:
    """``"3:0,1,0,0,2 9:..."`` -> ``[(3, (0, 1, 0, 0, 2)), (9, ...)]``.

    Raises:
        ValueError: an item is not ``doc:tf,...`` with one count per field.
    """
    out: list[Posting] = []
    for item in text.split():
        doc, _, tfs = item.partition(":")
        counts = tuple(map(int, tfs.split(",")))
        if len(counts) != len(FIELDS):
            raise ValueError(f"{item!r} does not hold {len(FIELDS)} counts")
        out.append((int(doc), counts))
    return out


def update_postings(postings: dict[str, str], doc: int, old: IndexEntry, new: IndexEntry) -> None:
    """Replace ``old``'s postings by ``new``'s for document ``doc``, touching only their terms."""
    before, after = _entry_tfs(old), _entry_tfs(new)
    for term in sorted(set(before) | set(after)):
        if before.get(term) == after.get(term):
            continue
        items = [p for p in decode_posting(postings.get(term, "")) if p[0] != doc]
        if term in after:
            items.append((doc, tuple(after[term])))
            items.sort()
        if items:
            postings[term] = " ".join(_item(d, tfs) for d, tfs in items)
        else:
            postings.pop(term, None)


_LENGTHS = itemgetter(*FIELDS)


def _field_lengths(lengths: Mapping[str, int]) -> tuple[int, ...]:
    """One skill's field lengths in ``FIELDS`` order (0 for a field it lacks); C speed when it has all."""
    try:
        return _LENGTHS(lengths)  # type: ignore[no-any-return]
    except KeyError:
        return tuple(lengths.get(f, 0) for f in FIELDS)


class CollectionStats:
    """What BM25 needs about the collection, with postings decoded on first use per term."""

    def __init__(self, entries: Sequence[IndexEntry], postings: Mapping[str, str],
                 docs: Mapping[int, int] | None = None, prefetch: Callable[[Iterable[str]], None] | None = None,
                 where: str = "the index") -> None:
        """Wrap ``postings`` of ``entries`` (doc = position in ``entries``).

        Args:
            entries: the documents, in doc order.
            postings: term -> posting string.
            docs: when the posting strings number documents otherwise (stored ids), id -> position;
                ids not in it (skills stored after ``entries`` were read) are ignored.
            prefetch: fetches the postings of many terms at once (a stored index), or ``None``.
            where: the index file, for the error a malformed posting string raises.
        """
        self.n_docs = len(entries)
        self.raw = postings
        self.docs = docs
        self._prefetch = prefetch
        self.where = where
        self.lengths: list[tuple[int, ...]] = [_field_lengths(e.lengths) for e in entries]
        n = max(1, self.n_docs)
        self.avg_lengths = tuple(max(1.0, sum(row[i] for row in self.lengths) / n) for i in range(len(FIELDS)))
        self._decoded: dict[str, list[Posting]] = {}
        self._maps: dict[str, dict[int, tuple[int, ...]]] = {}
        self.cache: dict[object, object] = {}
        """Derived per-term data the matcher caches (keyed by term and parameters)."""

    def prefetch(self, terms: Iterable[str]) -> None:
        """Fetch the postings of ``terms`` in one go when they are stored (a no-op in memory)."""
        if self._prefetch is not None:
            self._prefetch(terms)

    def postings(self, term: str) -> list[Posting]:
        """The term's postings (empty when no skill has it); cached."""
        found = self._decoded.get(term)
        if found is None:
            try:
                found = decode_posting(self.raw.get(term, ""))
            except ValueError as exc:
                raise IndexDamagedError(message=f"{self.where}: the postings of {term!r} are malformed: {exc}") from exc
            if self.docs is not None:
                docs = self.docs
                found = sorted((docs[d], tfs) for d, tfs in found if d in docs)
            self._decoded[term] = found
        return found

    def posting_of(self, term: str, doc: int) -> tuple[int, ...] | None:
        """Field frequencies of ``term`` in document ``doc``, or ``None``."""
        found = self._maps.get(term)
        if found is None:
            found = self._maps[term] = dict(self.postings(term))
        return found.get(doc)

    def df(self, term: str) -> int:
        """How many skills contain ``term`` (counted without decoding the postings)."""
        raw = self.raw.get(term)
        return raw.count(" ") + 1 if raw else 0

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency (always positive; highest for unseen terms)."""
        df = self.df(term)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))
