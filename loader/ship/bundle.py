"""Pack skills into reproducible archives: ``plan`` decides what goes where, ``write`` writes it.

The same skill files always give byte-identical archives, whatever the machine, run, path or
mtimes: entries are sorted, timestamps fixed at 1980-01-01, permissions normalised (0644, or
0755 for executables), deflate level fixed, and no host metadata (no extra fields, no comment,
Unix "made by"). Every archive is checked with ``archive_safety`` before it is published, so
``skills install`` never refuses what ``skills pack`` made.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from loader.core.errors import SkillpackError, UsageError
from loader.core.model import Skill
from loader.core.regular import open_regular, read_regular_bytes
from loader.ship import archive_safety
from loader.ship.ignore import IgnoreRules
from loader.ship.lockfile import LOCK_FILE, SKILL_DIR_NAME, Lock, LockedSkill, relative_source, write_lock

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
SKILL_SUFFIX = ".skill"
_UNIX = 3
"""``create_system`` for Unix: it says the mode bits in ``external_attr`` mean what they say."""


class PackError(SkillpackError, RuntimeError):
    """Packing could not finish; nothing was published in the output folder."""

    def __init__(self, *, path: Path, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"cannot pack {self.path}: {self.problem}"


@dataclass(frozen=True, slots=True)
class BundleFile:
    """One file of a skill as it will be shipped."""

    rel: str
    """POSIX path relative to the skill folder."""
    source: Path
    """Where its bytes are read from."""
    executable: bool
    """Stored as 0755 when true (execute bit set, or a ``#!`` first line), else 0644."""
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One skill and the archive it goes into."""

    name: str
    """Skill name; also the folder at the archive's root."""
    version: str | None
    source: Path
    """The skill folder it was read from."""
    archive: str
    """File name of the archive (``NAME.skill``, or the bundle's name)."""
    files: tuple[BundleFile, ...]


STALE_TEMP_S = 3600
"""Archive temporaries older than this are a killed pack's, not a running one's: they are removed."""


@dataclass(frozen=True, slots=True)
class PackedArchive:
    """An archive that was written."""

    path: Path
    sha256: str
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackResult:
    """What ``write`` published."""

    archives: tuple[PackedArchive, ...]
    lock_path: Path
    lock: Lock


def skill_version(skill: Skill) -> str | None:
    """``metadata.version`` as a string, when the skill declares one."""
    metadata = skill.frontmatter.get("metadata")
    version = metadata.get("version") if isinstance(metadata, Mapping) else None
    return str(version) if isinstance(version, (str, int, float)) and not isinstance(version, bool) else None


def skill_files(skill: Skill) -> tuple[BundleFile, ...]:
    """The files of ``skill`` that are shipped, hashed, sorted: ``SKILL.md`` plus every non-ignored file."""
    rules = IgnoreRules.for_folder(skill.path)
    rels = sorted({"SKILL.md", *(rel for rel in skill.files if not rules.ignored(rel))})
    return tuple(_describe(skill.path, rel) for rel in rels)


def _describe(folder: Path, rel: str) -> BundleFile:
    path = folder / rel
    digest = hashlib.sha256()
    size = 0
    first = b""
    try:
        mode = path.stat().st_mode
        with open_regular(path) as handle:
            while chunk := handle.read(1 << 16):
                first = first or chunk[:2]
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise PackError(path=path, problem=exc.strerror or str(exc)) from exc
    limit = archive_safety.DEFAULT_LIMITS.max_entry_size
    if size > limit:
        raise PackError(path=path, problem=f"{size} bytes, over the {limit}-byte limit that install enforces")
    return BundleFile(rel, path, bool(mode & 0o111) or first == b"#!", digest.hexdigest(), size)


def plan(skills: Iterable[Skill], *, bundle: str | None = None) -> list[BundleEntry]:
    """Decide, without writing anything, which files of which skills go into which archive.

    Args:
        skills: skills to pack (normally ``load_skills(...).usable()``).
        bundle: one archive file name for all skills; ``None`` gives one ``NAME.skill`` each.

    Raises:
        UsageError: a skill name that cannot be a folder name, or two skills with one name.
    """
    entries: list[BundleEntry] = []
    seen: set[str] = set()
    for skill in sorted(skills, key=lambda s: s.name):
        if not SKILL_DIR_NAME.match(skill.name):
            raise UsageError(message=f"skill name {skill.name!r} ({skill.path}) cannot be used as a folder name",
                             hint="use lowercase letters, digits and hyphens")
        if skill.name in seen:
            raise UsageError(message=f"two skills are named {skill.name!r}", hint="rename one of them")
        seen.add(skill.name)
        archive = bundle or f"{skill.name}{SKILL_SUFFIX}"
        entries.append(BundleEntry(skill.name, skill_version(skill), skill.path, archive, skill_files(skill)))
    return entries


def write(entries: Sequence[BundleEntry], dest: Path) -> PackResult:
    """Write the archives of ``entries`` and ``skills.lock`` into ``dest``.

    Every archive is written and checked under a temporary name first; only when all are
    ready are they renamed into place, then the lock last, so a pack that fails or is killed
    while writing leaves ``dest`` as it was (the renames themselves take microseconds).
    Temporary files that a killed pack left behind are removed.

    Raises:
        PackError: a file changed while it was packed, or could not be read or written.
    """
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackError(path=dest, problem=exc.strerror or str(exc)) from exc
    _remove_stale_temporaries(dest)
    groups: dict[str, list[BundleEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.archive, []).append(entry)
    staged: list[tuple[Path, PackedArchive]] = []
    try:
        for name, group in sorted(groups.items()):
            staged.append(_write_archive(dest / name, group))
        for tmp, packed in staged:
            os.replace(tmp, packed.path)
    except OSError as exc:
        raise PackError(path=dest, problem=exc.strerror or str(exc)) from exc
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    archives = [packed for _, packed in staged]
    by_archive = {packed.path.name: packed.sha256 for packed in archives}
    lock = _kept(dest, written={e.name for e in entries} | {f"archive:{name}" for name in groups}).with_skills(*(
        LockedSkill(e.name, e.version, relative_source(e.source, dest), {f.rel: f.sha256 for f in e.files},
                    e.archive, by_archive[e.archive])
        for e in entries))
    lock_path = dest / LOCK_FILE
    write_lock(lock_path, lock)
    return PackResult(tuple(archives), lock_path, lock)


def _kept(dest: Path, *, written: set[str]) -> Lock:
    """Entries of ``dest``'s ``skills.lock`` that stay: archive still there, unchanged, not rewritten now.

    Packing a ``--bundle`` next to per-skill archives must not drop them from the lock.
    """
    from loader.ship.lockfile import LockfileError, read_lock

    try:
        old = read_lock(dest / LOCK_FILE)
    except LockfileError:
        return Lock()  # unreadable: this run's lock replaces it
    kept = []
    for skill in old.skills.values():
        if skill.name in written or not skill.archive or f"archive:{skill.archive}" in written:
            continue
        path = dest / skill.archive
        if path.is_file() and not path.is_symlink() and _sha256(path) == skill.archive_sha256:
            kept.append(skill)
    return Lock().with_skills(*kept)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _remove_stale_temporaries(dest: Path, older_than_s: float = STALE_TEMP_S) -> None:
    """Delete archive temporaries (``.NAME.skill.XXXX.tmp``) left in ``dest`` by a pack that was killed."""
    now = time.time()
    for tmp in dest.glob(".*.tmp"):
        with suppress(OSError):
            if tmp.is_file() and now - tmp.stat().st_mtime > older_than_s:
                tmp.unlink()


def _write_archive(path: Path, group: Sequence[BundleEntry]) -> tuple[Path, PackedArchive]:
    """Write and check one archive under a temporary name beside ``path``; the caller renames it."""
    members = sorted((f"{entry.name}/{file.rel}", file) for entry in group for file in entry.files)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
                for arcname, file in members:
                    zf.writestr(_zipinfo(arcname, file.executable), _read_checked(file),
                               compresslevel=COMPRESS_LEVEL)
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            with zipfile.ZipFile(handle) as check:
                archive_safety.inspect_zip(path, check)
        Path(tmp).chmod(0o644)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PackError(path=path, problem=exc.strerror or str(exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, PackedArchive(path, digest, tuple(entry.name for entry in group))


def _zipinfo(arcname: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=FIXED_DATE)
    info.create_system = _UNIX
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
    return info


def _read_checked(file: BundleFile) -> bytes:
    try:
        data = read_regular_bytes(file.source)
    except OSError as exc:
        raise PackError(path=file.source, problem=exc.strerror or str(exc)) from exc
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise PackError(path=file.source, problem="the file changed while it was being packed; run pack again")
    return data
