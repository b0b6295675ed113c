"""Claude Code ``UserPromptSubmit`` hook: add the matched skills' bodies to the prompt's context.

Guarantees: fails open (malformed input, a missing library, any exception -> exit 0, nothing
on stdout, one line in ``hook.log`` under the user state dir), never blocks the prompt;
prints either one complete JSON object or nothing; imports only the stdlib, the index and the
matcher on this path (no typer, no jsonschema), because it runs on every prompt; never sends
a skill twice in one session unless it changed since, nor suggests one already sent. Bodies
come first, then one block of suggestions (``loader.match.tiers``): the candidates not sure
enough to load, one line each; the whole ``additionalContext`` stays within the budget.
See https://docs.anthropic.com/en/docs/claude-code/hooks for the input and output formats.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from loader.core.record import Record
from loader.core.wrapper import escape_attribute, skill_block, valid_name
from loader.runtime.hook_input import (
    MAX_STDIN_BYTES,
    HookEvent,
    HookOptions,
    library_roots,
    parse_args,
    parse_event,
)
from loader.runtime.hook_state import SessionMemory, log_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any, Final

HOOK_WAIT_S = 2.0
"""Longest the hook waits for another process's write to the index; past it, this prompt gets no skill."""
HOOK_HINT = ("skillpack: possibly relevant skills, not loaded. Read a skill's SKILL.md only if it "
             "applies to this prompt:")
"""The line in front of the suggestions (the model has a file-reading tool in Claude Code)."""


class Loaded(Record):
    """One skill placed in the context, or named as matched but left out for the budget."""

    __slots__ = ("name", "score", "folder", "text")
    name: Final[str]
    score: Final[float]
    folder: Final[str]
    text: Final[str | None]
    """The body (possibly cut, with a pointer to the file), or ``None`` when left out."""

    def __init__(self, name: str, score: float, folder: str, text: str | None) -> None:
        self.name = name
        self.score = score
        self.folder = folder
        self.text = text


class HookReply(Record):
    """What to print, and what to remember as sent once it is printed."""

    __slots__ = ("output", "sent")
    output: Final[str]
    """One JSON object (Claude Code's ``hookSpecificOutput`` form)."""
    sent: Final[dict[str, str]]
    """Skill name -> content hash of each skill placed in the context."""

    def __init__(self, output: str, sent: dict[str, str]) -> None:
        self.output = output
        self.sent = sent


def _library_key(roots: Sequence[str]) -> str:
    return "\0".join(roots)


def handle(event: HookEvent, options: HookOptions) -> HookReply | None:
    """Compute the hook's reply to ``event`` (``None``: print nothing); may raise.

    The session memory is not updated here: the caller records ``sent`` only once the output
    is written, so a failed write never marks a skill as delivered.
    """
    roots = library_roots(options, event)
    memory = SessionMemory(event.session_id, _library_key(roots)) if event.session_id else None
    if event.event == "SessionStart":
        if memory is not None:  # compaction or /clear dropped what we sent: send it again
            memory.forget()
        return None
    if event.event != "UserPromptSubmit" or not event.prompt.strip():
        return None
    if not any(os.path.exists(root) for root in roots):
        raise FileNotFoundError(f"skill library not found: {', '.join(roots)}")

    from loader.core.text import prompt_for_matching
    from loader.core.tokens import count_tokens
    from loader.index import open_index
    from loader.index.sqlite import wait_at_most
    from loader.match.calibration import calibrated_threshold
    from loader.match.rank import match
    from loader.match.tiers import DEFAULT_SUGGEST, render_suggestions

    wait_at_most(HOOK_WAIT_S)  # never block the prompt long behind another process's write
    index, _ = open_index([r for r in roots if os.path.exists(r)], skipped=False)  # the hook shows no warning
    sent = memory.sent() if memory is not None else {}
    already = {name for name, digest in sent.items() if name in index and index.entry(name).content_hash == digest}
    readable = _paths_readable(roots, event.cwd or ".")
    suggest = 0 if not readable else DEFAULT_SUGGEST if options.suggest is None else options.suggest
    result = match(index, prompt_for_matching(event.prompt), top_k=options.top_k, suggest=suggest, exclude=already,
                   threshold=calibrated_threshold(index))
    fresh = [m for m in _named_validly(result.matches) if m.skill not in already]
    suggestions = _named_validly(result.suggested, attribute="name")
    if not fresh and not suggestions:
        return None
    block = render_suggestions(suggestions, hint=HOOK_HINT)
    loaded = _fit(index, fresh, options, count_tokens(block), len(block) + 1, readable=readable)
    if fresh and not any(item.text is not None for item in loaded) and not suggestions:
        return None
    text = render_context(loaded, block)
    while suggestions and (count_tokens(text) > options.budget_tokens or len(text) > options.max_chars):
        suggestions = suggestions[:-1]  # the reserve was an estimate: drop the last suggestion until it fits
        text = render_context(loaded, render_suggestions(suggestions, hint=HOOK_HINT))
    if not text:
        return None
    output = {"hookSpecificOutput": {"hookEventName": "UserPromptSubmit", "additionalContext": text}}
    sent = {item.name: index.entry(item.name).content_hash for item in loaded if item.text is not None}
    return HookReply(json.dumps(output, ensure_ascii=False), sent)


