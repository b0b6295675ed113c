"""validate, index, report and pack agree on which skills have errors and which are left out, and name them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CORPUS, needs_corpus, skill_md, write_tree


def _library(root: Path) -> Path:
    write_tree(root, {
        "a/good/SKILL.md": skill_md("good"),
        "a/no-frontmatter/SKILL.md": "# just a body\n",
        "a/long/SKILL.md": skill_md("long", "Use when " + "x" * 1100),  # an error that does not block
        "b/good/SKILL.md": skill_md("good"),  # a duplicate name: the first root wins
    })
    return root


def _counts(cli: Callable[..., Any], roots: list[Path], tmp: Path) -> dict[str, Any]:
    validate = json.loads(cli("validate", *roots, "-f", "json").out)
    index = json.loads(cli("index", *roots, "--index", tmp / "i.sqlite", "-f", "json").out)
    report = cli("report", *roots, "-f", "json", "-o", tmp / "r.json")
    pack = cli("pack", *roots, "--force", "-o", tmp / "dist")
    archives = re.search(r"wrote (\d+) archive", pack.out)
    return {
        "validate_left_out": sorted(Path(o["path"]).name for o in validate["left_out"]),
        "validate_with_errors": len(validate["skills_with_errors"]),
        "index_left_out": index["left_out"],
        "report_left_out": int(re.search(r"(\d+) skill folders? left out", report.err).group(1)),  # type: ignore[union-attr]
        "report_named": report.err.count("note: left out "),
        "pack_skipped": pack.err.count("skipped "),
        "pack_archives": int(archives.group(1)) if archives else 0,
        "indexed": index["skills"],
    }


def test_counts_agree_and_every_left_out_skill_is_named(cli: Callable[..., Any], tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    counts = _counts(cli, [root / "a", root / "b"], tmp_path)
    assert counts["validate_left_out"] == ["good", "no-frontmatter"]
    assert counts["validate_with_errors"] == 2  # no-frontmatter and long
    assert counts["index_left_out"] == counts["report_left_out"] == counts["report_named"] == 2
    assert counts["pack_skipped"] == 2 and counts["pack_archives"] == counts["indexed"] == 2


@needs_corpus
def test_counts_agree_on_the_corpus(cli: Callable[..., Any], tmp_path: Path) -> None:
    counts = _counts(cli, [CORPUS], tmp_path)
    left_out = len(counts["validate_left_out"])
    assert counts["index_left_out"] == counts["report_left_out"] == counts["report_named"] == left_out
    unpackable_names = counts["pack_skipped"] - left_out  # names that cannot be folder names, named too
    assert unpackable_names >= 0 and counts["pack_archives"] == counts["indexed"] - unpackable_names
