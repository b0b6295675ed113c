"""Install stage, planning: inspect every source and find every conflict before anything is written.

Guarantees: archives are checked entry by entry (``archive_safety``), hashes are read from a
``skills.lock`` beside an archive when it lists it, folder sources are validated, and a skill
that is already installed is refused unless upgrading, so a refused install writes nothing.
``loader.ship.install`` carries the plan out.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loader.core.errors import HintedError
from loader.core.model import Diagnostic
from loader.core.regular import open_regular
from loader.ship import bundle
from loader.ship.archive_safety import SafeEntry, UnsafeArchiveError, inspect_zip
from loader.ship.lockfile import LOCK_FILE, SKILL_DIR_NAME, Lock, read_lock
from loader.ship.targets import Target
from loader.validate.load import load_skills


class InstallError(HintedError, RuntimeError):
    """An install that was refused or failed; the target is as it was."""


@dataclass(frozen=True, slots=True)
class Payload:
    """One skill to install: where its bytes come from and what they must hash to."""

    name: str
    source: Path
    """The archive or skill folder it comes from."""
    archive_sha256: str | None
    """sha256 of the source archive; ``None`` for a folder."""
    expected: dict[str, str] | None
    """rel path -> sha256 from a ``skills.lock`` beside the archive (or the folder's own files)."""
    members: tuple[SafeEntry, ...] = ()
    """For an archive: its entries under ``NAME/``."""
    files: tuple[bundle.BundleFile, ...] = ()
    """For a folder: the files that are shipped."""


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """Everything checked, nothing written yet."""

    target: Target
    payloads: tuple[Payload, ...]
    diagnostics: tuple[Diagnostic, ...]
    """Validation problems of folder sources (errors refuse the install unless forced)."""


def plan_install(sources: Sequence[Path], target: Target, *, upgrade: bool = False) -> InstallPlan:
    """Inspect every source and check for conflicts, writing nothing.

    Raises:
        UnsafeArchiveError: an archive that must not be extracted.
        InstallError: a bad source, a duplicate name, or a skill already installed without ``upgrade``.
    """
    payloads: list[Payload] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        if source.is_file():
            payloads += _archive_payloads(source)
        elif source.is_dir():
            found, diags = _folder_payloads(source)
            payloads += found
            diagnostics += diags
        else:
            raise InstallError(message=f"source not found: {source}", hint="give a .skill file or a skill folder")
    names = [p.name for p in payloads]
    for name in sorted({n for n in names if names.count(n) > 1}):
        raise InstallError(message=f"two sources hold a skill named {name!r}", hint="install them one at a time")
    if not payloads:
        raise InstallError(message="no skills found in " + ", ".join(map(str, sources)))
    check_conflicts(target, payloads, read_lock(target.lock_path), upgrade=upgrade)
    return InstallPlan(target, tuple(payloads), tuple(diagnostics))


def _archive_payloads(archive: Path) -> list[Payload]:
    try:
        with open_regular(archive) as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            handle.seek(0)
            with zipfile.ZipFile(handle) as zf:
                entries = inspect_zip(archive, zf)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InstallError(message=f"cannot read archive {archive}: {exc}",
                           hint="give a .skill file made by `skills pack` (a zip)") from exc
    by_skill: dict[str, list[SafeEntry]] = {}
    for entry in entries:
        top, _, rest = entry.name.partition("/")
        if top == "__MACOSX" or (entry.is_dir and not rest):
            continue  # macOS Finder's resource forks, and bare folder entries: nothing to install
        if not rest:
            hint = "; the archive must hold the skill folder (NAME/SKILL.md)" if top == "SKILL.md" else ""
            raise UnsafeArchiveError(archive=archive, entry=entry.name, reason="file outside a skill folder" + hint)
        if not SKILL_DIR_NAME.match(top):
            raise UnsafeArchiveError(archive=archive, entry=entry.name, reason=f"{top!r} is not a valid skill name")
        by_skill.setdefault(top, []).append(entry)
    expected = _lock_beside(archive, digest)
    payloads = []
    for name, members in sorted(by_skill.items()):
        if not any(m.name == f"{name}/SKILL.md" and not m.is_dir for m in members):
            raise UnsafeArchiveError(archive=archive, entry=f"{name}/", reason="skill folder without SKILL.md")
        payloads.append(Payload(name, archive, digest, expected.get(name), tuple(members)))
    return payloads


def _lock_beside(archive: Path, digest: str) -> dict[str, dict[str, str]]:
    """File hashes promised by a ``skills.lock`` next to the archive, when it lists this archive."""
    lock = read_lock(archive.parent / LOCK_FILE)
    listed = {name: s for name, s in lock.skills.items() if s.archive == archive.name}
    for name, skill in listed.items():
        if skill.archive_sha256 != digest:
            raise InstallError(message=f"{archive} does not match {archive.parent / LOCK_FILE} (skill {name!r}: "
                                       f"sha256 {digest[:12]}…, lockfile says {str(skill.archive_sha256)[:12]}…)",
                               hint="the archive was changed or replaced after it was packed; pack it again")
    return {name: dict(s.files) for name, s in listed.items()}


def _folder_payloads(folder: Path) -> tuple[list[Payload], list[Diagnostic]]:
    result = load_skills([folder])
    payloads = []
    for skill in (loaded.skill for loaded in result.skills):
        entry = bundle.plan([skill])[0]
        payloads.append(Payload(entry.name, skill.path, None, {f.rel: f.sha256 for f in entry.files},
                                files=entry.files))
    return payloads, list(result.diagnostics)


def check_conflicts(target: Target, payloads: Sequence[Payload], lock: Lock, *, upgrade: bool) -> None:
    for payload in payloads:
        final = target.skills_dir / payload.name
        if final.is_symlink() or (final.exists() and not final.is_dir()):
            raise InstallError(message=f"{final} exists and is not a folder; not touching it")
        if final.exists() and not upgrade:
            tracked = "" if payload.name in lock.skills else " (not installed by skillpack)"
            raise InstallError(message=f"skill {payload.name!r} is already installed in {target.skills_dir}{tracked}",
                               hint="pass --upgrade to replace it")
