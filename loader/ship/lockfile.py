"""Read and write ``skills.lock``: what was packed or installed, down to each file's sha256.

The file is JSON with a ``lock_version``; it is written atomically (temp file + rename) with
sorted keys and no timestamps, so the same skills always give the same bytes. Reading treats
the file as untrusted: every name and path is checked before any caller uses it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from loader.core.atomic import write_bytes
from loader.core.errors import SkillpackError
from loader.core.regular import open_regular, read_regular_text
from loader.ship.archive_safety import unsafe_path_reason

LOCK_FILE = "skills.lock"
LOCK_VERSION = 1
MAX_LOCK_BYTES = 32 * 1024 * 1024
SKILL_DIR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
"""What a skill's folder name may be once shipped: one plain path part, no leading dot."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class LockfileError(SkillpackError, ValueError):
    """A lockfile that cannot be read or trusted."""

    def __init__(self, *, path: Path, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"bad lockfile {self.path}: {self.problem}"


def _frozen(value: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted((value or {}).items())))


@dataclass(frozen=True, slots=True)
class LockedSkill:
    """One skill as recorded in a lockfile."""

    name: str
    """The skill's name, which is also its folder name."""
    version: str | None
    """``metadata.version`` from its SKILL.md, when it has one."""
    source: str
    """Where it came from: a path relative to the lockfile's folder when possible."""
    files: Mapping[str, str] = field(default_factory=_frozen)
    """POSIX path relative to the skill folder -> sha256 hex of its bytes."""
    archive: str | None = None
    """File name of the archive holding it (``NAME.skill`` or the bundle), if any."""
    archive_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The skill's JSON object (without its name, which is the key)."""
        return {"version": self.version, "source": self.source, "archive": self.archive,
                "archive_sha256": self.archive_sha256, "files": dict(self.files)}


@dataclass(frozen=True, slots=True)
class Lock:
    """A whole lockfile: skills by name."""

    skills: Mapping[str, LockedSkill] = field(default_factory=lambda: MappingProxyType({}))

    def with_skills(self, *added: LockedSkill) -> Lock:
        """A copy with ``added`` inserted or replacing skills of the same name."""
        merged = dict(self.skills)
        merged.update({skill.name: skill for skill in added})
        return Lock(MappingProxyType(dict(sorted(merged.items()))))

    def without(self, name: str) -> Lock:
        """A copy without the skill ``name``."""
        return Lock(MappingProxyType({k: v for k, v in self.skills.items() if k != name}))

    def dumps(self) -> str:
        """The lockfile text: stable key order, two-space indent, trailing newline."""
        data = {"lock_version": LOCK_VERSION, "generator": "skillpack",
                "skills": {name: self.skills[name].to_json() for name in sorted(self.skills)}}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_lock(path: Path, *, missing_ok: bool = True) -> Lock:
    """Read and check ``path``; an absent file is an empty lock when ``missing_ok``.

    Raises:
        LockfileError: unreadable, not JSON, an unknown ``lock_version`` or a malformed entry.
    """
    try:
        if path.is_symlink():
            raise LockfileError(path=path, problem="is a symbolic link")
        if not path.exists() and missing_ok:
            return Lock()
        if path.stat().st_size > MAX_LOCK_BYTES:
            raise LockfileError(path=path, problem=f"larger than {MAX_LOCK_BYTES} bytes")
        data = json.loads(read_regular_text(path))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LockfileError(path=path, problem=str(exc)) from exc
    except RecursionError as exc:  # arrays nested thousands deep: no lock file of ours looks like that
        raise LockfileError(path=path, problem="nested too deeply to be a lock file") from exc
    return parse_lock(path, data)


def parse_lock(path: Path, data: Any) -> Lock:
    """Turn decoded JSON into a ``Lock``, refusing anything unexpected."""
    def bad(problem: str) -> LockfileError:
        return LockfileError(path=path, problem=problem)

    if not isinstance(data, dict):
        raise bad("top level is not a JSON object")
    if data.get("lock_version") != LOCK_VERSION:
        raise bad(f"lock_version {data.get('lock_version')!r} is not supported (expected {LOCK_VERSION})")
    skills = data.get("skills")
    if not isinstance(skills, dict):
        raise bad("'skills' is not an object")
    parsed: dict[str, LockedSkill] = {}
    for name, entry in skills.items():
        if not SKILL_DIR_NAME.match(name):
            raise bad(f"skill name {name!r} is not a plain folder name")
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
            raise bad(f"skill {name!r}: entry or its 'files' is not an object")
        for rel, digest in entry["files"].items():
            reason = unsafe_path_reason(rel)
            if reason or not isinstance(digest, str) or not _SHA256.match(digest):
                raise bad(f"skill {name!r}: file {rel!r}: {reason or 'not a sha256 hex digest'}")
        optional = {key: entry.get(key) for key in ("version", "archive", "archive_sha256")}
        if any(value is not None and not isinstance(value, str) for value in optional.values()):
            raise bad(f"skill {name!r}: version, archive and archive_sha256 must be strings or null")
        if not isinstance(entry.get("source", ""), str):
            raise bad(f"skill {name!r}: source must be a string")
        parsed[name] = LockedSkill(name, optional["version"], entry.get("source", ""), _frozen(entry["files"]),
                                   optional["archive"], optional["archive_sha256"])
    return Lock(MappingProxyType(dict(sorted(parsed.items()))))


def write_lock(path: Path, lock: Lock) -> None:
    """Write ``lock`` to ``path`` atomically: readers see the old file or the new one, never half."""
    write_bytes(path, lock.dumps().encode("utf-8"))


def relative_source(source: Path, base: Path) -> str:
    """``source`` relative to ``base`` as POSIX (stable across clones), else absolute."""
    try:
        return Path(os.path.relpath(source.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return source.resolve().as_posix()


@dataclass(frozen=True, slots=True)
class Difference:
    """One way an installed skill differs from its lockfile entry."""

    skill: str
    path: str
    """File path relative to the skill folder (``""`` for the whole skill)."""
    kind: str
    """``missing``, ``extra``, ``modified``, ``not-a-file`` or ``missing-skill``."""


def tree_hashes(folder: Path) -> dict[str, str | None]:
    """sha256 of every file under ``folder`` (POSIX relative paths); ``None`` for links and other non-files.

    Symlinks are never followed, so a hostile tree cannot make this read outside ``folder``.
    """
    import hashlib

    found: dict[str, str | None] = {}
    for current, dirs, files in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in [*files, *(d for d in dirs if (base / d).is_symlink())]:
            path = base / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() or not path.is_file():
                found[rel] = None
                continue
            with open_regular(path) as handle:
                found[rel] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


def compare(skill: LockedSkill, actual: Mapping[str, str | None], *,
            ignored: Callable[[str], bool] = lambda rel: False) -> list[Difference]:
    """Differences between ``skill.files`` and the ``actual`` hashes of its installed folder, sorted by path."""
    diffs = [Difference(skill.name, rel, "missing") for rel in skill.files if rel not in actual]
    for rel, digest in actual.items():
        if rel not in skill.files:
            if not ignored(rel):
                diffs.append(Difference(skill.name, rel, "extra"))
        elif digest is None:
            diffs.append(Difference(skill.name, rel, "not-a-file"))
        elif digest != skill.files[rel]:
            diffs.append(Difference(skill.name, rel, "modified"))
    return sorted(diffs, key=lambda d: (d.path, d.kind))
