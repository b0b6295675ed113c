"""``skills pack --for HOST``: each host refuses what it would refuse; warnings are always shown."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, skill_md, write_tree

Cli = Callable[..., CliResult]
DESC = "Formats invoice tables for the finance team. Use when the user asks to tidy an invoice table."


@pytest.mark.parametrize(("host", "text", "rule"), [
    pytest.param("claude-ai", skill_md("tidy", DESC, extra="disable-model-invocation: true\n"), "host-unknown-key",
                 id="claude-ai-unknown-key"),
    pytest.param("claude-ai", f"---\ndescription: {DESC}\n---\n\n# Steps\n\n1. Tidy.\n", "schema-required",
                 id="claude-ai-no-name"),
    pytest.param("claude-ai", skill_md("tidy", "Formats <b>invoice</b> tables. Use when tidying invoices."),
                 "host-description-angle", id="claude-ai-angle-brackets"),
    pytest.param("api", skill_md("tidy", DESC, extra="when_to_use: always\n"), "host-unknown-key",
                 id="api-unknown-key"),
    pytest.param("api", skill_md("tidy", "Turns a -> b. Use when converting things to tidy ones."),
                 "host-description-angle", id="api-angle-bracket"),
    pytest.param("agentskills", skill_md("tidy", DESC, extra="user-invocable: false\n"), "schema-unknown-field",
                 id="agentskills-unknown-field"),
])
def test_each_host_refuses_what_the_default_packs(host: str, text: str, rule: str, tmp_path: Path,
                                                  cli: Cli) -> None:
    write_tree(tmp_path / "src", {"tidy/SKILL.md": text})
    default = cli("pack", tmp_path / "src", "-o", tmp_path / "dist")
    assert default.code == 0, default.err
    refused = cli("pack", tmp_path / "src", "-o", tmp_path / "dist-host", "--for", host)
    assert refused.code == 1 and rule in refused.err and f"for {host}" in refused.err
    assert not (tmp_path / "dist-host").exists()


def test_claude_code_refuses_its_own_cases_and_stays_the_default(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path / "src", {"tidy/SKILL.md": skill_md("tidy", DESC, extra="context: everywhere\n")})
    for args in ([], ["--for", "claude-code"]):
        refused = cli("pack", tmp_path / "src", "-o", tmp_path / "dist", *args)
        assert refused.code == 1 and "schema-enum" in refused.err and "for claude-code" in refused.err


def test_every_finding_is_listed_and_warnings_show_whatever_the_host(tmp_path: Path, cli: Cli) -> None:
    write_tree(tmp_path / "src", {"tidy/SKILL.md": skill_md(
        "tidy", "Formats <b>invoice</b> tables. Use when tidying invoices.", extra="model: opus\n")})
    refused = cli("pack", tmp_path / "src", "-o", tmp_path / "dist", "--for", "claude-ai")
    assert refused.code == 1
    assert "host-unknown-key" in refused.err and "host-description-angle" in refused.err
    assert "description-xml" in refused.err, "the warning is listed with the errors"
    write_tree(tmp_path / "warn", {"tidy/SKILL.md": skill_md("tidy", "Formats <b>invoice</b> tables. Use when "
                                                                     "tidying invoices.")})
    for host in ("claude-code", "agentskills"):
        packed = cli("pack", tmp_path / "warn", "-o", tmp_path / f"out-{host}", "--for", host)
        assert packed.code == 0 and "description-xml" in packed.err, host


def anthropic_packager_zip(skill: Path, out: Path) -> Path:
    """A .skill laid out the way skill-creator's package_skill.py writes it: NAME/..., files only, deflate."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(skill.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(skill.parent))
    return out


def test_a_skill_zipped_like_anthropics_packager_installs_and_verifies(tmp_path: Path, cli: Cli) -> None:
    skill = write_tree(tmp_path / "src", {"tidy/SKILL.md": skill_md("tidy", DESC),
                                          "tidy/scripts/run.py": "print('tidy')\n",
                                          "tidy/references/guide.md": "# Guide\n"}) / "tidy"
    archive = anthropic_packager_zip(skill, tmp_path / "tidy.skill")
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    assert all(not i.is_dir() and i.filename.startswith("tidy/") for i in infos)
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert cli("pack", tmp_path / "src", "-o", tmp_path / "dist", "--for", "claude-ai").code == 0
    project = tmp_path / "project"
    result = cli("install", archive, "--project", project)
    assert result.code == 0, result.err
    installed = project / ".claude" / "skills" / "tidy"
    assert (installed / "references" / "guide.md").read_text() == "# Guide\n"
    assert cli("verify", project).code == 0
