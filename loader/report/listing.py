"""Claude Code's native skill listing: one entry per skill, and what its character budget keeps.

Guarantees: pure functions over names and descriptions (no I/O besides reading one optional
environment variable in :func:`default_budget`); the same skills in the same order always
give the same check. The model follows Claude Code's documented and observed behaviour
(sources in ``docs/report.md``); where Claude Code's exact text is not public, the entry
format is an approximation and says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_CONTEXT_TOKENS = 200_000
"""Context window Claude Code assumes when it does not know the model's (tokens)."""
CHARS_PER_TOKEN = 4
"""Claude Code converts the token fraction into characters at 4 characters per token."""
DEFAULT_BUDGET_FRACTION = 0.01
"""``skillListingBudgetFraction`` default: 1% of the context window."""
DEFAULT_LISTING_BUDGET = int(DEFAULT_CONTEXT_TOKENS * CHARS_PER_TOKEN * DEFAULT_BUDGET_FRACTION)
"""8,000 characters: ``contextTokens x 4 x skillListingBudgetFraction`` for a 200k window."""
MAX_DESCRIPTION_CHARS = 1536
"""``skillListingMaxDescChars`` default: description plus ``when_to_use`` are cut to this."""
BUDGET_ENV = "SLASH_COMMAND_TOOL_CHAR_BUDGET"
"""Claude Code reads this variable as a fixed character budget; so do we."""
DEFAULT_BUDGET_SOURCE = (
    "Claude Code default: 1% of a 200k-token context x 4 chars/token "
    "(skillListingBudgetFraction=0.01; code.claude.com/docs/en/skills)"
)
ELLIPSIS = "\u2026"


class EntryStatus(StrEnum):
    """What the budget leaves of one skill's listing entry."""

    FULL = "full"
    """Name and description are listed."""
    NAME_ONLY = "name-only"
    """Past the budget: listed as a bare name, the description is dropped."""
    DROPPED = "dropped"
    """Not even the name fits: the model cannot see the skill at all."""


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One skill's entry in the listing and what the budget did to it."""

    name: str
    text: str
    """The entry as listed in full (before the budget), without the trailing newline."""
    status: EntryStatus
    capped: bool
    """True when the description was cut at :data:`MAX_DESCRIPTION_CHARS` characters."""

    @property
    def chars(self) -> int:
        """Characters the full entry costs, counting its newline."""
        return len(self.text) + 1


@dataclass(frozen=True, slots=True)
class ListingCheck:
    """The whole listing against its character budget."""

    entries: tuple[ListingEntry, ...]
    budget_chars: int
    budget_source: str
    """Where the budget came from: a flag, the environment or the documented default."""
    total_chars: int
    """Characters of the listing with every description in full."""
    kept_chars: int
    """Characters actually listed after the budget (full entries plus bare names)."""

    @property
    def fits(self) -> bool:
        """True when every entry is listed in full."""
        return self.total_chars <= self.budget_chars

    @property
    def text(self) -> str:
        """The listing with every entry in full (what the eager listing costs)."""
        return "".join(e.text + "\n" for e in self.entries)

    def names(self, status: EntryStatus) -> list[str]:
        """Names of the entries with ``status``, in listing order."""
        return [e.name for e in self.entries if e.status is status]


def listing_entry(name: str, description: str, when_to_use: str = "", *,
                  max_description_chars: int = MAX_DESCRIPTION_CHARS) -> tuple[str, bool]:
    """Format one skill's listing entry the way Claude Code lists it: ``- name: description``.

    Whitespace runs collapse to one space (YAML folded text), ``when_to_use`` follows the
    description after `` - ``, and the combined text is cut to ``max_description_chars``
    with an ellipsis. Returns the entry and whether it was cut.
    """
    text = " ".join(description.split())
    extra = " ".join(when_to_use.split())
    if extra:
        text = f"{text} - {extra}" if text else extra
    capped = len(text) > max_description_chars
    if capped:
        text = text[: max(0, max_description_chars - 1)].rstrip() + ELLIPSIS
    return (f"- {name}: {text}" if text else f"- {name}"), capped


def default_budget(environ: Mapping[str, str] | None = None) -> tuple[int, str]:
    """The listing budget Claude Code would use here, and where it comes from.

    ``SLASH_COMMAND_TOOL_CHAR_BUDGET`` wins when it holds a positive integer (Claude Code
    reads it the same way); otherwise the documented default of 8,000 characters.
    """
    env = os.environ if environ is None else environ
    raw = env.get(BUDGET_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw), f"environment variable {BUDGET_ENV}"
    return DEFAULT_LISTING_BUDGET, DEFAULT_BUDGET_SOURCE


def check_listing(skills: Sequence[tuple[str, str, str]], budget_chars: int, *,
                  budget_source: str = DEFAULT_BUDGET_SOURCE,
                  max_description_chars: int = MAX_DESCRIPTION_CHARS) -> ListingCheck:
    """Apply the budget to the listing of ``skills`` (``(name, description, when_to_use)``, in order).

    Claude Code (2.1.129 and later) keeps every skill's name, then grants full descriptions
    in priority order until the budget runs out; the rest are listed as bare names. Its
    priority is recent usage, which a static report cannot know, so the given order stands
    in for it (the caller passes the library order). Names that do not fit even bare are
    reported as dropped (older releases dropped whole skills past a 15,000-char budget).
    """
    drafts = [(name, *listing_entry(name, desc, when, max_description_chars=max_description_chars))
              for name, desc, when in skills]
    bare_cost = [len(f"- {name}") + 1 for name, _, _ in drafts]
    room = budget_chars
    names_fit = []
    for cost in bare_cost:  # names are kept first, in order, while they fit
        names_fit.append(cost <= room)
        if cost <= room:
            room -= cost
    entries: list[ListingEntry] = []
    granting = True
    kept = 0
    for (name, text, capped), cost, name_fits in zip(drafts, bare_cost, names_fit, strict=True):
        if not name_fits:
            entries.append(ListingEntry(name, text, EntryStatus.DROPPED, capped))
            granting = False
            continue
        extra = len(text) + 1 - cost
        if granting and extra <= room:
            room -= extra
            kept += len(text) + 1
            entries.append(ListingEntry(name, text, EntryStatus.FULL, capped))
        else:
            granting = False  # the cut is a prefix: everything past it loses its description
            kept += cost
            entries.append(ListingEntry(name, text, EntryStatus.NAME_ONLY, capped))
    total = sum(len(text) + 1 for _, text, _ in drafts)
    return ListingCheck(tuple(entries), budget_chars, budget_source, total, kept)
