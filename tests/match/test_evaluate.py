"""``skills eval``: metric definitions, query-file parsing, text and JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BENCH, CORPUS, CliResult, needs_corpus, skill_md, write_tree
from loader.core.model import Match
from loader.index import Index, build_index
from loader.match.evaluate import Query, evaluate, read_queries
from loader.match.rank import MatchResult

Cli = Callable[..., CliResult]


def _fixed(answers: dict[str, list[str]]) -> Callable[[Index, str], MatchResult]:
    """A matcher that loads exactly ``answers[prompt]`` (100 tokens each)."""

    def matcher(index: Index, prompt: str) -> MatchResult:
        loaded = [Match(name, 1.0, tokens=100) for name in answers[prompt]]
        return MatchResult(prompt, loaded, ranking=loaded)

    return matcher


def test_metric_definitions() -> None:
    queries = [
        Query("a", ("x",), 1),        # loaded first: hit@1, rank 1
        Query("b", ("x", "y"), 2),    # expected second: hit@3 only, rank 2
        Query("c", ("x",), 3),        # expected fourth: a miss for both, rank 4 is not counted
        Query("d", ("x",), 4),        # nothing loaded (below threshold): a miss even if it ranked first
        Query("e", (), 5),            # no-skill query, something loaded: a false load
        Query("f", (), 6),            # no-skill query, nothing loaded: right
    ]
    answers = {"a": ["x", "z"], "b": ["z", "y"], "c": ["p", "q", "r", "x"], "d": [], "e": ["z"], "f": []}
    report = evaluate(Index(()), queries, _fixed(answers))
    assert (report.positives, report.negatives) == (4, 2)
    assert report.hit1 == pytest.approx(1 / 4)
    assert report.hit3 == pytest.approx(2 / 4)
    assert report.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert report.false_load_rate == pytest.approx(1 / 2)
    assert report.mean_tokens == pytest.approx((200 + 200 + 400 + 0 + 100 + 0) / 6)
    assert [o.query.line for o in report.failures] == [2, 3, 4, 5]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("not json", "not JSON", id="not-json"),
        pytest.param('{"query": "x"}', "expected", id="no-expected"),
        pytest.param('{"query": 3, "expected": []}', "expected", id="query-not-string"),
        pytest.param('{"query": "x", "expected": "a"}', "expected", id="expected-not-list"),
        pytest.param('["query"]', "expected", id="not-an-object"),
    ],
)
def test_bad_query_lines_are_usage_errors_naming_the_line(tmp_path: Path, line: str, message: str, cli: Cli) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "fine", "expected": []}\n\n' + line + "\n")
    result = cli("eval", path, "--skills", write_tree(tmp_path / "lib", {"a/SKILL.md": skill_md("a")}))
    assert result.code == 2
    assert f"{path}:3:" in result.err and message in result.err


def test_read_queries_skips_blank_lines_and_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('\n{"query": "one", "expected": ["a"], "note": "extra keys are fine"}\n\n'
                    '{"query": "two", "expected": []}\n')
    assert read_queries(path) == [Query("one", ("a",), 2), Query("two", (), 4)]


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    lib = write_tree(tmp_path / "lib", {
        "pdf-extract/SKILL.md": skill_md("pdf-extract", "Extract text and tables from PDF documents. Use when "
                                                        "the user wants to parse a PDF file."),
        "commit-messages/SKILL.md": skill_md("commit-messages", "Write conventional commit messages for staged "
                                                                "changes. Use when committing."),
        "docker-images/SKILL.md": skill_md("docker-images", "Build small Docker images with multi-stage "
                                                            "builds. Use when writing a Dockerfile."),
    })
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(q) for q in [
        {"query": "extract the tables from this pdf document", "expected": ["pdf-extract"]},
        {"query": "write a conventional commit message for the staged changes", "expected": ["commit-messages"]},
        {"query": "what is the tallest mountain in africa", "expected": []},
    ]) + "\n")
    return lib, queries


def test_cli_eval_text(small: tuple[Path, Path], cli: Cli) -> None:
    lib, queries = small
    result = cli("eval", queries, "--skills", lib)
    assert result.code == 0
    labels = [line.split()[0] for line in result.out.splitlines()]
    assert labels == ["queries", "hit@1", "hit@3", "MRR", "false-load", "reach", "false", "tokens/query", "matcher"]
    assert "3 (2 with a skill, 1 with none) over 3 skills" in result.out


def test_cli_eval_json_agrees_with_the_library_call(small: tuple[Path, Path], cli: Cli) -> None:
    lib, queries = small
    data = json.loads(cli("eval", queries, "--skills", lib, "--format", "json", "--show-failures").out)
    report = evaluate(build_index([lib])[0], read_queries(queries))
    assert data["schema_version"] == 1 and data["queries"] == 3 and data["setup"]["top_k"] == 3
    assert data["hit@1"] == round(report.hit1, 4) and data["false_load_rate"] == round(report.false_load_rate, 4)
    assert len(data["failures"]) == len(report.failures)


def test_cli_eval_show_failures_lists_misses(small: tuple[Path, Path], cli: Cli, tmp_path: Path) -> None:
    lib, _ = small
    queries = tmp_path / "hard.jsonl"
    queries.write_text(json.dumps({"query": "extract the tables from this pdf", "expected": ["docker-images"]}) + "\n")
    result = cli("eval", queries, "--skills", lib, "--show-failures")
    assert "line 1: extract the tables from this pdf" in result.out
    assert "expected: docker-images" in result.out and "loaded:   pdf-extract" in result.out


def test_cli_eval_missing_file_exits_2(tmp_path: Path, cli: Cli) -> None:
    result = cli("eval", tmp_path / "none.jsonl", "--skills", tmp_path)
    assert result.code == 2 and "query file not found" in result.err


@needs_corpus
def test_dev_set_on_the_corpus_reports_consistent_metrics(cli: Cli, tmp_path: Path) -> None:
    result = cli("eval", BENCH / "dev-queries.jsonl", "--skills", CORPUS, "--index", tmp_path / "i.json",
                 "--format", "json", "--show-failures")
    data = json.loads(result.out)
    assert result.code == 0 and data["queries"] == data["positives"] + data["negatives"]
    assert 0.0 <= data["hit@1"] <= data["hit@3"] <= 1.0 and 0.0 <= data["false_load_rate"] <= 1.0
    wrong_positives = sum(1 for f in data["failures"] if f["expected"])
    assert wrong_positives == round((1 - data["hit@1"]) * data["positives"])


def test_sweep_agrees_with_evaluating_at_each_threshold(small: tuple[Path, Path]) -> None:
    from loader.match.evaluate import sweep
    from loader.match.rank import match

    lib, queries = small
    index, items = build_index([lib])[0], read_queries(queries)
    table = sweep(index, items, [0.0, 0.4, 0.55, 0.7, 1.0], suggest=[(0, 0.45), (1, 0.0), (3, 0.3), (5, 0.6)])
    assert len(table) == 20
    for threshold, n, floor, report in table:
        direct = evaluate(index, items, lambda i, p, t=threshold, n=n, f=floor:
                          match(i, p, threshold=t, suggest=n, suggest_floor=f))
        assert report.metrics() == direct.metrics()
        assert [o.suggested for o in report.outcomes] == [o.suggested for o in direct.outcomes]


def test_cli_eval_sweep(small: tuple[Path, Path], cli: Cli) -> None:
    lib, queries = small
    text = cli("eval", queries, "--skills", lib, "--sweep")
    assert text.code == 0 and text.out.splitlines()[0].startswith("threshold  hit@1")
    assert sum("(default)" in line for line in text.out.splitlines()) == 2  # one threshold, one N
    assert any(line.startswith("suggest N  reach") for line in text.out.splitlines())
    data = json.loads(cli("eval", queries, "--skills", lib, "--sweep", "-f", "json").out)
    assert [row["suggest"] for row in data["suggest_sweep"]] == list(range(9))
    assert all(row["suggest"] == data["default_suggest"] for row in data["sweep"])
    tokens = [row["suggestion_tokens"] for row in data["suggest_sweep"]]
    assert tokens[0] == 0 and tokens == sorted(tokens)
    assert [row["threshold"] for row in data["sweep"]] == sorted(row["threshold"] for row in data["sweep"])
    rates = [row["false_load_rate"] for row in data["sweep"]]
    assert rates == sorted(rates, reverse=True)


def test_reach_and_suggestion_metrics_by_hand() -> None:
    from loader.core.tokens import count_tokens
    from loader.match.tiers import Suggestion, render_suggestions

    def offer(*names: str) -> list[Suggestion]:
        return [Suggestion(n, f"Does {n}.", f"/lib/{n}/SKILL.md", 1.0, 0.5) for n in names]

    offers = {"a": offer("y"), "b": offer("x", "w"), "c": [], "d": offer("w"), "e": offer("v"), "f": []}
    answers = {"a": ["x"], "b": [], "c": [], "d": [], "e": [], "f": []}

    def matcher(index: Index, prompt: str) -> MatchResult:
        loaded = [Match(name, 1.0, tokens=100) for name in answers[prompt]]
        return MatchResult(prompt, loaded, ranking=loaded, suggested=offers[prompt])

    queries = [Query("a", ("x",), 1),  # loaded: reached, hit@1
               Query("b", ("x",), 2),  # suggested only: reached, a body miss
               Query("c", ("x",), 3),  # neither: not reached
               Query("d", ("x",), 4),  # a wrong suggestion only: not reached
               Query("e", (), 5),      # no-skill prompt given a suggestion: a false suggestion, not a false load
               Query("f", (), 6)]      # no-skill prompt given nothing
    report = evaluate(Index(()), queries, matcher)
    assert report.hit1 == pytest.approx(1 / 4) and report.false_load_rate == 0.0
    assert report.reach == pytest.approx(2 / 4)
    assert report.false_suggest_rate == pytest.approx(1 / 2)
    one, two = count_tokens(render_suggestions(offer("y"))), count_tokens(render_suggestions(offer("x", "w")))
    assert one == count_tokens(render_suggestions(offer("w"))) == count_tokens(render_suggestions(offer("v")))
    assert report.suggestion_tokens == pytest.approx((3 * one + two) / 6)
    assert report.tokens_per_query == pytest.approx((100 + 3 * one + two) / 6)
    data = report.to_json()
    assert {"reach", "suggestion_tokens", "tokens_per_query", "false_suggest_rate"} <= set(data)
    assert data["reach"] == 0.5 and data["false_suggest_rate"] == 0.5
    assert [f["suggested"] for f in data["failures"]] == [["x", "w"], [], ["w"]]  # a suggestion is no false load
