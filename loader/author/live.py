"""A skill library kept current while its files change (hot reload for ``skills dev``, hooks, MCP).

Guarantees: each change re-validates and re-indexes only the skill folders it touched; a
skill whose new version has errors keeps being served in its last good version until it
is fixed or removed; readers on other threads always see a consistent snapshot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loader.author.changes import ChangeKind, SkillEvent, WatchBatch, watch_roots
from loader.author.watch import DEFAULT_DEBOUNCE, Watcher
from loader.core.errors import PathNotFoundError
from loader.core.model import Diagnostic, Profile, Severity, Skill
from loader.index import Index, build_index, update_index
from loader.match.rank import MatchResult, match
from loader.validate.discover import SkillDir, discover
from loader.validate.load import LoadResult, blocking_errors, load_skill_dir, load_skills

if TYPE_CHECKING:
    from loader.match.library import SkillLibrary


@dataclass(frozen=True, slots=True)
class SkillUpdate:
    """What one changed skill folder looks like now."""

    kind: ChangeKind
    path: Path
    """The skill folder."""
    name: str
    """The skill's name (the folder name when SKILL.md did not parse, or it was removed)."""
    diagnostics: tuple[Diagnostic, ...]
    """Every diagnostic of the new version, sorted; empty for a removed skill."""
    serving_last_good: bool = False
    """The new version has errors, and the last good version is still served."""
    served: bool = True
    """The new version is the one served (it has no error, or no earlier version works)."""

    @property
    def ok(self) -> bool:
        """True when no error stops the new version from working (removed skills count as ok)."""
        return not blocking_errors(self.diagnostics)


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    """The outcome of one debounced batch of changes."""

    skills: tuple[SkillUpdate, ...]
    seconds: float
    """Time spent re-validating and re-indexing."""
    latency: float
    """From the first filesystem event of the batch to the update being served."""
    generation: int
    """Increases by one with every update; readers can compare it to know they are stale."""


class LiveLibrary:
    """The skills under some roots, re-validated and re-indexed folder by folder on change.

    Example::

        library = LiveLibrary(["skills"])
        with library.watch(on_update=lambda update: print(update.skills)):
            ...  # library.skills(), library.index and library.match(prompt) stay current
    """

    def __init__(self, paths: Sequence[Path | str], profile: Profile = Profile.CLAUDE_CODE, *,
                 strict: bool = False, stored_index: bool = False, index_path: Path | None = None) -> None:
        """Load, validate and index every skill under ``paths``.

        With ``stored_index``, the index starts from the stored one (``open_index``: on a warm index
        of 238 skills ~15 ms instead of ~3 s for building it in memory), refreshed for what changed.

        Raises:
            PathNotFoundError: a path does not exist.
        """
        self.roots = watch_roots([Path(p) for p in paths])
        self.profile = profile
        self.strict = strict
        self.initial: LoadResult = load_skills(self.roots, profile, strict=strict)
        """The validation of the whole library when it was opened."""
        self._lock = threading.Lock()
        self._good: dict[Path, Skill] = {item.skill.path: item.skill for item in self.initial.skills if item.loadable}
        self._seen = {d.path for d in discover(self.roots).skill_dirs}
        """Every skill folder, valid or not, so a watch started later reports only what changed."""
        if stored_index:
            from loader.index import open_index

            self._index, _ = open_index(self.roots, index_path=index_path)
        else:
            self._index, _ = build_index(self.roots)
        self.generation = 0

    @property
    def index(self) -> Index:
        """The current index: every skill's last good version."""
        with self._lock:
            return self._index

    def skills(self) -> list[Skill]:
        """The last good version of every skill, sorted by name."""
        with self._lock:
            return sorted(self._good.values(), key=lambda s: (s.name, str(s.path)))

    def match(self, prompt: str, **options: object) -> MatchResult:
        """What the matcher would load for ``prompt`` now (options as in ``loader.match.rank.match``)."""
        return match(self.index, prompt, **options)  # type: ignore[arg-type]

    def snapshot(self) -> SkillLibrary:
        """The current state as a ``loader.match.library.SkillLibrary`` (matching, context rendering, bodies)."""
        from loader.match.library import SkillLibrary

        return SkillLibrary(self.index)

    def watch(self, on_update: Callable[[LiveUpdate], None], *, debounce: float = DEFAULT_DEBOUNCE,
              on_error: Callable[[BaseException], None] | None = None) -> Watcher:
        """Start watching the roots; ``on_update`` runs on the watcher's thread after each update."""

        def on_change(batch: WatchBatch) -> None:
            on_update(self.apply(batch))

        with self._lock:
            known = set(self._seen)
        return Watcher(self.roots, on_change, debounce=debounce, on_error=on_error, known=known).start()

    def apply(self, batch: WatchBatch) -> LiveUpdate:
        """Re-validate and re-index the folders in ``batch``; keep last good versions of broken ones."""
        started = time.monotonic()
        with self._lock:
            good = dict(self._good)
            index = self._index
        updates = [self._apply_one(event, good) for event in batch.events]
        # Folders with errors are not re-indexed: their last good entry stays in the index.
        reindex = [u.path for u in updates if u.kind is ChangeKind.REMOVED or u.served]
        if reindex:
            index, _ = update_index(index, reindex)
        with self._lock:
            for item in updates:
                if item.kind is ChangeKind.REMOVED:
                    self._seen.discard(item.path)
                else:
                    self._seen.add(item.path)
            self._good, self._index = good, index
            self.generation += 1
            generation = self.generation
        done = time.monotonic()
        return LiveUpdate(tuple(updates), done - started, done - batch.first_event, generation)

    def _apply_one(self, event: SkillEvent, good: dict[Path, Skill]) -> SkillUpdate:
        folder = event.path
        try:
            found = [d for d in discover([folder]).skill_dirs if d.path == folder]
        except PathNotFoundError:
            found = []
        if event.kind is ChangeKind.REMOVED or not found:
            good.pop(folder, None)
            return SkillUpdate(ChangeKind.REMOVED, folder, folder.name, ())
        skill_dir = SkillDir(found[0].path, event.root, found[0].files)
        skill, diagnostics = load_skill_dir(skill_dir, self.profile, strict=self.strict)
        diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        # Any error in an edit keeps the last good version served (the promise of `skills dev`); a
        # skill with no earlier version is served as the index would serve it: unless an error blocks it.
        errors = any(d.severity is Severity.ERROR for d in diagnostics)
        served = skill is not None and not blocking_errors(diagnostics) and (not errors or folder not in good)
        if served and skill is not None:
            good[folder] = skill
        name = skill.name if skill is not None else folder.name
        return SkillUpdate(event.kind, folder, name, tuple(diagnostics),
                           serving_last_good=not served and folder in good, served=served)
