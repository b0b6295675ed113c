"""Usage stage: Claude Code transcripts in; a usage report, a labelled eval set and a calibration out.

``transcripts`` streams transcript files (JSON Lines) into :class:`Turn` records: the prompt and
the skills used in that turn (by Claude, by the user's ``/name``, by skillpack's hook);
``locate`` finds a project's transcript folder the way Claude Code names it; ``summary``
counts use and replays eager / listing / on-demand loading on the real prompts with the
report stage's cost model (:class:`UsageReport`); ``labels`` turns turns into labelled query
pairs; ``calibrate`` fits a library's threshold to them by cross-validation (:class:`Fit`),
which ``loader.match.calibration`` stores beside the index for every entry point to read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loader.core.exports import lazy_exports

_EXPORTS = {
    "Turn": "transcripts",
    "SkillUse": "transcripts",
    "ReadStats": "transcripts",
    "read_turns": "transcripts",
    "encode_project": "transcripts",
    "project_transcripts": "locate",
    "transcript_files": "locate",
    "UsageReport": "summary",
    "summarize": "summary",
    "label_turns": "labels",
    "Fit": "calibrate",
    "fit": "calibrate",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from loader.usage.calibrate import Fit as Fit
    from loader.usage.calibrate import fit as fit
    from loader.usage.labels import label_turns as label_turns
    from loader.usage.locate import project_transcripts as project_transcripts
    from loader.usage.locate import transcript_files as transcript_files
    from loader.usage.summary import UsageReport as UsageReport
    from loader.usage.summary import summarize as summarize
    from loader.usage.transcripts import ReadStats as ReadStats
    from loader.usage.transcripts import SkillUse as SkillUse
    from loader.usage.transcripts import Turn as Turn
    from loader.usage.transcripts import encode_project as encode_project
    from loader.usage.transcripts import read_turns as read_turns
