from __future__ import annotations

import hashlib
import json
import signal
import stat
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from test_archive_safety import SMALL, UNSAFE_ARCHIVES, build_zip, lying_size

from conftest import CliResult, env_without_debug, skill_md, write_tree
from loader.ship import archive_safety
from loader.ship.install import PAUSE_AFTER_ASIDE, PAUSE_AFTER_EXTRACT
from loader.ship.installed import STAGING_DIR

Cli = Callable[..., CliResult]


def tree_state(root: Path, *, skip: str | None = None) -> dict[str, tuple[str, int, str]]:
    """Every path under ``root``: kind, permission bits and content hash (or link target)."""
    state: dict[str, tuple[str, int, str]] = {}
    if not root.exists():
        return state
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if skip and skip in rel.split("/"):
            continue
        mode = path.lstat().st_mode
        if path.is_symlink():
            state[rel] = ("link", 0, str(path.readlink()))
        elif path.is_dir():
            state[rel] = ("dir", stat.S_IMODE(mode), "")
        else:
            state[rel] = ("file", stat.S_IMODE(mode), hashlib.sha256(path.read_bytes()).hexdigest())
    return state


@pytest.fixture
def packed(tmp_path: Path, make_skill: Callable[..., Path], cli: Cli) -> Path:
    """``dist/`` with alpha-notes.skill, beta-tools.skill and their skills.lock."""
    make_skill("alpha-notes", extra="metadata:\n  version: 1.0.0\n")
    make_skill("beta-tools", files={"scripts/run.sh": "#!/bin/sh\necho hi\n", "references/guide.md": "# Guide\n"})
    result = cli("pack", tmp_path / "skills", "-o", tmp_path / "dist")
    assert result.code == 0, result.err
    return tmp_path / "dist"


@pytest.fixture
def project(tmp_path: Path, packed: Path, cli: Cli) -> Path:
    """A project with alpha-notes installed and a hand-written skill beside it."""
    root = tmp_path / "project"
    assert cli("install", packed / "alpha-notes.skill", "--project", root).code == 0
    write_tree(root / ".claude" / "skills" / "handmade", {"SKILL.md": skill_md("handmade")})
    return root


def skills_dir(project: Path) -> Path:
    return project / ".claude" / "skills"


