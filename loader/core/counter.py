"""Core, the token counter interface: anything with a ``name``, an ``exact`` flag and ``count(text)``.

Kept apart from ``loader.core.tokens`` (the counters themselves) because a ``Protocol`` needs
``typing`` at run time, which the hook, counting with the default estimate on every prompt,
does not import.
"""

from __future__ import annotations

from typing import Protocol


class TokenCounter(Protocol):
    """Anything that can count tokens and say what it is."""

    @property
    def name(self) -> str:
        """Shown in reports, e.g. ``estimate-v2``."""
        ...

    @property
    def exact(self) -> bool:
        """False for estimates; reports label estimated figures as such."""
        ...

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        ...
