"""Suggestions: the candidates not sure enough to load, offered as one line each (``loader.match.tiers``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from conftest import FORM_PROMPT, TIERED, CliResult, write_tree
from loader.core.errors import SkillNotFoundError, UsageError
from loader.core.tokens import count_tokens
from loader.index import Index, build_index
from loader.match.context import render_context, render_prefix, to_anthropic_blocks
from loader.match.library import SkillLibrary
from loader.match.rank import match
from loader.match.tiers import READ_HINT, TOOL_HINT, Suggestion, render_suggestions, suggestion_line, summary_of

Cli = Callable[..., CliResult]



@pytest.fixture
def index(tmp_path: Path) -> Index:
    return build_index([write_tree(tmp_path / "lib", TIERED)])[0]


def test_summary_is_the_first_sentence_cut_at_a_word() -> None:
    assert summary_of("Fills PDF forms. Use when asked.") == "Fills PDF forms."
    assert summary_of("Version 2.1 of the tool.  Use it.") == "Version 2.1 of the tool."
    assert summary_of("  two\n lines\tjoined ") == "two lines joined"
    long = "Extracts tables from scanned PDF reports and converts them into clean CSV files for analysis. Also x."
    cut = summary_of(long, 40)
    assert cut == "Extracts tables from scanned PDF..." and len(cut) <= 40
    assert summary_of("Supercalifragilisticexpialidocious" * 3, 20) == "Supercalifragilis..."


def test_loaded_prompt_suggests_the_neighbour_never_a_manual_skill(index: Index) -> None:
    result = match(index, FORM_PROMPT)
    assert result.names == ["pdf-forms"]
    assert [s.name for s in result.suggested] == ["pdf-merge"]
    ranked = [m.skill for m in result.ranking]
    assert ranked.index("admin-reset") < ranked.index("pdf-merge")  # ranked above, still never suggested
    suggestion = result.suggested[0]
    assert suggestion.summary == "Merges and splits PDF files, reorders and rotates pages."
    assert suggestion.path == str(index.entry("pdf-merge").manifest_path) and suggestion.path.endswith("SKILL.md")
    assert suggestion.confidence == result.confidences[ranked.index("pdf-merge")]


def test_unsure_prompt_suggests_in_rank_order_and_n_is_respected(index: Index) -> None:
    result = match(index, "pdf")
    assert result.names == []
    assert [s.name for s in result.suggested] == ["pdf-merge", "pdf-forms"]
    scores = [s.score for s in result.suggested]
    assert scores == sorted(scores, reverse=True)
    assert [s.name for s in match(index, "pdf", suggest=1).suggested] == ["pdf-merge"]
    assert match(index, "pdf", suggest=0).suggested == []
    assert match(index, "pdf") == match(index, "pdf")  # deterministic, suggestions included


def test_top_k_cut_candidates_are_suggested_and_loaded_ones_never(index: Index) -> None:
    for top_k in (1, 2, 3):
        result = match(index, "invoice pdf", top_k=top_k)
        suggested = {s.name for s in result.suggested}
        assert suggested.isdisjoint(result.names) and "admin-reset" not in suggested
        assert len(result.names) + len(suggested) == 3  # invoice-totals, pdf-merge, pdf-forms


def test_floor_and_exclude(index: Index) -> None:
    assert match(index, "pdf", suggest_floor=0.99).suggested == []
    assert match(index, "what is a good name for a cat").suggested == []
    assert [s.name for s in match(index, "pdf", exclude={"pdf-merge"}).suggested] == ["pdf-forms"]


def test_suggestion_line_escapes_what_it_prints() -> None:
    line = suggestion_line(Suggestion("x", 'Opens <skill name="y"> blocks', '/tmp/a"b\n/SKILL.md', 1.0, 0.5))
    assert "\n" not in line and "<skill" not in line and '"b' not in line
    assert render_suggestions([]) == ""


def test_suggestions_go_in_the_tail_and_leave_the_prefix_byte_identical(index: Index) -> None:
    golden = Path(__file__).parents[1] / "golden"
    with_suggestions = render_context(index, match(index, FORM_PROMPT))
    without = render_context(index, match(index, FORM_PROMPT, suggest=0))
    assert with_suggestions.prefix == without.prefix == render_prefix(index)
    assert with_suggestions.suggested == ("pdf-merge",) and without.suggested == ()
    tail = with_suggestions.tail
    assert tail.startswith(without.tail) and tail.index("</skill>") < tail.index(TOOL_HINT)
    assert f"- pdf-merge: Merges and splits PDF files, reorders and rotates pages. ({index.entry('pdf-merge').path}" \
        in tail
    blocks = to_anthropic_blocks(with_suggestions)
    assert blocks[0]["text"] == without.prefix and "cache_control" not in blocks[1] and TOOL_HINT in blocks[1]["text"]
    only = render_context(index, match(index, "pdf"))
    assert only.loaded == () and only.tail.startswith(TOOL_HINT) and only.prefix == without.prefix
    assert (golden / "context_prefix_names.txt").is_file()


def test_cli_suggest_and_explain(tmp_path: Path, cli: Cli) -> None:
    lib = write_tree(tmp_path / "lib", TIERED)
    text = cli("match", "pdf", "--skills", lib, "--explain").out
    assert text.startswith("no skill\nsuggest pdf-merge\t")
    assert "confidence 0.5" in text and "below-threshold, score" in text and ", confidence 0." in text
    data = json.loads(cli("match", FORM_PROMPT, "--skills", lib, "-f", "json").out)
    assert [s["skill"] for s in data["suggested"]] == ["pdf-merge"]
    assert data["loaded"][0]["confidence"] == round(data["confidence"], 4)
    assert all(0 <= row["confidence"] < 1 for row in data["cut"])
    assert json.loads(cli("match", "pdf", "--skills", lib, "-f", "json", "--suggest", "0").out)["suggested"] == []
    context = cli("context", "pdf", "--skills", lib, "--suggest", "1").out
    assert "- pdf-merge: " in context and "- pdf-forms: " not in context
    assert cli("match", "pdf", "--skills", lib, "--suggest", "-1").code == 2


def test_fast_path_match_takes_suggest(tmp_path: Path, skills_bin: list[str]) -> None:
    import subprocess

    lib = write_tree(tmp_path / "lib", TIERED)
    done = subprocess.run([*skills_bin, "match", "pdf", "--skills", str(lib), "--suggest", "1"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines()[1].startswith("suggest pdf-merge\t")
    assert len(done.stdout.splitlines()) == 2


MESSAGES_API_TOOL = {
    "type": "object",
    "required": ["name", "input_schema"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,64}$"},
        "description": {"type": "string", "minLength": 1},
        "input_schema": {"type": "object", "required": ["type"], "properties": {"type": {"const": "object"}}},
    },
}
"""The shape of a custom tool in the Messages API ``tools`` list
(https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use)."""


def test_tool_definition_and_one_round_trip(tmp_path: Path) -> None:
    library = SkillLibrary.open(write_tree(tmp_path / "lib", TIERED), persist=False)
    tool = library.tool_definition()
    jsonschema.validate(tool, MESSAGES_API_TOOL)
    jsonschema.Draft202012Validator.check_schema(tool["input_schema"])
    json.dumps(tool)  # plain JSON, no SDK objects
    ctx = library.context("pdf")
    assert ctx.suggested == ("pdf-merge", "pdf-forms")
    # The model answers with a tool_use block; the agent runs it and sends a tool_result back.
    response = {"role": "assistant", "content": [
        {"type": "text", "text": "The form skill applies."},
        {"type": "tool_use", "id": "toolu_01", "name": tool["name"], "input": {"name": ctx.suggested[1]}}]}
    uses = [b for b in response["content"] if b["type"] == "tool_use" and b["name"] == "load_skill"]
    jsonschema.validate(uses[0]["input"], tool["input_schema"])
    results = [{"type": "tool_result", "tool_use_id": b["id"], "content": library.call_tool(b["input"])} for b in uses]
    text = results[0]["content"]
    assert text.startswith(f'<skill name="pdf-forms" folder="{library.index.entry("pdf-forms").path}">\n')
    assert "List the fields, then fill each one." in text and text.endswith("</skill>")
    with pytest.raises(SkillNotFoundError):
        library.call_tool({"name": "admin-reset"})  # manual only: not the model's to load
    with pytest.raises(SkillNotFoundError):
        library.call_tool({"name": "no-such-skill"})
    with pytest.raises(UsageError):
        library.call_tool({"skill": "pdf-forms"})


def test_hint_lines_tell_the_model_to_read_only_what_applies() -> None:
    for hint in (READ_HINT, TOOL_HINT):
        assert "SKILL.md" in hint and "only if it applies" in hint and count_tokens(hint) < 40
