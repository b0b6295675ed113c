"""Usage stage, render: a :class:`UsageReport` as text, Markdown, JSON or a self-contained HTML page.

Guarantees: prompts appear only when the report holds them (``--show-prompts``), and text shows
each cut to one line; JSON carries ``schema_version`` and only ever gains fields; HTML escapes
every value.
"""

from __future__ import annotations

import html
import json
from typing import Any, TextIO

from loader.usage.summary import SCHEMA_VERSION, UsageReport

PROMPT_PREVIEW = 80


def to_json(report: UsageReport) -> dict[str, Any]:
    """The ``--format json`` document."""
    stats = report.stats
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "sources": list(report.sources), "since": report.since or None,
        "files": stats.files, "lines": stats.lines, "bytes": stats.bytes,
        "skipped_lines": {"malformed": stats.malformed, "too_long": stats.too_long},
        "sessions": report.sessions, "prompts": report.prompts, "prompts_with_skill": report.prompts_with_skill,
        "skills": [{"name": s.name, "in_library": s.in_library, "uses": s.total, "by_claude": s.claude,
                    "by_read": s.read, "by_user": s.user, "by_hook": s.hook, "last_used": s.last or None,
                    "listing": s.listing or None} for s in report.skills],
        "never_used": list(report.never_used), "cut_by_listing": list(report.cut_by_listing), "replay": None,
    }
    if report.replay is not None and report.report is not None:
        r, base = report.replay, report.report
        doc["replay"] = {
            "threshold": r.threshold, "no_skill_prompts": r.no_skill_prompts, "token_counter": base.counter,
            "prices": {"model": base.prices.model, "input": base.prices.input, "cache_write": base.prices.cache_write,
                       "cache_read": base.prices.cache_read, "source": base.prices.source, "taken": base.prices.taken},
            "scenarios": [{"name": s.name, "stable_tokens": s.stable_tokens, "volatile_tokens": s.volatile_tokens,
                           "per_turn_tokens": round(s.per_turn_tokens, 1), "cost_uncached": s.cost_uncached,
                           "cost_cached": s.cost_cached} for s in (r.eager, r.listing, r.on_demand)],
        }
    if report.prompts_shown:
        doc["prompts_shown"] = list(report.prompts_shown)
    return doc


def render_json(report: UsageReport, out: TextIO) -> None:
    """Write the JSON document."""
    json.dump(to_json(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def _lines(report: UsageReport, *, md: bool) -> list[str]:
    stats = report.stats
    since = f" since {report.since}" if report.since else ""
    head = "# " if md else ""
    lines = [f"{head}Skill usage{since}", "",
             f"transcripts: {stats.files} file(s), {stats.bytes / 1e6:.1f} MB ({', '.join(report.sources)})",
             f"sessions: {report.sessions}; prompts: {report.prompts}; prompts where a skill was used "
             f"(by Claude or /name): {report.prompts_with_skill}"]
    if stats.malformed or stats.too_long:
        lines.append(f"skipped lines: {stats.malformed} malformed or truncated, {stats.too_long} too long")
    lines.append("")
    rows: list[tuple[str, ...]] = [("skill", "uses", "claude", "read", "/name", "hook", "listing", "last used")]
    rows += [(s.name + ("" if s.in_library else " (not in library)"), str(s.total), str(s.claude), str(s.read),
              str(s.user), str(s.hook), s.listing or "-", s.last[:10] or "-") for s in report.skills]
    lines += _table(rows, md=md)
    lines.append("")
    lines.append(f"never used{since}: " + (", ".join(report.never_used) or "none"))
    lines.append("used, but past Claude Code's listing budget (no description listed): "
                 + (", ".join(report.cut_by_listing) or "none"))
    if report.replay is not None and report.report is not None:
        r, base = report.replay, report.report
        lines += ["", f"{'## ' if md else ''}Replayed on these prompts ({base.counter} tokens, {base.prices.model} "
                  f"prices of {base.prices.taken}; matcher threshold {r.threshold:g}; "
                  f"{r.no_skill_prompts} prompt(s) loaded nothing)", ""]
        rows = [("loading", "tokens/turn", "USD uncached", "USD cached")]
        rows += [(s.name, f"{s.per_turn_tokens:,.0f}", f"{s.cost_uncached:.4f}", f"{s.cost_cached:.4f}")
                 for s in (r.eager, r.listing, r.on_demand)]
        lines += _table(rows, md=md)
    if report.prompts_shown:
        lines += ["", f"{'## ' if md else ''}Prompts", ""]
        lines += [f"- {' '.join(p.split())[:PROMPT_PREVIEW]}" for p in report.prompts_shown]
    return lines


def _table(rows: list[tuple[str, ...]], *, md: bool) -> list[str]:
    if md:
        cells = [[c.replace("|", "\\|") for c in row] for row in rows]
        return ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])] + \
            ["| " + " | ".join(row) + " |" for row in cells[1:]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def render_text(report: UsageReport, out: TextIO) -> None:
    """Plain text: counts, the per-skill table, dead skills, listing cuts, the replayed costs."""
    out.write("\n".join(_lines(report, md=False)) + "\n")


def render_markdown(report: UsageReport, out: TextIO) -> None:
    """The same as text, as Markdown (tables for a PR comment or a wiki)."""
    out.write("\n".join(_lines(report, md=True)) + "\n")


def render_html(report: UsageReport, out: TextIO) -> None:
    """A self-contained page: the Markdown report's content, every value escaped."""
    body: list[str] = []
    in_table = False
    for line in _lines(report, md=True):
        if line.startswith("|---"):
            continue
        if line.startswith("| ") != in_table:
            body.append("<table>" if not in_table else "</table>")
            in_table = not in_table
        if line.startswith("| "):
            cells = "".join(f"<td>{html.escape(c.strip().replace(chr(92) + '|', '|'))}</td>"
                            for c in line[2:-2].split(" | "))
            body.append(f"<tr>{cells}</tr>")
        elif line.startswith("#"):
            level = 1 if line.startswith("# ") else 2
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    out.write("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Skill usage</title>"
              "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td{padding:2px 8px}"
              "tr:first-child{font-weight:bold}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
