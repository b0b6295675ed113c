from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import env_without_debug, skill_md, write_tree
from loader.ship import bundle
from loader.ship.ignore import IgnoreRules
from loader.validate.load import load_skills


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def library(tmp_path: Path, make_skill: Callable[..., Path]) -> Path:
    """Three skills: plain, with references and an executable script, and with a version."""
    make_skill("alpha-notes")
    make_skill("beta-tools", files={"references/guide.md": "# Guide\n", "scripts/run.sh": "#!/bin/sh\necho hi\n",
                                    "scripts/helper.py": "print('x')\n"})
    make_skill("gamma-versioned", extra="metadata:\n  version: 2.1.0\n", files={"data/table.csv": "a,b\n1,2\n"})
    (tmp_path / "skills" / "beta-tools" / "scripts" / "helper.py").chmod(0o755)
    return tmp_path / "skills"


def archives(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in sorted(folder.glob("*.skill"))}


def test_pack_is_byte_identical_across_runs_paths_mtimes_and_permissions(
        library: Path, tmp_path: Path, cli: Callable[..., object], skills_bin: list[str]) -> None:
    first = cli("pack", library, "-o", tmp_path / "dist1")
    assert first.code == 0, first.err
    assert cli("pack", library, "-o", tmp_path / "dist2").code == 0
    # A copy at another path, with other mtimes and permissions, plus litter that must be excluded.
    copy = tmp_path / "elsewhere" / "deeper" / "skills"
    shutil.copytree(library, copy)
    for number, path in enumerate(sorted(copy.rglob("*"))):
        if path.is_file():
            path.chmod(0o755 if path.suffix == ".sh" else 0o600)
        os.utime(path, (1_000_000 + number * 7919, 2_000_000_000 - number * 104_729))
    (copy / "beta-tools" / "scripts" / "helper.py").chmod(0o744)
    write_tree(copy / "beta-tools", {".DS_Store": b"\0\1", "__pycache__/helper.cpython-311.pyc": b"\0",
                                     "scripts/run.sh.swp": b"swap", ".git/config": "[core]\n", "notes.pyc": b"\0"})
    # ... packed by another process, in another working folder and time zone.
    env = {**env_without_debug(), "TZ": "Asia/Kolkata"}
    run = subprocess.run([*skills_bin, "pack", str(copy), "-o", str(copy.parent / "dist")], cwd=copy.parent,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    one, two, three = (archives(d) for d in (tmp_path / "dist1", tmp_path / "dist2", copy.parent / "dist"))
    assert set(one) == {"alpha-notes.skill", "beta-tools.skill", "gamma-versioned.skill"}
    assert one == two == three
    lock_texts = {(d / "skills.lock").read_bytes() for d in (tmp_path / "dist1", copy.parent / "dist")}
    assert len(lock_texts) == 1, "same relative layout gives the same lockfile bytes"


def test_archive_layout_timestamps_and_modes_are_normalised(library: Path, tmp_path: Path,
                                                           cli: Callable[..., object]) -> None:
    assert cli("pack", library, "-o", tmp_path / "dist").code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "beta-tools.skill") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert names == ["beta-tools/SKILL.md", "beta-tools/references/guide.md", "beta-tools/scripts/helper.py",
                         "beta-tools/scripts/run.sh"]
        assert zf.comment == b""
        for item in infos:
            assert item.date_time == (1980, 1, 1, 0, 0, 0)
            assert item.create_system == 3 and item.extra == b""
            assert item.compress_type == zipfile.ZIP_DEFLATED
        modes = {i.filename.rsplit("/", 1)[1]: (i.external_attr >> 16) & 0o7777 for i in infos}
        assert modes == {"SKILL.md": 0o644, "guide.md": 0o644, "helper.py": 0o755, "run.sh": 0o755}
        assert zf.read("beta-tools/scripts/run.sh") == b"#!/bin/sh\necho hi\n"


