"""Shared fixtures: file-tree factories, an isolated environment, and an in-process CLI runner."""

from __future__ import annotations

import io
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
BENCH = REPO.parent / "shared" / "bench"

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared skill corpus is not present at {CORPUS} (only in the project workspace)"
)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{"relative/path": content}`` under ``root``; text is dedented, bytes written as-is."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def skill_md(name: str, description: str | None = None, body: str = "# Steps\n\n1. Do the thing.\n",
             extra: str = "") -> str:
    """A well-formed SKILL.md text (passes every rule in both profiles by default)."""
    description = description or (
        f"Explains how to {name.replace('-', ' ')} step by step. "
        f"Use when the user asks to {name.replace('-', ' ')}."
    )
    return f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n{body}"


def filler_skills() -> dict[str, str]:
    """Eight unrelated skills, so the matcher's IDF statistics mean something (two skills are too few)."""
    topics = ["git commit messages", "docker images", "sql query review", "release notes", "python unit tests",
              "incident postmortems", "email drafts", "calendar scheduling"]
    names = ["-".join(topic.split()[:2]) for topic in topics]
    return {f"{name}/SKILL.md": skill_md(name, description=f"Writes and reviews {topic} for the team. "
                                                          f"Use when the user works on {topic}.")
            for name, topic in zip(names, topics, strict=True)}


SAMPLE_LIBRARY = {
    "pdf-tools/SKILL.md": skill_md("pdf-tools", "Extract text and tables from PDF files. Use when the user "
                                                "asks to read or convert a PDF.", "# PDF\n\n## Extract text\n"),
    "pdf-tools/references/forms.md": "# Forms\n\nFill PDF forms with pypdf.\n",
    "commit/SKILL.md": skill_md("commit", "Write conventional commit messages. Use when committing changes.",
                                "# Commit messages\n\nUse feat/fix prefixes.\n"),
    "manual-only/SKILL.md": skill_md("manual-only", extra="disable-model-invocation: true\n"),
}
"""A small library the index tests share: a skill with a reference file, a plain one, a manual-only one."""

TIERED = {
    **filler_skills(),
    "pdf-forms/SKILL.md": skill_md("pdf-forms", "Fills in PDF forms, finds the form fields and writes values into "
                                                "them. Use when the user wants to fill a PDF form.",
                                   "# Forms\n\nList the fields, then fill each one.\n"),
    "pdf-merge/SKILL.md": skill_md("pdf-merge", "Merges and splits PDF files, reorders and rotates pages. Use when "
                                                "the user wants to combine PDF documents."),
    "invoice-totals/SKILL.md": skill_md("invoice-totals", "Checks invoice totals, tax lines and currency rounding. "
                                                          "Use when the user asks to verify an invoice."),
    "admin-reset/SKILL.md": skill_md("admin-reset", "Resets PDF form admin passwords.",
                                     extra="disable-model-invocation: true\n"),
}
"""pdf-forms loads for a PDF-form prompt with pdf-merge suggested; ``pdf`` alone loads nothing and suggests
both; admin-reset (manual only) ranks high on PDF-form prompts and must never be suggested."""
FORM_PROMPT = "fill in the fields of this PDF form"
"""A prompt for which ``TIERED`` loads pdf-forms and suggests pdf-merge."""


