"""Index stage, building half: turn skill folders into index entries, reusing what did not change.

Guarantees: pure (reads the tree, writes nothing); a folder whose files have the same sizes and
mtimes is not read at all; a changed folder is parsed and validated through
``loader.validate.load.load_skill_dir`` (the same pipeline as ``skills validate``) and left out
with a warning when it has errors; the result does not depend on the walk order or on
whether the work was spread over several processes.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from operator import attrgetter
from pathlib import Path

from loader.core.errors import PathNotFoundError
from loader.core.model import Diagnostic, Severity
from loader.core.text import headings, terms
from loader.core.textfile import read_text
from loader.core.tokens import count_tokens
from loader.index.postings import encode_terms, update_postings
from loader.index.stamps import folder_signature, folder_tree, settled
from loader.index.types import REFERENCE_SUFFIXES, Index, IndexEntry, listing_line, skipped_warning, stat_key
from loader.validate.discover import SkillDir, discover

PARALLEL_FROM = 400
"""Folders to (re)index before the work is spread over processes (forking costs ~50 ms)."""
_Work = tuple[SkillDir, str, IndexEntry | None]
_NAME = attrgetter("name")


def build_index(roots: Sequence[Path | str], *, previous: Index | None = None) -> tuple[Index, list[Diagnostic]]:
    """Index the skills under ``roots``; pure (writes nothing).

    Unchanged folders (same sizes and mtimes) reuse ``previous``'s entry without being parsed;
    changed ones are parsed and validated, and reuse the entry anyway when their content hash
    is unchanged. Skills with error diagnostics are left out, with a warning saying so;
    where two roots hold the same name the first wins, as in ``loader.validate.load``.

    Raises:
        PathNotFoundError: a root does not exist.
    """
    index, diagnostics, _ = scan(roots, previous)
    return index, diagnostics


def update_index(index: Index, folders: Sequence[Path | str]) -> tuple[Index, list[Diagnostic]]:
    """Re-index only ``folders`` (skill folders that were edited, added or deleted); pure.

    For watchers that know what changed: the rest of the library is not walked, so the cost
    does not grow with its size (unlike :func:`build_index`, which stats every folder).
    """
    return refresh(index, folders)


def scan(roots: Sequence[Path | str], previous: Index | None, *, postings: bool = True
         ) -> tuple[Index, list[Diagnostic], bool]:
    """Walk ``roots`` and index them; also say whether anything differs from ``previous``.

    With ``postings=False`` the result's postings are left empty for the caller to fill
    (``open_index`` keeps them on disk and updates them there).
    """
    tree_time = time.time_ns()
    # Taken before discovery: a change during the walk is seen next time.
    tree = folder_tree([Path(r).resolve() for r in roots])
    found = discover([Path(root) for root in roots])
    diagnostics = list(found.diagnostics)
    old_by_path = {e.path: e for e in previous.entries} if previous is not None else {}
    old_skipped = previous.skipped if previous is not None else {}
    skipped: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    slots: list[IndexEntry | None | _Work] = []
    todo: list[_Work] = []
    for skill_dir in found.skill_dirs:
        try:
            signature = folder_signature(skill_dir.path, skill_dir.files)
        except OSError:
            continue  # vanished between discovery and stat: it is simply not there any more
        old = old_by_path.get(str(skill_dir.path))
        known_bad = old_skipped.get(str(skill_dir.path))
        if old is not None and old.signature == signature:
            slots.append(old)
        elif known_bad is not None and known_bad[0] == signature and known_bad[2] == skill_dir.files:
            skipped[str(skill_dir.path)] = known_bad
            diagnostics.append(skipped_warning(skill_dir.manifest_path, known_bad[1]))
        else:
            todo.append((skill_dir, signature, old))
            slots.append(todo[-1])
    built = dict(zip((w[0].path for w in todo), _index_all(todo), strict=True))
    entries: dict[str, IndexEntry] = {}
    edited: list[tuple[IndexEntry, IndexEntry]] = []
    for slot in slots:
        if isinstance(slot, tuple):
            entry, found_diags = built[slot[0].path]
            diagnostics.extend(found_diags)
            if entry is None and found_diags:
                skipped[str(slot[0].path)] = (slot[1], found_diags[0].message, tuple(slot[0].files))
            old = slot[2]
            if entry is not None and old is not None and entry.content_hash != old.content_hash:
                edited.append((old, entry))
        else:
            entry = slot
        if entry is not None:
            _add(entries, entry, diagnostics)
    resolved = tuple(str(Path(r).resolve()) for r in roots)
    index = _assemble(entries, resolved, previous, edited, skipped, postings=postings)
    index.tree, index.tree_time = tree, tree_time
    # Entries reused from ``previous`` are the same objects, so this comparison is cheap.
    changed = previous is None or previous.roots != resolved or index.entries != previous.entries \
        or index.skipped != previous.skipped or index.tree != previous.tree
    return index, sorted(diagnostics, key=Diagnostic.sort_key), changed


def refresh(index: Index, folders: Sequence[Path | str], *, postings: bool = True) -> tuple[Index, list[Diagnostic]]:
    """Re-index just ``folders`` (edited, added or deleted skill folders) of ``index``."""
    diagnostics: list[Diagnostic] = []
    gone = {Path(f).resolve() for f in folders}
    skipped = {k: v for k, v in index.skipped.items() if Path(k) not in gone}
    entries = dict(zip(map(_NAME, index.entries), index.entries, strict=True))
    by_path = index.by_path
    edited: list[tuple[IndexEntry, IndexEntry]] = []
    for folder in sorted({Path(f).resolve() for f in folders}):
        old = by_path.get(str(folder))
        if old is not None:
            del entries[old.name]
        if not (folder / "SKILL.md").is_file():
            continue  # deleted
        try:
            found = discover([folder])
        except PathNotFoundError:
            continue  # deleted between the check and the walk

        diagnostics.extend(found.diagnostics)
        for skill_dir in found.skill_dirs[:1]:
            try:
                signature = folder_signature(skill_dir.path, skill_dir.files)
            except OSError:
                continue  # deleted between the check and the stat: as if it were not there
            entry, found_diags = _index_skill_dir(skill_dir, signature, old)
            diagnostics.extend(found_diags)
            if entry is None and found_diags:
                skipped[str(skill_dir.path)] = (signature, found_diags[0].message, tuple(skill_dir.files))
            if entry is not None:
                if old is not None and old.name == entry.name and entry.content_hash != old.content_hash:
                    edited.append((old, entry))
                _add(entries, entry, diagnostics)
    return (_assemble(entries, index.roots, index, edited, skipped, postings=postings),
            sorted(diagnostics, key=Diagnostic.sort_key))


def _add(entries: dict[str, IndexEntry], entry: IndexEntry, diagnostics: list[Diagnostic]) -> None:
    first = entries.get(entry.name)
    if first is None:
        entries[entry.name] = entry
        return
    message = f"skill name {entry.name!r} is already used by {first.path}; this copy is not indexed"
    diagnostics.append(Diagnostic(entry.manifest_path, None, "name-duplicate", Severity.WARNING, message,
                                  "rename one of them; the first root wins"))


def _assemble(entries: dict[str, IndexEntry], roots: tuple[str, ...], previous: Index | None,
              edited: list[tuple[IndexEntry, IndexEntry]], skipped: dict[str, tuple[str, str, tuple[str, ...]]],
              *, postings: bool = True) -> Index:
    ordered = tuple(sorted(entries.values(), key=_NAME))
    if not postings:
        return Index(ordered, roots, postings={}, skipped=skipped)
    patched = None
    if previous is not None and previous.stored is None and isinstance(previous.postings, dict) \
            and len(edited) <= max(8, len(ordered) // 20) \
            and [e.name for e in ordered] == [e.name for e in previous.entries]:
        patched = dict(previous.postings)  # same documents: patch only the edited skills' terms
        docs = {e.name: i for i, e in enumerate(ordered)}
        for old, new in edited:
            update_postings(patched, docs[new.name], old, new)
    return Index(ordered, roots, postings=patched, skipped=skipped)


def _index_all(todo: list[_Work]) -> list[tuple[IndexEntry | None, list[Diagnostic]]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 or os.name != "posix":
        return [_index_skill_dir(*work) for work in todo]
    # Forking is only safe without other threads (checked above); the results are the same either way.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(todo) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        return list(pool.map(_index_work, todo, chunksize=chunk))


def _die_with_parent(parent: int) -> None:
    """Worker start-up: end this worker when the process that forked it ends, however it ends.

    A worker blocks on its task queue forever once its parent is gone (SIGTERM or SIGKILL of
    ``skills index`` or of the hook left two behind each, holding memory), so on Linux the
    kernel is asked to kill it with its parent (``PR_SET_PDEATHSIG``); a parent that died
    before that took effect is seen by the changed parent id.
    """
    with suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _index_work(work: _Work) -> tuple[IndexEntry | None, list[Diagnostic]]:
    return _index_skill_dir(*work)


def _index_skill_dir(skill_dir: SkillDir, signature: str, old: IndexEntry | None
                     ) -> tuple[IndexEntry | None, list[Diagnostic]]:
    # Hash first: content identical to the indexed entry needs no parsing (a re-check of a
    # folder whose timestamps were too recent to trust, or a touched file).
    references: dict[str, int] = {}
    try:
        hasher = hashlib.sha256(skill_dir.manifest_path.read_bytes())
        manifest_stat = stat_key(skill_dir.manifest_path)
    except OSError:
        hasher, manifest_stat = hashlib.sha256(b"\0unreadable"), ""  # parsing below says what is wrong
    for rel in skill_dir.files:
        hasher.update(f"\0{rel}\0".encode())
        if rel.lower().endswith(REFERENCE_SUFFIXES):
            read = read_text(skill_dir.path / rel)
            if read.text is not None:
                hasher.update(read.text.encode("utf-8"))
                references[rel] = count_tokens(read.text)
    content_hash = hasher.hexdigest()
    signature = settled(signature, manifest_stat)
    if old is not None and old.content_hash == content_hash and manifest_stat:
        if (old.signature, old.manifest_stat, old.files) == (signature, manifest_stat, tuple(skill_dir.files)):
            return old, []
        return old.replace(signature=signature, manifest_stat=manifest_stat, files=tuple(skill_dir.files)), []
    from loader.validate.load import blocking_errors, load_skill_dir  # only now: it imports jsonschema

    skill, found = load_skill_dir(skill_dir)
    errors = blocking_errors(found)
    if skill is None or errors:
        first = errors[0].message if errors else "SKILL.md could not be parsed"
        message = f"not indexed: {len(errors) or 1} error(s), first: {first}"
        return None, [skipped_warning(skill_dir.manifest_path, message)]
    text = read_text(skill.manifest.path).text or ""
    fields = {"name": skill.name, "description": skill.description, "when": skill.when_to_use,
              "headings": headings(skill.body), "body": skill.body}
    counts = {f: Counter(terms(v)) for f, v in fields.items()}
    return IndexEntry(
        name=skill.name, description=skill.description, path=str(skill.path), content_hash=content_hash,
        signature=signature, manifest_stat=manifest_stat, body_offset=len(text) - len(skill.body),
        listing_tokens=count_tokens(listing_line(skill.name, skill.description)),
        body_tokens=count_tokens(skill.body), reference_tokens=references, invocable=skill.model_invocable,
        terms={f: encode_terms(c) for f, c in counts.items()},
        lengths={f: sum(c.values()) for f, c in counts.items()}, files=tuple(skill_dir.files),
    ), []
