"""Render a size report: terminal text, JSON (stable keys, ``schema_version``) and Markdown.

Guarantees: one report, several audiences, same numbers; renderers only format what
``loader.report.compute.compute`` returned, write to the ``out`` they are given, and never compute.
The HTML page is in ``loader.report.html``.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from loader.report.compute import SCHEMA_VERSION, Report, Scenario
from loader.report.listing import EntryStatus

NO_QUERIES = ("on-demand cost depends on the prompts: pass --queries FILE.jsonl to measure it; "
              "until then, skillpack's stable prefix is its floor and each prompt adds the bodies it loads")


def headline(report: Report) -> str:
    """One line saying what on-demand loading saves (or what is needed to know it)."""
    if not report.skills:
        return "no usable skills found: nothing is loaded, eagerly or on demand"
    vs_eager = report.savings(report.eager)
    vs_listing = report.savings(report.listing)
    if vs_eager is None or vs_listing is None:
        return (f"{report.skills} skills: eager loading costs {report.eager.per_turn_tokens:,.0f} tokens per turn, "
                f"Claude Code's listing {report.listing.per_turn_tokens:,.0f}; on-demand depends on the prompts")
    if vs_eager[0] < 0:  # a tiny library: the prefix outweighs loading everything
        return (f"on-demand loading costs {_pct(-vs_eager[1])} more skill context per turn than eager "
                f"({-vs_eager[0]:,.0f} tokens): this library is small enough to load whole")
    return (f"on-demand loading saves {_pct(vs_eager[1])} of skill context per turn "
            f"({vs_eager[0]:,.0f} tokens vs eager; {_signed_pct(vs_listing[1])} vs Claude Code's listing)")


def _pct(share: float) -> str:
    # One decimal, floored, so 99.96% never reads as "100%".
    return f"{int(share * 1000) / 10:.1f}%"


def _signed_pct(share: float) -> str:
    return _pct(share) if share >= 0 else f"costs {_pct(-share)} more"


def counter_note(report: Report) -> str:
    """Which counter produced the numbers, and whether they are estimates."""
    kind = "exact for that tokenizer" if report.counter_exact else "an estimate"
    return f"tokens counted by {report.counter} ({kind}); see docs/report.md for its measured error"


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:,.4f}"


def scenario_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(label, tokens per turn, cached cost, uncached cost) for the summary table."""
    def row(label: str, s: Scenario) -> tuple[str, str, str, str]:
        return label, f"{s.per_turn_tokens:,.0f}", _money(s.cost_cached), _money(s.cost_uncached)

    rows = [row("eager: every SKILL.md", report.eager),
            ("  + reference files", f"{report.eager_references_tokens:,}", "", ""),
            row("listing: Claude Code", report.listing)]
    if report.listing.volatile_tokens:
        rows.append(("  listing (cached)", f"{report.listing.stable_tokens:,}", "", ""))
        rows.append(("  + invoked bodies (mean)", f"{report.listing.volatile_tokens:,.0f}", "", ""))
    if report.on_demand is not None:
        rows.append(row("on-demand: skillpack", report.on_demand))
        rows.append(("  stable prefix (cached)", f"{report.on_demand.stable_tokens:,}", "", ""))
        bodies = report.on_demand.volatile_tokens - report.suggestion_tokens
        rows.append(("  loaded bodies (mean)", f"{bodies:,.0f}", "", ""))
        rows.append(("  suggestions (mean)", f"{report.suggestion_tokens:,.0f}", "", ""))
    elif report.prefix_tokens is not None:
        rows.append(("on-demand: stable prefix", f"{report.prefix_tokens:,}", "", ""))
    return rows


