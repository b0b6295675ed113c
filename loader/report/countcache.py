"""Report stage, the token-count cache: a text counted once is not counted again on the next run.

Counting is most of a warm ``skills report`` (the estimate makes five regex passes over every
SKILL.md and reference file: ~0.9 s of a 1.3 s run on the 238-skill corpus), while a SHA-256 of
the same 14 MB of text takes ~0.02 s. So counts are kept by the text's hash (content, not file
stamps: the report reads the files anyway, and a hash cannot be fooled by an edit that keeps the
size and mtime), one file per library and counter under ``$XDG_CACHE_HOME/skillpack/report``
(never in the library). The file names what the counts depend on besides the text (skillpack's
version, a hash of ``loader/core/tokens.py``, the counter's parameters and, for the exact
counter, its tokenizer file) and carries a SHA-256 of its entries: a foreign, damaged or
outdated file is ignored, so the cache can cost a recount, never a wrong figure or a crash.
It holds the last run's counts and as many again from earlier runs (at most :data:`MAX_ENTRIES`),
is written atomically, and files unused for 30 days are deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from loader.core.counter import TokenCounter
from loader.core.digest import hex_key
from loader.core.tokens import EstimateCounter, FixedRatioCounter, TokenizerJsonCounter
from loader.core.userdirs import cache_dir, prune_stale

log = logging.getLogger("loader")

FORMAT = 1
"""Version of the file layout; a file of another version is ignored."""
MAX_ENTRIES = 250_000
"""Counts kept per file (a library of thousands of skills with their references stays below it)."""
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A larger file is not read: :data:`MAX_ENTRIES` entries take about 11 MB."""
STALE_SECONDS = 30 * 24 * 3600
"""A library's file unused for this long is deleted by the next run that writes one."""
_KEY_CHARS = 32
"""Hex digits of SHA-256 kept per text: 128 bits, so two texts never share a key in practice."""


