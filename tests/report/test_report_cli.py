"""``skills report`` through its real entry points, on small libraries and on the shared corpus."""

from __future__ import annotations

import json
import math
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import BENCH, CORPUS, REPO, CliResult, env_without_debug, needs_corpus, skill_md

Cli = Callable[..., CliResult]


def documented_schema() -> dict[str, Any]:
    """The JSON Schema block in docs/report.md: the test keeps the docs and the output in step."""
    text = (REPO / "docs" / "report.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- report-json-schema -->\s*```json\n(.*?)```", text, re.DOTALL)
    assert block, "docs/report.md lost its JSON schema block"
    schema: dict[str, Any] = json.loads(block.group(1))
    return schema


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", description="Fill in PDF forms. Use when the user has a PDF form to complete.",
               body="# Steps\n\n1. Open the form.\n2. Fill every field.\n",
               files={"reference/fields.md": "# Fields\n\nText, checkbox and signature fields.\n"})
    make_skill("sql-review", description="Review SQL queries for correctness. Use when asked to check SQL.",
               body="# Review\n\nCheck joins, indexes and NULL handling.\n")
    make_skill("manual-deploy", extra="disable-model-invocation: true\n")
    return tmp_path / "skills"


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    path = tmp_path / "prompts.jsonl"
    rows = [{"query": "please fill in this PDF form for me", "expected": ["pdf-forms"]},
            {"query": "what is the capital of France", "expected": []}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_json_report_counts_the_library_with_the_chosen_counter(cli: Cli, library: Path) -> None:
    result = cli("report", library, "--format", "json", "--counter", "chars4", "--turns", "10")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    rows = {r["name"]: r for r in data["rows"]}
    skill_text = (library / "pdf-forms" / "SKILL.md").read_text(encoding="utf-8")
    body = "\n# Steps\n\n1. Open the form.\n2. Fill every field.\n"
    assert skill_text.endswith(body)
    ref = "# Fields\n\nText, checkbox and signature fields.\n"
    entry = "- pdf-forms: Fill in PDF forms. Use when the user has a PDF form to complete.\n"
    assert rows["pdf-forms"]["skill_md_tokens"] == math.ceil(len(skill_text) / 4)
    assert rows["pdf-forms"]["body_tokens"] == math.ceil(len(body) / 4)
    assert rows["pdf-forms"]["reference_tokens"] == math.ceil(len(ref) / 4)
    assert rows["pdf-forms"]["listing_tokens"] == math.ceil(len(entry) / 4)
    assert rows["manual-deploy"]["listing_status"] == "not-listed"
    assert data["counter"] == {"name": "chars/4", "exact": False}
    assert data["eager"]["stable_tokens"] == sum(r["skill_md_tokens"] for r in data["rows"])
    assert data["on_demand"] is None and data["savings"]["vs_eager"] is None
    assert data["listing"]["fits"] and data["listing"]["budget_chars"] == 8000


def test_json_output_matches_the_documented_schema(cli: Cli, library: Path, queries: Path) -> None:
    schema = documented_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for extra in ([], ["--queries", str(queries)], ["--listing-budget", "20"]):
        result = cli("report", library, "-f", "json", *extra)
        assert result.code == 0, result.err
        jsonschema.validate(json.loads(result.out), schema, cls=jsonschema.Draft202012Validator)


def test_with_prompts_the_report_measures_on_demand_loading(cli: Cli, library: Path, queries: Path) -> None:
    data = json.loads(cli("report", library, "-f", "json", "--queries", queries).out)
    od = data["on_demand"]
    assert od["queries"] == 2
    assert od["stable_tokens"] == data["prefix_tokens"] > 0
    assert data["savings"]["vs_eager"]["tokens_per_turn"] == pytest.approx(
        data["eager"]["per_turn_tokens"] - od["per_turn_tokens"], abs=0.1)
    loads = {r["name"]: r["loads"] for r in data["rows"]}
    assert loads["manual-deploy"] == 0  # never auto-loaded


def test_text_report_has_a_headline_names_its_counter_and_explains_missing_prompts(cli: Cli, library: Path,
                                                                                  queries: Path) -> None:
    without = cli("report", library)
    assert without.code == 0
    assert "on-demand depends on the prompts" in without.out.splitlines()[0]
    assert "pass --queries" in without.out
    assert "estimate-v2 (an estimate)" in without.out
    with_prompts = cli("report", library, "--queries", queries)
    assert re.match(r"on-demand loading saves \d+\.\d% of skill context per turn", with_prompts.out)


def test_markdown_report_is_a_table_to_paste(cli: Cli, library: Path) -> None:
    out = cli("report", library, "-f", "md").out
    assert out.startswith("### Skill context report")
    assert "| eager: every SKILL.md |" in out and "| `pdf-forms` |" in out


def test_gates_exit_1_and_say_why(cli: Cli, library: Path) -> None:
    over = cli("report", library, "--listing-budget", "30", "--fail-over-budget")
    assert over.code == 1 and "over the 30-char budget" in over.err
    assert cli("report", library, "--listing-budget", "30").code == 0  # reported, not gated
    prefix = cli("report", library, "--max-prefix-tokens", "1")
    assert prefix.code == 1 and "max-prefix-tokens" in prefix.err
    assert cli("report", library, "--max-prefix-tokens", "100000", "--fail-over-budget").code == 0


@pytest.mark.parametrize("args", [
    pytest.param(["--model", "gpt-9"], id="unknown-model"),
    pytest.param(["--counter", "nope"], id="unknown-counter"),
    pytest.param(["--queries", "missing.jsonl"], id="missing-queries"),
    pytest.param(["--turns", "0"], id="zero-turns"),
])
def test_bad_options_cannot_run(cli: Cli, library: Path, args: list[str]) -> None:
    result = cli("report", library, *args)
    assert result.code == 2, result.out


def test_missing_library_cannot_run(cli: Cli, tmp_path: Path) -> None:
    assert cli("report", tmp_path / "nowhere").code == 2


def test_price_flags_change_the_money_not_the_tokens(cli: Cli, library: Path) -> None:
    base = json.loads(cli("report", library, "-f", "json", "--turns", "1").out)
    dear = json.loads(cli("report", library, "-f", "json", "--turns", "1", "--price-input", "30",
                          "--price-cache-write", "60", "--price-cache-read", "3").out)
    assert dear["eager"]["stable_tokens"] == base["eager"]["stable_tokens"]
    assert dear["eager"]["cost_uncached_usd"] == pytest.approx(base["eager"]["stable_tokens"] * 30 / 1e6, abs=1e-6)
    assert dear["eager"]["cost_cached_usd"] == pytest.approx(base["eager"]["stable_tokens"] * 60 / 1e6, abs=1e-6)
    assert dear["prices"]["source"] == "command-line flags"


def test_output_file_is_written_and_nothing_goes_into_the_library(cli: Cli, library: Path, tmp_path: Path) -> None:
    before = sorted(p.relative_to(library) for p in library.rglob("*"))
    target = tmp_path / "out" / "report.json"
    result = cli("report", library, "-f", "json", "-o", target)
    assert result.code == 0 and result.out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1
    assert sorted(p.relative_to(library) for p in library.rglob("*")) == before


def test_default_library_is_dot_skills(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "proj" / "skills" / "one-skill"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(skill_md("one-skill"), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "proj")
    assert json.loads(cli("report", "-f", "json").out)["skills"] == 1


def test_subprocess_entry_point(skills_bin: list[str], library: Path) -> None:
    proc = subprocess.run([*skills_bin, "report", str(library), "--format", "json"], capture_output=True,
                          text=True, env=env_without_debug(), timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["skills"] == 3


@needs_corpus
def test_corpus_report_with_the_dev_prompts(cli: Cli) -> None:
    result = cli("report", CORPUS, "-f", "json", "--queries", BENCH / "dev-queries.jsonl")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    jsonschema.validate(data, documented_schema(), cls=jsonschema.Draft202012Validator)
    assert data["skills"] > 200 and data["on_demand"]["queries"] > 100
    # the corpus is far larger than Claude Code's default listing budget
    assert not data["listing"]["fits"] and data["listing"]["name_only"]
    assert data["eager"]["per_turn_tokens"] > data["listing"]["per_turn_tokens"] > data["prefix_tokens"]
    assert 0 < data["savings"]["vs_eager"]["percent"] < 100


def test_headline_admits_when_on_demand_costs_more(cli: Cli, make_skill: Callable[..., Path], queries: Path,
                                                   tmp_path: Path) -> None:
    make_skill("pdf-forms", description="PDF forms.", body="Fill.\n")
    out = cli("report", tmp_path / "skills", "--queries", queries).out
    assert out.startswith("on-demand loading costs") and "small enough to load whole" in out


def test_empty_library_says_so_and_broken_skills_are_counted(cli: Cli, make_skill: Callable[..., Path],
                                                             tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert cli("report", tmp_path / "empty").out.startswith("no usable skills found")
    make_skill("good-skill")
    make_skill("broken-skill", text="---\nname: [unclosed\n---\nbody\n")
    result = cli("report", tmp_path / "skills", "-f", "json")
    assert result.code == 0
    assert json.loads(result.out)["skills"] == 1
    assert "1 skill folder left out" in result.err and "left out " in result.err and "broken-skill" in result.err


def test_reach_and_suggestion_tokens(cli: Cli, library: Path, queries: Path) -> None:
    data = json.loads(cli("report", library, "-f", "json", "--queries", str(queries), "--listing-budget", "20").out)
    listed = [r for r in data["rows"] if r["invocable"]]
    assert data["on_demand"]["reach"] == len(listed)
    assert data["listing"]["reach"] == len(listed) - len(data["listing"]["dropped"]) < len(listed)
    assert 0 <= data["on_demand"]["suggestion_tokens"] <= data["on_demand"]["volatile_tokens"]
    text = cli("report", library, "--queries", str(queries), "--listing-budget", "20").out
    assert f"listing can reach {data['listing']['reach']} of {len(listed)}" in text and "suggestions (mean)" in text
