"""Validate stage: skill folders in, parsed skills and diagnostics out.

Takes paths (``Sequence[Path]``); :func:`load_skills` walks them (``discover``: bounded, never
follows links out of a root), parses each ``SKILL.md`` safely (``manifest``: YAML with alias,
size and tag limits), checks the frontmatter against the JSON Schema of a profile
(``schema``, ``skill.schema.json``) and runs the semantic rules (``rules``, listed in
``rulebook``; links in ``links``); ``changed`` maps changed files to their skill folders
(for pre-commit). Returns a :class:`LoadResult`: every skill found, each
with its :class:`~loader.core.model.Diagnostic` list. Problems in skill content are data,
never exceptions.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

_EXPORTS = {
    "LoadResult": "load",
    "LoadedSkill": "load",
    "load_skills": "load",
    "load_skill_dir": "load",
    "blocking_errors": "load",
    "errors_only": "load",
    "SKILL_FILE": "layout",
    "SkillDir": "discover",
    "discover": "discover",
    "parse_manifest": "manifest",
    "parse_manifest_text": "manifest",
    "RULES": "rulebook",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.validate.discover import SkillDir as SkillDir
    from loader.validate.discover import discover as discover
    from loader.validate.layout import SKILL_FILE as SKILL_FILE
    from loader.validate.load import LoadedSkill as LoadedSkill
    from loader.validate.load import LoadResult as LoadResult
    from loader.validate.load import blocking_errors as blocking_errors
    from loader.validate.load import errors_only as errors_only
    from loader.validate.load import load_skill_dir as load_skill_dir
    from loader.validate.load import load_skills as load_skills
    from loader.validate.manifest import parse_manifest as parse_manifest
    from loader.validate.manifest import parse_manifest_text as parse_manifest_text
    from loader.validate.rulebook import RULES as RULES
