"""Render a size report as one standalone HTML page: inline CSS and an inline SVG bar chart.

Guarantees: no network, no scripts, no external resources (the page works offline and from
a CI artifact); every value from the skill library is HTML-escaped; same report, same bytes.
"""

from __future__ import annotations

import math
from html import escape
from typing import TextIO

from loader.report.compute import Report
from loader.report.render import NO_QUERIES, counter_note, headline, listing_lines, scenario_rows

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem}
.headline{font-size:1.2rem;font-weight:600;color:#0b6e4f}.note{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{padding:.25rem .5rem;border-bottom:1px solid #e3e6ec}
th{text-align:left;background:#f4f6f9;position:sticky;top:0}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.status-name-only{color:#a15c00}.status-dropped{color:#b00020;font-weight:600}.over{color:#b00020;font-weight:600}
td.sub{padding-left:1.6rem;color:#5b6475}
svg text{font:13px system-ui,sans-serif;fill:#1d2330}svg .tick{fill:#8a92a3;font-size:11px}
"""
_COLORS = {"eager-refs": "#c44536", "eager": "#e07a5f", "listing": "#3d5a80", "on-demand": "#2a9d8f"}


def _bars(report: Report) -> list[tuple[str, str, float]]:
    """(key, label, tokens per turn) for each bar of the chart."""
    bars = [("eager-refs", "eager + reference files", report.eager.per_turn_tokens + report.eager_references_tokens),
            ("eager", "eager: every SKILL.md", report.eager.per_turn_tokens),
            ("listing", "Claude Code listing" + (" + bodies" if report.listing.volatile_tokens else ""),
             report.listing.per_turn_tokens)]
    if report.on_demand is not None:
        bars.append(("on-demand", "on-demand (skillpack)", report.on_demand.per_turn_tokens))
    elif report.prefix_tokens is not None:
        bars.append(("on-demand", "on-demand floor: prefix only", float(report.prefix_tokens)))
    return bars


def chart_svg(report: Report, *, width: int = 960) -> str:
    """Horizontal bars of tokens per turn on a log scale (the scenarios differ by orders of magnitude)."""
    bars = _bars(report)
    label_w, value_w, row_h, top = 230, 150, 44, 30
    plot_w = width - label_w - value_w
    hi = max(1.0, max(t for _, _, t in bars))
    decades = max(1, math.ceil(math.log10(hi)))

    def x(tokens: float) -> float:
        return label_w + plot_w * (math.log10(max(1.0, tokens)) / decades)

    height = top + row_h * len(bars) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="skill context tokens per turn, log scale">']
    for d in range(decades + 1):
        gx = label_w + plot_w * d / decades
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 8}" x2="{gx:.1f}" y2="{height - 20}" stroke="#e3e6ec"/>')
        parts.append(f'<text class="tick" x="{gx:.1f}" y="{top - 12}" text-anchor="middle">{_short(10 ** d)}</text>')
    for i, (key, label, tokens) in enumerate(bars):
        y = top + i * row_h
        bar_w = max(2.0, x(tokens) - label_w)
        parts.append(f'<text x="{label_w - 10}" y="{y + 22}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="bar" data-scenario="{key}" data-tokens="{tokens:.0f}" x="{label_w}" y="{y + 6}" '
                     f'width="{bar_w:.1f}" height="{row_h - 14}" rx="3" fill="{_COLORS[key]}"/>')
        parts.append(f'<text x="{label_w + bar_w + 8:.1f}" y="{y + 22}">{tokens:,.0f} tokens</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _short(value: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"


def render_html(report: Report, out: TextIO) -> None:
    """Write the standalone page: headline, chart, summary, listing check, per-skill table."""
    title = "Skill context report" + (f": {', '.join(report.roots)}" if report.roots else "")
    w = out.write
    w(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>\n'
      f'<meta name="viewport" content="width=device-width,initial-scale=1">\n<style>{_CSS}</style></head><body>\n')
    w(f"<h1>{escape(title)}</h1>\n<p class=\"headline\">{escape(headline(report))}</p>\n")
    w(f'<p class="note">{escape(counter_note(report))}. Costs: {report.turns} turns of '
      f"{escape(report.prices.model)} input at ${report.prices.input:g}/M tokens (cache write "
      f"${report.prices.cache_write:g}/M, read ${report.prices.cache_read:g}/M; prices taken "
      f"{escape(report.prices.taken)} from {escape(report.prices.source)}).</p>\n")
    w("<h2>Skill context per turn (tokens, log scale)</h2>\n" + chart_svg(report) + "\n")
    if report.on_demand is None:
        w(f'<p class="note">{escape(NO_QUERIES)}.</p>\n')
    w('<table id="summary"><tr><th>context per turn</th><th class="n">tokens</th>'
      f'<th class="n">{report.turns} turns, cached</th><th class="n">uncached</th></tr>\n')
    for label, tokens, cached, uncached in scenario_rows(report):
        sub = ' class="sub"' if label.startswith(" ") else ""
        w(f'<tr><td{sub}>{escape(label.strip())}</td><td class="n">{tokens}</td><td class="n">{cached}</td>'
          f'<td class="n">{uncached}</td></tr>\n')
    w("</table>\n<h2>Claude Code listing budget</h2>\n<ul>\n")
    for i, line in enumerate(listing_lines(report)):
        cls = ' class="over"' if i == 0 and not report.listing_check.fits else ""
        w(f"<li{cls}>{escape(line.strip())}</li>\n")
    w("</ul>\n")
    if report.top:
        w("<h2>Top skills by cost</h2>\n<ol>" + "".join(f"<li>{escape(n)}</li>" for n in report.top) + "</ol>\n")
    w('<h2>Per skill</h2>\n<table id="skills"><tr><th>skill</th><th class="n">listing</th><th class="n">body</th>'
      '<th class="n">SKILL.md</th><th class="n">references</th><th class="n">loads</th><th>listed</th></tr>\n')
    for r in report.rows:
        w(f'<tr><td>{escape(r.name)}</td><td class="n">{r.listing_tokens:,}</td><td class="n">{r.body_tokens:,}</td>'
          f'<td class="n">{r.skill_md_tokens:,}</td><td class="n">{r.reference_tokens:,}</td>'
          f'<td class="n">{r.loads}</td><td class="status-{escape(r.listing_status)}">{escape(r.listing_status)}</td>'
          "</tr>\n")
    w("</table>\n</body></html>\n")
