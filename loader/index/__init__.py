"""Index stage: skill folders in, a stored :class:`Index` out, kept current by ``stat`` alone.

Takes the roots of a library (``Sequence[Path]``); returns an :class:`Index` (one
:class:`IndexEntry` per valid skill, with term statistics for the matcher) and the
:class:`~loader.core.model.Diagnostic` list of what was left out. :func:`open_index` is what
commands use: it loads the SQLite file beside the library (or in the user cache), re-indexes
only the folders whose stamps changed, and stores the difference in one transaction.

Modules, from the top down (each imports only those below it; ``pyproject.toml`` checks it):
``open`` (load, refresh, save) -> ``write`` (the changes), ``create`` (a new file) -> ``plan``
(what changed, by stat), ``verify`` (deep check), ``build`` (folders to entries; uses the
validate stage) -> ``store`` (read a file in one transaction) -> ``types`` (``Index``,
``IndexEntry``) -> ``stored_terms``, ``rows`` -> ``sqlite`` (the file's schema and
connections) -> ``postings``, ``stamps`` (change detection by stat), ``trust``, ``location``.
"""

from __future__ import annotations

from loader.core.exports import lazy_exports

_EXPORTS = {
    "Index": "types",
    "IndexEntry": "types",
    "REFERENCE_SUFFIXES": "types",
    "listing_line": "types",
    "build_index": "build",
    "update_index": "build",
    "open_index": "open",
    "load_index": "open",
    "save_index": "open",
    "default_index_path": "location",
    "cache_index_path": "location",
    "IndexDamagedError": "sqlite",
    "CollectionStats": "postings",
    "FIELDS": "postings",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

TYPE_CHECKING = False  # typing.TYPE_CHECKING would import typing on the hook's path (loader.core.record)
if TYPE_CHECKING:
    from loader.core.errors import IndexDamagedError as IndexDamagedError
    from loader.index.build import build_index as build_index
    from loader.index.build import update_index as update_index
    from loader.index.location import cache_index_path as cache_index_path
    from loader.index.location import default_index_path as default_index_path
    from loader.index.open import load_index as load_index
    from loader.index.open import open_index as open_index
    from loader.index.open import save_index as save_index
    from loader.index.postings import FIELDS as FIELDS
    from loader.index.postings import CollectionStats as CollectionStats
    from loader.index.types import REFERENCE_SUFFIXES as REFERENCE_SUFFIXES
    from loader.index.types import Index as Index
    from loader.index.types import IndexEntry as IndexEntry
    from loader.index.types import listing_line as listing_line
