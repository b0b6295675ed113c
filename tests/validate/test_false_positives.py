"""Validation false positives found on the corpus: footnotes as links, the quoting hint for a list."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CORPUS, needs_corpus, skill_md, write_tree

FOOTNOTE = ('[^1]: Ran, F.A. et al. (2013). "Genome engineering using the CRISPR-Cas9 system." _Nature Protocols_, '
            "8(11), 2281–2308. https://doi.org/10.1038/nprot.2013.143")
"""A line of the corpus (markdown-mermaid-writing/assets/examples/example-research-report.md)."""


def _diagnostics(cli: Callable[..., Any], path: Path) -> list[dict[str, Any]]:
    result = cli("validate", path, "-f", "json")
    return list(json.loads(result.out)["diagnostics"])


def test_a_footnote_definition_is_not_a_link(cli: Callable[..., Any], tmp_path: Path) -> None:
    body = f"# Report\n\nCas9 cuts DNA.[^1] See [the guide](missing.md).\n\n{FOOTNOTE}\n[ref]: gone.md\n"
    write_tree(tmp_path, {"s/crispr/SKILL.md": skill_md("crispr", body=body)})
    missing = [d for d in _diagnostics(cli, tmp_path / "s") if d["rule"] == "link-missing"]
    assert sorted(d["message"].split("'")[1] if "'" in d["message"] else d["message"] for d in missing) \
        == ["gone.md", "missing.md"], missing


@needs_corpus
def test_no_footnote_is_reported_as_a_link_on_the_corpus(cli: Callable[..., Any]) -> None:
    skill = CORPUS / "K-Dense-AI__claude-scientific-skills" / "markdown-mermaid-writing"
    lines = {}
    for diag in _diagnostics(cli, skill):
        if diag["rule"] == "link-missing":
            lines[diag["path"], diag["line"]] = Path(diag["path"]).read_text(encoding="utf-8").splitlines()[
                diag["line"] - 1]
    assert not [line for line in lines.values() if line.lstrip().startswith("[^")], lines


def test_a_list_where_a_string_is_expected_is_not_told_to_quote(cli: Callable[..., Any], tmp_path: Path) -> None:
    text = skill_md("contrib").replace("---\n", "---\nmetadata:\n  skill-contributors:\n    - name: Clayton Young\n"
                                       "  skill-version: 1.0\ncompatibility: 2.0\n", 1)
    write_tree(tmp_path, {"s/contrib/SKILL.md": text})
    hints = {d["message"].split(" ")[0]: d["hint"] for d in _diagnostics(cli, tmp_path / "s")
             if d["rule"] == "schema-type"}
    assert "quote" not in hints["metadata/skill-contributors"]
    assert "one string" in hints["metadata/skill-contributors"]
    assert "metadata/skill-version" not in hints  # a scalar metadata value is read as text, as skills-ref does
    assert hints["compatibility"] == "quote the value to make it a string"
