"""Author stage: help people write skills; templates in, skill folders and live feedback out.

``scaffold`` plans and writes a new skill from a jinja2 template (``templates`` finds the
built-in and the user's own); ``watch`` turns file-system events into debounced batches of
changed skill folders; ``live`` keeps a validated index current from those batches, so
``skills dev`` and the MCP server re-check and re-match on every save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loader.core.exports import lazy_exports

_EXPORTS = {
    "LiveLibrary": "live",
    "LiveUpdate": "live",
    "SkillUpdate": "live",
    "ChangeKind": "changes",
    "watch": "watch",
    "create": "scaffold",
    "list_templates": "templates",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from loader.author.changes import ChangeKind as ChangeKind
    from loader.author.live import LiveLibrary as LiveLibrary
    from loader.author.live import LiveUpdate as LiveUpdate
    from loader.author.live import SkillUpdate as SkillUpdate
    from loader.author.scaffold import create as create
    from loader.author.templates import list_templates as list_templates
    from loader.author.watch import watch as watch
