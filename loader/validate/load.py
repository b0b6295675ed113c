"""Load a skill library: discover -> parse -> validate, as one call every other stage builds on.

The result keeps every diagnostic and every skill that parsed; callers decide whether a skill
with errors is usable (the index leaves those out, ``skills validate`` reports them). Inside
``with validation_cache(roots, profile):`` every skill folder checked under that profile
(by :func:`load_skills`, or by the index through :func:`load_skill_dir`) reuses the result
stored for identical content (``loader.validate.cache``); outside it nothing is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from loader.core.model import Diagnostic, Profile, Severity, Skill
from loader.core.record import Record
from loader.validate.discover import Discovery, SkillDir, discover

if TYPE_CHECKING:
    from loader.validate.cache import ValidationCache

_active: list[tuple[ValidationCache, Profile, bool]] = []
"""The cache opened by :func:`validation_cache`, with the profile and strictness it holds results for."""


class LoadedSkill(Record):
    """A skill and the diagnostics that belong to it."""

    __slots__ = ("skill", "diagnostics")

    def __init__(self, skill: Skill, diagnostics: tuple[Diagnostic, ...]) -> None:
        """Pair a skill with its diagnostics."""
        self.skill, self.diagnostics = skill, diagnostics

    @property
    def ok(self) -> bool:
        """True when nothing at error level was found, so the skill is fit to ship."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def loadable(self) -> bool:
        """True when no error stops the skill from working at run time (see :func:`blocking_errors`)."""
        return not blocking_errors(self.diagnostics)


class LoadResult(Record):
    """Every skill found under the roots (first root wins on duplicate names) and all diagnostics.

    Attributes:
        skills: the skills that parsed, each with its diagnostics.
        diagnostics: sorted by file and line; includes the per-skill diagnostics and folder-level ones.
        skill_count: skill folders found, including those too broken to become a Skill.
        discovery: the walk behind it (what it listed), when there was one.
    """

    __slots__ = ("skills", "diagnostics", "skill_count", "discovery")

    def __init__(self, skills: tuple[LoadedSkill, ...], diagnostics: tuple[Diagnostic, ...], skill_count: int,
                 discovery: Discovery | None = None) -> None:
        """Record what loading a library found."""
        self.skills, self.diagnostics, self.skill_count = skills, diagnostics, skill_count
        self.discovery = discovery

    def usable(self) -> list[Skill]:
        """Skills that work at run time (no blocking errors); what the index and reports use."""
        return [loaded.skill for loaded in self.skills if loaded.loadable]

    def count(self, severity: Severity) -> int:
        """How many diagnostics have ``severity``."""
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def with_errors(self) -> list[Path]:
        """Skill folders with at least one error: the count ``validate``, ``pack`` and ``install`` refuse on."""
        folders = {loaded.skill.path for loaded in self.skills if not loaded.ok}
        folders |= {d.path.parent for d in self.diagnostics if d.severity is Severity.ERROR
                    and d.path.name == "SKILL.md"}  # folders that did not parse, and duplicate copies
        return sorted(folders)

    def left_out(self) -> list[LeftOut]:
        """Skill folders that cannot be used at all, each with why: the one definition of "left out".

        A folder is left out when its SKILL.md did not parse, when an error stops it from working at
        run time (a blocking rule), or when an earlier root already has a skill of its name. The
        index, ``report``, ``pack`` and ``install`` leave out exactly these.
        """
        kept = {loaded.skill.path for loaded in self.skills}
        out = [LeftOut(loaded.skill.path, "error: " + blocking_errors(loaded.diagnostics)[0].message)
               for loaded in self.skills if not loaded.loadable]
        for diag in self.diagnostics:
            folder = diag.path.parent
            if diag.path.name != "SKILL.md" or folder in kept or any(o.path == folder for o in out):
                continue
            if diag.rule == "name-duplicate":
                out.append(LeftOut(folder, "duplicate: " + diag.message))
            elif diag.severity is Severity.ERROR:
                out.append(LeftOut(folder, "error: " + diag.message))
        return sorted(out, key=lambda o: o.path)


class LeftOut(Record):
    """A skill folder no stage uses, and why.

    Attributes:
        path: the skill folder.
        reason: ``error: ...`` (did not parse, or a blocking error) or ``duplicate: ...`` (name taken
            by an earlier skill).
    """

    __slots__ = ("path", "reason")

    def __init__(self, path: Path, reason: str) -> None:
        """Record a folder left out and why."""
        self.path, self.reason = path, reason


@contextmanager
def validation_cache(roots: Sequence[Path], profile: Profile = Profile.CLAUDE_CODE, *, strict: bool = False,
                     enabled: bool = True) -> Iterator[ValidationCache | None]:
    """Reuse and store validation results of the library under ``roots`` while the block runs.

    Results are written (atomically, to the user cache folder) when the block ends. With
    ``enabled=False`` (``--no-cache``) this does nothing and yields ``None``.
    """
    if not enabled:
        yield None
        return
    from loader.core.gc_pause import gc_paused
    from loader.validate.cache import ValidationCache

    # The cycle collector paused: reading the cache and the results creates ~100 objects per
    # skill that live to the end, so each collection it triggers finds nothing; pausing took a
    # cached run of 1,000 skills from ~0.13 s to ~0.10 s in-process.
    with gc_paused():
        opened = ValidationCache.for_library(roots, profile, strict=strict)
        _active.append((opened, profile, strict))
        try:
            yield opened
        finally:
            _active.pop()
            opened.save()


