"""The registry file and `python -m rnncourse.data list | fetch | verify`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_data_support import fake_imdb, sha256

from rnncourse import data
from rnncourse.data import cli, registry

pytestmark = pytest.mark.usefixtures("cache")

BODY = b"To be, or not to be, that is the question:\n" * 100


def test_registry_lists_every_dataset_with_sources_and_offline_defaults() -> None:
    known = registry.entries()
    assert list(known) == [
        "shakespeare",
        "imdb",
        "english_prose",
        "baby_names",
        "weather",
        "hourly_temperatures",
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
    path.write_text(yaml.safe_dump({"version": 1, "datasets": datasets}))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sha256": "ABC"}, "tiny: sha256 must be 64 lowercase hex digits"),
        ({"urls": []}, "tiny: urls must list at least one mirror, each an http(s) URL"),
        ({"urls": ["ftp://example.org/x"]}, "tiny: urls.0 must be an http(s) URL"),
        ({"size_bytes": True}, "tiny: size_bytes must be the download's exact size"),
        ({"kind": "stream"}, "tiny: kind: 'stream' is not one of ['download', 'package']"),
        ({"offline_default": None}, "tiny: offline_default: None is not of type 'object'"),
        ({"sizes": {"fast": 0, "full": None}}, "tiny: sizes.fast must be a positive integer"),
        ({"sizes": {"fast": 10}}, "tiny: sizes: missing 'full' (must map exactly fast and full"),
        ({"mirrors": ["https://example.org/x"]}, "tiny: unknown field 'mirrors'; allowed: title,"),
        ({"licence": " "}, "tiny: licence must be a non-empty string"),
    ],
)
def test_a_malformed_registry_names_the_entry_and_the_field(
    tmp_path: Path, changes: dict, message: str
) -> None:
    changes = dict(changes)  # a copy: the parameter is shared between runs
    path = _registry_file(tmp_path, changes.pop("urls", ["https://example.org/x"]), **changes)
    with pytest.raises(data.RegistryError) as refused:
        data.entries(path)
    assert any(
        line.startswith(f"datasets.yaml: {message}") for line in str(refused.value).splitlines()
    )


def test_registry_rules_that_depend_on_the_kind(tmp_path: Path) -> None:
    raw = yaml.safe_load(registry.registry_path().read_text())
    del raw["datasets"]["imdb"]["offline_default"], raw["datasets"]["weather"]["package"]
    raw["datasets"]["stocks"]["offline_default"] = {"title": "x", "sizes": {"fast": 1, "full": 2}}
    raw["version"] = 2
    path = tmp_path / "datasets.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(data.RegistryError) as refused:
        data.entries(path)
    assert str(refused.value).splitlines() == [
        "datasets.yaml: imdb: missing 'offline_default' "
        "(a download needs urls, sha256, size_bytes and an offline_default)",
        "datasets.yaml: stocks: offline_default: missing 'description', 'licence'",
        "datasets.yaml: weather: missing 'package' (a package entry must name its package)",
        "datasets.yaml: registry: version must be 1",
    ]
    path.write_text("datasets: [unclosed")
    with pytest.raises(data.RegistryError, match="datasets.yaml is not valid YAML"):
        data.entries(path)


def test_list_prints_the_registry(capsys) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for entry in registry.entries().values():
        assert f"{entry.name}: {entry.title}" in out
        for url in entry.urls:
            assert url in out
    assert "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed" in out
    assert "offline default: Python standard-library source" in out


def test_fetch_then_verify(cache: Path, server, closed_url: str, tmp_path: Path, capsys) -> None:
    archive = fake_imdb(movies=4, test_reviews=2)
    imdb = (server.add("/aclImdb_v1.tar.gz", archive), archive)
    path = _registry_file(tmp_path, [closed_url, server.add("/t.txt", BODY)], imdb=imdb)
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
    next((cache / "aclImdb_v1" / "aclImdb" / "test" / "pos").iterdir()).unlink()
    assert cli.main(["--registry", str(path), "verify"]) == 1
    assert "reviews: extracted folder aclImdb_v1 INCOMPLETE" in capsys.readouterr().out


def test_fetch_failure_exits_non_zero_with_every_mirror(
    cache: Path, closed_url: str, tmp_path: Path, capsys
) -> None:
    path = _registry_file(tmp_path, [f"{closed_url}/a", f"{closed_url}/b"])
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
