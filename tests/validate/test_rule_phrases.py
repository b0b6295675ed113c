"""The description rules' phrase checks find exactly what their original single regexes found."""

from __future__ import annotations

import re

import pytest

from conftest import CORPUS, needs_corpus
from loader.validate.manifest import parse_manifest
from loader.validate.rules import in_person, says_when

TRIGGER = re.compile(
    r"\b(when|whenever|if the user|if you|use (it |this |this skill )?(to|for|on|before|after|while|in)"
    r"|used (to|for|by)|(perfect|ideal|useful|preferred|best) for|trigger|invoke|applies to|helps? with)\b",
    re.IGNORECASE,
)
PERSON = re.compile(r"^\s*(I|I'm|I'll|We|We'll|You|You'll|My|Our)\b|\b(I can|I will|I help|you can use me)\b")
"""The checks as first written (one regex each), the reference for the faster ones."""

TEXTS = [
    "", "Fills PDF forms.", "Fills PDF forms. Use when the user asks to fill one.", "USE WHEN asked", "Whenever",
    "Uses it to go", "use this skill before merging", "used by the CI", "Ideal for reports", "BEST FOR x",
    "Helps with diffs", "help with", "applies to Go", "Triggers on x", "invoked by x", "if the user says",
    "If You need", "Prefer it for", "Powerful tool", "somewhen", "reuse to", "I can help", "AI can help",
    "XI will", "I  can", "  You'll see", "We build", "Weave things", "Our team", "My tool", "you can use me",
    "Then I help you", "I", "\tI'm here", "Mycelium counts", "Uſe it to convert (long s)",
    "\u212aelvin: INVO\u212aE it", "İf you ask", "Café notes: use it for menus", "naïve parser. Used for x",
    "Ünïcödé only", "Ｉ can (full width)", "私は I can", "1I can", "_I can", "I can't", "résumé: whenever",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_phrase_checks_agree_with_the_original_regexes(text: str) -> None:
    assert says_when(text) == bool(TRIGGER.search(text))
    assert in_person(text) == bool(PERSON.search(text))


@needs_corpus
def test_they_agree_on_every_corpus_description() -> None:
    checked = 0
    for path in sorted(CORPUS.rglob("SKILL.md")):
        description = (parse_manifest(path).frontmatter or {}).get("description")
        if isinstance(description, str):
            checked += 1
            assert says_when(description) == bool(TRIGGER.search(description)), path
            assert in_person(description) == bool(PERSON.search(description)), path
    assert checked > 100
