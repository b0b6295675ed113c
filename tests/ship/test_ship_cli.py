from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug, write_tree

Cli = Callable[..., CliResult]


@pytest.fixture
def installed(tmp_path: Path, make_skill: Callable[..., Path], cli: Cli) -> Path:
    """A project with one skill installed from a folder; returns the project."""
    make_skill("demo-skill", extra="metadata:\n  version: 0.3.0\n", files={"scripts/tool.py": "print(1)\n"})
    project = tmp_path / "project"
    result = cli("install", tmp_path / "skills", "--project", project)
    assert result.code == 0, result.err
    return project


def lock_path(project: Path) -> Path:
    return project / ".claude" / "skills" / "skills.lock"


def test_help_lists_the_shipping_commands(cli: Cli) -> None:
    out = cli("--help").out
    for command in ("pack", "install", "verify", "list", "uninstall"):
        assert command in out


@pytest.mark.parametrize(("args", "words"), [
    pytest.param(["pack", "no-such-folder"], "not found", id="pack-missing-path"),
    pytest.param(["pack", "--bundle", "sub/x.skills"], "file name, not a path", id="bundle-path"),
    pytest.param(["install", "missing.skill"], "source not found", id="install-missing"),
    pytest.param(["install", "x", "--user", "--plugin", "p"], "cannot be used together", id="user-and-plugin"),
    pytest.param(["verify"], "lockfile", id="verify-nothing-installed"),
    pytest.param(["uninstall", "ghost"], "no skill named 'ghost'", id="uninstall-unknown"),
])
def test_could_not_run_is_exit_2_with_a_message_and_no_traceback(args: list[str], words: str, cli: Cli) -> None:
    result = cli(*args)
    assert result.code == 2
    assert words in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path, cli: Cli) -> None:
    junk = tmp_path / "junk.skill"
    junk.write_text("not a zip")
    result = cli("install", junk, "--project", tmp_path / "p")
    assert result.code == 2 and f"cannot read archive {junk}" in result.err
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(("content", "words"), [
    pytest.param("{not json", "bad lockfile", id="not-json"),
    pytest.param('{"lock_version": 99, "skills": {}}', "lock_version 99", id="future-version"),
    pytest.param('{"lock_version": 1, "skills": {"demo-skill": {"files": {"../../etc/passwd": "' + "0" * 64 + '"}}}}',
                 "'..'", id="path-traversal"),
    pytest.param('{"lock_version": 1, "skills": {"../up": {"files": {}}}}', "not a plain folder name", id="bad-name"),
    pytest.param('{"lock_version": 1, "skills": {"demo-skill": {"files": {"SKILL.md": "zz"}}}}', "sha256",
                 id="bad-digest"),
])
def test_an_untrustworthy_lockfile_is_refused(installed: Path, content: str, words: str, cli: Cli) -> None:
    lock_path(installed).write_text(content)
    for command in ("verify", "list"):
        result = cli(command, installed)
        assert result.code == 2, command
        assert words in result.err and "Traceback" not in result.err


