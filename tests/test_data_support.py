"""Shared helpers of the data tests (no tests here): a local HTTP server, archives, fixtures.

Every test that downloads talks to `FileServer`, a threaded http.server on 127.0.0.1 port 0, or
to a closed local port: no test ever touches the internet.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import os
import shutil
import socket
import tarfile
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rnncourse.data import download, registry
from rnncourse.data.registry import DatasetEntry
from rnncourse.paths import course_root


@dataclasses.dataclass
class Route:
    """What the server answers on one path."""

    body: bytes
    status: int = 200
    declared_length: int | None = None  # a Content-Length larger than the body: cut short
    fail_first: int = 0  # answer 503 to the first N requests


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hits[self.path] += 1
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if self.server.hits[self.path] <= route.fail_first:
            self.send_error(503)
            return
        self.send_response(route.status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(route.declared_length or len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the server quiet (it would log every request to stderr)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]
    hits: Counter[str]


class FileServer:
    """A threaded HTTP server on 127.0.0.1 (port 0) serving in-memory files; use as a context."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes = {}
        self._server.hits = Counter()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and close the port."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    @property
    def host(self) -> str:
        """Return "127.0.0.1:PORT"."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def add(self, path: str, body: bytes, **route: int | None) -> str:
        """Serve `body` at `path` (see Route for the options); return its URL."""
        self._server.routes[path] = Route(body, **route)  # type: ignore[arg-type]
        return f"http://{self.host}{path}"

    def hits(self, path: str) -> int:
        """Return how many requests `path` received."""
        return self._server.hits[path]


def closed_port_url(path: str = "/file") -> str:
    """Return a URL on 127.0.0.1 whose port nobody listens on (connection refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def sha256(data: bytes) -> str:
    """Return the hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def entry_for(name: str, body: bytes, urls: list[str], **changes: object) -> DatasetEntry:
    """Return the registry entry `name` pointed at `urls` and at the hash and size of `body`."""
    return registry.get(name).replace(
        urls=urls, sha256=sha256(body), size_bytes=len(body), **changes
    )


@dataclasses.dataclass
class Member:
    """One member of a test tar archive."""

    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""


def make_tar(members: list[Member]) -> bytes:
    """Return a tar.gz holding `members`, exactly as named (unsafe names included)."""
    buffer = io.BytesIO()
    # gzip with a fixed mtime: the same members always give the same bytes (and sha256)
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w") as tar,
    ):
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = member.kind
            info.linkname = member.linkname
            info.size = len(member.data) if member.kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(member.data) if info.size else None)
    return buffer.getvalue()


def make_zip(files: dict[str, str]) -> bytes:
    """Return a zip archive holding `files` (name -> UTF-8 text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def movie_url(movie: int) -> str:
    """Return the IMDb URL of a fake movie (as in aclImdb's urls_*.txt)."""
    return f"http://www.imdb.com/title/tt{movie:07d}/usercomments"


def fake_imdb(movies: int = 60, test_reviews: int = 8) -> bytes:
    """Return a small aclImdb-shaped tar.gz: each train movie has one pos and one neg review.

    Review texts say their split, label and movie ("train pos movie 7 review 7"); an unlabelled
    unsup/ folder and a vocabulary file are there to be left out by the extraction.
    """
    members = [Member("aclImdb/", kind=tarfile.DIRTYPE), Member("aclImdb/README", b"readme")]
    for sub in ("pos", "neg"):
        lines = "\n".join(movie_url(i) for i in range(movies)) + "\n"
        members.append(Member(f"aclImdb/train/urls_{sub}.txt", lines.encode()))
        for i in range(movies):
            text = f"train {sub} movie {i} review {i} <br />"
            members.append(
                Member(f"aclImdb/train/{sub}/{i}_{7 if sub == 'pos' else 2}.txt", text.encode())
            )
        for i in range(test_reviews):
            members.append(Member(f"aclImdb/test/{sub}/{i}_8.txt", f"test {sub} {i}".encode()))
    members.append(Member("aclImdb/train/unsup/0_0.txt", b"unlabelled"))
    members.append(Member("aclImdb/imdb.vocab", b"the\nand\n"))
    return make_tar(members)


def shared_data_dir() -> Path | None:
    """Return ../shared/data beside the checkout (or RNNCOURSE_SHARED_DATA), None if absent."""
    override = os.environ.get("RNNCOURSE_SHARED_DATA")
    folder = Path(override) if override else course_root().parent / "shared" / "data"
    return folder if folder.is_dir() else None


def seed_cache(cache: Path, name: str) -> Path | None:
    """Copy shared/data/`name` into the cache folder; return the copy (None if not shared)."""
    folder = shared_data_dir()
    if folder is None or not (folder / name).is_file():
        return None
    cache.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(folder / name, cache / name))


def isolate_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the data cache at an empty temporary folder (returned): online, full mode, quick
    retries, and only 127.0.0.1 reachable. Each test file wraps this in its own fixture."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(folder))
    monkeypatch.delenv("RNNCOURSE_OFFLINE", raising=False)
    monkeypatch.setenv("RNNCOURSE_MODE", "full")
    monkeypatch.setattr(download, "BACKOFF_S", 0.0)
    monkeypatch.setattr(download, "TIMEOUT_S", 5.0)
    for proxy in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(proxy, raising=False)  # the local server is reached directly
    monkeypatch.setattr(socket, "getaddrinfo", _local_only(socket.getaddrinfo))
    return folder


def _local_only(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap socket.getaddrinfo so that any host but 127.0.0.1 fails: tests stay off the internet."""

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, f"tests never resolve {host!r}")
        return resolve(host, *args, **kwargs)

    return guarded


def leftovers(folder: Path) -> list[str]:
    """Return the names of every file and folder under `folder` (sorted, relative)."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
