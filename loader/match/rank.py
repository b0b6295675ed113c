"""Match stage: rank indexed skills for a prompt, decide which (if any) to load, explain why.

Guarantees: deterministic (ties broken by name), never loads a ``disable-model-invocation``
skill, never exceeds ``top_k`` or the token budget, and says *no skill* when the best
candidate is not convincing. Every candidate carries an explanation of its score.

Ranking is BM25F: each field's term frequency is length-normalised and weighted, the
weighted frequencies are summed into one pseudo-frequency per skill, and that sum saturates
once (``(k1 + 1) x / (x + k1)``), so a term found in several fields counts for more than in
one but never without bound. A name or description occurrence weighs ten body occurrences,
so a long body outvotes them only by repeating a term dozens of times. The load decision
uses a confidence in [0, 1) that does not depend on the library's size (``confidence_of``);
``docs/matching.md`` says how it was chosen and calibrated.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection
from operator import mul

from loader.core.model import Match
from loader.core.record import Record
from loader.core.text import plain_words, prompt_for_matching
from loader.core.text import query_terms as weighted_terms
from loader.index.postings import FIELDS as FIELD_NAMES
from loader.index.postings import CollectionStats
from loader.match.spelling import CORRECTED_WEIGHT, correct
from loader.match.tiers import DEFAULT_SUGGEST, SUGGEST_FLOOR, Suggestion, choose

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

    from loader.index import Index



class Params(Record):
    """The matcher's few tunable parameters (defaults calibrated on the dev query set)."""

    __slots__ = ("weights", "b", "k1", "threshold", "relative", "typos")
    weights: Final[tuple[float, ...]]
    """Per-field weight of a (length-normalised) occurrence, in ``FIELD_NAMES`` order."""
    b: Final[tuple[float, ...]]
    """Per-field length normalisation."""
    k1: Final[float]
    """Saturation of the summed pseudo-frequency (the usual BM25 range is 1.2..2)."""
    threshold: Final[float]
    """Minimum confidence of the top candidate for anything to load."""
    relative: Final[float]
    """A candidate after the first loads only when its score is at least this share of the first's."""
    typos: Final[bool]
    """Read a word no skill contains as the library word one slip away (``loader.match.spelling``)."""

    def __init__(self, weights: tuple[float, ...] = (2.0, 2.0, 1.0, 0.2, 0.2),  # noqa: PLR0913
                 b: tuple[float, ...] = (0.3, 0.6, 0.5, 0.6, 0.9), k1: float = 1.2, threshold: float = 0.663,
                 relative: float = 0.6, typos: bool = True) -> None:
        self.weights = weights
        self.b = b
        self.k1 = k1
        self.threshold = threshold
        self.relative = relative
        self.typos = typos


DEFAULT_PARAMS = Params()
RANK_DEPTH = 25
"""Candidates ranked and explained per prompt; enough for top-k, budget and not-invocable skips."""
MAX_QUERY_TERMS = 64
SMALL_LIBRARY = 2.5
"""How fast chance matches grow with library size (see ``confidence_of``); fitted on corpus sub-samples."""


class MatchResult(Record):
    """What the matcher decided for one prompt."""

    __slots__ = ("prompt", "matches", "cut", "ranking", "query_terms", "corrections", "confidence", "suggested",
                 "confidences")
    prompt: Final[str]
    matches: Final[list[Match]]
    """Skills to load, best first."""
    cut: Final[list[tuple[Match, str]]]
    """Candidates not loaded and why (``below-threshold``, ``top-k``, ``budget``, ``not-invocable``)."""
    ranking: Final[list[Match]]
    """The best candidates (up to ``RANK_DEPTH``), loaded or not, best first (for eval and ``--explain``)."""
    query_terms: Final[tuple[str, ...]]
    corrections: Final[tuple[tuple[str, str], ...]]
    """``(typed, read as)`` for prompt words taken as typos of library words (``loader.match.spelling``)."""
    confidence: Final[float]
    """How convincing the best candidate is (0..1); nothing loads below the threshold."""
    suggested: Final[list[Suggestion]]
    """Candidates offered as one-line suggestions, not loaded (``loader.match.tiers``), best first."""
    confidences: Final[tuple[float, ...]]
    """Each ranked candidate's own confidence, parallel to ``ranking`` (what the threshold and floor apply to)."""

    def __init__(self, prompt: str, matches: list[Match],  # noqa: PLR0913
                 cut: list[tuple[Match, str]] | None = None, ranking: list[Match] | None = None,
                 query_terms: tuple[str, ...] = (), corrections: tuple[tuple[str, str], ...] = (),
                 confidence: float = 0.0, suggested: list[Suggestion] | None = None,
                 confidences: tuple[float, ...] = ()) -> None:
        self.prompt = prompt
        self.matches = matches
        self.cut = [] if cut is None else cut
        self.ranking = [] if ranking is None else ranking
        self.query_terms = query_terms
        self.corrections = corrections
        self.confidence = confidence
        self.suggested = [] if suggested is None else suggested
        self.confidences = confidences

    @property
    def names(self) -> list[str]:
        """Names of the loaded skills, best first."""
        return [m.skill for m in self.matches]

    @property
    def tokens(self) -> int:
        """Body tokens of the loaded skills."""
        return sum(m.tokens for m in self.matches)


