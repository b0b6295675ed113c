"""Validate stage, the base of its small records: slotted, compared, hashed and shown by their fields.

Not ``@dataclass``: importing ``dataclasses`` pulls in ``inspect``, ``ast``, ``dis`` and
``tokenize`` (~8 ms in a new process) and each class compiles its methods at import (~0.3 ms
each), while a cached ``skills validate`` of 1,000 skills takes ~0.1 s in all. Records keep
their constructor keywords and attribute names; nothing assigns to them after construction.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """A record whose fields are its ``_fields`` (also its ``__slots__``), in constructor order."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"