def test_verify_json_reports_each_difference(installed: Path, cli: Cli) -> None:
    skill = installed / ".claude" / "skills" / "demo-skill"
    clean = json.loads(cli("verify", installed, "--format", "json").out)
    assert clean["ok"] is True and clean["differences"] == [] and clean["checked"] == 1
    (skill / "scripts" / "tool.py").unlink()
    (skill / "SKILL.md").write_text("changed\n")
    (skill / "extra.md").write_text("new\n")
    result = cli("verify", installed, "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["schema_version"] == 1 and report["ok"] is False
    assert report["differences"] == [
        {"skill": "demo-skill", "path": "SKILL.md", "kind": "modified"},
        {"skill": "demo-skill", "path": "extra.md", "kind": "extra"},
        {"skill": "demo-skill", "path": "scripts/tool.py", "kind": "missing"},
    ]


def test_verify_ignores_runtime_litter_and_only_notes_untracked_skills(installed: Path, cli: Cli) -> None:
    skills = installed / ".claude" / "skills"
    write_tree(skills / "demo-skill", {"scripts/__pycache__/tool.cpython-311.pyc": b"\0", ".DS_Store": b"\0"})
    write_tree(skills / "by-hand", {"SKILL.md": "---\nname: by-hand\ndescription: x\n---\n"})
    result = cli("verify", installed)
    assert result.code == 0, result.out
    assert "untracked" in result.out and "by-hand" in result.out


def test_verify_reports_a_missing_skill_and_a_symlink(installed: Path, cli: Cli, tmp_path: Path) -> None:
    skill = installed / ".claude" / "skills" / "demo-skill"
    (skill / "scripts" / "tool.py").unlink()
    (skill / "scripts" / "tool.py").symlink_to(tmp_path / "elsewhere.py")
    result = cli("verify", installed)
    assert result.code == 1 and "not-a-file" in result.out and "demo-skill/scripts/tool.py" in result.out
    shutil.rmtree(skill)
    result = cli("verify", installed)
    assert result.code == 1 and "missing-skill" in result.out


def test_list_shows_versions_and_sources(installed: Path, cli: Cli) -> None:
    text = cli("list", installed)
    assert text.code == 0
    assert "demo-skill" in text.out and "0.3.0" in text.out
    rows = json.loads(cli("list", installed, "--format", "json").out)["skills"]
    assert rows == [{"name": "demo-skill", "version": "0.3.0", "source": "../../../skills/demo-skill",
                     "files": 2, "tracked": True, "target": "claude",
                     "source_path": str(installed.parent / "skills" / "demo-skill")}]
    assert cli("list", installed.parent / "empty-project").code == 2
    (installed.parent / "other").mkdir()
    assert "no skills installed" in cli("list", installed.parent / "other").out


def test_installing_a_folder_with_errors_needs_force(tmp_path: Path, make_skill: Callable[..., Path], cli: Cli) -> None:
    make_skill("flawed", root=tmp_path / "src", extra="allowed-tools: 5\n")
    refused = cli("install", tmp_path / "src", "--project", tmp_path / "p")
    assert refused.code == 1 and "schema" in refused.err and "--force" in refused.err
    assert not (tmp_path / "p").exists()
    assert cli("install", tmp_path / "src", "--project", tmp_path / "p", "--force").code == 0


def test_pack_with_force_skips_only_skills_whose_name_cannot_be_a_folder(
        tmp_path: Path, make_skill: Callable[..., Path], cli: Cli) -> None:
    make_skill("fine", root=tmp_path / "src")
    make_skill("dashed", root=tmp_path / "src",
               text="---\nname: -dashed\ndescription: Starts with a hyphen.\n---\nbody\n")
    assert cli("pack", tmp_path / "src", "-o", tmp_path / "dist").code == 1  # errors: refused
    forced = cli("pack", tmp_path / "src", "-o", tmp_path / "dist", "--force")
    assert forced.code == 0, forced.err
    assert "'-dashed' cannot be a folder name" in forced.err
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["fine.skill", "skills.lock"]


def test_pack_json_output(tmp_path: Path, make_skill: Callable[..., Path], cli: Cli) -> None:
    make_skill("json-skill")
    result = cli("pack", tmp_path / "skills", "-o", tmp_path / "out", "--format", "json")
    report = json.loads(result.out)
    assert report["schema_version"] == 1
    assert [a["skills"] for a in report["archives"]] == [["json-skill"]]
    assert Path(report["lockfile"]).name == "skills.lock"


def test_the_console_entry_point_packs_installs_and_verifies(tmp_path: Path, make_skill: Callable[..., Path],
                                                            skills_bin: list[str]) -> None:
    make_skill("entry-skill")

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*skills_bin, *map(str, args)], cwd=tmp_path, env=env_without_debug(),
                              capture_output=True, text=True, timeout=60)

    assert run("pack", "skills", "-o", "dist").returncode == 0
    assert run("install", "dist/entry-skill.skill").returncode == 0
    assert (tmp_path / ".claude" / "skills" / "entry-skill" / "SKILL.md").is_file()
    assert run("verify").returncode == 0
    (tmp_path / ".claude" / "skills" / "entry-skill" / "SKILL.md").write_text("edited")
    failed = run("verify")
    assert failed.returncode == 1 and ".claude/skills/entry-skill/SKILL.md" in failed.stdout
