"""Install targets: claude and agents, in a project and in HOME, each with its own skills.lock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult

Cli = Callable[..., CliResult]


@pytest.fixture
def source(tmp_path: Path, make_skill: Callable[..., Path]) -> Path:
    make_skill("shared-skill", root=tmp_path / "src", extra="metadata:\n  version: 1.2.0\n")
    return tmp_path / "src"


@pytest.mark.parametrize(("args", "where"), [
    pytest.param([], "project/.claude/skills", id="claude-default"),
    pytest.param(["--target", "claude"], "project/.claude/skills", id="claude"),
    pytest.param(["--target", "agents"], "project/.agents/skills", id="agents"),
    pytest.param(["--target", "claude", "--user"], "home/.claude/skills", id="claude-user"),
    pytest.param(["--target", "agents", "--user"], "home/.agents/skills", id="agents-user"),
    pytest.param(["--user"], "home/.claude/skills", id="user-default"),
    pytest.param(["--target", "../custom/skills"], "custom/skills", id="folder"),
])
def test_each_target_installs_verifies_lists_and_uninstalls(
        args: list[str], where: str, source: Path, tmp_path: Path, cli: Cli,
        monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    result = cli("install", source, *args)
    assert result.code == 0, result.err
    folder = tmp_path / where
    assert (folder / "shared-skill" / "SKILL.md").is_file()
    assert "shared-skill" in json.loads((folder / "skills.lock").read_text())["skills"]
    others = {tmp_path / w for w in ("project/.claude/skills", "project/.agents/skills", "home/.claude/skills",
                                     "home/.agents/skills", "custom/skills")} - {folder}
    assert not any(o.exists() for o in others), "nothing is written anywhere else"
    assert not (project / ".agents" / ".claude-plugin").exists()

    verified = cli("verify", *args, "--format", "json")
    assert verified.code == 0, verified.err
    assert json.loads(verified.out)["target"] == str(folder)
    (folder / "shared-skill" / "SKILL.md").write_text("edited\n")
    assert cli("verify", *args).code == 1

    listed = json.loads(cli("list", "--format", "json", *args).out)
    assert [(s["name"], s["version"]) for s in listed["skills"]] == [("shared-skill", "1.2.0")]
    assert [t["path"] for t in listed["targets"]] == [str(folder)]

    gone = cli("uninstall", "shared-skill", *args)
    assert gone.code == 0, gone.err
    assert not (folder / "shared-skill").exists()
    assert json.loads((folder / "skills.lock").read_text())["skills"] == {}


def test_list_shows_every_target_it_finds_with_its_name(source: Path, tmp_path: Path, cli: Cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    for args in ([], ["--target", "agents"], ["--target", "agents", "--user"]):
        assert cli("install", source, *args).code == 0
    report = json.loads(cli("list", "--format", "json").out)
    assert [t["target"] for t in report["targets"]] == ["claude", "agents", "agents (user)"]
    assert sorted(s["target"] for s in report["skills"]) == ["agents", "agents (user)", "claude"]
    text = cli("list").out
    for header in ("claude: .claude/skills", "agents: .agents/skills", "agents (user): "):
        assert header in text
    only_home = json.loads(cli("list", "--user", "--format", "json").out)
    assert [t["target"] for t in only_home["targets"]] == ["agents (user)"]


def test_uninstall_finds_the_target_and_asks_when_two_hold_the_skill(source: Path, tmp_path: Path, cli: Cli,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("install", source, "--target", "agents").code == 0
    assert cli("install", source).code == 0
    both = cli("uninstall", "shared-skill")
    assert both.code == 2 and "claude and agents" in both.err and "--target" in both.err
    assert cli("uninstall", "shared-skill", "--target", "claude").code == 0
    found = cli("uninstall", "shared-skill")
    assert found.code == 0 and "(agents)" in found.out
    assert not (tmp_path / ".agents" / "skills" / "shared-skill").exists()


@pytest.mark.parametrize(("args", "words"), [
    pytest.param(["--target", "somewhere", "--user"], "named target", id="user-with-folder"),
    pytest.param(["--target", "agents", "--plugin", "p"], "cannot be used together", id="plugin-with-target"),
])
def test_contradicting_target_options_are_refused(args: list[str], words: str, source: Path, cli: Cli) -> None:
    result = cli("install", source, *args)
    assert result.code == 2 and words in result.err
