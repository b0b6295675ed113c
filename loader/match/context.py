"""Render stage: what goes to the model, as a cache-stable prefix and a per-prompt tail.

Guarantees: the prefix depends only on the set of indexed skills (names and descriptions,
sorted by name) and the listing mode, never on the prompt, paths, clock or machine, so it is
byte-identical across calls and prompt caching hits; the tail holds the loaded bodies,
byte-exact but for ``<skill`` tags inside them (escaped, so no body can forge a block), in
match order, then the suggestions (``loader.match.tiers``): they change with the prompt, so
they live in the tail and never in the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from loader.core.tokens import count_tokens
from loader.core.wrapper import escape_attribute, escape_text
from loader.index import listing_line
from loader.match.tiers import TOOL_HINT, render_suggestions

if TYPE_CHECKING:
    from loader.index import Index
    from loader.match.rank import MatchResult

Listing = Literal["none", "names", "full"]
LISTINGS: tuple[Listing, ...] = ("none", "names", "full")
DEFAULT_LISTING: Listing = "names"
"""Names only: measured as the best cost/benefit (see docs/matching.md, "Choosing the listing")."""

PREAMBLE = (
    "# Skills\n\n"
    "Agent Skills are folders of instructions for specific tasks. The skills relevant to the\n"
    "current message are loaded in full after this section, inside <skill> tags; follow them\n"
    "when they apply. When none is loaded, none was judged relevant: answer normally.\n"
)


@dataclass(frozen=True, slots=True)
class Context:
    """The text to send: ``prefix`` (cache it) then ``tail`` (changes with the prompt)."""

    prefix: str
    tail: str
    loaded: tuple[str, ...]
    """Names of the skills whose bodies are in the tail, in order."""
    prefix_tokens: int
    tail_tokens: int
    suggested: tuple[str, ...] = ()
    """Names of the skills suggested (one line each) at the end of the tail, in order."""

    @property
    def text(self) -> str:
        """Prefix and tail as one string."""
        return self.prefix + ("\n" + self.tail if self.tail else "")


def render_prefix(index: Index, *, listing: Listing = DEFAULT_LISTING) -> str:
    """The stable prefix for ``index``'s skills (auto-invocable ones only, sorted by name)."""
    if listing not in LISTINGS:
        raise ValueError(f"listing must be one of {', '.join(LISTINGS)}, not {listing!r}")
    entries = sorted((e for e in index.entries if e.invocable), key=lambda e: e.name)
    if listing == "none" or not entries:
        return PREAMBLE
    # Escaped like the tail (loader.core.wrapper): a name or description cannot forge a <skill> block.
    if listing == "names":
        lines = ["", "## Available skills", "", ", ".join(escape_attribute(e.name) for e in entries)]
    else:
        lines = ["", "## Available skills", "",
                 *(escape_text(listing_line(escape_attribute(e.name), e.description)) for e in entries)]
    return PREAMBLE + "\n".join(lines) + "\n"


def render_tail(index: Index, result: MatchResult) -> str:
    """The loaded bodies, each in a ``<skill name=...>`` element, in match order, then the suggestions.

    Names and bodies are escaped as in ``loader.core.wrapper``, so a body cannot forge a block.
    """
    parts = []
    for found in result.matches:
        body = escape_text(index.body(found.skill))
        if not body.endswith("\n"):
            body += "\n"
        parts.append(f'<skill name="{escape_attribute(found.skill)}">\n{body}</skill>\n')
    if result.suggested:
        parts.append(render_suggestions(result.suggested, hint=TOOL_HINT))
    return "\n".join(parts)


def render_context(index: Index, result: MatchResult, *, listing: Listing = DEFAULT_LISTING) -> Context:
    """Build the prefix and tail for one matched prompt."""
    prefix = render_prefix(index, listing=listing)
    tail = render_tail(index, result)
    return Context(prefix, tail, tuple(result.names), count_tokens(prefix), count_tokens(tail),
                   tuple(s.name for s in result.suggested))


def to_anthropic_blocks(ctx: Context) -> list[dict[str, Any]]:
    """Messages API content blocks (no SDK needed): the prefix carries ``cache_control``.

    Put the blocks in ``system`` (or first in the user turn); the cache breakpoint on the
    prefix lets every later call reuse it at the cache-read price.
    """
    blocks: list[dict[str, Any]] = [{"type": "text", "text": ctx.prefix, "cache_control": {"type": "ephemeral"}}]
    if ctx.tail:
        blocks.append({"type": "text", "text": ctx.tail})
    return blocks
