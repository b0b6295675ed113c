"""Records shared by every pipeline stage.

All records are frozen so stages can pass them around and cache them without defensive copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any


class Severity(StrEnum):
    """How much a diagnostic matters; only ``ERROR`` fails a run (and ``WARNING`` under --strict)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Profile(StrEnum):
    """Which frontmatter dialect to validate against."""

    AGENTSKILLS = "agentskills"
    """The open Agent Skills standard's fields only."""
    CLAUDE_CODE = "claude-code"
    """The standard plus the fields Claude Code reads (the default)."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in skill content. Problems are data, never exceptions."""

    path: Path
    """The file the problem is in (or the skill folder, for folder-level problems)."""
    line: int | None
    """1-based line, when the problem has one."""
    rule: str
    """Stable kebab-case id (``frontmatter-yaml``); callers key off this, not the message."""
    severity: Severity
    message: str
    """One line saying what is wrong; may be reworded between releases."""
    hint: str = ""
    """How to fix it."""
    column: int | None = None
    """1-based column, when known."""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order diagnostics by file, position, then rule, so output is deterministic."""
        return (str(self.path), self.line or 0, self.column or 0, self.rule, self.message)


def _frozen_mapping(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed ``SKILL.md``: frontmatter, body and where things are in the file."""

    path: Path
    """Path of the ``SKILL.md`` file."""
    frontmatter: Mapping[str, Any] | None
    """The YAML mapping, or ``None`` when it is missing or could not be parsed."""
    body: str
    """Everything after the closing ``---`` line, byte-exact (line endings kept)."""
    body_line: int
    """1-based line number where the body starts."""
    key_lines: Mapping[str, int] = field(default_factory=_frozen_mapping)
    """Top-level frontmatter key -> 1-based line, for diagnostics."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems found while reading and parsing the file."""


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill folder that parsed well enough to be used (it may still carry warnings)."""

    name: str
    """The skill's identity: frontmatter ``name``, else the folder name."""
    description: str
    path: Path
    """The skill folder (absolute)."""
    manifest: Manifest
    files: tuple[str, ...] = ()
    """Other files in the folder, as sorted POSIX paths relative to it."""
    root: Path | None = None
    """The root it was discovered under; the first root wins on duplicate names."""

    @property
    def frontmatter(self) -> Mapping[str, Any]:
        """The frontmatter mapping (empty when there was none)."""
        return self.manifest.frontmatter or {}

    @property
    def body(self) -> str:
        """The Markdown body, byte-exact."""
        return self.manifest.body

    @property
    def when_to_use(self) -> str:
        """Claude Code's optional ``when_to_use`` text, or ``""``."""
        value = self.frontmatter.get("when_to_use")
        return value if isinstance(value, str) else ""

    @property
    def model_invocable(self) -> bool:
        """False when ``disable-model-invocation: true``: such skills are never auto-loaded."""
        return self.frontmatter.get("disable-model-invocation") is not True


@dataclass(frozen=True, slots=True)
class Match:
    """One skill chosen (or considered) for a prompt."""

    skill: str
    """The skill's name."""
    score: float
    explanation: tuple[str, ...] = ()
    """Human-readable reasons, e.g. ``description: 'invoice' x1.8``."""
    tokens: int = 0
    """Tokens of the skill's body (what loading it costs)."""
