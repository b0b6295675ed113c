"""Match stage: rank indexed skills for a prompt, decide which (if any) to load, explain why.

Guarantees: deterministic (ties broken by name), never loads a ``disable-model-invocation``
skill, never exceeds ``top_k`` or the token budget, and says *no skill* when the best
candidate is not convincing. Every candidate carries an explanation of its score.

Ranking is a field-weighted BM25 (each field saturates on its own, then fields are summed
with weights, so a long body cannot outvote the name and description). The load decision
uses a confidence in [0, 1] built from signals that do not depend on the library's size:
see ``loader.decide``-style notes in ``docs/matching.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loader.model import Match
from loader.text import query_terms as weighted_terms

if TYPE_CHECKING:
    from loader.index import Index, IndexEntry

FIELD_NAMES = ("name", "description", "when", "headings", "body")


@dataclass(frozen=True, slots=True)
class Params:
    """The matcher's few tunable parameters (defaults calibrated on the dev query set)."""

    weights: tuple[float, ...] = (1.0, 1.0, 0.8, 0.2, 0.7)
    """Per-field weight, in ``FIELD_NAMES`` order."""
    b: tuple[float, ...] = (0.3, 0.6, 0.5, 0.6, 0.9)
    """Per-field length normalisation."""
    k1: float = 1.6
    threshold: float = 0.5
    """Minimum confidence of the top candidate for anything to load."""
    relative: float = 0.6
    """A candidate after the first loads only when its score is at least this share of the first's."""


DEFAULT_PARAMS = Params()


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

    @classmethod
    def build(cls, entries: Sequence[IndexEntry]) -> CollectionStats:
        """Invert the entries' per-field term frequencies."""
        from loader.index import decode_terms

        per_term: dict[str, dict[int, list[int]]] = {}
        lengths: list[tuple[int, ...]] = []
        width = len(FIELD_NAMES)
        for doc, entry in enumerate(entries):
            lengths.append(tuple(entry.lengths.get(f, 0) for f in FIELD_NAMES))
            for fi, fname in enumerate(FIELD_NAMES):
                for term, count in decode_terms(entry.terms.get(fname, "")).items():
                    docs = per_term.get(term)
                    if docs is None:
                        docs = per_term[term] = {}
                    slot = docs.get(doc)
                    if slot is None:
                        slot = docs[doc] = [0] * width
                    slot[fi] = count
        postings = {t: [Posting(d, tuple(tfs)) for d, tfs in docs.items()] for t, docs in per_term.items()}
        n = max(1, len(entries))
        avg = tuple(max(1.0, sum(row[i] for row in lengths) / n) for i in range(width))
        return cls(len(entries), postings, lengths, avg)

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency (always positive; highest for unseen terms)."""
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
    """How convincing the best candidate is (0..1); nothing loads below the threshold."""

    @property
    def names(self) -> list[str]:
        """Names of the loaded skills, best first."""
        return [m.skill for m in self.matches]

    @property
    def tokens(self) -> int:
        """Body tokens of the loaded skills."""
        return sum(m.tokens for m in self.matches)


@dataclass(slots=True)
class _Candidate:
    doc: int
    score: float = 0.0
    meta_idf: float = 0.0
    """IDF mass of query terms found in name/description/when."""
    any_idf: float = 0.0
    """IDF mass of query terms found anywhere."""
    why: list[str] = field(default_factory=list)


def score_candidates(index: Index, query: dict[str, float], params: Params = DEFAULT_PARAMS
                     ) -> tuple[list[_Candidate], float, float]:
    """Score every skill sharing a term with the query.

    Returns:
        The candidates (unsorted), the query's IDF mass, and the part of that mass carried by
        terms no skill contains (a prompt about things the library never mentions).
    """
    stats: CollectionStats = index.stats
    k1, weights, bs = params.k1, params.weights, params.b
    avg = stats.avg_lengths
    found: dict[int, _Candidate] = {}
    mass = unknown = 0.0
    for term, qweight in sorted(query.items()):
        idf = stats.idf(term) * qweight
        mass += idf
        plist = stats.postings.get(term)
        if not plist:
            unknown += idf
            continue
        for posting in plist:
            lens = stats.lengths[posting.doc]
            total = 0.0
            parts = []
            for fi, tf in enumerate(posting.tfs):
                if tf:
                    norm = 1.0 - bs[fi] + bs[fi] * lens[fi] / avg[fi]
                    total += weights[fi] * tf / (tf + k1 * norm)
                    parts.append(f"{FIELD_NAMES[fi]} x{tf}")
            cand = found.get(posting.doc)
            if cand is None:
                cand = found[posting.doc] = _Candidate(posting.doc)
            gained = idf * total
            cand.score += gained
            cand.any_idf += idf
            if posting.tfs[0] or posting.tfs[1] or posting.tfs[2]:
                cand.meta_idf += idf
            cand.why.append(f"{term!r} +{gained:.2f} ({', '.join(parts)})")
    return list(found.values()), mass, unknown


def build_query(prompt: str, params: Params = DEFAULT_PARAMS) -> dict[str, float]:
    """The prompt's weighted terms (see ``loader.text.query_terms``)."""
    return weighted_terms(prompt)


