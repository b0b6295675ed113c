"""Runtime stage: serve the matched skills to a running agent.

``hook`` is Claude Code's ``UserPromptSubmit`` hook: an event on stdin in, the bodies of the
matched skills (wrapped, within a budget, once per session) out as ``additionalContext``; it
never blocks a prompt. ``hook_state`` remembers what each session was sent, ``hook_settings``
merges the hook into ``.claude/settings.json`` and takes it out again. ``mcp`` serves the same
library over the Model Context Protocol (search, load, read a skill's file); ``sections``
finds a Markdown section for it. ``doctor`` takes a project folder and returns a
``DoctorReport`` on its whole Claude Code setup: every skill source (``claude_sources``,
``claude_plugins``, ``claude_config``), names defined twice, the combined listing against the
budget, and the hook's health (``doctor_hook``), each finding with a severity and a fix.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

_EXPORTS = {
    "HookOptions": "hook_input",
    "run": "hook",
    "install": "hook_settings",
    "uninstall": "hook_settings",
    "settings_path": "hook_settings",
    "serve": "mcp",
    "diagnose": "doctor",
    "DoctorReport": "doctor",
    "find_sources": "claude_sources",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.runtime.claude_sources import find_sources as find_sources
    from loader.runtime.doctor import DoctorReport as DoctorReport
    from loader.runtime.doctor import diagnose as diagnose
    from loader.runtime.hook import run as run
    from loader.runtime.hook_input import HookOptions as HookOptions
    from loader.runtime.hook_settings import install as install
    from loader.runtime.hook_settings import settings_path as settings_path
    from loader.runtime.hook_settings import uninstall as uninstall
    from loader.runtime.mcp import serve as serve
