"""Host-exact packing: what each host accepts, on top of the frontmatter profile it reads.

``claude-code`` is the default profile. ``claude-ai`` and ``api`` apply the rules of Anthropic's
own packager (the skill-creator skill's ``package_skill.py`` with ``quick_validate.py``):
frontmatter keys limited to ``name``, ``description``, ``license``, ``allowed-tools``,
``metadata`` and ``compatibility``; ``name`` required (the agentskills profile they read requires
it); no ``<`` or ``>`` in the description.
``agentskills`` is the open standard as the reference validator ``skills-ref`` reads it:
unknown fields are errors there. Findings are Diagnostics with ``host-*`` rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from loader.core.model import Diagnostic, Profile, Severity, Skill

ANTHROPIC_PACKAGER_KEYS = frozenset({"name", "description", "license", "allowed-tools", "metadata", "compatibility"})


class Host(StrEnum):
    """Where packed skills are going."""

    CLAUDE_CODE = "claude-code"
    CLAUDE_AI = "claude-ai"
    API = "api"
    AGENTSKILLS = "agentskills"

    @property
    def profile(self) -> Profile:
        """The frontmatter profile the host reads."""
        return Profile.CLAUDE_CODE if self is Host.CLAUDE_CODE else Profile.AGENTSKILLS

    @property
    def unknown_fields_are_errors(self) -> bool:
        """Whether the profile's unknown-field finding refuses (claude-ai and api refuse by ``host-unknown-key``)."""
        return self is Host.AGENTSKILLS


def host_findings(skills: Iterable[Skill], host: Host) -> list[Diagnostic]:
    """The host's own refusals, beyond the profile's schema and rules (claude-ai and api only).

    A missing ``name`` is already a ``schema-required`` error of the agentskills profile they read.
    """
    if host not in (Host.CLAUDE_AI, Host.API):
        return []
    found = []
    suffix = f" ({host.value} refuses it)"
    for skill in skills:
        manifest = skill.manifest
        front = manifest.frontmatter or {}
        for key in sorted(set(front) - ANTHROPIC_PACKAGER_KEYS):
            found.append(Diagnostic(manifest.path, manifest.key_lines.get(key), "host-unknown-key", Severity.ERROR,
                                    f"frontmatter key {key!r} is not allowed{suffix}",
                                    "allowed: " + ", ".join(sorted(ANTHROPIC_PACKAGER_KEYS)) +
                                    "; remove it or move it under metadata"))
        description = front.get("description")
        if isinstance(description, str) and ("<" in description or ">" in description):
            found.append(Diagnostic(manifest.path, manifest.key_lines.get("description"), "host-description-angle",
                                    Severity.ERROR, f"the description contains '<' or '>'{suffix}",
                                    "write the words instead of angle brackets"))
    return found
