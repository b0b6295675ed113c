"""Installs into one target at the same time wait for each other: every skill lands, the lock holds them all."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import env_without_debug, skill_md, write_tree

COUNT = 12


def test_concurrent_installs_into_one_project_all_succeed(tmp_path: Path, skills_bin: list[str]) -> None:
    sources = [write_tree(tmp_path / "src" / f"s{i:02d}", {f"s{i:02d}/SKILL.md": skill_md(f"s{i:02d}")})
               for i in range(COUNT)]
    project = tmp_path / "project"
    project.mkdir()
    env = env_without_debug()
    running = [subprocess.Popen([*skills_bin, "install", str(source), "--project", str(project)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for source in sources]
    errors = [p.communicate(timeout=120)[1] for p in running]
    results = [(p.returncode, err) for p, err in zip(running, errors, strict=True)]
    assert [code for code, _ in results] == [0] * COUNT, [err for code, err in results if code]
    listed = subprocess.run([*skills_bin, "list", "--format", "json"], cwd=project, capture_output=True, env=env,
                            timeout=60)
    names = {row["name"] for row in json.loads(listed.stdout)["skills"]}
    assert names == {f"s{i:02d}" for i in range(COUNT)}
    verified = subprocess.run([*skills_bin, "verify"], cwd=project, capture_output=True, env=env, timeout=60)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_install_waits_a_bounded_time_for_another_then_says_so(tmp_path: Path) -> None:
    import fcntl
    import os

    import pytest

    from loader.ship.installed import InstallBusyError, locked_staging
    from loader.ship.targets import Target

    skills_dir = tmp_path / ".claude" / "skills"
    skills_dir.mkdir(parents=True)
    holder = os.open(skills_dir, os.O_RDONLY)  # another install, mid-way
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(InstallBusyError, match="another install"), \
                locked_staging(Target(skills_dir), wait_s=0.2):
            pass
    finally:
        os.close(holder)
    with locked_staging(Target(skills_dir), wait_s=0.2) as staging:  # free again
        assert staging.is_dir()
    assert not staging.exists()  # left no trace
