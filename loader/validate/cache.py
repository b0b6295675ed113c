"""Validate stage, the result cache: an unchanged skill is not parsed or checked twice (as ruff does).

One JSON file per library (its resolved roots), profile and strictness, under the user cache
folder (``$XDG_CACHE_HOME/skillpack/validation``; never in the library). Each skill folder's
entry holds its key and its result (the parsed manifest, minus the body, which is sliced from
the file read for the key, and the diagnostics). The key is a SHA-256 of everything a result
depends on: the folder's and root's paths, SKILL.md's bytes, every other file's name, size and
content (size alone past the 1 MiB the rules read), the rules' version (a hash of the
validate stage's code, schema and rulebook), the profile, the strictness and skillpack's
version. Any change gives a new key, hence a miss. The stored key is reused without hashing
while the folder's file names, inodes, sizes and mtimes are those seen at least 2 s after
their last change (git's racy-clean rule). The file is written atomically; an unreadable or
foreign file is ignored, so the cache can only cost a re-check, never a wrong result.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from stat import S_ISREG

from loader.core.digest import hex_key, sha256
from loader.core.model import Diagnostic, Manifest, Profile, Severity, Skill
from loader.core.record import Record
from loader.core.userdirs import cache_dir, prune_stale
from loader.validate.discover import SkillDir
from loader.validate.layout import SKILL_FILE
from loader.validate.readfile import read_bounded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 2
"""Version of the file layout (a header line with a checksum, then the entries); another is ignored."""
MAX_HASHED_BYTES = 1024 * 1024
"""Files larger than this contribute their size only: the rules read no more than this."""
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
"""SKILL.md files larger than this are never cached (parsing reports them as too large)."""
MAX_CACHE_BYTES = 256 * 1024 * 1024
"""A cache file larger than this is not read (it cannot be ours for any sane library)."""

STALE_SECONDS = 30 * 24 * 3600
"""A library's cache file unused for this long is deleted (by the next run that writes one)."""
RACY_NS = 2_000_000_000
"""Files modified less than this before they were stamped are hashed again next time (coarse clocks)."""

Result = tuple[Skill | None, list[Diagnostic]]


class Keyed(Record):
    """A skill folder's cache key, with what computing it read and saw.

    Attributes:
        key: the SHA-256 the result is stored under.
        raw: SKILL.md's bytes (parsed on a miss; a cached result's body is sliced from them).
        stamp: names and ``size:inode:mtime_ns`` of SKILL.md and each file; empty when too recent
            (or unreadable) to trust.
    """

    __slots__ = ("key", "raw", "stamp")

    def __init__(self, key: str, raw: bytes, stamp: str) -> None:
        """Record a computed key."""
        self.key, self.raw, self.stamp = key, raw, stamp


@cache
def rules_version() -> str:
    """A hash of what decides a skill's diagnostics: the validate stage's code, schema and rulebook."""
    from loader.validate.rulebook import RULES

    here = os.path.dirname(os.path.realpath(__file__))  # noqa: PTH120 - strings: every run computes this
    digest = sha256()
    for name in [*sorted(n for n in os.listdir(here) if n.endswith(".py")), "skill.schema.json"]:  # noqa: PTH208
        with open(os.path.join(here, name), "rb") as handle:  # noqa: PTH118,PTH123
            digest.update(name.encode() + b"\0" + handle.read())
    for rule in RULES.values():
        digest.update(f"{rule.id}\0{rule.severity.value}\0{rule.blocking}\0".encode())
    return digest.hexdigest()


def cache_context(profile: Profile, strict: bool) -> str:
    """Everything besides a skill's own files that its result depends on, as one string."""
    from loader import __version__

    return f"skillpack {__version__}; rules {rules_version()}; profile {profile.value}; strict {strict}"