def text_key(text: str) -> str:
    """The cache key of ``text``: its SHA-256 (UTF-8; lone surrogates kept), shortened."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_KEY_CHARS]


@cache
def _tokens_code() -> str:
    from loader.core import tokens

    return hashlib.sha256(Path(tokens.__file__).read_bytes()).hexdigest()


def counter_identity(counter: TokenCounter) -> str | None:
    """Everything a count depends on besides the text, or ``None`` for a counter the cache cannot vouch for.

    The built-in counters' code and default constants are covered by a hash of ``tokens.py``,
    their parameters by the values of their annotated public attributes (not ``repr``, which a
    plain class would fill with a memory address); the exact counter also depends on its
    tokenizer file and the ``tokenizers`` release that reads it. Any other counter is not cached.
    """
    from loader import __version__

    kind = type(counter)
    params = {name: repr(getattr(counter, name, None)) for name in sorted(getattr(kind, "__annotations__", {}))
              if not name.startswith("_")}
    base = f"skillpack {__version__}; tokens.py {_tokens_code()}; {kind.__qualname__} {params}"
    if isinstance(counter, EstimateCounter | FixedRatioCounter):
        return base
    if isinstance(counter, TokenizerJsonCounter):
        from importlib.metadata import PackageNotFoundError, version

        try:
            data = counter.path.read_bytes()
            release = version("tokenizers")
        except (OSError, PackageNotFoundError):
            return None
        return f"{base}; tokenizer.json {hashlib.sha256(data).hexdigest()}; tokenizers {release}"
    return None


class CachedCounter:
    """A :class:`~loader.core.tokens.TokenCounter` that reuses the counts of texts seen before.

    Same ``name``, ``exact`` and counts as the counter it wraps, so a report made through it is
    identical to one made without it.
    """

    def __init__(self, counter: TokenCounter, path: Path, identity: str) -> None:
        """Wrap ``counter``; ``path`` holds counts made under ``identity`` (see :func:`counter_identity`)."""
        self.counter = counter
        self.path = path
        self.identity = identity
        self._old = _read(path, identity)
        self._used: dict[str, int] = {}
        self.hits = 0
        """Texts whose count came from the file."""
        self.misses = 0
        """Texts counted afresh."""

    @property
    def name(self) -> str:
        """The wrapped counter's name."""
        return self.counter.name

    @property
    def exact(self) -> bool:
        """Whether the wrapped counter is exact."""
        return self.counter.exact

    def count(self, text: str) -> int:
        """Tokens in ``text``: the stored count when this text was counted before, else a fresh count."""
        if not text:
            return self.counter.count(text)
        key = text_key(text)
        found = self._used.get(key)
        if found is not None:  # counted earlier in this run
            return found
        found = self._old.get(key)
        if found is None:
            found = self.counter.count(text)
            self.misses += 1
        else:
            self.hits += 1
        if len(self._used) < MAX_ENTRIES:
            self._used[key] = found
        return found

    def save(self) -> None:
        """Store the counts atomically when this run counted anything, else only touch the file.

        Kept: this run's counts, then as many again from earlier runs, most recently used
        first (so alternating reports with and without ``--queries`` both stay cached, while a
        library under edit does not grow the file without end).
        """
        log.info("token counts: %d reused, %d counted (%s)", self.hits, self.misses, self.path)
        try:
            if not self.misses:  # every count came from the file, which holds them all
                if self._old:
                    os.utime(self.path)
                return
            keep = dict(self._used)
            room = min(len(self._used), MAX_ENTRIES - len(self._used))
            for key, value in self._old.items():
                if room <= 0:
                    break
                if key not in keep:
                    keep[key] = value
                    room -= 1
            body = json.dumps(keep, separators=(",", ":")).encode("utf-8")
            header = json.dumps({"format": FORMAT, "counter": self.identity,
                                 "sha256": hashlib.sha256(body).hexdigest()}, separators=(",", ":"))
            from loader.core.atomic import write_bytes

            write_bytes(self.path, header.encode("utf-8") + b"\n" + body, durable=False)
            prune_stale(self.path.parent, ".counts", keep=self.path, max_age_s=STALE_SECONDS)
        except OSError as exc:  # a read-only or full cache folder costs speed, not correctness
            log.info("token count cache not written (%s)", exc)


def cache_path(roots: Sequence[Path], counter: TokenCounter) -> Path:
    """The count file of the library under ``roots`` for ``counter``."""
    where = "\0".join(str(Path(root).resolve()) for root in roots)
    name = hex_key(f"{where}\0{counter.name}", 24)
    return cache_dir() / "report" / f"{name}.counts"


@contextmanager
def count_cache(roots: Sequence[Path], counter: TokenCounter, *, enabled: bool = True) -> Iterator[TokenCounter]:
    """Yield a counter that reuses the counts stored for the library under ``roots``, and store them after.

    With ``enabled=False`` (``--no-cache``), or a counter :func:`counter_identity` cannot vouch
    for, yields ``counter`` itself and neither reads nor writes anything. Counts are stored only
    when the block ends without an exception.
    """
    identity = counter_identity(counter) if enabled else None
    if identity is None:
        yield counter
        return
    cached = CachedCounter(counter, cache_path(roots, counter), identity)
    yield cached
    cached.save()


def _read(path: Path, identity: str) -> dict[str, int]:
    """The counts stored in ``path`` under ``identity``; empty for a missing, foreign or damaged file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return {}
    if len(data) > MAX_FILE_BYTES:
        return {}
    header_bytes, _, body = data.partition(b"\n")
    try:
        header = json.loads(header_bytes)
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("counter") != identity \
                or header.get("sha256") != hashlib.sha256(body).hexdigest():
            return {}
        counts = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's limit
        return {}
    if not isinstance(counts, dict) or len(counts) > MAX_ENTRIES or not all(
            type(v) is int and v >= 0 and len(k) == _KEY_CHARS for k, v in counts.items()):
        return {}
    return counts


