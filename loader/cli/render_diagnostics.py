"""Render validation results for people (text), machines (json) and CI (GitHub annotations).

One renderer per format over the same Diagnostic records; each writes to an explicit stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

from loader.core.model import Diagnostic, Severity

TYPE_CHECKING = False  # not typing's: a cached validate imports no typing (loader.core.record)
if TYPE_CHECKING:
    from typing import TextIO

    # annotations only: importing loader.validate.load pulls in jsonschema
    from loader.validate.load import LoadResult

SCHEMA_VERSION = 1


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when inside it, else absolute."""
    base = base or Path.cwd()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _position(diag: Diagnostic) -> str:
    if diag.line is None:
        return ""
    return f"{diag.line}:{diag.column}" if diag.column else str(diag.line)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 file``, ``2 files`` (``many`` for irregular plurals)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def summary_line(result: LoadResult) -> str:
    """One line: what was checked, how many skills have errors and are left out, what was found."""
    errors, warnings, infos = (result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    files = len({d.path for d in result.diagnostics})
    found = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}, {plural(infos, 'note')}"
    where = f" in {plural(files, 'file')}" if files else ""
    skills = f"{len(result.with_errors())} with errors, {len(result.left_out())} left out"
    return f"checked {plural(result.skill_count, 'skill')} ({skills}): {found}{where}"


def left_out_lines(result: LoadResult) -> list[str]:
    """One line per skill folder no stage uses, naming it and why."""
    return [f"left out {display_path(o.path)}: {o.reason}" for o in result.left_out()]


def render_text(result: LoadResult, out: TextIO, *, show_info: bool = False) -> None:
    """Group diagnostics by file: ``line:col severity rule message`` plus the hint."""
    shown = [d for d in result.diagnostics if show_info or d.severity is not Severity.INFO]
    for path, group in groupby(shown, key=lambda d: d.path):
        out.write(f"{display_path(path)}\n")
        for diag in group:
            out.write(f"  {_position(diag):>7}  {diag.severity.value:<7}  {diag.rule}  {diag.message}\n")
            if diag.hint:
                out.write(f"  {'':>7}  {'':<7}  hint: {diag.hint}\n")
    for line in left_out_lines(result):
        out.write(line + "\n")
    out.write(summary_line(result) + "\n")


def diagnostic_to_json(diag: Diagnostic) -> dict[str, object]:
    """The stable JSON shape of one diagnostic."""
    return {
        "path": diag.path.as_posix(),
        "line": diag.line,
        "column": diag.column,
        "rule": diag.rule,
        "severity": diag.severity.value,
        "message": diag.message,
        "hint": diag.hint,
    }


def render_json(result: LoadResult, out: TextIO) -> None:
    """A single JSON document; fields are only ever added, never renamed."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "skills_checked": result.skill_count,
        "summary": {s.value: result.count(s) for s in Severity},
        "skills_with_errors": [p.as_posix() for p in result.with_errors()],
        "left_out": [{"path": o.path.as_posix(), "reason": o.reason} for o in result.left_out()],
        "skills": [
            {"name": loaded.skill.name, "path": loaded.skill.path.as_posix(), "ok": loaded.ok}
            for loaded in result.skills
        ],
        "diagnostics": [diagnostic_to_json(d) for d in result.diagnostics],
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: LoadResult, out: TextIO) -> None:
    """GitHub Actions workflow commands, so findings show as annotations on the PR diff."""
    for diag in result.diagnostics:
        props = [f"file={_escape_property(display_path(diag.path))}"]
        if diag.line is not None:
            props.append(f"line={diag.line}")
        if diag.column is not None:
            props.append(f"col={diag.column}")
        props.append(f"title={_escape_property(diag.rule)}")
        message = diag.message + (f" (hint: {diag.hint})" if diag.hint else "")
        out.write(f"::{_GITHUB_LEVEL[diag.severity]} {','.join(props)}::{_escape_data(message)}\n")
    out.write(summary_line(result) + "\n")


def github_annotation(level: str, path: Path, message: str, *, line: int | None = None,
                      title: str | None = None) -> str:
    """One GitHub Actions workflow command (``::error file=...,line=...::message``), escaped."""
    props = [f"file={_escape_property(display_path(path))}"]
    if line is not None:
        props.append(f"line={line}")
    if title:
        props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}\n"


def has_failures(diagnostics: Iterable[Diagnostic], *, strict: bool) -> bool:
    """Exit-code policy: errors fail; warnings fail too under --strict."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)