@pytest.fixture
def make_skill(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_skill("my-skill", files={...}, root=...)`` writes a skill folder and returns it."""

    def factory(name: str, *, text: str | bytes | None = None, files: Mapping[str, str | bytes] | None = None,
                root: Path | None = None, **kwargs: str) -> Path:
        folder = (root or tmp_path / "skills") / name
        tree: dict[str, str | bytes] = {"SKILL.md": text if text is not None else skill_md(name, **kwargs)}
        tree.update(files or {})
        write_tree(folder, tree)
        return folder

    return factory


@pytest.fixture(autouse=True)
def _isolate_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the real HOME, XDG folders or the developer's cwd."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.delenv("SKILLPACK_DEBUG", raising=False)
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)  # Claude Code's user folder: ~/.claude in tests
    monkeypatch.delenv("SLASH_COMMAND_TOOL_CHAR_BUDGET", raising=False)  # the listing budget: its default
    monkeypatch.chdir(home)


@dataclass
class CliResult:
    """What one in-process CLI run produced."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run ``skills ARGS...`` in-process through ``loader.cli.main`` (the real entry point's core)."""
    from loader.cli.main import main

    def run(*args: str | Path, stdin: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = main([str(a) for a in args])
        finally:
            sys.stdin = old_stdin
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def skills_bin() -> Iterator[list[str]]:
    """Command prefix that runs the real ``skills`` console entry point in a subprocess."""
    yield [sys.executable, "-c", "from loader.cli.entry import run; run()"]


def env_without_debug() -> dict[str, str]:
    """The current environment for subprocesses, minus variables that change our output."""
    env = dict(os.environ)
    env.pop("SKILLPACK_DEBUG", None)
    return env


# Synthetic Claude Code transcripts, written line by line in the real format (see docs/usage.md).
TRANSCRIPT_PROJECT = "/home/me/my_app.v2"


def _base(kind: str, session: str, n: int, **extra: Any) -> dict[str, Any]:
    return {"parentUuid": f"u{n - 1}" if n else None, "isSidechain": False, "userType": "external",
            "cwd": TRANSCRIPT_PROJECT,
            "sessionId": session, "version": "2.0.30", "gitBranch": "main", "type": kind, "uuid": f"u{n}",
            "timestamp": f"2026-11-{1 + n // 100:02d}T10:{n % 60:02d}:00.000Z", **extra}


class Transcript:
    """Builds one session file; each method appends one line as Claude Code writes it."""

    def __init__(self, path: Path, session: str) -> None:
        self.path, self.session, self.lines, self.n = path, session, [], 0

    def _add(self, doc: dict[str, Any] | str) -> Transcript:
        self.lines.append(doc if isinstance(doc, str) else json.dumps(doc))
        self.n += 1
        return self

    def prompt(self, text: str, *, blocks: bool = False) -> Transcript:
        content: Any = [{"type": "text", "text": text}] if blocks else text
        return self._add(_base("user", self.session, self.n, message={"role": "user", "content": content}))

    def tool(self, name: str, tool_input: dict[str, Any], *, sidechain: bool = False) -> Transcript:
        doc = _base("assistant", self.session, self.n, requestId="req_1", message={
            "model": "claude-sonnet-4-5", "id": "msg_1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "Let me use that."},
                        {"type": "tool_use", "id": f"toolu_{self.n}", "name": name, "input": tool_input}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}})
        if sidechain:
            doc["isSidechain"] = True
        self._add(doc)
        return self._add(_base("user", self.session, self.n, toolUseResult={"type": "text"}, message={
            "role": "user", "content": [{"tool_use_id": f"toolu_{self.n - 1}", "type": "tool_result",
                                         "content": "Launching skill"}]}))

    def answer(self, text: str) -> Transcript:
        return self._add(_base("assistant", self.session, self.n, message={
            "role": "assistant", "content": [{"type": "text", "text": text}]}))

    def slash(self, name: str, args: str) -> Transcript:
        text = (f"<command-message>{name} is running…</command-message>\n<command-name>/{name}</command-name>\n"
                f"<command-args>{args}</command-args>")
        return self._add(_base("user", self.session, self.n, message={"role": "user", "content": text}))

    def meta(self, text: str) -> Transcript:
        return self._add(_base("user", self.session, self.n, isMeta=True, message={"role": "user", "content": text}))

    def hook(self, names: list[str]) -> Transcript:
        blocks = "".join(f'\n<skill name="{n}" folder="/lib/{n}">\nbody\n</skill>' for n in names)
        context = f"skillpack loaded {len(names)} skills for this prompt: x.\nEach skill's folder...{blocks}"
        return self._add(_base("attachment", self.session, self.n, attachment={
            "type": "hook_additional_context", "content": [context], "hookName": "UserPromptSubmit"}))

    def summary(self) -> Transcript:
        return self._add({"type": "summary", "summary": "Working on PDFs", "leafUuid": "u3"})

    def raw(self, line: str) -> Transcript:
        return self._add(line)

    def write(self, *, truncate_last: bool = False) -> Path:
        text = "\n".join(self.lines) + "\n"
        if truncate_last:
            text = text.rstrip("\n")[:-15]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(text, encoding="utf-8")
        return self.path


@pytest.fixture
def transcript(tmp_path: Path) -> Callable[..., Transcript]:
    """``transcript(session)`` -> a :class:`Transcript` writing ``<tmp>/transcripts/<session>.jsonl``."""

    def make(session: str = "s1", folder: Path | None = None) -> Transcript:
        return Transcript((folder or tmp_path / "transcripts") / f"{session}.jsonl", session)

    return make
