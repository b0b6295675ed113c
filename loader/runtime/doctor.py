"""``skills doctor``: the whole Claude Code setup of one project, as a list of findings with fixes.

Takes a project folder (and the environment, for ``$CLAUDE_CONFIG_DIR`` and the listing
budget); returns a :class:`DoctorReport`: every skill source and how it was found
(``claude_sources``), the skills of each, names defined twice and which copy wins, the combined
listing against Claude Code's character budget (``loader.report.listing``), and skillpack's hook
(``doctor_hook``). Reads only: no index is built, no settings file written, no command run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from loader.core.model import Severity
from loader.report.listing import EntryStatus, ListingCheck, check_listing, default_budget
from loader.runtime.claude_sources import Source, SourceScan, find_sources
from loader.runtime.doctor_findings import Finding
from loader.runtime.doctor_hook import HookCheck, check_hook
from loader.validate.load import load_skills

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class SkillRow:
    """One skill of one source."""

    name: str
    """The name Claude Code lists (``plugin:skill`` for a plugin's skill)."""
    path: Path
    invocable: bool
    """False for ``disable-model-invocation: true``: not in the listing."""
    ok: bool
    """False when the skill has validation errors."""
    shadowed_by: str = ""
    """The source whose skill of the same name wins, when this one loses."""
    description: str = ""
    when_to_use: str = ""


@dataclass(frozen=True, slots=True)
class SourceReport:
    """One source and its skills."""

    source: Source
    skills: tuple[SkillRow, ...]
    nested: tuple[Path, ...] = ()
    """Skill folders below the top level, which Claude Code does not discover."""


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """Everything ``skills doctor`` found about one project's setup."""

    project: Path
    config: Path
    sources: tuple[SourceReport, ...]
    listing: ListingCheck
    hook: HookCheck
    findings: tuple[Finding, ...]

    @property
    def healthy(self) -> bool:
        """True when no finding is an error or a warning."""
        return not any(f.wrong for f in self.findings)


def diagnose(project: Path, *, environ: Mapping[str, str] | None = None, now: float | None = None,
             budget: int | None = None) -> DoctorReport:
    """Examine the Claude Code setup of ``project`` (the folder Claude Code is started in)."""
    now = time.time() if now is None else now
    scan = find_sources(project, environ)
    findings = _scan_findings(scan)
    reports = [_read_source(source, findings) for source in scan.sources]
    reports = _resolve_names(reports, findings)
    listing = _listing(reports, environ, budget, findings)
    hook = check_hook(scan.settings, scan.project, now=now)
    findings += hook.findings
    findings += _doubled(hook, reports, scan)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    findings.sort(key=lambda f: order[f.severity])  # stable: same-severity findings keep their order
    return DoctorReport(scan.project, scan.config, tuple(reports), listing, hook, tuple(findings))


def _scan_findings(scan: SourceScan) -> list[Finding]:
    found = []
    for item in (*(s.file for s in scan.settings), scan.plugins.registry):
        if item.problem:
            found.append(Finding("config-unreadable", Severity.WARNING, f"{item.path} {item.problem}",
                                 "fix or remove the file; Claude Code cannot use it either"))
    for plugin in scan.plugins.plugins:
        if plugin.enabled and not plugin.installed:
            found.append(Finding(
                "plugin-not-installed", Severity.WARNING,
                f"plugin {plugin.key} is enabled in the {plugin.enabled_in} settings but not installed here"
                + (f" ({plugin.install_path} is missing)" if plugin.install_path else ""),
                f"in Claude Code: /plugin install {plugin.key} (or remove it from enabledPlugins)"))
        elif plugin.installed and not plugin.enabled:
            why = (f"disabled in the {plugin.enabled_in} settings" if plugin.enabled_in
                   else "not enabled in any settings")
            found.append(Finding("plugin-disabled", Severity.INFO, f"plugin {plugin.key} is installed but {why}",
                                 f"in Claude Code: /plugin enable {plugin.key}, if you want its skills"))
    others = [s for s in scan.sources if not s.claude_reads]
    for source in others:
        found.append(Finding("agents-folder", Severity.INFO,
                             f"{source.roots[0]} is read by other agents (Codex, Copilot, Cursor, Gemini CLI), "
                             "not by Claude Code"))
    return found


def _read_source(source: Source, findings: list[Finding]) -> SourceReport:
    result = load_skills(list(source.roots))
    rows, nested = [], []
    for loaded in result.skills:
        skill = loaded.skill
        if skill.path.parent not in source.roots and skill.path not in source.roots:
            nested.append(skill.path)  # Claude Code scans one level only
            continue
        name = f"{source.namespace}:{skill.name}" if source.namespace else skill.name
        rows.append(SkillRow(name, skill.path, skill.model_invocable, loaded.ok, "", skill.description,
                             skill.when_to_use))
    twice = [d for d in result.diagnostics if d.rule == "name-duplicate"]
    for diag in twice:
        findings.append(Finding("name-shadowed", Severity.WARNING, f"{source.label}: {diag.message} ({diag.path})",
                                "rename or remove one of them"))
    broken = [row for row in rows if not row.ok]
    unparsed = result.skill_count - len(result.skills) - len(twice)
    if broken or unparsed > 0:
        findings.append(Finding(
            "skill-invalid", Severity.WARNING,
            f"{source.label}: {len(broken) + unparsed} skill(s) with errors",
            f"skills validate {' '.join(map(str, source.roots))}", tuple(str(row.path) for row in broken)))
    if nested:
        findings.append(Finding(
            "skill-nested", Severity.WARNING,
            f"{source.label}: {len(nested)} skill folder(s) below the top level; Claude Code does not find them",
            f"move each to {source.roots[0]}/<name>/SKILL.md", tuple(map(str, nested))))
    return SourceReport(source, tuple(rows), tuple(nested))


def _resolve_names(reports: list[SourceReport], findings: list[Finding]) -> list[SourceReport]:
    """Mark the copies that lose to a same-named skill of an earlier (higher-precedence) source."""
    winner: dict[str, str] = {}
    resolved = []
    for report in reports:
        if not report.source.claude_reads:
            resolved.append(report)
            continue
        rows = []
        for row in report.skills:
            first = winner.get(row.name)
            if first is None:
                winner[row.name] = report.source.label
                rows.append(row)
                continue
            rows.append(replace(row, shadowed_by=first))
            where = "twice in " + first if first == report.source.label else f"in {first} and {report.source.label}"
            findings.append(Finding(
                "name-shadowed", Severity.WARNING,
                f"skill {row.name!r} is defined {where}; the {first} one wins, {row.path} is ignored",
                "rename or remove one of them"))
        resolved.append(SourceReport(report.source, tuple(rows), report.nested))
    return resolved


def _listing(reports: list[SourceReport], environ: Mapping[str, str] | None, budget: int | None,
             findings: list[Finding]) -> ListingCheck:
    """The combined listing Claude Code shows, in source order, against its budget."""
    listed = [(row.name, row.description, row.when_to_use) for report in reports if report.source.claude_reads
              for row in report.skills if row.invocable and not row.shadowed_by]
    chars, source = (budget, "--listing-budget") if budget else default_budget(environ)
    check = check_listing(listed, chars, budget_source=source)
    cut, dropped = check.names(EntryStatus.NAME_ONLY), check.names(EntryStatus.DROPPED)
    if dropped:
        findings.append(Finding(
            "listing-dropped", Severity.ERROR,
            f"{len(dropped)} skill(s) do not fit Claude Code's listing at all ({check.total_chars:,} characters "
            f"for a budget of {check.budget_chars:,}): the model cannot see them",
            "move rarely used skills out of .claude/skills (skills hook install serves them per prompt), "
            "disable plugins you do not use, or shorten descriptions", tuple(dropped)))
    if cut:
        findings.append(Finding(
            "listing-over-budget", Severity.WARNING,
            f"{len(cut)} skill(s) are listed by name only, without their description ({check.total_chars:,} "
            f"characters for a budget of {check.budget_chars:,})",
            "shorten descriptions, disable plugins you do not use, or keep a large library outside "
            ".claude/skills and load it per prompt with skills hook install", tuple(cut)))
    return check


def _doubled(hook: HookCheck, reports: list[SourceReport], scan: SourceScan) -> list[Finding]:
    """A hooked library that Claude Code also lists natively: its skills reach the model twice."""
    native_roots = [root for r in reports if r.source.claude_reads for root in r.source.roots]
    native_names = {row.name: r.source.label for r in reports if r.source.claude_reads for row in r.skills}
    found = []
    for install in hook.installs:
        for library in install.libraries:
            inside = [root for root in native_roots if library == root or root in library.parents
                      or library in root.parents]
            names = []
            if library.is_dir() and not inside:
                names = sorted(s.name for s in load_skills([library]).usable() if s.name in native_names)
            if inside or names:
                found.append(Finding(
                    "hook-doubled", Severity.WARNING,
                    f"the hooked library {library} is also read natively by Claude Code"
                    + (f" ({inside[0]})" if inside else f" ({len(names)} skill name(s) also in "
                       f"{', '.join(sorted({native_names[n] for n in names}))})")
                    + ": those skills are listed and then added again by the hook",
                    "keep the library outside .claude/skills (and ~/.claude/skills), or uninstall the hook",
                    tuple(names)))
    return found
