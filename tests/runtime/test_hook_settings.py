"""``skills hook install`` / ``uninstall``: merging into Claude Code's settings.json without damage."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import env_without_debug
from loader.core.errors import UsageError
from loader.runtime.hook_command import is_our_command
from loader.runtime.hook_settings import BACKUP_SUFFIX, install, uninstall

THEIRS: dict[str, Any] = {
    "permissions": {"allow": ["Bash(npm test)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./check.sh"}]}],
        "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "date"}]}],
    },
    "model": "opus",
}


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms",
               description="Fills in PDF forms field by field. Use when the user wants to fill a PDF form.")
    make_skill("invoice-totals", description="Checks invoice totals, tax lines and currency rounding. "
               "Use when the user asks to verify or reconcile an invoice.")
    make_skill("git-bisect", description="Finds the commit that introduced a regression with git bisect. "
               "Use when the user asks which commit broke something.")
    return tmp_path / "skills"


def our_commands(settings: dict[str, Any], event: str) -> list[str]:
    return [h["command"] for group in settings["hooks"].get(event, []) for h in group["hooks"]
            if is_our_command(h["command"])]


def test_install_into_a_new_file(tmp_path: Path, library: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    change = install(path, [library])
    settings = json.loads(path.read_text())
    assert change.changed and change.backup is None
    [command] = our_commands(settings, "UserPromptSubmit")
    assert shlex.split(command)[-3:] == ["hook", "--library", str(library.resolve())]
    [group] = settings["hooks"]["SessionStart"]
    assert group["matcher"] == "compact|clear" and is_our_command(group["hooks"][0]["command"])


def test_install_keeps_everything_else_and_backs_up(tmp_path: Path, library: Path) -> None:
    path = tmp_path / "settings.json"
    original = json.dumps(THEIRS, indent=4)
    path.write_text(original)
    change = install(path, [library])
    settings = json.loads(path.read_text())
    assert list(settings) == ["permissions", "hooks", "model"]
    assert settings["permissions"] == THEIRS["permissions"] and settings["model"] == "opus"
    assert settings["hooks"]["PreToolUse"] == THEIRS["hooks"]["PreToolUse"]
    assert settings["hooks"]["UserPromptSubmit"][0] == THEIRS["hooks"]["UserPromptSubmit"][0]
    assert len(our_commands(settings, "UserPromptSubmit")) == 1
    assert change.backup == path.with_name("settings.json" + BACKUP_SUFFIX)
    assert change.backup.read_text() == original


def test_install_is_idempotent_and_updates_the_library(tmp_path: Path, library: Path,
                                                      make_skill: Callable[..., Path]) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(THEIRS))
    install(path, [library])
    first = path.read_bytes()
    again = install(path, [library])
    assert not again.changed and path.read_bytes() == first
    other = make_skill("x", root=tmp_path / "other").parent
    install(path, [other])
    [command] = our_commands(json.loads(path.read_text()), "UserPromptSubmit")
    assert str(other.resolve()) in command and str(library.resolve()) not in command


def test_uninstall_removes_only_ours(tmp_path: Path, library: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(THEIRS))
    install(path, [library])
    change = uninstall(path)
    assert change.changed
    assert json.loads(path.read_text()) == THEIRS
    assert not uninstall(path).changed


def test_uninstall_removes_the_containers_it_emptied(tmp_path: Path, library: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model": "opus"}))
    install(path, [library])
    uninstall(path)
    assert json.loads(path.read_text()) == {"model": "opus"}


def test_uninstall_leaves_a_users_empty_hooks_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"hooks": {}}')
    assert not uninstall(path).changed and path.read_text() == '{"hooks": {}}'


@pytest.mark.parametrize("text", [
    pytest.param("{ broken", id="not-json"),
    pytest.param("[]", id="array"),
    pytest.param('{"hooks": []}', id="hooks-not-object"),
    pytest.param('{"hooks": {"UserPromptSubmit": {}}}', id="event-not-list"),
])
def test_refuses_settings_it_cannot_read(tmp_path: Path, library: Path, text: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(text)
    with pytest.raises(UsageError):
        install(path, [library])
    assert path.read_text() == text and not path.with_name("settings.json" + BACKUP_SUFFIX).exists()


@pytest.mark.parametrize(("command", "ours"), [
    ("/venv/bin/skills hook --library /lib", True),
    ("skills hook --library '/my lib' --budget 100", True),
    ("/usr/bin/python -c 'from loader.cli.entry import run; run()' hook --library /lib", True),
    ("skills hook", False),
    ("other-tool hook --library /lib", False),
    ("date", False),
    ("echo 'unbalanced", False),
])
def test_is_our_command(command: str, ours: bool) -> None:
    assert is_our_command(command) is ours


EVENT = {"session_id": "s", "transcript_path": "/dev/null", "hook_event_name": "UserPromptSubmit",
         "prompt": "Please fill in the fields of this PDF form."}


def run_in_shell(command: str, project: Path, *, path: str) -> subprocess.CompletedProcess[bytes]:
    """Run a settings command the way Claude Code does: through a shell, with CLAUDE_PROJECT_DIR set."""
    env = {**env_without_debug(), "CLAUDE_PROJECT_DIR": str(project), "PATH": path}
    return subprocess.run(["/bin/sh", "-c", command], input=json.dumps({**EVENT, "cwd": str(project)}).encode(),
                          capture_output=True, env=env, timeout=60, cwd=project)


def with_skills_on_path() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def test_cli_install_then_the_installed_command_runs(cli: Callable[..., Any], library: Path, tmp_path: Path) -> None:
    project = library.parent
    result = cli("hook", "install", "--project", project)
    assert result.code == 0 and "added the skillpack hook" in result.out and "3 skills indexed" in result.out
    settings = json.loads((project / ".claude" / "settings.json").read_text())
    [command] = our_commands(settings, "UserPromptSubmit")
    done = run_in_shell(command, project, path=with_skills_on_path())
    assert done.returncode == 0, done.stderr
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    again = cli("hook", "install", "--project", project)
    assert again.code == 0 and "already" in again.out
    removed = cli("hook", "uninstall", "--project", project)
    assert removed.code == 0 and "removed" in removed.out
    settings = project / ".claude" / "settings.json"  # none existed before install: none is left, nor `{}`
    assert not settings.exists() and not settings.with_name("settings.json.skillpack-backup").exists()


def test_the_shared_settings_hold_no_path_of_this_machine_and_work_after_a_move(
        cli: Callable[..., Any], library: Path, tmp_path: Path) -> None:
    project = library.parent
    assert cli("hook", "install", "--project", project).code == 0
    text = (project / ".claude" / "settings.json").read_text()
    machine_paths = {str(tmp_path), str(project), str(library), str(Path.home()), sys.prefix, sys.executable,
                     str(Path(sys.executable).parent), str(Path.cwd())}
    assert not [p for p in machine_paths if p in text], text
    [command] = our_commands(json.loads(text), "UserPromptSubmit")
    assert '"$CLAUDE_PROJECT_DIR"/skills' in command
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.move(str(project), moved)
    try:
        done = run_in_shell(command, moved, path=with_skills_on_path())
        assert done.returncode == 0, done.stderr
        context = json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
        assert "pdf-forms" in context and str(moved / "skills") in context and f"{project}/" not in context
    finally:
        shutil.move(str(moved), project)


def test_without_skills_on_path_the_hook_logs_one_clear_line_and_lets_the_prompt_go(
        cli: Callable[..., Any], library: Path, tmp_path: Path) -> None:
    project = library.parent
    assert cli("hook", "install", "--project", project).code == 0
    [command] = our_commands(json.loads((project / ".claude" / "settings.json").read_text()), "UserPromptSubmit")
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    for tool in ("mkdir", "date"):  # what the fallback needs, and nothing named skills
        found = shutil.which(tool)
        assert found
        (empty_bin / tool).symlink_to(found)
    done = run_in_shell(command, project, path=str(empty_bin))
    assert done.returncode == 0 and done.stdout == b""
    log = (Path(os.environ["XDG_STATE_HOME"]) / "skillpack" / "hook.log").read_text()
    [line] = log.splitlines()
    assert "the skills command is not on PATH" in line and "skills hook install --local" in line


def test_hook_check_runs_the_installed_command_and_names_what_fails(
        cli: Callable[..., Any], library: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = library.parent
    assert cli("hook", "check", "--project", project).code == 1, "nothing installed yet"
    assert cli("hook", "install", "--project", project).code == 0
    monkeypatch.setenv("PATH", with_skills_on_path())
    ok = cli("hook", "check", "--project", project)
    assert ok.code == 0 and ok.out.startswith("ok") and "settings.json: runs" in ok.out
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    for tool in ("mkdir", "date", "sh"):
        found = shutil.which(tool)
        assert found
        (empty_bin / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(empty_bin))
    failed = cli("hook", "check", "--project", project)
    assert failed.code == 1 and "FAILED" in failed.out and "not on PATH" in failed.out
    monkeypatch.setenv("PATH", with_skills_on_path())
    assert cli("hook", "install", "--project", project, "--local").code == 0
    both = cli("hook", "check", "--project", project)
    assert both.code == 0 and [line.split()[0] for line in both.out.splitlines()] == ["ok", "ok"]
    assert "settings.local.json: runs" in both.out


def test_local_install_writes_the_personal_file_with_absolute_paths(cli: Callable[..., Any], library: Path) -> None:
    project = library.parent
    result = cli("hook", "install", "--project", project, "--local")
    assert result.code == 0, result.err
    assert not (project / ".claude" / "settings.json").exists()
    [command] = our_commands(json.loads((project / ".claude" / "settings.local.json").read_text()),
                             "UserPromptSubmit")
    assert str(library.resolve()) in command and shlex.split(command)[0].startswith("/")
    assert cli("hook", "install", "--local", "--user").code == 2
    assert cli("hook", "uninstall", "--project", project, "--local").code == 0
    assert not (project / ".claude" / "settings.local.json").exists()  # it held only the hook: removed, not {}


def test_a_library_outside_the_project_is_added_to_additional_directories_and_removed_exactly(
        cli: Callable[..., Any], library: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    settings_file = project / ".claude" / "settings.json"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"permissions": {"additionalDirectories": ["../docs"]}}))
    result = cli("hook", "install", "--project", project, "--library", library)
    assert result.code == 0, result.err
    assert "../skills to permissions.additionalDirectories" in result.out
    settings = json.loads(settings_file.read_text())
    assert settings["permissions"]["additionalDirectories"] == ["../docs", "../skills"]
    assert str(tmp_path) not in settings_file.read_text()
    [command] = our_commands(settings, "UserPromptSubmit")
    assert '"$CLAUDE_PROJECT_DIR"/../skills' in command
    assert cli("hook", "install", "--project", project, "--library", library).out.startswith("the skillpack hook is")
    assert cli("hook", "uninstall", "--project", project).code == 0
    assert json.loads(settings_file.read_text()) == {"permissions": {"additionalDirectories": ["../docs"]}}


def test_an_entry_the_user_wrote_stays_after_uninstall(cli: Callable[..., Any], library: Path,
                                                       tmp_path: Path) -> None:
    project = tmp_path / "project"
    settings_file = project / ".claude" / "settings.json"
    settings_file.parent.mkdir(parents=True)
    mine = {"permissions": {"additionalDirectories": ["../skills"]}}
    settings_file.write_text(json.dumps(mine))
    result = cli("hook", "install", "--project", project, "--library", library)
    assert result.code == 0 and "additionalDirectories" not in result.out
    assert cli("hook", "uninstall", "--project", project).code == 0
    assert json.loads(settings_file.read_text()) == mine


def test_install_warns_about_skills_also_in_claude_skills_and_about_blocked_reads(
        cli: Callable[..., Any], library: Path, tmp_path: Path, make_skill: Callable[..., Path]) -> None:
    project = tmp_path / "project"
    make_skill("pdf-forms", root=project / ".claude" / "skills")
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"permissions": {"blockReadsOutsideWorkingDirectories": True}}))
    result = cli("hook", "install", "--project", project, "--library", library)
    assert result.code == 0
    assert "1 skill(s) of the library are also in" in result.err and "pdf-forms" in result.err
    assert "blockReadsOutsideWorkingDirectories" in result.err


def test_cli_user_install_writes_home_settings(cli: Callable[..., Any], library: Path) -> None:
    result = cli("hook", "install", "--user", "--library", library)
    assert result.code == 0
    home_settings = Path.home() / ".claude" / "settings.json"
    settings = json.loads(home_settings.read_text())
    assert our_commands(settings, "UserPromptSubmit")
    assert settings["permissions"]["additionalDirectories"] == [str(library.resolve())], "read from every project"
    assert cli("hook", "uninstall", "--user").code == 0
    assert not home_settings.exists()


def test_uninstall_back_to_the_saved_version_drops_the_backup(cli: Callable[..., Any], library: Path,
                                                              tmp_path: Path) -> None:
    settings = tmp_path / "p" / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"model": "opus"}\n')
    assert cli("hook", "install", "--library", library, "--project", tmp_path / "p").code == 0
    backup = settings.with_name("settings.json.skillpack-backup")
    assert backup.exists()
    removed = cli("hook", "uninstall", "--project", tmp_path / "p")
    assert removed.code == 0 and "previous version saved" not in removed.out
    assert json.loads(settings.read_text()) == {"model": "opus"} and not backup.exists()


def test_cli_errors_exit_2(cli: Callable[..., Any], tmp_path: Path, library: Path) -> None:
    assert cli("hook", "install", "--library", tmp_path / "missing").code == 2
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text("{ broken")
    result = cli("hook", "install", "--project", tmp_path, "--library", library)
    assert result.code == 2 and "not valid JSON" in result.err


def test_a_library_in_the_home_folder_is_named_from_home(cli: Callable[..., Any], tmp_path: Path,
                                                         make_skill: Callable[..., Path]) -> None:
    library = Path.home() / "team-skills"
    make_skill("pdf-forms", root=library,
               description="Fills in PDF forms field by field. Use when the user wants to fill a PDF form.")
    make_skill("git-bisect", root=library, description="Finds the commit that introduced a regression with "
               "git bisect. Use when the user asks which commit broke something.")
    project = tmp_path / "project"
    project.mkdir()
    result = cli("hook", "install", "--project", project, "--library", library)
    assert result.code == 0, result.err
    text = (project / ".claude" / "settings.json").read_text()
    assert str(Path.home()) not in text
    settings = json.loads(text)
    assert settings["permissions"]["additionalDirectories"] == ["~/team-skills"]
    [command] = our_commands(settings, "UserPromptSubmit")
    assert '"$HOME"/team-skills' in command
    done = run_in_shell(command, project, path=with_skills_on_path())
    assert done.returncode == 0, done.stderr
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]


def test_a_settings_file_that_links_into_a_dotfiles_repo_stays_a_link(cli: Callable[..., Any], library: Path,
                                                                     tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "claude-settings.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text(json.dumps(THEIRS), encoding="utf-8")
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.symlink_to(dotfiles)
    result = cli("hook", "install", "--library", library, "--project", tmp_path)
    assert result.code == 0, result.err
    assert settings.is_symlink() and settings.resolve() == dotfiles.resolve()
    written = json.loads(dotfiles.read_text(encoding="utf-8"))
    assert written["model"] == "opus" and our_commands(written, "UserPromptSubmit")


def test_a_read_only_settings_file_is_refused_not_rewritten(cli: Callable[..., Any], library: Path,
                                                           tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps(THEIRS), encoding="utf-8")
    settings.chmod(0o444)
    result = cli("hook", "install", "--library", library, "--project", tmp_path)
    assert result.code == 2 and "read-only" in result.err and "Traceback" not in result.err
    assert json.loads(settings.read_text(encoding="utf-8")) == THEIRS


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_settings_json_is_refused_without_hanging(skills_bin: list[str], library: Path,
                                                              tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    os.mkfifo(settings)
    done = subprocess.run([*skills_bin, "hook", "install", "--library", str(library), "--project", str(tmp_path)],
                          capture_output=True, timeout=30, env=env_without_debug())
    assert done.returncode == 2 and b"not a regular file" in done.stderr


def test_hook_check_of_a_missing_project_is_exit_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("hook", "check", "--project", tmp_path / "nowhere")
    assert result.code == 2 and "project folder not found" in result.err
