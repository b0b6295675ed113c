"""skillpack: validate, index, match and ship Agent Skills (import package ``loader``).

Public names are imported lazily (PEP 562) so that fast paths such as the Claude Code
hook do not pay for jsonschema and friends unless they use them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Diagnostic": "loader.model",
    "Manifest": "loader.model",
    "Match": "loader.model",
    "Profile": "loader.model",
    "Severity": "loader.model",
    "Skill": "loader.model",
    "LoadResult": "loader.library",
    "LoadedSkill": "loader.library",
    "load_skills": "loader.library",
    "parse_manifest": "loader.manifest",
    "SkillLibrary": "loader.api",
    "Context": "loader.context",
    "to_anthropic_blocks": "loader.context",
    "MatchResult": "loader.match",
    "LiveLibrary": "loader.live",
    "watch": "loader.watch",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # names for type checkers; at run time __getattr__ imports them on first use
    from loader.api import SkillLibrary  # noqa: F401
    from loader.context import Context, to_anthropic_blocks  # noqa: F401
    from loader.library import LoadedSkill, LoadResult, load_skills  # noqa: F401
    from loader.live import LiveLibrary  # noqa: F401
    from loader.manifest import parse_manifest  # noqa: F401
    from loader.match import MatchResult  # noqa: F401
    from loader.model import Diagnostic, Manifest, Match, Profile, Severity, Skill  # noqa: F401
    from loader.watch import watch  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'loader' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
