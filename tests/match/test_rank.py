"""The matcher: ranking, the no-skill decision, top-k, budget, explanations, determinism; and ``skills match``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug, skill_md, write_tree
from loader.index import Index, build_index
from loader.match.rank import DEFAULT_PARAMS, confidence_of, match, rank

Cli = Callable[..., CliResult]

SKILLS = {
    "pdf-extract": ("Extract text and tables from PDF documents. Use when the user wants to read, parse or "
                    "convert a PDF file.", "# PDF extraction\n\n## Extract tables\n\nUse pdfplumber.\n" * 3),
    "commit-messages": ("Write conventional commit messages for staged changes. Use when the user asks to "
                        "commit or describe a diff.", "# Commits\n\n## Message format\n\nfeat: fix: chore:\n"),
    "docker-images": ("Build small, secure Docker images with multi-stage builds. Use when writing or "
                      "optimising a Dockerfile.", "# Docker\n\n## Multi-stage builds\n\nUse slim bases.\n"),
    "sql-migrations": ("Plan and write safe database schema migrations for Postgres. Use when altering "
                       "tables or adding columns.", "# Migrations\n\n## Zero-downtime\n\nAdd columns first.\n"),
    "release-notes": ("Draft release notes and changelogs from merged pull requests. Use when preparing a "
                      "release.", "# Release notes\n\n## Grouping\n\nFeatures, fixes.\n"),
    "unit-testing": ("Write focused unit tests with pytest fixtures and mocks. Use when adding tests.",
                     "# Testing\n\n## Fixtures\n\nKeep tests small.\n"),
    "image-resize": ("Resize, crop and convert images in bulk. Use when the user has photos or PNG files to "
                     "process.", "# Images\n\n## Resize\n\nUse Pillow.\n"),
    "manual-deploy": ("Deploy the production stack by hand. Use only when asked to deploy production.",
                      "# Deploy\n\nRun the playbook.\n"),
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    files = {f"{name}/SKILL.md": skill_md(name, description, body) for name, (description, body) in SKILLS.items()}
    files["manual-deploy/SKILL.md"] = skill_md("manual-deploy", *SKILLS["manual-deploy"],
                                               extra="disable-model-invocation: true\n")
    return write_tree(tmp_path / "skills", files)


@pytest.fixture
def index(library: Path) -> Index:
    return build_index([library])[0]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        pytest.param("extract the tables from this PDF report", "pdf-extract", id="pdf"),
        pytest.param("write a commit message for my staged changes", "commit-messages", id="commit"),
        pytest.param("my Dockerfile builds a 2GB image, use a multi-stage build", "docker-images", id="docker"),
        pytest.param("add a column to the users table in postgres without downtime", "sql-migrations", id="sql"),
    ],
)
def test_relevant_skill_ranks_first_and_loads(index: Index, prompt: str, expected: str) -> None:
    result = match(index, prompt)
    assert result.names[:1] == [expected]
    assert result.confidence >= DEFAULT_PARAMS.threshold


@pytest.mark.parametrize(
    "prompt",
    [
        pytest.param("what is the capital of australia", id="unrelated"),
        pytest.param("", id="empty"),
        pytest.param("what is it and so what", id="stopwords-only"),
        pytest.param("🙂 ¿¡ ...", id="no-words"),
    ],
)
def test_no_skill_when_nothing_is_relevant(index: Index, prompt: str) -> None:
    result = match(index, prompt)
    assert result.matches == []
    assert all(reason in ("below-threshold", "not-invocable") for _, reason in result.cut)


def test_top_k_is_respected_and_cut_says_why(index: Index) -> None:
    prompt = "write tests, commit messages, release notes, docker images and pdf tables"
    everything = match(index, prompt, top_k=5, threshold=0.0, params=DEFAULT_PARAMS.__class__(relative=0.0))
    assert len(everything.matches) == 5
    result = match(index, prompt, top_k=2, threshold=0.0, params=DEFAULT_PARAMS.__class__(relative=0.0))
    assert result.names == everything.names[:2]
    assert [m.skill for m, reason in result.cut if reason == "top-k"] == everything.names[2:5] + [
        m.skill for m, reason in everything.cut if reason == "top-k"]


def test_budget_is_never_exceeded(index: Index) -> None:
    prompt = "extract pdf tables then write a commit message"
    free = match(index, prompt, top_k=3, threshold=0.0, params=DEFAULT_PARAMS.__class__(relative=0.0))
    assert len(free.matches) >= 2
    first = free.matches[0].tokens
    result = match(index, prompt, top_k=3, budget_tokens=first, threshold=0.0,
                   params=DEFAULT_PARAMS.__class__(relative=0.0))
    assert result.tokens <= first
    assert any(reason == "budget" for _, reason in result.cut)
    nothing = match(index, prompt, budget_tokens=0, threshold=0.0)
    assert nothing.matches == [] and nothing.tokens == 0


def test_disable_model_invocation_is_never_loaded(index: Index) -> None:
    result = match(index, "deploy the production stack by hand", threshold=0.0)
    assert "manual-deploy" not in result.names
    assert ("manual-deploy", "not-invocable") in [(m.skill, r) for m, r in result.cut]


def test_threshold_bounds(index: Index) -> None:
    assert match(index, "resize my png photos", threshold=1.0).matches == []
    assert match(index, "resize my png photos", threshold=0.0).names[0] == "image-resize"


def test_explanation_names_terms_and_fields(index: Index) -> None:
    best = match(index, "extract the tables from this PDF").matches[0]
    text = "\n".join(best.explanation)
    assert "'pdf'" in text and "name x1" in text and "description x" in text and "'tabl'" in text
    assert best.score == pytest.approx(sum(float(line.split("+")[1].split()[0]) for line in best.explanation),
                                       abs=0.05)


def test_ties_are_broken_by_name_and_output_is_deterministic(tmp_path: Path) -> None:
    same = ("Tune guitar strings by ear. Use when tuning a guitar.", "# Tuning\n\nListen.\n")
    root = write_tree(tmp_path / "lib", {f"{n}/SKILL.md": skill_md(n, *same) for n in ("zeta", "alpha", "mid")})
    index = build_index([root])[0]
    ranking, _, _, _ = rank(index, "tune my guitar")
    assert [m.skill for m in ranking] == ["alpha", "mid", "zeta"]
    assert len({m.score for m in ranking}) == 1
    assert match(index, "tune my guitar") == match(index, "tune my guitar")


def test_a_long_body_cannot_outvote_the_name_and_description(tmp_path: Path) -> None:
    filler = "Notes on unrelated matters, kept here for reference. " * 40
    files = {
        "sourdough/SKILL.md": skill_md("sourdough", "Bake sourdough bread with a starter. Use when baking bread.",
                                       "# Steps\n\nMix, fold, proof.\n"),
        "kitchen-notes/SKILL.md": skill_md("kitchen-notes", "Assorted kitchen notes. Use when cooking.",
                                           "# Notes\n\n" + ("A sourdough starter. " * 5 + filler) * 3),
    }
    for n in ("pasta", "salad", "soup"):
        files[f"{n}/SKILL.md"] = skill_md(n, f"Cook {n}. Use when making {n}.", f"# {n}\n\nCook it.\n")
    index = build_index([write_tree(tmp_path / "lib", files)])[0]
    ranking, _, _, _ = rank(index, "my sourdough starter smells odd")
    assert [m.skill for m in ranking[:2]] == ["sourdough", "kitchen-notes"]


def test_a_term_saturates_once_across_fields(index: Index) -> None:
    """BM25F: however many fields repeat a term, it adds at most ``(k1 + 1) x IDF``."""
    stats = index.stats
    for prompt in ("pdf", "release", "docker"):
        ranking, terms, _, _ = rank(index, prompt)
        (term,) = terms
        assert ranking and ranking[0].score <= (DEFAULT_PARAMS.k1 + 1) * stats.idf(term) + 1e-6
        assert ranking[0].score > stats.idf(term)  # found in the name and description: above one plain hit

def test_confidence_is_measured_in_units_of_a_unique_term() -> None:
    import math

    def unit(n: int) -> float:
        return math.log(1 + (n - 0.5) / 1.5)

    # one unique term fully matched means about the same in any large library
    for n in (1000, 10_000, 100_000):
        assert confidence_of(unit(n), 2 * unit(n), 0.0, n) == pytest.approx(0.5, abs=0.005)
    # the best of a few skills is less likely a chance match, so small libraries get credit
    small = [confidence_of(unit(n), 2 * unit(n), 0.0, n) for n in (5, 10, 50, 500)]
    assert small == sorted(small, reverse=True) and small[0] > 0.6
    assert confidence_of(5.0, 10.0, 10.0, 100) == 0.0  # every query term unknown to the library
    assert confidence_of(0.0, 10.0, 0.0, 100) == 0.0


# --- through the CLI ---------------------------------------------------------------------


def test_cli_match_text(library: Path, cli: Cli) -> None:
    result = cli("match", "extract tables from a pdf", "--skills", library)
    assert result.code == 0
    assert result.out.splitlines()[0].startswith("pdf-extract\t")


def test_cli_match_no_skill(library: Path, cli: Cli) -> None:
    result = cli("match", "how tall is mount everest", "--skills", library)
    assert result.code == 0 and result.out.strip() == "no skill"


def test_cli_match_explain_shows_terms_and_what_was_cut(library: Path, cli: Cli) -> None:
    result = cli("match", "extract tables from a pdf", "--skills", library, "--explain", "--top-k", "1")
    assert "'pdf' +" in result.out and "confidence" in result.out


def test_cli_match_json_top_k_and_budget(library: Path, cli: Cli) -> None:
    result = cli("match", "write a commit message and extract pdf tables", "--skills", library,
                 "--format", "json", "--top-k", "1", "--budget", "100000")
    data = json.loads(result.out)
    assert data["schema_version"] == 1 and len(data["loaded"]) <= 1
    assert data["loaded"][0]["explanation"] and data["tokens"] == data["loaded"][0]["tokens"]
    zero = json.loads(cli("match", "extract pdf tables", "--skills", library, "-f", "json", "--budget", "0").out)
    assert zero["loaded"] == [] and any(c["reason"] == "budget" for c in zero["cut"])


def test_cli_match_bad_options_exit_2(library: Path, cli: Cli) -> None:
    assert cli("match", "x", "--skills", library, "--top-k", "0").code == 2
    assert cli("match", "x", "--skills", library / "missing").code == 2


def test_skills_match_subprocess_uses_the_real_entry_point(library: Path, skills_bin: list[str]) -> None:
    proc = subprocess.run([*skills_bin, "match", "resize these png photos", "--skills", str(library),
                           "--format", "json"], capture_output=True, text=True, env=env_without_debug(), check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["loaded"][0]["skill"] == "image-resize"


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param([], id="text"),
        pytest.param(["--explain", "--top-k", "2"], id="explain"),
        pytest.param(["--format", "json", "--budget", "50"], id="json-budget"),
    ],
)
def test_fast_path_prints_exactly_what_the_cli_prints(library: Path, cli: Cli, extra: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from loader.cli.match_output import fast_main

    args = ["extract the tables from this pdf and commit", "--skills", str(library), *extra]
    expected = cli("match", *args)
    assert fast_main(args) == expected.code == 0
    assert capsys.readouterr().out == expected.out


@pytest.mark.parametrize("args", [["--help"], ["x", "--top-k", "0"], ["x", "--bogus"], [], ["x", "-f", "xml"]])
def test_fast_path_defers_to_the_full_cli_for_anything_unusual(args: list[str]) -> None:
    from loader.cli.match_output import fast_main

    assert fast_main(args) is None


def test_a_huge_pasted_prompt_keeps_only_its_most_specific_terms(index: Index) -> None:
    from loader.match.rank import MAX_QUERY_TERMS

    noise = " ".join(f"word{i} token{i}x" for i in range(3000))
    result = match(index, f"{noise} extract the tables from this pdfplumber pdf")
    assert len(result.query_terms) == MAX_QUERY_TERMS
    assert "pdfplumber" in result.query_terms


def test_empty_library_matches_nothing(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "empty").mkdir()
    index = build_index([tmp_path / "empty"])[0]
    assert len(index) == 0 and match(index, "extract pdf tables").matches == []
    assert cli("match", "extract pdf tables", "--skills", tmp_path / "empty").out.strip() == "no skill"


def test_several_libraries_and_a_single_skill_path(library: Path, tmp_path: Path, cli: Cli) -> None:
    extra = write_tree(tmp_path / "extra", {"zebra-care/SKILL.md": skill_md(
        "zebra-care", "Feed and groom zebras at the zoo. Use when the user asks about zebra care.")})
    both = cli("match", "how do I groom a zebra", "--skills", library, "--skills", extra, "-f", "json")
    assert json.loads(both.out)["loaded"][0]["skill"] == "zebra-care"
    single = cli("match", "how do I groom a zebra", "--skills", extra / "zebra-care" / "SKILL.md", "-f", "json")
    assert [m["skill"] for m in json.loads(single.out)["loaded"]] == ["zebra-care"]
