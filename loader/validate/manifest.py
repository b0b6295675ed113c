"""Parse stage: split a SKILL.md into YAML frontmatter and a byte-exact body.

YAML comes from untrusted authors, so loading is safe (no custom tags), bounded (document
size, alias expansion, nesting) and keeps the line of every top-level key for diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from loader.core.model import Diagnostic, Manifest, Severity
from loader.core.textfile import MAX_TEXT_BYTES, decode_text, read_text

MAX_FRONTMATTER_BYTES = 64 * 1024
"""Real frontmatter is well under 4 KB; anything near this is a mistake or an attack."""
MAX_YAML_NODES = 5_000
"""Bound on the node count with every alias expanded, which defuses "billion laughs"."""

_FENCE = "---"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built


class _SafeLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader that keeps dates as strings, so frontmatter stays plain JSON data."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP_TAG, _BOOL_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 booleans, as Claude Code's parser and skills-ref read them: `yes`, `no`, `on`, `off`
# stay text (PyYAML's YAML 1.1 would make `license: yes` a boolean).
_SafeLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class _Problem(Exception):
    """A frontmatter problem found while walking the YAML node graph."""

    def __init__(self, rule: str, message: str, hint: str, node: Node | None = None) -> None:
        super().__init__(message)
        self.rule, self.message, self.hint, self.node = rule, message, hint, node


def parse_manifest(path: Path, data: bytes | None = None) -> Manifest:
    """Read and parse one ``SKILL.md``. Never raises for bad content: problems become diagnostics.

    Args:
        path: the file.
        data: its bytes when they were read already (the validation cache reads them for the
            key): they are decoded exactly as ``read_text`` decodes a file, not read again.
    """
    read = read_text(path) if data is None else decode_text(path, data, MAX_TEXT_BYTES)
    if read.text is None:
        return Manifest(path, None, "", 1, diagnostics=read.diagnostics)
    diagnostics: list[Diagnostic] = []
    if read.had_bom:
        diagnostics.append(
            Diagnostic(
                path, 1, "encoding-bom", Severity.WARNING,
                "file starts with a UTF-8 byte order mark",
                "save without BOM; some loaders then fail to see the frontmatter",
            )
        )
    if "\r\n" in read.text:
        diagnostics.append(
            Diagnostic(
                path, 1, "line-endings-crlf", Severity.INFO,
                "file uses CRLF line endings",
                "use LF line endings (git: set `* text=auto eol=lf` in .gitattributes)",
            )
        )
    return parse_manifest_text(path, read.text, diagnostics)


def parse_manifest_text(path: Path, text: str, diagnostics: list[Diagnostic] | None = None) -> Manifest:
    """Parse ``SKILL.md`` content already decoded to text (BOM removed)."""
    diags = list(diagnostics or [])

    def done(frontmatter: Mapping[str, Any] | None, body: str, body_line: int,
             key_lines: Mapping[str, int] | None = None) -> Manifest:
        return Manifest(path, frontmatter, body, body_line, dict(key_lines or {}), tuple(diags))

    def problem(rule: str, line: int | None, message: str, hint: str, column: int | None = None) -> None:
        diags.append(Diagnostic(path, line, rule, Severity.ERROR, message, hint, column))

    if not text.strip():
        problem("frontmatter-missing", 1, "SKILL.md is empty",
                "start the file with a `---` frontmatter block holding name and description")
        return done(None, text, 1)
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip() != _FENCE:
        problem("frontmatter-missing", 1, "SKILL.md does not start with a `---` frontmatter block",
                "add `---`, `name: ...`, `description: ...`, `---` at the top of the file")
        return done(None, text, 1)
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (_FENCE, "...")), None)
    if closing is None:
        problem("frontmatter-unclosed", 1, "frontmatter block is never closed",
                "add a line holding only `---` after the last frontmatter key")
        return done(None, "", len(lines) + 1)
    body = "".join(lines[closing + 1 :])
    body_line = closing + 2
    yaml_text = "".join(lines[1:closing])
    if len(yaml_text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        problem("frontmatter-too-large", 2,
                f"frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KiB",
                "keep frontmatter to name, description and a few short fields; move prose to the body")
        return done(None, body, body_line)
    try:
        frontmatter, key_lines = _load_yaml(yaml_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 2
        column = mark.column + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part) or str(exc)
        problem("frontmatter-yaml", line, f"invalid YAML: {message}", _yaml_hint(message), column)
        return done(None, body, body_line)
    except yaml.YAMLError as exc:
        problem("frontmatter-yaml", 2, f"invalid YAML: {exc}", "fix the YAML syntax")
        return done(None, body, body_line)
    except RecursionError:
        problem("frontmatter-yaml", 2, "invalid YAML: nested too deeply",
                "frontmatter values should be flat strings, lists or small maps")
        return done(None, body, body_line)
    except _Problem as exc:
        line = exc.node.start_mark.line + 2 if exc.node is not None else 2
        problem(exc.rule, line, exc.message, exc.hint)
        return done(None, body, body_line)
    if not isinstance(frontmatter, dict):
        kind = "empty" if frontmatter is None else f"a {type(frontmatter).__name__}, not a mapping"
        problem("frontmatter-not-mapping", 2, f"frontmatter is {kind}",
                "write frontmatter as `key: value` lines, e.g. `name: my-skill`")
        return done(None, body, body_line)
    return done(frontmatter, body, body_line, {k: line + 1 for k, line in key_lines.items()})


def _load_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Compose, check and construct one YAML document; return it and its top-level key lines."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_graph(node)
        key_lines: dict[str, int] = {}
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, ScalarNode):
                    key_lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
        try:
            return loader.construct_document(node), key_lines
        except _UNREADABLE as exc:  # PyYAML's constructors raise these for values they cannot read
            raise _unreadable(loader, node) from exc
    finally:
        loader.dispose()


_UNREADABLE = (ValueError, KeyError, AttributeError, TypeError, OverflowError)
"""What PyYAML's safe constructors raise for a well-formed value of the wrong form: ``!!int abc``,
``!!bool maybe``, ``!!timestamp nope``, an integer of more than 4,300 digits. They were tracebacks."""


def _unreadable(loader: Any, root: Node) -> _Problem:
    """The problem of the first scalar (in document order) that cannot be constructed, at its line."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            loader.constructed_objects, loader.recursive_objects = {}, {}  # as after the failed attempt
            try:
                loader.construct_object(node)
            except (*_UNREADABLE, yaml.YAMLError):
                break
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(child for pair in reversed(node.value) for child in reversed(pair))
    else:
        node = None
    kind = str(getattr(node, "tag", "") or "").rsplit(":", 1)[-1] or "its type"
    shown = str(getattr(node, "value", ""))
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return _Problem("frontmatter-yaml", f"invalid YAML: {shown!r} cannot be read as {kind}",
                    "quote the value to keep it as text, or remove the `!!tag`", node)


