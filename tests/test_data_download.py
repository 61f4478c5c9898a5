"""Downloads against a local server: hashes, truncation, mirrors, retries, atomic writes, cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_data_support import (
    FileServer,
    closed_port_url,
    entry_for,
    isolate_cache,
    leftovers,
    sha256,
)

from rnncourse import data
from rnncourse.data import download
from rnncourse.data.download import DownloadError


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets an empty temporary cache (returned), online, full mode, quick retries."""
    return isolate_cache(monkeypatch, tmp_path)


@pytest.fixture
def server() -> Iterator[FileServer]:
    """A running local file server, stopped after the test."""
    with FileServer() as running:
        yield running


BODY = b"First Citizen:\nBefore we proceed any further, hear me speak.\n" * 200


def test_good_file_is_downloaded_verified_and_renamed(server: FileServer, tmp_path: Path) -> None:
    url = server.add("/good.txt", BODY)
    dest = tmp_path / "out" / "good.txt"
    used = download.download([url], dest, sha256=sha256(BODY), size=len(BODY), progress=False)
    assert used == url
    assert dest.read_bytes() == BODY
    assert leftovers(dest.parent) == ["good.txt"]  # no temporary file left behind


def test_wrong_hash_raises_and_writes_nothing(server: FileServer, tmp_path: Path) -> None:
    url = server.add("/tampered.txt", BODY.replace(b"speak", b"sneak"))
    dest = tmp_path / "tampered.txt"
    with pytest.raises(DownloadError, match="sha256 mismatch"):
        download.download([url], dest, sha256=sha256(BODY), size=len(BODY), retries=0)
    assert leftovers(tmp_path) == []


def test_transfer_cut_short_is_detected(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "BACKOFF_S", 0.0)
    url = server.add("/short.txt", BODY[:1000], declared_length=len(BODY))
    with pytest.raises(DownloadError, match=r"cut short.*\(2 tries\)") as caught:
        download.download([url], tmp_path / "short.txt", sha256=sha256(BODY), retries=1)
    assert server.hits("/short.txt") == 2  # a cut transfer is transient: retried once
    assert caught.value.failures[0][0] == url
    assert leftovers(tmp_path) == []


def test_server_down_fails_fast_with_the_reason(tmp_path: Path) -> None:
    url = closed_port_url()
    with pytest.raises(DownloadError, match="refused") as caught:
        download.download([url], tmp_path / "f", sha256=sha256(BODY), timeout=2)
    assert "127.0.0.1" in caught.value.summary
    assert leftovers(tmp_path) == []


def test_first_mirror_failing_falls_through_to_the_next(server: FileServer, tmp_path: Path) -> None:
    missing = f"http://{server.host}/missing.txt"  # not served: HTTP 404
    good = server.add("/good.txt", BODY)
    dest = tmp_path / "good.txt"
    used = download.download([closed_port_url(), missing, good], dest, sha256=sha256(BODY))
    assert used == good
    assert server.hits("/missing.txt") == 1  # HTTP 404 is not retried
    assert dest.read_bytes() == BODY


def test_transient_http_error_is_retried(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "BACKOFF_S", 0.0)
    url = server.add("/flaky.txt", BODY, fail_first=1)
    with pytest.raises(DownloadError, match="HTTP 503"):
        download.download([url], tmp_path / "a", sha256=sha256(BODY), retries=0)
    url = server.add("/flaky2.txt", BODY, fail_first=1)
    download.download([url], tmp_path / "b", sha256=sha256(BODY), retries=1)
    assert (tmp_path / "b").read_bytes() == BODY
    assert server.hits("/flaky2.txt") == 2


def test_non_http_urls_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "local.txt"
    source.write_bytes(BODY)
    with pytest.raises(DownloadError, match="not an http"):
        download.download([source.as_uri()], tmp_path / "copy", sha256=sha256(BODY))


def test_progress_bar_goes_to_stdout_never_stderr(
    server: FileServer, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = server.add("/bar.txt", BODY)
    download.download([url], tmp_path / "bar.txt", sha256=sha256(BODY), progress=True)
    out, err = capfd.readouterr()
    assert "bar.txt" in out
    assert err == ""


def test_loader_downloads_then_reads_the_cache(cache: Path, server: FileServer, capsys) -> None:
    url = server.add("/shakespeare.txt", BODY)
    entry = entry_for("shakespeare", BODY, [url])
    first = data.shakespeare(entry=entry)
    assert first.source.startswith(f"tiny-shakespeare (downloaded from {server.host})")
    assert (cache / entry.file).read_bytes() == BODY
    server.stop()  # the second call must not need the network
    second = data.shakespeare(entry=entry)
    assert second.source.startswith("tiny-shakespeare (cached)")
    assert second.text == first.text == BODY.decode()
    printed = capsys.readouterr().out.splitlines()
    assert printed == [first.source, second.source]  # exactly one line per call


def test_loader_rejects_a_wrong_hash_and_caches_nothing(
    cache: Path, server: FileServer, capsys
) -> None:
    url = server.add("/shakespeare.txt", BODY.replace(b"speak", b"sneak"))  # same size
    entry = entry_for("shakespeare", BODY, [url])
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.offline_default
    assert f"because the download failed: {server.host}: sha256 mismatch" in corpus.source
    assert leftovers(cache) == []


def test_loader_falls_back_with_the_reason_when_the_server_is_down(cache: Path) -> None:
    entry = entry_for("shakespeare", BODY, [closed_port_url()])
    corpus = data.shakespeare(entry=entry, max_chars=20_000)
    assert corpus.offline_default
    assert corpus.source.startswith("offline default instead of tiny-shakespeare")
    assert "because the download failed: 127.0.0.1" in corpus.source
    assert "refused" in corpus.source
    assert 0 < len(corpus.text) <= 20_000


@pytest.mark.parametrize(
    ("damage", "detail"),
    [(lambda b: b[:500], "truncated: 500 of"), (lambda b: b.upper(), "sha256")],
)
def test_corrupt_cache_entry_is_reported_and_replaced(
    cache: Path, server: FileServer, damage, detail: str
) -> None:
    url = server.add("/shakespeare.txt", BODY)
    entry = entry_for("shakespeare", BODY, [url])
    cache.mkdir(parents=True)
    (cache / entry.file).write_bytes(damage(BODY))
    corpus = data.shakespeare(entry=entry)
    assert "replacing a corrupt cached copy" in corpus.source
    assert detail in corpus.source
    assert not corpus.offline_default
    assert (cache / entry.file).read_bytes() == BODY


def test_corrupt_cache_without_network_is_removed_and_reported(cache: Path) -> None:
    entry = entry_for("shakespeare", BODY, [closed_port_url()])
    cache.mkdir(parents=True)
    (cache / entry.file).write_bytes(BODY[:100])
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.offline_default
    assert "the cached copy was corrupt (truncated: 100 of" in corpus.source
    assert not (cache / entry.file).exists()


def test_offline_env_never_touches_the_network(
    cache: Path, server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.add("/shakespeare.txt", BODY)
    entry = entry_for("shakespeare", BODY, [url])
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "1")
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.source.endswith("because RNNCOURSE_OFFLINE=1")
    assert server.hits("/shakespeare.txt") == 0
    # offline=False overrides the variable; then the hint appears once a copy is cached
    assert not data.shakespeare(entry=entry, offline=False).offline_default
    hinted = data.shakespeare(entry=entry, max_chars=5_000)
    assert hinted.offline_default
    assert "a cached tiny-shakespeare exists: pass offline=False" in hinted.source
