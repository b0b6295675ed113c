"""Match stage: an index and a prompt in, the few skills that prompt needs out.

:func:`match` ranks every invocable skill by field-weighted BM25 (``rank``; typo tolerance in
``spelling``), turns the best score into a confidence that says "no skill" when nothing is
relevant, and keeps what fits ``top_k`` and a token budget: a :class:`MatchResult`, whose
``suggested`` holds the next candidates as one-line suggestions (:class:`Suggestion`, ``tiers``).
``context`` renders a byte-stable prefix (depends only on the library) and a volatile tail
(this prompt's bodies) as a :class:`Context`; ``evaluate`` scores query sets; ``library``
holds :class:`SkillLibrary`, the Python API for agent builders.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

_EXPORTS = {
    "DEFAULT_PARAMS": "rank",
    "MatchResult": "rank",
    "Params": "rank",
    "match": "rank",
    "Context": "context",
    "render_context": "context",
    "to_anthropic_blocks": "context",
    "evaluate": "evaluate",
    "read_queries": "evaluate",
    "SkillLibrary": "library",
    "Suggestion": "tiers",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.match.context import Context as Context
    from loader.match.context import render_context as render_context
    from loader.match.context import to_anthropic_blocks as to_anthropic_blocks
    from loader.match.evaluate import evaluate as evaluate
    from loader.match.evaluate import read_queries as read_queries
    from loader.match.library import SkillLibrary as SkillLibrary
    from loader.match.rank import DEFAULT_PARAMS as DEFAULT_PARAMS
    from loader.match.rank import MatchResult as MatchResult
    from loader.match.rank import Params as Params
    from loader.match.rank import match as match
    from loader.match.tiers import Suggestion as Suggestion
