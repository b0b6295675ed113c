"""Core, plain records: value objects with equality, hashing, repr and ``replace`` by field, at no import cost.

Why not ``@dataclass``: it builds each class at import time by generating and compiling its
methods (``slots=True`` then builds the class a second time), about 0.9 ms per class here, and
importing ``dataclasses`` brings ``inspect``, ``ast`` and ``tokenize`` (8 ms). The hook is a
fresh process on every prompt and imports some twenty records, which cost it more than all of
its own work. So the records on the hook's path are plain classes: ``__slots__`` names the
fields in constructor order, ``__init__`` is written out, and :class:`Record` derives the rest
from ``__slots__``. Fields are read-only by convention, declared ``Final`` so that mypy refuses
an assignment; nothing enforces it at run time (which made frozen dataclasses slow to build).
"""

from __future__ import annotations

TYPE_CHECKING = False
"""``typing`` costs the hook 2 ms to import; mypy reads these imports, Python skips them."""
if TYPE_CHECKING:
    from typing import Any, Self


class Record:
    """Base of a slotted record: equal when of the same class with equal fields, in ``__slots__`` order."""

    __slots__: tuple[str, ...] = ()

    def fields(self) -> tuple[object, ...]:
        """The field values, in ``__slots__`` order."""
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self is other or self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash(self.fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (an unknown field name is a ``TypeError``, as in ``__init__``)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return type(self)(**values)