def _paths_readable(roots: Sequence[str], project: str) -> bool:
    """Whether the model may read the library's files: False only for a library outside the project
    when Claude Code's settings block reads outside the working directories.

    Then a path (a suggestion, or the pointer after a cut body) is useless: the hook sends whole
    bodies only. The settings are read only in that case, so the common hook pays nothing.
    """
    project = os.path.realpath(project)
    inside = project.rstrip(os.sep) + os.sep
    if all(root == project or root.startswith(inside) for root in map(os.path.realpath, roots)):
        return True
    from loader.runtime.settings_file import blocked_reads

    return not blocked_reads(project)


def _named_validly(matches: Sequence[Any], attribute: str = "skill") -> list[Any]:
    """The matches (or suggestions) whose skill name fits the schema; the others are skipped, with a log line.

    The index keeps such skills (``skills validate`` reports them), but a name like ``Admin`` or
    one holding quotes or a newline could pass for another skill in the model's eyes.
    """
    kept = []
    for found in matches:
        name = getattr(found, attribute)
        if valid_name(name):
            kept.append(found)
        else:
            log_line(f"skipped skill {name!r}: its name is not lowercase letters, digits and hyphens")
    return kept


def _fit(index: Any, matches: Sequence[Any], options: HookOptions, reserve_tokens: int = 0,
         reserve_chars: int = 0, *, readable: bool = True) -> list[Loaded]:
    """Take matches in rank order while they fit the budget; the best one is cut rather than dropped.

    The budget covers the whole ``additionalContext``: the header and the suggestion block
    (``reserve_*``) are reserved for first (the header generously, per match), then each
    ``<skill>`` block is costed exactly as rendered. A cut body ends with a pointer to its file,
    so when the model cannot read the library (``readable`` false) nothing is cut, only dropped.
    """
    from loader.core.tokens import count_tokens

    tokens_left = options.budget_tokens - reserve_tokens - 40 - 40 * len(matches)
    chars_left = options.max_chars - reserve_chars - 200 - 200 * len(matches)
    loaded: list[Loaded] = []
    for rank, found in enumerate(matches):
        entry = index.entry(found.skill)
        body = index.body(found.skill).strip("\n")
        block = _block(found.skill, entry.path, body)
        text: str | None = None
        if count_tokens(block) <= tokens_left and len(block) <= chars_left:
            text = body
        elif rank == 0 and readable:
            text = _cut(found.skill, entry.path, body, tokens_left, chars_left)
        if text is not None:
            block = _block(found.skill, entry.path, text)
            tokens_left -= count_tokens(block)
            chars_left -= len(block)
        loaded.append(Loaded(found.skill, found.score, entry.path, text))
    return loaded