def listing_lines(report: Report) -> list[str]:
    """The budget check in a few sentences."""
    check = report.listing_check
    lines = [f"listing budget: {check.total_chars:,} of {check.budget_chars:,} chars "
             f"({'fits' if check.fits else 'OVER BUDGET'}); budget: {check.budget_source}"]
    name_only, dropped = check.names(EntryStatus.NAME_ONLY), check.names(EntryStatus.DROPPED)
    if name_only:
        lines.append(f"  {len(name_only)} skills listed by name only, description dropped: {_some(name_only)}")
    if dropped:
        lines.append(f"  {len(dropped)} skills not listed at all: {_some(dropped)}")
    capped = [e.name for e in check.entries if e.capped]
    if capped:
        lines.append(f"  {len(capped)} descriptions cut at the per-skill cap: {_some(capped)}")
    if not check.fits:
        lines.append("  (Claude Code keeps full descriptions for its most-used skills; library order stands in here)")
    described = len(check.names(EntryStatus.FULL))
    lines.append(f"reach: Claude Code's listing can reach {report.listing_reach:,} of {report.on_demand_reach:,} "
                 f"auto-invocable skills within its budget ({described:,} with a description); skillpack can "
                 f"load or suggest all {report.on_demand_reach:,}, with a summary line for each suggestion")
    return lines


def _some(names: list[str], n: int = 8) -> str:
    return ", ".join(names[:n]) + (f" (+{len(names) - n} more)" if len(names) > n else "")