def _scales(stats: CollectionStats, params: Params) -> list[tuple[float, ...]]:
    """Per skill and field, ``weight / (1 - b + b * len / avg_len)``: what one occurrence is worth."""
    key = ("scale", params)
    cached = stats.cache.get(key)
    if isinstance(cached, list):  # what this function stored (no typing.cast: the hook does not import typing)
        return cached
    # Field by field (a list comprehension per column, then one zip): a third of the time of a
    # generator per skill, which the hook paid for every skill on every prompt.
    found: list[tuple[float, ...]] = []
    if stats.lengths:
        columns = zip(*stats.lengths, strict=True)
        per_field = [[w / (1.0 - b + b * n / a) for n in column]
                     for column, w, b, a in zip(columns, params.weights, params.b, stats.avg_lengths, strict=True)]
        found = list(zip(*per_field, strict=True))
    stats.cache[key] = found
    return found


def _saturate(tfs: tuple[int, ...], scale: tuple[float, ...], k1: float) -> float:
    """BM25F: the weighted, length-normalised frequencies summed, then saturated once.

    Scaled by ``k1 + 1`` as in classic BM25, so one occurrence in an average-length field of
    weight 1 is worth exactly 1 and the maximum is ``k1 + 1``.
    """
    x: float = sum(map(mul, tfs, scale))  # a count of 0 adds 0.0, which leaves the sum exactly as it was
    return x * (k1 + 1.0) / (x + k1)


def _impacts(stats: CollectionStats, term: str, params: Params) -> list[tuple[int, float]]:
    """Per skill containing ``term``: its saturated pseudo-frequency (before IDF); cached."""
    key = (term, params)
    cached = stats.cache.get(key)
    if isinstance(cached, list):
        return cached
    scales, k1 = _scales(stats, params), params.k1
    k1_plus_1 = k1 + 1.0
    # _saturate written out: this runs for every skill holding a query term, on every prompt
    found = [(doc, x * k1_plus_1 / (x + k1))
             for doc, x in ((doc, sum(map(mul, tfs, scales[doc]))) for doc, tfs in stats.postings(term))]
    stats.cache[key] = found
    return found


def score_all(index: Index, query: dict[str, float], params: Params = DEFAULT_PARAMS
              ) -> tuple[dict[int, float], float, float]:
    """Score every skill sharing a term with the query.

    Returns:
        Scores by document number, the query's IDF mass, and the part of that mass carried by
        terms no skill contains (a prompt about things the library never mentions).
    """
    stats = index.stats
    scores: dict[int, float] = {}
    mass = unknown = 0.0
    for term, qweight in sorted(query.items()):
        idf = stats.idf(term) * qweight
        mass += idf
        impacts = _impacts(stats, term, params)
        if not impacts:
            unknown += idf
            continue
        get = scores.get
        for doc, value in impacts:
            scores[doc] = get(doc, 0.0) + idf * value
    return scores, mass, unknown


def explain(index: Index, doc: int, query: dict[str, float], params: Params = DEFAULT_PARAMS) -> tuple[str, ...]:
    """Which query terms a skill matched, in which fields, and what each added to its score."""
    stats = index.stats
    scale = _scales(stats, params)[doc]
    lines = []
    for term, qweight in sorted(query.items()):
        tfs = stats.posting_of(term, doc)
        if tfs is None:
            continue
        value = _saturate(tfs, scale, params.k1)
        where = ", ".join(f"{FIELD_NAMES[i]} x{tf}" for i, tf in enumerate(tfs) if tf)
        lines.append(f"{term!r} +{stats.idf(term) * qweight * value:.2f} ({where})")
    return tuple(lines)


def build_query(prompt: str, params: Params = DEFAULT_PARAMS, index: Index | None = None
                ) -> tuple[dict[str, float], tuple[tuple[str, str], ...]]:
    """The prompt's weighted terms (see ``loader.core.text.query_terms``) and the typos it read past.

    With an index, a plain word no skill contains but one slip away from a word some skill
    contains is read as that word, at a little less weight (``loader.match.spelling``). A pasted log
    or file can hold thousands of distinct words; only the ``MAX_QUERY_TERMS`` most specific
    ones that some skill contains (highest IDF) are kept, then unknown words, which bounds the
    cost and barely changes the ranking: common words add almost nothing to a BM25 score. A
    prompt past ``MAX_PROMPT_CHARS`` is read by its head and tail, as at every entry point.
    """
    text = prompt_for_matching(prompt)
    query = weighted_terms(text)
    if index is None:
        return query, ()
    stats = index.stats
    stats.prefetch(query)  # a stored index: every term's postings in one query
    corrections = _read_past_typos(text, query, stats) if params.typos else ()
    if len(query) > MAX_QUERY_TERMS:
        keep = sorted(query, key=lambda t: (stats.df(t) == 0, -stats.idf(t) * query[t], t))[:MAX_QUERY_TERMS]
        query = {t: query[t] for t in keep}
    return query, corrections


