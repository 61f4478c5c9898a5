"""The registry file and `python -m rnncourse.data list | fetch | verify`."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_data_support import (
    FileServer,
    closed_port_url,
    fake_imdb,
    isolate_cache,
    sha256,
)

from rnncourse.data import cli, registry
from rnncourse.data.registry import RegistryError


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets an empty temporary cache (returned), online, full mode, quick retries."""
    return isolate_cache(monkeypatch, tmp_path)


@pytest.fixture
def server() -> Iterator[FileServer]:
    """A running local file server, stopped after the test."""
    with FileServer() as running:
        yield running


BODY = b"To be, or not to be, that is the question:\n" * 100


def test_registry_lists_every_dataset_with_sources_and_offline_defaults() -> None:
    known = registry.entries()
    assert list(known) == [
        "shakespeare",
        "imdb",
        "english_prose",
        "baby_names",
        "weather",
        "stocks",
    ]
    for entry in known.values():
        assert entry.description and entry.licence and entry.homepage.startswith("https://")
        if entry.downloadable:
            assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256 or "")
            assert entry.urls and all(url.startswith("https://") for url in entry.urls)
            assert entry.offline_default is not None
    shakespeare = known["shakespeare"]
    assert shakespeare.size_bytes == 1_115_394
    assert shakespeare.sha256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
    assert len(shakespeare.urls) == 2
    assert known["imdb"].sha256.startswith("c40f74a18d3b")


def _registry_file(
    tmp_path: Path,
    urls: list[str],
    body: bytes = BODY,
    imdb: tuple[str, bytes] | None = None,
    **changes: object,
) -> Path:
    """Write a registry holding "tiny" (served at `urls`), "names" and, if given, "reviews"."""
    raw = yaml.safe_load(registry.registry_path().read_text())
    tiny = raw["datasets"]["shakespeare"] | {
        "urls": urls,
        "sha256": sha256(body),
        "size_bytes": len(body),
        **changes,
    }
    datasets = {"tiny": tiny, "names": raw["datasets"]["baby_names"]}
    if imdb:
        imdb_url, archive = imdb
        datasets["reviews"] = raw["datasets"]["imdb"] | {
            "urls": [imdb_url],
            "sha256": sha256(archive),
            "size_bytes": len(archive),
        }
    path = tmp_path / "datasets.yaml"
    path.write_text(yaml.safe_dump({"datasets": datasets}))
    return path


def test_malformed_registry_names_the_field(tmp_path: Path) -> None:
    path = _registry_file(tmp_path, ["https://example.org/x"], sha256="abc")
    with pytest.raises(RegistryError, match="tiny: sha256 must be 64"):
        registry.entries(path)


def test_list_prints_the_registry(capsys) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for entry in registry.entries().values():
        assert f"{entry.name}: {entry.title}" in out
        for url in entry.urls:
            assert url in out
    assert "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed" in out
    assert "offline default: Python standard-library source" in out


def test_fetch_then_verify(cache: Path, server: FileServer, tmp_path: Path, capsys) -> None:
    archive = fake_imdb(movies=4, test_reviews=2)
    imdb = (server.add("/aclImdb_v1.tar.gz", archive), archive)
    path = _registry_file(tmp_path, [closed_port_url(), server.add("/t.txt", BODY)], imdb=imdb)
    assert cli.main(["--registry", str(path), "fetch", "--all"]) == 0
    out = capsys.readouterr().out
    assert f"tiny: downloaded from {server.host}" in out
    assert "names: nothing to download" in out
    assert f"reviews: downloaded from {server.host}, extracted -> " in out
    assert (cache / "tinyshakespeare.txt").read_bytes() == BODY
    assert (cache / "aclImdb_v1" / "aclImdb" / "test" / "pos" / "1_8.txt").is_file()
    assert cli.main(["--registry", str(path), "fetch", "tiny"]) == 0
    assert "tiny: cached" in capsys.readouterr().out
    assert cli.main(["--registry", str(path), "verify"]) == 0
    out = capsys.readouterr().out
    assert "tiny: ok, tinyshakespeare.txt sha256 verified" in out
    assert "reviews: extracted folder aclImdb_v1 complete" in out
    (cache / "tinyshakespeare.txt").write_bytes(BODY[:-1] + b"?")
    assert cli.main(["--registry", str(path), "verify"]) == 1
    assert "tiny: CORRUPT tinyshakespeare.txt: sha256" in capsys.readouterr().out
    assert cli.main(["--registry", str(path), "verify", "--fix"]) == 1
    assert not (cache / "tinyshakespeare.txt").exists()
    assert cli.main(["--registry", str(path), "verify"]) == 0
    assert "tiny: not cached" in capsys.readouterr().out


def test_fetch_failure_exits_non_zero_with_every_mirror(
    cache: Path, tmp_path: Path, capsys
) -> None:
    first, second = closed_port_url("/a"), closed_port_url("/b")
    path = _registry_file(tmp_path, [first, second])
    assert cli.main(["--registry", str(path), "fetch", "tiny"]) == 1
    err = capsys.readouterr().err
    assert "tiny: FAILED: the download failed:" in err
    assert err.count("refused") == 2
    assert not cache.exists() or not any(cache.iterdir())


def test_fetch_refuses_when_offline(
    cache: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "1")
    assert cli.main(["fetch", "shakespeare"]) == 1
    assert "unset RNNCOURSE_OFFLINE" in capsys.readouterr().err


def test_fetch_unknown_name_lists_the_choices(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["fetch", "mnist"])
    assert stopped.value.code == 2
    assert "choose from: shakespeare, imdb, english_prose" in capsys.readouterr().err


def test_module_entry_point_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.data", "list"],
        capture_output=True,
        text=True,
        env={"RNNCOURSE_DATA_CACHE": str(tmp_path), "PATH": "", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"data cache: {tmp_path}" in done.stdout
