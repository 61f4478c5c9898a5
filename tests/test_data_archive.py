"""Safe extraction (no absolute paths, `..`, links or devices) and the IMDB loader end to end."""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_data_support import (
    FileServer,
    Member,
    closed_port_url,
    entry_for,
    fake_imdb,
    isolate_cache,
    leftovers,
    make_tar,
)

from rnncourse import data
from rnncourse.data import archive, cli
from rnncourse.data.archive import UnsafeArchiveError, safe_extract


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test gets an empty temporary cache (returned), online, full mode, quick retries."""
    return isolate_cache(monkeypatch, tmp_path)


@pytest.fixture
def server() -> Iterator[FileServer]:
    """A running local file server, stopped after the test."""
    with FileServer() as running:
        yield running


GOOD = [
    Member("pkg/", kind=tarfile.DIRTYPE),
    Member("pkg/a.txt", b"alpha"),
    Member("pkg/sub/b.txt", b"beta"),
    Member("pkg/skip.bin", b"left out"),
]

UNSAFE = {
    "parent": [Member("pkg/ok.txt", b"ok"), Member("../evil.txt", b"owned")],
    "nested parent": [Member("pkg/../../evil.txt", b"owned")],
    "absolute": [Member("{outside}/evil.txt", b"owned")],  # {outside}: the test's tmp_path
    "windows parent": [Member("..\\evil.txt", b"owned")],
    "windows drive": [Member("C:evil.txt", b"owned")],
    "symlink": [
        Member("pkg/link", kind=tarfile.SYMTYPE, linkname=".."),
        Member("pkg/link/evil.txt", b"owned"),
    ],
    "hard link": [Member("pkg/hard", kind=tarfile.LNKTYPE, linkname="/etc/passwd")],
    "char device": [Member("pkg/tty", kind=tarfile.CHRTYPE)],
    "block device": [Member("pkg/disk", kind=tarfile.BLKTYPE)],
    "fifo": [Member("pkg/pipe", kind=tarfile.FIFOTYPE)],
}


def _unsafe(case: str, outside: Path) -> list[Member]:
    """Return the members of an UNSAFE case, absolute names placed under `outside`."""
    return [
        Member(m.name.replace("{outside}", str(outside)), m.data, m.kind, m.linkname)
        for m in UNSAFE[case]
    ]


def _write(tmp_path: Path, members: list[Member]) -> Path:
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(make_tar(members))
    return path


def test_safe_extract_writes_the_included_files_and_a_manifest(tmp_path: Path) -> None:
    source = _write(tmp_path, GOOD)
    target = tmp_path / "out"
    count = safe_extract(
        source, target, include=lambda name: name.endswith(".txt"), manifest={"id": 1}
    )
    assert count == 2
    assert (target / "pkg" / "a.txt").read_bytes() == b"alpha"
    assert (target / "pkg" / "sub" / "b.txt").read_bytes() == b"beta"
    assert not (target / "pkg" / "skip.bin").exists()
    assert archive.read_manifest(target) == {"id": 1, "files": 2}
    assert leftovers(tmp_path) == sorted(
        ["archive.tar.gz", "out", f"out/{archive.MANIFEST}", "out/pkg", "out/pkg/a.txt"]
        + ["out/pkg/sub", "out/pkg/sub/b.txt"]
    )


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archives_are_refused_and_write_nothing(tmp_path: Path, case: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = _write(work, _unsafe(case, tmp_path))
    target = work / "out"
    target.mkdir()
    (target / "previous.txt").write_text("kept")  # an earlier extraction stays untouched
    with pytest.raises(UnsafeArchiveError, match="refusing archive.tar.gz"):
        safe_extract(source, target)
    assert leftovers(tmp_path) == [
        "work",
        "work/archive.tar.gz",
        "work/out",
        "work/out/previous.txt",
    ]


def test_dot_slash_names_are_normalised(tmp_path: Path) -> None:
    source = _write(tmp_path, [Member("./pkg//a.txt", b"alpha"), Member("./other.txt", b"x")])
    seen: list[str] = []
    count = safe_extract(source, tmp_path / "out", include=lambda n: seen.append(n) or "pkg" in n)
    assert seen == ["pkg/a.txt", "other.txt"] and count == 1
    assert (tmp_path / "out" / "pkg" / "a.txt").read_bytes() == b"alpha"


@pytest.mark.parametrize("cut", [60, 300])
def test_truncated_archives_raise_tar_errors(tmp_path: Path, cut: int) -> None:
    source = tmp_path / "archive.tar.gz"
    source.write_bytes(make_tar(GOOD * 20)[:cut])
    with pytest.raises(tarfile.TarError):
        safe_extract(source, tmp_path / "out")
    assert leftovers(tmp_path) == ["archive.tar.gz"]


def test_unsafe_member_is_refused_even_when_not_included(tmp_path: Path) -> None:
    source = _write(tmp_path, [*GOOD, Member("other/../../evil.txt", b"owned")])
    with pytest.raises(UnsafeArchiveError, match="parent reference"):
        safe_extract(source, tmp_path / "out", include=lambda name: name == "pkg/a.txt")
    assert not (tmp_path / "out").exists()


def test_a_damaged_archive_raises_and_leaves_no_staging_folder(tmp_path: Path) -> None:
    source = tmp_path / "archive.tar.gz"
    source.write_bytes(make_tar(GOOD)[:60])
    with pytest.raises(tarfile.TarError):
        safe_extract(source, tmp_path / "out")
    assert leftovers(tmp_path) == ["archive.tar.gz"]


def _movie(text: str) -> int:
    return int(re.search(r"movie (\d+)", text)[1])


def test_imdb_from_a_local_server(cache: Path, server: FileServer, capsys) -> None:
    body = fake_imdb(movies=60, test_reviews=8)
    entry = entry_for("imdb", body, [server.add("/aclImdb_v1.tar.gz", body)])
    reviews = data.imdb(entry=entry)
    assert reviews.source.startswith(
        f"IMDB movie reviews (aclImdb v1) (downloaded from {server.host}, extracted)"
    )
    assert capsys.readouterr().out.splitlines() == [reviews.source]
    assert reviews.class_names == ("negative", "positive")
    train, val, test = reviews.train, reviews.val, reviews.test
    assert len(train[0]) + len(val[0]) == 120 and len(test[0]) == 16
    assert len(val[0]) > 0
    for texts, labels in (train, val, test):
        assert labels.dtype.kind == "i" and len(texts) == len(labels)
        for text, label in zip(texts, labels, strict=True):
            assert (" pos " in f" {text} ") == (label == 1)  # label matches the folder
    assert all(text.startswith("test ") for text in test[0])
    assert not {_movie(t) for t in train[0]} & {_movie(t) for t in val[0]}  # split by movie
    assert len(set(train[0]) | set(val[0]) | set(test[0])) == 136  # every review once
    folder = cache / "aclImdb_v1"
    assert not (folder / "aclImdb" / "train" / "unsup").exists()  # unlabelled files left out
    server.stop()
    again = data.imdb(entry=entry)  # from the extracted folder, no network
    assert again.source.startswith("IMDB movie reviews (aclImdb v1) (cached)")
    assert again.train[0] == train[0] and again.val[0] == val[0]
    small = data.imdb(entry=entry, max_examples=5)
    assert small.train[0] == train[0][:5] and small.test[0] == test[0][:5]


def test_imdb_incomplete_extraction_is_redone(cache: Path, server: FileServer, capsys) -> None:
    body = fake_imdb(movies=10, test_reviews=2)
    entry = entry_for("imdb", body, [server.add("/a.tar.gz", body)])
    data.imdb(entry=entry)
    victim = next((cache / "aclImdb_v1" / "aclImdb" / "test" / "pos").iterdir())
    victim.unlink()
    assert cli._verify({"imdb": entry}, fix=False) == 1
    assert "INCOMPLETE" in capsys.readouterr().out
    redone = data.imdb(entry=entry)
    assert "(cached, extracted, replacing an incomplete extracted folder)" in redone.source
    assert victim.exists()


@pytest.mark.parametrize("case", ["parent", "symlink", "absolute"])
def test_imdb_with_an_unsafe_archive_falls_back(
    cache: Path, server: FileServer, tmp_path: Path, case: str
) -> None:
    body = make_tar(_unsafe(case, tmp_path))
    entry = entry_for("imdb", body, [server.add("/aclImdb_v1.tar.gz", body)])
    result = data.imdb(entry=entry)
    assert result.offline_default
    assert result.class_names == ("female", "male")
    assert "because the archive could not be extracted: refusing aclImdb_v1.tar.gz" in result.source
    assert leftovers(cache) == ["aclImdb_v1.tar.gz"]  # verified download kept, nothing extracted
    assert leftovers(tmp_path) == ["cache", "cache/aclImdb_v1.tar.gz"]


def test_imdb_server_down_falls_back_to_labelled_names(cache: Path) -> None:
    entry = entry_for("imdb", b"x", [closed_port_url()])
    result = data.imdb(entry=entry, max_examples=50)
    assert result.offline_default
    assert "because the download failed: 127.0.0.1" in result.source
    assert [len(split[0]) for split in (result.train, result.val, result.test)] == [50, 50, 50]
