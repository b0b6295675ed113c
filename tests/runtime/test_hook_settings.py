"""``skills hook install`` / ``uninstall``: merging into Claude Code's settings.json without damage."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import env_without_debug
from loader.core.errors import UsageError
from loader.runtime.hook_settings import BACKUP_SUFFIX, install, is_our_command, uninstall

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


def test_cli_install_then_the_installed_command_runs(cli: Callable[..., Any], library: Path, tmp_path: Path) -> None:
    project = library.parent
    result = cli("hook", "install", "--project", project)
    assert result.code == 0 and "added the skillpack hook" in result.out and "3 skills indexed" in result.out
    settings = json.loads((project / ".claude" / "settings.json").read_text())
    [command] = our_commands(settings, "UserPromptSubmit")
    event = {"session_id": "s", "transcript_path": "/dev/null", "cwd": str(project),
             "hook_event_name": "UserPromptSubmit", "prompt": "Please fill in the fields of this PDF form."}
    done = subprocess.run(shlex.split(command), input=json.dumps(event).encode(), capture_output=True,
                          env=env_without_debug(), timeout=60)
    assert done.returncode == 0
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    again = cli("hook", "install", "--project", project)
    assert again.code == 0 and "already" in again.out
    removed = cli("hook", "uninstall", "--project", project)
    assert removed.code == 0 and "removed" in removed.out
    settings = project / ".claude" / "settings.json"  # none existed before install: none is left, nor `{}`
    assert not settings.exists() and not settings.with_name("settings.json.skillpack-backup").exists()


def test_cli_user_install_writes_home_settings(cli: Callable[..., Any], library: Path) -> None:
    result = cli("hook", "install", "--user", "--library", library)
    assert result.code == 0
    home_settings = Path.home() / ".claude" / "settings.json"
    assert our_commands(json.loads(home_settings.read_text()), "UserPromptSubmit")
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
