"""The Claude Code hook, run as Claude Code runs it: a subprocess with event JSON on stdin."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import env_without_debug, write_tree
from loader.core.tokens import count_tokens
from loader.runtime.hook import render_context
from loader.runtime.hook_input import HookInputError, HookOptions, parse_args, parse_event
from loader.runtime.hook_state import MAX_SKILLS_PER_SESSION, SessionMemory, log_path, prune_sessions

PDF_BODY = "# Filling PDF forms\n\n## Steps\n\n1. List the form fields with scripts/fields.py.\n2. Fill each field.\n"


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", description="Fills in PDF forms, finding the form fields and writes values into them. "
               "Use when the user wants to fill a PDF form or its fields.", body=PDF_BODY,
               files={"scripts/fields.py": "print('fields')\n"})
    make_skill("invoice-totals", description="Checks invoice totals, tax lines and currency rounding. "
               "Use when the user asks to verify or reconcile an invoice.",
               body="# Invoice totals\n\nAdd the lines, then compare with the stated total.\n")
    make_skill("git-bisect", description="Finds the commit that introduced a regression with git bisect. "
               "Use when the user asks which commit broke something.",
               body="# Bisecting\n\nMark a good and a bad commit, then test each step.\n")
    return tmp_path / "skills"


def event(prompt: str, session: str = "session-1", name: str = "UserPromptSubmit", **extra: str) -> str:
    return json.dumps({"session_id": session, "transcript_path": "/tmp/transcript.jsonl", "cwd": str(Path.cwd()),
                       "hook_event_name": name, "prompt": prompt, **extra})


def hook_env(**extra: str) -> dict[str, str]:
    """The subprocess environment, without a CLAUDE_PROJECT_DIR leaking in from a surrounding session."""
    env = env_without_debug()
    env.pop("CLAUDE_PROJECT_DIR", None)
    return {**env, **extra}


def run_hook(skills_bin: list[str], stdin: str | bytes, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([*skills_bin, "hook", *map(str, args)], input=data, capture_output=True,
                          env=hook_env(), timeout=60)


def context_of(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    return str(reply["hookSpecificOutput"]["additionalContext"])


def log_lines() -> list[str]:
    path = log_path()
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


PDF_PROMPT = "Can you fill in the fields of this PDF form for me?"


def test_matching_prompt_adds_the_right_skill_with_its_folder(skills_bin: list[str], library: Path) -> None:
    done = run_hook(skills_bin, event(PDF_PROMPT), "--library", library)
    context = context_of(done)
    header = context.splitlines()[0]
    assert "pdf-forms (score" in header and "invoice-totals" not in context
    assert f'folder="{library.resolve() / "pdf-forms"}"' in context
    assert "List the form fields with scripts/fields.py." in context
    assert done.stderr == b"" and log_lines() == []


def test_unrelated_prompt_prints_nothing(skills_bin: list[str], library: Path) -> None:
    done = run_hook(skills_bin, event("What is a good name for a cat?"), "--library", library)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert log_lines() == []


@pytest.mark.parametrize("stdin", [
    pytest.param(b"not json at all", id="garbage"),
    pytest.param(b"\xff\xfe\x00binary", id="binary"),
    pytest.param(b"[1, 2, 3]", id="array"),
    pytest.param(json.dumps({"hook_event_name": "UserPromptSubmit", "prompt": 42}).encode(), id="wrong-type"),
])
def test_bad_stdin_fails_open_with_one_log_line(skills_bin: list[str], library: Path, stdin: bytes) -> None:
    done = run_hook(skills_bin, stdin, "--library", library)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    lines = log_lines()
    assert len(lines) == 1 and "HookInputError" in lines[0]


def test_missing_library_fails_open(skills_bin: list[str], tmp_path: Path) -> None:
    done = run_hook(skills_bin, event(PDF_PROMPT), "--library", tmp_path / "nowhere")
    assert (done.returncode, done.stdout) == (0, b"")
    assert len(log_lines()) == 1 and "nowhere" in log_lines()[0]


def test_default_library_is_skills_in_the_event_cwd(skills_bin: list[str], library: Path) -> None:
    done = run_hook(skills_bin, json.dumps({"session_id": "s", "hook_event_name": "UserPromptSubmit",
                                            "cwd": str(library.parent), "prompt": PDF_PROMPT}))
    assert "pdf-forms" in context_of(done).splitlines()[0]


def test_default_library_prefers_claude_project_dir(skills_bin: list[str], library: Path, tmp_path: Path) -> None:
    event_json = json.dumps({"session_id": "s", "hook_event_name": "UserPromptSubmit",
                             "cwd": str(tmp_path / "elsewhere"), "prompt": PDF_PROMPT})
    done = subprocess.run([*skills_bin, "hook"], input=event_json.encode(), capture_output=True, timeout=60,
                          env=hook_env(CLAUDE_PROJECT_DIR=str(library.parent)))
    assert "pdf-forms" in context_of(done).splitlines()[0]


def test_unchanged_skill_is_not_sent_twice_in_a_session(skills_bin: list[str], library: Path) -> None:
    assert "pdf-forms" in context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))
    again = run_hook(skills_bin, event("Now fill the PDF form fields of the second file."), "--library", library)
    assert (again.returncode, again.stdout) == (0, b"")
    other_session = run_hook(skills_bin, event(PDF_PROMPT, session="session-2"), "--library", library)
    assert "pdf-forms" in context_of(other_session)


def test_changed_skill_is_sent_again(skills_bin: list[str], library: Path) -> None:
    context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))
    skill = library / "pdf-forms" / "SKILL.md"
    text = skill.read_text().replace("2. Fill each field.", "2. Fill each field, then flatten the form.")
    skill.write_text(text)
    os.utime(skill, ns=(time.time_ns(), time.time_ns() + 10**9))  # a distinct mtime, even on coarse clocks
    context = context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))
    assert "then flatten the form" in context


def test_session_start_after_compaction_resets_the_memory(skills_bin: list[str], library: Path) -> None:
    context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))
    reset = run_hook(skills_bin, event("", name="SessionStart", source="compact"), "--library", library)
    assert (reset.returncode, reset.stdout) == (0, b"")
    assert "pdf-forms" in context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))


def test_budget_cuts_the_body_and_points_to_the_file(skills_bin: list[str], make_skill: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    steps = "".join(f"{n}. Fill field number {n} of the PDF form and check it.\n" for n in range(1, 400))
    make_skill("pdf-forms", root=tmp_path / "big", body=f"# Filling PDF forms\n\n{steps}",
               description="Fills in PDF forms field by field. Use when the user wants to fill a PDF form.")
    context = context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", tmp_path / "big", "--budget", "300"))
    assert count_tokens(context) <= 300
    assert "1. Fill field number 1 " in context and "399. Fill" not in context
    assert str(tmp_path.resolve() / "big" / "pdf-forms" / "SKILL.md") + "; read that file" in context


def test_fast_path_imports_no_cli_or_schema_modules(skills_bin: list[str], library: Path) -> None:
    write_tree(library, {"broken/SKILL.md": "no frontmatter\n"})  # left out of the index, with a warning
    # A settled library, as a user's is: files written just now are too fresh for the index to
    # trust their timestamps (RACY_NS), which makes the next run re-check them.
    settled = time.time() - 60
    for path in [library, *library.rglob("*")]:
        os.utime(path, (settled, settled), follow_symlinks=False)
    context_of(run_hook(skills_bin, event(PDF_PROMPT), "--library", library))  # builds the index
    # which created .skillpack/ in the library just now: the next run re-checks the root and
    # stores that it is settled; the one after is every later prompt's case
    context_of(run_hook(skills_bin, event(PDF_PROMPT, session="s8"), "--library", library))
    # The hook ends with os._exit (no atexit, no teardown): the probe looks just before it. Beside the
    # CLI's and the validator's modules, what @dataclass, typing.Protocol, OpenSSL's hashlib and
    # pathlib cost the hook's start-up stays out too (docs/architecture.md, "What the hook may
    # import"), here with a library outside the working folder (the settings are read).
    probe = ("import os, sys\n"
             "real_exit = os._exit\n"
             "def probe_exit(code):\n"
             "    sys.stderr.write(repr(sorted(m for m in ('typer', 'click', 'jsonschema', 'loader.cli.main', "
             "'loader.cli.app', 'loader.validate.load', 'dataclasses', 'typing', 'hashlib', 'inspect', 'pathlib') "
             "if m in sys.modules)))\n"
             "    sys.stderr.flush()\n"
             "    real_exit(code)\n"
             "os._exit = probe_exit\n"
             f"sys.argv = ['skills', 'hook', '--library', {str(library)!r}]\n"
             "from loader.cli.entry import run\nrun()\n")
    done = subprocess.run([skills_bin[0], "-c", probe], input=event(PDF_PROMPT, session="s9").encode(),
                          capture_output=True, env=env_without_debug(), timeout=60)
    assert done.returncode == 0 and b"pdf-forms" in done.stdout
    assert done.stderr == b"[]"


def test_in_process_command_and_help(cli: Callable[..., object], library: Path) -> None:
    result = cli("hook", "--library", library, stdin=event(PDF_PROMPT))
    assert result.code == 0 and "pdf-forms" in json.loads(result.out)["hookSpecificOutput"]["additionalContext"]
    helped = cli("hook", "--help")
    assert helped.code == 0 and "install" in helped.out and "--library" in helped.out


def test_help_goes_through_the_full_cli(skills_bin: list[str]) -> None:
    done = subprocess.run([*skills_bin, "hook", "--help"], capture_output=True, env=env_without_debug(), timeout=60)
    assert done.returncode == 0 and b"uninstall" in done.stdout


@pytest.mark.parametrize(("args", "expected"), [
    pytest.param([], HookOptions(), id="defaults"),
    pytest.param(["--library", "a", "--library=b", "-l", "c", "--budget", "10"],
                 HookOptions(libraries=("a", "b", "c"), budget_tokens=10), id="options"),
    pytest.param(["--top-k", "0"], None, id="zero"),
    pytest.param(["install"], None, id="subcommand"),
    pytest.param(["--help"], None, id="help"),
    pytest.param(["--library"], None, id="missing-value"),
])
def test_parse_args(args: list[str], expected: HookOptions | None) -> None:
    assert parse_args(args) == expected


@pytest.mark.parametrize("data", [b"{", b'"text"', b'{"prompt": ["a"]}', b'{"session_id": 5, "prompt": "x"}'])
def test_parse_event_rejects(data: bytes) -> None:
    with pytest.raises(HookInputError):
        parse_event(data)


def test_parse_event_accepts_extra_fields() -> None:
    parsed = parse_event(event("hi", permission_mode="default").encode())
    assert (parsed.event, parsed.prompt, parsed.session_id) == ("UserPromptSubmit", "hi", "session-1")


def test_render_context_lists_left_out_skills() -> None:
    from loader.runtime.hook import Loaded

    text = render_context([Loaded("a", 5.0, "/lib/a", "Body A"), Loaded("b", 4.0, "/lib/b", None)])
    assert text.splitlines()[0] == "skillpack loaded 1 skill for this prompt: a (score 5.00)."
    assert "b (/lib/b/SKILL.md)" in text and '<skill name="a" folder="/lib/a">\nBody A\n</skill>' in text


def test_session_memory_is_bounded_and_survives_corruption(tmp_path: Path) -> None:
    memory = SessionMemory("s", "lib", root=tmp_path)
    memory.remember({f"skill-{n}": "h" for n in range(MAX_SKILLS_PER_SESSION + 5)})
    sent = memory.sent()
    assert len(sent) == MAX_SKILLS_PER_SESSION and "skill-0" not in sent
    memory.path.write_text("{ not json")
    assert memory.sent() == {}
    memory.remember({"a": "1"})
    assert memory.sent() == {"a": "1"}
    assert SessionMemory("s", "other-lib", root=tmp_path).sent() == {}


def test_prune_sessions_keeps_recent_and_bounded(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    root.mkdir()
    now = time.time()
    for n in range(6):
        path = root / f"{n}.json"
        path.write_text("{}")
        os.utime(path, (now - n * 10, now - n * 10))
    old = root / "old.json"
    old.write_text("{}")
    os.utime(old, (now - 30 * 86400, now - 30 * 86400))
    removed = prune_sessions(root, now=now, max_files=4, max_age_s=86400)
    assert removed == 3
    assert sorted(p.name for p in root.iterdir()) == ["0.json", "1.json", "2.json", "3.json"]


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_a_terminal_on_stdin_gets_a_hint_instead_of_a_hang(skills_bin: list[str], library: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    try:
        done = subprocess.run([*skills_bin, "hook", "--library", str(library)], stdin=terminal, capture_output=True,
                              env=env_without_debug(), timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    assert (done.returncode, done.stdout) == (0, b"") and b"skills hook install" in done.stderr


def test_debug_mode_prints_the_traceback_to_stderr(skills_bin: list[str], library: Path) -> None:
    done = subprocess.run([*skills_bin, "hook", "--library", str(library)], input=b"{bad",
                          capture_output=True, env={**env_without_debug(), "SKILLPACK_DEBUG": "1"}, timeout=60)
    assert (done.returncode, done.stdout) == (0, b"") and b"HookInputError" in done.stderr


def test_long_prompt_is_matched_on_its_head_and_tail(skills_bin: list[str], library: Path) -> None:
    from loader.core.text import MAX_PROMPT_CHARS, prompt_for_matching

    pasted = "lorem ipsum dolor sit amet " * (MAX_PROMPT_CHARS // 10)
    prompt = f"{pasted}\n\n{PDF_PROMPT}"
    assert len(prompt_for_matching(prompt)) <= MAX_PROMPT_CHARS + 1
    assert prompt_for_matching(prompt).endswith(PDF_PROMPT) and prompt_for_matching("short") == "short"
    assert "pdf-forms" in context_of(run_hook(skills_bin, event(prompt), "--library", library)).splitlines()[0]
