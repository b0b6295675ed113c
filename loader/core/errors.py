"""Exceptions for "could not run". Problems in skill content are Diagnostics, not exceptions."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


class SkillpackError(Exception):
    """Base of every error the CLI turns into a message and exit code 2."""


class PathNotFoundError(SkillpackError, FileNotFoundError):
    """A path given by the user does not exist."""

    def __init__(self, *, path: Path, what: str = "path") -> None:
        super().__init__(path)
        self.path = path
        self.what = what

    def __str__(self) -> str:
        return f"{self.what} not found: {self.path}"


class HintedError(SkillpackError):
    """An error told as a message plus what to do about it."""

    def __init__(self, *, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class IndexDamagedError(HintedError):
    """The stored index opened but part of it cannot be read or decoded (damage past its rows)."""

    def __init__(self, *, message: str,
                 hint: str = "run `skills index` on the library: it checks the index and rebuilds a damaged one",
                 ) -> None:
        super().__init__(message=message, hint=hint)


class UsageError(HintedError, ValueError):
    """An option or argument that cannot work, with what to do instead."""


class SkillNotFoundError(SkillpackError, LookupError):
    """A skill name that is not in the library."""

    def __init__(self, *, name: str, library: Path | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.library = library

    def __str__(self) -> str:
        where = f" in {self.library}" if self.library else ""
        return f"no skill named {self.name!r}{where}"


def describe_os_error(exc: OSError, *, longest: int = 300) -> str:
    """``exc`` as one line naming the file and what the system said (a huge path shown by its ends)."""
    where = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    if len(where) > longest:
        where = f"{where[:longest // 2]}...{where[-longest // 3:]}"
    reason = exc.strerror or str(exc)
    return f"{reason}: {where}" if where else reason
