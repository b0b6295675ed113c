"""Usage stage, labels: turns in, a labelled query set out (the prompt -> the skills Claude used).

Guarantees: a label is what Claude chose (the Skill tool, or reading a skill's ``SKILL.md``),
restricted to the library's skills; a turn where the user named a skill (``/name``), where only
skillpack's hook loaded one (the matcher's own choice: circular), or where Claude used a skill
outside the library is left out; a turn with no skill use is a no-skill prompt only when asked
(``negatives``), since Claude not using a skill does not prove none applied. Duplicate prompts
are kept once, so cross-validation never sees a prompt on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from loader.core.text import prompt_for_matching
from loader.match.evaluate import Query
from loader.usage.transcripts import Turn


@dataclass(frozen=True, slots=True)
class Labelled:
    """A query made from a turn, with where it came from (for the export)."""

    query: Query
    session: str
    time: str


def label_turns(turns: Iterable[Turn], library: Collection[str], *, negatives: bool = False) -> list[Labelled]:
    """The labelled pairs in ``turns`` for a library holding the skills named in ``library``."""
    found: list[Labelled] = []
    seen: set[str] = set()
    for turn in turns:
        text = prompt_for_matching(turn.prompt).strip()
        if not text or text in seen:
            continue
        chosen = turn.used("claude", "read")
        expected = tuple(name for name in chosen if name in library)
        if not expected and (turn.uses or not negatives):
            continue
        seen.add(text)
        found.append(Labelled(Query(text, expected, len(found) + 1), turn.session, turn.time))
    return found


def export_lines(items: Iterable[Labelled]) -> str:
    """The pairs in the ``skills eval`` JSON Lines format (plus ``session`` and ``time``, for curating)."""
    return "".join(json.dumps({"query": item.query.query, "expected": list(item.query.expected),
                               "session": item.session, "time": item.time}, ensure_ascii=False) + "\n"
                   for item in items)
