"""Every rule in the rulebook has a failing and a passing fixture, run through the library and the CLI."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CliResult, skill_md, write_tree
from loader.core.model import Profile, Severity
from loader.validate import discover as discover_module
from loader.validate.load import load_skills
from loader.validate.rulebook import RULES

GOOD_DESC = "Formats Markdown tables with aligned columns. Use when the user asks to tidy a table."
Tree = dict[str, str | bytes]


@dataclass
class Case:
    rule: str
    bad: Tree
    good: Tree
    profile: Profile = Profile.CLAUDE_CODE
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    extra_roots: tuple[str, ...] = ()
    explicit: bool = False
    marks: list[pytest.MarkDecorator] = field(default_factory=list)


def fm(name: str = "tables", description: str = GOOD_DESC, extra: str = "",
       body: str = "# Steps\n\nAlign it.\n") -> str:
    return f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n{body}"


GOOD: Tree = {"tables/SKILL.md": fm()}
BOMB = "\n".join(
    ["---", "name: tables", f"description: {GOOD_DESC}", "a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)]
    + ["---", "body"]
) + "\n"


def _unreadable(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = root / "tables" / "SKILL.md"
    target.chmod(0)
    if os.geteuid() == 0:  # root reads anything: simulate the permission error it would get
        real_open = os.open

        def guarded(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if Path(path) == target:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", guarded)


def _symlink_escape(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = root.parent / "outside.md"
    outside.write_text(fm(), encoding="utf-8")
    (root / "linked").mkdir()
    (root / "linked" / "SKILL.md").symlink_to(outside)


def _symlink_loop(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "loop").symlink_to(root / "loop")


def _small_tree_limit(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover_module, "MAX_ENTRIES", 3)


def _small_file_limit(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover_module, "MAX_SKILL_FILES", 2)


CASES = [
    Case("file-unreadable", GOOD, GOOD, setup=_unreadable),
    Case("file-binary", {"tables/SKILL.md": b"---\nname: tables\x00\x01\x02\n---\n"}, GOOD),
    Case("file-encoding", {"tables/SKILL.md": b"---\nname: tables\ndescription: caf\xe9\n---\n"}, GOOD),
    Case("file-too-large", {"tables/SKILL.md": fm(body="x" * (4 * 1024 * 1024 + 10))}, GOOD),
    Case("encoding-bom", {"tables/SKILL.md": b"\xef\xbb\xbf" + fm().encode()}, GOOD),
    Case("line-endings-crlf", {"tables/SKILL.md": fm().replace("\n", "\r\n").encode()}, GOOD),
    Case("frontmatter-missing", {"tables/SKILL.md": "# Tables\n\nNo frontmatter here.\n"}, GOOD),
    Case("frontmatter-unclosed", {"tables/SKILL.md": f"---\nname: tables\ndescription: {GOOD_DESC}\n# body\n"}, GOOD),
    Case("frontmatter-too-large", {"tables/SKILL.md": fm(extra="junk: " + "x" * 70_000 + "\n")}, GOOD),
    Case("frontmatter-yaml", {"tables/SKILL.md": fm(extra="\tlicense: MIT\n")}, GOOD),
    Case("frontmatter-aliases", {"tables/SKILL.md": BOMB}, GOOD),
    Case("frontmatter-duplicate-key", {"tables/SKILL.md": fm(extra="name: tables\n")}, GOOD),
    Case("frontmatter-key-type", {"tables/SKILL.md": fm(extra="1: one\n")},
         {"tables/SKILL.md": fm(extra="metadata:\n  \"1\": one\n")}),
    Case("frontmatter-not-mapping", {"tables/SKILL.md": "---\n- name\n- description\n---\nbody\n"}, GOOD),
    Case("schema-required", {"tables/SKILL.md": "---\nname: tables\n---\n\nbody\n"}, GOOD, Profile.AGENTSKILLS),
    Case("schema-type", {"tables/SKILL.md": fm(extra="license: [MIT, Apache]\n")}, GOOD),
    Case("schema-pattern", {"Tables_X/SKILL.md": fm(name="Tables_X")}, GOOD),
    Case("schema-min-length", {"tables/SKILL.md": fm(extra='license: ""\n')}, GOOD),
    Case("schema-max-length", {"tables/SKILL.md": fm(description=GOOD_DESC + " x" * 600)}, GOOD),
    Case("schema-enum", {"tables/SKILL.md": fm(extra="context: sometimes\n")},
         {"tables/SKILL.md": fm(extra="context: fork\n")}),
    Case("schema-one-of", {"tables/SKILL.md": fm(extra="paths: 5\n")},
         {"tables/SKILL.md": fm(extra="paths: ['docs/**']\n")}),
    Case("schema-unknown-field", {"tables/SKILL.md": fm(extra="colour: blue\n")},
         {"tables/SKILL.md": fm(extra="metadata:\n  colour: blue\n")}),
    Case("name-mismatch", {"tables/SKILL.md": fm(name="table-tool")}, GOOD, Profile.AGENTSKILLS),
    Case("name-reserved", {"claude-tables/SKILL.md": fm(name="claude-tables")}, GOOD),
    Case("name-duplicate", {"a/tables/SKILL.md": fm(), "b/tables/SKILL.md": fm()}, GOOD),
    Case("description-missing", {"tables/SKILL.md": "---\nname: tables\n---\n\nbody\n"}, GOOD),
    Case("description-too-short", {"tables/SKILL.md": fm(description="Formats tables.")}, GOOD),
    Case("description-no-trigger",
         {"tables/SKILL.md": fm(description="Formats Markdown tables with aligned columns and tidy headers.")}, GOOD),
    Case("description-xml", {"tables/SKILL.md": fm(description=GOOD_DESC + " Handles <table> markup.")}, GOOD),
    Case("description-person", {"tables/SKILL.md": fm(description="I can format tables for you. Use when asked.")},
         GOOD),
    Case("body-empty", {"tables/SKILL.md": fm(body="")}, GOOD),
    Case("body-too-long", {"tables/SKILL.md": fm(body="line\n" * 600)}, GOOD),
    Case("link-missing", {"tables/SKILL.md": fm(body="See [guide](references/guide.md).\n")},
         {"tables/SKILL.md": fm(body="See [guide](references/guide.md).\n"), "tables/references/guide.md": "ok\n"}),
    Case("link-absolute", {"tables/SKILL.md": fm(body="See [guide](/etc/guide.md).\n")}, GOOD),
    Case("link-escapes", {"tables/SKILL.md": fm(body="See [other](../other/SKILL.md).\n")}, GOOD),
    Case("reference-nested",
         {"tables/SKILL.md": fm(body="See [a](a.md).\n"), "tables/a.md": "See [b](b.md).\n", "tables/b.md": "b\n"},
         {"tables/SKILL.md": fm(body="See [a](a.md) and [b](b.md).\n"), "tables/a.md": "See [b](b.md).\n",
          "tables/b.md": "b\n"}),
    Case("reference-binary", {"tables/SKILL.md": fm(), "tables/notes.md": b"\x00\x01binary"},
         {"tables/SKILL.md": fm(), "tables/notes.md": "text\n"}),
    Case("reference-too-large", {"tables/SKILL.md": fm(), "tables/data.csv": "a,b\n" * 300_000},
         {"tables/SKILL.md": fm(), "tables/data.csv": "a,b\n"}),
    Case("plugin-manifest", {**GOOD, ".claude-plugin/plugin.json": '{"name": "My Plugin", "version": 1}'},
         {**GOOD, ".claude-plugin/plugin.json": '{"name": "my-plugin", "version": "1.0.0+abc", "description": "d"}'}),
    Case("marketplace-manifest",
         {**GOOD, ".claude-plugin/marketplace.json": '{"name": "m", "plugins": [{"name": "p"}]}'},
         {**GOOD, ".claude-plugin/marketplace.json":
          '{"name": "m", "owner": {"name": "o"}, "plugins": [{"name": "p", "source": "./", "strict": false}]}'}),
    Case("manifest-case", {"tables/skill.md": fm(), "other/SKILL.md": fm(name="other")}, GOOD),
    Case("no-skill-found", {"notes/README.md": "# Notes\n"}, GOOD, explicit=True),
    Case("symlink-escape", GOOD, GOOD, setup=_symlink_escape),
    Case("symlink-loop", GOOD, GOOD, setup=_symlink_loop),
    Case("tree-too-large", {**GOOD, "x/y/z/1": "", "x/y/z/2": "", "x/y/z/3": ""}, GOOD, setup=_small_tree_limit),
    Case("skill-too-many-files", {**GOOD, "tables/1.txt": "1", "tables/2.txt": "2", "tables/3.txt": "3"},
         GOOD, setup=_small_file_limit),
]


def test_every_rule_has_a_case() -> None:
    assert sorted(case.rule for case in CASES) == sorted(RULES)


def _roots(root: Path, tree: Tree) -> list[Path]:
    tops = sorted({rel.split("/")[0] for rel in tree})
    return [root / top for top in tops] if all(t in ("a", "b") for t in tops) else [root]


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case, tree: Tree, with_setup: bool) -> set[str]:
    root = tmp_path / "lib"
    root.mkdir()
    write_tree(root, tree)
    if with_setup and case.setup:
        case.setup(root, monkeypatch)
    result = load_skills(_roots(root, tree), case.profile, explicit=case.explicit)
    return {d.rule for d in result.diagnostics}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule) for c in CASES])
def test_rule_fires_on_bad_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    assert case.rule in _run(tmp_path, monkeypatch, case, case.bad, with_setup=True)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule) for c in CASES])
def test_rule_quiet_on_good_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    assert case.rule not in _run(tmp_path, monkeypatch, case, case.good, with_setup=False)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.rule) for c in CASES])
def test_rule_through_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case,
                          cli: Callable[..., CliResult]) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    write_tree(root, case.bad)
    if case.setup:
        case.setup(root, monkeypatch)
    result = cli("validate", *_roots(root, case.bad), "--format", "json", "--profile", case.profile.value)
    document = json.loads(result.out)
    found = [d for d in document["diagnostics"] if d["rule"] == case.rule]
    assert found, result.out
    expected_code = 1 if any(d["severity"] == Severity.ERROR.value for d in document["diagnostics"]) else 0
    assert result.code == expected_code
    assert "Traceback" not in result.err


def test_good_skill_is_clean_in_both_profiles(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tables/SKILL.md": skill_md("tables")})
    for profile in Profile:
        assert load_skills([tmp_path], profile, strict=True).diagnostics == ()
