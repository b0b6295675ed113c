"""Index stage: per-skill facts and term statistics, stored on disk as a versioned SQLite file.

Guarantees: ``build_index`` is pure (reads the tree, writes nothing) and reuses the entries
of unchanged skill folders (same file sizes and mtimes, else same content hash) without
parsing them again; ``save_index`` and every update by ``open_index`` are atomic;
``load_index`` returns ``None`` for anything it cannot fully trust (missing, corrupt, older
or newer format, the old JSON index), so callers rebuild. Storage is ``loader.index.store``;
the operations (build, open, save) are in ``loader.index.build`` and ``loader.index.open``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from operator import attrgetter

from loader.core.model import Diagnostic, Severity
from loader.core.record import Record
from loader.core.text import TEXT_VERSION
from loader.core.textfile import read_text
from loader.core.tokens import DEFAULT_COUNTER
from loader.index.postings import FIELDS, CollectionStats, build_postings, decode_terms

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Final

    from loader.index.store import Stored

FORMAT = "skillpack-index"
FORMAT_VERSION = 6
"""Bumped when what an index holds changes (2: skills with only non-blocking errors are indexed;
3: an SQLite file with postings keyed by stable skill ids, replacing the JSON file;
4: ``signature`` is the plain ``file:size:mtime_ns`` list, compared without hashing;
5: a new file's ``generation`` starts at a random number, so concurrent writers cannot mistake a
rebuilt file for the one they read; 6: stamps hold the change time too, ``size:mtime_ns:ctime_ns``)."""
NORMALIZER = TEXT_VERSION
"""Indexes built with another text normalisation are rebuilt: their terms would not meet the query's."""
REFERENCE_SUFFIXES = (".md", ".markdown", ".txt", ".rst")
"""Reference files whose token counts are recorded (scripts are run, not read into context)."""


