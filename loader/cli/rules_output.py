"""``skills rules`` output, without typer: the catalogue as text or JSON.

Shared by the typer command (``loader.cli.validate``) and the start-up fast path in
``loader.cli.entry``, which answers ``skills rules [-f text|json]`` by importing only the
rulebook (a few ms) instead of typer and every command (~250 ms before this path existed).
"""

from __future__ import annotations

import json
from typing import TextIO

from loader.core.model import Severity
from loader.validate.rulebook import RULES

FORMATS = ("text", "json")


def render_rules(fmt: str, out: TextIO) -> None:
    """Write every rule: id, default severity, stage, whether it blocks loading, meaning."""
    if fmt == "json":
        rows = [{"id": r.id, "severity": r.severity.value, "stage": r.stage, "blocking": r.blocking,
                 "summary": r.summary}
                for r in RULES.values()]
        json.dump({"schema_version": 1, "rules": rows}, out, indent=2)
        out.write("\n")
        return
    width = max(len(rule_id) for rule_id in RULES)
    for rule in RULES.values():
        mark = "*" if rule.blocking and rule.severity is Severity.ERROR else " "
        out.write(f"{rule.id:<{width}}  {rule.severity.value:<7}{mark} {rule.stage:<8}  {rule.summary}\n")
    out.write("\n* an error of this rule keeps the skill out of the index (it cannot work at run time);\n"
              "  other errors fail `skills validate` but the skill is still matched and loaded.\n")


def fast_format(args: list[str]) -> str | None:
    """The format of plain ``skills rules`` arguments, or ``None`` for anything typer must parse."""
    if not args:
        return "text"
    if len(args) == 2 and args[0] in ("--format", "-f") and args[1] in FORMATS:
        return args[1]
    if len(args) == 1 and args[0].startswith("--format=") and args[0].split("=", 1)[1] in FORMATS:
        return args[0].split("=", 1)[1]
    return None
