"""``skills doctor``, the hook part: is skillpack's hook configured, would it run here, is it healthy.

Reads the user, project and local settings files itself (never writes them) and recognises
skillpack's hook by its command line (a ``skills`` program, or ``python -c`` running
``loader.cli.entry``, followed by ``hook``). The command is never executed: a project's settings
are not trusted enough to run (Claude Code asks first), so "runs here" means the program resolves
to an executable file, the hook's options parse and its libraries exist.
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from loader.core.model import Severity
from loader.core.regular import open_regular
from loader.runtime.claude_config import SettingsFile
from loader.runtime.doctor_findings import Finding
from loader.runtime.hook_command import hook_invocation

LOG_TAIL_LINES = 5
LOG_TAIL_BYTES = 16 * 1024
RECENT_LOG_S = 24 * 3600
"""A log line younger than this means the hook failed recently."""
MAX_SCAN_ENTRIES = 20_000
"""Skill folders looked at when checking whether the index is older than the library."""


@dataclass(frozen=True, slots=True)
class HookInstall:
    """skillpack's hook as configured in one settings file."""

    scope: str
    settings: Path
    command: str
    libraries: tuple[Path, ...]
    """Absolute library roots the hook would read (empty when its options do not parse)."""
    program: str
    """The program the command starts, as resolved here (``""`` when it cannot be found)."""
    options_ok: bool
    index_path: Path | None = None
    index_age_s: float | None = None
    changed_since_index: int = 0
    """Skill folders modified after the index was written (the next prompt re-reads them)."""


@dataclass(frozen=True, slots=True)
class HookCheck:
    """Every hook install found, the log's last lines, and what is wrong with them."""

    installs: tuple[HookInstall, ...]
    log_path: Path
    log_tail: tuple[str, ...]
    findings: tuple[Finding, ...]


def check_hook(settings: Sequence[SettingsFile], project: Path, *, now: float | None = None) -> HookCheck:
    """Find skillpack's hook in ``settings`` and check each install and the hook's log."""
    from loader.runtime.hook_state import log_path

    now = time.time() if now is None else now
    installs = [_inspect(item, command, project, now) for item in settings for command in _our_commands(item)]
    findings: list[Finding] = []
    if not installs:
        findings.append(Finding("hook-not-installed", Severity.INFO, "skillpack's hook is not installed",
                                "to load skills per prompt: skills hook install --skills PATH"))
    for install in installs:
        findings += _install_findings(install)
    if len({i.command for i in installs}) > 1:
        findings.append(Finding(
            "hook-installed-twice", Severity.WARNING,
            "skillpack's hook is configured with different commands in several settings files; "
            "Claude Code runs each one, so skills may be added twice per prompt",
            "keep one: skills hook uninstall [--user] in the others",
            tuple(f"{i.scope}: {i.settings}: {i.command}" for i in installs)))
    log = log_path()
    tail = _tail(log)
    if installs and tail:
        age = _age_of(tail[-1], now)
        recent = age is not None and age < RECENT_LOG_S
        findings.append(Finding(
            "hook-log-recent" if recent else "hook-log-old", Severity.WARNING if recent else Severity.INFO,
            f"the hook logged problems {'in the last 24 hours' if recent else 'before'} ({log})",
            "read the lines below; the hook let those prompts through without skills" if recent else "",
            tail))
    return HookCheck(tuple(installs), log, tail, tuple(findings))


