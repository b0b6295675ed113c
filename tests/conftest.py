"""Shared fixtures: file-tree factories, an isolated environment, and an in-process CLI runner."""

from __future__ import annotations

import io
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

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
