"""Scaffold templates: find the built-in and user templates and read their files, bounded.

Guarantees: a template is a folder holding ``SKILL.md.j2`` (or ``SKILL.md``); a user template
shadows a built-in one of the same name; symlinks, VCS folders, more than
``MAX_TEMPLATE_FILES`` files, files over ``MAX_TEMPLATE_BYTES`` and non-UTF-8 files are
refused with a clear error, never followed or half-read. ``loader.author.scaffold`` renders them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from loader.core.errors import PathNotFoundError, UsageError
from loader.validate.layout import SKILL_FILE, SKIP_DIRS

TEMPLATE_SUFFIX = ".j2"
DEFAULT_TEMPLATE = "basic"
MAX_TEMPLATE_FILES = 200
MAX_TEMPLATE_BYTES = 256 * 1024
"""Per file: a template is a scaffold, not a data set."""
_SUMMARY = re.compile(r"\A\{#\s*(.*?)\s*#\}")


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """One template a new skill can be made from."""

    name: str
    path: Path
    """The template folder."""
    summary: str
    """From a leading ``{# ... #}`` comment in ``SKILL.md.j2``, else ``""``."""
    builtin: bool


def builtin_templates_dir() -> Path:
    """Where the shipped templates are: ``loader/templates`` in a wheel, ``<repo>/templates`` in a checkout."""
    package = Path(__file__).resolve().parents[1]  # loader/
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def list_templates(extra_dir: Path | None = None) -> list[TemplateInfo]:
    """Every template, user templates (from ``extra_dir``) first; a user template shadows a built-in one.

    ``extra_dir`` is either one template (it holds ``SKILL.md.j2`` or ``SKILL.md``) or a folder of them.

    Raises:
        PathNotFoundError: ``extra_dir`` does not exist.
        UsageError: ``extra_dir`` holds no template.
    """
    found: dict[str, TemplateInfo] = {}
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise PathNotFoundError(path=extra_dir, what="templates folder")
        folders = [extra_dir] if _is_template(extra_dir) else sorted(p for p in extra_dir.iterdir() if _is_template(p))
        if not folders:
            raise UsageError(message=f"no template in {extra_dir}",
                             hint=f"a template is a folder holding {SKILL_FILE}{TEMPLATE_SUFFIX} (or {SKILL_FILE})")
        for folder in folders:
            found.setdefault(folder.name, _info(folder, builtin=False))
    builtin = builtin_templates_dir()
    if builtin.is_dir():
        for folder in sorted(builtin.iterdir()):
            if _is_template(folder):
                found.setdefault(folder.name, _info(folder, builtin=True))
    return list(found.values())


def _is_template(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and any(
        (folder / f"{SKILL_FILE}{suffix}").is_file() for suffix in (TEMPLATE_SUFFIX, ""))


def _info(folder: Path, *, builtin: bool) -> TemplateInfo:
    summary = ""
    source = folder / f"{SKILL_FILE}{TEMPLATE_SUFFIX}"
    if source.is_file():
        found = _SUMMARY.match(source.read_text(encoding="utf-8", errors="replace")[:2000])
        summary = " ".join(found.group(1).split()) if found else ""
    return TemplateInfo(folder.name, folder, summary, builtin)


def find_template(template: str, templates_dir: Path | None) -> TemplateInfo:
    available = list_templates(templates_dir)
    for info in available:
        if info.name == template:
            return info
    names = ", ".join(info.name for info in available)
    raise UsageError(message=f"unknown template {template!r}", hint=f"choose one of: {names}")


def template_files(folder: Path) -> list[tuple[Path, str]]:
    """Regular files under a template folder (no symlinks, no VCS or cache folders), bounded."""
    files: list[tuple[Path, str]] = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (Path(current) / d).is_symlink())
        for file_name in sorted(names):
            path = Path(current) / file_name
            if path.is_symlink() or not path.is_file() or file_name in (".keep", ".DS_Store"):
                continue
            files.append((path, path.relative_to(folder).as_posix()))
            if len(files) > MAX_TEMPLATE_FILES:
                raise UsageError(message=f"template {folder} has more than {MAX_TEMPLATE_FILES} files")
    return files


def read_template_file(path: Path) -> str:
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise UsageError(message=f"template file {path} is larger than {MAX_TEMPLATE_BYTES // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(message=f"template file {path} is not UTF-8 text",
                         hint="templates hold text files only") from exc
