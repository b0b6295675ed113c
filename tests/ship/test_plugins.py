"""Claude Code plugins and marketplaces: packed with a version that follows the skills, installed from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, skill_md, write_tree

Cli = Callable[..., CliResult]


@pytest.fixture
def src(tmp_path: Path, make_skill: Callable[..., Path]) -> Path:
    make_skill("alpha-notes", root=tmp_path / "src", extra="metadata:\n  version: 1.4.0\n")
    make_skill("beta-tools", root=tmp_path / "src", files={"scripts/run.sh": "#!/bin/sh\necho hi\n"})
    return tmp_path / "src"


def manifest(plugin: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((plugin / ".claude-plugin" / "plugin.json").read_text())
    return data


def test_pack_plugin_builds_the_layout_and_the_version_moves_only_with_the_skills(
        src: Path, tmp_path: Path, cli: Cli) -> None:
    plugin = tmp_path / "Ünï Plug"
    dry = cli("pack", src, "--plugin", plugin, "--dry-run")
    assert dry.code == 0 and "alpha-notes/SKILL.md" in dry.out and not plugin.exists()
    assert cli("pack", src, "--plugin", plugin, "--bundle", "x.skills").code == 2
    first = cli("pack", src, "--plugin", plugin)
    assert first.code == 0, first.err
    meta = manifest(plugin)
    assert meta["name"] == "uni-plug" and meta["description"]
    assert meta["version"].startswith("1.4.0+")  # the highest skill version, plus the content digest
    assert (plugin / "skills" / "alpha-notes" / "SKILL.md").is_file()
    assert (plugin / "skills" / "beta-tools" / "scripts" / "run.sh").is_file()
    assert cli("verify", plugin).code == 0
    assert cli("validate", plugin).code == 0, "what pack writes passes the plugin schema"
    (plugin / ".claude-plugin" / "plugin.json").write_text('{"name": "Bad Name", "version": 3}')
    refused = cli("validate", plugin)
    assert refused.code == 1 and "plugin-manifest" in refused.out and "version" in refused.out

    assert cli("pack", src, "--plugin", plugin).code == 0
    assert manifest(plugin) == meta | {"name": "bad-name"}, "pack repairs the name and the version"
    assert cli("pack", src, "--plugin", plugin, "--plugin-name", "uni-plug").code == 0
    assert cli("pack", src, "--plugin", plugin).code == 0
    assert manifest(plugin)["version"] == meta["version"], "no change, no new version"

    (src / "beta-tools" / "scripts" / "run.sh").write_text("#!/bin/sh\necho changed\n")
    assert cli("pack", src, "--plugin", plugin).code == 0
    changed = manifest(plugin)["version"]
    assert changed != meta["version"]

    write_tree(src / "beta-tools", {"reference.md": "# More\n"})
    assert cli("pack", src, "--plugin", plugin).code == 0
    assert manifest(plugin)["version"] not in (meta["version"], changed)


def test_a_skill_dropped_from_the_source_leaves_the_plugin(src: Path, tmp_path: Path, cli: Cli) -> None:
    plugin = tmp_path / "plug"
    assert cli("pack", src, "--plugin", plugin).code == 0
    before = manifest(plugin)["version"]
    result = cli("pack", src / "alpha-notes", "--plugin", plugin)
    assert result.code == 0 and "removed beta-tools" in result.out
    assert not (plugin / "skills" / "beta-tools").exists()
    assert manifest(plugin)["version"] != before


def test_install_upgrade_into_a_plugin_bumps_its_version(src: Path, tmp_path: Path, cli: Cli,
                                                         make_skill: Callable[..., Path]) -> None:
    plugin = tmp_path / "plug"
    assert cli("install", src, "--plugin", plugin).code == 0
    before = manifest(plugin)["version"]
    make_skill("alpha-notes", root=tmp_path / "v2", extra="metadata:\n  version: 1.5.0\n")
    assert cli("install", tmp_path / "v2", "--plugin", plugin, "--upgrade").code == 0
    after = manifest(plugin)["version"]
    assert after != before and after.startswith("1.5.0+")
    assert cli("uninstall", "alpha-notes", "--plugin", plugin).code == 0
    assert manifest(plugin)["version"] not in (before, after)


def test_marketplace_round_trip_pack_install_verify(src: Path, tmp_path: Path, cli: Cli,
                                                    make_skill: Callable[..., Path]) -> None:
    market = tmp_path / "market"
    assert cli("pack", src, "--marketplace", market, "--plugin-name", "team-skills").code == 2  # no owner yet
    packed = cli("pack", src, "--marketplace", market, "--plugin-name", "team-skills", "--owner", "Team A")
    assert packed.code == 0, packed.err
    listing = json.loads((market / ".claude-plugin" / "marketplace.json").read_text())
    assert listing["name"] == "market" and listing["owner"] == {"name": "Team A"}
    [entry] = listing["plugins"]
    plugin = market / "plugins" / "team-skills"
    assert entry == {"name": "team-skills", "source": "./plugins/team-skills",
                     "description": manifest(plugin)["description"], "version": manifest(plugin)["version"]}

    make_skill("gamma-extra", root=tmp_path / "other")
    assert cli("pack", tmp_path / "other", "--marketplace", market, "--plugin-name", "extras").code == 0
    listing = json.loads((market / ".claude-plugin" / "marketplace.json").read_text())
    assert [p["name"] for p in listing["plugins"]] == ["team-skills", "extras"]
    assert listing["owner"] == {"name": "Team A"}
    assert cli("validate", market).code == 0

    project = tmp_path / "project"
    unchosen = cli("install", market, "--project", project)
    assert unchosen.code == 2 and "team-skills, extras" in unchosen.err and "--plugin-name" in unchosen.err
    done = cli("install", market, "--plugin-name", "team-skills", "--project", project, "--target", "agents")
    assert done.code == 0, done.err
    installed = project / ".agents" / "skills"
    assert sorted(p.name for p in installed.iterdir() if p.is_dir()) == ["alpha-notes", "beta-tools"]
    assert cli("verify", "--target", str(installed)).code == 0
    assert cli("install", market, "--plugin-name", "nope", "--project", project).code == 2


def test_install_from_a_plugin_folder_takes_its_skills(src: Path, tmp_path: Path, cli: Cli) -> None:
    plugin = tmp_path / "plug"
    assert cli("pack", src, "--plugin", plugin).code == 0
    project = tmp_path / "project"
    assert cli("install", plugin, "--project", project).code == 0
    skills = project / ".claude" / "skills"
    assert sorted(p.name for p in skills.iterdir() if p.is_dir()) == ["alpha-notes", "beta-tools"]


def test_a_marketplace_listing_skill_paths_like_anthropics_skills(tmp_path: Path, cli: Cli) -> None:
    market = tmp_path / "anthropic-style"
    write_tree(market, {
        "skills/pdf/SKILL.md": skill_md("pdf"), "skills/xlsx/SKILL.md": skill_md("xlsx"),
        "skills/other/SKILL.md": skill_md("other"),
        ".claude-plugin/marketplace.json": json.dumps({"name": "m", "owner": {"name": "o"}, "plugins": [
            {"name": "document-skills", "source": "./", "strict": False, "skills": ["./skills/pdf", "./skills/xlsx"]},
            {"name": "remote", "source": {"source": "github", "repo": "o/r"}},
            {"name": "escape", "source": "../outside"}]}),
    })
    project = tmp_path / "project"
    result = cli("install", market, "--plugin-name", "document-skills", "--project", project)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (project / ".claude" / "skills").iterdir() if p.is_dir()) == ["pdf", "xlsx"]
    remote = cli("install", market, "--plugin-name", "remote", "--project", project)
    assert remote.code == 2 and "github source" in remote.err
    (tmp_path / "outside").mkdir()
    escape = cli("install", market, "--plugin-name", "escape", "--project", project)
    assert escape.code == 2 and "outside the marketplace" in escape.err


def test_pack_plugin_refuses_errors_unless_forced(tmp_path: Path, cli: Cli,
                                                  make_skill: Callable[..., Path]) -> None:
    make_skill("flawed", root=tmp_path / "bad", extra="allowed-tools: 5\n")
    plugin = tmp_path / "plug"
    refused = cli("pack", tmp_path / "bad", "--plugin", plugin)
    assert refused.code == 1 and "schema-one-of" in refused.err and not plugin.exists()
    forced = cli("pack", tmp_path / "bad", "--plugin", plugin, "--force")
    assert forced.code == 0, forced.err
    assert (plugin / "skills" / "flawed" / "SKILL.md").is_file()
