"""Token counting behind one small interface, so every report can say how it counted.

The default counter needs no network and no model files: it is an estimate from the text's
shape (words, digit groups, punctuation, line breaks), calibrated against a real BPE
tokenizer on a corpus of 238 public skills (see ``docs/report.md``). An exact counter backed
by the ``tokenizers`` library and a local ``tokenizer.json`` can be selected by name where it
is installed; nothing is ever downloaded. Every report names the counter it used.
"""

from __future__ import annotations

import os
import re

from loader.core.errors import UsageError
from loader.core.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Final

    from loader.core.counter import TokenCounter

_WORDS = re.compile(r"[A-Za-z]+")
_DIGIT_GROUPS = re.compile(r"[0-9]{1,3}")
"""Digit runs split into groups of up to three (a run of 7 digits is 3 groups)."""
_INDENTS = re.compile(r"[^\S\n]{2,}")
"""Runs of two or more whitespace characters other than line breaks."""


TOKENIZER_ENV = "SKILLPACK_TOKENIZER"
"""Environment variable naming a local ``tokenizer.json`` for the ``claude-legacy`` counter."""


class EstimateCounter(Record):
    """Offline estimate of Claude tokens from the shape of the text.

    Each ASCII word costs ``word_cost`` plus ``long_word_cost`` per letter past
    ``long_word_after`` (long words split into several BPE pieces); each group of up to
    three digits ``digit_group_cost``; each punctuation mark ``punct_cost`` (marks such as
    ``##`` or ``**`` often merge); each line break ``newline_cost``; each run of two or more
    spaces (indentation) ``indent_cost``; each non-ASCII character ``other_cost``.

    Calibration (2026-11-26): coefficients fitted by least squares on relative error against
    Claude's legacy ``tokenizer.json`` (shipped in the ``anthropic`` package 0.34.0, read with
    ``tokenizers`` 0.23.3) over the 238 skills of ``/work/shared/corpus``, then rounded.
    Measured with ``benchmarks/calibrate_tokens.py`` (absolute % error per file; mean,
    median, 90th percentile, worst; then the error of the corpus total):

    - 238 SKILL.md files (672 k tokens): 3.0%, 2.5%, 6.1%, 14%; total +0.03%.
    - 1,426 reference files (2.65 M tokens): 3.0%, 2.1%, 7.2%, 33%; total +0.1%
      (the worst is a file of mostly non-ASCII symbols).
    - 237 listing lines (``- name: description``, ~70 tokens each): 6.0%, 4.9%, 14%, 31%;
      total -3.0%.

    Fitted on ten of the eleven source repositories and tested on the held-out one, the mean
    error is 3.6% and each repository's total stays within +/-2.5%. ``chars/4`` gives 12.9%
    on the same files; the draft constants this replaces (``estimate-v1``) over-counted by
    27%. Current Claude models tokenize differently from the legacy tokenizer, so these
    counts remain estimates.
    """

    __slots__ = ("name", "exact", "word_cost", "long_word_after", "long_word_cost", "digit_group_cost", "punct_cost",
                 "newline_cost", "indent_cost", "other_cost")
    name: Final[str]
    exact: Final[bool]
    word_cost: Final[float]
    long_word_after: Final[int]
    long_word_cost: Final[float]
    digit_group_cost: Final[float]
    punct_cost: Final[float]
    newline_cost: Final[float]
    indent_cost: Final[float]
    other_cost: Final[float]

    def __init__(self, name: str = "estimate-v2", exact: bool = False, word_cost: float = 1.10,  # noqa: PLR0913
                 long_word_after: int = 6, long_word_cost: float = 0.09, digit_group_cost: float = 1.15,
                 punct_cost: float = 0.68, newline_cost: float = 0.93, indent_cost: float = 0.16,
                 other_cost: float = 0.57) -> None:
        self.name = name
        self.exact = exact
        self.word_cost = word_cost
        self.long_word_after = long_word_after
        self.long_word_cost = long_word_cost
        self.digit_group_cost = digit_group_cost
        self.punct_cost = punct_cost
        self.newline_cost = newline_cost
        self.indent_cost = indent_cost
        self.other_cost = other_cost

    def count(self, text: str) -> int:
        """Estimate the token count of ``text`` (0 for empty text, else at least 1)."""
        if not text:
            return 0
        # Few C-level passes instead of a Python loop over pieces; punctuation is what is left
        # of the ASCII text once letters, digits and whitespace are taken out.
        words = list(map(len, _WORDS.findall(text)))
        groups = _DIGIT_GROUPS.findall(text)
        ascii_len = len(text.encode("ascii", "ignore"))
        newlines = text.count("\n")
        spaces = newlines + sum(text.count(ch) for ch in " \t\r\f\v")
        punct = ascii_len - sum(words) - sum(map(len, groups)) - spaces
        total = (self.word_cost * len(words)
                 + self.long_word_cost * sum(n - self.long_word_after for n in words if n > self.long_word_after)
                 + self.digit_group_cost * len(groups) + self.punct_cost * punct
                 + self.newline_cost * newlines + self.indent_cost * len(_INDENTS.findall(text))
                 + self.other_cost * (len(text) - ascii_len))
        return max(1, round(total))


