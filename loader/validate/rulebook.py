"""The catalogue of every diagnostic rule: its stable id, default severity and one-line summary.

``skills rules`` prints this table; tests check that every rule here has a failing and a
passing fixture, so a rule cannot be added without being exercised.
"""

from __future__ import annotations

from loader.core.model import Severity
from loader.core.record import Record

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO


class RuleInfo(Record):
    """Description of one rule, for listings and docs.

    Attributes:
        id: the rule's stable kebab-case id.
        severity: its default severity.
        stage: which stage emits it: read, parse, schema, rules or discover.
        summary: one line saying what it checks.
    """

    __slots__ = ("id", "severity", "stage", "summary")

    def __init__(self, id: str, severity: Severity, stage: str, summary: str) -> None:  # noqa: A002 - the rule's id
        """Describe one rule."""
        self.id, self.severity, self.stage, self.summary = id, severity, stage, summary

    @property
    def blocking(self) -> bool:
        """Whether an error of this rule stops the skill from being indexed and matched.

        Only a skill that cannot be read, parsed or safely found is unusable. Everything else
        (a schema violation, a broken link, an over-long description, a name that differs from
        its folder) fails ``skills validate`` but Claude Code still loads such skills, so the
        index keeps them rather than silently dropping a skill a user relies on.
        """
        return self.stage in ("read", "parse", "discover")


_TABLE: tuple[tuple[str, Severity, str, str], ...] = (
    ("file-unreadable", E, "read", "a file or folder cannot be read (permissions, I/O error)"),
    ("file-binary", E, "read", "SKILL.md is binary (contains NUL bytes)"),
    ("file-encoding", E, "read", "SKILL.md is not valid UTF-8"),
    ("file-too-large", E, "read", "SKILL.md is larger than the 4 MiB read limit"),
    ("encoding-bom", W, "read", "SKILL.md starts with a UTF-8 byte order mark"),
    ("line-endings-crlf", N, "read", "SKILL.md uses CRLF line endings"),
    ("frontmatter-missing", E, "parse", "SKILL.md is empty or lacks a leading `---` frontmatter block"),
    ("frontmatter-unclosed", E, "parse", "the frontmatter block has no closing `---` line"),
    ("frontmatter-too-large", E, "parse", "the frontmatter is larger than 64 KiB"),
    ("frontmatter-yaml", E, "parse", "the frontmatter is not valid YAML (tabs, unquoted colons, tags...)"),
    ("frontmatter-aliases", E, "parse", "YAML aliases expand too far (alias bomb) or refer to themselves"),
    ("frontmatter-duplicate-key", E, "parse", "a key appears twice in one YAML mapping"),
    ("frontmatter-key-type", E, "parse", "a key is a number, boolean, null or collection instead of text"),
    ("frontmatter-not-mapping", E, "parse", "frontmatter is empty, a list or a scalar, not `key: value` lines"),
    ("schema-required", E, "schema", "a required field (name, description) is missing"),
    ("schema-type", E, "schema", "a field has the wrong type (e.g. a list where a string is expected)"),
    ("schema-pattern", E, "schema", "name is not lowercase letters, digits and single hyphens"),
    ("schema-min-length", E, "schema", "a field is an empty string"),
    ("schema-max-length", E, "schema", "a field is too long (name 64, description 1024, compatibility 500)"),
    ("schema-enum", E, "schema", "a field has a value outside its allowed set (e.g. context: fork)"),
    ("schema-one-of", E, "schema", "a field matches none of its allowed shapes"),
    ("schema-unknown-field", W, "schema", "a field the profile does not know (error under --strict)"),
    ("plugin-manifest", E, "schema", ".claude-plugin/plugin.json is not JSON or breaks the documented fields"),
    ("marketplace-manifest", E, "schema", ".claude-plugin/marketplace.json is not JSON or breaks documented fields"),
    ("name-mismatch", E, "rules", "name differs from the folder name (warning in the claude-code profile)"),
    ("name-reserved", W, "rules", "name contains a reserved word (anthropic, claude)"),
    ("name-duplicate", W, "rules", "two roots hold a skill with the same name; the first root wins"),
    ("description-missing", W, "rules", "no description (claude-code profile; the model cannot know when to use it)"),
    ("description-too-short", W, "rules", "description is too short to say what the skill does and when"),
    ("description-no-trigger", W, "rules", "description does not say when to use the skill"),
    ("description-xml", W, "rules", "description contains XML/HTML tags (claude.ai and the API refuse them)"),
    ("description-person", W, "rules", "description is written in first or second person instead of third"),
    ("body-empty", W, "rules", "SKILL.md has no instructions after the frontmatter"),
    ("body-too-long", W, "rules", "SKILL.md body is over 500 lines; move details to reference files"),
    ("link-missing", E, "rules", "a relative link points to a file that does not exist in the skill"),
    ("link-absolute", W, "rules", "a link uses an absolute path, which breaks on other machines"),
    ("link-escapes", W, "rules", "a link points outside the skill folder, so bundles will not carry it"),
    ("reference-nested", W, "rules", "a reference file links to further files (keep references one level deep)"),
    ("reference-binary", W, "rules", "a file with a text extension (.md, .py, ...) is binary"),
    ("reference-too-large", W, "rules", "a file in the skill is over 1 MiB"),
    ("manifest-case", W, "discover", "a skill.md in another case than SKILL.md: found, but not read until renamed"),
    ("no-skill-found", E, "discover", "a path given explicitly holds no skill at all"),
    ("symlink-escape", E, "discover", "a symlink points outside the skills root (never followed)"),
    ("symlink-loop", W, "discover", "a symlink is broken or loops (never followed)"),
    ("tree-too-large", W, "discover", "the walk stopped at its entry limit"),
    ("skill-too-many-files", W, "discover", "a skill folder holds more than 2,000 files"),
)

RULES: dict[str, RuleInfo] = {row[0]: RuleInfo(*row) for row in _TABLE}
"""Every rule id skillpack can emit, in a stable, documented order."""
