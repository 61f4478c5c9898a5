"""Get a verified download for a loader, or the reason its offline default must be used.

A loader calls `offline_reason` first (RNNCOURSE_OFFLINE or its `offline` argument), then
`fetch_verified`, which returns a cached or freshly downloaded verified file or raises
DataUnavailable with a one-line reason, and finally `announce`s the one line naming its source.
"""

from __future__ import annotations

from pathlib import Path

from rnncourse.data import cache, settings
from rnncourse.data.download import DownloadError, download, host
from rnncourse.data.registry import DatasetEntry


class DataUnavailable(RuntimeError):
    """The real data cannot be had now; the message is the one-line reason a learner reads."""


def offline_reason(entry: DatasetEntry, offline: bool | None) -> str | None:
    """Return why `entry` must not touch the network (None: it may), with a hint if it is cached."""
    reason = settings.offline_reason(offline)
    if reason and entry.downloadable and cache.check(entry, full_hash=False).state == cache.OK:
        reason += f" (a cached {entry.title} exists: pass offline=False to use it)"
    return reason


def fetch_verified(entry: DatasetEntry, progress: bool | None = None) -> tuple[Path, str]:
    """Return (path, how) of `entry`'s verified download: "cached" or "downloaded from HOST".

    A corrupt or truncated cached copy is removed and downloaded again (and `how` says so).
    Raises DataUnavailable with the reason when no mirror serves the right bytes.
    """
    found = cache.check(entry)
    if found.state == cache.OK:
        return found.path, "cached"
    corrupt = ""
    if found.state == cache.CORRUPT:
        cache.discard(found.path)
        corrupt = f"the cached copy was corrupt ({found.detail})"
    try:
        url = download(
            entry.urls,
            found.path,
            sha256=str(entry.sha256),
            size=entry.size_bytes,
            progress=progress,
        )
    except DownloadError as exc:
        reason = f"the download failed: {exc.summary}"
        raise DataUnavailable(
            f"{corrupt} and was removed; {reason}" if corrupt else reason
        ) from exc
    except OSError as exc:  # e.g. the cache folder is not writable
        raise DataUnavailable(
            f"the cache folder {found.path.parent} is not usable: {exc.strerror or exc}"
        ) from exc
    how = f"downloaded from {host(url)}"
    return (
        found.path,
        f"{how}, replacing a corrupt cached copy ({found.detail})" if corrupt else how,
    )


def announce(source: str) -> None:
    """Print the loader's one line naming its source (stdout, never stderr)."""
    print(source, flush=True)
