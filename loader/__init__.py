"""skillpack: validate, index, match and ship Agent Skills (import package ``loader``).

Public names are imported lazily (PEP 562) so that fast paths such as the Claude Code
hook do not pay for jsonschema and friends unless they use them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Diagnostic": "loader.core.model",
    "Manifest": "loader.core.model",
    "Match": "loader.core.model",
    "Profile": "loader.core.model",
    "Severity": "loader.core.model",
    "Skill": "loader.core.model",
    "LoadResult": "loader.validate.load",
    "LoadedSkill": "loader.validate.load",
    "load_skills": "loader.validate.load",
    "parse_manifest": "loader.validate.manifest",
    "SkillLibrary": "loader.match.library",
    "Context": "loader.match.context",
    "to_anthropic_blocks": "loader.match.context",
    "MatchResult": "loader.match.rank",
    "LiveLibrary": "loader.author.live",
    "watch": "loader.author.watch",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # names for type checkers; at run time __getattr__ imports them on first use
    from loader.match.library import SkillLibrary  # noqa: F401
    from loader.match.context import Context, to_anthropic_blocks  # noqa: F401
    from loader.validate.load import LoadedSkill, LoadResult, load_skills  # noqa: F401
    from loader.author.live import LiveLibrary  # noqa: F401
    from loader.validate.manifest import parse_manifest  # noqa: F401
    from loader.match.rank import MatchResult  # noqa: F401
    from loader.core.model import Diagnostic, Manifest, Match, Profile, Severity, Skill  # noqa: F401
    from loader.author.watch import watch  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'loader' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
