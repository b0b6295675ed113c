"""Validate stage, part 2: semantic and best-practice rules on one skill folder.

Each check returns Diagnostics whose ids are catalogued in ``loader.validate.rulebook``. Checks read
only what the discover and parse stages already found, plus bounded reads of reference files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from loader.core.model import Diagnostic, Manifest, Profile, Severity
from loader.core.regular import open_regular
from loader.core.textfile import looks_binary
from loader.validate.discover import SkillDir
from loader.validate.layout import SKILL_FILE
from loader.validate.links import is_absolute, is_external, iter_links, resolve_relative
from loader.validate.readfile import read_bounded, text_of

MAX_BODY_LINES = 500
MIN_DESCRIPTION_WORDS = 6
MAX_REFERENCE_BYTES = 1024 * 1024
MAX_MARKDOWN_FILES = 200
RESERVED_WORDS = ("anthropic", "claude")
TEXT_EXTENSIONS = frozenset({
    ".md", ".markdown", ".txt", ".rst", ".py", ".sh", ".bash", ".js", ".mjs", ".ts", ".json",
    ".yaml", ".yml", ".toml", ".csv", ".tsv", ".html", ".css", ".xml", ".sql", ".ini", ".cfg",
})

_TRIGGER = re.compile(
    r"\b(when|whenever|if the user|if you|use (it |this |this skill )?(to|for|on|before|after|while|in)"
    r"|used (to|for|by)|(perfect|ideal|useful|preferred|best) for|trigger|invoke|applies to|helps? with)\b",
    re.IGNORECASE,
)
_TRIGGER_ASCII = re.compile(_TRIGGER.pattern)
"""``_TRIGGER`` for lowercased ASCII text: the same matches at half the cost of IGNORECASE."""
_PERSON_START = re.compile(r"\s*(I|I'm|I'll|We|We'll|You|You'll|My|Our)\b")
_PERSON_ANYWHERE = re.compile(r"\b(I can|I will|I help|you can use me)\b")


def says_when(text: str) -> bool:
    """True when ``text`` says when to use the skill (``_TRIGGER`` finds a phrase such as "use when")."""
    if text.isascii():  # ASCII only: lowercasing is then exactly IGNORECASE (\u017f, \u212a fold to s, k)
        return _TRIGGER_ASCII.search(text.lower()) is not None
    return _TRIGGER.search(text) is not None


def in_person(text: str) -> bool:
    """True when ``text`` opens in first or second person, or speaks as "I can", "you can use me".

    One regex with both alternatives took ~11 us per description (1,000 skills: ~11 ms of a
    cold run), as its anchored half was tried at every position; split, and the second half
    looked for only where its words are, ~1.6 us.
    """
    return _PERSON_START.match(text) is not None or (
        ("I " in text or "you can use me" in text) and _PERSON_ANYWHERE.search(text) is not None)
_XML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9_.:-]*(\s[^<>]*)?/?>")


def skill_name(skill_dir: SkillDir, manifest: Manifest) -> str:
    """The skill's identity: frontmatter ``name`` when it is a string, else the folder name."""
    name = (manifest.frontmatter or {}).get("name")
    return name if isinstance(name, str) and name else skill_dir.path.name