class ValidationCache:
    """Per-skill validation results of one library, read at start and written once at the end."""

    def __init__(self, path: Path, context: str) -> None:
        """Open the cache file at ``path`` for results computed under ``context``."""
        self.path = path
        self.context = context
        self._old: dict[str, Any] = _read(path, context)
        self._new: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_library(cls, roots: Sequence[Path], profile: Profile, *, strict: bool = False) -> ValidationCache:
        """The cache of the library under ``roots`` for this profile and strictness."""
        where = "\0".join(str(Path(root).resolve()) for root in roots)
        name = hex_key(f"{where}\0{profile.value}\0{strict}", 24)
        return cls(cache_dir() / "validation" / f"{name}.json", cache_context(profile, strict))

    def key(self, skill_dir: SkillDir) -> Keyed | None:
        """The skill's cache key and SKILL.md's bytes, or ``None`` when it should not be cached.

        Hashing reads every file of the skill; when the files' stamps (inode, size, mtime) are
        those stored with the entry, and were old enough to trust then, the stored key is
        reused without reading them (git's racy-clean rule, as the index does). SKILL.md is
        read either way (a cached result's body is sliced from it; on a miss it is parsed), in
        one read of its size (``readfile``): a buffered read of the 4 MiB limit took a third of
        a cached run's time in ``key`` (1,000 skills: ~22 ms of ~55 ms).
        """
        folder = str(skill_dir.path)
        stamp, size = _stamp(folder, skill_dir.files)
        if not 0 <= size <= MAX_MANIFEST_BYTES:
            return None
        raw = read_bounded(f"{folder}{os.sep}{SKILL_FILE}", MAX_MANIFEST_BYTES, stat_first=False)  # _stamp did
        if raw is None or len(raw) > MAX_MANIFEST_BYTES:
            return None
        if len(raw) != size:
            stamp = ""  # it changed after it was stamped: hash what was read, trust no stamp
        entry = self._old.get(folder)
        if stamp and isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("key"), str):
            return Keyed(entry["key"], raw, stamp)
        return Keyed(self._hash(skill_dir, raw), raw, stamp)

    def _hash(self, skill_dir: SkillDir, raw: bytes) -> str:
        import hashlib  # OpenSSL's SHA-256, faster on whole skills; a cached run never hashes content

        digest = hashlib.sha256(f"{self.context}\0{skill_dir.path}\0{skill_dir.root}\0{len(raw)}\0".encode())
        digest.update(raw)
        base = f"{skill_dir.path}{os.sep}"
        for rel in skill_dir.files:
            digest.update(f"\0{rel}\0".encode())
            try:
                size = os.stat(base + rel).st_size  # noqa: PTH116 - once per file of every skill
            except OSError as exc:
                digest.update(f"unreadable {exc.errno}".encode())
                continue
            digest.update(f"{size}\0".encode())
            if size <= MAX_HASHED_BYTES:
                data = read_bounded(base + rel, MAX_HASHED_BYTES)
                digest.update(b"unreadable" if data is None else b"read\0")
                digest.update(data or b"")
        return digest.hexdigest()

    def get(self, skill_dir: SkillDir, keyed: Keyed) -> Result | None:
        """The stored result for ``skill_dir`` when its key is ``keyed.key``, else ``None``."""
        entry = self._old.get(str(skill_dir.path))
        if not isinstance(entry, dict) or entry.get("key") != keyed.key:
            self.misses += 1
            return None
        try:
            result = _decode(entry["result"], skill_dir, keyed.raw)
        except (KeyError, TypeError, ValueError):
            self.misses += 1
            return None
        self._new[str(skill_dir.path)] = entry
        self.hits += 1
        return result

    def put(self, skill_dir: SkillDir, keyed: Keyed, skill: Skill | None, diagnostics: Sequence[Diagnostic]) -> None:
        """Remember ``skill_dir``'s result under ``keyed`` (skipped when it would not read back the same)."""
        encoded = _encode(skill, diagnostics, keyed.raw)
        if encoded is not None:
            self._new[str(skill_dir.path)] = {"key": keyed.key, "stamp": keyed.stamp, "result": encoded}

    def save(self) -> None:
        """Write the results atomically when they changed, dropping folders that no longer hold a skill.

        A run that changed nothing only touches the file, so its mtime says when it was last
        used; writing a file also deletes other libraries' files unused for :data:`STALE_SECONDS`.
        """
        if not self._new:
            return
        try:
            if all(self._old.get(path) is entry for path, entry in self._new.items()):
                os.utime(self.path)
                return
            entries = {path: entry for path, entry in {**self._old, **self._new}.items()
                       if path in self._new or _holds_skill(path)}
            from loader.core.atomic import write_bytes

            write_bytes(self.path, seal(self.context, entries), durable=False)
            prune_stale(self.path.parent, ".json", keep=self.path, max_age_s=STALE_SECONDS)
        except OSError:
            pass  # a read-only or full cache folder costs speed, not correctness


def _holds_skill(folder: str) -> bool:
    return any(os.path.isfile(os.path.join(folder, name)) for name in ("SKILL.md", "skill.md"))  # noqa: PTH113,PTH118


def _stamp(folder: str, files: Sequence[str]) -> tuple[str, int]:
    """The folder's stamp and SKILL.md's size (``-1``: missing, unreadable or not a regular file).

    The stamp is SKILL.md's ``size:inode:mtime_ns``, then each file's name and the same; ``""``
    when any of them is too recent to trust or cannot be looked at.
    """
    now = time.time_ns()
    try:
        st = os.stat(f"{folder}{os.sep}{SKILL_FILE}")  # noqa: PTH116 - strings: once per file of every skill
    except OSError:
        return "", -1
    if not S_ISREG(st.st_mode):
        return "", -1
    size = st.st_size
    if st.st_mtime_ns >= now - RACY_NS:
        return "", size
    parts = [f"{size}:{st.st_ino}:{st.st_mtime_ns}"]
    try:
        for rel in files:
            st = os.stat(f"{folder}{os.sep}{rel}")  # noqa: PTH116
            if st.st_mtime_ns >= now - RACY_NS:
                return "", size
            parts.append(f"{rel}:{st.st_size}:{st.st_ino}:{st.st_mtime_ns}")
    except OSError:
        return "", size
    return "\0".join(parts), size


