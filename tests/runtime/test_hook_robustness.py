"""The hook exits 0 on every input and never hangs, run as Claude Code runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import env_without_debug
from loader.runtime.hook_state import SessionMemory, log_path

HANG_GUARD_S = 20
"""Not a speed check: a hung hook fails the test instead of the whole run."""
PDF_PROMPT = "Can you fill in the fields of this PDF form for me?"
S = "\ud800"
"""A lone surrogate: valid as a JSON escape, not encodable as UTF-8."""


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", description="Fills in PDF forms, finding the form fields and writes values into them. "
               "Use when the user wants to fill a PDF form or its fields.",
               body="# Filling PDF forms\n\n1. List the form fields.\n")
    make_skill("git-bisect", description="Finds the commit that introduced a regression with git bisect. "
               "Use when the user asks which commit broke something.", body="# Bisecting\n\nMark good and bad.\n")
    return tmp_path / "skills"


def event(**fields: object) -> bytes:
    doc = {"session_id": "s1", "hook_event_name": "UserPromptSubmit", "cwd": str(Path.cwd()),
           "transcript_path": "/tmp/t.jsonl", "prompt": PDF_PROMPT, **fields}
    return json.dumps({k: v for k, v in doc.items() if v is not None}).encode()


def run_hook(skills_bin: list[str], stdin: bytes, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    env = env_without_debug()
    env.pop("CLAUDE_PROJECT_DIR", None)
    return subprocess.run([*skills_bin, "hook", *map(str, args)], input=stdin, capture_output=True, env=env,
                          timeout=HANG_GUARD_S)


def log_lines() -> list[str]:
    path = log_path()
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def assert_failed_open(done: subprocess.CompletedProcess[bytes]) -> None:
    """Exit 0, nothing on stderr, stdout empty or one JSON reply, at most one log line."""
    assert (done.returncode, done.stderr) == (0, b"")
    if done.stdout:
        assert json.loads(done.stdout)["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    assert len(log_lines()) <= 1


BAD_EVENTS = [
    pytest.param(b"", id="empty"),
    pytest.param(b"not json", id="non-json"),
    pytest.param(b"\xff\xfe\x00\x01", id="binary"),
    pytest.param(b"\xef\xbb\xbf" + event(), id="bom"),
    pytest.param(b"[1, 2]", id="json-list"),
    pytest.param(b'"UserPromptSubmit"', id="json-string"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b"3.5e999", id="json-number"),
    pytest.param(b"[" * 200_000, id="deep-nesting"),
    pytest.param(b"{}", id="empty-object"),
    pytest.param(event(session_id=None, cwd=None, transcript_path=None), id="prompt-only"),
    pytest.param(event(prompt=None), id="no-prompt"),
    pytest.param(event(hook_event_name=None), id="no-event-name"),
    pytest.param(event(prompt=42), id="prompt-number"),
    pytest.param(event(prompt={"text": PDF_PROMPT}), id="prompt-object"),
    pytest.param(event(session_id=["s1"]), id="session-list"),
    pytest.param(event(session_id=7), id="session-number"),
    pytest.param(event(cwd=False), id="cwd-bool"),
    pytest.param(event(hook_event_name=0), id="event-name-number"),
    pytest.param(event(session_id=S), id="surrogate-session"),
    pytest.param(event(session_id=S * 40 + "\udfff"), id="surrogates-session-long"),
    pytest.param(event(prompt=f"{PDF_PROMPT} {S}"), id="surrogate-prompt"),
    pytest.param(event(prompt=S * 100_000), id="surrogate-only-prompt"),
    pytest.param(event(cwd=f"/tmp/{S}"), id="surrogate-cwd"),
    pytest.param(event(hook_event_name=f"UserPromptSubmit{S}"), id="surrogate-event-name"),
    pytest.param(event(transcript_path=S), id="surrogate-transcript"),
    pytest.param(event(**{S: S}), id="surrogate-key"),
    pytest.param(event(hook_event_name="SessionStart", session_id=S), id="surrogate-session-start"),
    pytest.param(event(prompt="\x00" * 1000 + PDF_PROMPT), id="nul-prompt"),
    pytest.param(event(prompt=("lorem ipsum " * 200_000) + PDF_PROMPT), id="huge-prompt-2mb"),
    pytest.param(event(prompt="x" * (9 * 1024 * 1024)), id="over-8mb-event"),
]


@pytest.mark.parametrize("stdin", BAD_EVENTS)
def test_any_event_exits_0_without_output_on_stderr(skills_bin: list[str], library: Path, stdin: bytes) -> None:
    assert_failed_open(run_hook(skills_bin, stdin, "--library", library))


def test_surrogate_session_id_still_loads_and_remembers(skills_bin: list[str], library: Path) -> None:
    first = run_hook(skills_bin, event(session_id=S), "--library", library)
    assert_failed_open(first)
    assert "pdf-forms" in json.loads(first.stdout)["hookSpecificOutput"]["additionalContext"]
    again = run_hook(skills_bin, event(session_id=S), "--library", library)
    assert (again.returncode, again.stdout) == (0, b"")  # sent once per session, as for any id
    assert log_lines() == []


def test_an_error_about_a_surrogate_is_logged_in_one_line(skills_bin: list[str], tmp_path: Path) -> None:
    done = run_hook(skills_bin, event(session_id=S, cwd=f"/{S}"))  # default library: skills/ in that cwd
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    lines = log_lines()
    assert len(lines) == 1 and "session=\\ud800" in lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_the_log_file_does_not_hang(skills_bin: list[str], library: Path) -> None:
    log_path().parent.mkdir(parents=True)
    os.mkfifo(log_path())
    done = run_hook(skills_bin, b"{not json", "--library", library)  # makes the hook log a line
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_the_session_file_does_not_hang(skills_bin: list[str], library: Path) -> None:
    memory = SessionMemory("s1", str(library.resolve()))
    memory.root.mkdir(parents=True)
    os.mkfifo(memory.path)
    done = run_hook(skills_bin, event(), "--library", library)
    assert_failed_open(done)
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    assert memory.path.is_file() and "pdf-forms" in memory.sent()  # replaced by a real file



@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_at_the_index_path_does_not_hang(skills_bin: list[str], library: Path) -> None:
    from loader.index import default_index_path

    index = default_index_path([library])
    index.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(index)
    done = run_hook(skills_bin, event(), "--library", library)
    assert_failed_open(done)
    assert "pdf-forms" in json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    assert index.is_file()  # not an index: rebuilt in its place
    match = subprocess.run([*skills_bin, "match", "fill in a pdf form",
                            "--skills", str(library)], capture_output=True, timeout=20, env=env_without_debug())
    assert match.returncode == 0 and b"pdf-forms" in match.stdout
