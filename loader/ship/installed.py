"""Installed skills: a target's staging area and recovery, and read-only checks.

A ``Target`` (``loader.ship.targets``) is a skills folder: ``.claude/skills``, ``.agents/skills``
(in a project or HOME), ``PLUGIN/skills`` or any folder given. Its ``skills.lock`` says
what was installed; ``verify`` reports every missing, extra or modified file and ``installed``
lists skills; both only read. Writers hold ``locked_staging``, which first rolls back whatever
a killed run left behind (``recover``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from loader.core.errors import HintedError, PathNotFoundError
from loader.core.locks import lock_within
from loader.ship.ignore import IgnoreRules
from loader.ship.lockfile import SKILL_DIR_NAME, Difference, compare, read_lock, tree_hashes
from loader.ship.targets import Target

STAGING_DIR = ".skillpack-staging"
"""Beside the installed skills; staged skills sit two levels below it so Claude Code never loads one."""


@dataclass(frozen=True, slots=True)
class InstalledSkill:
    """One skill folder in a target: tracked by the lockfile or not."""

    name: str
    version: str | None
    source: str
    files: int
    tracked: bool
    """False for a skill folder the lockfile does not know (installed by hand)."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of comparing a target with its lockfile."""

    target: Target
    differences: tuple[Difference, ...]
    untracked: tuple[str, ...]
    """Skill folders not in the lockfile: reported, but not a failure."""
    checked: int

    @property
    def ok(self) -> bool:
        """True when every locked skill is exactly as installed."""
        return not self.differences


def skill_dirs(target: Target) -> list[str]:
    """Names of folders in the target that hold a SKILL.md (staging excluded), sorted."""
    if not target.skills_dir.is_dir():
        return []
    return sorted(p.name for p in target.skills_dir.iterdir()
                  if p.name != STAGING_DIR and p.is_dir() and (p / "SKILL.md").is_file())


def verify(target: Target) -> VerifyReport:
    """Compare every locked skill's installed files with their recorded sha256.

    Files that ``skills pack`` never ships (``__pycache__``, ``*.pyc``, ``.DS_Store``, swap files)
    are not reported as extra: running a skill's scripts may create them.

    Raises:
        PathNotFoundError: the target has no lockfile.
        LockfileError: the lockfile cannot be trusted.
    """
    if not target.lock_path.is_file():
        raise PathNotFoundError(path=target.lock_path, what="lockfile (nothing installed by skillpack here)")
    lock = read_lock(target.lock_path, missing_ok=False)
    litter = IgnoreRules.from_lines([])
    differences: list[Difference] = []
    for name, locked in lock.skills.items():
        folder = target.skills_dir / name
        if folder.is_symlink() or not folder.is_dir():
            differences.append(Difference(name, "", "missing-skill"))
            continue
        differences += compare(locked, tree_hashes(folder), ignored=litter.ignored)
    untracked = tuple(n for n in skill_dirs(target) if n not in lock.skills)
    return VerifyReport(target, tuple(differences), untracked, len(lock.skills))


def installed(target: Target) -> list[InstalledSkill]:
    """Skills in ``target``: those in its lockfile, then untracked skill folders, by name."""
    lock = read_lock(target.lock_path)
    rows = [InstalledSkill(n, s.version, s.source, len(s.files), True) for n, s in lock.skills.items()]
    rows += [InstalledSkill(n, None, "", 0, False) for n in skill_dirs(target)
             if n not in lock.skills and SKILL_DIR_NAME.match(n)]
    return sorted(rows, key=lambda r: r.name)



class InstallBusyError(HintedError):
    """Another install into the same target held it longer than this one may wait."""


LOCK_WAIT_S = 60.0
"""How long an install waits for another install into the same target."""


@contextmanager
def locked_staging(target: Target, *, wait_s: float = LOCK_WAIT_S) -> Iterator[Path]:
    """Hold an exclusive lock on the target and roll back leftovers of killed runs; yield its staging folder.

    The lock is advisory (``flock``) on the target's skills folder, which writers never remove
    (the staging folder inside it comes and goes), and is released by the kernel when a process
    dies, so a killed install never blocks the next one. Another install in the same target is
    waited for, up to ``wait_s``. Without ``fcntl`` (Windows) there is no lock.

    Raises:
        InstallBusyError: another install held the target longer than ``wait_s``.
    """
    fd = os.open(target.skills_dir, os.O_RDONLY)
    try:
        _lock(fd, target.skills_dir, wait_s)
        staging = target.skills_dir / STAGING_DIR
        staging.mkdir(exist_ok=True)
        try:
            recover(target)
            yield staging
        finally:
            rmdir_if_empty(staging)
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, folder: Path, wait_s: float) -> None:
    if not lock_within(fd, wait_s, poll_s=0.02):
        raise InstallBusyError(message=f"another install into {folder} has been running for over {wait_s:g} s",
                               hint="wait for it to finish, then run this again")


def recover(target: Target) -> None:
    """Roll back what a killed run left in the staging folder: restore moved-aside skills, drop the rest.

    Leftovers are named ``ROLE.NAME.RANDOM``: ``old`` is a skill moved aside during a swap (put
    back when nothing took its place), ``new`` a staged skill, ``del`` an uninstalled one.
    """
    staging = target.skills_dir / STAGING_DIR
    for leftover in sorted(staging.iterdir()):
        role, _, rest = leftover.name.partition(".")
        name = rest.rpartition(".")[0]
        final = target.skills_dir / name
        if role == "old" and SKILL_DIR_NAME.match(name) and not os.path.lexists(final):
            leftover.rename(final)
        elif leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()


def rmdir_if_empty(folder: Path) -> None:
    """Remove ``folder`` when it is empty; anything else is left alone."""
    try:
        folder.rmdir()
    except OSError:
        pass