def load_skill_dir(skill_dir: SkillDir, profile: Profile = Profile.CLAUDE_CODE, *,
                   strict: bool = False) -> tuple[Skill | None, list[Diagnostic]]:
    """Parse and validate one skill folder; the Skill is ``None`` when SKILL.md did not parse."""
    if _active and _active[-1][1:] == (profile, strict):
        cache = _active[-1][0]
        keyed = cache.key(skill_dir)
        if keyed is not None:
            found = cache.get(skill_dir, keyed)
            if found is not None:
                return found
            skill, diagnostics = _check_skill_dir(skill_dir, profile, strict, keyed.raw)
            cache.put(skill_dir, keyed, skill, diagnostics)
            return skill, diagnostics
    return _check_skill_dir(skill_dir, profile, strict)


def _check_skill_dir(skill_dir: SkillDir, profile: Profile, strict: bool,
                     raw: bytes | None = None) -> tuple[Skill | None, list[Diagnostic]]:
    # Imported here: a run answered from the cache never parses (yaml) or checks anything.
    from loader.validate.manifest import parse_manifest
    from loader.validate.rules import check_skill, skill_name
    from loader.validate.schema import check_frontmatter

    if raw is None:  # not read for a cache key: one fstat-sized read (None: read_text then says why it cannot)
        from loader.core.textfile import MAX_TEXT_BYTES
        from loader.validate.readfile import read_bounded

        raw = read_bounded(str(skill_dir.manifest_path), MAX_TEXT_BYTES)
    manifest = parse_manifest(skill_dir.manifest_path, raw)
    diagnostics = list(manifest.diagnostics)
    diagnostics += check_frontmatter(manifest, profile, strict=strict)
    diagnostics += check_skill(skill_dir, manifest, profile)
    if manifest.frontmatter is None:
        return None, diagnostics
    description = manifest.frontmatter.get("description")
    skill = Skill(
        name=skill_name(skill_dir, manifest),
        description=description if isinstance(description, str) else "",
        path=skill_dir.path,
        manifest=manifest,
        files=skill_dir.files,
        root=skill_dir.root,
    )
    return skill, diagnostics


def load_skills(roots: Sequence[Path], profile: Profile = Profile.CLAUDE_CODE, *,
                strict: bool = False, explicit: bool = False,
                progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Discover, parse and validate every skill under ``roots``.

    With ``explicit`` (paths the user named), a root holding no skill at all is an error
    (``no-skill-found``), as in the reference validator, rather than "checked 0 skills".
    ``progress(done, total)`` is called after each skill folder (the CLI draws a bar with it).

    Raises:
        PathNotFoundError: a root does not exist.
    """
    found: Discovery = discover(roots)
    all_diags: list[Diagnostic] = list(found.diagnostics)
    loaded: list[LoadedSkill] = []
    first_by_name: dict[str, Skill] = {}
    for done, skill_dir in enumerate(found.skill_dirs, start=1):
        skill, diagnostics = load_skill_dir(skill_dir, profile, strict=strict)
        if progress is not None:
            progress(done, len(found.skill_dirs))
        if skill is not None:
            first = first_by_name.get(skill.name)
            if first is not None:
                diagnostics.append(_duplicate(skill, first))
                all_diags.extend(diagnostics)
                continue
            first_by_name[skill.name] = skill
            loaded.append(LoadedSkill(skill, tuple(sorted(diagnostics, key=Diagnostic.sort_key))))
        all_diags.extend(diagnostics)
    if explicit:
        all_diags += _empty_roots(roots, found)
    if any((root / ".claude-plugin").is_dir() for root in roots):
        from loader.validate.plugin_files import check_plugin_files

        all_diags += check_plugin_files(roots)
    return LoadResult(tuple(loaded), tuple(sorted(all_diags, key=Diagnostic.sort_key)), len(found.skill_dirs), found)


def _empty_roots(roots: Sequence[Path], found: Discovery) -> list[Diagnostic]:
    holding = {skill_dir.root for skill_dir in found.skill_dirs}
    cased = {d.path.parent for d in found.diagnostics if d.rule == "manifest-case"}
    empty = []
    for given in roots:
        root = given.resolve()
        root = root.parent if root.is_file() else root
        if root not in holding and not any(folder.is_relative_to(root) for folder in cased):
            empty.append(Diagnostic(given, None, "no-skill-found", Severity.ERROR,
                                    f"no skill in {given}: no folder under it holds a SKILL.md",
                                    "give a skill folder (one holding SKILL.md) or a folder of them"))
    return empty


def _duplicate(skill: Skill, first: Skill) -> Diagnostic:
    return Diagnostic(
        skill.manifest.path, skill.manifest.key_lines.get("name"), "name-duplicate", Severity.WARNING,
        f"skill name {skill.name!r} is already used by {first.path}; this copy is ignored",
        "rename one of them; the first root given wins",
    )


def blocking_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors that make a skill unusable at run time (see ``RuleInfo.blocking`` for which)."""
    from loader.validate.rulebook import RULES

    return [d for d in diagnostics if d.severity is Severity.ERROR and (d.rule not in RULES or RULES[d.rule].blocking)]


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The error-level subset of ``diagnostics``."""
    return [d for d in diagnostics if d.severity is Severity.ERROR]
