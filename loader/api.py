"""Kept for the README's example (``from loader.api import SkillLibrary``): the class lives in ``loader.match.library``.

New code may import it from ``loader`` or ``loader.match`` instead; this alias stays.
"""

from __future__ import annotations

from loader.match.library import SkillLibrary

__all__ = ["SkillLibrary"]