def test_lockfile_records_versions_sources_and_every_hash(library: Path, tmp_path: Path,
                                                         cli: Callable[..., object]) -> None:
    dist = tmp_path / "dist"
    assert cli("pack", library, "-o", dist).code == 0
    lock = json.loads((dist / "skills.lock").read_text())
    assert lock["lock_version"] == 1
    assert sorted(lock["skills"]) == ["alpha-notes", "beta-tools", "gamma-versioned"]
    gamma = lock["skills"]["gamma-versioned"]
    assert gamma["version"] == "2.1.0" and lock["skills"]["alpha-notes"]["version"] is None
    assert gamma["source"] == "../skills/gamma-versioned"
    assert gamma["archive"] == "gamma-versioned.skill"
    assert gamma["archive_sha256"] == sha(dist / "gamma-versioned.skill")
    assert gamma["files"] == {rel: sha(library / "gamma-versioned" / rel) for rel in ("SKILL.md", "data/table.csv")}


def test_excludes_litter_and_skillignore_patterns(make_skill: Callable[..., Path], tmp_path: Path,
                                                 cli: Callable[..., object]) -> None:
    make_skill("ignoring", files={
        ".skillignore": "# build output\n*.log\n/drafts/\n!keep.log\nlocal-*.md\n",
        "a.log": "x", "keep.log": "kept", "drafts/wip.md": "wip", "refs/drafts/ok.md": "nested drafts stay",
        "local-notes.md": "private", ".DS_Store": b"\0", "__pycache__/m.cpython-311.pyc": b"\0",
        "mod.pyc": b"\0", ".SKILL.md.swp": b"\0", "backup~": "x", ".git/HEAD": "ref", "refs/ok.md": "ok"})
    assert cli("pack", tmp_path / "skills", "-o", tmp_path / "dist").code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "ignoring.skill") as zf:
        assert zf.namelist() == ["ignoring/SKILL.md", "ignoring/keep.log", "ignoring/refs/drafts/ok.md",
                                 "ignoring/refs/ok.md"]


def test_bundle_holds_every_skill_folder_at_its_root(library: Path, tmp_path: Path,
                                                    cli: Callable[..., object]) -> None:
    result = cli("pack", library, "-o", tmp_path / "dist", "--bundle", "team.skills")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["skills.lock", "team.skills"]
    with zipfile.ZipFile(tmp_path / "dist" / "team.skills") as zf:
        assert sorted({n.split("/")[0] for n in zf.namelist()}) == ["alpha-notes", "beta-tools", "gamma-versioned"]
    lock = json.loads((tmp_path / "dist" / "skills.lock").read_text())
    assert {s["archive"] for s in lock["skills"].values()} == {"team.skills"}


def test_pack_refuses_skills_with_errors_unless_forced(make_skill: Callable[..., Path], tmp_path: Path,
                                                      cli: Callable[..., object]) -> None:
    make_skill("fine")
    make_skill("broken", extra="allowed-tools: 5\n")  # a schema error
    refused = cli("pack", tmp_path / "skills", "-o", tmp_path / "dist")
    assert refused.code == 1
    assert "broken" in refused.err and "--force" in refused.err
    assert not (tmp_path / "dist").exists()
    forced = cli("pack", tmp_path / "skills", "-o", tmp_path / "dist", "--force")
    assert forced.code == 0
    assert sorted(p.name for p in (tmp_path / "dist").glob("*.skill")) == ["broken.skill", "fine.skill"]


def test_plan_computes_without_writing_and_write_publishes(library: Path, tmp_path: Path) -> None:
    skills = load_skills([library]).usable()
    entries = bundle.plan(skills)
    assert [e.name for e in entries] == ["alpha-notes", "beta-tools", "gamma-versioned"]
    assert [f.rel for f in entries[1].files] == ["SKILL.md", "references/guide.md", "scripts/helper.py",
                                                 "scripts/run.sh"]
    assert [f.executable for f in entries[1].files] == [False, False, True, True]
    assert not (tmp_path / "out").exists()
    result = bundle.write(entries, tmp_path / "out")
    assert [a.sha256 for a in result.archives] == [sha(a.path) for a in result.archives]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "alpha-notes.skill", "beta-tools.skill", "gamma-versioned.skill", "skills.lock"]


