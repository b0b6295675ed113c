"""Match stage: rank indexed skills for a prompt, decide which (if any) to load, explain why.

Guarantees: deterministic (ties broken by name), never loads a ``disable-model-invocation``
skill, never exceeds ``top_k`` or the token budget, and says *no skill* when the best
candidate is not convincing. Every candidate carries an explanation of its score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loader.model import Match
from loader.text import terms

if TYPE_CHECKING:
    from loader.index import Index, IndexEntry

FIELD_WEIGHTS: dict[str, float] = {"name": 3.0, "description": 2.0, "when": 1.5, "headings": 1.0, "body": 0.25}
"""How much a term occurrence counts in each field (BM25F field weights)."""
FIELD_B: dict[str, float] = {"name": 0.3, "description": 0.6, "when": 0.6, "headings": 0.6, "body": 0.75}
"""Length normalisation per field: 0 ignores length, 1 fully normalises."""
K1 = 1.2
DEFAULT_THRESHOLD = 3.0
"""Minimum score for a skill to load; calibrated on the dev set."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One skill's term frequencies, per field, for one term."""

    doc: int
    tfs: tuple[int, ...]


@dataclass(slots=True)
class CollectionStats:
    """Inverted postings and per-field averages over an index's entries."""

    n_docs: int
    postings: dict[str, list[Posting]]
    lengths: list[tuple[int, ...]]
    avg_lengths: tuple[float, ...]
    names: list[str]

    @classmethod
    def build(cls, entries: Sequence[IndexEntry]) -> CollectionStats:
        """Invert the entries' per-field term frequencies."""
        from loader.index import FIELDS, decode_terms

        per_term: dict[str, dict[int, list[int]]] = {}
        lengths: list[tuple[int, ...]] = []
        for doc, entry in enumerate(entries):
            lengths.append(tuple(entry.lengths.get(f, 0) for f in FIELDS))
            for fi, fname in enumerate(FIELDS):
                for term, count in decode_terms(entry.terms.get(fname, "")).items():
                    slot = per_term.setdefault(term, {}).setdefault(doc, [0] * len(FIELDS))
                    slot[fi] = count
        postings = {t: [Posting(d, tuple(tfs)) for d, tfs in sorted(docs.items())] for t, docs in per_term.items()}
        n = max(1, len(entries))
        avg = tuple(max(1.0, sum(row[i] for row in lengths) / n) for i in range(len(FIELDS)))
        return cls(len(entries), postings, lengths, avg, [e.name for e in entries])

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency (always positive)."""
        df = len(self.postings.get(term, ()))
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What the matcher decided for one prompt."""

    prompt: str
    matches: list[Match]
    """Skills to load, best first."""
    cut: list[tuple[Match, str]] = field(default_factory=list)
    """Candidates not loaded and why (``below-threshold``, ``top-k``, ``budget``, ``not-invocable``)."""
    ranking: list[Match] = field(default_factory=list)
    """Every candidate with a positive score, best first (for evaluation and ``--explain``)."""
    query_terms: tuple[str, ...] = ()
    confidence: float = 0.0
    """How convincing the best candidate is; nothing loads below the threshold."""

    @property
    def names(self) -> list[str]:
        """Names of the loaded skills, best first."""
        return [m.skill for m in self.matches]

    @property
    def tokens(self) -> int:
        """Body tokens of the loaded skills."""
        return sum(m.tokens for m in self.matches)


def rank(index: Index, prompt: str) -> tuple[list[Match], tuple[str, ...]]:
    """Score every skill sharing a term with ``prompt``; best first, ties by name."""
    from loader.index import FIELDS

    stats: CollectionStats = index.stats
    query = Counter(terms(prompt))
    weights = [FIELD_WEIGHTS[f] for f in FIELDS]
    bs = [FIELD_B[f] for f in FIELDS]
    scores: dict[int, float] = {}
    why: dict[int, list[str]] = {}
    for term in sorted(query):
        plist = stats.postings.get(term)
        if not plist:
            continue
        idf = stats.idf(term)
        for posting in plist:
            lens = stats.lengths[posting.doc]
            pseudo = 0.0
            parts = []
            for fi, tf in enumerate(posting.tfs):
                if tf:
                    norm = 1.0 - bs[fi] + bs[fi] * lens[fi] / stats.avg_lengths[fi]
                    pseudo += weights[fi] * tf / norm
                    parts.append(f"{FIELDS[fi]}x{tf}")
            contribution = idf * pseudo / (K1 + pseudo)
            scores[posting.doc] = scores.get(posting.doc, 0.0) + contribution
            why.setdefault(posting.doc, []).append(f"{term!r} +{contribution:.2f} ({', '.join(parts)})")
    entries = index.entries
    ranked = sorted(scores.items(), key=lambda item: (-item[1], entries[item[0]].name))
    matches = [Match(entries[d].name, round(s, 6), tuple(why[d]), tokens=entries[d].body_tokens) for d, s in ranked]
    return matches, tuple(sorted(query))


def match(index: Index, prompt: str, *, top_k: int = 3, budget_tokens: int | None = None,
          threshold: float | None = None) -> MatchResult:
    """Choose the skills to load for ``prompt``.

    Args:
        index: the library's index.
        prompt: the user's prompt.
        top_k: load at most this many skills.
        budget_tokens: never load more body tokens than this (``None``: no limit).
        threshold: minimum score to load anything (default: the calibrated threshold).
    """
    ranking, query_terms = rank(index, prompt)
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    loaded: list[Match] = []
    cut: list[tuple[Match, str]] = []
    spent = 0
    for candidate in ranking:
        if not index.entry(candidate.skill).invocable:
            cut.append((candidate, "not-invocable"))
        elif candidate.score < limit:
            cut.append((candidate, "below-threshold"))
        elif len(loaded) >= top_k:
            cut.append((candidate, "top-k"))
        elif budget_tokens is not None and spent + candidate.tokens > budget_tokens:
            cut.append((candidate, "budget"))
        else:
            loaded.append(candidate)
            spent += candidate.tokens
    return MatchResult(prompt, loaded, cut, ranking, query_terms, ranking[0].score if ranking else 0.0)
