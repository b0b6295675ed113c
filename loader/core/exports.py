"""Core, lazy re-exports: a package names its public API without importing it up front.

Each stage's ``__init__`` lists the names other stages and users may import from it. Importing
them eagerly would make ``import loader.index`` pull in everything the stage touches (the
hook must not pay for jsonschema or the MCP SDK it never uses), so a package hands its
table to :func:`lazy_exports` and each name is imported on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``package.<module>`` when a name is first used.

    Args:
        package: the package's ``__name__``.
        exports: public name -> module (relative to ``package``) that defines it.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - the PEP 562 hook
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
