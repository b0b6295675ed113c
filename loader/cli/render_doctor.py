"""Render a ``skills doctor`` report for a terminal (text), a PR or issue (Markdown) and machines (JSON).

One renderer per format over the same :class:`DoctorReport`; each writes to an explicit stream.
"""

from __future__ import annotations

import json
from typing import TextIO

from loader.report.listing import EntryStatus
from loader.runtime.doctor import SCHEMA_VERSION, DoctorReport

_MARK = {"error": "✗", "warning": "!", "info": "·"}


def summary_line(report: DoctorReport) -> str:
    """One line: sources, skills, the listing against its budget, the hook, and the verdict."""
    claude = [s for s in report.sources if s.source.claude_reads]
    skills = sum(1 for s in claude for row in s.skills if not row.shadowed_by)
    errors = sum(1 for f in report.findings if f.severity.value == "error")
    warnings = sum(1 for f in report.findings if f.severity.value == "warning")
    hook = f"hook in {len(report.hook.installs)} settings file(s)" if report.hook.installs else "no skillpack hook"
    verdict = "healthy" if report.healthy else f"{errors} error(s), {warnings} warning(s)"
    return (f"{len(claude)} Claude Code source(s), {skills} skill(s); listing {report.listing.total_chars:,}"
            f"/{report.listing.budget_chars:,} characters; {hook}: {verdict}")


def render_text(report: DoctorReport, out: TextIO) -> None:
    """Sources with their skill counts, then findings with their fixes, then the summary line."""
    out.write(f"project: {report.project}\nclaude config: {report.config}\n\nsources:\n")
    if not report.sources:
        out.write("  (none found)\n")
    for item in report.sources:
        source = item.source
        shadowed = sum(1 for row in item.skills if row.shadowed_by)
        extra = f", {shadowed} shadowed" if shadowed else ""
        reader = "" if source.claude_reads else "  [other agents only]"
        out.write(f"  {source.label}: {len(item.skills)} skill(s){extra}{reader}\n")
        for root in source.roots:
            out.write(f"      {root}\n")
        out.write(f"      found by: {source.found_by}\n")
    listing = report.listing
    out.write(f"\nlisting: {listing.total_chars:,} of {listing.budget_chars:,} characters "
              f"({listing.budget_source})\n")
    if report.findings:
        out.write("\nfindings:\n")
    for finding in report.findings:
        out.write(f"  {_MARK[finding.severity.value]} {finding.severity.value:<7} {finding.code}  {finding.message}\n")
        for detail in finding.details[:20]:
            out.write(f"        {detail}\n")
        if len(finding.details) > 20:
            out.write(f"        ... and {len(finding.details) - 20} more\n")
        if finding.fix:
            out.write(f"        fix: {finding.fix}\n")
    out.write("\n" + summary_line(report) + "\n")


def render_markdown(report: DoctorReport, out: TextIO) -> None:
    """A Markdown page: summary, sources table, findings table."""
    out.write(f"## skills doctor\n\n{summary_line(report)}\n\n")
    out.write("| source | skills | found by | read by Claude Code |\n|---|---:|---|---|\n")
    for item in report.sources:
        out.write(f"| {_cell(item.source.label)} | {len(item.skills)} | {_cell(item.source.found_by)} | "
                  f"{'yes' if item.source.claude_reads else 'no'} |\n")
    if report.findings:
        out.write("\n| severity | finding | fix |\n|---|---|---|\n")
        for finding in report.findings:
            message = finding.message + (f" ({', '.join(finding.details[:10])})" if finding.details else "")
            out.write(f"| {finding.severity.value} | `{finding.code}` {_cell(message)} | {_cell(finding.fix)} |\n")


def render_json(report: DoctorReport, out: TextIO) -> None:
    """A single JSON document; fields are only ever added, never renamed."""
    listing = report.listing
    document = {
        "schema_version": SCHEMA_VERSION,
        "project": str(report.project),
        "config_dir": str(report.config),
        "healthy": report.healthy,
        "sources": [{
            "kind": item.source.kind, "label": item.source.label, "roots": [str(r) for r in item.source.roots],
            "found_by": item.source.found_by, "claude_reads": item.source.claude_reads,
            "skills": [{"name": row.name, "path": str(row.path), "invocable": row.invocable, "ok": row.ok,
                        "shadowed_by": row.shadowed_by or None} for row in item.skills],
            "nested": [str(p) for p in item.nested],
        } for item in report.sources],
        "listing": {"budget_chars": listing.budget_chars, "budget_source": listing.budget_source,
                    "total_chars": listing.total_chars, "kept_chars": listing.kept_chars, "fits": listing.fits,
                    "name_only": listing.names(EntryStatus.NAME_ONLY), "dropped": listing.names(EntryStatus.DROPPED)},
        "hook": {
            "installs": [{"scope": i.scope, "settings": str(i.settings), "command": i.command,
                          "program": i.program or None, "libraries": [str(r) for r in i.libraries],
                          "index": str(i.index_path) if i.index_path else None, "index_age_s": i.index_age_s}
                         for i in report.hook.installs],
            "log": str(report.hook.log_path), "log_tail": list(report.hook.log_tail),
        },
        "findings": [{"code": f.code, "severity": f.severity.value, "message": f.message, "fix": f.fix,
                      "details": list(f.details)} for f in report.findings],
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
