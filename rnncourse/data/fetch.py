"""Verified downloads with pooch, and the one line a loader prints about its source.

pooch streams a download into a temporary file in the cache and moves it into place only when its
sha256 matches the registry. Around it, this module checks the cached copy first (size, then
sha256) and replaces a corrupt one, tries the mirrors in order (a transient failure once more),
shows the progress bar on stdout and keeps pooch's log off stderr (a lesson has no stderr), and
turns every failure into a short reason that the loader's line repeats.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rnncourse.data import settings
from rnncourse.data.registry import DatasetEntry
from rnncourse.env import in_notebook

# Read at call time (tests lower them). A host that does not answer within CONNECT_TIMEOUT_S is
# given up at once (the offline default comes quickly); TIMEOUT_S is per read, not per file.
CONNECT_TIMEOUT_S = 5.0
TIMEOUT_S = 20.0
RETRIES = 1  # extra tries on the same mirror after a transient failure (stall, 5xx, cut short)
BACKOFF_S = 1.0  # pause before trying the same mirror again
CHUNK_BYTES = 1 << 16
OK, MISSING = "ok", "missing"
_TRANSIENT_HTTP = (408, 429, 500, 502, 503, 504)


class DataUnavailable(RuntimeError):
    """The real data cannot be had now; the message is the one-line reason a learner reads."""


class DownloadError(DataUnavailable):
    """No mirror served the expected bytes. `failures` holds (url, reason) for every mirror."""

    def __init__(self, message: str, failures: tuple[tuple[str, str], ...]) -> None:
        super().__init__(message)
        self.failures = failures


def host(url: str) -> str:
    """Return the host[:port] of `url` (the whole string when it has none)."""
    return urlsplit(url).netloc or url


def cache_path(entry: DatasetEntry) -> Path:
    """Return where `entry`'s download lives in the cache (it may not exist)."""
    return settings.cache_dir() / entry.file


def check(entry: DatasetEntry, *, full_hash: bool = True) -> str:
    """Return the state of `entry`'s cached download: OK, MISSING, or what is wrong with it.

    `full_hash=False` compares the size only (cheap; used to hint that a copy exists).
    """
    path = cache_path(entry)
    if not path.is_file():
        return MISSING
    size = path.stat().st_size
    if entry.size_bytes is not None and size != entry.size_bytes:
        word = "truncated" if size < entry.size_bytes else "wrong size"
        return f"{word}: {size:,} of {entry.size_bytes:,} bytes"
    if full_hash and entry.sha256:
        pooch = _import_pooch()
        if (digest := pooch.file_hash(str(path))) != entry.sha256:
            return f"sha256 {digest[:12]}... instead of {entry.sha256[:12]}..."
    return OK


def offline_reason(entry: DatasetEntry, offline: bool | None) -> str | None:
    """Return why `entry` must not touch the network (None: it may), with a hint if it is cached."""
    reason = settings.offline_reason(offline)
    if reason and entry.downloadable and check(entry, full_hash=False) == OK:
        reason += f" (a cached {entry.title} exists: pass offline=False to use it)"
    return reason


def fetch_verified(entry: DatasetEntry) -> tuple[Path, str]:
    """Return (path, how) of `entry`'s verified download: "cached" or "downloaded from HOST".

    A corrupt or truncated cached copy is removed and downloaded again (and `how` says so).
    Raises DataUnavailable with the reason when no mirror serves the right bytes.
    """
    path, state = cache_path(entry), check(entry)
    if state == OK:
        return path, "cached"
    corrupt = f"the cached copy was corrupt ({state})" if state != MISSING else ""
    if corrupt:
        path.unlink()
    try:
        url = _download(entry, path)
    except DownloadError as exc:
        if corrupt:
            raise DownloadError(f"{corrupt} and was removed; {exc}", exc.failures) from exc
        raise
    except OSError as exc:  # e.g. the cache folder is not writable
        reason = getattr(_root(exc), "strerror", exc)
        raise DataUnavailable(f"the cache folder {path.parent} is not usable: {reason}") from exc
    how = f"downloaded from {host(url)}"
    return path, f"{how}, replacing a corrupt cached copy ({state})" if corrupt else how


