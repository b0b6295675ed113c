"""Install and uninstall shipped skills in a Claude Code project, user or plugin folder.

Guarantees: every source is inspected and every conflict found before anything is written
(``loader.ship.plan``), so a refused install writes nothing. Skills are extracted into a staging
folder beside the target, their hashes checked, then renamed into place; an existing skill is
swapped out only with ``upgrade`` and restored if anything fails. A process killed at any
point leaves each skill either fully old or fully new: the next run rolls back leftovers.
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

from loader.core.errors import SkillNotFoundError
from loader.core.regular import open_regular
from loader.ship import bundle
from loader.ship.archive_safety import SafeEntry, inspect_zip, read_member
from loader.ship.installed import STAGING_DIR, locked_staging, recover, rmdir_if_empty
from loader.ship.lockfile import Lock, LockedSkill, read_lock, relative_source, write_lock
from loader.ship.plan import InstallError, InstallPlan, Payload, check_conflicts, plan_install
from loader.ship.plugin import restore, update_manifest
from loader.ship.targets import Target
from loader.validate.load import blocking_errors, errors_only, load_skills

__all__ = ["InstallError", "InstallPlan", "Payload", "install", "plan_install", "uninstall"]

PAUSE_AFTER_EXTRACT = "SKILLPACK_TEST_PAUSE_AFTER_EXTRACT"
"""Test hook: when set to a path, install creates that file once everything is staged, then waits
(up to a minute) until the file is removed, so a test can kill it at a known point."""
PAUSE_AFTER_ASIDE = "SKILLPACK_TEST_PAUSE_AFTER_ASIDE"
"""Test hook: the same, at the moment an old skill has been moved aside and the new one is not in yet."""


def install(plan: InstallPlan, *, upgrade: bool = False, force: bool = False,
            on_skip: Callable[[Path, str], None] | None = None) -> list[LockedSkill]:
    """Stage, verify and swap in every skill of ``plan``; all or nothing, then update the lockfile.

    Every skill is staged and validated before the first one is refused, so one run names them
    all. With ``force``, skills with errors are installed, except those that cannot work at all
    (no usable SKILL.md, a blocking error): those are skipped and passed to ``on_skip(source, why)``.

    Raises:
        InstallError: staging, verification or renaming failed, or skills do not validate (each
            is named); everything was rolled back.
    """
    target = plan.target
    created = _make_dirs(target)
    try:
        with locked_staging(target) as staging:
            try:
                lock = read_lock(target.lock_path)
                check_conflicts(target, plan.payloads, lock, upgrade=upgrade)
                with ExitStack() as stack:
                    opened = _Archives(stack)
                    checked = [_stage(p, staging, target, opened, force=force) for p in plan.payloads]
                _refuse_or_skip(plan.payloads, checked, force=force, on_skip=on_skip)
                staged = [(dest, record) for dest, record, problem in checked if problem is None]
                _pause(PAUSE_AFTER_EXTRACT)
                _commit(staged, staging, target, lock)
            except BaseException:
                recover(target)
                raise
            recover(target)
    except BaseException:
        for folder in reversed(created):
            rmdir_if_empty(folder)
        raise
    return [record for _, record in staged]


def _refuse_or_skip(payloads: Sequence[Payload], checked: Sequence[tuple[Path, LockedSkill, str | None]], *,
                    force: bool, on_skip: Callable[[Path, str], None] | None) -> None:
    problems = [(payload.source, problem) for payload, (_, _, problem) in zip(payloads, checked, strict=True)
                if problem is not None]
    if problems and not force:
        listed = "\n".join(f"  {source}: {problem}" for source, problem in problems)
        raise InstallError(message=f"{len(problems)} of {len(payloads)} skills do not validate:\n{listed}",
                           hint="fix the skills and pack them again, or pass --force to skip those that "
                                "cannot work and install the rest")
    for source, problem in problems:
        if on_skip is not None:
            on_skip(source, problem)


def _make_dirs(target: Target) -> list[Path]:
    created = [p for p in reversed([target.skills_dir, *target.skills_dir.parents]) if not p.exists()]
    try:
        (target.skills_dir / STAGING_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InstallError(message=f"cannot create {target.skills_dir}: {exc.strerror or exc}") from exc
    return [*created, target.skills_dir / STAGING_DIR]


def _stage(payload: Payload, staging: Path, target: Target, opened: _Archives, *,
           force: bool) -> tuple[Path, LockedSkill, str | None]:
    """Extract and hash-check ``payload``; the third item says why it must not be installed (else ``None``)."""
    holder = staging / f"new.{payload.name}.{os.urandom(4).hex()}"
    dest = holder / payload.name
    dest.mkdir(parents=True)
    if payload.members:
        written = _extract(payload, dest, opened)
    else:
        written = {f.rel: _write_file(dest / f.rel, _chunks(f.source), f.executable) for f in payload.files}
    _check_hashes(payload, dest, written)
    result = load_skills([holder])
    errors = blocking_errors(result.diagnostics) if force else errors_only(result.diagnostics)
    problem = None
    if errors or not result.skills:
        shown = "; ".join(f"{Path(d.path).relative_to(holder).as_posix()}: {d.rule}: {d.message}" for d in errors[:3])
        problem = f"skill {payload.name!r} does not validate: {shown or 'no usable SKILL.md'}"
    version = bundle.skill_version(result.skills[0].skill) if result.skills else None
    archive = payload.source.name if payload.archive_sha256 else None
    record = LockedSkill(payload.name, version, relative_source(payload.source, target.skills_dir),
                         written, archive, payload.archive_sha256)
    return dest, record, problem


class _Archives:
    """Archives opened once per install, re-hashed and re-inspected (they may have been swapped since the plan)."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._open: dict[Path, tuple[zipfile.ZipFile, dict[str, SafeEntry]]] = {}

    def get(self, payload: Payload) -> tuple[zipfile.ZipFile, dict[str, SafeEntry]]:
        if payload.source not in self._open:
            handle = self._stack.enter_context(open_regular(payload.source))
            if hashlib.file_digest(handle, "sha256").hexdigest() != payload.archive_sha256:
                raise InstallError(message=f"{payload.source} changed while it was being installed")
            handle.seek(0)
            zf = self._stack.enter_context(zipfile.ZipFile(handle))
            self._open[payload.source] = (zf, {e.name: e for e in inspect_zip(payload.source, zf)})
        return self._open[payload.source]


