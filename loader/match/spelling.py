"""Typo tolerance for prompts: a word no skill contains, one slip away from one that a skill
contains, is read as that word (``preveiw`` -> ``preview``).

Guarantees: only words absent from the library are corrected, and only into words some skill
contains (the library's own vocabulary is the dictionary, so a correction can only ever point
at a skill); only slips that rarely turn one real word into another are tried (``edits``);
at most ``MAX_CORRECTIONS`` words per prompt, each at most ``MAX_LENGTH`` letters long and with a
few dozen candidate spellings looked up in one batch, so the cost stays bounded and linear in the
prompt's length, whatever it holds. Deterministic: the candidate found in the most
skills wins, ties by spelling. Measured in ``docs/matching.md`` (a small gain on the dev set,
no wrong corrections on it or on the example prompts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from loader.core.text import STOPWORDS, stem

MIN_LENGTH = 4
"""Shorter words are left alone: any slip turns too many of them into other real words."""
MAX_LENGTH = 32
"""Longer words are left alone. A word's slips cost time and memory quadratic in its length
(about 3 x L spellings of L letters each: one 60,000-letter word took over a minute and 7 GB),
and people do not type words this long: ``antidisestablishmentarianism`` has 28 letters,
technical words far fewer (``internationalization``: 20), and identifiers never get here (they
are split on case, ``-`` and ``_`` first). A plain run of more than 32 letters is a hash, base64
or text pasted without spaces; with this cap one word costs at most ~100 spellings of 33 letters."""
MIN_SWAP_LENGTH = 5
"""Swapped letters are tried from this length on (``form``/``from``, ``farm``/``fram(e)``)."""
MAX_CORRECTIONS = 8
"""Unknown words tried per prompt (a pasted log has many; the first ones are what was typed)."""
CORRECTED_WEIGHT = 0.8
"""A corrected word weighs this share of a typed one: it is a guess."""


def worth_trying(word: str) -> bool:
    """Whether ``word`` (lower case) is long enough, short enough and plain enough to be read as a typo."""
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and word.isalpha()


def edits(word: str) -> set[str]:
    """Spellings one slip of the fingers away from ``word``: two neighbouring letters swapped
    (``clikc``), a doubled letter typed once (``eror``), or a letter typed twice (``commmit``).

    Substituted, inserted or dropped letters in general are left out on purpose: they turn too
    many real words into other real words (``slack`` -> ``lack``, ``react`` -> ``reach``); so
    is un-doubling the last letter (``referee`` is a word, not a slip for ``refere``).
    Quadratic in ``len(word)``: callers pass only words that are ``worth_trying``.
    """
    found = {word[:i] + word[i] + word[i:] for i in range(len(word))}
    found |= {word[:i] + word[i + 1:] for i in range(len(word) - 2) if word[i] == word[i + 1]}
    if len(word) >= MIN_SWAP_LENGTH:
        found |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    found.discard(word)
    return found


def _candidates(word: str, term: str) -> set[str]:
    """The stemmed terms of ``word``'s slips, other than ``term`` itself and stopwords."""
    out = {stem(spelling) for spelling in edits(word) if spelling not in STOPWORDS}
    out.discard(term)
    return out - STOPWORDS


def correct(unknown: Iterable[tuple[str, str]] | Mapping[str, str], df: Callable[[str], int],
            prefetch: Callable[[Iterable[str]], None]) -> dict[str, str]:
    """Map unknown prompt terms to the library term each is most likely a typo of.

    Args:
        unknown: ``(term, lower-case word it came from)`` for prompt words no skill contains,
            in prompt order (or such a mapping). Read lazily: only up to the first
            ``MAX_CORRECTIONS`` distinct words worth trying, so a long paste is not scanned.
        df: how many skills contain a term.
        prefetch: fetches many terms' statistics at once (one query on a stored index).

    Returns:
        Unknown term -> replacement term, for the words with a slip-neighbour in the library.
    """
    todo: dict[str, str] = {}
    for term, word in unknown.items() if isinstance(unknown, Mapping) else unknown:
        if term not in todo and worth_trying(word):
            todo[term] = word
            if len(todo) == MAX_CORRECTIONS:
                break
    options = {term: sorted(_candidates(word, term)) for term, word in todo.items()}
    if not options:
        return {}
    prefetch(t for found in options.values() for t in found)
    out: dict[str, str] = {}
    for term, found in options.items():
        counts = [(df(t), t) for t in found]
        best = min(((-n, t) for n, t in counts if n > 0), default=None)
        if best is not None:
            out[term] = best[1]
    return out
