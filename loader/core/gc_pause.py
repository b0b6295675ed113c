"""Pause Python's cyclic garbage collector around bulk object creation.

Opening or refreshing a large index creates tens of thousands of short-lived objects, none of
them cyclic; every allocation threshold crossed would run a collection that finds nothing.
Reference counting still frees everything; only the cycle detector waits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (restored as it was, even on error)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