def _extract(payload: Payload, dest: Path, opened: _Archives) -> dict[str, str]:
    written: dict[str, str] = {}
    zf, by_name = opened.get(payload)
    for member in payload.members:
        entry = by_name.get(member.name)
        if entry is None:
            raise InstallError(message=f"{payload.source} changed while it was being installed")
        rel = entry.name.partition("/")[2]
        if entry.is_dir:
            (dest / rel).mkdir(parents=True, exist_ok=True)
        else:
            written[rel] = _write_file(dest / rel, read_member(payload.source, zf, entry), entry.executable)
    return written


def _chunks(path: Path) -> Iterator[bytes]:
    with open_regular(path) as handle:
        while chunk := handle.read(1 << 16):
            yield chunk


def _write_file(path: Path, chunks: Iterator[bytes], executable: bool) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o755 if executable else 0o644)
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    path.chmod(0o755 if executable else 0o644)  # the umask must not change what was shipped
    return digest.hexdigest()


def _check_hashes(payload: Payload, dest: Path, written: dict[str, str]) -> None:
    from loader.ship.lockfile import compare, tree_hashes

    promised = LockedSkill(payload.name, None, "", payload.expected if payload.expected is not None else written)
    diffs = compare(promised, tree_hashes(dest)) + compare(promised, written)
    if diffs:
        first = diffs[0]
        raise InstallError(message=f"{payload.source}: {payload.name}/{first.path} is {first.kind} after extraction "
                                   "(hash check failed); nothing was installed",
                           hint="the archive does not match its lockfile, or the disk is failing")


def _commit(staged: Sequence[tuple[Path, LockedSkill]], staging: Path, target: Target, lock: Lock) -> None:
    moved: list[tuple[Path, Path | None]] = []
    manifest: tuple[Path, bytes | None] | None = None
    try:
        for dest, record in staged:
            final = target.skills_dir / record.name
            aside = staging / f"old.{record.name}.{os.urandom(4).hex()}" if os.path.lexists(final) else None
            if aside is not None:
                final.rename(aside)
            moved.append((final, aside))
            if aside is not None:
                _pause(PAUSE_AFTER_ASIDE)
            dest.rename(final)
        new_lock = lock.with_skills(*(record for _, record in staged))
        if target.plugin_root is not None:  # its version follows the skills, so Claude Code refreshes its cache
            path, previous, _ = update_manifest(target.plugin_root, new_lock)
            manifest = (path, previous)
        write_lock(target.lock_path, new_lock)
    except BaseException as exc:
        _roll_back(moved, staging)
        if manifest is not None:
            restore(*manifest)
        if isinstance(exc, OSError):
            raise InstallError(message=f"install failed and was rolled back: {exc}") from exc
        raise


def _roll_back(moved: Sequence[tuple[Path, Path | None]], staging: Path) -> None:
    """Undo ``_commit``: whatever is at ``final`` now is new (or absent); put the old one back."""
    for final, aside in reversed(moved):
        if os.path.lexists(final):
            final.rename(staging / f"new.{final.name}.{os.urandom(4).hex()}")
        if aside is not None:
            aside.rename(final)


def _pause(variable: str) -> None:
    marker = os.environ.get(variable)
    if not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 60
    while Path(marker).exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def uninstall(target: Target, name: str) -> LockedSkill:
    """Remove the skill ``name`` that skillpack installed, and its lockfile entry.

    The folder is first renamed into the staging folder (one atomic step), so a killed run
    leaves it either installed or gone, never half-deleted.

    Raises:
        SkillNotFoundError: ``name`` is not in the target's lockfile.
    """
    lock = read_lock(target.lock_path)
    record = lock.skills.get(name)
    if record is None:
        raise SkillNotFoundError(name=name, library=target.lock_path)
    with locked_staging(target) as staging:
        final = target.skills_dir / name
        aside = staging / f"old.{name}.{os.urandom(4).hex()}"
        if os.path.lexists(final):
            final.rename(aside)
        try:
            remaining = read_lock(target.lock_path).without(name)
            if target.plugin_root is not None:
                update_manifest(target.plugin_root, remaining)
            write_lock(target.lock_path, remaining)
        except BaseException:
            if os.path.lexists(aside):
                aside.rename(final)
            raise
        if os.path.lexists(aside):  # "del." leftovers are deleted by recovery, never restored
            aside.rename(staging / f"del.{name}.{os.urandom(4).hex()}")
        recover(target)
    return record
