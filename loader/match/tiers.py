"""Match stage, second tier: the candidates not sure enough to load, offered as one-line suggestions.

Guarantees: a suggestion is never a loaded skill, never a ``disable-model-invocation`` skill,
never one the caller excludes (e.g. already sent this session); at most ``n`` of them, in rank
order (ties by name, as the ranking); none below the confidence ``floor``, so a prompt the
library has nothing for gets nothing. A suggestion line costs a few dozen tokens where a body
costs thousands, so the model, which judges relevance best from a short list, sees the near
misses and reads the one ``SKILL.md`` that applies. Defaults are cross-validated on the dev
set (``docs/matching.md``, "Suggestions").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from loader.core.record import Record
from loader.core.wrapper import escape_attribute, escape_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

    from loader.core.model import Match
    from loader.index import Index

DEFAULT_SUGGEST = 5
"""Suggestions per prompt at most (``0`` turns them off); chosen by cross-validation."""
SUGGEST_FLOOR = 0.45
"""A candidate is suggested only when its own confidence reaches this (same scale as the threshold)."""
SUMMARY_CHARS = 100
"""A summary is the description's first sentence, cut at a word boundary to this many characters."""
READ_HINT = "Possibly relevant skills (not loaded). Read a skill's SKILL.md only if it applies to this task:"
"""The one line in front of the suggestions, telling the model what they are and what to do."""
TOOL_HINT = ("Possibly relevant skills (not loaded). Load one with the load_skill tool, or read its "
             "SKILL.md, only if it applies to this task:")
"""The same line for agents that may have the ``load_skill`` tool (``SkillLibrary.tool_definition``)."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`])")


class Suggestion(Record):
    """A skill offered by name and summary, not loaded: the model reads it if it applies."""

    __slots__ = ("name", "summary", "path", "score", "confidence")
    name: Final[str]
    summary: Final[str]
    """The description's first sentence, at most ``SUMMARY_CHARS`` characters (``summary_of``)."""
    path: Final[str]
    """Absolute path of the skill's ``SKILL.md``."""
    score: Final[float]
    confidence: Final[float]
    """This candidate's own confidence (``loader.match.rank.confidence_of`` of its score)."""

    def __init__(self, name: str, summary: str, path: str, score: float, confidence: float) -> None:
        self.name = name
        self.summary = summary
        self.path = path
        self.score = score
        self.confidence = confidence


def summary_of(description: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of ``description`` on one line, cut at a word boundary to ``limit`` chars.

    A cut summary ends with ``...`` so the model knows there is more in the file.
    """
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in description).split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    room = max(limit - 3, 1)
    cut = first[:room + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > room // 2 else first[:room]
    return cut.rstrip(" ,;:-") + "..."


def choose(index: Index, ranking: Sequence[Match], confidences: Sequence[float], loaded: Collection[str], *,
           n: int = DEFAULT_SUGGEST, floor: float = SUGGEST_FLOOR, exclude: Collection[str] = (),
           summary_chars: int = SUMMARY_CHARS) -> list[Suggestion]:
    """The first ``n`` candidates of ``ranking`` worth suggesting, in rank order.

    Args:
        index: the library's index (for invocability, descriptions and paths).
        ranking: candidates, best first, as ``MatchResult.ranking``.
        confidences: each candidate's confidence, parallel to ``ranking``.
        loaded: names whose bodies are loaded (never suggested).
        n: suggestions at most; ``0`` for none.
        floor: minimum confidence of a suggested candidate.
        exclude: names never to suggest (e.g. bodies already sent this session).
        summary_chars: summary length (``summary_of``).
    """
    found: list[Suggestion] = []
    if n <= 0:
        return found
    for candidate, confidence in zip(ranking, confidences, strict=True):
        if confidence < floor:
            break  # ranking is by score, and confidence grows with score
        name = candidate.skill
        if name in loaded or name in exclude:
            continue
        entry = index.entry(name)
        if not entry.invocable:
            continue
        found.append(Suggestion(name, summary_of(entry.description, summary_chars), entry.manifest_file,
                                candidate.score, confidence))
        if len(found) >= n:
            break
    return found


def suggestion_line(item: Suggestion) -> str:
    """``- name: summary (path)``, escaped so no name, summary or path can break the line or forge a block."""
    return f"- {escape_attribute(item.name)}: {escape_text(item.summary)} ({escape_attribute(item.path)})"


def render_suggestions(suggestions: Sequence[Suggestion], *, hint: str = READ_HINT) -> str:
    """The suggestion block: the hint line, then one line per suggestion; ``""`` for none."""
    if not suggestions:
        return ""
    return "\n".join([hint, *(suggestion_line(s) for s in suggestions)]) + "\n"
