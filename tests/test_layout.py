"""The package layout is a contract: stages import one way and no package has an import cycle.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked by
import-linter; these tests run it on the real tree, and on a copy with a cycle or an upward
import added, to show that the check fails when someone adds one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytest.importorskip("importlinter", reason="import-linter is in the test extra: pip install -e '.[test]'")

LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"
STAGES = ("core", "validate", "index", "match", "report", "author", "ship", "runtime", "usage", "cli")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the ``loader`` package found in ``tree`` with the repository's contracts."""
    return subprocess.run([sys.executable, "-c", LINT, "--config", str(tree / "pyproject.toml"), "--no-cache"],
                          cwd=tree, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


def copy_of_tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(REPO / "loader", tmp_path / "loader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_stages_keep_their_contracts() -> None:
    done = lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "added", "reported"), [
    pytest.param("index/postings.py", "from loader.index import open as _cycle",
                 "No cycles are allowed in loader.index", id="cycle-inside-a-stage"),
    pytest.param("core/model.py", "import loader.match.rank", "loader.core.model -> loader.match.rank",
                 id="upward-import-between-stages"),
])
def test_a_broken_contract_fails_the_check(tmp_path: Path, module: str, added: str, reported: str) -> None:
    tree = copy_of_tree(tmp_path)
    target = tree / "loader" / module
    target.write_text(target.read_text() + f"\n{added}  # noqa\n")
    done = lint(tree)
    assert done.returncode == 1
    assert reported in done.stdout


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_says_what_it_takes_and_returns(stage: str) -> None:
    module = __import__(f"loader.{stage}", fromlist=["__doc__"])
    assert module.__doc__ and len(module.__doc__.split()) >= 20, f"loader/{stage}/__init__.py needs a docstring"


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "cli"])
def test_every_exported_name_resolves(stage: str) -> None:
    module = __import__(f"loader.{stage}", fromlist=["__all__"])
    assert module.__all__, f"loader.{stage} exports nothing"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"loader.{stage}.{name}"