class IndexEntry(Record):
    """What the index knows about one skill: enough to match, rank, budget and load it.

    An entry read from a stored index holds its term lists as ``StoredTerms`` (fetched on use);
    it compares equal to an entry built in memory from the same skill.
    """

    __slots__ = ("name", "description", "path", "content_hash", "signature", "manifest_stat", "body_offset",
                 "listing_tokens", "body_tokens", "reference_tokens", "invocable", "terms", "lengths", "files")
    name: Final[str]
    description: Final[str]
    path: Final[str]
    """Absolute path of the skill folder."""
    content_hash: Final[str]
    """sha256 over SKILL.md, the folder's file names and its text reference files; equal hash, equal skill."""
    signature: Final[str]
    """Cheap change detector: ``name:size:mtime_ns:ctime_ns`` of SKILL.md and of every file in the folder,
    one per line."""
    manifest_stat: Final[str]
    """``size:mtime_ns:ctime_ns`` of SKILL.md, to trust ``body_offset`` when loading the body."""
    body_offset: Final[int]
    """Character offset of the body in SKILL.md's decoded text, to load it byte-exact."""
    listing_tokens: Final[int]
    """Tokens of the skill's line in a full listing (name and description)."""
    body_tokens: Final[int]
    reference_tokens: Final[Mapping[str, int]]
    """Reference file (POSIX path relative to the skill) -> tokens."""
    invocable: Final[bool]
    """False for ``disable-model-invocation: true``: indexed, never auto-matched."""
    terms: Final[Mapping[str, str]]
    """Field -> ``"term term:3 ..."`` (sorted terms, count when above one); compact on disk."""
    lengths: Final[Mapping[str, int]]
    """Field -> number of terms, for BM25 length normalisation."""
    files: Final[tuple[str, ...]]
    """The folder's other files (POSIX, relative), to re-check ``signature`` without a walk."""

    def __init__(self, name: str, description: str, path: str, content_hash: str, signature: str,  # noqa: PLR0913
                 manifest_stat: str, body_offset: int, listing_tokens: int, body_tokens: int,
                 reference_tokens: Mapping[str, int], invocable: bool, terms: Mapping[str, str],
                 lengths: Mapping[str, int], files: tuple[str, ...] = ()) -> None:
        self.name = name
        self.description = description
        self.path = path
        self.content_hash = content_hash
        self.signature = signature
        self.manifest_stat = manifest_stat
        self.body_offset = body_offset
        self.listing_tokens = listing_tokens
        self.body_tokens = body_tokens
        self.reference_tokens = reference_tokens
        self.invocable = invocable
        self.terms = terms
        self.lengths = lengths
        self.files = files

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndexEntry):
            return NotImplemented
        # Name and signature first: they settle most comparisons without comparing every field.
        return self is other or (self.name == other.name and self.signature == other.signature
                                 and _entry_values(self) == _entry_values(other))

    __hash__ = None  # type: ignore[assignment]  # mutable mappings inside

    @property
    def manifest_path(self) -> Path:
        """The skill's SKILL.md."""
        from pathlib import Path  # here: the hook reads bodies through manifest_file, without pathlib

        return Path(self.manifest_file)

    @property
    def manifest_file(self) -> str:
        """The skill's SKILL.md, as a string."""
        return f"{self.path}{os.sep}SKILL.md"

    def term_counts(self, field_name: str) -> dict[str, int]:
        """Decode one field's term frequencies."""
        return decode_terms(self.terms.get(field_name, ""))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping (field order fixed, so the file diff-friendly and stable)."""
        return {
            "name": self.name, "description": self.description, "path": self.path,
            "content_hash": self.content_hash, "signature": self.signature,
            "manifest_stat": self.manifest_stat, "body_offset": self.body_offset,
            "listing_tokens": self.listing_tokens, "body_tokens": self.body_tokens,
            "reference_tokens": dict(sorted(self.reference_tokens.items())), "invocable": self.invocable,
            "terms": {f: self.terms.get(f, "") for f in FIELDS}, "lengths": {f: self.lengths.get(f, 0) for f in FIELDS},
            "files": list(self.files),
        }



_NAME = attrgetter("name")
ENTRY_FIELDS = IndexEntry.__slots__
_entry_values = attrgetter(*ENTRY_FIELDS)


class Index:
    """The skills of one library and their statistics. Entries are sorted by name."""

    entries: tuple[IndexEntry, ...]
    roots: tuple[str, ...]
    """Resolved roots the index was built from, in the order given."""
    token_counter: str
    """The counter behind every token figure in the index (an index counted otherwise is rebuilt)."""
    postings: Mapping[str, str] | None
    """Term -> posting string (see ``loader.index.postings``); built from the entries when ``None``.
    For an index read from disk, fetched lazily and keyed by the stored ids (``stored.ids``)."""
    skipped: dict[str, tuple[str, str, tuple[str, ...]]]
    """Folders left out for errors: path -> (signature, warning message, files), so an
    unchanged broken skill is reported again without being parsed again."""
    tree: dict[str, int]
    """Every folder under the roots (skills and their sub-folders too) -> mtime in ns, taken by
    the last full walk: when none changed and no skill file changed, the index is current
    without walking again. Empty after a targeted :func:`update_index`."""
    tree_time: int
    """When ``tree`` was taken (ns since the epoch); folders changed just before it are not trusted."""
    stored: Stored | None
    """Where the index lives on disk and the stable ids of its entries (``None``: in memory only)."""

    def __init__(self, entries: tuple[IndexEntry, ...], roots: tuple[str, ...] = (),  # noqa: PLR0913
                 token_counter: str | None = None, postings: Mapping[str, str] | None = None,
                 skipped: dict[str, tuple[str, str, tuple[str, ...]]] | None = None, tree: dict[str, int] | None = None,
                 tree_time: int = 0, stored: Stored | None = None) -> None:
        self.roots = roots
        self.token_counter = DEFAULT_COUNTER.name if token_counter is None else token_counter
        self.skipped = {} if skipped is None else skipped
        self.tree = {} if tree is None else tree
        self.tree_time = tree_time
        # Stored entries come sorted by name (SQLite's binary order of UTF-8 is code point order).
        ordered = entries if stored is not None else tuple(sorted(entries, key=_NAME))
        if ordered != entries:
            postings = None  # doc numbers follow the name order
            stored = None
        self.entries = ordered
        self._by_name = {e.name: e for e in ordered}
        if postings is None:
            postings = build_postings(ordered)  # numbered by position, not by stored id
            stored = None
        self.postings = postings
        self.stored = stored

    def __repr__(self) -> str:
        return f"Index({len(self.entries)} entries, roots={self.roots!r}, tree_time={self.tree_time})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Index):
            return NotImplemented
        return (self.entries, self.roots, self.token_counter, self.postings, self.skipped, self.tree,
                self.tree_time) == (other.entries, other.roots, other.token_counter, other.postings, other.skipped,
                                    other.tree, other.tree_time)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def by_path(self) -> dict[str, IndexEntry]:
        """Skill folder -> entry (built on first use; refreshes look folders up in it)."""
        return {e.path: e for e in self.entries}

    def entry(self, name: str) -> IndexEntry:
        """The entry named ``name``.

        Raises:
            SkillNotFoundError: no such skill in the index.
        """
        found = self._by_name.get(name)
        if found is None:
            from loader.core.errors import SkillNotFoundError

            raise SkillNotFoundError(name=name)
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def body(self, name: str) -> str:
        """The skill's Markdown body, read from disk now, byte-exact (line endings kept)."""
        entry = self.entry(name)
        read = read_text(entry.manifest_file)
        if read.text is None:
            return ""
        if _signature_matches(entry):
            return read.text[entry.body_offset:]
        from loader.validate.manifest import parse_manifest_text  # the file changed since indexing: parse again

        return parse_manifest_text(entry.manifest_path, read.text).body

    @cached_property
    def stats(self) -> CollectionStats:
        """Postings and collection statistics for the matcher (postings fetched and decoded per term, lazily)."""
        postings = self.postings if self.postings is not None else {}
        if self.stored is None:
            return CollectionStats(self.entries, postings)
        docs = {ident: doc for doc, ident in enumerate(self.stored.ids)}
        return CollectionStats(self.entries, postings, docs, getattr(postings, "prefetch", None),
                               where=f"the index {self.stored.path}")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, with format name and version first (postings with doc = name position)."""
        postings = dict(self.postings or {}) if self.stored is None else build_postings(self.entries)
        return {"format": FORMAT, "version": FORMAT_VERSION, "normalizer": NORMALIZER, "roots": list(self.roots),
                "token_counter": self.token_counter, "entries": [e.to_json() for e in self.entries],
                "postings": postings,
                "skipped": {k: [sig, msg, list(files)] for k, (sig, msg, files) in sorted(self.skipped.items())},
                "tree": dict(sorted(self.tree.items())), "tree_time": self.tree_time}


def skipped_diagnostics(index: Index) -> list[Diagnostic]:
    """The warnings for skills left out of ``index``, as the walk that found them said."""
    if not index.skipped:
        return []
    from pathlib import Path  # only for a library with broken skills: the hook's path does without

    return [skipped_warning(Path(path) / "SKILL.md", message)
            for path, (_, message, _) in sorted(index.skipped.items())]


def skipped_warning(manifest: Path, message: str) -> Diagnostic:
    """The warning for one skill left out of an index for its errors."""
    return Diagnostic(manifest, None, "index-skipped", Severity.WARNING, message,
                      "run `skills validate` on it and fix the errors")


def _signature_matches(entry: IndexEntry) -> bool:
    try:
        return stat_key(entry.manifest_file) == entry.manifest_stat
    except OSError:
        return False


def stat_key(path: Path | str) -> str:
    """``size:mtime_ns:ctime_ns`` of a file: how the index tells that a file changed without reading it."""
    st = os.stat(path)  # noqa: PTH116 - hot path: strings, no Path objects
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def listing_line(name: str, description: str) -> str:
    """One skill's line in a listing; shared with ``loader.match.context`` so token counts agree."""
    return f"- {name}: {' '.join(description.split())}"