def test_a_file_changed_between_plan_and_write_is_refused(library: Path, tmp_path: Path) -> None:
    entries = bundle.plan(load_skills([library]).usable())
    (library / "alpha-notes" / "SKILL.md").write_text(skill_md("alpha-notes", body="# Changed\n"))
    with pytest.raises(bundle.PackError, match="changed while it was being packed"):
        bundle.write(entries, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.tmp")) and not list((tmp_path / "out").glob(".*"))


def test_dry_run_lists_files_and_writes_nothing(library: Path, tmp_path: Path, cli: Callable[..., object]) -> None:
    result = cli("pack", library, "-o", tmp_path / "dist", "--dry-run")
    assert result.code == 0
    assert "beta-tools/scripts/run.sh  (executable)" in result.out
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(("patterns", "path", "ignored"), [
    pytest.param([], "scripts/x.py", False, id="plain-file"),
    pytest.param([], "a/__pycache__/x.cpython-311.pyc", True, id="pycache"),
    pytest.param([], ".git/config", True, id="git"),
    pytest.param([], "notes.md~", True, id="backup"),
    pytest.param(["*.log"], "deep/x.log", True, id="basename-anywhere"),
    pytest.param(["/build/"], "build/out.txt", True, id="anchored-folder"),
    pytest.param(["/build/"], "src/build/out.txt", False, id="anchored-only-at-root"),
    pytest.param(["build/"], "build", False, id="folder-pattern-not-a-file"),
    pytest.param(["docs/**/*.tmp"], "docs/a/b/c.tmp", True, id="double-star"),
    pytest.param(["docs/**/*.tmp"], "docs/c.tmp", True, id="double-star-zero-folders"),
    pytest.param(["docs/*.tmp"], "docs/a/c.tmp", False, id="star-stays-in-one-folder"),
    pytest.param(["*.log", "!keep.log"], "keep.log", False, id="negation"),
    pytest.param(["file[0-9].md"], "file3.md", True, id="character-class"),
    pytest.param(["# comment", ""], "# comment", False, id="comments-and-blanks"),
    pytest.param(["build/", "!build/keep.txt"], "build/keep.txt", True, id="no-reinclude-inside-excluded-folder"),
    pytest.param(["notes\\ "], "notes ", True, id="escaped-trailing-space-kept"),
    pytest.param(["notes "], "notes ", False, id="trailing-space-dropped"),
    pytest.param(["\\!important"], "!important", True, id="escaped-bang"),
])
def test_ignore_rules(patterns: list[str], path: str, ignored: bool) -> None:
    assert IgnoreRules.from_lines(patterns).ignored(path) is ignored


def test_strict_pack_also_refuses_warnings(make_skill: Callable[..., Path], tmp_path: Path,
                                           cli: Callable[..., object]) -> None:
    make_skill("terse", description="Does it.")  # too short: a warning
    assert cli("pack", tmp_path / "skills", "-o", tmp_path / "a").code == 0
    strict = cli("pack", tmp_path / "skills", "-o", tmp_path / "b", "--strict")
    assert strict.code == 1 and "--strict" in strict.err
    assert not (tmp_path / "b").exists()


def test_a_pack_that_fails_midway_leaves_the_output_as_it_was(library: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dist"
    skills = [item.skill for item in load_skills([library]).skills]
    bundle.write(bundle.plan(skills), dest)
    before = {p.name: sha(p) for p in sorted(dest.iterdir())}
    (library / "alpha-notes" / "SKILL.md").write_text(skill_md("alpha-notes", "Changed. Use when testing."))
    entries = bundle.plan(skills)  # a new alpha-notes archive is due (it is written first)...
    (library / "gamma-versioned" / "data" / "table.csv").write_text("a,b\n5,6\n")  # ...gamma changes mid-pack
    with pytest.raises(bundle.PackError, match="changed while it was being packed"):
        bundle.write(entries, dest)
    assert {p.name: sha(p) for p in sorted(dest.iterdir())} == before  # no archive replaced, no temporary left


def test_temporaries_of_a_killed_pack_are_removed(library: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dist"
    dest.mkdir()
    stale, fresh = dest / ".alpha-notes.skill.k1ll.tmp", dest / ".beta-tools.skill.busy.tmp"
    stale.write_bytes(b"half an archive")
    fresh.write_bytes(b"another pack, running now")
    os.utime(stale, (0, 0))
    bundle.write(bundle.plan([item.skill for item in load_skills([library]).skills]), dest)
    assert not stale.exists() and fresh.exists()
