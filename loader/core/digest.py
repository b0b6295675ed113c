"""Core, SHA-256 without OpenSSL's start-up, for the file names the hook derives on every prompt.

``hashlib`` loads OpenSSL when imported, 2.5 ms here: more than the hook's whole freshness
check. CPython's own SHA-256 module (``_sha256``; ``_sha2`` from 3.12), which ``hashlib`` falls
back to without OpenSSL, gives the same digests for a tenth of that. Other interpreters, or a
CPython built without it, use ``hashlib``. Hashing whole skills keeps ``hashlib`` (OpenSSL's is
faster on long inputs); a run that hashes only a few names and cache files uses :data:`sha256`.
"""

from __future__ import annotations

__all__ = ["hex_key", "sha256"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256  # what mypy reads: the same interface
else:
    try:
        from _sha2 import sha256  # CPython 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # CPython 3.11
        except ImportError:
            from hashlib import sha256


def hex_key(text: str, length: int = 16) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``text`` (UTF-8; lone surrogates kept)."""
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]