def _download(entry: DatasetEntry, path: Path) -> str:
    """Download the first mirror that serves the right bytes into `path`; return its URL."""
    import requests

    pooch = _import_pooch()

    failures = []
    for url in entry.urls:
        tries = 0
        while True:
            tries += 1
            try:
                with _quiet_pooch(), _progress_bar(entry.file, entry.size_bytes) as bar:
                    downloader = pooch.HTTPDownloader(
                        progressbar=bar,
                        chunk_size=CHUNK_BYTES,
                        timeout=(CONNECT_TIMEOUT_S, TIMEOUT_S),
                    )
                    pooch.retrieve(
                        url,
                        known_hash=f"sha256:{entry.sha256}",
                        fname=path.name,
                        path=path.parent,
                        downloader=downloader,
                    )
                return url
            except (requests.RequestException, ValueError) as exc:  # ValueError: wrong sha256
                reason, transient = _reason(exc)
                if not transient or tries > RETRIES:
                    break
                time.sleep(BACKOFF_S)
        failures.append((url, reason if tries == 1 else f"{reason} ({tries} tries)"))
    summary = "; ".join(f"{host(url)}: {reason}" for url, reason in failures)
    raise DownloadError(
        f"the download failed: {summary or 'no mirror URL is listed'}", tuple(failures)
    )


def _root(exc: BaseException) -> OSError | None:
    """Return the innermost OS error inside `exc` (e.g. ConnectionRefusedError), or None."""
    found, seen = None, set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.strerror:
            found = exc
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or getattr(exc, "reason", None) or inner or exc.__context__
    return found


def _reason(exc: Exception) -> tuple[str, bool]:
    """Return (short reason, whether trying the same mirror again may help)."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        code = exc.response.status_code
        return f"HTTP {code} {exc.response.reason}", code in _TRANSIENT_HTTP
    if isinstance(exc, requests.ConnectTimeout):
        return f"no answer within {CONNECT_TIMEOUT_S:g} s", False
    if isinstance(exc, requests.Timeout):
        return f"timed out after {TIMEOUT_S:g} s", True
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "transfer cut short", True
    if isinstance(exc, requests.ConnectionError):
        root = _root(exc)
        if root is None:
            return "the connection was closed", True
        return root.strerror, not isinstance(root, ConnectionRefusedError | socket.gaierror)
    if isinstance(exc, requests.RequestException):
        return f"{type(exc).__name__}: {exc}", False
    return "sha256 mismatch: the mirror served other bytes", False  # pooch's hash check


def _import_pooch() -> Any:
    """Return the pooch module, imported without the TqdmWarning that its `tqdm.auto` import
    prints on stderr in a Jupyter kernel without ipywidgets (a lesson has no stderr)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pooch
    return pooch


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence pooch's logger, which writes to stderr, for the duration."""
    pooch = _import_pooch()
    logger = pooch.get_logger()
    before, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = before


def _progress_bar(label: str, size: int | None) -> Any:
    """Return a stdout progress bar (a context), or a null context when nobody watches.

    Only a terminal or a Jupyter/Colab kernel gets a bar; pipes, CI logs and pytest do not. The
    bar appears once a server answers, so a mirror that cannot be reached prints nothing.
    """
    try:
        watched = sys.stdout.isatty() or in_notebook()
    except (AttributeError, ValueError):
        watched = False
    if not watched:
        return contextlib.nullcontext(False)
    return _LazyBar(label, size)


class _LazyBar:
    """The progress bar that pooch drives: a tqdm bar on stdout, made when pooch sets `total`
    (after the server's response headers arrive), and closed with the context."""

    def __init__(self, label: str, size: int | None) -> None:
        self._label, self._size = label, size
        self._bar: Any = None

    def __enter__(self) -> _LazyBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def total(self) -> int | None:
        return self._bar.total if self._bar is not None else self._size

    @total.setter
    def total(self, value: int | None) -> None:
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(
            total=value or self._size or 1,
            desc=self._label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stdout,
            leave=False,
            mininterval=0.5,
            ascii=True,
        )

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def reset(self) -> None:
        if self._bar is not None:
            self._bar.reset()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def announce(source: str) -> None:
    """Print the loader's one line naming its source (stdout, never stderr)."""
    print(source, flush=True)
