"""The validation cache: same results as a fresh check, reused only while nothing they depend on changed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import loader
from conftest import CORPUS, REPO, needs_corpus, skill_md, write_tree
from loader.core.model import Profile
from loader.validate import cache as cache_module
from loader.validate.load import LoadResult, load_skills, validation_cache
from tests.validate.test_rules_table import CASES

Tree = dict[str, str | bytes]


def _library(root: Path) -> Path:
    """Every rule's failing and passing fixture side by side, plus clean skills and a few odd ones."""
    tree: Tree = {}
    for number, case in enumerate(CASES):
        if case.setup is not None or case.extra_roots:
            continue  # needs monkeypatching or several roots: covered by the rules table itself
        for kind, fixture in (("bad", case.bad), ("good", case.good)):
            for rel, content in fixture.items():
                tree[f"{case.rule}-{kind}-{number}/{rel}"] = content
    tree.update({
        "dated/SKILL.md": skill_md("dated", extra="metadata:\n  version: '1'\n  released: 2024-01-02\n"),
        "listy/SKILL.md": skill_md("listy", extra="allowed-tools:\n  - Read\n  - Bash\narguments: {a: 1}\n"),
        "bom/SKILL.md": "\ufeff" + skill_md("bom"),
        "crlf/SKILL.md": skill_md("crlf").replace("\n", "\r\n"),
    })
    return write_tree(root, tree)


def _entries(path: Path) -> dict[str, Any]:
    """The entries of a cache file (after its header line)."""
    entries: dict[str, Any] = json.loads(path.read_bytes().partition(b"\n")[2])
    return entries


def _run(roots: list[Path], profile: Profile = Profile.CLAUDE_CODE, *, strict: bool = False,
         cached: bool = True) -> tuple[LoadResult, Any]:
    with validation_cache(roots, profile, strict=strict, enabled=cached) as opened:
        result = load_skills(roots, profile, strict=strict)
    return result, opened


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_cached_results_equal_fresh_ones_on_every_rule_fixture(tmp_path: Path, profile: Profile,
                                                               strict: bool) -> None:
    roots = [_library(tmp_path / "lib")]
    fresh, _ = _run(roots, profile, strict=strict, cached=False)
    first, opened = _run(roots, profile, strict=strict)
    assert opened.hits == 0 and opened.misses > 0.9 * fresh.skill_count
    second, opened = _run(roots, profile, strict=strict)
    assert opened.hits > 0.9 * fresh.skill_count and opened.misses == 0
    assert first == fresh
    assert second == fresh  # skills (manifest, body, frontmatter) and diagnostics alike


def test_the_example_skills_validate_the_same_from_the_cache() -> None:
    roots = [REPO / "skills"]
    fresh, _ = _run(roots, cached=False)
    _run(roots)
    again, opened = _run(roots)
    assert opened.hits == fresh.skill_count == 7
    assert again == fresh


@needs_corpus
def test_the_corpus_validates_the_same_from_the_cache() -> None:
    roots = [CORPUS]
    fresh, _ = _run(roots, cached=False)
    _run(roots)
    again, opened = _run(roots)
    assert opened.hits > 0.9 * fresh.skill_count
    assert again == fresh


def _hits_after(tmp_path: Path, change: Any, **run: Any) -> tuple[int, int, LoadResult]:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one", body="See [the guide](guide.md).\n"),
                                         "one/guide.md": "# Guide\n", "one/scripts/run.py": "print(1)\n",
                                         "two/SKILL.md": skill_md("two")})
    _run([root])
    change(root)
    result, opened = _run([root], **run)
    assert result == _run([root], cached=False, **run)[0]
    return opened.hits, opened.misses, result


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: (root / "one/SKILL.md").write_text(skill_md("one", body="Other.\n")), id="skill-md"),
    pytest.param(lambda root: (root / "one/guide.md").write_text("# Guide\n\n[x](missing.md)\n"), id="reference"),
    pytest.param(lambda root: (root / "one/scripts/run.py").write_bytes(b"\0binary"), id="script"),
    pytest.param(lambda root: (root / "one/extra.txt").write_text("new file\n"), id="added-file"),
    pytest.param(lambda root: (root / "one/guide.md").unlink(), id="removed-file"),
])
def test_a_content_change_is_a_miss_for_that_skill_only(tmp_path: Path, change: Any) -> None:
    hits, misses, _ = _hits_after(tmp_path, change)
    assert (hits, misses) == (1, 1)


