"""The hook's command line as written into Claude Code's settings, and how to recognise it again.

Two forms. The *shared* form goes into ``.claude/settings.json``, a file teams commit, so it
holds no path of the installing machine: the library is ``"$CLAUDE_PROJECT_DIR"/relative`` (or
``"$HOME"/relative``), and ``skills`` is found on PATH; when it is not, one line saying so goes
to the hook log and the prompt goes on. The *local* form (``settings.local.json``, ``--user``)
names this machine's absolute paths. Claude Code runs hook commands through a shell, with
``CLAUDE_PROJECT_DIR`` set (https://code.claude.com/docs/en/hooks).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

NOT_ON_PATH = ("skillpack hook: the skills command is not on PATH, so no skill was added to the prompt; "
               "install skillpack (pipx install skillpack) or run: skills hook install --local")
"""The hook log line when ``skills`` cannot be found (no quotes: it is put inside a shell string)."""
_SHARED_HEAD = "if command -v skills >/dev/null 2>&1; then skills hook"
ADDED_MARK = " # skillpack added to permissions.additionalDirectories: "
"""Ends a command when install added the library to ``additionalDirectories``: JSON list of what it
added, so that uninstall (on any machine) removes exactly that and nothing a user wrote."""


def skills_command() -> list[str]:
    """How to start this installation's ``skills`` command, independent of the caller's PATH.

    The console script next to the running interpreter (the venv's), else the one on PATH,
    else the interpreter running the entry point directly.
    """
    sibling = Path(sys.executable).parent / ("skills.exe" if os.name == "nt" else "skills")
    if sibling.is_file():
        return [str(sibling)]
    found = shutil.which("skills")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-c", "from loader.cli.entry import run; run()"]


def local_command(libraries: Sequence[Path], *, budget: int | None = None) -> str:
    """The command for one machine: this installation's ``skills`` and the library as absolute paths."""
    argv = [*skills_command(), "hook"]
    for library in libraries:
        argv += ["--library", str(Path(library).resolve())]
    if budget is not None:
        argv += ["--budget", str(budget)]
    return shlex.join(argv)


def portable_path(path: Path, project: Path) -> str:
    """``path`` as a shell word that holds on any machine: under ``$CLAUDE_PROJECT_DIR``, else ``$HOME``.

    A library outside both is given relative to the project (``"$CLAUDE_PROJECT_DIR"/../x``),
    which holds wherever teammates keep the same layout.
    """
    path, project = path.resolve(), project.resolve()
    home = Path.home().resolve()
    if path.is_relative_to(project) or not path.is_relative_to(home):
        base, rel = '"$CLAUDE_PROJECT_DIR"', os.path.relpath(path, project)
    else:
        base, rel = '"$HOME"', os.path.relpath(path, home)
    rel = Path(rel).as_posix()
    return base if rel == "." else f"{base}/{shlex.quote(rel)}"


def portable_directory(path: Path, project: Path) -> str:
    """``path`` for ``permissions.additionalDirectories`` without this machine's absolute path."""
    path, home = path.resolve(), Path.home().resolve()
    if path.is_relative_to(home) and not project.resolve().is_relative_to(path):
        return "~/" + path.relative_to(home).as_posix()
    return Path(os.path.relpath(path, project.resolve())).as_posix()


def shared_command(libraries: Sequence[Path], project: Path, *, budget: int | None = None) -> str:
    """The command for a committed settings file: no absolute path, ``skills`` from PATH."""
    words = ["skills", "hook"]
    for library in libraries:
        words += ["--library", portable_path(library, project)]
    if budget is not None:
        words += ["--budget", str(budget)]
    log_dir = '"${XDG_STATE_HOME:-$HOME/.local/state}/skillpack"'
    return (f"{_SHARED_HEAD}{''.join(' ' + word for word in words[2:])}; "
            f"else d={log_dir}; mkdir -p \"$d\" && echo \"$(date +%Y-%m-%dT%H:%M:%S%z) {NOT_ON_PATH}\" "
            f">> \"$d/hook.log\"; fi")


def with_added(command: str, added: Sequence[str]) -> str:
    """``command`` recording the ``additionalDirectories`` entries install added (none: unchanged)."""
    return command + ADDED_MARK + json.dumps(list(added), ensure_ascii=False) if added else command


def added_directories(command: str) -> list[str]:
    """The ``additionalDirectories`` entries recorded in one of our commands (see ``with_added``)."""
    _, mark, rest = command.partition(ADDED_MARK)
    if not mark:
        return []
    try:
        added = json.loads(rest)
    except ValueError:
        return []
    return [a for a in added if isinstance(a, str)] if isinstance(added, list) else []


def hook_invocation(command: object) -> tuple[list[str], list[str]] | None:
    """``(program argv, hook options)`` when ``command`` runs skillpack's hook, in either form; else ``None``.

    The shared form runs ``skills hook ...`` inside an ``if command -v skills`` guard; the local
    form is a plain command line (a ``skills`` program, or ``python -c`` with the console entry).
    """
    if not isinstance(command, str):
        return None
    line = command.partition(ADDED_MARK)[0]
    if line.startswith((_SHARED_HEAD + " ", _SHARED_HEAD + ";")):
        line = "skills hook" + line[len(_SHARED_HEAD):].partition(";")[0]
    try:
        argv = shlex.split(line)
    except ValueError:
        return None
    if "hook" not in argv:
        return None
    at = argv.index("hook")
    program = argv[:at]
    ours = (len(program) == 1 and Path(program[0]).name in ("skills", "skills.exe")) or (
        len(program) == 3 and program[1] == "-c" and "loader.cli.entry" in program[2])
    return (program, argv[at + 1:]) if ours else None


def is_our_command(command: object) -> bool:
    """True for a command this package writes: a ``skills`` invocation running ``hook --library``.

    ``--skills``/``-s`` (the spelling the CLI documents; ``--library``/``-l`` is its alias) count
    too, so a hook a user wrote or edited with either spelling is recognised and replaced.
    """
    found = hook_invocation(command)
    return found is not None and any(flag in found[1] for flag in LIBRARY_FLAGS)


LIBRARY_FLAGS = ("--library", "-l", "--skills", "-s")
"""The hook's library option in every spelling it accepts (``loader.runtime.hook_input.parse_args``)."""
