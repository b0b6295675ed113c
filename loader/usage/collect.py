"""Usage stage, collect: transcript folders and a library in, turns or labelled pairs out.

Guarantees: the library is opened the way ``skills match`` opens it (same index, so the same
calibration file); turns are streamed, never all held, except where a caller keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from loader.usage.labels import Labelled, label_turns
from loader.usage.locate import transcript_files
from loader.usage.transcripts import ReadStats, Turn, read_turns

if TYPE_CHECKING:
    from loader.index import Index


def skill_folders(index: Index) -> dict[str, str]:
    """Resolved folder of each indexed skill -> its name (to recognise a ``Read`` of its ``SKILL.md``)."""
    return {str(Path(entry.path)): entry.name for entry in index.entries}


def turns(sources: Sequence[Path], *, index: Index | None, stats: ReadStats, since: date | None = None
          ) -> Iterator[Turn]:
    """The turns in the transcripts under ``sources`` (last written on or after ``since``)."""
    files = transcript_files(sources, since=since)
    for turn in read_turns(files, skill_folders=skill_folders(index) if index is not None else None, stats=stats):
        if since is None or turn.time[:10] >= since.isoformat():
            yield turn


def labelled(sources: Sequence[Path], index: Index, *, negatives: bool, since: date | None = None,
             stats: ReadStats | None = None) -> list[Labelled]:
    """Labelled pairs from the transcripts under ``sources`` for the library in ``index``."""
    names = {entry.name for entry in index.entries}
    return label_turns(turns(sources, index=index, stats=stats or ReadStats(), since=since), names,
                       negatives=negatives)
