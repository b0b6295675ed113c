"""Markdown sections: find one heading's span in a document, so a model can fetch a part, not the whole.

Guarantees: headings inside fenced code blocks are ignored; a section runs from its heading to
the next heading of the same or a higher level (or the end); a heading is found by its text
(case- and ``#``-insensitive) or by its GitHub-style anchor slug (``#error-handling``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Heading:
    """One ATX heading of a Markdown document."""

    level: int
    text: str
    line: int
    """0-based line index of the heading."""

    @property
    def slug(self) -> str:
        """GitHub-style anchor: lowercase, punctuation dropped, spaces to hyphens."""
        return slugify(self.text)


def slugify(text: str) -> str:
    """The anchor GitHub would give a heading with this text."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def headings(text: str) -> list[Heading]:
    """Every ATX heading outside fenced code blocks, in document order."""
    found: list[Heading] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines()):
        opener = _FENCE.match(line)
        if opener:
            mark = opener.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip()[len(mark):].strip():
                fence = None
            continue
        if fence is not None:
            continue
        heading = _ATX.match(line)
        if heading:
            found.append(Heading(len(heading.group(1)), heading.group(2), number))
    return found


def _normalise(query: str) -> str:
    return " ".join(query.strip().lstrip("#").split()).casefold()


def find_section(text: str, query: str) -> str | None:
    """The section whose heading is ``query`` (its text or anchor slug), heading line included.

    Returns:
        The section's text, or ``None`` when no heading matches.
    """
    wanted = _normalise(query)
    slug = slugify(wanted)
    found = headings(text)
    for position, heading in enumerate(found):
        if _normalise(heading.text) == wanted or heading.slug == slug:
            lines = text.splitlines(keepends=True)
            end = len(lines)
            for later in found[position + 1:]:
                if later.level <= heading.level:
                    end = later.line
                    break
            return "".join(lines[heading.line:end]).rstrip("\n") + "\n"
    return None


def outline(text: str) -> list[str]:
    """The document's headings as ``"## Text"`` lines, for a "did you mean" message."""
    return [f"{'#' * h.level} {h.text}" for h in headings(text)]
