"""``skills dev`` as a subprocess: output after each save, last good version, clean Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import env_without_debug, skill_md, write_tree
from conftest import filler_skills as fillers

TIMEOUT = 15.0
INVOICES = "Converts invoice PDFs into CSV spreadsheets. Use when the user has invoices to tabulate."


class Dev:
    """A running ``skills dev``; ``expect`` waits for a matching stdout line (with a timeout)."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env_without_debug())
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, text: str) -> list[str]:
        """Lines up to and including the first one containing ``text``."""
        block: list[str] = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} within {TIMEOUT}s; got {self.seen[-20:]}") from None
            if line is None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"skills dev exited before {text!r}; got {self.seen[-20:]}; stderr: {err}")
            self.seen.append(line)
            block.append(line)
            if text in line:
                return block

    def update(self) -> list[str]:
        """The lines of the next update, through its ``updated ...`` line (and the prompt line, if any)."""
        return self.expect("updated ")

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, err


@pytest.fixture
def dev(skills_bin, tmp_path) -> Iterator:  # type: ignore[type-arg]
    started: list[Dev] = []

    def start(*args: str | Path) -> Dev:
        process = Dev([*skills_bin, "dev", *map(str, args)], tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def test_dev_reports_every_kind_of_save(dev, tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})
    run = dev("skills", "--debounce", "50")
    startup = run.expect("watching skills")
    assert "checked 1 skill (0 with errors, 0 left out): 0 errors, 0 warnings, 0 notes" in startup

    write_tree(root, {"beta/SKILL.md": skill_md("beta")})
    block = run.update()
    assert "added skills/beta: ok" in block
    assert block[-1].startswith("updated 1 skill(s) in ") and "after the save" in block[-1]

    manifest = root / "beta" / "SKILL.md"
    good = manifest.read_text()
    manifest.write_text(good.replace("name: beta", "name: beta\nname: again"))
    block = run.update()
    assert "changed skills/beta: 1 error(s), 0 warning(s); still serving the last good version" in block
    assert any("frontmatter-duplicate-key" in line and "skills/beta/SKILL.md:3" in line for line in block)

    manifest.write_text(good.replace("# Steps", "# Better steps"))
    assert "changed skills/beta: ok" in run.update()

    temp = root / "beta" / "SKILL.md.tmp~"
    temp.write_text(good + "\nSee the notes.\n")
    os.replace(temp, manifest)
    block = run.update()
    assert "changed skills/beta: ok" in block
    assert not any("SKILL.md.tmp" in line for line in block)

    shutil.rmtree(root / "beta")
    assert "removed skills/beta" in run.update()

    write_tree(root, {"beta/SKILL.md": skill_md("beta", description="too short")})
    block = run.update()
    assert "added skills/beta: ok, 1 warning(s)" in block
    assert any("description-too-short" in line for line in block)

    code, err = run.interrupt()
    assert code in (0, 130)
    assert "Traceback" not in err


def test_dev_with_prompt_reprints_what_would_load(dev, tmp_path):
    root = write_tree(tmp_path / "lib", fillers())
    run = dev("lib", "--prompt", "tabulate these invoice PDFs as CSV")
    startup = run.expect("watching lib")
    assert "prompt 'tabulate these invoice PDFs as CSV': no skill would load" in startup

    write_tree(root, {"invoices/SKILL.md": skill_md("invoices", description=INVOICES)})
    block = run.expect("prompt ")
    assert "added lib/invoices: ok" in block
    assert block[-1].startswith("prompt 'tabulate these invoice PDFs as CSV': would load invoices (")

    manifest = root / "invoices" / "SKILL.md"
    manifest.write_text(manifest.read_text().replace("description:", "description: [broken"))
    block = run.expect("prompt ")
    assert any("still serving the last good version" in line for line in block)
    assert "would load invoices (" in block[-1]  # the last good version keeps matching

    shutil.rmtree(root / "invoices")
    block = run.expect("prompt ")
    assert "removed lib/invoices" in block and block[-1].endswith("no skill would load")
    assert run.interrupt()[0] in (0, 130)


def test_dev_on_a_missing_folder_exits_2(skills_bin, tmp_path):
    done = subprocess.run([*skills_bin, "dev", str(tmp_path / "nope")], capture_output=True, text=True,
                          timeout=TIMEOUT, env=env_without_debug())
    assert done.returncode == 2
    assert "skills folder not found" in done.stderr


def test_an_edit_with_a_non_blocking_error_keeps_the_last_good_version(dev, tmp_path):
    root = write_tree(tmp_path / "lib", {**fillers(), "invoices/SKILL.md": skill_md("invoices", description=INVOICES)})
    run = dev("lib", "--prompt", "tabulate these invoice PDFs as CSV", "--debounce", "50")
    assert "would load invoices (" in run.expect("watching lib")[-2]
    manifest = root / "invoices" / "SKILL.md"
    too_long = "Lists sandwich recipes. " * 50  # over 1024 characters: an error that does not block loading
    manifest.write_text(manifest.read_text().replace(INVOICES, too_long))
    block = run.expect("prompt ")
    assert any("changed lib/invoices: 1 error(s)" in line and "still serving the last good version" in line
               for line in block), block
    assert "would load invoices (" in block[-1]  # the edit is not served: the old description still matches
def test_dev_starts_from_the_validation_cache_unless_no_cache(dev, tmp_path):
    write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "skillpack" / "validation"
    bypass = dev("skills", "--no-cache")
    assert "checked 1 skill (" in "\n".join(bypass.expect("watching skills"))
    bypass.interrupt()
    assert not folder.exists()
    run = dev("skills")
    assert "checked 1 skill (0 with errors, 0 left out): 0 errors" in "\n".join(run.expect("watching skills"))
    run.interrupt()
    stored = json.loads(next(folder.glob("*.json")).read_bytes().partition(b"\n")[2])  # entries after the header
    assert list(stored) == [str((tmp_path / "skills" / "alpha").resolve())]
