"""Core: the records and helpers every stage shares; it imports no other stage.

Holds the data model (:class:`Skill`, :class:`Manifest`, :class:`Diagnostic`, :class:`Match`,
:class:`Severity`, :class:`Profile`), the one exception family (:class:`SkillpackError` and
its subclasses, for "could not run"), text normalisation for matching, bounded text-file
reading, token counting, atomic writes and the user's cache and state folders. Nothing here
prints or reads a skill library on its own.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

_EXPORTS = {
    "Diagnostic": "model",
    "Manifest": "model",
    "Match": "model",
    "Profile": "model",
    "Severity": "model",
    "Skill": "model",
    "HintedError": "errors",
    "IndexDamagedError": "errors",
    "PathNotFoundError": "errors",
    "SkillNotFoundError": "errors",
    "SkillpackError": "errors",
    "UsageError": "errors",
    "DEFAULT_COUNTER": "tokens",
    "TokenCounter": "counter",
    "count_tokens": "tokens",
    "get_counter": "tokens",
    "write_bytes": "atomic",
    "write_text": "atomic",
    "read_text": "textfile",
    "cache_dir": "userdirs",
    "state_dir": "userdirs",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.core.atomic import write_bytes as write_bytes
    from loader.core.atomic import write_text as write_text
    from loader.core.counter import TokenCounter as TokenCounter
    from loader.core.errors import HintedError as HintedError
    from loader.core.errors import IndexDamagedError as IndexDamagedError
    from loader.core.errors import PathNotFoundError as PathNotFoundError
    from loader.core.errors import SkillNotFoundError as SkillNotFoundError
    from loader.core.errors import SkillpackError as SkillpackError
    from loader.core.errors import UsageError as UsageError
    from loader.core.model import Diagnostic as Diagnostic
    from loader.core.model import Manifest as Manifest
    from loader.core.model import Match as Match
    from loader.core.model import Profile as Profile
    from loader.core.model import Severity as Severity
    from loader.core.model import Skill as Skill
    from loader.core.textfile import read_text as read_text
    from loader.core.tokens import DEFAULT_COUNTER as DEFAULT_COUNTER
    from loader.core.tokens import count_tokens as count_tokens
    from loader.core.tokens import get_counter as get_counter
    from loader.core.userdirs import cache_dir as cache_dir
    from loader.core.userdirs import state_dir as state_dir
