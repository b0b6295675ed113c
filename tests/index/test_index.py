"""The index: round trip, incremental refresh, corrupt and old files, read-only libraries, CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import loader.validate.load
from conftest import SAMPLE_LIBRARY, CliResult, skill_md, write_tree
from loader.index import Index, build_index, load_index, open_index, save_index, update_index
from loader.index.location import cache_index_path, default_index_path
from loader.index.postings import build_postings
from loader.index.types import FORMAT, FORMAT_VERSION
from loader.match.rank import match

Cli = Callable[..., CliResult]


def content(index: Index) -> dict[str, object]:
    """What an index says about the skills, without when and how the tree was last walked."""
    return {k: v for k, v in index.to_json().items() if k not in ("tree", "tree_time")}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "lib", {
        **SAMPLE_LIBRARY,
        "broken/SKILL.md": "---\nname: broken\ndescription: [unclosed\n---\nbody\n",  # YAML that does not parse
        "notes/README.md": "# Not a skill folder\n",
    })


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every skill folder the indexer parses."""
    calls: list[Path] = []
    real = loader.validate.load.load_skill_dir

    def spy(skill_dir, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(skill_dir.path)
        return real(skill_dir, *args, **kwargs)

    monkeypatch.setattr(loader.validate.load, "load_skill_dir", spy)
    return calls


def test_build_indexes_valid_skills_and_warns_about_broken_ones(library: Path) -> None:
    index, diagnostics = build_index([library])
    assert [e.name for e in index.entries] == ["commit", "manual-only", "pdf-tools"]
    assert [(d.rule, d.path.parent.name) for d in diagnostics] == [("index-skipped", "broken")]
    assert index.entry("manual-only").invocable is False
    pdf = index.entry("pdf-tools")
    assert pdf.reference_tokens.keys() == {"references/forms.md"} and pdf.reference_tokens["references/forms.md"] > 0
    assert pdf.body_tokens > 0 and pdf.listing_tokens > 0
    assert "pdf" in pdf.term_counts("name") and "extract" in pdf.term_counts("headings")


def test_body_is_read_byte_exact(tmp_path: Path) -> None:
    body = "# Title\n\nLine one\nLine two  \n"
    write_tree(tmp_path / "lib", {"crlf/SKILL.md": skill_md("crlf", body=body).replace("\n", "\r\n").encode()})
    body = body.replace("\n", "\r\n")
    index, _ = build_index([tmp_path / "lib"])
    assert index.body("crlf").endswith(body)
    assert index.body("crlf") == (tmp_path / "lib/crlf/SKILL.md").read_bytes().decode().split("---\r\n", 2)[2]


def test_round_trip_is_lossless(library: Path, tmp_path: Path) -> None:
    index, _ = build_index([library])
    path = tmp_path / "out" / "index.sqlite"
    save_index(index, path)
    loaded = load_index(path)
    assert loaded is not None
    assert loaded.to_json() == index.to_json()
    assert loaded.entries == index.entries
    assert not list(path.parent.glob("*.tmp"))  # no temp file left behind


def test_unchanged_folders_are_not_parsed_again(library: Path, parse_calls: list[Path]) -> None:
    first, _ = build_index([library])
    parse_calls.clear()
    second, diagnostics = build_index([library], previous=first)
    assert parse_calls == []
    assert content(second) == content(first)
    # an unchanged broken skill is still reported, from the index, without being parsed again
    assert [(d.rule, d.path.parent.name) for d in diagnostics] == [("index-skipped", "broken")]


def test_an_unchanged_index_can_open_without_the_left_out_warnings(library: Path, tmp_path: Path) -> None:
    settled = time.time() - 60  # timestamps old enough to trust: the second open changes nothing
    for path in [library, *library.rglob("*")]:
        os.utime(path, (settled, settled), follow_symlinks=False)
    index_path = tmp_path / "cache" / "index.sqlite"
    open_index([library], index_path=index_path)
    reported, warnings = open_index([library], index_path=index_path)
    quiet, none = open_index([library], index_path=index_path, skipped=False)  # what the hook asks for
    assert [(d.rule, d.path.parent.name) for d in warnings] == [("index-skipped", "broken")]
    assert none == [] and quiet.entries == reported.entries and quiet.skipped == reported.skipped


def test_fixing_a_broken_skill_indexes_it(library: Path) -> None:
    first, _ = build_index([library])
    (library / "broken" / "SKILL.md").write_text(skill_md("broken"))
    second, diagnostics = build_index([library], previous=first)
    assert "broken" in second and diagnostics == [] and second.skipped == {}


def test_editing_one_skill_reparses_only_it_and_patches_postings(library: Path, parse_calls: list[Path]) -> None:
    first, _ = build_index([library])
    skill = library / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\n## Signing\n\nSign commits with a zebra key.\n")
    parse_calls.clear()
    second, _ = build_index([library], previous=first)
    assert parse_calls == [library / "commit"]
    assert "zebra" in second.entry("commit").term_counts("body")
    assert second.postings == build_postings(second.entries)  # the delta equals a full rebuild
    assert second.entry("pdf-tools") is first.entry("pdf-tools")


def test_touched_but_identical_skill_keeps_its_entry(library: Path) -> None:
    first, _ = build_index([library])
    skill = library / "commit" / "SKILL.md"
    os.utime(skill, ns=(1, 1))
    second, _ = build_index([library], previous=first)
    assert second.entry("commit").content_hash == first.entry("commit").content_hash
    assert second.entry("commit").signature != first.entry("commit").signature


def test_added_and_removed_skills(library: Path) -> None:
    first, _ = build_index([library])
    write_tree(library, {"new-skill/SKILL.md": skill_md("new-skill")})
    (library / "commit" / "SKILL.md").unlink()
    (library / "commit").rmdir()
    second, _ = build_index([library], previous=first)
    assert [e.name for e in second.entries] == ["manual-only", "new-skill", "pdf-tools"]
    assert second.postings == build_postings(second.entries)


def test_update_index_touches_only_given_folders_and_equals_a_full_build(library: Path,
                                                                          parse_calls: list[Path]) -> None:
    first, _ = build_index([library])
    skill = library / "pdf-tools" / "SKILL.md"
    skill.write_text(skill.read_text().replace("Extract text", "Extract images"))
    write_tree(library, {"added/SKILL.md": skill_md("added")})
    parse_calls.clear()
    updated, _ = update_index(first, [library / "pdf-tools", library / "added"])
    assert sorted(parse_calls) == [library / "added", library / "pdf-tools"]
    full, _ = build_index([library])
    assert updated.tree == {}  # a targeted update did not look at the rest: the next open walks
    assert content(updated) == content(full)
    (library / "added" / "SKILL.md").unlink()
    removed, _ = update_index(updated, [library / "added"])
    assert "added" not in removed


def test_first_root_wins_on_duplicate_names(tmp_path: Path) -> None:
    one = write_tree(tmp_path / "one", {"same/SKILL.md": skill_md("same", "First copy. Use when testing.")})
    two = write_tree(tmp_path / "two", {"same/SKILL.md": skill_md("same", "Second copy. Use when testing.")})
    index, diagnostics = build_index([one, two])
    assert index.entry("same").description.startswith("First")
    assert [d.rule for d in diagnostics] == ["name-duplicate"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{not json", id="truncated"),
        pytest.param(b"\x00\xff\xfe", id="binary"),
        pytest.param(b"[]", id="wrong-type"),
        pytest.param(json.dumps({"format": FORMAT, "version": FORMAT_VERSION - 1}).encode(), id="old-format"),
        pytest.param(json.dumps({"format": FORMAT, "version": FORMAT_VERSION + 1}).encode(), id="newer"),
    ],
)
def test_untrustworthy_index_files_load_as_none(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "index.sqlite"
    path.write_bytes(content)
    assert load_index(path) is None


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(statement)
    con.close()


@pytest.mark.parametrize("statement", [
    pytest.param("UPDATE skills SET body_tokens = 'many' WHERE name = 'commit'", id="mistyped-row"),
    pytest.param("UPDATE skills SET invocable = 7", id="bad-flag"),
    pytest.param("UPDATE meta SET value = '2' WHERE key = 'version'", id="old-version"),
    pytest.param("UPDATE meta SET value = 'some-older-counter' WHERE key = 'token_counter'", id="other-counter"),
    pytest.param("DELETE FROM meta WHERE key = 'generation'", id="missing-meta"),
    pytest.param("DROP TABLE tree", id="missing-table"),
    pytest.param("DROP TABLE postings", id="missing-postings"),
])
def test_a_tampered_index_loads_as_none(library: Path, tmp_path: Path, statement: str) -> None:
    path = tmp_path / "index.sqlite"
    save_index(build_index([library])[0], path)
    assert load_index(path) is not None
    _sql(path, statement)
    assert load_index(path) is None


def test_unreadable_postings_are_an_error_with_a_hint(library: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import loader.index.sqlite
    import loader.index.stored_terms

    path = tmp_path / "index.sqlite"
    save_index(build_index([library])[0], path)
    index = load_index(path)
    assert index is not None

    def damaged(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(loader.index.stored_terms, "connect", damaged)
    with pytest.raises(loader.index.sqlite.IndexDamagedError, match="cannot be read"):
        match(index, "extract pdf text")


def test_an_sqlite_file_that_is_not_an_index_loads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    _sql(path, "CREATE TABLE other(x)")
    assert load_index(path) is None


@pytest.mark.parametrize("where", [0.3, 0.9, 0.99])
def test_a_truncated_index_is_detected(library: Path, tmp_path: Path, where: float) -> None:
    path = tmp_path / "index.sqlite"
    save_index(build_index([library])[0], path)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * where)])
    assert load_index(path) is None


def test_a_damaged_header_is_detected(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    save_index(build_index([library])[0], path)
    data = bytearray(path.read_bytes())
    data[0:6] = b"SQLyte"
    path.write_bytes(bytes(data))
    assert load_index(path) is None


def test_the_old_json_index_at_the_same_path_is_rebuilt(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    body = json.dumps({"format": FORMAT, "version": 2, "entries": []}).encode()
    path.write_bytes(json.dumps({"format": FORMAT, "version": 2, "sha256": "x"}).encode() + b"\n" + body)
    assert load_index(path) is None
    index, _ = open_index([library], index_path=path)
    assert len(index) == 3 and path.read_bytes().startswith(b"SQLite format 3\x00")
    reloaded = load_index(path)
    assert reloaded is not None and content(reloaded) == content(index)


def test_open_index_rebuilds_a_corrupt_index(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    path.write_text('{"format": "skillpack-index", "version": 1, "entries": [{"name": ')
    index, _ = open_index([library], index_path=path)
    assert len(index) == 3
    reloaded = load_index(path)
    assert reloaded is not None and reloaded.to_json() == index.to_json()


def test_open_index_saves_next_to_the_library_and_reuses_it(library: Path, parse_calls: list[Path]) -> None:
    open_index([library])
    path = library / ".skillpack" / "index.sqlite"
    assert path.is_file()
    before = path.stat().st_mtime_ns
    parse_calls.clear()
    open_index([library])
    assert parse_calls == []
    assert path.stat().st_mtime_ns == before  # nothing changed, nothing written


def test_read_only_library_indexes_into_the_user_cache(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("loader.index.location._writable", lambda path: False)
    path = default_index_path([library])
    assert path == cache_index_path([library])
    assert path.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]) / "skillpack")
    open_index([library])
    assert path.is_file() and not (library / ".skillpack").exists()


def test_a_single_skill_root_is_never_written_into(library: Path) -> None:
    for root in (library / "commit", library / "commit" / "SKILL.md"):
        assert default_index_path([root]) == cache_index_path([root])
        open_index([root])
    assert not (library / "commit" / ".skillpack").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_really_read_only_library(library: Path) -> None:
    library.chmod(0o555)
    try:
        open_index([library])
        assert not (library / ".skillpack").exists()
        assert cache_index_path([library]).is_file()
    finally:
        library.chmod(0o755)


def test_cli_index_reports_counts_and_writes_the_index(library: Path, cli: Cli) -> None:
    result = cli("index", library)
    assert result.code == 0
    assert "indexed 3 skills (1 manual-only, 1 left out)" in result.out
    assert "broken" in result.err
    assert load_index(library / ".skillpack" / "index.sqlite") is not None


def test_cli_index_to_an_explicit_path(library: Path, tmp_path: Path, cli: Cli) -> None:
    target = tmp_path / "elsewhere" / "idx.sqlite"
    result = cli("index", library, "--index", target)
    assert result.code == 0 and str(target) in result.out
    assert load_index(target) is not None


def test_cli_index_missing_folder_exits_2(tmp_path: Path, cli: Cli) -> None:
    result = cli("index", tmp_path / "nope")
    assert result.code == 2
    assert "not found" in result.err


@pytest.fixture
def settled(library: Path) -> Path:
    """The library with every timestamp an hour old, as a library is between edits."""
    old = time.time_ns() - 3600 * 10**9
    for path in [library, *library.rglob("*")]:
        os.utime(path, ns=(old, old), follow_symlinks=False)
    return library


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """Record the roots of every discovery (a full walk has the library's root; a targeted one, a skill's)."""
    import loader.index.build

    calls: list[list[Path]] = []
    real = loader.index.build.discover

    def spy(roots):  # type: ignore[no-untyped-def]
        calls.append([Path(r) for r in roots])
        return real(roots)

    monkeypatch.setattr(loader.index.build, "discover", spy)
    return calls


def test_a_current_index_is_used_without_walking(settled: Path, walks: list[list[Path]], tmp_path: Path) -> None:
    first, _ = open_index([settled], index_path=tmp_path / "index.sqlite")
    walks.clear()
    second, diagnostics = open_index([settled], index_path=tmp_path / "index.sqlite")
    assert walks == [] and content(second) == content(first)
    assert [(d.rule, d.path.parent.name) for d in diagnostics] == [("index-skipped", "broken")]


@pytest.mark.parametrize(
    ("change", "full_walk"),
    [
        pytest.param(lambda lib: write_tree(lib, {"deep/new/fresh/SKILL.md": skill_md("fresh")}), False,
                     id="new-nested"),
        pytest.param(lambda lib: write_tree(lib, {"notes/fresh/SKILL.md": skill_md("fresh")}), False,
                     id="in-a-plain-folder"),
        pytest.param(lambda lib: (lib / "commit" / "SKILL.md").write_text(skill_md("commit", body="# Fresh\n")),
                     False, id="edit-in-place"),
        pytest.param(lambda lib: write_tree(lib, {"pdf-tools/references/fresh.md": "# Fresh\n"}), False,
                     id="new-reference"),
        pytest.param(lambda lib: (lib / "broken" / "SKILL.md").write_text(skill_md("broken")), False,
                     id="fix-broken"),
        pytest.param(lambda lib: (lib / "commit" / "SKILL.md").write_text("---\nname: [\n---\n"), True,
                     id="break-one"),
        pytest.param(lambda lib: (lib / "commit" / "SKILL.md").write_text(skill_md("renamed")), True,
                     id="rename"),
        pytest.param(lambda lib: write_tree(lib, {"notes/SKILL.md": skill_md("notes")}), True,
                     id="folder-becomes-a-skill"),
        pytest.param(lambda lib: write_tree(lib, {"other/SKILL.md": skill_md("commit")}), True,
                     id="duplicate-name"),
        pytest.param(lambda lib: __import__("shutil").rmtree(lib / "commit"), True, id="delete"),
        pytest.param(lambda lib: __import__("shutil").rmtree(lib / "notes"), True, id="delete-plain-folder"),
    ],
)
def test_any_change_is_seen_by_the_next_open(settled: Path, walks: list[list[Path]], tmp_path: Path,
                                              change: Callable[[Path], object], full_walk: bool) -> None:
    path = tmp_path / "index.sqlite"
    open_index([settled], index_path=path)
    change(settled)
    walks.clear()
    index, diagnostics = open_index([settled], index_path=path)
    assert ([settled] in walks) is full_walk
    expected, expected_diagnostics = build_index([settled])
    assert content(index) == content(expected)
    assert [(d.rule, d.path) for d in diagnostics] == [(d.rule, d.path) for d in expected_diagnostics]
    stored = load_index(path)  # what was stored is what a full build gives, postings included
    assert stored is not None and content(stored) == content(expected)
    prompt = " ".join(e.description for e in expected.entries)
    assert match(stored, prompt).ranking == match(expected, prompt).ranking


def test_folders_changed_just_before_the_walk_are_not_trusted(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    open_index([library], index_path=path)  # the library was written a moment ago
    skill = library / "commit" / "SKILL.md"
    before = skill.stat()
    skill.write_text(skill.read_text().replace("feat/fix", "zulu/fix"))  # same size: same signature
    os.utime(skill, ns=(before.st_atime_ns, before.st_mtime_ns))
    index, _ = open_index([library], index_path=path)
    assert "zulu" in index.entry("commit").term_counts("body")


def test_one_edit_reparses_only_that_skill_and_rewrites_only_its_rows(settled: Path, tmp_path: Path,
                                                                       parse_calls: list[Path]) -> None:
    path = tmp_path / "index.sqlite"
    open_index([settled], index_path=path)
    first = load_index(path)
    assert first is not None and first.stored is not None
    skill = settled / "commit" / "SKILL.md"
    skill.write_text(skill.read_text() + "\n## Signing\n\nSign commits with a zebra key.\n")
    parse_calls.clear()
    index, _ = open_index([settled], index_path=path)
    assert parse_calls == [settled / "commit"]
    assert match(index, "sign with a zebra key").names == ["commit"]
    stored = load_index(path)
    assert stored is not None and stored.stored is not None and index.stored is not None
    assert stored.stored.ids == index.stored.ids and stored.stored.generation == first.stored.generation + 1


def test_a_writer_that_lost_the_race_starts_over(settled: Path, tmp_path: Path) -> None:
    from loader.index.sqlite import StoreChangedError
    from loader.index.write import write_changes

    path = tmp_path / "index.sqlite"
    open_index([settled], index_path=path)
    stale = load_index(path)
    write_tree(settled, {"fresh/SKILL.md": skill_md("fresh")})
    open_index([settled], index_path=path)  # another process stores its refresh first
    assert stale is not None
    with pytest.raises(StoreChangedError):
        write_changes(stale, build_index([settled])[0], {})
    reloaded = load_index(path)
    assert reloaded is not None and "fresh" in reloaded


def test_a_failed_update_leaves_the_old_index(settled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loader.index.write

    path = tmp_path / "index.sqlite"
    first, _ = open_index([settled], index_path=path)
    (settled / "commit" / "SKILL.md").write_text(skill_md("commit", body="# Zebra crossing\n"))

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # killed half-way through the transaction

    monkeypatch.setattr(loader.index.write, "_update_postings", crash)
    with pytest.raises(KeyboardInterrupt):
        open_index([settled], index_path=path)
    kept = load_index(path)
    assert kept is not None and content(kept) == content(first)
    monkeypatch.undo()
    index, _ = open_index([settled], index_path=path)
    assert "zebra" in index.entry("commit").term_counts("headings")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_current_index_in_a_read_only_folder_is_used(settled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    open_index([settled], index_path=folder / "index.sqlite")
    folder.chmod(0o555)
    try:
        index, _ = open_index([settled], index_path=folder / "index.sqlite")
        assert match(index, "write a conventional commit message").names == ["commit"]
    finally:
        folder.chmod(0o755)


def test_index_command_reports_json(library: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("index", library, "--format", "json")
    assert result.code == 0
    document = json.loads(result.out)
    assert document["schema_version"] == 1
    assert document["names"] == ["commit", "manual-only", "pdf-tools"]
    assert (document["skills"], document["manual_only"], document["left_out"]) == (3, 1, 1)


def test_a_copy_that_keeps_size_and_mtime_is_seen(settled: Path, tmp_path: Path) -> None:
    # cp -p, rsync -t and archives dated 1980 keep the old size and mtime; the change time still moves.
    path = tmp_path / "index.sqlite"
    open_index([settled], index_path=path)
    skill = settled / "commit" / "SKILL.md"
    before = skill.stat()
    skill.write_text(skill.read_text().replace("conventional", "unicornzebra"))
    os.utime(skill, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (skill.stat().st_size, skill.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    index, _ = open_index([settled], index_path=path)
    assert "unicornzebra" in index.entry("commit").description
    assert match(index, "unicornzebra").names == ["commit"]
