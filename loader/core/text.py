"""Text normalisation for the index and the matcher: one function turns text into terms.

Guarantees: the same text always gives the same terms, on any machine (pure Python, no
locale); the index and queries share this code, so a term in a prompt meets the same term in
a skill. Normalisation is deliberately light: case folding, punctuation, identifiers split on
``-``/``_``/camelCase (the whole identifier is kept too), digits kept, and an English suffix
stripper that conflates plural and verb forms (``invoices``/``invoicing`` -> ``invoic``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

TEXT_VERSION = 3
"""Bumped whenever normalisation changes, so stored indexes are rebuilt rather than mismatched."""

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-_'][A-Za-z0-9]+)*")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")
"""camelCase pieces; letters and digits stay together (``s3``, ``ec2``, ``502s``)."""
_SEPARATORS = re.compile(r"[-_]")
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")
"""``APIs``, ``PRs``, ``SDKs``: an acronym's plural is the acronym (not ``AP`` + ``Is``)."""
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down
during each either etc few for from further get gets getting got had hadn has hasn have haven
having he her here hers herself him himself his how i if in into is isn it its itself just
let lets ll me might more most must mustn my myself need needs no nor not now of off on once
only or other ought our ours ourselves out over own please re s same shall shan she should
shouldn so some such t than that the their theirs them themselves then there these they this
those through to too under until up us ve very via was wasn we were weren what when where which
while who whom why will with won would wouldn you your yours yourself yourselves d m o y e g eg
ie i.e e.g thing things something anything really actually kind sort bit lot lots much many way
one ones want wants wanted like just go going gonna wanna hey hi okay ok thanks thank yeah
dont doesnt didnt cant wont isnt arent im ive id youre youve weve theyre lets whats thats heres
theres whos hows
""".split())
"""Words that carry no topic. Kept short on purpose: IDF already discounts common words, and
an over-long list deletes meaning (``use``, ``new`` and ``test`` stay)."""

# Suffixes tried longest first: (suffix, replacement, shortest stem kept).
_SUFFIXES = (
    ("mentation", "ment", 4), ("ification", "ify", 3), ("ifiers", "ify", 3), ("ifier", "ify", 3),
    ("ational", "ate", 3), ("ization", "ize", 3), ("fulness", "ful", 3),
    ("iveness", "ive", 3), ("ations", "ate", 3), ("ation", "ate", 3), ("ments", "", 6), ("ment", "", 6),
    ("ings", "", 3), ("ing", "", 3), ("ies", "y", 2), ("ied", "y", 2), ("ed", "", 3), ("es", "", 2), ("s", "", 3),
)
_KEEP = frozenset({"string", "spring", "during", "bring", "this", "has", "was", "news", "series", "species",
                   "analysis", "always", "perhaps", "kubernetes", "postgres", "redis", "pandas", "numpy"})
"""Words the suffix rules would mangle."""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common English endings so plural and verb forms meet (light, Porter-like).

    Short words, numbers and words ending in ``ss``/``us``/``is`` keep their ending: the
    goal is conflating obvious variants (``tests``/``testing``/``tested``), never aggressive
    truncation that merges topics (``docker`` stays apart from ``dock``).
    """
    if len(word) <= 3 or not word.isalpha() or word in _KEEP:
        return word
    for suffix, replacement, shortest in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)]
        if len(base) < shortest:
            return word
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            return word
        if suffix == "es":
            base = base if base.endswith(("s", "x", "z", "ch", "sh")) else word[:-1]  # boxes, images
        elif suffix in ("ing", "ings", "ed") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]  # running -> run, mapped -> map
        return _drop_e(base + replacement)
    return _drop_e(word)


def _drop_e(word: str) -> str:
    # create/creating/created meet at "creat"; code/coding at "cod".
    if len(word) >= 4 and word.endswith("e") and not word.endswith("ee"):
        return word[:-1]
    return word


