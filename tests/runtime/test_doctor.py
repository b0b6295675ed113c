"""``skills doctor`` on a fake HOME and project laid out the way Claude Code writes them."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import skill_md, write_tree


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def skills_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``skills`` command on PATH, as a user who installed skillpack has it (the shared hook looks it up there)."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "skills").exists(), "run the tests from the environment skillpack is installed in"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def home() -> Path:
    return Path.home()


def user_skill(name: str, **kwargs: str) -> None:
    write_tree(home() / ".claude" / "skills", {f"{name}/SKILL.md": skill_md(name, **kwargs)})


def project_skill(project: Path, name: str, **kwargs: str) -> None:
    write_tree(project / ".claude" / "skills", {f"{name}/SKILL.md": skill_md(name, **kwargs)})


def write_json(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")


def install_plugin(key: str, skills: list[str], *, scope: str = "user", project: Path | None = None,
                   enabled: bool | None = True, settings: Path | None = None) -> Path:
    """Lay out a plugin as Claude Code does: cache folder, registry entry, enabledPlugins."""
    name, _, marketplace = key.partition("@")
    folder = home() / ".claude" / "plugins" / "cache" / marketplace / name / "1.0.0"
    write_json(folder / ".claude-plugin" / "plugin.json", {"name": name, "version": "1.0.0"})
    write_tree(folder / "skills", {f"{s}/SKILL.md": skill_md(s) for s in skills})
    registry = home() / ".claude" / "plugins" / "installed_plugins.json"
    doc = json.loads(registry.read_text()) if registry.exists() else {"version": 2, "plugins": {}}
    entry: dict[str, Any] = {"scope": scope, "installPath": str(folder), "version": "1.0.0",
                             "installedAt": "2026-11-01T10:00:00.000Z", "lastUpdated": "2026-11-01T10:00:00.000Z"}
    if project is not None:
        entry["projectPath"] = str(project)
    doc["plugins"].setdefault(key, []).append(entry)
    write_json(registry, doc)
    if enabled is not None:
        target = settings or home() / ".claude" / "settings.json"
        current = json.loads(target.read_text()) if target.exists() else {}
        current.setdefault("enabledPlugins", {})[key] = enabled
        write_json(target, current)
    return folder


def doctor(cli: Callable[..., Any], project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("doctor", "--project", project, "--format", "json", *args)
    assert result.err == ""
    return result.code, json.loads(result.out)


def codes(doc: dict[str, Any]) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in doc["findings"]}


def finding(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in doc["findings"] if f["code"] == code)


def test_a_healthy_setup_exits_0_with_a_short_summary(cli: Callable[..., Any], project: Path) -> None:
    user_skill("notes")
    project_skill(project, "deploy")
    install_plugin("pdf-kit@acme", ["extract"])
    result = cli("doctor", "--project", project)
    assert result.code == 0, result.out
    last = result.out.strip().splitlines()[-1]
    assert last == "3 Claude Code source(s), 3 skill(s); listing " + last.split("listing ")[1]
    assert last.endswith("no skillpack hook: healthy")
    assert "found by: ~/.claude/skills" in result.out
    assert "found by: <project>/.claude/skills" in result.out
    assert "installed_plugins.json (user scope), enabled in the user settings" in result.out
    code, doc = doctor(cli, project)
    assert code == 0 and doc["schema_version"] == 1 and doc["healthy"] is True
    names = {s["kind"]: [k["name"] for k in s["skills"]] for s in doc["sources"]}
    assert names == {"user": ["notes"], "project": ["deploy"], "plugin": ["pdf-kit:extract"]}
    assert all(f["severity"] == "info" for f in doc["findings"])


def test_a_name_in_user_and_project_is_reported_and_the_user_copy_wins(cli: Callable[..., Any], project: Path) -> None:
    user_skill("deploy")
    project_skill(project, "deploy")
    code, doc = doctor(cli, project)
    assert code == 1
    shadowed = finding(doc, "name-shadowed")
    assert shadowed["severity"] == "warning"
    assert "'deploy' is defined in user and project; the user one wins" in shadowed["message"]
    project_rows = next(s for s in doc["sources"] if s["kind"] == "project")["skills"]
    assert project_rows[0]["shadowed_by"] == "user"


def test_plugin_skills_are_namespaced_so_they_never_clash(cli: Callable[..., Any], project: Path) -> None:
    project_skill(project, "extract")
    install_plugin("pdf-kit@acme", ["extract"])
    code, doc = doctor(cli, project)
    assert code == 0 and "name-shadowed" not in codes(doc)


def test_the_combined_listing_is_checked_against_the_budget(cli: Callable[..., Any], project: Path) -> None:
    for index in range(6):
        user_skill(f"user-skill-{index}")
    install_plugin("big@acme", [f"plugin-skill-{index}" for index in range(6)])
    code, doc = doctor(cli, project, "--listing-budget", "900")
    assert code == 1
    cut = finding(doc, "listing-over-budget")
    assert cut["severity"] == "warning" and "big:plugin-skill-5" in cut["details"]
    assert "user-skill-0" not in cut["details"]  # user skills come first in the listing
    assert doc["listing"]["name_only"] == cut["details"]
    code, doc = doctor(cli, project, "--listing-budget", "60")
    assert finding(doc, "listing-dropped")["severity"] == "error"
    assert "big:plugin-skill-5" in doc["listing"]["dropped"]


def test_the_budget_comes_from_claude_codes_variable(cli: Callable[..., Any], project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    user_skill("notes")
    monkeypatch.setenv("SLASH_COMMAND_TOOL_CHAR_BUDGET", "20")
    code, doc = doctor(cli, project)
    assert code == 1 and doc["listing"]["budget_chars"] == 20
    assert doc["listing"]["name_only"] == ["notes"]


def test_an_enabled_plugin_that_is_not_installed(cli: Callable[..., Any], project: Path) -> None:
    write_json(project / ".claude" / "settings.json", {"enabledPlugins": {"team-kit@corp": True}})
    code, doc = doctor(cli, project)
    assert code == 1
    missing = finding(doc, "plugin-not-installed")
    assert "team-kit@corp is enabled in the project settings" in missing["message"]
    assert missing["fix"].startswith("in Claude Code: /plugin install team-kit@corp")


def test_a_disabled_plugin_and_another_projects_plugin_are_not_listed(cli: Callable[..., Any], project: Path,
                                                                       tmp_path: Path) -> None:
    install_plugin("off@acme", ["quiet"])
    write_json(project / ".claude" / "settings.local.json", {"enabledPlugins": {"off@acme": False}})
    other = tmp_path / "other-project"
    install_plugin("elsewhere@acme", ["other"], scope="project", project=other,
                   settings=other / ".claude" / "settings.json")
    code, doc = doctor(cli, project)
    assert code == 0
    assert [s["kind"] for s in doc["sources"]] == []
    assert "disabled in the local settings" in finding(doc, "plugin-disabled")["message"]


def test_a_project_scoped_plugin_of_this_project_is_listed(cli: Callable[..., Any], project: Path) -> None:
    install_plugin("team@corp", ["review"], scope="project", project=project,
                   settings=project / ".claude" / "settings.json")
    code, doc = doctor(cli, project)
    assert code == 0
    plugin = doc["sources"][0]
    assert plugin["kind"] == "plugin" and plugin["skills"][0]["name"] == "team:review"
    assert "(project scope), enabled in the project settings" in plugin["found_by"]


def test_claude_config_dir_moves_the_user_folder(cli: Callable[..., Any], project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "work-profile"
    write_tree(config / "skills", {"profile-skill/SKILL.md": skill_md("profile-skill")})
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(config))
    code, doc = doctor(cli, project)
    assert code == 0 and doc["config_dir"] == str(config)
    assert doc["sources"][0]["found_by"] == "$CLAUDE_CONFIG_DIR/skills"


def test_added_directories_and_other_agents_folders(cli: Callable[..., Any], project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-repo"
    write_tree(shared / ".claude" / "skills", {"shared-skill/SKILL.md": skill_md("shared-skill")})
    write_json(project / ".claude" / "settings.json", {"permissions": {"additionalDirectories": [str(shared)]}})
    write_tree(project / ".agents" / "skills", {"codex-skill/SKILL.md": skill_md("codex-skill")})
    code, doc = doctor(cli, project)
    assert code == 0
    kinds = {s["kind"]: s for s in doc["sources"]}
    assert kinds["added-dir"]["skills"][0]["name"] == "shared-skill"
    assert kinds["agents-project"]["claude_reads"] is False
    assert "agents-folder" in codes(doc)
    assert "codex-skill" not in json.dumps(doc["listing"])


def test_broken_nested_and_duplicate_skills_in_one_source(cli: Callable[..., Any], project: Path) -> None:
    write_tree(project / ".claude" / "skills", {
        "good/SKILL.md": skill_md("good"),
        "bad/SKILL.md": "---\nname: bad\ndescription: [unclosed\n---\nbody\n",
        "group/inner/SKILL.md": skill_md("inner"),
        "copy-a/SKILL.md": skill_md("same-name"),
        "copy-b/SKILL.md": skill_md("same-name"),
    })
    code, doc = doctor(cli, project)
    assert code == 1
    found = codes(doc)
    assert found["skill-invalid"] == "warning" and found["skill-nested"] == "warning"
    assert any("group/inner" in d for d in finding(doc, "skill-nested")["details"])
    assert "same-name" in finding(doc, "name-shadowed")["message"]


def test_an_unreadable_settings_file_is_a_finding_not_a_crash(cli: Callable[..., Any], project: Path) -> None:
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text("{not json", encoding="utf-8")
    code, doc = doctor(cli, project)
    assert code == 1
    assert "is not valid JSON" in finding(doc, "config-unreadable")["message"]


def test_a_hook_installed_by_skills_hook_install_is_healthy(cli: Callable[..., Any], project: Path,
                                                            skills_on_path: None) -> None:
    library = project / "skills"
    write_tree(library, {"pdf/SKILL.md": skill_md("pdf")})
    assert cli("hook", "install", "--library", library, "--project", project).code == 0
    code, doc = doctor(cli, project)
    assert code == 0, doc["findings"]
    install = doc["hook"]["installs"][0]
    assert install["scope"] == "project" and install["libraries"] == [str(library.resolve())]
    assert install["program"] and install["index_age_s"] is not None
    assert "index was written" in finding(doc, "hook-index-age")["message"]


def test_a_hook_whose_program_and_library_are_gone(cli: Callable[..., Any], project: Path) -> None:
    command = "/gone/venv/bin/skills hook --library /gone/skills"
    hooks = {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": command, "timeout": 15}]}]}
    write_json(home() / ".claude" / "settings.json", {"hooks": hooks})
    code, doc = doctor(cli, project)
    assert code == 1
    assert codes(doc)["hook-program-missing"] == "error"
    assert "/gone/skills" in finding(doc, "hook-library-missing")["message"]
    assert doc["hook"]["installs"][0]["scope"] == "user"


def test_a_hook_without_an_index_yet(cli: Callable[..., Any], project: Path) -> None:
    write_tree(project / "skills", {"pdf/SKILL.md": skill_md("pdf")})
    command = '"$CLAUDE_PROJECT_DIR"/.venv/bin/skills hook --library skills'
    (project / ".venv" / "bin").mkdir(parents=True)
    program = project / ".venv" / "bin" / "skills"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    hooks = {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": command}]}]}
    write_json(project / ".claude" / "settings.local.json", {"hooks": hooks})
    code, doc = doctor(cli, project)
    assert code == 1
    assert codes(doc) == {"hook-index-missing": "warning"}
    assert doc["hook"]["installs"][0]["program"] == str(program)
    assert finding(doc, "hook-index-missing")["fix"] == f"skills index {project.resolve() / 'skills'}"


def test_recent_lines_in_the_hook_log_are_shown(cli: Callable[..., Any], project: Path, skills_on_path: None) -> None:
    library = project / "skills"
    write_tree(library, {"pdf/SKILL.md": skill_md("pdf")})
    cli("hook", "install", "--library", library, "--project", project)
    log = home() / ".local" / "state" / "skillpack" / "hook.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    old = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(time.time() - 5 * 86400))
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    log.write_text(f"{old} FileNotFoundError: skill library not found: /old\n"
                   f"{now} OSError: disk full\n", encoding="utf-8")
    code, doc = doctor(cli, project)
    assert code == 1
    recent = finding(doc, "hook-log-recent")
    assert recent["details"][-1].endswith("OSError: disk full")
    assert doc["hook"]["log_tail"] == recent["details"]
    log.write_text(f"{old} FileNotFoundError: skill library not found: /old\n", encoding="utf-8")
    code, doc = doctor(cli, project)
    assert code == 0 and codes(doc)["hook-log-old"] == "info"


def test_a_library_both_hooked_and_in_claude_skills_is_doubled(cli: Callable[..., Any], project: Path) -> None:
    project_skill(project, "pdf")
    assert cli("hook", "install", "--library", project / ".claude" / "skills", "--project", project).code == 0
    code, doc = doctor(cli, project)
    assert code == 1
    doubled = finding(doc, "hook-doubled")
    assert "also read natively by Claude Code" in doubled["message"]


def test_a_hooked_copy_of_native_skills_is_doubled(cli: Callable[..., Any], project: Path) -> None:
    user_skill("pdf")
    write_tree(project / "library", {"pdf/SKILL.md": skill_md("pdf")})
    cli("hook", "install", "--library", project / "library", "--project", project)
    code, doc = doctor(cli, project)
    assert code == 1 and finding(doc, "hook-doubled")["details"] == ["pdf"]


def test_two_different_hook_commands_run_twice(cli: Callable[..., Any], project: Path) -> None:
    for name in ("one", "two"):
        write_tree(project / name, {f"{name}/SKILL.md": skill_md(name)})
    cli("hook", "install", "--library", project / "one", "--project", project)
    cli("hook", "install", "--library", project / "two", "--user")
    code, doc = doctor(cli, project)
    assert code == 1
    assert len(finding(doc, "hook-installed-twice")["details"]) == 2


def test_markdown_and_a_missing_project(cli: Callable[..., Any], project: Path) -> None:
    user_skill("deploy")
    project_skill(project, "deploy")
    result = cli("doctor", "--project", project, "--format", "md")
    assert result.code == 1
    assert result.out.startswith("## skills doctor\n")
    assert "| user | 1 | ~/.claude/skills | yes |" in result.out
    assert "| warning | `name-shadowed`" in result.out
    missing = cli("doctor", "--project", project / "nope")
    assert missing.code == 2 and "nope" in missing.err
