"""The public API: every exported name resolves, and importing ``loader`` stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import loader


@pytest.mark.parametrize("name", loader.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(loader, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        loader.nope  # noqa: B018


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    heavy = "('jsonschema', 'typer', 'yaml', 'watchdog')"
    code = f"import sys, loader; print(sorted(m for m in {heavy} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.strip() == "[]"


def test_the_readme_imports_keep_working() -> None:
    from loader.api import SkillLibrary
    from loader.context import to_anthropic_blocks

    assert SkillLibrary is loader.SkillLibrary and to_anthropic_blocks is loader.to_anthropic_blocks