def _check_graph(root: Node) -> None:
    """Reject alias bombs, recursive aliases and duplicate keys before anything is built."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _Problem("frontmatter-aliases", "YAML alias refers to itself",
                           "remove the recursive `&anchor`/`*alias` pair", node)
        in_progress.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag not in (_STR_TAG, _MERGE_TAG):
                    shown = key_node.value if isinstance(key_node, ScalarNode) else "a list or mapping"
                    raise _Problem("frontmatter-key-type", f"key {shown!r} is not a string",
                                   "quote the key (`\"1\": ...`); frontmatter keys must be text", key_node)
                if isinstance(key_node, ScalarNode):
                    if key_node.value in seen:
                        raise _Problem("frontmatter-duplicate-key",
                                       f"duplicate key {key_node.value!r}",
                                       "keep one of the two keys; YAML would silently use the last",
                                       key_node)
                    seen.add(key_node.value)
                total += size(key_node) + size(value_node)
        in_progress.discard(key)
        if total > MAX_YAML_NODES:
            raise _Problem("frontmatter-aliases",
                           f"frontmatter expands to more than {MAX_YAML_NODES} YAML nodes",
                           "remove `&anchor`/`*alias` chains; frontmatter should be a few plain fields",
                           node)
        sizes[key] = total
        return total

    size(root)


def _yaml_hint(message: str) -> str:
    if "\\t" in message or "\t" in message or "tab character" in message:
        return "indent with spaces; YAML does not allow tab characters there"
    if "mapping values are not allowed" in message:
        return "quote the value: a `: ` inside an unquoted string starts a new key"
    if "found undefined tag" in message or "could not determine a constructor" in message:
        return "remove the `!tag`; only plain YAML types are allowed"
    return "fix the YAML syntax at this line"
