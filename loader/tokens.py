"""Token counting behind one small interface, so every report can say how it counted.

The default counter needs no network and no model files: it is an estimate from the text's
shape (word pieces, punctuation, digits), calibrated against a real BPE tokenizer. Exact
counters can be plugged in where available; every report names the counter it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_PIECES = re.compile(r"[A-Za-z]+|\d|[^\sA-Za-z\d]|\s+")


class TokenCounter(Protocol):
    """Anything that can count tokens and say what it is."""

    name: str
    """Shown in reports, e.g. ``estimate-v1``."""
    exact: bool
    """False for estimates; reports label estimated figures as such."""

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        ...


@dataclass(frozen=True, slots=True)
class EstimateCounter:
    """Offline estimate: letters runs cost ~1 token per ``chars_per_token`` characters,
    every digit and punctuation mark about one token, whitespace runs mostly merge."""

    name: str = "estimate-v1"
    exact: bool = False
    chars_per_token: float = 4.2
    whitespace_cost: float = 0.15

    def count(self, text: str) -> int:
        """Estimate the token count of ``text``."""
        if not text:
            return 0
        total = 0.0
        for piece in _PIECES.findall(text):
            first = piece[0]
            if first.isalpha():
                total += max(1.0, len(piece) / self.chars_per_token)
            elif first.isspace():
                total += self.whitespace_cost * (1 + piece.count("\n"))
            else:
                total += 1.0
        return max(1, round(total))


DEFAULT_COUNTER: TokenCounter = EstimateCounter()


def count_tokens(text: str, counter: TokenCounter | None = None) -> int:
    """Count ``text`` with ``counter`` (default: the offline estimate)."""
    return (counter or DEFAULT_COUNTER).count(text)
