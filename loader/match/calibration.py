"""Match stage, calibration: a library's own threshold, kept in a small TOML file beside its index.

Guarantees: reading never raises and never blocks a prompt (a missing, oversized or malformed
file means "no calibration": the shipped default stands); writing is atomic
(``loader.core.atomic``). Stdlib only (``tomllib``, imported only when a file exists), so the
hook, ``skills match``, MCP and the API read it without importing the ``usage`` stage that
writes it (``skills calibrate``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from loader.core.record import Record
from loader.core.regular import read_regular_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Final

    from loader.index import Index

CONFIG_FILE = "config.toml"
MAX_CONFIG_BYTES = 64 * 1024
"""A calibration file is a few lines; anything bigger is not ours and is ignored."""


class Calibration(Record):
    """A threshold fitted to one library on its user's prompts, and where it came from."""

    __slots__ = ("threshold", "path", "source", "prompts", "created")
    threshold: Final[float]
    """Minimum confidence of the top candidate for anything to load."""
    path: Final[Path]
    """The config file it was read from (or is to be written to)."""
    source: Final[str]
    """What it was fitted on: ``transcripts DIR`` or ``queries FILE``."""
    prompts: Final[int]
    """Labelled prompts used (with a skill and with none)."""
    created: Final[str]
    """When ``skills calibrate`` wrote it (ISO 8601, UTC)."""

    def __init__(self, threshold: float, path: Path, source: str = "", prompts: int = 0, created: str = "") -> None:
        self.threshold = threshold
        self.path = path
        self.source = source
        self.prompts = prompts
        self.created = created

    def describe(self) -> str:
        """One line for ``skills match --explain``: the threshold and its origin."""
        origin = f"{self.source}, {self.prompts} prompts" if self.source else "hand-written"
        when = f", {self.created[:10]}" if self.created else ""
        return f"threshold {self.threshold:g} calibrated ({origin}{when}; {self.path})"


def config_path(index_path: Path | str) -> Path:
    """The config file beside the index at ``index_path``.

    ``.skillpack/index.sqlite`` has ``.skillpack/config.toml``; an index kept elsewhere (the
    user cache, a ``--index`` file) has ``<index name>.config.toml`` next to it, so two
    libraries sharing a cache folder never share a calibration.
    """
    from pathlib import Path

    return Path(_config_file(os.fspath(index_path)))


def _config_file(index_file: str) -> str:
    """:func:`config_path` on strings (the hook reads the calibration without pathlib)."""
    from loader.index.location import INDEX_FILE

    folder, name = os.path.split(index_file)
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    return os.path.join(folder, CONFIG_FILE if name == INDEX_FILE else f"{stem}.{CONFIG_FILE}")


def config_path_for(roots: Sequence[Path | str], index_path: Path | str | None = None) -> Path:
    """The config file of the library at ``roots`` (indexed at ``index_path``, else the default place)."""
    from pathlib import Path

    return Path(_config_file_for(roots, index_path))


def _config_file_for(roots: Sequence[Path | str], index_path: Path | str | None = None) -> str:
    from loader.index.location import index_file

    return _config_file(os.fspath(index_path) if index_path is not None else index_file(roots))


def read_calibration(path: Path | str) -> Calibration | None:
    """The calibration stored at ``path``; ``None`` when there is none or it cannot be used."""
    try:
        data = read_regular_bytes(path, limit=MAX_CONFIG_BYTES)
    except OSError:
        return None  # the common case: no calibration (tomllib, ~15 ms to import, is not imported)
    import tomllib

    try:
        if len(data) > MAX_CONFIG_BYTES:
            return None
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = doc.get("match")
    if not isinstance(section, dict):
        return None
    threshold = section.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold < 1.0 \
            or math.isnan(threshold):
        return None
    found = doc.get("calibration")
    about: dict[str, Any] = found if isinstance(found, dict) else {}
    prompts = about.get("prompts", 0)
    from pathlib import Path  # only with a calibration file: the common hook reads none

    return Calibration(float(threshold), Path(path), str(about.get("source", "")),
                       prompts if isinstance(prompts, int) and not isinstance(prompts, bool) else 0,
                       str(about.get("created", "")))


def calibration_for(index: Index, index_path: Path | str | None = None) -> Calibration | None:
    """The calibration in force for ``index`` (beside ``index_path``, else its default place)."""
    if not index.roots:
        return None
    try:
        return read_calibration(_config_file_for(index.roots, index_path))
    except OSError:
        return None


def calibrated_threshold(index: Index, index_path: Path | str | None = None) -> float | None:
    """The library's calibrated threshold, or ``None`` for the shipped default (what ``match`` takes)."""
    found = calibration_for(index, index_path)
    return found.threshold if found is not None else None


def threshold_origin(explicit: float | None, calibration: Calibration | None) -> str:
    """Which threshold is in force and why, for ``skills match --explain``."""
    if explicit is not None:
        over = f"; overrides the calibration in {calibration.path}" if calibration is not None else ""
        return f"threshold {explicit:g} (--threshold{over})"
    if calibration is not None:
        return calibration.describe()
    from loader.match.rank import DEFAULT_PARAMS

    return f"threshold {DEFAULT_PARAMS.threshold:g} (shipped default; `skills calibrate` fits one to this library)"


def _quote(value: str) -> str:
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in value)
    return f'"{escaped}"'


def render_config(calibration: Calibration, *, default: float, table: Sequence[tuple[str, float]] = ()) -> str:
    """The TOML text ``skills calibrate`` writes (``table``: extra figures kept as a record)."""
    lines = ["# Written by `skills calibrate`; read by skills match/context/eval, the hook, MCP and the API.",
             "# `--threshold` on the command line still overrides it. Delete this file to go back to the default.",
             "", "[match]", f"threshold = {calibration.threshold!r}", "", "[calibration]",
             f"source = {_quote(calibration.source)}", f"prompts = {calibration.prompts}",
             f"created = {_quote(calibration.created)}", f"default_threshold = {default!r}"]
    lines.extend(f"{key} = {value!r}" for key, value in table)
    return "\n".join(lines) + "\n"


def write_calibration(calibration: Calibration, *, default: float, table: Sequence[tuple[str, float]] = ()) -> None:
    """Write ``calibration`` to its path, atomically."""
    from loader.core.atomic import write_text

    write_text(calibration.path, render_config(calibration, default=default, table=table))
