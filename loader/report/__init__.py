"""Report stage: a library (and optionally a query set) in, what on-demand loading saves out.

``inputs`` gathers sizes and the matched tails per query; ``compute`` compares three ways of
loading skills per turn (eager, Claude Code's listing, skillpack's prefix plus matched
bodies) in tokens and money over N turns, with prices from ``prices.json``; ``listing``
models Claude Code's character budget for the skill listing. Returns a :class:`Report`;
``render`` turns it into text, Markdown or JSON, ``html`` into a self-contained page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loader.core.exports import lazy_exports

_EXPORTS = {
    "Report": "compute",
    "compute": "compute",
    "gate_failures": "compute",
    "load_prices": "compute",
    "gather": "inputs",
    "check_listing": "listing",
    "default_budget": "listing",
    "render_html": "html",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from loader.report.compute import Report as Report
    from loader.report.compute import compute as compute
    from loader.report.compute import gate_failures as gate_failures
    from loader.report.compute import load_prices as load_prices
    from loader.report.html import render_html as render_html
    from loader.report.inputs import gather as gather
    from loader.report.listing import check_listing as check_listing
    from loader.report.listing import default_budget as default_budget
