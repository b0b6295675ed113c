"""The MCP server, driven over stdio by the official SDK's client (skipped without ``skillpack[mcp]``)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import env_without_debug

pytest.importorskip("mcp")

import anyio  # noqa: E402
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

from loader import __version__  # noqa: E402
from loader.index import open_index  # noqa: E402
from loader.runtime.mcp import ToolError, load, read_file, safe_path, search  # noqa: E402

REFERENCE = """# API reference

Intro text.

## Authentication

Send the token in the `Authorization` header.

```python
# Not a heading: inside a fence
```

### Token refresh

Refresh before expiry.

## Pagination

Use the `cursor` field.
"""


@pytest.fixture
def library(make_skill: Callable[..., Path], tmp_path: Path) -> Path:
    make_skill("pdf-forms", body="# Filling PDF forms\n\nSee references/api.md for the field API.\n",
               files={"references/api.md": REFERENCE, "scripts/fill.py": "print('fill')\n"},
               description="Fills in PDF forms field by field. Use when the user wants to fill a PDF form.")
    make_skill("invoice-totals", description="Checks invoice totals, tax lines and currency rounding. "
               "Use when the user asks to verify or reconcile an invoice.",
               body="# Invoice totals\n\nAdd the lines, then compare with the stated total.\n")
    (tmp_path / "secret.txt").write_text("do not leak")
    return tmp_path / "skills"


def _field(result: Any, snake: str, camel: str) -> Any:
    return getattr(result, snake, getattr(result, camel, None))  # mcp 2.x is snake_case, 1.x camelCase


def _text(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def _structured(result: Any) -> Any:
    data = _field(result, "structured_content", "structuredContent")
    return data if data is not None else json.loads(_text(result))


def test_stdio_server_end_to_end(library: Path) -> None:
    params = StdioServerParameters(command=sys.executable,
                                   args=["-c", "from loader.cli.entry import run; run()", "mcp", str(library)],
                                   env=env_without_debug(), cwd=str(Path.cwd()))
    seen: dict[str, Any] = {}

    async def session_run() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            seen["version"] = _field(_field(init, "server_info", "serverInfo"), "version", "version")
            tools = await session.list_tools()
            seen["tools"] = sorted(tool.name for tool in tools.tools)

            found = await session.call_tool("search_skills", {"query": "fill in this PDF form", "top_k": 3})
            seen["search"] = _structured(found)

            loaded = await session.call_tool("load_skills", {"names": ["pdf-forms", "invoice-totals", "nope"]})
            seen["load"] = _text(loaded)

            section = await session.call_tool("read_skill_file", {"name": "pdf-forms", "path": "references/api.md",
                                                                  "section": "authentication"})
            seen["section"] = _text(section)

            escape = await session.call_tool("read_skill_file", {"name": "pdf-forms", "path": "../../secret.txt"})
            seen["escape"] = (_field(escape, "is_error", "isError"), _text(escape))

            skill = library / "invoice-totals" / "SKILL.md"
            skill.write_text(skill.read_text().replace("currency rounding", "currency rounding and zorblax ledgers"))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # the watcher re-indexes after a short debounce
                again = _structured(await session.call_tool("search_skills", {"query": "zorblax ledgers"}))
                if again["skills"]:
                    seen["reloaded"] = again["skills"][0]["name"]
                    break
                await anyio.sleep(0.2)

    anyio.run(session_run)
    assert seen["tools"] == ["load_skills", "read_skill_file", "search_skills"]
    assert seen["version"] == __version__  # not the empty string the SDK reports by default
    top = seen["search"]["skills"][0]
    assert top["name"] == "pdf-forms" and top["recommended"] is True and "PDF forms" in top["description"]
    assert '<skill name="pdf-forms"' in seen["load"] and "Add the lines" in seen["load"]
    assert "Files: references/api.md, scripts/fill.py" in seen["load"] and "Not found: nope" in seen["load"]
    assert seen["section"].startswith("## Authentication") and "Token refresh" in seen["section"]
    assert "Pagination" not in seen["section"]
    assert seen["escape"][0] is True and "do not leak" not in seen["escape"][1]
    assert seen.get("reloaded") == "invoice-totals"


def test_search_and_load(library: Path) -> None:
    index, _ = open_index([library])
    result = search(index, "reconcile this invoice total", top_k=1)
    assert [row["name"] for row in result["skills"]] == ["invoice-totals"]
    with pytest.raises(ToolError, match="no skill named 'ghost'"):
        load(index, ["ghost"])
    with pytest.raises(ToolError, match="at least one"):
        load(index, [])


def test_read_file_whole_and_missing_section(library: Path) -> None:
    index, _ = open_index([library])
    assert read_file(index, "pdf-forms", "references/api.md") == REFERENCE
    with pytest.raises(ToolError, match="## Authentication; ### Token refresh; ## Pagination"):
        read_file(index, "pdf-forms", "references/api.md", section="Not there")
    with pytest.raises(ToolError, match="files: references/api.md, scripts/fill.py"):
        read_file(index, "pdf-forms", "references/missing.md")


@pytest.mark.parametrize("path", ["../../secret.txt", "/etc/passwd", "references/../../../secret.txt",
                                  "~/x", "a\0b", "", "..\\..\\secret.txt"])
def test_safe_path_refuses_escapes(library: Path, path: str) -> None:
    with pytest.raises(ToolError):
        safe_path(library / "pdf-forms", path)


def test_safe_path_refuses_symlinks_out(library: Path, tmp_path: Path) -> None:
    (library / "pdf-forms" / "link.md").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ToolError, match="outside"):
        safe_path(library / "pdf-forms", "link.md")


def test_cli_mcp_missing_path_exits_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("mcp", tmp_path / "missing")
    assert result.code == 2 and "not found" in result.err