def _read_past_typos(text: str, query: dict[str, float], stats: CollectionStats) -> tuple[tuple[str, str], ...]:
    """Replace, in ``query``, the first few words no skill contains by the library word each is
    a slip of (at ``CORRECTED_WEIGHT``); return ``(typed, read as)`` pairs."""
    typed: dict[str, str] = {}  # term -> the word it was first typed as
    unknown = ((term, typed.setdefault(term, word)) for term, word in plain_words(text)
               if term in query and stats.df(term) == 0)
    fixes = correct(unknown, stats.df, stats.prefetch)
    for term, fixed in fixes.items():
        weight = query.pop(term) * CORRECTED_WEIGHT
        if query.get(fixed, 0.0) < weight:
            query[fixed] = weight
    return tuple((typed[term], fixed) for term, fixed in fixes.items())


def rank(index: Index, prompt: str, params: Params = DEFAULT_PARAMS, *, depth: int = RANK_DEPTH
         ) -> tuple[list[Match], tuple[str, ...], float, tuple[tuple[str, str], ...]]:
    """Rank skills for ``prompt``: the best ``depth`` matches (ties by name), query terms,
    confidence, and the typos read past."""
    matches, terms, confidence, corrections, _ = rank_with_confidences(index, prompt, params, depth=depth)
    return matches, terms, confidence, corrections


def rank_with_confidences(index: Index, prompt: str, params: Params = DEFAULT_PARAMS, *, depth: int = RANK_DEPTH
                          ) -> tuple[list[Match], tuple[str, ...], float, tuple[tuple[str, str], ...],
                                     tuple[float, ...]]:
    """As :func:`rank`, plus each candidate's own confidence (``confidence_of`` its score)."""
    query, corrections = build_query(prompt, params, index)
    scores, mass, unknown = score_all(index, query, params)
    entries = index.entries
    # Doc numbers follow name order, so (-score, doc) breaks ties by name.
    best = heapq.nsmallest(depth, scores.items(), key=lambda item: (-item[1], item[0]))
    top = next((s for d, s in best if entries[d].invocable), 0.0)
    confidence = confidence_of(top, mass, unknown, len(entries))
    matches = [Match(entries[d].name, round(s, 6), explain(index, d, query, params), tokens=entries[d].body_tokens)
               for d, s in best]
    each = tuple(round(confidence_of(s, mass, unknown, len(entries)), 6) for _, s in best)
    return matches, tuple(sorted(query)), confidence, corrections, each


def confidence_of(score: float, mass: float, unknown: float, n_docs: int) -> float:
    """Map the top score to a confidence in [0, 1) that does not depend on library size.

    The score is measured in units of the IDF of a term found in one skill only, so "one rare
    term matched everywhere" is about 1 whatever the library's size (10 skills or 10,000); it is
    then damped by the share of the prompt's IDF mass that no skill mentions at all. The best
    of N skills also scores higher by chance when N is larger (the maximum of more draws), so
    small libraries get credit ``1 / (1 - SMALL_LIBRARY / N)``: measured by sub-sampling the
    corpus, an irrelevant prompt's best score grows like that up to ~100 skills, then stays.
    ``x/(1+x)`` maps the result to [0, 1): 0.5 is one such term in a large library.
    """
    if score <= 0 or mass <= 0:
        return 0.0
    n = max(n_docs, 1)
    unit = math.log(1.0 + (n - 0.5) / 1.5)
    chance = max(0.3, 1.0 - SMALL_LIBRARY / n)
    x = score / unit * math.sqrt(max(0.0, 1.0 - unknown / mass)) / chance
    return x / (1.0 + x)


def match(index: Index, prompt: str, *, top_k: int = 3, budget_tokens: int | None = None,
          threshold: float | None = None, params: Params = DEFAULT_PARAMS, suggest: int = DEFAULT_SUGGEST,
          suggest_floor: float = SUGGEST_FLOOR, exclude: Collection[str] = ()) -> MatchResult:
    """Choose the skills to load for ``prompt``, and the ones to suggest.

    Args:
        index: the library's index.
        prompt: the user's prompt.
        top_k: load at most this many skills.
        budget_tokens: never load more body tokens than this (``None``: no limit).
        threshold: minimum confidence (0..1) to load anything (default: calibrated).
        params: ranking parameters (default: calibrated).
        suggest: suggest at most this many candidates that are not loaded (``0``: none).
        suggest_floor: minimum confidence of a suggested candidate.
        exclude: names never to suggest (e.g. skills whose bodies the model already has).
    """
    depth = max(RANK_DEPTH, 3 * top_k, 2 * suggest)
    ranking, query_terms, confidence, corrections, confidences = rank_with_confidences(index, prompt, params,
                                                                                       depth=depth)
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
    names = {m.skill for m in loaded}
    suggested = choose(index, ranking, confidences, names, n=suggest, floor=suggest_floor, exclude=exclude)
    return MatchResult(prompt, loaded, cut, ranking, query_terms, corrections, round(confidence, 6), suggested,
                       confidences)