def test_a_removed_link_target_shows_up_although_skill_md_did_not_change(tmp_path: Path) -> None:
    _, _, result = _hits_after(tmp_path, lambda root: (root / "one/guide.md").unlink())
    assert [d.rule for d in result.diagnostics] == ["link-missing"]


def test_a_new_rules_version_invalidates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def new_rules(root: Path) -> None:
        monkeypatch.setattr(cache_module, "rules_version", lambda: "rules edited")

    assert _hits_after(tmp_path, new_rules)[:2] == (0, 2)


def test_the_rules_version_follows_the_validate_stage_s_code() -> None:
    version = cache_module.rules_version()
    assert len(version) == 64
    cache_module.rules_version.cache_clear()
    assert cache_module.rules_version() == version  # stable for the same code


def test_a_new_skillpack_version_invalidates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _hits_after(tmp_path, lambda root: monkeypatch.setattr(loader, "__version__", "99.0"))[:2] == (0, 2)


@pytest.mark.parametrize("run", [
    pytest.param({"profile": Profile.AGENTSKILLS}, id="profile"),
    pytest.param({"strict": True}, id="strict"),
])
def test_another_profile_or_strictness_does_not_reuse_results(tmp_path: Path, run: dict[str, Any]) -> None:
    assert _hits_after(tmp_path, lambda root: None, **run)[:2] == (0, 2)


def test_nothing_changed_means_every_skill_is_a_hit(tmp_path: Path) -> None:
    assert _hits_after(tmp_path, lambda root: None)[:2] == (2, 0)


def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one")})
    _, opened = _run([root])
    good = opened.path.read_bytes()
    flipped = bytearray(good)
    flipped[-20] ^= 1
    assert b'"sha256":"' in good
    for damage in (b"{not json", b"[]", good[:-10], bytes(flipped), good.replace(b'"sha256":"', b'"sha256":"0'),
                   json.dumps({"format": 1, "context": opened.context, "skills": {}}).encode()):
        opened.path.write_bytes(damage)
        result, again = _run([root])
        assert again.hits == 0 and result == _run([root], cached=False)[0]


@pytest.mark.parametrize("damage", [
    pytest.param({"body_bytes": -3}, id="negative-body"), pytest.param({"body_bytes": 10**6}, id="body-past-file"),
    pytest.param({"body_bytes": "12"}, id="body-as-text"), pytest.param({"body_line": 0}, id="line-0"),
    pytest.param({"frontmatter": ["name"]}, id="frontmatter-list"), pytest.param({"name": 7}, id="name-number"),
    pytest.param({"key_lines": {"name": "2"}}, id="key-line-text"),
    pytest.param({"diagnostics": [["p", "two", "r", "warning", "m", "h", None]]}, id="diagnostic-line-text"),
    pytest.param({"diagnostics": [["p", 2, "r", "grave", "m", "h", None]]}, id="diagnostic-severity"),
])
def test_a_well_formed_file_with_a_wrong_entry_costs_a_check_not_a_crash(tmp_path: Path,
                                                                        damage: dict[str, Any]) -> None:
    # A file written by something else (checksum and all): each value is checked before it is used.
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one")})
    _, opened = _run([root])
    entries = _entries(opened.path)
    entries[str(root / "one")]["result"]["skill"].update(damage)
    opened.path.write_bytes(cache_module.seal(opened.context, entries))
    result, again = _run([root])
    assert (again.hits, again.misses) == (0, 1)
    assert result == _run([root], cached=False)[0]


def test_the_cache_lives_in_the_user_cache_folder_not_in_the_library(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one")})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    _, opened = _run([root])
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert opened.path.is_file()
    assert opened.path.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]) / "skillpack")
    assert not list(opened.path.parent.glob(".*.tmp"))  # written through a temp file, renamed into place


def test_deleted_skills_leave_the_cache_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one"), "two/SKILL.md": skill_md("two")})
    _, opened = _run([root])
    (root / "two/SKILL.md").unlink()
    (root / "one/SKILL.md").write_text(skill_md("one", body="Changed.\n"))
    _run([root])
    assert list(_entries(opened.path)) == [str(root / "one")]


