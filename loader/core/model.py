"""Records shared by every pipeline stage.

All records are read-only (``Final`` fields, checked by mypy) so stages can pass them around and
cache them without defensive copies. They are plain slotted classes (``loader.core.record``,
which says why), as every command, the hook included, imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from loader.core.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Final


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


class Diagnostic(Record):
    """One problem found in skill content. Problems are data, never exceptions."""

    __slots__ = ("path", "line", "rule", "severity", "message", "hint", "column")
    path: Final[Path]
    """The file the problem is in (or the skill folder, for folder-level problems)."""
    line: Final[int | None]
    """1-based line, when the problem has one."""
    rule: Final[str]
    """Stable kebab-case id (``frontmatter-yaml``); callers key off this, not the message."""
    severity: Final[Severity]
    message: Final[str]
    """One line saying what is wrong; may be reworded between releases."""
    hint: Final[str]
    """How to fix it."""
    column: Final[int | None]
    """1-based column, when known."""

    def __init__(self, path: Path, line: int | None, rule: str, severity: Severity, message: str, hint: str = "",
                 column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.rule = rule
        self.severity = severity
        self.message = message
        self.hint = hint
        self.column = column

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order diagnostics by file, position, then rule, so output is deterministic."""
        return (str(self.path), self.line or 0, self.column or 0, self.rule, self.message)


def _frozen_mapping(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


class Manifest(Record):
    """A parsed ``SKILL.md``: frontmatter, body and where things are in the file."""

    __slots__ = ("path", "frontmatter", "body", "body_line", "key_lines", "diagnostics")
    path: Final[Path]
    """Path of the ``SKILL.md`` file."""
    frontmatter: Final[Mapping[str, Any] | None]
    """The YAML mapping, or ``None`` when it is missing or could not be parsed."""
    body: Final[str]
    """Everything after the closing ``---`` line, byte-exact (line endings kept)."""
    body_line: Final[int]
    """1-based line number where the body starts."""
    key_lines: Final[Mapping[str, int]]
    """Top-level frontmatter key -> 1-based line, for diagnostics."""
    diagnostics: Final[tuple[Diagnostic, ...]]
    """Problems found while reading and parsing the file."""

    def __init__(self, path: Path, frontmatter: Mapping[str, Any] | None, body: str, body_line: int,
                 key_lines: Mapping[str, int] | None = None, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        self.path = path
        self.frontmatter = frontmatter
        self.body = body
        self.body_line = body_line
        self.key_lines = _frozen_mapping() if key_lines is None else key_lines
        self.diagnostics = diagnostics


class Skill(Record):
    """A skill folder that parsed well enough to be used (it may still carry warnings)."""

    __slots__ = ("name", "description", "path", "manifest", "files", "root")
    name: Final[str]
    """The skill's identity: frontmatter ``name``, else the folder name."""
    description: Final[str]
    path: Final[Path]
    """The skill folder (absolute)."""
    manifest: Final[Manifest]
    files: Final[tuple[str, ...]]
    """Other files in the folder, as sorted POSIX paths relative to it."""
    root: Final[Path | None]
    """The root it was discovered under; the first root wins on duplicate names."""

    def __init__(self, name: str, description: str, path: Path, manifest: Manifest, files: tuple[str, ...] = (),
                 root: Path | None = None) -> None:
        self.name = name
        self.description = description
        self.path = path
        self.manifest = manifest
        self.files = files
        self.root = root

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


class Match(Record):
    """One skill chosen (or considered) for a prompt."""

    __slots__ = ("skill", "score", "explanation", "tokens")
    skill: Final[str]
    """The skill's name."""
    score: Final[float]
    explanation: Final[tuple[str, ...]]
    """Human-readable reasons, e.g. ``description: 'invoice' x1.8``."""
    tokens: Final[int]
    """Tokens of the skill's body (what loading it costs)."""

    def __init__(self, skill: str, score: float, explanation: tuple[str, ...] = (), tokens: int = 0) -> None:
        self.skill = skill
        self.score = score
        self.explanation = explanation
        self.tokens = tokens
