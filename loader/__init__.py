"""skillpack: validate, index, match and ship Agent Skills (import package ``loader``)."""

from __future__ import annotations

from loader.library import LoadedSkill, LoadResult, load_skills
from loader.manifest import parse_manifest
from loader.model import Diagnostic, Manifest, Match, Profile, Severity, Skill

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "LoadResult",
    "LoadedSkill",
    "Manifest",
    "Match",
    "Profile",
    "Severity",
    "Skill",
    "__version__",
    "load_skills",
    "parse_manifest",
]
