"""The data cache: where a download lives, and whether the cached copy is intact.

A cached file is used only when its size and sha256 match the registry; anything else is a
corrupt or truncated entry, reported to the caller and removed so that it gets replaced.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

from rnncourse.data import settings
from rnncourse.data.download import sha256_file
from rnncourse.data.registry import DatasetEntry

OK, MISSING, CORRUPT = "ok", "missing", "corrupt"


@dataclasses.dataclass(frozen=True)
class CacheCheck:
    """The state of one cached download: "ok", "missing" or "corrupt" (with what is wrong)."""

    path: Path
    state: str
    detail: str = ""


def path_for(entry: DatasetEntry) -> Path:
    """Return where `entry`'s download lives in the cache (it may not exist)."""
    return settings.cache_dir() / entry.file


def check(entry: DatasetEntry, *, full_hash: bool = True) -> CacheCheck:
    """Return the state of `entry`'s cached download, comparing its size and then its sha256.

    `full_hash=False` compares the size only (cheap; used to hint that a copy exists).
    """
    path = path_for(entry)
    if not path.is_file():
        return CacheCheck(path, MISSING)
    actual = path.stat().st_size
    if entry.size_bytes is not None and actual != entry.size_bytes:
        word = "truncated" if actual < entry.size_bytes else "wrong size"
        return CacheCheck(path, CORRUPT, f"{word}: {actual:,} of {entry.size_bytes:,} bytes")
    if full_hash and entry.sha256:
        digest = sha256_file(path)
        if digest != entry.sha256:
            return CacheCheck(
                path, CORRUPT, f"sha256 {digest[:12]}... instead of {entry.sha256[:12]}..."
            )
    return CacheCheck(path, OK)


def discard(path: Path) -> None:
    """Remove a corrupt cache file (no error if it is already gone)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