def _cut(name: str, folder: str, body: str, tokens: int, chars: int) -> str | None:
    """The longest run of whole first lines of ``body`` that fits, with a pointer to the rest."""
    from loader.core.tokens import count_tokens

    lines = body.splitlines(keepends=True)

    def version(keep: int) -> str:
        pointer = (f"[skillpack: cut to fit the context budget; {len(lines) - keep} more lines in "
                   f"{escape_attribute(os.path.join(folder, 'SKILL.md'))}; read that file for the rest]")
        return "".join(lines[:keep]).rstrip("\n") + "\n\n" + pointer

    def fits(keep: int) -> bool:
        block = _block(name, folder, version(keep))
        return count_tokens(block) <= tokens and len(block) <= chars

    low, high = 0, len(lines)  # invariant: fits(low) or low == 0
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return version(low) if low > 0 and fits(low) else None


def _block(name: str, folder: str, text: str) -> str:
    return "\n" + skill_block(name, text, folder=folder)


def render_context(loaded: Sequence[Loaded], suggestions: str = "") -> str:
    """The ``additionalContext`` text: a one-line header, each body after its folder path, then the suggestions.

    With no body included, just the suggestion block (``""`` when there is none either).
    Every name and path is escaped (``loader.core.wrapper``), so none can break a line or a block.
    """
    included = [item for item in loaded if item.text is not None]
    left_out = [item for item in loaded if item.text is None]
    if not included:
        return suggestions.rstrip("\n")
    names = ", ".join(f"{escape_attribute(item.name)} (score {item.score:.2f})" for item in included)
    header = f"skillpack loaded {len(included)} skill{'s' if len(included) != 1 else ''} for this prompt: {names}."
    parts = [header]
    if left_out:
        parts.append("Also relevant, not loaded (over the context budget): " + "; ".join(
            f"{escape_attribute(item.name)} ({escape_attribute(os.path.join(item.folder, 'SKILL.md'))})"
            for item in left_out) + ".")
    parts.append("Each skill's folder holds the reference files and scripts its instructions mention.")
    parts.extend(_block(item.name, item.folder, item.text) for item in included if item.text is not None)
    if suggestions:
        parts.append("\n" + suggestions.rstrip("\n"))
    return "\n".join(parts)


def run(options: HookOptions, stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """Run the hook once: read the event, write the output or nothing. Always returns 0."""
    event: HookEvent | None = None
    try:
        event = parse_event(stdin.read(MAX_STDIN_BYTES + 1))
        reply = handle(event, options)
        if reply is not None:
            stdout.write(reply.output.encode("utf-8") + b"\n")
            stdout.flush()
            if reply.sent and event.session_id:
                SessionMemory(event.session_id, _library_key(library_roots(options, event))).remember(reply.sent)
    except BaseException as exc:  # fail open, whatever happened (even ^C or a bug): log, exit 0
        session = f"session={event.session_id[:12]} " if event and event.session_id else ""
        log_line(f"{session}{type(exc).__name__}: {exc}")
        if os.environ.get("SKILLPACK_DEBUG", "") not in ("", "0"):
            import traceback

            traceback.print_exc()  # stderr: Claude Code shows it in verbose mode only, never to the model
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Fast-path entry (``skills hook [--library PATH] ...`` from ``loader.cli.entry``); returns 0."""
    options = parse_args(sys.argv[2:] if argv is None else argv)
    if options is None:
        log_line(f"unusable hook options: {list(argv or [])!r}")
        return 0
    if sys.stdin.isatty():  # a person typed `skills hook`: explain instead of waiting for an event
        sys.stderr.write("skills hook reads a Claude Code event (JSON) on stdin; "
                         "to set it up, run: skills hook install --skills PATH\n")
        return 0
    return run(options, sys.stdin.buffer, sys.stdout.buffer)