def test_round_trip_pack_install_verify_then_an_edit_fails_verify(packed: Path, tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "fresh"
    result = cli("install", packed / "alpha-notes.skill", packed / "beta-tools.skill", "--project", root)
    assert result.code == 0, result.err
    installed = skills_dir(root)
    assert (installed / "beta-tools" / "scripts" / "run.sh").read_text() == "#!/bin/sh\necho hi\n"
    assert stat.S_IMODE((installed / "beta-tools" / "scripts" / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((installed / "alpha-notes" / "SKILL.md").stat().st_mode) == 0o644
    ok = cli("verify", root)
    assert ok.code == 0, ok.out
    assert "verified 2 skill(s)" in ok.out
    (installed / "beta-tools" / "references" / "guide.md").write_text("# Guide\nedited\n")
    failed = cli("verify", root)
    assert failed.code == 1
    assert "modified" in failed.out and "beta-tools/references/guide.md" in failed.out
    assert "alpha-notes" not in failed.out.split("verified")[0]


def test_lockfile_of_the_target_records_what_was_installed(packed: Path, project: Path) -> None:
    lock = json.loads((skills_dir(project) / "skills.lock").read_text())
    alpha = lock["skills"]["alpha-notes"]
    packed_lock = json.loads((packed / "skills.lock").read_text())["skills"]["alpha-notes"]
    assert alpha["version"] == "1.0.0"
    assert alpha["files"] == packed_lock["files"]
    assert alpha["archive_sha256"] == packed_lock["archive_sha256"]
    assert alpha["source"] == "../../../dist/alpha-notes.skill"
    assert list(lock["skills"]) == ["alpha-notes"], "the hand-made skill is not claimed"


@pytest.mark.parametrize("kind", sorted(UNSAFE_ARCHIVES))
def test_unsafe_archives_are_refused_and_the_target_is_untouched(
        kind: str, project: Path, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_safety, "DEFAULT_LIMITS", SMALL)
    build, words = UNSAFE_ARCHIVES[kind]
    evil = tmp_path / "incoming" / f"{kind}.skill"
    evil.parent.mkdir()
    evil.write_bytes(build())
    before = tree_state(project)
    fresh = tmp_path / "fresh-project"
    for target in (project, fresh):
        result = cli("install", evil, "--project", target, "--upgrade")
        assert result.code == 2
        assert f"unsafe archive {evil}" in result.err and words in result.err
        assert "Traceback" not in result.err
    assert tree_state(project) == before
    assert not fresh.exists()


def test_an_archive_that_lies_about_sizes_fails_during_extraction_and_is_rolled_back(
        project: Path, tmp_path: Path, cli: Cli) -> None:
    liar = tmp_path / "liar.skill"
    liar.write_bytes(lying_size())
    before = tree_state(project)
    result = cli("install", liar, "--project", project)
    assert result.code == 2
    assert "corrupt data" in result.err and "good/big.md" in result.err
    assert tree_state(project) == before


def test_install_is_all_or_nothing_across_skills(packed: Path, project: Path, tmp_path: Path, cli: Cli) -> None:
    invalid = tmp_path / "invalid.skill"
    invalid.write_bytes(build_zip([("zeta/SKILL.md", b"---\nname: zeta\ndescription: 5\nallowed-tools: 5\n---\nx\n")],
                                  with_skill=False))
    before = tree_state(project)
    result = cli("install", packed / "beta-tools.skill", invalid, "--project", project)
    assert result.code == 2
    assert "does not validate" in result.err and "zeta" in result.err
    assert tree_state(project) == before
    forced = cli("install", packed / "beta-tools.skill", invalid, "--project", project, "--force")
    assert forced.code == 0, forced.err
    assert (skills_dir(project) / "zeta" / "SKILL.md").is_file()


def test_existing_skill_is_replaced_only_with_upgrade(packed: Path, project: Path, tmp_path: Path,
                                                      make_skill: Callable[..., Path], cli: Cli) -> None:
    before = tree_state(project)
    refused = cli("install", packed / "alpha-notes.skill", "--project", project)
    assert refused.code == 2 and "--upgrade" in refused.err
    hand = cli("install", packed / "alpha-notes.skill", tmp_path / "skills" / "beta-tools", "--project", project)
    assert hand.code == 2, "one conflict refuses the whole install"
    assert tree_state(project) == before
    make_skill("alpha-notes", root=tmp_path / "v2", extra="metadata:\n  version: 2.0.0\n",
               files={"references/new.md": "new\n"})
    assert cli("pack", tmp_path / "v2", "-o", tmp_path / "dist2").code == 0
    upgraded = cli("install", tmp_path / "dist2" / "alpha-notes.skill", "--project", project, "--upgrade")
    assert upgraded.code == 0, upgraded.err
    assert (skills_dir(project) / "alpha-notes" / "references" / "new.md").read_text() == "new\n"
    assert cli("verify", project).code == 0
    assert "2.0.0" in cli("list", project).out
    assert not (skills_dir(project) / STAGING_DIR).exists()


def test_an_archive_that_does_not_match_the_lockfile_beside_it_is_refused(packed: Path, project: Path,
                                                                       cli: Cli) -> None:
    archive = packed / "beta-tools.skill"
    with zipfile.ZipFile(archive) as zf:
        members = [(name, zf.read(name)) for name in zf.namelist()]
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members:
            zf.writestr(name, data + b"\n# tampered\n" if name.endswith("guide.md") else data)
    before = tree_state(project)
    result = cli("install", archive, "--project", project)
    assert result.code == 2 and "does not match" in result.err and "skills.lock" in result.err
    assert tree_state(project) == before


def test_install_from_a_folder_and_into_user_and_plugin_targets(tmp_path: Path, packed: Path, cli: Cli) -> None:
    assert cli("install", tmp_path / "skills", "--user").code == 0
    user_dir = Path.home() / ".claude" / "skills"
    assert sorted(p.name for p in user_dir.iterdir()) == ["alpha-notes", "beta-tools", "skills.lock"]
    assert json.loads((user_dir / "skills.lock").read_text())["skills"]["beta-tools"]["archive"] is None
    assert cli("verify", "--user").code == 0
    plugin = tmp_path / "My Plugin"
    assert cli("install", packed / "beta-tools.skill", "--plugin", plugin).code == 0
    manifest = json.loads((plugin / ".claude-plugin" / "plugin.json").read_text())
    assert manifest["name"] == "my-plugin" and manifest["version"]
    assert (plugin / "skills" / "beta-tools" / "SKILL.md").is_file()
    assert cli("verify", plugin).code == 0
    assert "beta-tools" in cli("list", "--plugin", plugin).out


def test_uninstall_removes_only_what_skillpack_installed(project: Path, cli: Cli) -> None:
    assert cli("uninstall", "handmade", "--project", project).code == 2
    assert cli("uninstall", "nothing-here", "--project", project).code == 2
    result = cli("uninstall", "alpha-notes", "--project", project)
    assert result.code == 0, result.err
    assert sorted(p.name for p in skills_dir(project).iterdir()) == ["handmade", "skills.lock"]
    assert json.loads((skills_dir(project) / "skills.lock").read_text())["skills"] == {}


def _wait_for(marker: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"install ended before the pause point: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("install never reached the pause point")
        time.sleep(0.02)


def _start(skills_bin: list[str], args: list[str | Path], hook: str, marker: Path) -> subprocess.Popen[str]:
    env = {**env_without_debug(), hook: str(marker)}
    return subprocess.Popen([*skills_bin, *map(str, args)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_killed_install_leaves_no_half_installed_skill(tmp_path: Path, project: Path, make_skill: Callable[..., Path],
                                                        skills_bin: list[str], cli: Cli) -> None:
    make_skill("big-skill", root=tmp_path / "big",
               files={f"references/part-{i:03}.md": f"# Part {i}\n" + "text " * 400 for i in range(120)})
    assert cli("pack", tmp_path / "big", "-o", tmp_path / "big-dist").code == 0
    archive = tmp_path / "big-dist" / "big-skill.skill"
    before = tree_state(project)
    marker = tmp_path / "paused"
    proc = _start(skills_bin, ["install", archive, "--project", project], PAUSE_AFTER_EXTRACT, marker)
    _wait_for(marker, proc)
    staged = list((skills_dir(project) / STAGING_DIR).glob("new.big-skill.*/big-skill/references/*.md"))
    assert len(staged) == 120, "the kill happens with the skill fully extracted, not yet renamed in"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert not (skills_dir(project) / "big-skill").exists()
    assert tree_state(project, skip=STAGING_DIR) == before
    assert cli("verify", project).code == 0
    again = cli("install", archive, "--project", project)
    assert again.code == 0, again.err
    assert not (skills_dir(project) / STAGING_DIR).exists(), "leftovers of the killed run are cleaned"
    assert cli("verify", project).code == 0
    assert len(list((skills_dir(project) / "big-skill" / "references").iterdir())) == 120


def test_a_kill_during_an_upgrade_swap_restores_the_old_skill(tmp_path: Path, project: Path, packed: Path,
                                                             make_skill: Callable[..., Path], skills_bin: list[str],
                                                             cli: Cli) -> None:
    make_skill("alpha-notes", root=tmp_path / "v2", body="# Version two\n")
    assert cli("pack", tmp_path / "v2", "-o", tmp_path / "dist2").code == 0
    before = tree_state(project)
    marker = tmp_path / "paused"
    proc = _start(skills_bin, ["install", tmp_path / "dist2" / "alpha-notes.skill", "--project", project, "--upgrade"],
                  PAUSE_AFTER_ASIDE, marker)
    _wait_for(marker, proc)
    assert not (skills_dir(project) / "alpha-notes").exists(), "paused with the old skill moved aside"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    # The next run of any install recovers: the old skill comes back whole, then the new install proceeds.
    assert cli("install", packed / "beta-tools.skill", "--project", project).code == 0
    assert tree_state(project / ".claude" / "skills" / "alpha-notes") == {
        k.removeprefix(".claude/skills/alpha-notes/"): v for k, v in before.items()
        if k.startswith(".claude/skills/alpha-notes/")}
    assert cli("verify", project).code == 0


def test_archive_layout_problems_are_explained(tmp_path: Path, cli: Cli) -> None:
    flat = tmp_path / "flat.skill"
    flat.write_bytes(build_zip([("SKILL.md", b"---\nname: flat\n---\n")], with_skill=False))
    result = cli("install", flat, "--project", tmp_path / "p")
    assert result.code == 2 and "must hold the skill folder" in result.err
    no_manifest = tmp_path / "nomanifest.skill"
    no_manifest.write_bytes(build_zip([("other/README.md", b"hi")]))
    result = cli("install", no_manifest, "--project", tmp_path / "p")
    assert result.code == 2 and "without SKILL.md" in result.err and "other/" in result.err
    assert not (tmp_path / "p").exists()


def test_a_zip_made_by_macos_finder_installs_without_its_resource_forks(tmp_path: Path, cli: Cli) -> None:
    finder = tmp_path / "finder.skill"
    finder.write_bytes(build_zip([("good/", b""), ("__MACOSX/", b""), ("__MACOSX/good/._SKILL.md", b"\0\5\26\7")]))
    result = cli("install", finder, "--project", tmp_path / "p")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "p" / ".claude" / "skills").iterdir()) == ["good", "skills.lock"]


def test_a_failure_while_swapping_rolls_every_skill_back(tmp_path: Path, project: Path, packed: Path,
                                                        make_skill: Callable[..., Path], cli: Cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import loader.ship.install

    make_skill("alpha-notes", root=tmp_path / "v2", body="# Version two\n")
    assert cli("pack", tmp_path / "v2", "-o", tmp_path / "dist2").code == 0

    def disk_full(path: Path, lock: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(loader.ship.install, "write_lock", disk_full)
    before = tree_state(project)
    result = cli("install", tmp_path / "dist2" / "alpha-notes.skill", packed / "beta-tools.skill",
                 "--project", project, "--upgrade")
    assert result.code == 2 and "rolled back" in result.err and "No space left" in result.err
    assert tree_state(project) == before
    plugin = tmp_path / "plugin"
    assert cli("install", packed / "beta-tools.skill", "--plugin", plugin).code == 2
    assert not plugin.exists(), "the plugin folder and its manifest are removed again"