def rank(index: Index, prompt: str, params: Params = DEFAULT_PARAMS) -> tuple[list[Match], tuple[str, ...], float]:
    """Rank skills for ``prompt``: matches best first (ties by name), query terms, confidence."""
    query = build_query(prompt, params)
    query_terms = tuple(sorted(query))
    candidates, mass, unknown = score_candidates(index, query, params)
    entries = index.entries
    candidates.sort(key=lambda c: (-c.score, entries[c.doc].name))
    top = next((c for c in candidates if entries[c.doc].invocable), None)
    confidence = confidence_of(top.score if top else 0.0, mass, unknown, len(entries))
    matches = [Match(entries[c.doc].name, round(c.score, 6), tuple(c.why), tokens=entries[c.doc].body_tokens)
               for c in candidates]
    return matches, query_terms, confidence


def confidence_of(score: float, mass: float, unknown: float, n_docs: int) -> float:
    """Map the top score to a confidence in [0, 1) that does not depend on library size.

    The score is measured in units of ``log(2N + 2)``, the IDF of a term found in one skill
    only, so "one rare term matched everywhere" is about 1 whatever the library's size; it is
    then damped by the share of the prompt's IDF mass that no skill mentions at all. ``x/(1+x)``
    maps it to [0, 1): 0.5 is one such term.
    """
    if score <= 0 or mass <= 0:
        return 0.0
    x = score / math.log(2 * n_docs + 2) * math.sqrt(max(0.0, 1.0 - unknown / mass))
    return x / (1.0 + x)


def match(index: Index, prompt: str, *, top_k: int = 3, budget_tokens: int | None = None,
          threshold: float | None = None, params: Params = DEFAULT_PARAMS) -> MatchResult:
    """Choose the skills to load for ``prompt``.

    Args:
        index: the library's index.
        prompt: the user's prompt.
        top_k: load at most this many skills.
        budget_tokens: never load more body tokens than this (``None``: no limit).
        threshold: minimum confidence (0..1) to load anything (default: calibrated).
        params: ranking parameters (default: calibrated).
    """
    ranking, query_terms, confidence = rank(index, prompt, params)
    limit = params.threshold if threshold is None else threshold
    loaded: list[Match] = []
    cut: list[tuple[Match, str]] = []
    spent = 0
    best = None
    for candidate in ranking:
        if not index.entry(candidate.skill).invocable:
            cut.append((candidate, "not-invocable"))
            continue
        if best is None:
            best = candidate.score
        if confidence < limit or candidate.score < best * params.relative:
            cut.append((candidate, "below-threshold"))
        elif len(loaded) >= top_k:
            cut.append((candidate, "top-k"))
        elif budget_tokens is not None and spent + candidate.tokens > budget_tokens:
            cut.append((candidate, "budget"))
        else:
            loaded.append(candidate)
            spent += candidate.tokens
    return MatchResult(prompt, loaded, cut, ranking, query_terms, round(confidence, 6))
