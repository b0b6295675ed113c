"""The user's cache and state folders, as the XDG Base Directory spec defines them.

Guarantees: ``$XDG_CACHE_HOME`` / ``$XDG_STATE_HOME`` are used when set to an absolute path;
unset, empty or relative values are ignored (the spec says a relative path is invalid, and
one would resolve against whatever folder a command happens to run in), falling back to
``~/.cache`` and ``~/.local/state``. Stdlib only: the hook imports this on every prompt.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "skillpack"


def _base(variable: str, *default: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home().joinpath(*default)


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/skillpack``, else ``~/.cache/skillpack``: indexes of read-only libraries."""
    return _base("XDG_CACHE_HOME", ".cache") / APP


def state_dir() -> Path:
    """``$XDG_STATE_HOME/skillpack``, else ``~/.local/state/skillpack``: the hook's memory and log."""
    return _base("XDG_STATE_HOME", ".local", "state") / APP


def prune_stale(folder: Path, suffix: str, *, keep: Path, max_age_s: float) -> None:
    """Delete the files of ``folder`` named ``*suffix`` unused for ``max_age_s`` seconds, except ``keep``.

    For caches keyed by library (one file each): a library moved or deleted leaves its file
    behind, and the next run that writes one of them clears the old ones.
    """
    import time

    cutoff = time.time() - max_age_s
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(suffix) and entry.path != str(keep) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
