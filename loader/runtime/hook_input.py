"""Runtime stage, the hook's input: its command-line options and the Claude Code event on stdin.

Guarantees: stdlib only (the hook imports this on every prompt); ``parse_args`` returns
``None`` for options it does not know (the full CLI then explains them), and ``parse_event``
raises :class:`HookInputError` for anything that is not a usable event, never anything else.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from loader.core.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

MAX_STDIN_BYTES = 8 * 1024 * 1024
"""Event JSON larger than this is refused (a prompt with pasted files is well under it)."""
DEFAULT_BUDGET_TOKENS = 2500
"""Tokens of skill text added per prompt at most (estimated with ``loader.core.tokens``)."""
DEFAULT_MAX_CHARS = 9500
"""Claude Code keeps hook output inline only up to about 10,000 characters (past that the model
sees a preview and a file path), so the context is cut, with a pointer, below that."""
DEFAULT_TOP_K = 3


class HookInputError(ValueError):
    """The event on stdin is not something this hook can use."""


class HookOptions(Record):
    """How the hook was configured (on its command line in settings.json)."""

    __slots__ = ("libraries", "budget_tokens", "max_chars", "top_k", "suggest")
    libraries: Final[tuple[str, ...]]
    """Skill library roots; empty means ``skills/`` under the event's working directory."""
    budget_tokens: Final[int]
    max_chars: Final[int]
    top_k: Final[int]
    suggest: Final[int | None]
    """Suggestions at most (``0``: none; ``None``: the matcher's default)."""

    def __init__(self, libraries: tuple[str, ...] = (), budget_tokens: int = DEFAULT_BUDGET_TOKENS,
                 max_chars: int = DEFAULT_MAX_CHARS, top_k: int = DEFAULT_TOP_K, suggest: int | None = None) -> None:
        self.libraries = libraries
        self.budget_tokens = budget_tokens
        self.max_chars = max_chars
        self.top_k = top_k
        self.suggest = suggest


class HookEvent(Record):
    """The fields of a Claude Code hook event that this hook reads."""

    __slots__ = ("event", "session_id", "prompt", "cwd")
    event: Final[str]
    """``hook_event_name``: ``UserPromptSubmit`` matches; ``SessionStart`` resets the session memory."""
    session_id: Final[str]
    prompt: Final[str]
    cwd: Final[str]

    def __init__(self, event: str, session_id: str, prompt: str, cwd: str) -> None:
        self.event = event
        self.session_id = session_id
        self.prompt = prompt
        self.cwd = cwd


def parse_args(args: Sequence[str]) -> HookOptions | None:
    """Parse the hook-run options; ``None`` for anything else (the full CLI then explains)."""
    libraries: list[str] = []
    values: dict[str, int] = {}
    names = {"--budget": "budget_tokens", "--max-chars": "max_chars", "--top-k": "top_k", "--suggest": "suggest"}
    items = list(args)
    while items:
        arg = items.pop(0)
        key, eq, value = arg.partition("=")
        key = "--library" if key in ("-l", "--skills", "-s") else key  # --library/-l: the old spelling
        if key not in ("--library", *names):
            return None
        if not eq:
            if not items:
                return None
            value = items.pop(0)
        if key == "--library":
            libraries.append(value)
            continue
        if not value.isdigit() or int(value) < (0 if key == "--suggest" else 1):
            return None
        values[names[key]] = int(value)
    return HookOptions(libraries=tuple(libraries), **values)


def parse_event(data: bytes) -> HookEvent:
    """Validate the event JSON from stdin.

    Raises:
        HookInputError: not JSON, not an object, or fields of the wrong type.
    """
    if len(data) > MAX_STDIN_BYTES:
        raise HookInputError(f"event larger than {MAX_STDIN_BYTES} bytes")
    try:
        doc = json.loads(data)
    except ValueError as exc:  # includes UnicodeDecodeError
        raise HookInputError(f"stdin is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise HookInputError(f"event is a JSON {type(doc).__name__}, not an object")
    fields = {}
    for key in ("hook_event_name", "session_id", "prompt", "cwd"):
        value = doc.get(key, "")
        if not isinstance(value, str):
            raise HookInputError(f"event field {key!r} is a {type(value).__name__}, not a string")
        fields[key] = value
    event = fields["hook_event_name"] or ("UserPromptSubmit" if "prompt" in doc else "")
    return HookEvent(event, fields["session_id"], fields["prompt"], fields["cwd"])


def library_roots(options: HookOptions, event: HookEvent) -> list[str]:
    """Absolute library roots, resolved: the configured ones, else ``skills/`` in the project folder.

    Relative paths are taken from ``$CLAUDE_PROJECT_DIR`` (set by Claude Code for hooks), else
    the event's ``cwd`` (which follows the session's ``cd``s), else our working directory.
    Strings, not ``Path``: the hook does not import pathlib (``docs/architecture.md``).
    """
    project = os.environ.get("CLAUDE_PROJECT_DIR", "")
    if project and os.path.isabs(project):
        base = project
    else:
        base = event.cwd if event.cwd and os.path.isabs(event.cwd) else os.getcwd()
    return [os.path.realpath(os.path.join(base, root)) for root in options.libraries or ("skills",)]