def _our_commands(item: SettingsFile) -> list[str]:
    hooks = item.file.data.get("hooks")
    groups = hooks.get("UserPromptSubmit") if isinstance(hooks, dict) else None
    found = []
    for group in groups if isinstance(groups, list) else []:
        entries = group.get("hooks") if isinstance(group, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            command = entry.get("command") if isinstance(entry, dict) else None
            if isinstance(command, str) and _hook_args(command) is not None and command not in found:
                found.append(command)
    return found


def _hook_args(command: str) -> tuple[list[str], list[str]] | None:
    """``(program argv, hook options)`` when ``command`` runs skillpack's hook, else ``None``."""
    return hook_invocation(command)


def _expand(text: str, project: Path) -> str:
    for variable in ("${CLAUDE_PROJECT_DIR}", "$CLAUDE_PROJECT_DIR"):
        text = text.replace(variable, str(project))
    return str(Path(text).expanduser()) if text.startswith("~") else text


def _inspect(item: SettingsFile, command: str, project: Path, now: float) -> HookInstall:
    from loader.runtime.hook_input import parse_args

    parsed = _hook_args(command)
    assert parsed is not None  # only commands that parsed are inspected
    program_argv, args = parsed
    program = _resolve_program(_expand(program_argv[0], project))
    options = parse_args([_expand(arg, project) for arg in args])
    if options is None:
        return HookInstall(item.scope, item.file.path, command, (), program, False)
    roots = tuple((project / root).resolve() for root in (options.libraries or ("skills",)))
    install = HookInstall(item.scope, item.file.path, command, roots, program, True)
    if not all(root.is_dir() for root in roots):
        return install
    from loader.index.location import default_index_path

    index = default_index_path(list(roots))
    try:
        written = index.stat().st_mtime
    except OSError:
        return HookInstall(item.scope, item.file.path, command, roots, program, True, index)
    changed = sum(1 for root in roots for mtime in _skill_mtimes(root) if mtime > written)
    return HookInstall(item.scope, item.file.path, command, roots, program, True, index, max(0.0, now - written),
                       changed)


def _resolve_program(program: str) -> str:
    if os.sep in program or (os.altsep and os.altsep in program):
        path = Path(program)
        return str(path) if path.is_file() and os.access(path, os.X_OK) else ""
    return shutil.which(program) or ""


def _skill_mtimes(root: Path) -> list[float]:
    """Modification times of the SKILL.md files one level under ``root`` (bounded)."""
    found = []
    try:
        with os.scandir(root) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_SCAN_ENTRIES:
                    break
                try:
                    found.append((Path(entry.path) / "SKILL.md").stat().st_mtime)
                except OSError:
                    continue
    except OSError:
        pass
    return found


def _install_findings(install: HookInstall) -> list[Finding]:
    where = f"the hook in {install.settings}"
    found: list[Finding] = []
    if not install.program:
        found.append(Finding("hook-program-missing", Severity.ERROR,
                             f"{where} starts a program that is not on this machine: {install.command}",
                             "install skillpack here, then run `skills hook install` again to record its path"))
    if not install.options_ok:
        found.append(Finding("hook-options-invalid", Severity.ERROR,
                             f"{where} has options the hook does not understand: {install.command}",
                             "run `skills hook install --skills PATH` again"))
        return found
    missing = [root for root in install.libraries if not root.is_dir()]
    if missing:
        found.append(Finding("hook-library-missing", Severity.ERROR,
                             f"{where} reads a library that does not exist: {', '.join(map(str, missing))}",
                             "run `skills hook install --skills PATH` with the library's current place"))
    elif install.index_age_s is None:
        found.append(Finding("hook-index-missing", Severity.WARNING,
                             f"the library of {where} has no index yet ({install.index_path}); "
                             "the first prompt builds it and may hit the hook's timeout",
                             f"skills index {' '.join(shlex.quote(str(r)) for r in install.libraries)}"))
    else:
        changed = (f"; {install.changed_since_index} skill(s) changed since, the next prompt re-reads them"
                   if install.changed_since_index else "")
        found.append(Finding("hook-index-age", Severity.INFO,
                             f"the hook's index was written {_human_age(install.index_age_s)} ago{changed}",
                             details=(str(install.index_path),)))
    return found


def _tail(path: Path) -> tuple[str, ...]:
    """The log's last lines (bounded read; never raises)."""
    try:
        with open_regular(path) as handle:  # NotARegularFileError (a FIFO) is an OSError too: no tail
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - LOG_TAIL_BYTES))
            data = handle.read(LOG_TAIL_BYTES)
    except OSError:
        return ()
    lines = data.decode("utf-8", "replace").splitlines()
    if len(data) == LOG_TAIL_BYTES and lines:
        lines = lines[1:]  # the first line was probably cut
    return tuple(line for line in lines if line.strip())[-LOG_TAIL_LINES:]


def _age_of(line: str, now: float) -> float | None:
    try:
        stamp = datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return now - stamp.timestamp()


def _human_age(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"
