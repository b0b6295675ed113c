"""The token-count cache of ``skills report``: same figures with and without it, edits recounted, damage tolerated."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from loader.core.tokens import EstimateCounter, FixedRatioCounter, get_counter
from loader.report import countcache
from loader.report.countcache import CachedCounter, cache_path, count_cache, counter_identity, text_key
from tests.conftest import BENCH, CORPUS, CliResult, needs_corpus

Cli = Callable[..., CliResult]

REFERENCE = "# Fields\n\nText, checkbox and signature fields.\n"


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", description="Fill in PDF forms. Use when the user has a PDF form to complete.",
               body="# Steps\n\n1. Open the form.\n2. Fill every field.\n",
               files={"reference/fields.md": REFERENCE})
    make_skill("sql-review", description="Review SQL queries for correctness. Use when asked to check SQL.",
               body="# Review\n\nCheck joins, indexes and NULL handling.\n")
    return tmp_path / "skills"


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.jsonl"
    rows = [{"query": "please fill in this PDF form for me", "expected": ["pdf-forms"]},
            {"query": "review my SQL joins", "expected": ["sql-review"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def count_files() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "report"
    return sorted(folder.glob("*.counts")) if folder.is_dir() else []


def report_json(cli: Cli, *args: str | Path) -> str:
    result = cli("report", *args, "-f", "json")
    assert result.code == 0, result.err
    return result.out


def counted(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int]]:
    """(reused, counted) of each run, from the ``token counts: N reused, M counted`` log line."""
    found = [re.match(r"token counts: (\d+) reused, (\d+) counted", r.getMessage()) for r in caplog.records]
    return [(int(m[1]), int(m[2])) for m in found if m]


def test_figures_are_identical_with_a_cold_a_warm_and_no_cache(cli: Cli, library: Path, queries: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="loader")
    cold = report_json(cli, library, "--queries", queries, "-v")
    assert len(count_files()) == 1
    warm = report_json(cli, library, "--queries", queries, "-v")
    bypass = report_json(cli, library, "--queries", queries, "--no-cache")
    assert cold == warm == bypass
    [(reused, fresh), second] = counted(caplog)
    assert reused == 0 and fresh > 0 and second == (fresh, 0)


def test_no_cache_neither_reads_nor_writes_counts(cli: Cli, library: Path) -> None:
    report_json(cli, library, "--no-cache")
    assert count_files() == []
    report_json(cli, library)
    [stored] = count_files()
    stored.write_bytes(b"damaged")
    report_json(cli, library, "--no-cache")
    assert stored.read_bytes() == b"damaged"


def test_nothing_is_written_inside_the_library(cli: Cli, library: Path) -> None:
    before = sorted(p.relative_to(library) for p in library.rglob("*"))
    report_json(cli, library)
    assert sorted(p.relative_to(library) for p in library.rglob("*")) == before
    assert len(count_files()) == 1


@pytest.mark.parametrize("new_text", [
    pytest.param("# Fields\n\nText, checkbox and signature fields, more.\n", id="longer"),
    pytest.param("# Fields\n\nText; 1234567 and signature fields!!\n", id="same-size"),
])
def test_an_edited_reference_is_recounted(cli: Cli, library: Path, new_text: str) -> None:
    ref = library / "pdf-forms" / "reference" / "fields.md"
    stat = ref.stat()
    before = json.loads(report_json(cli, library))
    if len(new_text) == len(REFERENCE):  # same size and mtime: only the content says it changed
        assert len(new_text.encode()) == stat.st_size
    ref.write_text(new_text, encoding="utf-8")
    os.utime(ref, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = report_json(cli, library)
    assert after == report_json(cli, library, "--no-cache")
    row = {r["name"]: r for r in json.loads(after)["rows"]}["pdf-forms"]
    old = {r["name"]: r for r in before["rows"]}["pdf-forms"]
    assert row["reference_tokens"] == get_counter().count(new_text) != old["reference_tokens"]


def test_an_edited_skill_md_is_recounted(cli: Cli, library: Path) -> None:
    report_json(cli, library)
    skill = library / "sql-review" / "SKILL.md"
    skill.write_text(skill.read_text(encoding="utf-8") + "\nAlso check 42 transactions.\n", encoding="utf-8")
    after = json.loads(report_json(cli, library))
    row = {r["name"]: r for r in after["rows"]}["sql-review"]
    assert row["skill_md_tokens"] == get_counter().count(skill.read_text(encoding="utf-8"))
    assert report_json(cli, library) == report_json(cli, library, "--no-cache")


def test_each_counter_has_its_own_counts(cli: Cli, library: Path) -> None:
    estimate = report_json(cli, library)
    chars = report_json(cli, library, "--counter", "chars4")
    assert len(count_files()) == 2
    assert report_json(cli, library, "--counter", "chars4") == chars != estimate
    assert report_json(cli, library) == estimate


def test_reports_with_and_without_prompts_keep_each_others_counts(cli: Cli, library: Path, queries: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="loader")
    for extra in (["--queries", queries], [], ["--queries", queries], []):
        report_json(cli, library, *extra, "-v")
    assert [fresh for _, fresh in counted(caplog)][2:] == [0, 0]


def damage_json_body(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    counts = json.loads(body)
    counts[next(iter(counts))] += 1000  # a plausible but wrong count: the checksum catches it
    return header + b"\n" + json.dumps(counts).encode()


@pytest.mark.parametrize("damage", [
    pytest.param(lambda data: b"", id="empty"),
    pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    pytest.param(lambda data: b"\xff\xfe" + data, id="not-utf8"),
    pytest.param(lambda data: b"[" * 100_000, id="deeply-nested"),
    pytest.param(damage_json_body, id="wrong-count"),
    pytest.param(lambda data: data.replace(b'"format":1', b'"format":99'), id="other-format"),
    pytest.param(lambda data: data.replace(b"skillpack ", b"skillpack 0", 1), id="other-identity"),
])
def test_a_damaged_count_file_costs_a_recount_never_a_wrong_figure(cli: Cli, library: Path, queries: Path,
                                                                   damage: Callable[[bytes], bytes]) -> None:
    good = report_json(cli, library, "--queries", queries)
    [stored] = count_files()
    stored.write_bytes(damage(stored.read_bytes()))
    assert report_json(cli, library, "--queries", queries) == good
    assert countcache._read(stored, counter_identity(get_counter()) or "") != {}  # rewritten whole


def test_a_crafted_file_with_a_valid_checksum_but_bad_values_is_ignored(cli: Cli, library: Path) -> None:
    good = report_json(cli, library)
    [stored] = count_files()
    header, _, body = stored.read_bytes().partition(b"\n")
    for counts in ({"k": 1}, {"0" * 32: -1}, {"0" * 32: True}, {"0" * 32: 1.5}, ["0" * 32]):
        bad = json.dumps(counts).encode()
        meta = json.loads(header)
        meta["sha256"] = hashlib.sha256(bad).hexdigest()
        stored.write_bytes(json.dumps(meta).encode() + b"\n" + bad)
        assert countcache._read(stored, meta["counter"]) == {}
        assert report_json(cli, library) == good


def test_an_oversized_file_is_not_read(cli: Cli, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = report_json(cli, library)
    [stored] = count_files()
    monkeypatch.setattr(countcache, "MAX_FILE_BYTES", stored.stat().st_size - 1)
    assert countcache._read(stored, counter_identity(get_counter()) or "") == {}
    assert report_json(cli, library) == good


def test_an_unwritable_cache_folder_costs_speed_not_the_report(cli: Cli, library: Path) -> None:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "skillpack"
    folder.mkdir(parents=True)
    (folder / "report").write_text("a file where the folder should be", encoding="utf-8")
    assert report_json(cli, library) == report_json(cli, library, "--no-cache")


def test_stale_count_files_of_other_libraries_are_pruned(cli: Cli, library: Path) -> None:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "report"
    folder.mkdir(parents=True)
    old, recent = folder / "old.counts", folder / "recent.counts"
    for path in (old, recent):
        path.write_bytes(b"x")
    month_ago = time.time() - countcache.STALE_SECONDS - 60
    os.utime(old, (month_ago, month_ago))
    report_json(cli, library)
    assert not old.exists() and recent.exists() and len(count_files()) == 2


def test_an_unchanged_run_does_not_rewrite_the_file(cli: Cli, library: Path) -> None:
    report_json(cli, library)
    [stored] = count_files()
    inode = stored.stat().st_ino
    past = time.time() - 3600
    os.utime(stored, (past, past))
    report_json(cli, library)
    assert stored.stat().st_ino == inode and stored.stat().st_mtime > past  # touched, not replaced


@needs_corpus
def test_corpus_figures_are_identical_with_and_without_the_cache(cli: Cli, tmp_path: Path) -> None:
    args = (CORPUS, "--queries", BENCH / "dev-queries.jsonl", "--index", tmp_path / "idx.sqlite")
    cold = report_json(cli, *args)
    assert report_json(cli, *args) == cold == report_json(cli, *args, "--no-cache")
    assert json.loads(cold)["skills"] > 200


class Tally:
    """A counter that records what it was asked to count."""

    name = "tally"
    exact = False

    def __init__(self) -> None:
        self.seen: list[str] = []

    def count(self, text: str) -> int:
        self.seen.append(text)
        return len(text)


def test_cached_counter_counts_each_text_once(tmp_path: Path) -> None:
    path = tmp_path / "c.counts"
    tally = Tally()
    first = CachedCounter(tally, path, "id")
    assert [first.count(t) for t in ("abc", "abc", "de", "")] == [3, 3, 2, 0]
    assert tally.seen == ["abc", "de", ""] and (first.hits, first.misses) == (0, 2)
    first.save()
    second = CachedCounter(tally, path, "id")
    assert second.count("de") == 2 and second.count("fghi") == 4
    assert tally.seen[3:] == ["fghi"] and (second.hits, second.misses) == (1, 1)
    second.save()
    assert countcache._read(path, "id") == {text_key("de"): 2, text_key("fghi"): 4, text_key("abc"): 3}
    assert countcache._read(path, "other id") == {}


def test_the_file_keeps_this_runs_counts_and_as_many_again_most_recent_first(tmp_path: Path) -> None:
    path = tmp_path / "c.counts"
    for texts in (["a", "bb"], ["ccc", "dddd"], ["eeeee", "ffffff"], ["ccc", "x"]):
        counter = CachedCounter(Tally(), path, "id")
        for text in texts:
            counter.count(text)
        counter.save()
    assert list(countcache._read(path, "id")) == [text_key(t) for t in ("ccc", "x", "eeeee", "ffffff")]


def test_only_counters_the_cache_can_vouch_for_are_cached(tmp_path: Path) -> None:
    tally = Tally()
    with count_cache([tmp_path], tally) as counter:
        assert counter is tally
    with count_cache([tmp_path], get_counter(), enabled=False) as counter:
        assert counter is get_counter()
    with count_cache([tmp_path], get_counter()) as counter:
        assert isinstance(counter, CachedCounter) and counter.name == "estimate-v2" and not counter.exact


def test_identity_follows_the_counters_parameters_not_the_instance() -> None:
    assert counter_identity(EstimateCounter()) == counter_identity(EstimateCounter())
    assert counter_identity(EstimateCounter(word_cost=1.2)) != counter_identity(EstimateCounter())
    assert counter_identity(FixedRatioCounter(3)) != counter_identity(FixedRatioCounter())
    assert cache_path([Path("a")], EstimateCounter()) != cache_path([Path("b")], EstimateCounter())
    assert cache_path([Path("a")], EstimateCounter()) != cache_path([Path("a")], FixedRatioCounter())