def seal(context: str, payload: Any) -> bytes:
    """A cache file: a JSON header line (format, context, SHA-256 of the rest), then ``payload`` as JSON."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    header = json.dumps({"format": FORMAT, "context": context, "sha256": sha256(body).hexdigest()},
                        separators=(",", ":"))
    return header.encode() + b"\n" + body  # json.dumps escapes newlines: the header is one line


def unseal(path: Path, context: str, max_bytes: int = MAX_CACHE_BYTES) -> Any:
    """The payload of the file :func:`seal` wrote at ``path`` under ``context``; ``None`` if it is not exactly that.

    The checksum turns any damage (a flipped bit, a file cut short, an edit) into a miss, never
    a wrong result (~0.5 ms for the results of 1,000 skills).
    """
    try:
        if path.stat().st_size > max_bytes:
            return None
        header, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(header)
        if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("context") != context \
                or head.get("sha256") != sha256(body).hexdigest():
            return None
        return json.loads(body)
    except (OSError, ValueError, RecursionError):
        return None


def _read(path: Path, context: str) -> dict[str, Any]:
    """The entries of the cache file at ``path`` written under ``context``; ``{}`` if it is not exactly that."""
    skills = unseal(path, context)
    return skills if isinstance(skills, dict) else {}


def _encode(skill: Skill | None, diagnostics: Sequence[Diagnostic], raw: bytes) -> dict[str, Any] | None:
    encoded: dict[str, Any] = {"diagnostics": [_diag_out(d) for d in diagnostics]}
    if skill is not None:
        manifest = skill.manifest
        body = manifest.body.encode("utf-8")
        if not raw.endswith(body) or manifest.frontmatter is None:
            return None
        frontmatter = dict(manifest.frontmatter)
        if not _plain(frontmatter):  # what _plain accepts reads back equal: no JSON round trip per skill
            return None
        encoded["skill"] = {"name": skill.name, "description": skill.description, "frontmatter": frontmatter,
                            "body_bytes": len(body), "body_line": manifest.body_line,
                            "key_lines": dict(manifest.key_lines),
                            "diagnostics": [_diag_out(d) for d in manifest.diagnostics]}
    return encoded


def _plain(value: Any) -> bool:
    """True for JSON data that reads back equal and of the same types (no tuples, no NaN, string keys only)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, str | bool | int) or (isinstance(value, float) and value == value)


def _decode(data: Mapping[str, Any], skill_dir: SkillDir, raw: bytes) -> Result:
    """The stored result, every value checked for its type: anything unexpected raises (a miss), never a crash later."""
    diagnostics = [_diag_in(d) for d in data["diagnostics"]]
    stored = data.get("skill")
    if stored is None:
        return None, diagnostics
    size, body_line, frontmatter = stored["body_bytes"], stored["body_line"], stored["frontmatter"]
    name, description, key_lines = stored["name"], stored["description"], stored["key_lines"]
    if type(size) is not int or not 0 <= size <= len(raw) or type(body_line) is not int or body_line < 1 \
            or not isinstance(frontmatter, dict) or not isinstance(name, str) or not isinstance(description, str) \
            or not isinstance(key_lines, dict) or not all(type(line) is int for line in key_lines.values()):
        raise ValueError("not a stored result")
    body = raw[len(raw) - size:].decode("utf-8") if size else ""
    folder = skill_dir.path
    manifest = Manifest(Path(f"{folder}{os.sep}{SKILL_FILE}"), frontmatter, body, body_line, key_lines,
                        tuple(_diag_in(d) for d in stored["diagnostics"]))
    skill = Skill(name=name, description=description, path=folder, manifest=manifest, files=skill_dir.files,
                  root=skill_dir.root)
    return skill, diagnostics


def _diag_out(diag: Diagnostic) -> list[Any]:
    return [str(diag.path), diag.line, diag.rule, diag.severity.value, diag.message, diag.hint, diag.column]


def _diag_in(data: Sequence[Any]) -> Diagnostic:
    path, line, rule, severity, message, hint, column = data
    if not (isinstance(path, str) and isinstance(rule, str) and isinstance(message, str) and isinstance(hint, str)
            and (line is None or type(line) is int) and (column is None or type(column) is int)):
        raise ValueError("not a stored diagnostic")
    return Diagnostic(Path(path), line, rule, Severity(severity), message, hint, column)
