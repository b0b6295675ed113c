"""Index stage, keeping the stored index current: load, find what changed, re-index it, store it.

Guarantees: the skill folders that changed are found by ``stat`` (``loader.index.plan``) and
only they are parsed; the stored rows and postings are changed in one transaction
(``loader.index.store``), so a reader sees the old index or the new one. When a targeted
refresh cannot settle the change, the library is walked (reusing unchanged entries), never
guessed. Another process writing at the same time makes this one start over, not overwrite it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence

from loader.core.errors import UsageError
from loader.core.gc_pause import gc_paused
from loader.core.model import Diagnostic, Severity
from loader.core.tokens import DEFAULT_COUNTER
from loader.index.location import cache_index_file, index_file
from loader.index.plan import Plan, plan_refresh
from loader.index.sqlite import IndexBusyError, StoreChangedError
from loader.index.stamps import is_racy
from loader.index.store import read_index
from loader.index.stored_terms import StoredPostings
from loader.index.types import FORMAT, FORMAT_VERSION, NORMALIZER, Index, skipped_diagnostics

# Building, creating, writing and checking an index are imported where they are needed: an
# unchanged library (the hook's common case, on every prompt) needs none of them.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeVar

    T = TypeVar("T")

ATTEMPTS = 3
"""Times to start over when another process stored the index in between, before serving from memory."""


class IndexWriteError(OSError):
    """The index could not be stored at its location (read-only folder or file, full disk...)."""


def _write(action: Callable[[], T]) -> T:
    try:
        return action()
    except (OSError, sqlite3.Error) as exc:
        raise IndexWriteError(getattr(exc, "errno", None) or 0, str(exc)) from exc


def _meta() -> dict[str, str]:
    return {"format": FORMAT, "version": str(FORMAT_VERSION), "normalizer": str(NORMALIZER),
            "token_counter": DEFAULT_COUNTER.name}


def load_index(path: Path | str) -> Index | None:
    """Open a stored index; ``None`` when it is missing, corrupt, or of another format version.

    Every skill's row is read in one transaction; term lists and postings stay on disk until a
    query or an update needs them (see ``loader.index.store``). Anything that is not an SQLite
    index of this exact format (the old JSON index, other bytes, a truncated file, mistyped rows)
    is ``None``.
    """
    return read_index(path, _meta())


def save_index(index: Index, path: Path | str) -> None:
    """Write ``index`` as the whole content of ``path``, atomically (see ``loader.index.create``)."""
    from loader.index.create import write_new

    write_new(index, path, _meta())


def open_index(roots: Sequence[Path | str], *, index_path: Path | str | None = None, check: bool = False,
               skipped: bool = True) -> tuple[Index, list[Diagnostic]]:
    """Load the index of ``roots``, refresh what changed, and store the changes.

    Changed skill folders are found by ``stat`` (``loader.index.plan``) and only they are
    re-indexed; their rows and the postings of their terms are rewritten in one transaction.
    When that cannot settle it (a skill removed, many folders changed, other roots), the library
    is walked, still reusing every unchanged entry. An index that cannot be trusted is rebuilt.
    When the default location cannot be written, the index goes to the user cache directory.
    With ``check``, the whole stored file is checked first (``loader.index.verify``) and rebuilt,
    with an ``index-repaired`` warning, when any of it is damaged (``skills index`` does this).
    With ``skipped=False`` an unchanged index comes without the warnings for skills left out
    (the hook shows none, and building them imports pathlib).
    """
    roots = list(roots)
    path = os.fspath(index_path) if index_path is not None else index_file(roots)  # strings: see location.py
    try:  # create the index folder before the walk, so its creation is not seen as a change next time
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    except OSError:
        pass  # reported when saving
    try:
        return refresh_stored(roots, path, check=check, skipped=skipped)
    except IndexWriteError as exc:
        if index_path is not None:
            raise _unwritable(path, exc) from exc
    try:
        return refresh_stored(roots, cache_index_file(roots), check=check, skipped=skipped)
    except IndexWriteError as exc2:
        from pathlib import Path

        index, diagnostics = _build(roots)
        diagnostics.append(Diagnostic(Path(path), None, "index-unwritable", Severity.WARNING,
                                      f"index could not be saved: {exc2.strerror or exc2}",
                                      "pass --index PATH to a writable location"))
        return index, diagnostics


def _build(roots: Sequence[Path | str]) -> tuple[Index, list[Diagnostic]]:
    from loader.index.build import build_index

    return build_index(roots)


def _problems(path: str) -> list[str]:
    from loader.index.verify import problems

    return problems(path)


def _unwritable(path: str, exc: OSError) -> Exception:
    return UsageError(message=f"cannot write the index to {path}: {exc.strerror or exc}",
                      hint="choose a writable --index path")


def _not_stored(path: str, exc: IndexBusyError) -> Diagnostic:
    from pathlib import Path

    return Diagnostic(Path(path), None, "index-busy", Severity.WARNING, f"changes not stored: {exc.message}",
                      "nothing to do: the next command stores them")


def refresh_stored(roots: Sequence[Path | str], path: Path | str, *, check: bool = False, skipped: bool = True,
                   ) -> tuple[Index, list[Diagnostic]]:
    """The current index of ``roots``, stored at ``path`` (read, refreshed and written as needed).

    Raises:
        IndexWriteError: the index had to be written and could not be.
    """
    path = os.fspath(path)
    for _ in range(ATTEMPTS):
        previous = load_index(path)  # with the collector paused (loader.index.store)
        damage = _problems(path) if check and previous is not None else []
        if previous is None or damage:
            from pathlib import Path

            from loader.index.create import write_new

            index, diagnostics = _build(roots)
            try:
                _write(lambda: write_new(index, path, _meta()))  # noqa: B023 - called at once
            except IndexBusyError as exc:
                return index, [*diagnostics, _not_stored(path, exc)]
            if damage:
                diagnostics.append(Diagnostic(Path(path), None, "index-repaired", Severity.WARNING,
                                              f"the index was damaged and has been rebuilt: {'; '.join(damage)}",
                                              "nothing to do; if it recurs, report it with how the index is shared"))
            return index, diagnostics
        try:
            return _update(previous, roots, skipped=skipped)
        except StoreChangedError:
            continue
    return _build(roots)


def _update(previous: Index, roots: Sequence[Path | str], *, skipped: bool = True,
            ) -> tuple[Index, list[Diagnostic]]:
    with gc_paused():  # not around a full walk below, which parses skills
        plan = plan_refresh(previous, roots)
        try:
            found = _targeted(previous, plan, skipped=skipped) if plan is not None else None
        except OSError:  # something vanished while it was re-indexed: the walk below sorts it out
            found = None
    if found is not None:
        index, diagnostics, save = found
    else:
        from loader.index.build import scan

        index, diagnostics, changed = scan(roots, previous, postings=False)
        save = changed or not is_racy(index.tree, index.tree_time)
    stored = previous.stored
    assert stored is not None
    if save:
        from loader.index.write import write_changes

        try:
            with gc_paused():
                index.stored = _write(lambda: write_changes(previous, index, _meta()))
        except IndexBusyError as exc:  # serve what this process found; the next open stores it
            memory = Index(index.entries, index.roots, postings=None, skipped=index.skipped, tree=index.tree,
                           tree_time=index.tree_time)
            return memory, [*diagnostics, _not_stored(stored.path, exc)]
        index.postings = StoredPostings(stored.path)
    elif index.entries == previous.entries:
        index.stored, index.postings = stored, previous.postings
    else:  # not stored (too fresh to trust): keep it in memory, complete
        index = Index(index.entries, index.roots, postings=None, skipped=index.skipped, tree=index.tree,
                      tree_time=index.tree_time)
    return index, diagnostics


def _targeted(previous: Index, plan: Plan, *, skipped: bool = True) -> tuple[Index, list[Diagnostic], bool] | None:
    """Re-index the plan's folders; ``None`` when the result could differ from a full walk's."""
    if not plan.folders and plan.tree == previous.tree:
        settle = plan.rechecked and not is_racy(plan.tree, plan.tree_time)
        if settle:
            previous.tree_time = plan.tree_time  # store the later time, so the next open trusts the tree
        return previous, skipped_diagnostics(previous) if skipped else [], settle
    from loader.index.build import refresh

    index, found = refresh(previous, plan.folders, postings=False)
    if any(d.rule == "name-duplicate" for d in found):
        return None  # which copy wins depends on the walk order
    for folder in plan.folders:
        old = previous.by_path.get(str(folder))
        if old is not None and (old.name not in index or index.entry(old.name).path != str(folder)):
            return None  # renamed or gone: a copy elsewhere may now take the name
    index.tree, index.tree_time = plan.tree, plan.tree_time
    diagnostics = sorted([*skipped_diagnostics(index), *(d for d in found if d.rule != "index-skipped")],
                         key=Diagnostic.sort_key)
    changed = index.entries != previous.entries or index.skipped != previous.skipped or index.tree != previous.tree
    return index, diagnostics, changed or (plan.rechecked and not is_racy(plan.tree, plan.tree_time))
