"""Download one file with urllib: mirrors in order, retries, a timeout, sha256, atomic rename.

The bytes go to a temporary file beside the destination and are renamed onto it only once their
size and sha256 match, so the destination is either absent or complete and verified. Transient
failures (timeouts, resets, transfers cut short, HTTP 5xx/408/429) are retried on the same mirror
with a growing pause; the rest (refused connections, unknown hosts, HTTP 4xx, wrong bytes) move on
to the next mirror at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from rnncourse.course import repo_url
from rnncourse.data import progress as progress_bars

# Module-level defaults, read at call time (tests lower them).
TIMEOUT_S = 20.0  # per connection attempt and per read, not for the whole transfer
RETRIES = 1  # extra tries on the same mirror after a transient failure
BACKOFF_S = 1.0  # pause before retry k: BACKOFF_S * 2 ** (k - 1)
CHUNK_BYTES = 1 << 16
USER_AGENT = f"rnncourse-data/0.1 (+{repo_url()})"
_TRANSIENT_HTTP = (408, 429, 500, 502, 503, 504)


class DownloadError(RuntimeError):
    """No mirror served the expected bytes. `failures` holds (url, reason) for every mirror."""

    def __init__(self, target: str, failures: Sequence[tuple[str, str]]) -> None:
        self.failures = tuple(failures)
        tried = "; ".join(f"{host(url)}: {reason}" for url, reason in self.failures)
        self.summary = tried or "no mirror URL is listed"
        super().__init__(f"could not download {target}: {self.summary}")


class _AttemptFailed(Exception):
    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def host(url: str) -> str:
    """Return the host[:port] of `url` (the whole string when it has none)."""
    return urlsplit(url).netloc or url


def sha256_file(path: Path | str, chunk_bytes: int = 1 << 20) -> str:
    """Return the hex sha256 of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(exc: BaseException, timeout: float) -> _AttemptFailed:
    """Turn an exception from urllib into a short reason and whether retrying may help."""
    if isinstance(exc, urllib.error.HTTPError):
        return _AttemptFailed(f"HTTP {exc.code} {exc.reason}", exc.code in _TRANSIENT_HTTP)
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else OSError(str(exc.reason))
    if isinstance(exc, TimeoutError | socket.timeout):
        return _AttemptFailed(f"timed out after {timeout:g} s", transient=True)
    if isinstance(exc, http.client.IncompleteRead):
        return _AttemptFailed(f"transfer cut short after {len(exc.partial):,} bytes", True)
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return _AttemptFailed(exc.strerror or str(exc), transient=False)
    if isinstance(exc, OSError) and exc.strerror:
        return _AttemptFailed(exc.strerror, transient=True)
    return _AttemptFailed(f"{type(exc).__name__}: {exc}", transient=True)


def _fetch_once(
    url: str, tmp: Path, size: int | None, timeout: float, label: str, progress: bool | None
) -> tuple[str, int]:
    """Stream `url` into `tmp`; return (sha256, byte count). Raises _AttemptFailed."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise _AttemptFailed("not an http(s) URL", transient=False)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    digest, count = hashlib.sha256(), 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            header = response.headers.get("Content-Length", "")
            announced = int(header) if header.isdigit() else None
            bar = progress_bars.bar(announced or size, label, progress)
            try:
                with open(tmp, "wb") as out:
                    while chunk := response.read(CHUNK_BYTES):
                        out.write(chunk)
                        digest.update(chunk)
                        count += len(chunk)
                        bar.update(len(chunk))
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                bar.close()
    except _AttemptFailed:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise _describe(exc, timeout) from exc
    if announced is not None and count < announced:
        raise _AttemptFailed(f"transfer cut short: got {count:,} of {announced:,} bytes", True)
    return digest.hexdigest(), count


def _try_mirror(
    url: str, dest: Path, sha256: str, size: int | None, opts: tuple[float, int, bool | None]
) -> str | None:
    """Try one mirror with retries; return None on success (dest written), else the reason."""
    timeout, retries, progress = opts
    reason = "not tried"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(BACKOFF_S * 2 ** (attempt - 1))
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(name)
        try:
            got_sha, count = _fetch_once(url, tmp, size, timeout, dest.name, progress)
            if size is not None and count != size:
                raise _AttemptFailed(f"wrong size: got {count:,} bytes, expected {size:,}", False)
            if got_sha != sha256:
                raise _AttemptFailed(
                    f"sha256 mismatch: got {got_sha[:12]}..., expected {sha256[:12]}...", False
                )
            os.replace(tmp, dest)
            return None
        except _AttemptFailed as failure:
            reason = failure.reason
            if not failure.transient:
                break
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    tries = attempt + 1
    return reason if tries == 1 else f"{reason} ({tries} tries)"


def download(
    urls: Sequence[str],
    dest: Path | str,
    *,
    sha256: str,
    size: int | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool | None = None,
) -> str:
    """Download the first mirror of `urls` that serves bytes with this `sha256` (and `size`).

    Writes `dest` atomically (temporary file, then rename) and returns the URL that served it.
    `timeout` (seconds) and `retries` default to TIMEOUT_S and RETRIES; `progress` None shows a
    stdout bar only in a terminal or notebook. Raises DownloadError listing each mirror's reason;
    then nothing is written.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    opts = (
        TIMEOUT_S if timeout is None else timeout,
        RETRIES if retries is None else retries,
        progress,
    )
    failures: list[tuple[str, str]] = []
    for url in urls:
        reason = _try_mirror(url, dest, sha256.lower(), size, opts)
        if reason is None:
            return url
        failures.append((url, reason))
    raise DownloadError(dest.name, failures)
