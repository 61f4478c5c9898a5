"""Safe extraction (no absolute paths, `..`, links or devices) and the IMDB loader end to end."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest
from test_data_support import Member, entry_for, fake_imdb, leftovers, make_tar

from rnncourse import data

pytestmark = pytest.mark.usefixtures("cache")

GOOD = [
    Member("pkg/", kind=tarfile.DIRTYPE),
    Member("pkg/a.txt", b"alpha"),
    Member("pkg/sub/b.txt", b"beta"),
    Member("pkg/skip.bin", b"left out"),
]

UNSAFE = {  # case: (members, what the refusal says)
    "parent": ([Member("pkg/ok.txt", b"ok"), Member("../evil.txt", b"owned")], "outside"),
    "nested parent": ([Member("pkg/../../evil.txt", b"owned")], "outside the destination"),
    "absolute": ([Member("{outside}/evil.txt", b"owned")], "absolute path '/"),
    "windows drive": ([Member("C:evil.txt", b"owned")], "absolute path 'C:evil.txt'"),
    "symlink": (
        [Member("pkg/link", kind=tarfile.SYMTYPE, linkname=".."), Member("pkg/link/evil.txt")],
        "link 'pkg/link' -> '..'",
    ),
    "inner symlink": (
        [Member("pkg/a.txt", b"a"), Member("pkg/b", kind=tarfile.SYMTYPE, linkname="a.txt")],
        "link 'pkg/b' -> 'a.txt'",
    ),
    "hard link": (
        [Member("pkg/hard", kind=tarfile.LNKTYPE, linkname="/etc/passwd")],
        "link 'pkg/hard' -> '/etc/passwd'",
    ),
    "char device": ([Member("pkg/tty", kind=tarfile.CHRTYPE)], "'pkg/tty' is a special file"),
    "block device": ([Member("pkg/disk", kind=tarfile.BLKTYPE)], "is a special file"),
    "fifo": ([Member("pkg/pipe", kind=tarfile.FIFOTYPE)], "'pkg/pipe' is a special file"),
}


def _unsafe(case: str, outside: Path) -> list[Member]:
    """Return the members of an UNSAFE case, absolute names placed under `outside`."""
    return [
        Member(m.name.replace("{outside}", str(outside)), m.data, m.kind, m.linkname)
        for m in UNSAFE[case][0]
    ]


def _write(folder: Path, members: list[Member]) -> Path:
    path = folder / "archive.tar.gz"
    path.write_bytes(make_tar(members))
    return path


def test_safe_extract_writes_only_the_included_files(tmp_path: Path) -> None:
    source = _write(tmp_path, [*GOOD, Member("./pkg//c.txt", b"gamma")])
    seen: list[str] = []
    count = data.safe_extract(
        source, tmp_path / "out", include=lambda name: seen.append(name) or name.endswith(".txt")
    )
    assert seen == ["pkg/a.txt", "pkg/sub/b.txt", "pkg/skip.bin", "pkg/c.txt"]  # names normalised
    assert count == 3
    assert (tmp_path / "out" / "pkg" / "sub" / "b.txt").read_bytes() == b"beta"
    assert (tmp_path / "out" / "pkg" / "c.txt").read_bytes() == b"gamma"
    assert [name for name in leftovers(tmp_path) if not name.endswith(".json")] == [
        "archive.tar.gz",
        "out",
        "out/pkg",
        "out/pkg/a.txt",
        "out/pkg/c.txt",
        "out/pkg/sub",
        "out/pkg/sub/b.txt",
    ]


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archives_are_refused_whole_and_write_nothing(tmp_path: Path, case: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    source = _write(work, _unsafe(case, tmp_path))
    target = work / "out"
    target.mkdir()
    (target / "previous.txt").write_text("kept")  # an earlier extraction stays untouched
    with pytest.raises(data.UnsafeArchiveError, match="^refusing archive.tar.gz: ") as refused:
        data.safe_extract(source, target)
    assert UNSAFE[case][1] in str(refused.value)
    assert leftovers(tmp_path) == [
        "work",
        "work/archive.tar.gz",
        "work/out",
        "work/out/previous.txt",
    ]


def test_an_unsafe_member_is_refused_even_when_not_included(tmp_path: Path) -> None:
    source = _write(tmp_path, [*GOOD, Member("other/../../evil.txt", b"owned")])
    with pytest.raises(data.UnsafeArchiveError, match="outside the destination"):
        data.safe_extract(source, tmp_path / "out", include=lambda name: name == "pkg/a.txt")
    assert leftovers(tmp_path) == ["archive.tar.gz"]


@pytest.mark.parametrize("cut", [60, 300])
def test_a_damaged_archive_raises_a_tar_error_and_leaves_nothing(tmp_path: Path, cut: int) -> None:
    source = tmp_path / "archive.tar.gz"
    source.write_bytes(make_tar(GOOD * 20)[:cut])
    with pytest.raises(tarfile.TarError):
        data.safe_extract(source, tmp_path / "out")
    assert leftovers(tmp_path) == ["archive.tar.gz"]


def _movie(text: str) -> int:
    return int(re.search(r"movie (\d+)", text)[1])


def test_imdb_is_downloaded_extracted_once_and_split_by_movie(cache: Path, server, capsys):
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
    stamp = (folder / "aclImdb" / "README").stat().st_mtime_ns
    server.stop()
    again = data.imdb(entry=entry)  # from the extracted folder: no network, no new extraction
    assert again.source.startswith("IMDB movie reviews (aclImdb v1) (cached): ")
    assert (folder / "aclImdb" / "README").stat().st_mtime_ns == stamp
    assert again.train[0] == train[0] and again.val[0] == val[0]
    small = data.imdb(entry=entry, max_examples=5)
    assert small.train[0] == train[0][:5] and small.test[0] == test[0][:5]


def test_imdb_incomplete_extraction_is_redone(cache: Path, server) -> None:
    body = fake_imdb(movies=10, test_reviews=2)
    entry = entry_for("imdb", body, [server.add("/a.tar.gz", body)])
    data.imdb(entry=entry)
    victim = next((cache / "aclImdb_v1" / "aclImdb" / "test" / "pos").iterdir())
    victim.unlink()
    redone = data.imdb(entry=entry)
    assert "(cached, extracted, replacing an incomplete extracted folder)" in redone.source
    assert victim.exists()


@pytest.mark.parametrize("case", ["parent", "symlink", "absolute", "char device"])
def test_imdb_with_an_unsafe_archive_falls_back(
    cache: Path, server, tmp_path: Path, case: str
) -> None:
    body = make_tar(_unsafe(case, tmp_path))
    entry = entry_for("imdb", body, [server.add("/aclImdb_v1.tar.gz", body)])
    result = data.imdb(entry=entry)
    assert result.offline_default
    assert result.class_names == ("female", "male")
    assert "because the archive could not be extracted: refusing aclImdb_v1.tar.gz" in result.source
    assert leftovers(cache) == ["aclImdb_v1.tar.gz"]  # verified download kept, nothing extracted
    assert leftovers(tmp_path) == ["cache", "cache/aclImdb_v1.tar.gz"]


def test_imdb_server_down_falls_back_to_labelled_names(closed_url: str) -> None:
    entry = entry_for("imdb", b"x", [closed_url])
    result = data.imdb(entry=entry, max_examples=50)
    assert result.offline_default
    assert "because the download failed: 127.0.0.1" in result.source
    assert [len(split[0]) for split in (result.train, result.val, result.test)] == [50, 50, 50]
