"""Text normalisation: the index and the matcher must agree on what a term is."""

from __future__ import annotations

import pytest

from loader.core.text import headings, query_terms, stem, terms


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(["test", "tests", "testing", "tested"], "test", id="verb-and-plural"),
        pytest.param(["invoice", "invoices", "invoicing"], "invoic", id="drop-e"),
        pytest.param(["create", "created", "creating"], "creat", id="create"),
        pytest.param(["map", "mapped", "mapping"], "map", id="undouble"),
        pytest.param(["dependency", "dependencies"], "dependency", id="ies"),
        pytest.param(["box", "boxes"], "box", id="es-after-x"),
        pytest.param(["deploy", "deployment", "deployments"], "deploy", id="ment"),
        pytest.param(["simplify", "simplifier", "simplified", "simplifies", "simplification"], "simplify", id="ify"),
    ],
)
def test_stem_conflates_obvious_variants(words: list[str], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


@pytest.mark.parametrize("word", ["analysis", "class", "status", "docker", "string", "kubernetes", "s3", "42"])
def test_stem_leaves_words_that_only_look_inflected(word: str) -> None:
    assert stem(word) == word


def test_terms_lowercase_drop_stopwords_and_punctuation() -> None:
    assert terms("Please, REVIEW the Pull-Requests!") == ["review", "pull", "request", "pullrequest"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("gh-fix-ci", ["gh", "fix", "ci", "ghfixci"], id="kebab"),
        pytest.param("snake_case_name", ["snak", "cas", "nam", "snakecasenam"], id="snake"),
        pytest.param("pdfToText", ["pdf", "text", "pdftotext"], id="camel"),
        pytest.param("HTTPServer", ["http", "server", "httpserver"], id="acronym"),
        pytest.param("S3 EC2 502s v4", ["s3", "ec2", "502s", "v4"], id="letters-and-digits-stay-together"),
        pytest.param("deploy.sh", ["deploy", "sh"], id="dot-splits-without-join"),
        pytest.param("don't user's", ["user"], id="apostrophes"),
        pytest.param("port 3000 on 2024", ["port", "3000", "2024"], id="digits-kept"),
    ],
)
def test_identifiers_split(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_query_terms_weigh_identifier_pieces_half_and_ignore_repeats() -> None:
    weights = query_terms("DynamoDB table, table, TABLE")
    assert weights == {"dynamo": 0.5, "db": 0.5, "dynamodb": 0.5, "tabl": 1.0}


def test_query_terms_of_stopwords_only_is_empty() -> None:
    assert query_terms("what is it? and then, so what?") == {}


def test_headings_extracts_atx_headings_only() -> None:
    md = "# Title\n\ntext # not a heading\n\n## Steps ##\n```\n#comment\n```\n   ### Deep\n"
    assert headings(md).splitlines()[:2] == ["Title", "Steps"]
    assert "Deep" in headings(md)
    assert "not a heading" not in headings(md)


def test_terms_are_deterministic_and_pure() -> None:
    text = "Render the FooBar widget; render_foo_bar again."
    assert terms(text) == terms(text)


def test_acronym_plurals_meet_their_singular() -> None:
    from loader.core.text import terms

    assert terms("APIs PRs SDKs") == terms("API PR SDK") == ["api", "pr", "sdk"]
    assert terms("HTTPServer") == ["http", "server", "httpserver"]  # camelCase still splits
