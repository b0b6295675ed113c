"""Kept for the README's example (``from loader.context import to_anthropic_blocks``): see ``loader.match.context``.

New code may import these from ``loader`` or ``loader.match`` instead; this alias stays.
"""

from __future__ import annotations

from loader.match.context import Context, render_context, to_anthropic_blocks

__all__ = ["Context", "render_context", "to_anthropic_blocks"]
