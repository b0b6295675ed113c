"""MCP stdio server: search, batch-load and read skills on demand, for any MCP client.

Guarantees: tools only ever read files inside a skill's folder (no absolute paths, no ``..``,
no symlink out of the folder; text only, size-bounded); the library is re-indexed while the
server runs (``loader.author.live`` watches the roots; where watching is impossible, the index is
refreshed before each call); unknown skills and sections are tool errors that say what exists.
Needs the optional extra ``skillpack[mcp]`` (the official MCP Python SDK, 1.x or 2.x).
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loader.core.text import prompt_for_matching
from loader.core.textfile import read_text
from loader.core.wrapper import escape_attribute, skill_block, valid_name
from loader.index import Index, open_index
from loader.match.calibration import calibrated_threshold
from loader.match.rank import match
from loader.runtime.sections import find_section, outline

try:  # mcp 2.x renamed FastMCP to MCPServer
    from mcp.server.mcpserver import MCPServer as _Server
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:  # pragma: no cover - mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server  # type: ignore[no-redef,attr-defined]
    from mcp.server.fastmcp.exceptions import ToolError  # type: ignore[no-redef]

log = logging.getLogger("loader")

MAX_BATCH = 20
"""Skills per ``load_skills`` call; more is almost surely a mistake and floods the context."""
MAX_LISTED_FILES = 100

INSTRUCTIONS = (
    "Agent Skills: folders of instructions for specific tasks. Call search_skills with the user's "
    "request to find relevant skills, load_skills to read the ones you will use (several in one "
    "call), and read_skill_file for a reference file a skill mentions; pass `section` to fetch one "
    "Markdown section instead of the whole file."
)


class SkillSource:
    """The library's current index, kept fresh by a watcher or, failing that, per call.

    Start-up serves the stored index at once (a warm index opens in ~15 ms on 238 skills) and
    starts the watcher on a background thread: validating the whole library for it takes seconds,
    and a client waits for ``initialize`` meanwhile. Until the watcher is up, each call refreshes
    the stored index incrementally (unchanged folders are only stat-ed).
    """

    def __init__(self, roots: Sequence[Path], *, watch: bool = True, index_path: Path | None = None) -> None:
        self.roots = [Path(r) for r in roots]
        self.index_path = index_path
        self._lock = threading.Lock()
        self._live: Any = None
        self._watcher: Any = None
        self._closed = threading.Event()
        self._index, _ = open_index(self.roots, index_path=index_path)
        self._fresh = True
        """The index was opened just now; the first call need not refresh it."""
        self.ready = threading.Event()
        """Set once the watcher runs (or failed to start)."""
        if watch:
            threading.Thread(target=self._start_watching, name="skillpack-watch", daemon=True).start()
        else:
            self.ready.set()

    def _start_watching(self) -> None:
        try:
            from loader.author.live import LiveLibrary

            live = LiveLibrary(self.roots, stored_index=True, index_path=self.index_path)
            watcher = live.watch(lambda update: None, on_error=lambda exc: log.warning("reload failed: %s", exc))
            with self._lock:
                if self._closed.is_set():
                    watcher.stop()
                    return
                self._live, self._watcher = live, watcher
        except Exception as exc:  # e.g. inotify limits: fall back to checking per call
            log.warning("watching %s failed (%s); the index is refreshed per call", self.roots, exc)
        finally:
            self.ready.set()

    def index(self) -> Index:
        """The current index of the library."""
        with self._lock:
            live, watcher = self._live, self._watcher
        if live is not None and watcher is not None and watcher.is_alive():
            return live.index  # type: ignore[no-any-return]
        with self._lock:  # incremental: unchanged folders are only stat-ed
            if not self._fresh:
                self._index, _ = open_index(self.roots, index_path=self.index_path)
            self._fresh = False
            return self._index

    def close(self) -> None:
        """Stop watching (also a watcher still starting)."""
        with self._lock:
            self._closed.set()
            watcher = self._watcher
        if watcher is not None:
            watcher.stop()


def _available(index: Index, name: str) -> bool:
    """Whether ``name`` is a skill the tools may show: indexed, and named by the schema's rule.

    A skill named outside the rule (``Admin``, quotes, a newline) could pass for another one in
    the model's eyes, so the tools act as if it did not exist, and say so in the log.
    """
    if name not in index:
        return False
    if not valid_name(name):
        log.warning("skipped skill %r: its name is not lowercase letters, digits and hyphens", name)
        return False
    return True


def search(index: Index, query: str, top_k: int = 5) -> dict[str, Any]:
    """Rank skills for ``query``; ``recommended`` marks those the matcher would load by itself.

    A long query is matched, and echoed, as ``loader.core.text.prompt_for_matching`` cuts it.
    """
    top_k = max(1, min(int(top_k), 50))
    query = prompt_for_matching(query)
    result = match(index, query, top_k=top_k, threshold=calibrated_threshold(index))
    chosen = set(result.names)
    rows = []
    for found in result.ranking:
        entry = index.entry(found.skill)
        if not entry.invocable or not _available(index, found.skill):
            continue
        rows.append({"name": entry.name, "description": entry.description, "score": round(found.score, 3),
                     "body_tokens": entry.body_tokens, "recommended": entry.name in chosen})
        if len(rows) >= top_k:
            break
    return {"query": query, "skills": rows}


def load(index: Index, names: Sequence[str]) -> str:
    """The bodies of ``names``, each with its folder and file list, in the order asked.

    Each body is wrapped by ``loader.core.wrapper.skill_block``, so no name, folder, file name
    or body text can close its block or forge another one.
    """
    if not names:
        raise ToolError("give at least one skill name (search_skills finds them)")
    if len(names) > MAX_BATCH:
        raise ToolError(f"at most {MAX_BATCH} skills per call; got {len(names)}")
    parts, missing = [], []
    for name in dict.fromkeys(names):
        if not _available(index, name):
            missing.append(name)
            continue
        entry = index.entry(name)
        files = _folder_files(Path(entry.path))
        listing = f"Files: {', '.join(files)}\n" if files else ""
        parts.append(skill_block(name, f"{listing}\n{index.body(name).strip(chr(10))}", folder=entry.path))
    if missing and not parts:
        raise ToolError(f"no skill named {', '.join(map(repr, missing))}; use search_skills to find names")
    if missing:
        parts.append(f"Not found: {', '.join(map(escape_attribute, missing))} (use search_skills to find names).")
    return "\n\n".join(parts)


def read_file(index: Index, name: str, path: str, section: str | None = None) -> str:
    """One file of skill ``name`` (``path`` relative to its folder), or one Markdown section of it."""
    if not _available(index, name):
        raise ToolError(f"no skill named {name!r}; use search_skills to find names")
    folder = Path(index.entry(name).path)
    target = safe_path(folder, path)
    read = read_text(target)
    if read.text is None:
        reason = read.diagnostics[0].message if read.diagnostics else "unreadable"
        raise ToolError(f"cannot read {path!r} of skill {name!r}: {reason}")
    if not section:
        return read.text
    found = find_section(read.text, section)
    if found is None:
        heads = outline(read.text)
        raise ToolError(f"no section {section!r} in {path}; headings: " + ("; ".join(heads) if heads else "none"))
    return found


def safe_path(folder: Path, path: str) -> Path:
    """Resolve ``path`` inside ``folder``, refusing anything that would leave it.

    Raises:
        ToolError: absolute path, ``..``, NUL, a symlink out of the folder, or not a file.
    """
    if not path or "\0" in path or Path(path).is_absolute() or path.startswith(("~", "\\")):
        raise ToolError(f"path must be relative to the skill folder, got {path!r}")
    parts = Path(path.replace("\\", "/")).parts
    if ".." in parts:
        raise ToolError(f"path may not contain '..': {path!r}")
    base = folder.resolve()
    target = (base / Path(*parts)).resolve()
    if not target.is_relative_to(base):
        raise ToolError(f"{path!r} leads outside the skill folder")
    if not target.is_file():
        files = _folder_files(folder)
        raise ToolError(f"no file {path!r} in the skill; files: {', '.join(files) if files else 'none'}")
    return target


def _folder_files(folder: Path) -> list[str]:
    """Files of a skill folder besides SKILL.md (sorted, relative, hidden ones skipped, bounded)."""
    found: list[str] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            rel = (Path(current) / file).relative_to(folder).as_posix()
            if rel != "SKILL.md" and not file.startswith("."):
                found.append(rel)
                if len(found) >= MAX_LISTED_FILES:
                    return found
    return found


def build_server(source: SkillSource) -> Any:
    """The MCP server object with the three tools registered (not started); it reports skillpack's version."""
    from loader import __version__

    options: dict[str, Any] = {"instructions": INSTRUCTIONS}
    if "version" in inspect.signature(_Server).parameters:  # mcp 2.x; 1.x's FastMCP takes none
        options["version"] = __version__
    server = _Server("skillpack", **options)

    @server.tool()
    def search_skills(query: str, top_k: int = 5) -> dict[str, Any]:
        """Find skills relevant to a request: names, descriptions and scores, best first.

        `recommended` is true for skills relevant enough to load without asking.
        """
        return search(source.index(), query, top_k)

    @server.tool()
    def load_skills(names: list[str]) -> str:
        """Load the full instructions of one or more skills in one call (each with its folder and files)."""
        return load(source.index(), names)

    @server.tool()
    def read_skill_file(name: str, path: str, section: str | None = None) -> str:
        """Read one file of a skill, e.g. `references/api.md`; give `section` (a heading) for just that part."""
        return read_file(source.index(), name, path, section)

    return server


def serve(roots: Sequence[Path], *, watch: bool = True, index_path: Path | None = None) -> None:
    """Run the server on stdin/stdout until the client disconnects."""
    source = SkillSource(roots, watch=watch, index_path=index_path)
    try:
        build_server(source).run("stdio")
    finally:
        source.close()