def render_text(report: Report, out: TextIO) -> None:
    """A terminal report: headline, summary table, listing check, top skills, per-skill rows."""
    w = out.write
    w(headline(report) + "\n")
    w(f"{counter_note(report)}\n")
    w(f"costs: {report.turns} turns of {report.prices.model} input at ${report.prices.input:g}/M "
      f"(cache write ${report.prices.cache_write:g}/M, read ${report.prices.cache_read:g}/M; "
      f"prices {report.prices.taken}, {report.prices.source.split(' ')[0]})\n\n")
    table = [("context per turn", "tokens", f"{report.turns} turns cached", "uncached"), *scenario_rows(report)]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for r in table:
        w(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}".rstrip() + "\n")
    if report.on_demand is not None:
        w(f"over {report.queries} prompts: {report.no_skill_queries} loaded no skill, "
          f"{report.mean_loaded:g} skills loaded on average, largest tail {report.max_tail_tokens:,} tokens\n")
    else:
        w(NO_QUERIES + "\n")
    w("\n" + "\n".join(listing_lines(report)) + "\n")
    by = "tokens loaded over the prompts" if report.on_demand is not None else "body tokens"
    by_name = {r.name: r for r in report.rows}
    if report.top:
        w(f"\ntop skills by cost ({by}), worth trimming:\n")
        for name in report.top:
            skill = by_name[name]
            w(f"  {name}: body {skill.body_tokens:,} tokens, references {skill.reference_tokens:,}"
              + (f", loaded {skill.loads}x" if report.on_demand is not None else "") + "\n")
    w("\nper skill (tokens):\n")
    header = ("skill", "listing", "body", "SKILL.md", "refs", "loads", "listed")
    body = [(r.name, f"{r.listing_tokens:,}", f"{r.body_tokens:,}", f"{r.skill_md_tokens:,}",
             f"{r.reference_tokens:,}", str(r.loads), r.listing_status) for r in report.rows]
    cols = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        w(f"  {line[0]:<{cols[0]}}" + "".join(f"  {v:>{c}}" for v, c in zip(line[1:6], cols[1:6], strict=True))
          + f"  {line[6]}\n")


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data with stable keys (schema in ``docs/report.md``)."""
    def scen(s: Scenario) -> dict[str, Any]:
        return {"stable_tokens": s.stable_tokens, "volatile_tokens": s.volatile_tokens,
                "per_turn_tokens": s.per_turn_tokens, "cost_uncached_usd": s.cost_uncached,
                "cost_cached_usd": s.cost_cached}

    def save(against: Scenario) -> dict[str, Any] | None:
        found = report.savings(against)
        if found is None:
            return None
        return {"tokens_per_turn": round(found[0], 1), "percent": round(100 * found[1], 2),
                "cost_cached_usd": round(found[2], 6)}

    check = report.listing_check
    p = report.prices
    return {
        "schema_version": SCHEMA_VERSION,
        "headline": headline(report),
        "counter": {"name": report.counter, "exact": report.counter_exact},
        "roots": list(report.roots),
        "skills": report.skills,
        "turns": report.turns,
        "prices": {"model": p.model, "input": p.input, "cache_write": p.cache_write, "cache_read": p.cache_read,
                   "unit": "USD per million tokens", "source": p.source, "taken": p.taken},
        "eager": {**scen(report.eager), "references_tokens": report.eager_references_tokens},
        "listing": {**scen(report.listing), "sent_tokens": report.listing_sent_tokens,
                    "budget_chars": check.budget_chars, "budget_source": check.budget_source,
                    "total_chars": check.total_chars, "kept_chars": check.kept_chars, "fits": check.fits,
                    "name_only": check.names(EntryStatus.NAME_ONLY), "dropped": check.names(EntryStatus.DROPPED),
                    "capped": [e.name for e in check.entries if e.capped], "reach": report.listing_reach},
        "on_demand": None if report.on_demand is None else {
            **scen(report.on_demand), "queries": report.queries, "no_skill_queries": report.no_skill_queries,
            "mean_loaded_skills": report.mean_loaded, "max_tail_tokens": report.max_tail_tokens,
            "suggestion_tokens": report.suggestion_tokens, "reach": report.on_demand_reach},
        "prefix_tokens": report.prefix_tokens,
        "savings": {"vs_eager": save(report.eager), "vs_listing": save(report.listing)},
        "top": list(report.top),
        "rows": [{"name": r.name, "listing_tokens": r.listing_tokens, "listing_chars": r.listing_chars,
                  "listing_status": r.listing_status, "description_capped": r.description_capped,
                  "skill_md_tokens": r.skill_md_tokens, "body_tokens": r.body_tokens,
                  "reference_tokens": r.reference_tokens, "reference_files": r.reference_files,
                  "invocable": r.invocable, "loads": r.loads} for r in report.rows],
    }


def render_json(report: Report, out: TextIO) -> None:
    """Write :func:`to_json` as indented JSON."""
    json.dump(to_json(report), out, indent=2)
    out.write("\n")


def render_markdown(report: Report, out: TextIO) -> None:
    """Markdown to paste in a pull request: headline, summary table, listing check, per-skill table."""
    w = out.write
    w(f"### Skill context report\n\n**{headline(report)}**\n\n_{counter_note(report)}; "
      f"costs over {report.turns} turns of {report.prices.model} input (prices {report.prices.taken})._\n\n")
    w(f"| context per turn | tokens | {report.turns} turns, cached | uncached |\n|---|---:|---:|---:|\n")
    for label, tokens, cached, uncached in scenario_rows(report):
        w(f"| {_md(label.strip())} | {tokens} | {cached} | {uncached} |\n")
    if report.on_demand is None:
        w(f"\n{NO_QUERIES}.\n")
    w("\n" + "\n".join(f"- {_md(line.strip())}" for line in listing_lines(report)) + "\n")
    if report.top:
        w("\n**Top skills by cost:** " + ", ".join(f"`{n}`" for n in report.top) + "\n")
    w("\n<details><summary>Per skill (tokens)</summary>\n\n"
      "| skill | listing | body | SKILL.md | refs | loads | listed |\n|---|---:|---:|---:|---:|---:|---|\n")
    for r in report.rows:
        w(f"| `{r.name}` | {r.listing_tokens:,} | {r.body_tokens:,} | {r.skill_md_tokens:,} | "
          f"{r.reference_tokens:,} | {r.loads} | {r.listing_status} |\n")
    w("\n</details>\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|")
