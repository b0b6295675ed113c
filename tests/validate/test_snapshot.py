"""The whole-run shortcut: an unchanged library's `skills validate` output is replayed, and only then."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, env_without_debug, skill_md, write_tree
from loader.validate import load as load_module
from loader.validate import snapshot as snapshot_module

Run = Callable[..., CliResult]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "lib", {
        "alpha/SKILL.md": skill_md("alpha", body="See [the guide](references/guide.md).\n"),
        "alpha/references/guide.md": "# Guide\n",
        "beta/SKILL.md": skill_md("beta"),
    })


@pytest.fixture
def untimed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Files written by the test are trusted at once (a real run waits until they are 2 s old)."""
    monkeypatch.setattr(snapshot_module, "RACY_NS", 0)
    yield


def _walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the runs that walk and check the library (a replayed run does neither)."""
    calls: list[int] = []
    real = load_module.load_skills

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load_module, "load_skills", counting)
    return calls


def _later() -> None:
    """Let the file system's clock tick, so the next change has a newer ctime than the last run saw."""
    time.sleep(0.05)


@pytest.mark.usefixtures("untimed")
@pytest.mark.parametrize("options", [(), ("-f", "json"), ("-f", "github"), ("--info",), ("--strict",)],
                         ids=["text", "json", "github", "info", "strict"])
def test_an_unchanged_library_is_replayed_with_the_same_output_and_code(
        cli: Run, library: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]) -> None:
    walks = _walks(monkeypatch)
    first = cli("validate", library, *options)
    second = cli("validate", library, *options)
    assert len(walks) == 1  # the second run was answered from the snapshot
    assert (second.code, second.out) == (first.code, first.out)
    assert first.out == cli("validate", library, *options, "--no-cache").out
    assert len(walks) == 2  # --no-cache walks


@pytest.mark.usefixtures("untimed")
def test_every_kind_of_change_is_seen(cli: Run, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks = _walks(monkeypatch)
    manifest = library / "beta" / "SKILL.md"

    def fresh_equals_cached() -> str:
        cached = cli("validate", library)
        fresh = cli("validate", library, "--no-cache")
        assert (cached.code, cached.out) == (fresh.code, fresh.out)
        return cached.out

    assert "checked 2 skills" in fresh_equals_cached()
    # An edit that keeps the size and puts the mtime back: only the ctime tells.
    _later()
    stat = manifest.stat()
    manifest.write_text(manifest.read_text().replace("name: beta", "name: bet4"))
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "name-mismatch" in fresh_equals_cached() or "bet4" in fresh_equals_cached()
    # A new skill folder, a referenced file removed, a file added inside a skill.
    _later()
    write_tree(library, {"gamma/SKILL.md": skill_md("gamma")})
    assert "checked 3 skills" in fresh_equals_cached()
    _later()
    (library / "alpha" / "references" / "guide.md").unlink()
    assert "link-missing" in fresh_equals_cached()
    _later()
    write_tree(library, {"alpha/references/guide.md": "# Guide again\n"})
    assert "link-missing" not in fresh_equals_cached()
    # Each changed state was walked once (then replayed once): nothing stale was served.
    assert len(walks) == 5 * 2


@pytest.mark.usefixtures("untimed")
def test_another_working_folder_or_root_spelling_is_another_run(
        cli: Run, library: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_tree(library, {"broken/SKILL.md": "no frontmatter\n"})  # a diagnostic, with a path to show
    walks = _walks(monkeypatch)
    here = cli("validate", library)
    monkeypatch.chdir(library)
    inside = cli("validate", ".")
    assert len(walks) == 2 and here.out != inside.out  # paths are shown relative to the cwd
    assert cli("validate", ".").out == inside.out and len(walks) == 2


def test_files_changed_just_before_the_run_are_not_trusted(cli: Run, library: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    walks = _walks(monkeypatch)
    cli("validate", library)
    cli("validate", library)
    assert len(walks) == 2  # the files are seconds old: their stamps could still move unseen
    assert not list((Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation").glob("*.run.json"))


@pytest.mark.usefixtures("untimed")
def test_a_damaged_snapshot_is_a_miss(cli: Run, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cli("validate", library)
    [stored] = (Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation").glob("*.run.json")
    stored.write_bytes(stored.read_bytes().replace(b"checked 2 skills", b"checked 9 skills"))
    walks = _walks(monkeypatch)
    again = cli("validate", library)
    assert len(walks) == 1 and again.out == first.out


def test_the_console_command_replays_a_settled_library(skills_bin: list[str], library: Path) -> None:
    time.sleep(2.1)  # the library's files must be older than the racy window (their ctime cannot be dated back)
    runs = [subprocess.run([*skills_bin, "validate", str(library), "-f", "json"], capture_output=True, text=True,
                           env=env_without_debug(), timeout=60) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0] and runs[0].stdout == runs[1].stdout
    assert '"skills_checked": 2' in runs[1].stdout
    assert list((Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation").glob("*.run.json"))
