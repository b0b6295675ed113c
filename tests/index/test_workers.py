"""Worker processes of a parallel index build die with the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import env_without_debug, skill_md, write_tree

BUILD = """
import sys
from pathlib import Path
import loader.index.build
loader.index.build.PARALLEL_FROM = 1  # as when hundreds of skills changed at once
from loader.index import build_index
while True:  # keep the pool busy until killed
    build_index([Path(sys.argv[1])])
"""


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found.update(int(c) for c in text.split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="needs Linux /proc and at least 2 CPUs (the build runs serially otherwise)")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_the_indexer_leaves_no_worker_behind(tmp_path: Path, how: signal.Signals) -> None:
    library = write_tree(tmp_path / "lib", {f"s{i:03d}/SKILL.md": skill_md(f"s{i:03d}") for i in range(120)})
    process = subprocess.Popen([sys.executable, "-c", BUILD, str(library)], env=env_without_debug())
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers |= _children(process.pid)
            time.sleep(0.01)
        assert len(workers) >= 2, "the parallel build never started its workers"
        process.send_signal(how)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "workers outlived the indexer"
    finally:
        if process.poll() is None:
            process.kill()