class FixedRatioCounter(Record):
    """``ceil(len(text) / chars_per_token)``: trivially predictable, for tests and quick checks."""

    __slots__ = ("chars_per_token", "name", "exact")
    chars_per_token: Final[int]
    name: Final[str]
    exact: Final[bool]

    def __init__(self, chars_per_token: int = 4, name: str = "chars/4", exact: bool = False) -> None:
        self.chars_per_token = chars_per_token
        self.name = name
        self.exact = exact

    def count(self, text: str) -> int:
        """Count ``text`` as one token per ``chars_per_token`` characters, rounded up."""
        return -(-len(text) // self.chars_per_token)


class TokenizerJsonCounter:
    """Exact counts from a Hugging Face ``tokenizer.json`` read with the ``tokenizers`` library.

    Used with Claude's legacy tokenizer (older ``anthropic`` releases ship it) this is what
    the estimate was calibrated against; it is exact for that tokenizer only, not for current
    Claude models, so reports still call it ``claude-legacy``.
    """

    name: Final = "claude-legacy"
    exact: Final = True

    def __init__(self, path: Path) -> None:
        """Load the tokenizer at ``path``.

        Raises:
            UsageError: the ``tokenizers`` package is not installed.
        """
        try:
            from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]  # optional extra
        except ImportError as exc:
            raise UsageError(message="the claude-legacy counter needs the 'tokenizers' package",
                             hint="pip install tokenizers, or use --counter estimate") from exc
        self.path = path
        self._tokenizer: Any = Tokenizer.from_file(str(path))

    def __repr__(self) -> str:
        return f"TokenizerJsonCounter(path={self.path!r})"

    def count(self, text: str) -> int:
        """Count ``text`` exactly with the loaded tokenizer."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids) if text else 0


DEFAULT_COUNTER: TokenCounter = EstimateCounter()
COUNTER_NAMES = ("estimate", "chars4", "claude-legacy")
"""Names accepted by :func:`get_counter`."""


def count_tokens(text: str, counter: TokenCounter | None = None) -> int:
    """Count ``text`` with ``counter`` (default: the offline estimate)."""
    return (counter or DEFAULT_COUNTER).count(text)


def find_legacy_tokenizer() -> Path | None:
    """A local Claude legacy ``tokenizer.json``: ``$SKILLPACK_TOKENIZER``, else an installed ``anthropic`` package's."""
    from pathlib import Path

    configured = os.environ.get(TOKENIZER_ENV)
    if configured:
        return Path(configured)
    import importlib.util

    spec = importlib.util.find_spec("anthropic")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "tokenizer.json"
        if candidate.is_file():
            return candidate
    return None


def get_counter(name: str = "estimate") -> TokenCounter:
    """The counter called ``name`` (one of :data:`COUNTER_NAMES`).

    Raises:
        UsageError: unknown name, or the exact counter is not available on this machine.
    """
    if name in ("estimate", DEFAULT_COUNTER.name):
        return DEFAULT_COUNTER
    if name in ("chars4", "chars/4"):
        return FixedRatioCounter()
    if name == "claude-legacy":
        path = find_legacy_tokenizer()
        if path is None or not path.is_file():
            raise UsageError(
                message="no local Claude tokenizer.json found for the claude-legacy counter",
                hint=f"set {TOKENIZER_ENV}=/path/to/tokenizer.json (older 'anthropic' releases such as "
                     "0.34.0 ship one), or use --counter estimate",
            )
        return TokenizerJsonCounter(path)
    raise UsageError(message=f"unknown token counter {name!r}", hint=f"choose one of: {', '.join(COUNTER_NAMES)}")