@pytest.mark.parametrize("command", [("validate",), ("pack", "--dry-run"), ("index",), ("report", "-f", "json")])
def test_commands_use_the_cache_and_no_cache_bypasses_it(tmp_path: Path, cli: Any, command: tuple[str, ...]) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one"), "two/SKILL.md": skill_md("two")})
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation"

    def run(*more: str) -> Any:  # a new index file each time, so the index command validates every skill
        index = ("--index", tmp_path / f"ix{len(list(tmp_path.glob('ix*')))}.db") if command == ("index",) else ()
        return cli(*command, root, *index, *more)

    bypassed = run("--no-cache")
    assert bypassed.code == 0, bypassed.err
    assert not folder.exists()
    first = run()
    assert first.code == 0
    if command != ("index",):  # the index command reports its time
        assert first.out == bypassed.out
    assert len(list(folder.glob("*.json"))) == 1
    cached = _entries(next(folder.glob("*.json")))
    assert sorted(cached) == [str(root / "one"), str(root / "two")]
    (root / "two/SKILL.md").write_text(skill_md("two", body="Changed.\n"))
    again = run()
    assert again.code == 0
    entry = _entries(next(folder.glob("*.json")))
    assert entry[str(root / "one")] == cached[str(root / "one")]
    assert entry[str(root / "two")]["key"] != cached[str(root / "two")]["key"]


def _age(root: Path, seconds: float = 60) -> None:
    """Set every file's mtime ``seconds`` back, as for a library edited a while ago."""
    past = root.stat().st_mtime - seconds
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def test_old_unchanged_files_are_trusted_by_their_stamps_without_hashing(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one", body="See [the guide](guide.md).\n"),
                                         "one/guide.md": "# Guide\n"})
    _age(root)
    fresh, _ = _run([root])

    def no_hashing(*args: Any) -> str:
        raise AssertionError("hashed although the stamps matched")

    monkeypatch.setattr(cache_module.ValidationCache, "_hash", no_hashing)
    again, opened = _run([root])
    assert (opened.hits, again) == (1, fresh)


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: (root / "one/guide.md").rename(root / "one/other.md"), id="renamed-file"),
    pytest.param(lambda root: (root / "one/guide.md").write_text("# Guide\n\n[x](gone.md)\n"), id="edited-file"),
    pytest.param(lambda root: (root / "one/SKILL.md").write_text(skill_md("one", body="Other text.\n")),
                 id="edited-skill-md"),
])
def test_a_changed_stamp_means_hashing_again(tmp_path: Path, change: Any) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one", body="See [the guide](guide.md).\n"),
                                         "one/guide.md": "# Guide\n"})
    _age(root)
    _run([root])
    change(root)
    _age(root / "one", seconds=30)  # even when the change itself looks old, names, sizes or inodes differ
    result, opened = _run([root])
    assert (opened.hits, opened.misses) == (0, 1)
    assert result == _run([root], cached=False)[0]


def test_cache_files_unused_for_a_month_are_deleted_when_another_is_written(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "first", {"one/SKILL.md": skill_md("one")})
    second = write_tree(tmp_path / "second", {"two/SKILL.md": skill_md("two")})
    _, old = _run([first])
    month_ago = old.path.stat().st_mtime - cache_module.STALE_SECONDS - 60
    os.utime(old.path, (month_ago, month_ago))
    _, used = _run([first])  # all hits: the file is only touched, so it counts as used again
    assert used.hits == 1 and old.path.stat().st_mtime > month_ago
    os.utime(old.path, (month_ago, month_ago))
    _, new = _run([second])
    assert new.path.is_file() and not old.path.exists()


def test_validate_changed_leaves_no_cache_file_per_set_of_files(tmp_path: Path, cli: Any) -> None:
    root = write_tree(tmp_path / "lib", {"one/SKILL.md": skill_md("one")})
    assert cli("validate", "--changed", root / "one" / "SKILL.md").code == 0
    assert not (Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation").exists()


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value), value


@pytest.mark.parametrize("value", [
    {"a": [1, 1.0, True, None, "x", {"b": -0.0}]}, {"big": 10**30, "inf": float("inf"), "tiny": 5e-324},
    {"text": "\ud800 lone surrogate, \u2028 line separator, \x00"}, {"nested": [[[]], {}]},
])
def test_frontmatter_the_cache_stores_reads_back_equal_and_of_the_same_types(value: dict[str, Any]) -> None:
    assert cache_module._plain(value)
    back = json.loads(json.dumps(value))
    assert back == value and _shape(back) == _shape(value)


@pytest.mark.parametrize("value", [
    {"nan": float("nan")}, {"t": (1, 2)}, {"k": {1: "a"}}, {"s": {"a"}}, {"b": b"x"},
])
def test_frontmatter_that_would_not_read_back_the_same_is_not_stored(value: dict[str, Any]) -> None:
    assert not cache_module._plain(value)
