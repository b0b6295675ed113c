"""Gather what the size report measures: skill texts from the library, tails from the matcher.

Guarantees: reads only through ``loader.validate.load``/``loader.core.textfile`` (bounded, safe) and
the matcher's index; never writes inside the skill library (the matcher's index is kept in
the user cache directory, or built in memory when that cannot be written).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loader.core.errors import SkillpackError
from loader.core.model import Diagnostic, Skill
from loader.core.textfile import read_text
from loader.index import REFERENCE_SUFFIXES
from loader.report.compute import OnDemandInput, SkillSizes
from loader.validate.load import LeftOut, load_skills

if TYPE_CHECKING:
    from loader.match.library import SkillLibrary

log = logging.getLogger("loader")



@dataclass(frozen=True, slots=True)
class Gathered:
    """Inputs for :func:`loader.report.compute.compute`."""

    skills: tuple[SkillSizes, ...]
    on_demand: OnDemandInput | None
    prefix: str | None
    """skillpack's stable prefix."""
    diagnostics: tuple[Diagnostic, ...]
    skipped: int = 0
    """Skill folders left out (see :meth:`loader.validate.load.LoadResult.left_out`)."""
    left_out: tuple[LeftOut, ...] = ()
    """Which folders, and why."""


def skill_sizes(skill: Skill) -> SkillSizes:
    """The texts of ``skill`` that the report counts."""
    refs: dict[str, str] = {}
    for rel in skill.files:
        if rel.lower().endswith(REFERENCE_SUFFIXES):
            read = read_text(skill.path / rel)
            if read.text is not None:
                refs[rel] = read.text
    whole = read_text(skill.manifest.path).text
    return SkillSizes(skill.name, skill.description, skill.when_to_use,
                      whole if whole is not None else skill.body, skill.body, refs, skill.model_invocable)


def gather(paths: Sequence[Path], *, queries: Path | None = None, top_k: int = 3,
           budget_tokens: int | None = None, progress: Callable[[int, int], None] | None = None,
           index_path: Path | None = None) -> Gathered:
    """Load the library under ``paths`` and, with a query file, run every prompt through the matcher.

    ``progress(done, total)`` follows the skills read, then the prompts matched. ``index_path``
    places the matcher's index (default: the user cache).

    Raises:
        PathNotFoundError: a path or the query file does not exist.
        UsageError: the query file is malformed.
    """
    result = load_skills(paths, progress=progress)
    usable = result.usable()
    sizes = tuple(skill_sizes(s) for s in usable)
    left_out = tuple(result.left_out())
    diagnostics = list(result.diagnostics)
    prompts: list[str] = []
    if queries is not None:
        from loader.match.evaluate import read_queries

        prompts = [q.query for q in read_queries(queries)]
    library = _open_library(paths, diagnostics, index_path)
    from loader.match.context import render_prefix, render_tail
    from loader.match.tiers import TOOL_HINT, render_suggestions

    prefix = render_prefix(library.index)
    on_demand = None
    if queries is not None:
        tails, suggestions = [], []
        for done, prompt in enumerate(prompts, start=1):
            found = library.match(prompt, top_k=top_k, budget_tokens=budget_tokens)
            if progress is not None:
                progress(done, len(prompts))
            tails.append((render_tail(library.index, found), tuple(found.names)))
            suggestions.append(render_suggestions(found.suggested, hint=TOOL_HINT))
        on_demand = OnDemandInput(prefix, tuple(tails), tuple(suggestions))
    return Gathered(sizes, on_demand, prefix, tuple(diagnostics), len(left_out), left_out)


def _open_library(paths: Sequence[Path], diagnostics: list[Diagnostic], index_path: Path | None) -> SkillLibrary:
    """The matcher's library, its index kept in the user cache (a report never writes into the library)."""
    from loader.index.location import cache_index_path
    from loader.match.library import SkillLibrary

    try:
        library = SkillLibrary.open(list(paths), index_path=index_path or cache_index_path(list(paths)))
    except SkillpackError as exc:  # cache not writable: build in memory, write nothing
        log.info("index cache unusable (%s): building the index in memory", exc)
        library = SkillLibrary.open(list(paths), persist=False)
    diagnostics.extend(library.diagnostics)
    return library
