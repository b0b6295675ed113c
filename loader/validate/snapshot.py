"""Validate stage, the whole-run shortcut: an unchanged library's ``skills validate`` output, replayed.

With the per-skill cache (``loader.validate.cache``) a second run of an unchanged library still
walks it, stamps and reads every SKILL.md and rebuilds each result: about 55 ms of a 100 ms run
at 1,000 skills. When nothing the run looked at has changed and the options are the same, the
output is the same, so the run's exact output and exit code are kept with the proof that
nothing changed: the stamps of every folder the walk listed (a file or folder added, removed or
renamed in one changes its mtime) and of every file of every skill folder. A stamp is size,
inode, mtime and ctime: the ctime moves on every write, chmod or rename, even when the mtime is
put back, and no user can set it. Checking is one ``stat`` per folder and file (about 5 ms).

A run whose files or folders changed less than ``RACY_NS`` before it started stores nothing
(their stamps could still change within the clock's resolution), nor does a walk cut short
(``tree-too-large``) or a plugin root (its manifest files lie outside the skill folders). The
file is keyed by everything else the output depends on (roots as given and resolved, working
directory, options, the rules' and renderer's code, skillpack's version), kept in the user
cache folder, sealed with a checksum, and anything unexpected in it is a miss.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from loader.core.digest import hex_key, sha256
from loader.core.model import Profile
from loader.core.userdirs import cache_dir
from loader.validate.cache import RACY_NS, cache_context, seal, unseal
from loader.validate.layout import SKILL_FILE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from loader.validate.load import LoadResult

MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
"""A larger snapshot is not read (the output and stamps of a library at the walk's limits stay well below)."""


def run_key(roots: Sequence[Path], *, explicit: bool, profile: Profile, strict: bool, output: str,
            show_info: bool) -> str:
    """Everything a validate run's output depends on besides the files: one string."""
    renderer = Path(__file__).resolve().parents[1] / "cli" / "render_diagnostics.py"
    try:
        rendering = sha256(renderer.read_bytes()).hexdigest()
    except OSError:
        rendering = "unreadable"
    given = [str(root) for root in roots]
    resolved = [str(Path(root).resolve()) for root in roots]
    return (f"{cache_context(profile, strict)}; renderer {rendering}; roots {given!r} -> {resolved!r}; "
            f"explicit {explicit}; cwd {str(Path.cwd())!r}; output {output}; info {show_info}")


def snapshot_path(key: str) -> Path:
    """Where the snapshot of the run keyed ``key`` is kept (beside the per-skill caches, pruned with them)."""
    return cache_dir() / "validation" / f"{hex_key(key, 24)}.run.json"


def replay(key: str) -> tuple[str, int] | None:
    """The stored output and exit code of the run keyed ``key``, when nothing it looked at has changed."""
    data = unseal(snapshot_path(key), key, MAX_SNAPSHOT_BYTES)
    if not isinstance(data, dict):
        return None
    output, code, stamps = data.get("output"), data.get("code"), data.get("stamps")
    if not isinstance(output, str) or not isinstance(code, int) or not isinstance(stamps, dict) or not stamps:
        return None
    for path, stamp in stamps.items():
        if _stamp(path) != stamp:
            return None
    with suppress(OSError):  # its mtime says when it was last used (files unused for 30 days are pruned)
        os.utime(snapshot_path(key))
    return output, code


def record(key: str, roots: Sequence[Path], result: LoadResult, output: str, code: int, started_ns: int) -> None:
    """Keep ``output`` and ``code`` for the run keyed ``key`` that started at ``started_ns`` (``time.time_ns()``).

    Nothing is kept when that would not be safe (see the module's docstring).
    """
    found = result.discovery
    if found is None or any(d.rule == "tree-too-large" for d in found.diagnostics) \
            or any((Path(root) / ".claude-plugin").exists() for root in roots):
        return
    paths = list(found.listed)
    for skill_dir in found.skill_dirs:
        folder = f"{skill_dir.path}{os.sep}"
        paths.append(folder + SKILL_FILE)
        paths.extend(folder + rel for rel in skill_dir.files)
    stamps: dict[str, Any] = {}
    for path in paths:
        stamp = _stamp(path)
        if stamp is None or stamp[3] >= started_ns - RACY_NS:  # changed just before or during the run
            return
        stamps[path] = stamp
    try:
        from loader.core.atomic import write_bytes

        write_bytes(snapshot_path(key), seal(key, {"output": output, "code": code, "stamps": stamps}), durable=False)
    except OSError:
        pass  # a read-only or full cache folder costs speed, not correctness


def _stamp(path: str) -> list[int] | None:
    """``[size, inode, mtime_ns, ctime_ns]`` of ``path`` (its target, for a symlink); ``None`` when it is gone."""
    try:
        st = os.stat(path)  # noqa: PTH116 - strings: once per folder and file of the library
    except OSError:
        return None
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
