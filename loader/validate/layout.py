"""Validate stage, the on-disk shape of a library: the manifest's name and the folders never searched.

Kept apart from ``discover`` (which walks) so that the hook's freshness check, which only
stats what the index recorded, can use the same names without importing the walker.
"""

from __future__ import annotations

SKILL_FILE = "SKILL.md"
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".skillpack", ".idea", ".vscode",
})
"""Folder names never searched: VCS data, dependencies, caches and editor state."""
MAX_DEPTH = 12
"""Folder depth below a root past which no skill is looked for."""
