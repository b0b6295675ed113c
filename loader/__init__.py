"""skillpack: validate, index, match and ship Agent Skills (import package ``loader``).

Public names are imported lazily (PEP 562) so that fast paths such as the Claude Code
hook do not pay for jsonschema and friends unless they use them.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Diagnostic": "core.model",
    "Manifest": "core.model",
    "Match": "core.model",
    "Profile": "core.model",
    "Severity": "core.model",
    "Skill": "core.model",
    "LoadResult": "validate.load",
    "LoadedSkill": "validate.load",
    "load_skills": "validate.load",
    "parse_manifest": "validate.manifest",
    "SkillLibrary": "match.library",
    "Context": "match.context",
    "to_anthropic_blocks": "match.context",
    "MatchResult": "match.rank",
    "LiveLibrary": "author.live",
    "watch": "author.watch",
}

__all__ = sorted([*_EXPORTS, "__version__"])
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:  # names for type checkers; at run time __getattr__ imports them on first use
    from loader.author.live import LiveLibrary  # noqa: F401
    from loader.author.watch import watch  # noqa: F401
    from loader.core.model import Diagnostic, Manifest, Match, Profile, Severity, Skill  # noqa: F401
    from loader.match.context import Context, to_anthropic_blocks  # noqa: F401
    from loader.match.library import SkillLibrary  # noqa: F401
    from loader.match.rank import MatchResult  # noqa: F401
    from loader.validate.load import LoadedSkill, LoadResult, load_skills  # noqa: F401
    from loader.validate.manifest import parse_manifest  # noqa: F401