def _split_identifier(word: str) -> list[str]:
    parts: list[str] = []
    for chunk in _SEPARATORS.split(word):
        if not chunk:
            continue
        pieces = _CAMEL.findall(chunk)
        parts.extend(pieces if pieces else [chunk])
    return parts


@lru_cache(maxsize=262144)
def _pieces(raw: str) -> tuple[str, ...]:
    """Lower-cased pieces of one raw word: its identifier parts, then the joined form."""
    raw = raw.replace("'", "")  # don't -> dont, user's -> users
    if raw.isalpha() and (raw.islower() or raw[1:].islower()):
        return (raw.lower(),)  # the common case: a plain word
    if _ACRONYM_PLURAL.fullmatch(raw):
        return (raw[:-1].lower(),)
    parts = [p.lower() for p in _split_identifier(raw)]
    if len(parts) > 1 and len("".join(parts)) <= 40:
        parts.append("".join(parts))
    return tuple(parts)


@lru_cache(maxsize=262144)
def _word_terms(raw: str) -> tuple[str, ...]:
    out = []
    for word in _pieces(raw):
        if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        stemmed = stem(word)
        if stemmed not in STOPWORDS:  # "whats" -> "what"
            out.append(stemmed)
    return tuple(out)


def words(text: str) -> Iterator[str]:
    """Yield lower-cased word pieces of ``text``, before stopword removal and stemming.

    An identifier such as ``pdfToText`` or ``gh-fix-ci`` yields its parts; when it has more
    than one part the joined form (``pdftotext``, ``ghfixci``) is yielded too, so a query
    that writes it as one word still meets it.
    """
    for raw in _WORD.findall(text):
        yield from _pieces(raw)


def terms(text: str) -> list[str]:
    """Normalised terms of ``text``: words minus stopwords, stemmed; order kept."""
    out: list[str] = []
    for raw in _WORD.findall(text):
        out.extend(_word_terms(raw))
    return out


def query_terms(text: str) -> dict[str, float]:
    """Terms of a prompt with their weights: 1 for a plain word, 0.5 for each piece of a split
    identifier and for its joined form, so ``DynamoDB`` counts about as much as one word
    (``dynamo``, ``db``, ``dynamodb``) instead of three. Repeats do not add weight."""
    out: dict[str, float] = {}
    for raw in _WORD.findall(text):
        pieces = _pieces(raw)
        weight = 1.0 if len(pieces) == 1 else 0.5
        for word in pieces:
            if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
                continue
            term = stem(word)
            if term not in STOPWORDS and out.get(term, 0.0) < weight:
                out[term] = weight
    return out


def plain_words(text: str) -> Iterator[tuple[str, str]]:
    """``(term, lower-case word)`` for the plain words of ``text`` (not identifiers, numbers or
    stopwords), in order: what a typo check may look at. Lazy, so a caller can stop early."""
    for raw in _WORD.findall(text):
        pieces = _pieces(raw)
        if len(pieces) == 1 and pieces[0].isalpha() and pieces[0] not in STOPWORDS:
            yield stem(pieces[0]), pieces[0]


MAX_PROMPT_CHARS = 16_000
"""Longer prompts (pasted logs, files) are matched on their first and last 8,000 characters,
where the request usually is. Every entry point that matches a prompt (the hook, ``skills
match``, ``skills context``, the MCP ``search_skills``) cuts through :func:`prompt_for_matching`,
so each sees the same words and pays the same bounded cost (matching 1 MB whole takes ~0.35 s)."""


def prompt_for_matching(prompt: str) -> str:
    """The prompt, or its head and tail when it is longer than ``MAX_PROMPT_CHARS``."""
    if len(prompt) <= MAX_PROMPT_CHARS:
        return prompt
    half = MAX_PROMPT_CHARS // 2
    return f"{prompt[:half]}\n{prompt[-half:]}"


def headings(markdown: str) -> str:
    """The Markdown ATX headings of ``markdown``, one per line (a strong topical signal)."""
    return "\n".join(m.group(1) for m in _HEADING.finditer(markdown))
