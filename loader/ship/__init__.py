"""Ship stage: skills in, reproducible archives out; archives in, installed skills out.

``bundle`` packs validated skills into byte-identical ``.skill`` archives (sorted entries,
fixed timestamps) and records every file's sha256 in ``skills.lock`` (``lockfile``);
``plan`` inspects sources and conflicts without writing, ``install`` stages and commits them
atomically (all or nothing), ``targets`` names the folders agents read, ``installed`` verifies them against their lock.
``archive_safety`` refuses traversal, links, devices and zip bombs; ``ignore`` reads
``.skillignore``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loader.core.exports import lazy_exports

_EXPORTS = {
    "BundleEntry": "bundle",
    "skill_version": "bundle",
    "install": "install",
    "plan_install": "install",
    "uninstall": "install",
    "Target": "targets",
    "choose_target": "targets",
    "find_target": "targets",
    "found_targets": "targets",
    "installed": "installed",
    "verify": "installed",
    "Lock": "lockfile",
    "read_lock": "lockfile",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from loader.ship.bundle import BundleEntry as BundleEntry
    from loader.ship.bundle import skill_version as skill_version
    from loader.ship.install import install as install
    from loader.ship.install import plan_install as plan_install
    from loader.ship.install import uninstall as uninstall
    from loader.ship.installed import installed as installed
    from loader.ship.installed import verify as verify
    from loader.ship.lockfile import Lock as Lock
    from loader.ship.lockfile import read_lock as read_lock
    from loader.ship.targets import Target as Target
    from loader.ship.targets import choose_target as choose_target
    from loader.ship.targets import find_target as find_target
    from loader.ship.targets import found_targets as found_targets