def check_skill(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    """Run every per-skill rule; frontmatter rules only when the frontmatter parsed."""
    checks: list[Callable[[SkillDir, Manifest, Profile], list[Diagnostic]]] = [_links, _files]
    if manifest.frontmatter is not None:
        checks = [_name, _description, _body, *checks]
    return [diag for check in checks for diag in check(skill_dir, manifest, profile)]


def _diag(manifest: Manifest, key: str, rule: str, severity: Severity, message: str, hint: str) -> Diagnostic:
    return Diagnostic(manifest.path, manifest.key_lines.get(key, 2 if key else None), rule, severity, message, hint)


def _name(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    name = (manifest.frontmatter or {}).get("name")
    if not isinstance(name, str) or not name:
        return []
    found = []
    if name != skill_dir.path.name:
        severity = Severity.WARNING if profile is Profile.CLAUDE_CODE else Severity.ERROR
        found.append(_diag(manifest, "name", "name-mismatch", severity,
                           f"name {name!r} differs from the folder name {skill_dir.path.name!r}",
                           "rename the folder or the name so they match"))
    reserved = [word for word in RESERVED_WORDS if word in name.lower()]
    if reserved:
        found.append(_diag(manifest, "name", "name-reserved", Severity.WARNING,
                           f"name contains the reserved word {reserved[0]!r}",
                           "claude.ai and the API refuse such names; choose another"))
    return found


def _description(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    frontmatter = manifest.frontmatter or {}
    if "description" not in frontmatter:
        if profile is Profile.CLAUDE_CODE:
            return [_diag(manifest, "", "description-missing", Severity.WARNING,
                          "no description: the model cannot tell when to use this skill",
                          "add `description: <what it does>. Use when <situations>.`")]
        return []  # schema-required already says so
    text = frontmatter["description"]
    if not isinstance(text, str) or not text.strip():
        return []  # schema-type / schema-min-length already say so
    found = []
    warn = Severity.WARNING
    if len(text.split()) < MIN_DESCRIPTION_WORDS:
        found.append(_diag(manifest, "description", "description-too-short", warn,
                           f"description has only {_words(len(text.split()))}",
                           "say what the skill does and when to use it, in one or two sentences"))
    elif not says_when(text) and not isinstance(frontmatter.get("when_to_use"), str):
        found.append(_diag(manifest, "description", "description-no-trigger", warn,
                           "description does not say when to use the skill",
                           "add a sentence such as `Use when the user asks to ...`"))
    tag = _XML_TAG.search(text)
    if tag:
        found.append(_diag(manifest, "description", "description-xml", warn,
                           f"description contains the tag {tag.group(0)!r}",
                           "describe it in words or wrap it in backticks without angle brackets"))
    if in_person(text):
        found.append(_diag(manifest, "description", "description-person", warn,
                           "description is written in first or second person",
                           "write in third person: `Generates ...`, not `I can ...` or `You can ...`"))
    return found


def _body(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    lines = manifest.body.count("\n") + (0 if manifest.body.endswith("\n") or not manifest.body else 1)
    if not manifest.body.strip():
        return [Diagnostic(manifest.path, manifest.body_line, "body-empty", Severity.WARNING,
                           "SKILL.md has no instructions after the frontmatter",
                           "write the steps the model should follow when the skill is used")]
    if lines > MAX_BODY_LINES:
        return [Diagnostic(manifest.path, manifest.body_line + MAX_BODY_LINES, "body-too-long", Severity.WARNING,
                           f"body is {lines} lines (over {MAX_BODY_LINES})",
                           "move details into reference files linked from SKILL.md")]
    return []


def _links(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    existing = set(skill_dir.files) | {SKILL_FILE}
    folders = {part for rel in existing for part in _parents(rel)}
    found: list[Diagnostic] = []
    direct: set[str] = set()
    markdown = [(SKILL_FILE, manifest.body, manifest.body_line)]
    md_files = [rel for rel in skill_dir.files if rel.endswith((".md", ".markdown"))][:MAX_MARKDOWN_FILES]
    base = f"{skill_dir.path}{os.sep}"
    for rel in md_files:  # as read_text(path, max_bytes=MAX_REFERENCE_BYTES).text, at a fifth of its cost
        data = read_bounded(base + rel, MAX_REFERENCE_BYTES)
        text = None if data is None else text_of(data, MAX_REFERENCE_BYTES)
        if text is not None:
            markdown.append((rel, text, 1))
    nested: dict[str, set[str]] = {}
    for rel, text, first_line in markdown:
        path: Path | None = None  # made for a file's first link only: most files have none
        for link in iter_links(text):
            if path is None:
                path = skill_dir.path / rel
            line = link.line + first_line - 1
            if is_external(link.target):
                continue
            if is_absolute(link.target):
                found.append(Diagnostic(path, line, "link-absolute", Severity.WARNING,
                                        f"link to absolute path {link.target!r}",
                                        "link relative to the skill folder, e.g. `references/guide.md`"))
                continue
            target = resolve_relative(link.target, rel)
            if target.startswith(".."):
                found.append(Diagnostic(path, line, "link-escapes", Severity.WARNING,
                                        f"link {link.target!r} leaves the skill folder",
                                        "copy the file into the skill so it ships with it"))
            elif target not in existing and target not in folders:
                found.append(Diagnostic(path, line, "link-missing", Severity.ERROR,
                                        f"link to {link.target!r}, which does not exist in the skill",
                                        "fix the path or add the file"))
            elif rel == SKILL_FILE:
                direct.add(target)
            elif target != rel and target != SKILL_FILE and target in existing:
                nested.setdefault(rel, set()).add(target)
    for rel, targets in sorted(nested.items()):
        deeper = sorted(targets - direct)
        if rel in direct and deeper:
            found.append(Diagnostic(skill_dir.path / rel, None, "reference-nested", Severity.WARNING,
                                    f"{rel} links to {', '.join(deeper)}, which SKILL.md does not link",
                                    "link every reference file from SKILL.md directly (one level deep)"))
    return found


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _files(skill_dir: SkillDir, manifest: Manifest, profile: Profile) -> list[Diagnostic]:
    found = []
    base = f"{skill_dir.path}{os.sep}"  # strings: a Path per file only for a finding
    for rel in skill_dir.files:
        try:
            size = os.stat(base + rel).st_size  # noqa: PTH116
            if size > MAX_REFERENCE_BYTES:
                found.append(Diagnostic(skill_dir.path / rel, None, "reference-too-large", Severity.WARNING,
                                        f"file is {size / 1024 / 1024:.1f} MiB",
                                        "large files cost context when loaded; split or trim it"))
            elif _suffix(rel).lower() in TEXT_EXTENSIONS and size:
                with open_regular(base + rel) as handle:
                    head = handle.read(8192)
                if looks_binary(head):
                    found.append(Diagnostic(skill_dir.path / rel, None, "reference-binary", Severity.WARNING,
                                            f"{rel} has a text extension but binary content",
                                            "save it as text, or rename it to its real type"))
        except OSError as exc:
            found.append(Diagnostic(skill_dir.path / rel, None, "file-unreadable", Severity.ERROR,
                                    f"cannot read file: {exc.strerror or exc}", "make the file readable"))
    return found


def _suffix(rel: str) -> str:
    """``PurePosixPath(rel).suffix``, without making a path."""
    name = rel.rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"
