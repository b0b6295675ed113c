"""Find the file links in Markdown text, ignoring code blocks and code spans.

Shared by the link rules and by anything else that needs to know what a skill refers to.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from urllib.parse import unquote

from loader.core.record import Record

_INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
_REFERENCE_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*(<[^>]*>|\S+)")  # `[^1]: text` is a footnote
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WINDOWS_ABS = re.compile(r"^[A-Za-z]:[\\/]")
_SLASH_COMMAND = re.compile(r"^/[\w.-]+:[\w.-]+$")  # `/plugin:skill`, a Claude Code command, not a path


class Link(Record):
    """A link target as written, with its 1-based line in the text it came from."""

    __slots__ = ("target", "line")

    def __init__(self, target: str, line: int) -> None:
        """Record a link found at ``line``."""
        self.target, self.line = target, line


def iter_links(markdown: str) -> Iterator[Link]:
    """Yield every inline or reference-style link target outside code."""
    if "](" not in markdown and "]:" not in markdown:
        return
    fence: str | None = None
    for number, line in enumerate(markdown.splitlines(), start=1):
        stripped = line.lstrip(" ")
        opened = _FENCE.match(line) if stripped[:3] in ("```", "~~~") else None
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if "](" not in line and "]:" not in line:
            continue
        if line.startswith(("    ", "\t")) and not stripped.startswith(("-", "*", "[")):
            continue  # indented code block
        text = _CODE_SPAN.sub("", line) if "`" in line else line
        for found in _INLINE.finditer(text):
            yield Link(found.group(1).strip("<>"), number)
        ref = _REFERENCE_DEF.match(text)
        if ref:
            yield Link(ref.group(1).strip("<>"), number)


def is_external(target: str) -> bool:
    """True for URLs, mail links and in-page anchors: links that are not files."""
    if not target or target.startswith("#") or _SLASH_COMMAND.match(target):
        return True
    return not _WINDOWS_ABS.match(target) and bool(_SCHEME.match(target))


def is_absolute(target: str) -> bool:
    """True for filesystem-absolute targets (``/x``, ``~/x``, ``C:\\x``)."""
    return target.startswith(("/", "~", "\\")) or bool(_WINDOWS_ABS.match(target))


def resolve_relative(target: str, from_file: str) -> str:
    """Resolve ``target`` (as written in ``from_file``) to a POSIX path relative to the skill folder.

    The result starts with ``..`` when the link leaves the skill folder.
    """
    path = unquote(target.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    joined = posixpath.join(posixpath.dirname(from_file), path)
    return posixpath.normpath(joined) if path else from_file
