"""Stored indexes: entries read whole in one snapshot, the folder tree's encoding, checked files, posting edits."""

from __future__ import annotations

import os
import pickle
import random
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import SAMPLE_LIBRARY, skill_md, write_tree
from loader.index import Index, IndexEntry, build_index, load_index, open_index, save_index
from loader.index.sqlite import IndexDamagedError, decode_tree, encode_tree
from loader.index.stamps import settled
from loader.index.stored_terms import StoredTerms
from loader.index.trust import held, is_checked
from loader.index.write import _without
from loader.match.rank import match


@pytest.fixture
def library(tmp_path: Path) -> Path:
    lib = write_tree(tmp_path / "lib", SAMPLE_LIBRARY)
    old = time.time_ns() - 3600 * 10**9  # settled: every timestamp an hour old
    for path in [lib, *lib.rglob("*")]:
        os.utime(path, ns=(old, old), follow_symlinks=False)
    return lib


def _values(entry: IndexEntry) -> dict[str, object]:
    """Every field, with the term lists decoded to plain dicts."""
    out = {name: getattr(entry, name) for name in IndexEntry.__slots__}
    out["terms"], out["lengths"], out["reference_tokens"] = (dict(entry.terms), dict(entry.lengths),
                                                             dict(entry.reference_tokens))
    return out


def _stored(library: Path, tmp_path: Path) -> tuple[Index, Index, Path]:
    built, _ = build_index([library])
    path = tmp_path / "index.sqlite"
    save_index(built, path)
    loaded = load_index(path)
    assert loaded is not None
    return built, loaded, path


def stamp(path: Path) -> str | None:
    """The index file's stamp now (see ``loader.index.trust``)."""
    with held(path) as handle:
        return handle.stamp()


def test_a_stored_entry_equals_one_built_in_memory(library: Path, tmp_path: Path) -> None:
    built, loaded, _ = _stored(library, tmp_path)
    assert all(type(e) is IndexEntry and isinstance(e.terms, StoredTerms) for e in loaded.entries)
    for stored, fresh in zip(loaded.entries, built.entries, strict=True):
        assert _values(stored) == _values(fresh) and stored == fresh
    assert loaded.to_json()["entries"] == built.to_json()["entries"]


def test_replace_and_pickle_give_equal_entries(library: Path, tmp_path: Path) -> None:
    built, loaded, _ = _stored(library, tmp_path)
    replaced = loaded.entry("commit").replace(signature="other")
    assert replaced.description == built.entry("commit").description and replaced.signature == "other"
    copied = pickle.loads(pickle.dumps(loaded.entry("pdf-tools")))
    assert _values(copied) == _values(built.entry("pdf-tools"))


