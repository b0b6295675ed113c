"""A damaged index is an error with a hint where it is used, and `skills index` checks and rebuilds it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SAMPLE_LIBRARY, CliResult, write_tree
from loader.index import open_index
from loader.index.verify import problems

Cli = Callable[..., CliResult]


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, Path]:
    library = write_tree(tmp_path / "lib", SAMPLE_LIBRARY)
    index = tmp_path / "index.sqlite"
    open_index([library], index_path=index)
    return library, index


def _damage(index: Path, sql: str) -> None:
    con = sqlite3.connect(index)
    with con:
        con.execute(sql)
    con.close()


DAMAGE = [
    pytest.param("UPDATE postings SET docs = 'x:1,2' WHERE term = 'pdf'", "postings of 'pdf' are malformed",
                 id="posting-not-a-number"),
    pytest.param("UPDATE postings SET docs = '0:1' WHERE term = 'pdf'", "postings of 'pdf' are malformed",
                 id="posting-missing-fields"),
    pytest.param("UPDATE postings SET docs = docs || ' 9999:0,0,0,0,1' WHERE term = 'pdf'",
                 "postings of 'pdf' name skills that are not in the index", id="posting-for-no-skill"),
    pytest.param("UPDATE terms SET terms = 'pdf' WHERE id = 0", "term list of skill id 0 is malformed",
                 id="term-list-without-fields"),
]


@pytest.mark.parametrize(("sql", "found"), DAMAGE)
def test_the_deep_check_names_the_damage(stored: tuple[Path, Path], sql: str, found: str) -> None:
    _, index = stored
    assert problems(index) == []
    _damage(index, sql)
    assert any(found in problem for problem in problems(index))


def test_a_malformed_posting_is_an_error_with_a_hint_not_a_traceback(stored: tuple[Path, Path], cli: Cli) -> None:
    library, index = stored
    _damage(index, "UPDATE postings SET docs = 'x:1,2' WHERE term = 'pdf'")
    result = cli("match", "extract text from a pdf", "--skills", library, "--index", index)
    assert result.code == 2, result.err
    assert "postings of 'pdf' are malformed" in result.err and "skills index" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


@pytest.mark.parametrize(("sql", "found"), DAMAGE)
def test_skills_index_rebuilds_a_damaged_index(stored: tuple[Path, Path], cli: Cli, sql: str, found: str) -> None:
    library, index = stored
    _damage(index, sql)
    result = cli("index", library, "--index", index)
    assert result.code == 0, result.err
    assert "rebuilt" in result.err and found.split()[0] in result.err
    assert problems(index) == []
    matched = cli("match", "extract text from a pdf", "--skills", library, "--index", index)
    assert matched.code == 0 and "pdf-tools" in matched.out
    again = cli("index", library, "--index", index)
    assert again.code == 0 and "rebuilt" not in again.err  # a sound index is left as it is
