"""A finding of ``skills doctor``: what is wrong (or worth knowing) about a setup, and its fix.

Findings are data, like validation diagnostics: a stable kebab-case ``code`` callers key off,
a severity, a message that may be reworded, and the fix as a sentence or a command.
"""

from __future__ import annotations

from dataclasses import dataclass

from loader.core.model import Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``skills doctor`` found."""

    code: str
    """Stable kebab-case id (``name-shadowed``, ``hook-program-missing``)."""
    severity: Severity
    """``error`` and ``warning`` make the setup unhealthy (exit 1); ``info`` does not."""
    message: str
    fix: str = ""
    """What to do about it; empty for plain information."""
    details: tuple[str, ...] = ()
    """Extra lines: skill names, log lines, paths."""

    @property
    def wrong(self) -> bool:
        """True when this finding makes the setup unhealthy."""
        return self.severity is not Severity.INFO
