"""``skills usage``, ``skills eval --transcripts`` and ``skills calibrate`` end to end through the CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug, filler_skills, skill_md, write_tree

Cli = Callable[..., CliResult]

SKILLS = {
    "pdf-tools": "Extract tables and text from PDF files, merge and split PDF documents.",
    "chart-maker": "Draw bar charts, line charts and plots from CSV numbers with matplotlib.",
    "code-review": "Review a code diff or pull request for bugs, style and missing tests.",
    "git-helper": "Untangle git history, rebase, cherry-pick, bisect and recover lost commits.",
    "never-touched": "Translate Klingon poetry into iambic pentameter.",
}
PROMPTS = [  # (prompt, skill Claude used or None)
    ("extract the tables from this PDF report", "pdf-tools"),
    ("merge these two PDF files into one document", "pdf-tools"),
    ("split the PDF into one file per page", "pdf-tools"),
    ("draw a bar chart of the CSV numbers", "chart-maker"),
    ("plot a line chart of sales with matplotlib", "chart-maker"),
    ("review this pull request diff for bugs", "code-review"),
    ("review my code diff and point out missing tests", "code-review"),
    ("help me rebase and cherry-pick onto main", "git-helper"),
    ("I lost commits after a bad rebase, recover them with git", "git-helper"),
    ("bisect git history to find the bad commit", "git-helper"),
    ("what is the capital of France", None),
    ("thanks, that is all for today", None),
    ("rename the variable foo to bar in utils", None),
]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    files = {f"{name}/SKILL.md": skill_md(name, desc + f" Use when the user asks about {name.replace('-', ' ')}.")
             for name, desc in SKILLS.items()}
    return write_tree(tmp_path / "lib", {**files, **filler_skills()})


@pytest.fixture
def history(transcript, library: Path) -> Path:
    for session in range(2):
        t = transcript(f"session-{session}")
        for i, (prompt, used) in enumerate(PROMPTS):
            t.prompt(f"{prompt} (take {session})", blocks=bool(i % 2))
            if used == "git-helper" and session:
                t.tool("Read", {"file_path": str(library / used / "SKILL.md")})
            elif used:
                t.tool("Skill", {"skill" if i % 3 else "command": used})
            t.answer("ok")
        t.slash("pdf-tools", "")
        t.prompt("anything about diffs?").hook(["code-review"])
        t.write(truncate_last=bool(session))
    return transcript().path.parent


def test_usage_report_json(cli: Cli, history: Path, library: Path) -> None:
    result = cli("usage", "--transcripts", history, "--skills", library, "--format", "json",
                 "--listing-budget", "200")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema_version"] == 1
    assert doc["files"] == 2 and doc["sessions"] == 2
    assert doc["prompts"] == 2 * (len(PROMPTS) + 2)  # the truncated last line is session 1's hook output
    rows = {row["name"]: row for row in doc["skills"]}
    assert rows["pdf-tools"]["by_claude"] == 6 and rows["pdf-tools"]["by_user"] == 2
    assert rows["git-helper"]["by_claude"] == 3 and rows["git-helper"]["by_read"] == 3
    assert rows["code-review"]["by_hook"] == 1  # session 1's hook line was the truncated one
    assert "never-touched" in doc["never_used"] and "pdf-tools" not in doc["never_used"]
    assert doc["cut_by_listing"]  # a 200-character budget lists few descriptions
    assert set(doc["cut_by_listing"]) <= {"pdf-tools", "chart-maker", "code-review", "git-helper"}
    names = [s["name"] for s in doc["replay"]["scenarios"]]
    assert names == ["eager", "listing", "on-demand"]
    eager, _, on_demand = doc["replay"]["scenarios"]
    assert on_demand["per_turn_tokens"] < eager["per_turn_tokens"] and eager["cost_cached"] > 0
    assert "prompts_shown" not in doc and "extract the tables" not in result.out


def test_usage_text_hides_prompts_unless_asked(cli: Cli, history: Path, library: Path) -> None:
    plain = cli("usage", "--transcripts", history, "--skills", library)
    assert plain.code == 0, plain.err
    assert "pdf-tools" in plain.out and "never used: " in plain.out and "on-demand" in plain.out
    assert "extract the tables" not in plain.out
    shown = cli("usage", "--transcripts", history, "--skills", library, "--show-prompts")
    assert "- extract the tables from this PDF report (take 0)" in shown.out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_usage_other_formats(cli: Cli, history: Path, library: Path, fmt: str) -> None:
    result = cli("usage", "--transcripts", history, "--skills", library, "--format", fmt)
    assert result.code == 0, result.err
    assert ("| skill | uses" in result.out) if fmt == "md" else ("<td>pdf-tools</td>" in result.out)


def test_usage_since_and_default_folder(cli: Cli, transcript, library: Path, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    project = tmp_path / "my_project"
    project.mkdir()
    folder = Path.home() / ".claude" / "projects" / "-".join(["", *str(project).strip("/").replace("_", "/")
                                                                  .replace(".", "/").split("/")])
    transcript("s9", folder).prompt("extract tables from PDF").tool("Skill", {"skill": "pdf-tools"}).write()
    monkeypatch.chdir(project)
    result = cli("usage", "--skills", library, "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["prompts"] == 1
    later = cli("usage", "--skills", library, "-f", "json", "--since", "2027-01-01")
    assert json.loads(later.out)["prompts"] == 0
    assert cli("usage", "--skills", library, "--since", "yesterday").code == 2


def test_usage_all_projects_and_the_calibrated_threshold(cli: Cli, transcript, library: Path,
                                                          tmp_path: Path) -> None:
    projects = Path.home() / ".claude" / "projects"
    transcript("a", projects / "-srv-one").prompt("extract tables from PDF").tool("Skill", {"skill": "pdf-tools"})\
        .write()
    transcript("b", projects / "-srv-two").prompt("draw a bar chart").tool("Skill", {"skill": "chart-maker"}).write()
    index = tmp_path / "idx" / "lib.sqlite"
    doc = json.loads(cli("usage", "--all-projects", "--skills", library, "--index", index, "-f", "json").out)
    assert doc["sessions"] == 2 and doc["replay"]["threshold"] == 0.663
    (tmp_path / "idx" / "lib.config.toml").write_text("[match]\nthreshold = 0.5\n")
    doc = json.loads(cli("usage", "--all-projects", "--skills", library, "--index", index, "-f", "json").out)
    assert doc["replay"]["threshold"] == 0.5


def test_usage_without_transcripts_is_a_clear_error(cli: Cli, library: Path) -> None:
    result = cli("usage", "--skills", library)
    assert result.code == 2 and "no Claude Code transcripts at" in result.err
    missing = cli("usage", "--transcripts", "/nonexistent/x", "--skills", library)
    assert missing.code == 2 and "transcript folder not found" in missing.err


def test_eval_from_transcripts_and_export(cli: Cli, history: Path, library: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.jsonl"
    result = cli("eval", "--transcripts", history, "--skills", library, "--export", out, "-f", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["positives"] == 20 and doc["negatives"] == 0  # /name and hook-only turns are left out
    assert doc["hit@1"] > 0.5
    pairs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(pairs) == 20 and {"query", "expected", "session", "time"} <= set(pairs[0])
    assert pairs[0]["expected"] == ["pdf-tools"]
    again = cli("eval", out, "--skills", library, "-f", "json")  # the export is a valid query file
    assert json.loads(again.out)["hit@1"] == doc["hit@1"]
    with_negatives = json.loads(cli("eval", "--transcripts", history, "--skills", library, "--negatives",
                                    "-f", "json").out)
    # 3 per session, plus session 1's "anything about diffs?", whose hook line is the truncated one
    assert with_negatives["negatives"] == 7


def test_eval_on_transcripts_without_skill_use_is_a_clear_error(cli: Cli, transcript, library: Path) -> None:
    folder = transcript().prompt("hello there").answer("hi").write().parent
    result = cli("eval", "--transcripts", folder, "--skills", library)
    assert result.code == 2 and "no prompt in these transcripts used a skill of this library" in result.err


def test_eval_needs_a_query_file_or_transcripts(cli: Cli, history: Path, library: Path, tmp_path: Path) -> None:
    both = cli("eval", tmp_path / "q.jsonl", "--transcripts", history, "--skills", library)
    assert both.code == 2 and "not both" in both.err
    calibrate = cli("calibrate", "--queries", tmp_path / "q.jsonl", "--transcripts", history, "--skills", library)
    assert calibrate.code == 2 and "not both" in calibrate.err


def test_calibrate_writes_the_config_every_entry_point_reads(cli: Cli, history: Path, library: Path,
                                                             skills_bin: list[str]) -> None:
    before = cli("match", "extract tables from PDF", "--skills", library, "--explain")
    assert "(shipped default;" in before.out
    result = cli("calibrate", "--transcripts", history, "--skills", library)
    assert result.code == 0, result.err
    assert "held-out" in result.out and "shipped default" in result.out and "calibrated" in result.out
    config = library / ".skillpack" / "config.toml"
    assert config.is_file()
    import tomllib

    threshold = tomllib.loads(config.read_text())["match"]["threshold"]
    typer_run = cli("match", "extract tables from PDF", "--skills", library, "--explain")
    assert f"threshold {threshold:g} calibrated (transcripts" in typer_run.out
    fast = subprocess.run([*skills_bin, "match", "extract tables from PDF", "--skills", str(library), "--explain"],
                          capture_output=True, text=True, env=env_without_debug(), check=False)
    assert fast.stdout == typer_run.out
    override = cli("match", "extract tables from PDF", "--skills", library, "--explain", "--threshold", "0.99")
    assert "threshold 0.99 (--threshold; overrides the calibration" in override.out and "no skill" in override.out
    setup = json.loads(cli("eval", "--transcripts", history, "--skills", library, "-f", "json").out)["setup"]
    assert setup["threshold"] == threshold


def test_calibrate_from_queries_json_and_dry_run(cli: Cli, library: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text("".join(json.dumps({"query": p, "expected": [s] if s else []}) + "\n" for p, s in PROMPTS))
    result = cli("calibrate", "--queries", queries, "--skills", library, "--dry-run", "-f", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema_version"] == 1 and doc["positives"] == 10 and doc["negatives"] == 3
    assert doc["written"] is False and not (library / ".skillpack" / "config.toml").exists()
    assert set(doc["held_out"]) == {"default", "calibrated"}


def test_calibrate_refuses_too_little_data(cli: Cli, library: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"query": "extract PDF tables", "expected": ["pdf-tools"]}) + "\n")
    result = cli("calibrate", "--queries", queries, "--skills", library)
    assert result.code == 2 and "need 8" in result.err
