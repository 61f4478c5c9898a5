"""Shared fixtures of the tests: an isolated data cache, a local HTTP file server, the shared data.

`imdb_cache` is `cache` on a data cache holding the 50,000 real IMDB reviews, installed once per
session from ../shared/data/aclImdb_labelled.tar.gz (under a minute); tests skip without it.

No test touches the internet: with `cache`, only 127.0.0.1 resolves, and `server` is a threaded
http.server on 127.0.0.1 (port 0) serving in-memory files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shutil
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rnncourse.data import cli, fetch
from rnncourse.paths import course_root

_PROXIES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@dataclasses.dataclass
class Route:
    """What the server answers on one path."""

    body: bytes
    declared_length: int | None = None  # a Content-Length larger than the body: cut short
    fail_first: int = 0  # answer 503 to the first N requests


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hits[self.path] += 1
        route = self.server.routes.get(self.path)
        if route is None or self.server.hits[self.path] <= route.fail_first:
            self.send_error(404 if route is None else 503)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(route.declared_length or len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the server quiet (it would log every request to stderr)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]
    hits: Counter[str]


class FileServer:
    """A threaded HTTP server on 127.0.0.1 (port 0) serving in-memory files."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes, self._server.hits = {}, Counter()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the port (later requests are refused)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    @property
    def host(self) -> str:
        """Return "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def add(self, path: str, body: bytes, **route: int) -> str:
        """Serve `body` at `path` (options: see Route); return its URL."""
        self._server.routes[path] = Route(body, **route)
        return f"http://{self.host}{path}"

    def hits(self, path: str) -> int:
        """Return how many requests `path` received."""
        return self._server.hits[path]


def _local_only(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap socket.getaddrinfo so that any host but 127.0.0.1 fails: tests stay off the internet."""

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never resolve {host!r}")
        return resolve(host, *args, **kwargs)

    return guarded


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty data cache (returned, not created), online, full mode, quick retries, no internet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(folder))
    monkeypatch.delenv("RNNCOURSE_OFFLINE", raising=False)
    monkeypatch.setenv("RNNCOURSE_MODE", "full")
    monkeypatch.setattr(fetch, "BACKOFF_S", 0.0)
    monkeypatch.setattr(fetch, "TIMEOUT_S", 5.0)
    for proxy in _PROXIES:
        monkeypatch.delenv(proxy, raising=False)  # the local server is reached directly
    monkeypatch.setattr(socket, "getaddrinfo", _local_only(socket.getaddrinfo))
    return folder


@pytest.fixture
def server() -> Iterator[FileServer]:
    """A running local file server, stopped after the test."""
    running = FileServer()
    yield running
    running.stop()


@pytest.fixture
def closed_url() -> str:
    """Return "http://127.0.0.1:PORT", a port nobody listens on (connections refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="session")
def shared_data() -> Path | None:
    """../shared/data beside the checkout (or RNNCOURSE_SHARED_DATA): exact copies of downloads."""
    override = os.environ.get("RNNCOURSE_SHARED_DATA")
    folder = Path(override) if override else course_root().parent / "shared" / "data"
    return folder if folder.is_dir() else None


@pytest.fixture
def seed_cache(cache: Path, shared_data: Path | None) -> Callable[[str], Path]:
    """Return seed(name): copy shared data `name` into the cache, or skip the test saying why."""

    def seed(name: str) -> Path:
        if shared_data is None or not (shared_data / name).is_file():
            pytest.skip(f"no shared copy of {name} (../shared/data or RNNCOURSE_SHARED_DATA)")
        cache.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(shared_data / name, cache / name))

    return seed


IMDB_SHARED = "aclImdb_labelled.tar.gz"


@dataclasses.dataclass(frozen=True)
class SeededImdb:
    """A data cache holding the real extracted IMDB reviews, and what installing them printed."""

    cache: Path
    output: str


@pytest.fixture(scope="session")
def imdb_seeded(tmp_path_factory: pytest.TempPathFactory, shared_data: Path | None) -> SeededImdb:
    """Install the shared IMDB archive into a new cache once per session, or skip saying why.

    It runs `python -m rnncourse.data fetch imdb --from ../shared/data/aclImdb_labelled.tar.gz`
    (in this process): the command to run before executing lesson 05 in full mode.
    """
    if shared_data is None or not (shared_data / IMDB_SHARED).is_file():
        pytest.skip(f"no shared copy of {IMDB_SHARED} (../shared/data or RNNCOURSE_SHARED_DATA)")
    folder = tmp_path_factory.mktemp("imdb-cache")
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()) as out:
        patch.setenv("RNNCOURSE_DATA_CACHE", str(folder))
        status = cli.main(["fetch", "imdb", "--from", str(shared_data / IMDB_SHARED)])
    assert status == 0, f"installing {IMDB_SHARED} failed: {out.getvalue()}"
    return SeededImdb(folder, out.getvalue())


@pytest.fixture
def imdb_cache(cache: Path, imdb_seeded: SeededImdb, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Like `cache` (no internet, full mode) but on the session's cache of real IMDB reviews.

    The cache is shared by every test of the session: read it, never change it.
    """
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(imdb_seeded.cache))
    return imdb_seeded.cache
