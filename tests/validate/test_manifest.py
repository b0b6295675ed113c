"""Parse stage: frontmatter split, positions, byte-exact bodies and hostile YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from loader.validate.manifest import MAX_YAML_NODES, parse_manifest, parse_manifest_text

P = Path("SKILL.md")


def test_splits_frontmatter_and_keeps_body_byte_exact() -> None:
    text = "---\nname: a\ndescription: b c\n---\n# Title\r\n\ntrailing  \n"
    manifest = parse_manifest_text(P, text)
    assert manifest.frontmatter == {"name": "a", "description": "b c"}
    assert manifest.body == "# Title\r\n\ntrailing  \n"
    assert manifest.body_line == 5
    assert manifest.key_lines == {"name": 2, "description": 3}
    assert manifest.diagnostics == ()


def test_block_scalar_description_and_key_lines() -> None:
    text = "---\nname: a\ndescription: >\n  folded\n  text\nlicense: MIT\n---\nbody\n"
    manifest = parse_manifest_text(P, text)
    assert manifest.frontmatter is not None
    assert manifest.frontmatter["description"] == "folded text\n"
    assert manifest.key_lines["license"] == 6


def test_dates_stay_strings_so_frontmatter_is_json_data() -> None:
    manifest = parse_manifest_text(P, "---\nupdated: 2024-01-31\n---\n")
    assert manifest.frontmatter == {"updated": "2024-01-31"}


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        pytest.param("---\nname: a\n\tdescription: b\n---\n", "frontmatter-yaml", 3, id="tab"),
        pytest.param("---\nname: a\ndescription: b: c\n---\n", "frontmatter-yaml", 3, id="unquoted-colon"),
        pytest.param("---\nx: !!python/object/apply:os.system [ls]\n---\n", "frontmatter-yaml", 2, id="python-tag"),
        pytest.param("---\nname: a\nname: b\n---\n", "frontmatter-duplicate-key", 3, id="duplicate-key"),
        pytest.param("---\nx: &a [*a]\n---\n", "frontmatter-aliases", 2, id="recursive-alias"),
        pytest.param("---\nname: a\n2.5: x\n---\n", "frontmatter-key-type", 3, id="number-key"),
        pytest.param("---\nmetadata:\n  null: x\n---\n", "frontmatter-key-type", 3, id="nested-null-key"),
        pytest.param("---\njust a string\n---\n", "frontmatter-not-mapping", 2, id="scalar"),
        pytest.param("---\n---\nbody\n", "frontmatter-not-mapping", 2, id="empty-frontmatter"),
        pytest.param("", "frontmatter-missing", 1, id="empty-file"),
        pytest.param("---\nname: a\n", "frontmatter-unclosed", 1, id="unclosed"),
    ],
)
def test_bad_yaml_becomes_a_positioned_diagnostic(text: str, rule: str, line: int) -> None:
    manifest = parse_manifest_text(P, text)
    assert manifest.frontmatter is None
    assert [(d.rule, d.line) for d in manifest.diagnostics] == [(rule, line)]
    assert manifest.diagnostics[0].hint


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    (diag,) = parse_manifest_text(P, "---\nx: " + "[" * 20_000 + "\n---\n").diagnostics
    assert diag.rule == "frontmatter-yaml"
    assert diag.line in (2, 3)  # libyaml stops at its nesting limit (line 2) or at the unclosed end


def test_yaml_error_has_column_and_tab_hint() -> None:
    (diag,) = parse_manifest_text(P, "---\nname: a\n\tdescription: b\n---\n").diagnostics
    assert diag.column == 1
    assert "tab" in diag.hint


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    manifest = parse_manifest_text(P, "\n".join([*lines, "---", ""]))
    assert [d.rule for d in manifest.diagnostics] == ["frontmatter-aliases"]
    assert str(MAX_YAML_NODES) in manifest.diagnostics[0].message


def test_small_aliases_are_fine() -> None:
    manifest = parse_manifest_text(P, "---\nbase: &b {a: 1}\nother: *b\n---\n")
    assert manifest.frontmatter == {"base": {"a": 1}, "other": {"a": 1}}


def test_multi_megabyte_frontmatter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "SKILL.md"
    path.write_text("---\n" + "k: " + "v" * 3_000_000 + "\n---\n", encoding="utf-8")
    manifest = parse_manifest(path)
    assert [d.rule for d in manifest.diagnostics] == ["frontmatter-too-large"]


def test_bom_and_crlf_are_reported_but_parsed(tmp_path: Path) -> None:
    path = tmp_path / "SKILL.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: a\r\ndescription: b\r\n---\r\nbody\r\n")
    manifest = parse_manifest(path)
    assert manifest.frontmatter == {"name": "a", "description": "b"}
    assert manifest.body == "body\r\n"
    assert {d.rule for d in manifest.diagnostics} == {"encoding-bom", "line-endings-crlf"}


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "SKILL.md"
    path.write_bytes(b"---\nname: a\ndescription: caf\xe9\n---\n")
    (diag,) = parse_manifest(path).diagnostics
    assert (diag.rule, diag.line) == ("file-encoding", 3)


@pytest.mark.parametrize("data", [
    pytest.param(b"---\nname: a\ndescription: Does things. Use when asked.\n---\nBody.\n", id="plain"),
    pytest.param(b"\xef\xbb\xbf---\r\nname: a\r\n---\r\nBody\r\n", id="bom-crlf"),
    pytest.param(b"---\nname: a\n---\nbin\x00ary\n", id="binary"),
    pytest.param(b"---\nname: a\n---\nline\nbad \xff byte\n", id="not-utf8"),
    pytest.param(b"\xef\xbb\xbf\xff", id="bom-then-bad-byte"),
    pytest.param(b"", id="empty"),
    pytest.param(b"---\nname: [\n---\n", id="bad-yaml"),
    pytest.param(b"---\n" + b"x" * (4 * 1024 * 1024), id="too-large"),
])
def test_bytes_already_read_parse_as_the_file_does(tmp_path: Path, data: bytes) -> None:
    # The validation cache hands over SKILL.md's bytes it read for the key; the result must be
    # what reading the file gives, diagnostics included.
    path = tmp_path / "SKILL.md"
    path.write_bytes(data)
    assert parse_manifest(path, data) == parse_manifest(path)


@pytest.mark.parametrize(("yaml_text", "line", "shown"), [
    pytest.param("name: !!int abc\n", 2, "'abc' cannot be read as int", id="int"),
    pytest.param("name: !!float x\n", 2, "'x' cannot be read as float", id="float"),
    pytest.param("name: !!bool maybe\n", 2, "'maybe' cannot be read as bool", id="bool"),
    pytest.param("name: !!timestamp nope\n", 2, "'nope' cannot be read as timestamp", id="timestamp"),
    pytest.param("big: " + "1" * 5000 + "\n", 2, "cannot be read as int", id="int-over-4300-digits"),
    pytest.param("name: a\nmeta:\n  list: [1, !!int x]\n", 4, "'x' cannot be read as int", id="nested"),
])
def test_a_value_yaml_cannot_construct_is_a_diagnostic_at_its_line(yaml_text: str, line: int, shown: str) -> None:
    manifest = parse_manifest_text(P, f"---\n{yaml_text}description: d\n---\nBody.\n")
    assert manifest.frontmatter is None
    assert [(d.rule, d.line) for d in manifest.diagnostics] == [("frontmatter-yaml", line)]
    assert shown in manifest.diagnostics[0].message


def test_a_well_formed_explicit_tag_still_constructs() -> None:
    manifest = parse_manifest_text(P, "---\nname: a\nlist: [!!int 3, !!float '1.5']\n---\n")
    assert manifest.frontmatter == {"name": "a", "list": [3, 1.5]} and manifest.diagnostics == ()
