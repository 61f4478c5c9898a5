"""Downloads through the loaders, against a local server: cache, hashes, mirrors, fallbacks."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from test_data_support import entry_for, leftovers

from rnncourse import data
from rnncourse.data import fetch

pytestmark = pytest.mark.usefixtures("cache")

BODY = b"First Citizen:\nBefore we proceed any further, hear me speak.\n" * 200
SIZE = len(BODY)
FALLBACK = "offline default instead of tiny-shakespeare: Python standard-library source"


def test_download_then_cache_one_line_each_and_nothing_on_stderr(cache: Path, server, capfd):
    entry = entry_for("shakespeare", BODY, [server.add("/shakespeare.txt", BODY)])
    first = data.shakespeare(entry=entry)
    assert first.source.startswith(f"tiny-shakespeare (downloaded from {server.host}): train ")
    assert leftovers(cache) == ["tinyshakespeare.txt"]  # no temporary file left behind
    assert (cache / entry.file).read_bytes() == BODY
    server.stop()  # the second call must not need the network
    second = data.shakespeare(entry=entry)
    assert second.source.startswith("tiny-shakespeare (cached): train ")
    assert second.text == first.text == BODY.decode()
    out, err = capfd.readouterr()
    assert out.splitlines() == [first.source, second.source]  # no bar: nobody watches
    assert err == ""  # pooch's log stays quiet


def test_wrong_bytes_are_refused_and_never_cached(cache: Path, server, capsys) -> None:
    url = server.add("/shakespeare.txt", BODY.replace(b"speak", b"sneak"))  # same size
    corpus = data.shakespeare(entry=entry_for("shakespeare", BODY, [url]), max_chars=5_000)
    assert corpus.offline_default and corpus.source.startswith(FALLBACK)
    assert corpus.source.endswith(
        f"because the download failed: {server.host}: sha256 mismatch: the mirror served other bytes"
    )
    assert capsys.readouterr().out.splitlines() == [corpus.source]
    assert server.hits("/shakespeare.txt") == 1  # wrong bytes are not fetched again
    assert leftovers(cache) == []


def test_server_down_falls_back_with_the_reason_in_one_line(closed_url: str, capsys) -> None:
    entry = entry_for("shakespeare", BODY, [f"{closed_url}/a", f"{closed_url}/b"])
    corpus = data.shakespeare(entry=entry, max_chars=20_000)
    host = closed_url.removeprefix("http://")
    assert corpus.offline_default and corpus.source.startswith(FALLBACK)
    assert corpus.source.endswith(
        f"because the download failed: {host}: Connection refused; {host}: Connection refused"
    )
    assert capsys.readouterr().out.splitlines() == [corpus.source]
    assert 0 < len(corpus.text) <= 20_000


def test_mirrors_are_tried_in_order(server, closed_url: str) -> None:
    missing = f"http://{server.host}/missing.txt"  # not served: HTTP 404, not retried
    later = server.add("/later.txt", BODY)
    good = server.add("/good.txt", BODY)
    entry = entry_for("shakespeare", BODY, [f"{closed_url}/x", missing, good, later])
    corpus = data.shakespeare(entry=entry)
    assert corpus.source.startswith(f"tiny-shakespeare (downloaded from {server.host})")
    assert corpus.text == BODY.decode()
    assert (server.hits("/missing.txt"), server.hits("/good.txt"), server.hits("/later.txt")) == (
        1,
        1,
        0,
    )


def test_a_transient_failure_is_tried_once_more(cache: Path, server) -> None:
    flaky = entry_for("shakespeare", BODY, [server.add("/flaky.txt", BODY, fail_first=1)])
    assert not data.shakespeare(entry=flaky).offline_default
    assert server.hits("/flaky.txt") == 2
    (cache / flaky.file).unlink()
    down = entry_for("shakespeare", BODY, [server.add("/down.txt", BODY, fail_first=9)])
    corpus = data.shakespeare(entry=down, max_chars=5_000)
    assert corpus.source.endswith(f"{server.host}: HTTP 503 Service Unavailable (2 tries)")
    assert server.hits("/down.txt") == 2


def test_a_server_that_stalls_times_out_and_falls_back(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT_S", 0.2)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/shakespeare.txt"
        corpus = data.shakespeare(entry=entry_for("shakespeare", BODY, [url]), max_chars=5_000)
    assert corpus.offline_default
    assert corpus.source.endswith(": timed out after 0.2 s (2 tries)")
    assert leftovers(cache) == []


def test_a_transfer_cut_short_is_retried_then_refused(cache: Path, server) -> None:
    url = server.add("/short.txt", BODY[:1000], declared_length=len(BODY))
    corpus = data.shakespeare(entry=entry_for("shakespeare", BODY, [url]), max_chars=5_000)
    assert corpus.offline_default
    assert corpus.source.endswith(f"{server.host}: transfer cut short (2 tries)")
    assert leftovers(cache) == []


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        (lambda b: b[:500], f"truncated: 500 of {SIZE:,} bytes"),
        (lambda b: b + b"!", f"wrong size: {SIZE + 1:,} of {SIZE:,} bytes"),
        (lambda b: b.upper(), "sha256 "),
    ],
)
def test_a_corrupt_or_truncated_cached_copy_is_replaced(
    cache: Path, server, damage, detail: str
) -> None:
    entry = entry_for("shakespeare", BODY, [server.add("/shakespeare.txt", BODY)])
    cache.mkdir()
    (cache / entry.file).write_bytes(damage(BODY))
    corpus = data.shakespeare(entry=entry)
    assert not corpus.offline_default
    assert corpus.source.startswith(
        f"tiny-shakespeare (downloaded from {server.host}, replacing a corrupt cached copy "
        f"({detail}"
    )
    assert (cache / entry.file).read_bytes() == BODY


def test_a_corrupt_cached_copy_without_network_is_removed_and_reported(
    cache: Path, closed_url: str
) -> None:
    entry = entry_for("shakespeare", BODY, [closed_url])
    cache.mkdir()
    (cache / entry.file).write_bytes(BODY[:100])
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.offline_default
    assert (
        f"because the cached copy was corrupt (truncated: 100 of {SIZE:,} bytes) and was removed; "
        "the download failed: 127.0.0.1" in corpus.source
    )
    assert not (cache / entry.file).exists()


def test_an_unusable_cache_folder_is_the_reason(
    tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(blocker))
    entry = entry_for("shakespeare", BODY, [server.add("/shakespeare.txt", BODY)])
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.offline_default
    assert corpus.source.endswith(
        f"because the cache folder {blocker} is not usable: Not a directory"
    )


def test_offline_never_touches_the_network(server, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = entry_for("shakespeare", BODY, [server.add("/shakespeare.txt", BODY)])
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "1")
    corpus = data.shakespeare(entry=entry, max_chars=5_000)
    assert corpus.source.endswith("because RNNCOURSE_OFFLINE=1")
    assert server.hits("/shakespeare.txt") == 0
    # offline=False overrides the variable; then the hint appears once a copy is cached
    assert not data.shakespeare(entry=entry, offline=False).offline_default
    hinted = data.shakespeare(entry=entry, max_chars=5_000)
    assert hinted.offline_default
    assert hinted.source.endswith(
        "because RNNCOURSE_OFFLINE=1 (a cached tiny-shakespeare exists: pass offline=False to use it)"
    )


def test_progress_bar_goes_to_stdout_in_a_terminal_never_to_stderr(
    server, capfd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    entry = entry_for("shakespeare", BODY, [server.add("/shakespeare.txt", BODY)])
    corpus = data.shakespeare(entry=entry)
    out, err = capfd.readouterr()
    assert "\rtinyshakespeare.txt:   0%|" in out  # the bar: file name, then percent done
    assert out.rstrip("\n").endswith(corpus.source)
    assert err == ""


def test_no_progress_bar_for_a_mirror_that_cannot_be_reached(
    server, closed_url: str, capfd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    refused = f"{closed_url}/shakespeare.txt"
    entry = entry_for("shakespeare", BODY, [refused, server.add("/shakespeare.txt", BODY)])
    corpus = data.shakespeare(entry=entry)
    out, err = capfd.readouterr()
    assert "\rtinyshakespeare.txt:   0%|" in out and err == ""  # the second mirror's bar
    assert not corpus.offline_default
    fetch.cache_path(entry).unlink()  # so that the next call must download again
    unreachable = entry_for("shakespeare", BODY, [refused])
    fallback = data.shakespeare(entry=unreachable, offline=False)
    out, err = capfd.readouterr()
    assert fallback.offline_default
    assert "%|" not in out and err == ""  # no bar at all when no server answered
