"""XDG folders: absolute values are used; unset, empty or relative ones fall back to the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from loader.core.userdirs import cache_dir, state_dir


@pytest.mark.parametrize(("variable", "function", "default"), [
    ("XDG_CACHE_HOME", cache_dir, (".cache",)),
    ("XDG_STATE_HOME", state_dir, (".local", "state")),
])
def test_xdg_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, function: object,
                     default: tuple[str, ...]) -> None:
    assert callable(function)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert function() == tmp_path / "xdg" / "skillpack"
    for ignored in ("", "relative/dir"):
        monkeypatch.setenv(variable, ignored)
        assert function() == tmp_path.joinpath("home", *default, "skillpack")
    monkeypatch.delenv(variable)
    assert function() == tmp_path.joinpath("home", *default, "skillpack")
