"""The user's cache and state folders, as the XDG Base Directory spec defines them.

Guarantees: ``$XDG_CACHE_HOME`` / ``$XDG_STATE_HOME`` are used when set to an absolute path;
unset, empty or relative values are ignored (the spec says a relative path is invalid, and
one would resolve against whatever folder a command happens to run in), falling back to
``~/.cache`` and ``~/.local/state``. Stdlib only: the hook imports this on every prompt, and
takes the folders as strings (:func:`cache_folder`, :func:`state_folder`) so as not to import
``pathlib``.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

APP = "skillpack"


def _base(variable: str, *default: str) -> str:
    value = os.environ.get(variable, "")
    return value if value and os.path.isabs(value) else os.path.join(os.path.expanduser("~"), *default)


def cache_folder() -> str:
    """``$XDG_CACHE_HOME/skillpack``, else ``~/.cache/skillpack``: indexes of read-only libraries, caches."""
    return os.path.join(_base("XDG_CACHE_HOME", ".cache"), APP)


def state_folder() -> str:
    """``$XDG_STATE_HOME/skillpack``, else ``~/.local/state/skillpack``: the hook's memory and log."""
    return os.path.join(_base("XDG_STATE_HOME", ".local", "state"), APP)


def cache_dir() -> Path:
    """:func:`cache_folder` as a ``Path``."""
    from pathlib import Path

    return Path(cache_folder())


def state_dir() -> Path:
    """:func:`state_folder` as a ``Path``."""
    from pathlib import Path

    return Path(state_folder())


def prune_stale(folder: str | os.PathLike[str], suffix: str, *, keep: str | os.PathLike[str], max_age_s: float) -> None:
    """Delete the files of ``folder`` named ``*suffix`` unused for ``max_age_s`` seconds, except ``keep``.

    For caches keyed by library (one file each): a library moved or deleted leaves its file
    behind, and the next run that writes one of them clears the old ones.
    """
    import time

    cutoff = time.time() - max_age_s
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(suffix) and entry.path != os.fspath(keep) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
