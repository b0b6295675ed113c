"""Python API for agent builders: open a skill library once, then match and render per prompt.

Guarantees: opening refreshes the on-disk index incrementally (unchanged skills are not
parsed again); ``match`` and ``context`` never touch the network and never print.

Example::

    from loader.match.library import SkillLibrary
    from loader.match.context import to_anthropic_blocks

    library = SkillLibrary.open(["skills"])
    ctx = library.context("turn this PDF into text")
    system = to_anthropic_blocks(ctx)   # prefix block carries cache_control
    tools = [library.tool_definition()] # lets the model load a suggested skill
    # on a tool_use block named "load_skill": library.call_tool(block["input"]) -> tool_result text
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from loader.core.errors import SkillNotFoundError, UsageError
from loader.core.model import Diagnostic
from loader.core.wrapper import skill_block
from loader.index import Index, IndexEntry, build_index, open_index
from loader.match.calibration import calibrated_threshold
from loader.match.context import DEFAULT_LISTING, Context, Listing, render_context
from loader.match.rank import MatchResult, match

TOOL_NAME = "load_skill"
TOOL_DESCRIPTION = (
    "Load the full instructions of an Agent Skill by name. Use it when a skill listed as available or "
    "suggested as possibly relevant applies to the current task, before doing the task; do not load "
    "skills that do not apply. Returns the skill's SKILL.md body; its folder holds the files it mentions."
)


class SkillLibrary:
    """A library of skills with its index, ready to answer prompts."""

    def __init__(self, index: Index, diagnostics: Sequence[Diagnostic] = (), *, index_path: Path | None = None) -> None:
        """Wrap an existing ``index`` (use :meth:`open` to build or load one from folders)."""
        self.index = index
        self.index_path = index_path
        """Where the index is kept, when not the default place (its calibration file sits beside it)."""
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        """Warnings from indexing, e.g. skills left out because they have errors."""

    @classmethod
    def open(cls, paths: Sequence[Path | str] | Path | str, *, index_path: Path | None = None,
             persist: bool = True) -> SkillLibrary:
        """Open the skills under ``paths``, loading and refreshing their index.

        Args:
            paths: one folder of skills, or several (the first holding a name wins).
            index_path: where to keep the index (default: next to the library, or the user
                cache when the library is read-only).
            persist: False to build in memory only and write nothing.

        Raises:
            PathNotFoundError: a path does not exist.
        """
        roots = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
        if persist:
            index, diagnostics = open_index(roots, index_path=index_path)
        else:
            index, diagnostics = build_index(roots)
        return cls(index, diagnostics, index_path=index_path)

    @property
    def skills(self) -> tuple[IndexEntry, ...]:
        """Every indexed skill, sorted by name."""
        return self.index.entries

    def match(self, prompt: str, **kwargs: Any) -> MatchResult:
        """Choose skills for ``prompt``; keywords as :func:`loader.match.rank.match`, threshold calibrated if so."""
        if kwargs.get("threshold") is None:
            kwargs["threshold"] = calibrated_threshold(self.index, self.index_path)
        return match(self.index, prompt, **kwargs)

    def context(self, prompt: str, *, listing: Listing = DEFAULT_LISTING, **kwargs: Any) -> Context:
        """Match ``prompt`` and render the prefix and tail to send to the model."""
        return render_context(self.index, self.match(prompt, **kwargs), listing=listing)

    def body(self, name: str) -> str:
        """The body of skill ``name``, byte-exact."""
        return self.index.body(name)

    def tool_definition(self) -> dict[str, Any]:
        """The ``load_skill`` tool in the Messages API format (``name``, ``description``, ``input_schema``).

        It does not depend on the prompt or the library's contents, so it can sit in a cached
        ``tools`` list; answer its calls with :meth:`call_tool`.
        """
        return {
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "input_schema": {
                "type": "object",
                "properties": {"name": {"type": "string", "description": "The skill's name, exactly as listed."}},
                "required": ["name"],
                "additionalProperties": False,
            },
        }

    def call_tool(self, tool_input: Mapping[str, Any]) -> str:
        """The text for a ``load_skill`` call's ``tool_result``: the skill's body in its ``<skill>`` wrapper.

        Raises:
            UsageError: ``tool_input`` is not ``{"name": str}``.
            SkillNotFoundError: no auto-invocable skill has that name (``disable-model-invocation``
                skills are not the model's to load). Send its message back with ``is_error``.
        """
        name = tool_input.get("name") if isinstance(tool_input, Mapping) else None
        if not isinstance(name, str):
            raise UsageError(message=f"{TOOL_NAME} input must be {{\"name\": str}}, not {tool_input!r:.200}",
                             hint="pass the tool_use block's input")
        if name not in self.index or not self.index.entry(name).invocable:
            raise SkillNotFoundError(name=name)
        entry = self.index.entry(name)
        return skill_block(name, self.body(name).strip("\n"), folder=entry.path)
