"""The calibration file: read by the API, the hook, MCP and ``skills context``; ignored when unusable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import filler_skills, skill_md, write_tree
from loader.index import open_index
from loader.match.calibration import (
    Calibration,
    calibrated_threshold,
    config_path,
    config_path_for,
    read_calibration,
    write_calibration,
)
from loader.match.library import SkillLibrary

PROMPT = "extract the tables from this PDF report"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "lib", {
        "pdf-tools/SKILL.md": skill_md("pdf-tools", "Extract tables and text from PDF files. Use for PDF reports."),
        **filler_skills()})


def _calibrate(library: Path, threshold: float) -> Path:
    path = config_path_for([library])
    write_calibration(Calibration(threshold, path, "queries q.jsonl", 40, "2026-12-01T00:00:00+00:00"), default=0.663,
                      table=[("cv_hit1_default", 0.5)])
    return path


def test_round_trip_and_location(library: Path, tmp_path: Path) -> None:
    path = _calibrate(library, 0.7)
    assert path == library / ".skillpack" / "config.toml"
    found = read_calibration(path)
    assert found == Calibration(0.7, path, "queries q.jsonl", 40, "2026-12-01T00:00:00+00:00")
    assert "calibrated (queries q.jsonl, 40 prompts, 2026-12-01;" in found.describe()
    assert config_path(tmp_path / "cache" / "0123abcd.sqlite").name == "0123abcd.config.toml"


@pytest.mark.parametrize("text", ["", "[match]\nthreshold = 'high'\n", "[match]\nthreshold = 1.5\n", "not toml [",
                                  "threshold = 0.5\n", "[match]\nthreshold = true\n"])
def test_unusable_config_means_the_default(library: Path, text: str) -> None:
    path = config_path_for([library])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    assert read_calibration(path) is None
    index, _ = open_index([library])
    assert calibrated_threshold(index) is None


def test_api_uses_the_calibration_and_an_explicit_threshold_wins(library: Path) -> None:
    assert SkillLibrary.open([library]).match(PROMPT).names == ["pdf-tools"]
    _calibrate(library, 0.99)
    opened = SkillLibrary.open([library])
    assert opened.match(PROMPT).names == []
    assert opened.match(PROMPT, threshold=0.1).names == ["pdf-tools"]


def test_custom_index_path_has_its_own_calibration(library: Path, tmp_path: Path) -> None:
    index_path = tmp_path / "elsewhere" / "lib.sqlite"
    opened = SkillLibrary.open([library], index_path=index_path)
    write_calibration(Calibration(0.99, config_path(index_path)), default=0.663)
    assert opened.match(PROMPT).names == []
    assert SkillLibrary.open([library]).match(PROMPT).names == ["pdf-tools"]


def test_mcp_and_context_read_it(library: Path, cli) -> None:
    from loader.runtime.mcp import search

    index, _ = open_index([library])
    assert [row["recommended"] for row in search(index, PROMPT, top_k=1)["skills"]] == [True]
    assert "<skill name=\"pdf-tools\"" in cli("context", PROMPT, "--skills", library).out
    _calibrate(library, 0.99)
    assert [row["recommended"] for row in search(index, PROMPT, top_k=1)["skills"]] == [False]
    assert "<skill name=\"pdf-tools\"" not in cli("context", PROMPT, "--skills", library).out


def test_hook_reads_it(library: Path) -> None:
    from loader.runtime.hook import handle
    from loader.runtime.hook_input import HookEvent, HookOptions

    event = HookEvent("UserPromptSubmit", "", PROMPT, str(library.parent))
    options = HookOptions(libraries=(str(library),), suggest=0)  # bodies only: the threshold decides alone
    reply = handle(event, options)
    assert reply is not None and "pdf-tools" in json.loads(reply.output)["hookSpecificOutput"]["additionalContext"]
    _calibrate(library, 0.99)
    assert handle(event, options) is None
