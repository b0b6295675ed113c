"""Usage stage, reader: Claude Code transcript files (JSON Lines) in, one :class:`Turn` per prompt out.

Guarantees: streams each file a line at a time (never a whole file in memory; a line longer
than ``MAX_LINE_BYTES`` is skipped unread, not buffered); tolerates unknown line types, blank,
malformed, truncated and non-UTF-8 lines (counted in :class:`ReadStats`, never raised); reads
only the fields listed in ``docs/usage.md``, and is lenient where they changed between Claude
Code versions (the Skill tool's input key). Subagent (sidechain) lines never start a turn and
never label one: a label is what the main agent chose for the user's prompt.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.core.regular import open_regular

MAX_LINE_BYTES = 4 * 1024 * 1024
"""A longer line (a huge pasted file or tool result) is skipped; a prompt that long is cut by the matcher anyway."""
MAX_PROMPT_CHARS = 100_000
"""Prompt text kept per turn (the matcher reads far less: ``loader.core.text.prompt_for_matching``)."""
_CHUNK = 1024 * 1024
SKILL_INPUT_KEYS = ("skill", "command", "name", "skill_name")
"""Where the Skill tool's input has held the skill's name: ``skill`` today, ``command`` in the
first releases; the others are accepted in case a release renames it again."""
READ_TOOLS = frozenset({"Read", "View"})
READ_INPUT_KEYS = ("file_path", "path")
_HOOK_HEADER = re.compile(r"skillpack loaded \d+ skills? for this prompt:")
_HOOK_BLOCK = re.compile(r'<skill name="([^"]{1,400})"')
_COMMAND = re.compile(r"<command-name>\s*/?([^<\s]{1,200})\s*</command-name>")
_COMMAND_ARGS = re.compile(r"<command-args>(.*?)</command-args>", re.DOTALL)
_NOT_PROMPTS = ("<local-command-stdout>", "<local-command-stderr>", "<bash-input>", "<bash-stdout>",
                "<bash-stderr>", "<command-message>", "[Request interrupted", "Caveat: The messages below",
                "This session is being continued from a previous conversation")
_MAX_WALK = 2000
"""String values inspected per line when looking for hook output (bounds a hostile line's cost)."""


@dataclass(frozen=True, slots=True)
class SkillUse:
    """One use of a skill in a turn."""

    name: str
    how: str
    """``claude`` (Skill tool), ``read`` (Claude read its SKILL.md), ``user`` (``/name``) or ``hook``."""


@dataclass(slots=True)
class Turn:
    """A user prompt and what happened until the next one."""

    session: str
    time: str
    """ISO 8601 timestamp of the prompt line ('' when absent)."""
    project: str
    """The session's working directory (``cwd``), else the transcript folder's name."""
    prompt: str
    file: Path
    line: int
    uses: list[SkillUse] = field(default_factory=list)

    def used(self, *hows: str) -> list[str]:
        """Names used in this turn in any of the ways ``hows`` (all ways when empty), first use first."""
        seen: dict[str, None] = {}
        for use in self.uses:
            if not hows or use.how in hows:
                seen.setdefault(use.name, None)
        return list(seen)


@dataclass(slots=True)
class ReadStats:
    """What the reader saw besides turns: what it skipped and why."""

    files: int = 0
    lines: int = 0
    malformed: int = 0
    """Lines that are not a JSON object (a truncated last line, a bad write)."""
    too_long: int = 0
    unknown: int = 0
    """Objects of a type the reader does not use (``summary``, ``system``, snapshots, new types)."""
    bytes: int = 0


def encode_project(path: Path) -> str:
    """Claude Code's folder name for a project: every character but ASCII letters and digits becomes ``-``.

    ``/home/me/my_app.v2`` -> ``-home-me-my-app-v2`` (no runs are squeezed; see docs/usage.md).
    """
    return re.sub(r"[^A-Za-z0-9]", "-", str(path))


def iter_lines(path: Path, stats: ReadStats) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` for each line of ``path`` no longer than ``MAX_LINE_BYTES``."""
    with open_regular(path) as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            stats.lines += 1
            stats.bytes += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                stats.too_long += 1
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                    raw = handle.readline(_CHUNK)
                    stats.bytes += len(raw)
                continue
            yield number, raw


def _text_of(content: Any) -> str | None:
    """The prompt text of a user message's ``content``: a string, or its text blocks joined.

    ``None`` when it holds a tool result (that is Claude's turn continuing, not a prompt).
    """
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return None
    texts = []
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "tool_result":
            return None
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
    return "\n".join(texts) if texts else None


def _strings(value: Any, budget: list[int]) -> Iterator[str]:
    """Every string inside ``value`` (depth-first), at most ``_MAX_WALK`` of them."""
    stack = [value]
    while stack and budget[0] > 0:
        item = stack.pop()
        if isinstance(item, str):
            budget[0] -= 1
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def hook_skills(doc: Mapping[str, Any]) -> list[str]:
    """Skills skillpack's hook placed in context, recognised from its own output in any field of ``doc``.

    The hook's ``additionalContext`` opens with ``skillpack loaded N skill(s) for this prompt:``
    and holds one ``<skill name="...">`` block per skill (names XML-escaped, and any
    ``<skill`` inside a body escaped, so a body cannot add a name here).
    """
    names: list[str] = []
    for text in _strings(doc, [_MAX_WALK]):
        if "skillpack loaded" in text and _HOOK_HEADER.search(text):
            names.extend(html.unescape(m.group(1)) for m in _HOOK_BLOCK.finditer(text))
    return names


def skill_tool_name(block: Mapping[str, Any]) -> str | None:
    """The skill a ``Skill`` tool_use block invokes (plugin prefix ``plugin:name`` dropped), if any."""
    if block.get("name") != "Skill":
        return None
    tool_input = block.get("input")
    if not isinstance(tool_input, dict):
        return None
    for key in SKILL_INPUT_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lstrip("/").rsplit(":", 1)[-1]
    return None


def read_path(block: Mapping[str, Any]) -> str | None:
    """The file a ``Read`` tool_use block reads, when it is a ``SKILL.md``."""
    if block.get("name") not in READ_TOOLS or not isinstance(block.get("input"), dict):
        return None
    for key in READ_INPUT_KEYS:
        value = block["input"].get(key)
        if isinstance(value, str) and value.replace("\\", "/").rsplit("/", 1)[-1] == "SKILL.md":
            return value
    return None


def _user_prompt(doc: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """``(prompt text, skill the user invoked by /name or None)``, or ``None`` when the line is not a prompt."""
    if doc.get("isMeta") or doc.get("isCompactSummary") or doc.get("isVisibleInTranscriptOnly"):
        return None
    message = doc.get("message")
    text = _text_of(message.get("content")) if isinstance(message, dict) else None
    if text is None:
        return None
    command = _COMMAND.search(text[:2000])
    if command is not None:
        args = _COMMAND_ARGS.search(text)
        return (args.group(1).strip() if args else ""), command.group(1).rsplit(":", 1)[-1]
    stripped = text.lstrip()
    if not stripped or stripped.startswith(_NOT_PROMPTS):
        return None
    return text[:MAX_PROMPT_CHARS], None


def read_turns(files: Iterable[Path], *, skill_folders: Mapping[str, str] | None = None,
               stats: ReadStats | None = None) -> Iterator[Turn]:
    """Stream the turns of transcript ``files``, in file order.

    Args:
        files: transcript ``.jsonl`` files.
        skill_folders: resolved skill folder -> skill name, to recognise a ``Read`` of a
            ``SKILL.md`` as a use of that skill (reads of other ``SKILL.md`` files are ignored).
        stats: filled with what was read and skipped.
    """
    folders = dict(skill_folders or {})
    stats = stats if stats is not None else ReadStats()
    for path in files:
        stats.files += 1
        turn: Turn | None = None
        try:
            for number, raw in iter_lines(path, stats):
                if not raw.strip():
                    continue
                try:
                    doc = json.loads(raw)
                except ValueError:  # includes UnicodeDecodeError: a truncated or corrupt line
                    stats.malformed += 1
                    continue
                if not isinstance(doc, dict):
                    stats.malformed += 1
                    continue
                kind = doc.get("type")
                if doc.get("isSidechain") is True:
                    continue
                if kind == "user":
                    found = _user_prompt(doc)
                    if found is not None and not _echo_of_tool(found, turn):
                        if turn is not None:
                            yield turn
                        text, invoked = found
                        turn = Turn(_str(doc.get("sessionId")) or path.stem, _str(doc.get("timestamp")),
                                    _str(doc.get("cwd")) or path.parent.name, text, path, number)
                        if invoked:
                            turn.uses.append(SkillUse(invoked, "user"))
                        continue
                    if _holds_tool_result(doc):  # a tool's output may quote hook output (a log, a test)
                        continue
                elif kind == "assistant":
                    if turn is not None:
                        turn.uses.extend(_assistant_uses(doc, folders))
                    continue
                elif kind not in ("attachment", "system", "progress"):
                    stats.unknown += 1
                if turn is not None and b"skillpack loaded" in raw:
                    turn.uses.extend(SkillUse(name, "hook") for name in hook_skills(doc))
        except OSError:
            stats.malformed += 1  # the file vanished or cannot be read: keep what was read
        if turn is not None:
            yield turn


def _holds_tool_result(doc: Mapping[str, Any]) -> bool:
    message = doc.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def _echo_of_tool(found: tuple[str, str | None], turn: Turn | None) -> bool:
    """Whether a ``/name`` line only echoes the Skill tool call just made (some releases log one)."""
    invoked = found[1]
    return bool(invoked) and turn is not None and bool(turn.uses) and turn.uses[-1] == SkillUse(invoked or "", "claude")


def _assistant_uses(doc: Mapping[str, Any], folders: Mapping[str, str]) -> list[SkillUse]:
    message = doc.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    uses: list[SkillUse] = []
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict) or block.get("type") != "tool_use":
            continue
        name = skill_tool_name(block)
        if name:
            uses.append(SkillUse(name, "claude"))
            continue
        skill_md = read_path(block) if folders else None
        if skill_md is not None:
            folder = str(Path(skill_md).parent)
            known = folders.get(folder) or folders.get(str(Path(folder).resolve()))
            if known:
                uses.append(SkillUse(known, "read"))
    return uses


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