def test_an_edit_re_indexes_one_skill_and_the_result_equals_a_fresh_build(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    open_index([library], index_path=path)
    skill = library / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\n## Signing\n\nSign with a zebra key.\n")
    write_tree(library, {"fresh/SKILL.md": skill_md("fresh", "Brand new skill about otters.")})
    index, _ = open_index([library], index_path=path)
    expected, _ = build_index([library])
    assert [_values(e) for e in index.entries] == [_values(e) for e in expected.entries]
    assert match(index, "sign with a zebra key").names == ["commit"]


def test_a_deleted_skill_is_seen(library: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "index.sqlite"
    open_index([library], index_path=path)
    shutil.rmtree(library / "commit")
    index, _ = open_index([library], index_path=path)
    assert "commit" not in index and [_values(e) for e in index.entries] == \
        [_values(e) for e in build_index([library])[0].entries]


def test_an_index_read_before_another_process_wrote_keeps_its_own_snapshot(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    open_index([library], index_path=path)
    stale = load_index(path)
    assert stale is not None
    before = stale.entry("commit")
    skill = library / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nMore about zebra keys.\n")
    write_tree(library, {"fresh/SKILL.md": skill_md("fresh", "Otters and beavers.")})
    open_index([library], index_path=path)  # another process re-indexes: new rows, a new skill, new ids
    assert stale.entry("commit") is before and "fresh" not in stale  # everything was read in one transaction
    assert match(stale, "extract text from a pdf").names == ["pdf-tools"]  # its postings map back by stored id
    assert match(stale, "otters and beavers").names == []  # a skill stored since is not in this snapshot


def test_an_index_file_gone_before_a_query_is_an_error_with_a_hint(library: Path, tmp_path: Path) -> None:
    _, loaded, path = _stored(library, tmp_path)
    path.unlink()
    with pytest.raises(IndexDamagedError, match="cannot be read"):
        match(loaded, "extract text from a pdf")


def test_a_signature_taken_before_skill_md_changed_never_matches_again() -> None:
    assert settled("SKILL.md:10:5\nreferences/a.md:3:4", "10:5") == "SKILL.md:10:5\nreferences/a.md:3:4"
    assert settled("SKILL.md:10:5\nreferences/a.md:3:4", "12:9") == "SKILL.md:?\nreferences/a.md:3:4"
    assert settled("SKILL.md:10:5", "") == "SKILL.md:?"


def test_the_folder_tree_round_trips_and_damage_is_detected(library: Path, tmp_path: Path) -> None:
    tree = {"/a": 1, "/a/b c": -5, "/a/\u00e9t\u00e9": 1_764_000_000_123_456_789}
    assert decode_tree(encode_tree(tree)) == tree and decode_tree(encode_tree({})) == {}
    folders, mtimes = encode_tree(tree)
    assert decode_tree((folders, mtimes[:-1])) is None and decode_tree((1, mtimes)) is None
    _, _, path = _stored(library, tmp_path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE tree SET mtimes = x'0001'")
    con.close()
    assert load_index(path) is None


def test_a_checked_file_is_trusted_until_anything_writes_it(library: Path, tmp_path: Path) -> None:
    _, _, path = _stored(library, tmp_path)
    assert is_checked(path, stamp(path))  # written here, typed rows
    skill = library / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nMore.\n")
    open_index([library], index_path=path)
    assert is_checked(path, stamp(path))  # this process's own commit keeps it checked
    with sqlite3.connect(path) as con:
        con.execute("UPDATE skills SET body_tokens = 'many' WHERE name = 'commit'")
    con.close()
    assert not is_checked(path, stamp(path)) and load_index(path) is None  # any other write: checked again
    assert not list(library.rglob("checked"))  # the record lives in the user's cache, not in the library


def test_posting_items_are_removed_by_search_exactly_as_by_splitting() -> None:
    rng = random.Random(4)
    for _ in range(2000):
        idents = rng.sample([1, 2, 11, 12, 21, 111, 112], rng.randint(0, 6))
        docs = " ".join(f"{i}:{rng.randint(0, 3)},0,0,0,{rng.randint(1, 2)}" for i in idents)
        remove = set(rng.sample([1, 2, 11, 12, 21, 111, 112], rng.randint(0, 3)))
        expected = " ".join(item for item in docs.split() if int(item.partition(":")[0]) not in remove)
        assert _without(docs, remove) == expected


def test_stored_entries_go_to_worker_processes_when_many_skills_changed(library: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import loader.index.build

    path = tmp_path / "index.sqlite"
    open_index([library], index_path=path)
    monkeypatch.setattr(loader.index.build, "PARALLEL_FROM", 1)  # as when hundreds of skills changed at once
    monkeypatch.setattr(loader.index.plan, "RECHECK_LIMIT", 0)  # too many for a targeted refresh: walk
    for manifest in library.rglob("SKILL.md"):
        manifest.write_text(manifest.read_text() + "\nMore.\n")  # the old entries are pickled to the workers
    index, _ = open_index([library], index_path=path)
    monkeypatch.setattr(loader.index.build, "PARALLEL_FROM", 10**9)
    assert [_values(e) for e in index.entries] == [_values(e) for e in build_index([library])[0].entries]
