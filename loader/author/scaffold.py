"""Scaffold stage (``skills new``): render a jinja2 template into a new skill folder.

``plan`` is pure (template + options -> file contents); ``write`` puts a plan on disk
atomically (everything is rendered into a staging folder beside the target, then renamed),
so a skill folder is never half-written. User templates are rendered in a jinja2 sandbox.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from loader.author.templates import (
    DEFAULT_TEMPLATE,
    TEMPLATE_SUFFIX,
    TemplateInfo,
    find_template,
    list_templates,
    read_template_file,
    template_files,
)
from loader.core.errors import UsageError
from loader.core.model import Profile, Severity
from loader.validate.layout import SKILL_FILE
from loader.validate.load import LoadedSkill, LoadResult, load_skills

__all__ = ["DEFAULT_TEMPLATE", "Created", "TemplateInfo", "check_name", "create", "list_templates", "plan", "write"]

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 64
RESERVED_WORDS = ("anthropic", "claude")


def check_name(name: str) -> None:
    """Refuse a skill name the standard or claude.ai would reject.

    Raises:
        UsageError: the name is invalid, with what to use instead.
    """
    if not name or len(name) > MAX_NAME_LENGTH or not NAME_PATTERN.match(name):
        raise UsageError(message=f"invalid skill name {name!r}",
                         hint=f"use lowercase letters, digits and single hyphens, at most {MAX_NAME_LENGTH} "
                              "characters, e.g. `pdf-forms`")
    reserved = [word for word in RESERVED_WORDS if word in name]
    if reserved:
        raise UsageError(message=f"invalid skill name {name!r}: it contains the reserved word {reserved[0]!r}",
                         hint="claude.ai and the API refuse such names; choose another")


def default_description(name: str) -> str:
    """A placeholder description that already says what and when, so a fresh skill validates clean."""
    words = name.replace("-", " ")
    return (f"Walks through {words} tasks step by step, with a checklist. "
            f"Use when the user asks for help with {words}.")


def plan(name: str, template: str = DEFAULT_TEMPLATE, *, description: str | None = None,
         license: str | None = None, profile: Profile = Profile.CLAUDE_CODE,
         templates_dir: Path | None = None) -> dict[Path, str]:
    """Render ``template`` for a skill called ``name``: relative path -> file content.

    Template files ending in ``.j2`` are rendered (the suffix is dropped); other files are
    copied as they are. The context holds ``name``, ``words``, ``title``, ``description``,
    ``description_given``, ``license``, ``profile``, and the filter ``yaml`` (a safe YAML scalar).

    Raises:
        UsageError: invalid name, unknown template, or a template that does not render.
    """
    check_name(name)
    chosen = find_template(template, templates_dir)
    words = name.replace("-", " ")
    context = {
        "name": name,
        "words": words,
        "title": words.title(),
        "description": " ".join(description.split()) if description else default_description(name),
        "description_given": bool(description),
        "license": license or "",
        "profile": profile.value,
    }
    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters["yaml"] = yaml_scalar
    rendered: dict[Path, str] = {}
    for source, rel in template_files(chosen.path):
        text = read_template_file(source)
        target = Path(rel[: -len(TEMPLATE_SUFFIX)] if rel.endswith(TEMPLATE_SUFFIX) else rel)
        if rel.endswith(TEMPLATE_SUFFIX):
            try:
                text = env.from_string(text).render(context)
            except TemplateError as exc:
                raise UsageError(message=f"template {chosen.name!r} failed to render {rel}: {exc}",
                                 hint="fix the template file") from exc
        rendered[target] = text
    if Path(SKILL_FILE) not in rendered:
        raise UsageError(message=f"template {chosen.name!r} produces no {SKILL_FILE}")
    return dict(sorted(rendered.items()))


def yaml_scalar(value: object) -> str:
    """``value`` as a one-line YAML scalar that reads back as the same string (quoted when needed)."""
    text = " ".join(str(value).split())
    dumped = yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=1 << 20)
    dumped = dumped.removesuffix("\n").removesuffix("\n...")
    return dumped if "\n" not in dumped and yaml.safe_load(dumped) == text else _double_quoted(text)


def _double_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stage(files: Mapping[Path, str], dest: Path, *, force: bool = False) -> Path:
    """Write ``files`` into a fresh staging folder beside ``dest`` and return it (named like ``dest``).

    With ``force`` and an existing ``dest``, its current files are copied in first, so files
    the template does not write are kept. Nothing at ``dest`` changes until ``commit``.

    Raises:
        UsageError: ``dest`` exists (without ``force``), is a file, or a path in ``files`` leaves it.
    """
    if dest.exists() or dest.is_symlink():
        if not force or not dest.is_dir() or dest.is_symlink():
            raise UsageError(message=f"{dest} already exists",
                             hint="choose another name, or pass --force to overwrite the template's files")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        holder = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".new", dir=dest.parent))
    except OSError as exc:
        raise UsageError(message=f"cannot write in {dest.parent}: {exc.strerror or exc}",
                         hint="choose another --dir") from exc
    staged = holder / dest.name
    try:
        if dest.is_dir():
            shutil.copytree(dest, staged, symlinks=True)
        else:
            staged.mkdir()
        for rel, text in files.items():
            target = (staged / rel).resolve()
            if rel.is_absolute() or staged.resolve() not in target.parents:
                raise UsageError(message=f"template path {rel} leaves the skill folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
            if text.startswith("#!"):
                target.chmod(0o755)
    except BaseException:
        shutil.rmtree(holder, ignore_errors=True)
        raise
    return staged


def commit(staged: Path, dest: Path) -> None:
    """Move a staged folder into place with renames; an old ``dest`` is swapped out, then removed."""
    holder = staged.parent
    old = holder / ".old"
    try:
        if dest.is_dir():
            os.replace(dest, old)
        os.replace(staged, dest)
    except OSError:
        if old.is_dir() and not dest.exists():
            os.replace(old, dest)
        raise
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def discard(staged: Path) -> None:
    """Remove a staged folder that will not be committed."""
    shutil.rmtree(staged.parent, ignore_errors=True)


def write(files: Mapping[Path, str], dest: Path, *, force: bool = False) -> Path:
    """Write a plan to ``dest`` atomically (stage beside it, then rename); returns ``dest``.

    Raises:
        UsageError: ``dest`` exists and ``force`` is not set.
    """
    commit(stage(files, dest, force=force), dest)
    return dest


@dataclass(frozen=True, slots=True)
class Created:
    """What ``create`` did: the plan, where it went, and the validation of the result."""

    dest: Path
    files: tuple[Path, ...]
    """Relative paths the template wrote, sorted."""
    result: LoadResult
    """Validation of the new skill, with paths as they are (or would be) under ``dest``."""
    written: bool
    """False for a dry run, or when validation found errors (then nothing was written)."""


def create(name: str, skills_dir: Path, template: str = DEFAULT_TEMPLATE, *, description: str | None = None,
           license: str | None = None, profile: Profile = Profile.CLAUDE_CODE, templates_dir: Path | None = None,
           force: bool = False, dry_run: bool = False) -> Created:
    """Plan, stage, validate, then commit a new skill at ``skills_dir/name``.

    The staged copy is validated before the rename, so a skill with errors (say, from a
    description that is too long or a broken user template) is never written.

    Raises:
        UsageError: invalid name, unknown template, or an existing folder without ``force``.
    """
    files = plan(name, template, description=description, license=license, profile=profile,
                 templates_dir=templates_dir)
    dest = skills_dir.absolute() / name
    if dry_run:
        if (dest.exists() or dest.is_symlink()) and not force:
            stage(files, dest, force=False)  # raises the same "already exists" error as a real run
        with tempfile.TemporaryDirectory(prefix="skillpack-new-") as scratch:
            staged = stage(files, Path(scratch) / "skill" / name)
            result = _validate(staged, dest, profile)
        return Created(dest, tuple(files), result, written=False)
    staged = stage(files, dest, force=force)
    try:
        result = _validate(staged, dest, profile)
    except BaseException:
        discard(staged)
        raise
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        discard(staged)
        return Created(dest, tuple(files), result, written=False)
    commit(staged, dest)
    return Created(dest, tuple(files), result, written=True)


def _validate(staged: Path, dest: Path, profile: Profile) -> LoadResult:
    loaded = load_skills([staged], profile)
    real = staged.resolve()

    def moved(path: Path) -> Path:
        try:
            return dest / path.relative_to(real)
        except ValueError:
            return path

    diagnostics = tuple(d.replace(path=moved(d.path)) for d in loaded.diagnostics)
    skills = tuple(
        LoadedSkill(item.skill.replace(path=dest, root=dest.parent,
                                       manifest=item.skill.manifest.replace(path=moved(item.skill.manifest.path))),
                    tuple(d.replace(path=moved(d.path)) for d in item.diagnostics))
        for item in loaded.skills
    )
    return LoadResult(skills, diagnostics, loaded.skill_count)
