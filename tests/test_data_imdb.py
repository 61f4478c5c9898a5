"""IMDB installed from a local archive (`fetch imdb --from`), and `data.imdb()` on damaged folders.

Small aclImdb-shaped archives (REVIEWS_PER_FOLDER lowered to match) test every path quickly; the
real reviews come from ../shared/data/aclImdb_labelled.tar.gz, installed once per session by the
`imdb_cache` fixture (skipped, with the reason, when the shared data is absent).
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from test_data_support import Member, entry_for, leftovers, make_tar, sha256

from rnncourse import data
from rnncourse.data import cli, registry, reviews
from rnncourse.data.archive import MANIFEST

PER_FOLDER = 40  # reviews in each of train/test x pos/neg of the small archives
FILES = 4 * PER_FOLDER + 2 + 1  # reviews, train/urls_{pos,neg}.txt, README
EMPTY, MARKUP = "aclImdb/train/pos/3_8.txt", "aclImdb/test/neg/5_3.txt"
OFFICIAL_SHA = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"


def _movie_url(sub: str, i: int) -> str:
    return f"http://www.imdb.com/title/tt{(0 if sub == 'pos' else 5000) + i // 2:07d}/usercomments"


def small_imdb(
    drop: tuple[str, ...] = (),
    texts: dict[str, bytes] | None = None,
    urls: int = PER_FOLDER,
    top: str = "aclImdb",
) -> bytes:
    """Return an aclImdb-shaped tar.gz with PER_FOLDER reviews per folder, two per train movie.

    A review says its split, label and movie ("train pos movie tt0000003 review 7"); `texts`
    replaces some (by member name), members starting with a prefix in `drop` are left out, and
    the urls files list `urls` movies; `top` renames the aclImdb folder. An unsup/ folder, a
    .feat file, imdb.vocab and test urls are there to be left out, as in the official archive.
    """
    members = [Member("aclImdb/", kind=tarfile.DIRTYPE), Member("aclImdb/README", b"readme")]
    members.append(Member("aclImdb/imdb.vocab", b"the\nand\n"))
    for sub, rating in (("pos", 8), ("neg", 3)):
        lines = "".join(f"{_movie_url(sub, i)}\n" for i in range(urls))
        members.append(Member(f"aclImdb/train/urls_{sub}.txt", lines.encode()))
        members.append(Member(f"aclImdb/test/urls_{sub}.txt", lines.encode()))
        for part in ("train", "test"):
            members.append(Member(f"aclImdb/{part}/{sub}/", kind=tarfile.DIRTYPE))
            for i in range(PER_FOLDER):
                movie = re.search(r"tt\d+", _movie_url(sub, i))[0]
                text = f"{part} {sub} movie {movie} review {i} <br /><br />And more."
                members.append(Member(f"aclImdb/{part}/{sub}/{i}_{rating}.txt", text.encode()))
    members.append(Member("aclImdb/train/unsup/0_0.txt", b"unlabelled"))
    members.append(Member("aclImdb/train/labeledBow.feat", b"0:1"))
    texts = texts or {}
    assert set(texts) <= {member.name for member in members}, "texts names an absent member"
    for member in members:
        member.data = texts.get(member.name, member.data)
        member.name = top + member.name.removeprefix("aclImdb")
    return make_tar([m for m in members if not m.name.startswith(drop) or m.name == "aclImdb/"])


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the layout check expect PER_FOLDER reviews per folder instead of 12,500."""
    monkeypatch.setattr(reviews, "REVIEWS_PER_FOLDER", PER_FOLDER)


def _write(folder: Path, body: bytes, name: str = "my_imdb.tar.gz") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    return path


def _manifest(cache: Path) -> dict:
    return json.loads((cache / "aclImdb_v1" / MANIFEST).read_text())


def _movie(text: str) -> str:
    return re.search(r"movie (tt\d+)", text)[1]


@pytest.mark.usefixtures("small")
def test_a_repack_is_installed_and_read_with_no_network(cache: Path, tmp_path: Path, capsys):
    body = small_imdb(texts={EMPTY: b"", MARKUP: b"<br /><br />"})
    path = _write(tmp_path / "elsewhere", body)
    line = reviews.install_imdb(path)
    assert line == (
        f"installed {FILES} files from my_imdb.tar.gz (sha256 {sha256(body)[:12]}..., "
        f"layout checked) into {cache / 'aclImdb_v1'}"
    )
    assert _manifest(cache) == {
        "dataset": "imdb",
        "entry_sha256": OFFICIAL_SHA,  # the registry's check is unchanged ...
        "archive_sha256": sha256(body),  # ... and the file's own hash is recorded beside it
        "archive_name": "my_imdb.tar.gz",
        "archive_path": str(path),
        "origin": reviews.BY_HAND,
        "files": FILES,
    }
    kept = leftovers(cache / "aclImdb_v1")
    assert sum((cache / "aclImdb_v1" / name).is_file() for name in kept) == FILES + 1  # manifest
    assert "aclImdb/train/unsup" not in kept and "aclImdb/imdb.vocab" not in kept
    assert "aclImdb/test/urls_pos.txt" not in kept and "aclImdb/train/labeledBow.feat" not in kept
    assert leftovers(cache) == ["aclImdb_v1", *(f"aclImdb_v1/{name}" for name in kept)]
    assert not (cache / "aclImdb_v1.tar.gz").exists()  # not the official file: not the download
    capsys.readouterr()

    result = data.imdb()
    assert capsys.readouterr().out.splitlines() == [result.source]
    assert result.source.startswith(
        "IMDB movie reviews (aclImdb v1) (cached, installed from my_imdb.tar.gz): train "
    )
    assert not result.offline_default and result.class_names == ("negative", "positive")
    train, val, test = result.train, result.val, result.test
    assert len(test[0]) == 2 * PER_FOLDER and len(train[0]) + len(val[0]) == 2 * PER_FOLDER
    assert len(val[0]) > 0 and len(train[0]) > len(val[0])
    for texts, labels in (train, val, test):
        assert labels.dtype.kind == "i" and sorted(set(labels.tolist())) == [0, 1]
        for text, label in zip(texts, labels, strict=True):
            if text not in ("", "<br /><br />"):
                assert text.split()[1] == ("neg", "pos")[label]
    assert all(text == "<br /><br />" or text.startswith("test ") for text in test[0])
    movies = {split: {_movie(t) for t in result.split(split)[0] if t} for split in ("train", "val")}
    assert not movies["train"] & movies["val"]  # split by movie
    # an empty review and a markup-only review come back as they are, with their labels
    assert list(test[0]).count("<br /><br />") == 1
    assert test[1][list(test[0]).index("<br /><br />")] == 0
    train_val = list(train[0]) + list(val[0])
    assert train_val.count("") == 1
    assert [*train[1], *val[1]][train_val.index("")] == 1


@pytest.mark.usefixtures("small")
def test_the_official_archive_is_also_kept_as_the_verified_download(
    cache: Path, tmp_path: Path, closed_url: str
) -> None:
    body = small_imdb()
    entry = entry_for("imdb", body, [closed_url])  # as if `body` were aclImdb_v1.tar.gz
    line = reviews.install_imdb(_write(tmp_path, body, "aclImdb_v1.tar.gz"), entry)
    assert line.endswith(f"; kept as the verified download {entry.file}")
    assert (cache / "aclImdb_v1.tar.gz").read_bytes() == body
    assert _manifest(cache)["entry_sha256"] == _manifest(cache)["archive_sha256"] == sha256(body)
    shutil.rmtree(cache / "aclImdb_v1" / "aclImdb" / "test" / "pos")
    redone = data.imdb(entry=entry)  # damaged: re-extracted from the cached download
    assert "(cached, extracted, replacing an incomplete extracted folder): " in redone.source
    assert len(redone.test[0]) == 2 * PER_FOLDER
    assert not redone.offline_default


def _unlink_one(folder: Path) -> None:
    (folder / "aclImdb" / "train" / "neg" / "4_3.txt").unlink()


def _add_one(folder: Path) -> None:
    (folder / "aclImdb" / "test" / "pos" / "99_9.txt").write_text("stray")


def _drop_pos(folder: Path) -> None:
    shutil.rmtree(folder / "aclImdb" / "train" / "pos")


def _dangling(folder: Path) -> None:
    """Make one review unreadable without changing the file count (root reads any mode)."""
    review = folder / "aclImdb" / "test" / "neg" / "7_3.txt"
    review.unlink()
    review.symlink_to(folder / "nowhere.txt")


def _folder_for_file(folder: Path) -> None:
    """Replace a review by a folder holding one file: same count, but it cannot be read."""
    review = folder / "aclImdb" / "train" / "pos" / "6_8.txt"
    review.unlink()
    review.mkdir()
    (review / "inside.txt").write_text("x")


def _no_manifest(folder: Path) -> None:
    (folder / MANIFEST).unlink()


def _bad_manifest(folder: Path) -> None:
    (folder / MANIFEST).write_text("[1, 2]")


DAMAGE = {
    "a review deleted": (_unlink_one, f"it holds {FILES - 1} files instead of {FILES}"),
    "a file added": (_add_one, f"it holds {FILES + 1} files instead of {FILES}"),
    "a pos folder deleted": (_drop_pos, f"it holds {FILES - PER_FOLDER} files instead of {FILES}"),
    "a review unreadable (dangling link)": (_dangling, "an extracted review could not be read"),
    "a review unreadable (a folder)": (_folder_for_file, "an extracted review could not be read"),
}
NO_MANIFEST = {
    "manifest missing": _no_manifest,
    "manifest not a dict": _bad_manifest,
}


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_install_is_installed_again_from_its_file(
    cache: Path, tmp_path: Path, capsys, case: str
) -> None:
    path = _write(tmp_path, small_imdb())
    reviews.install_imdb(path)
    first = data.imdb()
    damage, problem = DAMAGE[case]
    damage(cache / "aclImdb_v1")
    state = "a damaged" if "could not be read" in problem else "an incomplete"
    capsys.readouterr()
    redone = data.imdb()
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [redone.source] and captured.err == ""
    assert redone.source.startswith(
        "IMDB movie reviews (aclImdb v1) (re-installed from my_imdb.tar.gz, "
        f"replacing {state} extracted folder): "
    )
    assert redone.train[0] == first.train[0] and redone.test[0] == first.test[0]
    assert reviews.extraction_complete(cache / "aclImdb_v1", registry.get("imdb"))
    assert data.imdb().source.startswith("IMDB movie reviews (aclImdb v1) (cached, installed")


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("case", [*DAMAGE, *NO_MANIFEST])
def test_a_damaged_install_without_its_file_falls_back_with_the_reason(
    cache: Path, tmp_path: Path, capsys, case: str
) -> None:
    path = _write(tmp_path, small_imdb())
    reviews.install_imdb(path)
    if case in DAMAGE:  # the file it came from is gone: nothing to re-install from
        path.unlink()
        damage, problem = DAMAGE[case]
    else:  # no manifest: nobody knows where the files came from
        damage, problem = NO_MANIFEST[case], "its manifest is missing or unreadable"
    state = "damaged" if "could not be read" in problem else "incomplete"
    damage(cache / "aclImdb_v1")
    capsys.readouterr()
    result = data.imdb()  # every review is read (a cap could skip the unreadable one)
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [result.source] and captured.err == ""
    assert result.offline_default and result.class_names == ("female", "male")
    assert f"because the extracted folder aclImdb_v1 is {state} ({problem}" in result.source
    assert "and the download failed: ai.stanford.edu" in result.source  # tried, and no network
    assert len(result.train[0]) > 4000  # the offline default's names, all of them (full mode)


BAD = {
    "test/neg missing": (
        dict(drop=("aclImdb/test/neg/",)),
        "does not hold the IMDB reviews in the aclImdb layout: aclImdb/test/neg/ is missing",
    ),
    "train/pos and urls_neg missing": (
        dict(drop=("aclImdb/train/pos/", "aclImdb/train/urls_neg")),
        "layout: aclImdb/train/pos/ is missing; aclImdb/train/urls_neg.txt is missing",
    ),
    "a review missing": (
        dict(drop=("aclImdb/test/pos/17_8",)),
        f"aclImdb/test/pos/ holds {PER_FOLDER - 1} reviews, not {PER_FOLDER}",
    ),
    "urls too short": (dict(urls=PER_FOLDER - 1), "aclImdb/train/urls_neg.txt lists too few"),
    "another top folder": (
        dict(top="reviews/aclImdb"),
        "layout: aclImdb/train/neg/ is missing; aclImdb/train/pos/ is missing; aclImdb/test/neg/ "
        "is missing; aclImdb/test/pos/ is missing; aclImdb/train/urls_neg.txt is missing; "
        "aclImdb/train/urls_pos.txt is missing",
    ),
}


def _bad_archive(case: str, folder: Path) -> tuple[Path, type[Exception], str]:
    if case in BAD:
        options, message = BAD[case]
        return _write(folder, small_imdb(**options)), ValueError, message
    if case == "not a tar file":
        return _write(folder, b"no archive " * 100), ValueError, "is not a readable tar archive"
    if case == "truncated":
        body = small_imdb()
        return _write(folder, body[: len(body) // 2]), ValueError, "is not a readable tar archive"
    if case == "a link inside":
        link = Member("aclImdb/train/pos/0_8.txt", kind=tarfile.SYMTYPE, linkname="/etc/passwd")
        body = make_tar([link])
        return _write(folder, body), data.UnsafeArchiveError, "refusing my_imdb.tar.gz: link"
    return folder / "absent.tar.gz", FileNotFoundError, f"no such file: {folder}/absent.tar.gz"


BAD_CASES = [*BAD, "not a tar file", "truncated", "a link inside", "no such file"]


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("case", BAD_CASES)
def test_a_bad_file_is_refused_and_the_cache_is_left_as_it_was(
    cache: Path, tmp_path: Path, case: str
) -> None:
    reviews.install_imdb(_write(tmp_path, small_imdb(), "good.tar.gz"))
    before = leftovers(cache), _manifest(cache)
    path, error, message = _bad_archive(case, tmp_path / "bad")
    with pytest.raises(error) as refused:
        reviews.install_imdb(path)
    assert message in str(refused.value)
    assert (leftovers(cache), _manifest(cache)) == before
    assert data.imdb().source.startswith("IMDB movie reviews (aclImdb v1) (cached, installed")


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("case", ["test/neg missing", "truncated", "no such file"])
def test_a_bad_file_creates_no_cache(cache: Path, tmp_path: Path, case: str) -> None:
    path, error, _ = _bad_archive(case, tmp_path / "bad")
    with pytest.raises(error):
        reviews.install_imdb(path)
    assert not cache.exists()


def test_the_layout_check_names_everything_missing(tmp_path: Path) -> None:
    (tmp_path / "aclImdb" / "train" / "neg").mkdir(parents=True)
    (tmp_path / "aclImdb" / "train" / "neg" / "0_1.txt").write_text("one")
    assert reviews.layout_problems(tmp_path) == [
        "aclImdb/train/neg/ holds 1 reviews, not 12,500",
        "aclImdb/train/pos/ is missing",
        "aclImdb/test/neg/ is missing",
        "aclImdb/test/pos/ is missing",
        "aclImdb/train/urls_neg.txt is missing",
        "aclImdb/train/urls_pos.txt is missing",
    ]
    (tmp_path / "aclImdb" / "train" / "urls_neg.txt").write_text("")
    assert "aclImdb/train/urls_neg.txt lists too few movies" in reviews.layout_problems(tmp_path)


@pytest.mark.usefixtures("small")
def test_cli_fetch_from_installs_even_offline(
    cache: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RNNCOURSE_OFFLINE", "1")  # --from needs no network
    path = _write(tmp_path, small_imdb())
    assert cli.main(["fetch", "imdb", "--from", str(path)]) == 0
    digest = sha256(path.read_bytes())[:12]
    assert capsys.readouterr().out == (
        f"imdb: installed {FILES} files from my_imdb.tar.gz (sha256 {digest}..., layout checked) "
        f"into {cache / 'aclImdb_v1'}\n"
    )
    assert cli.main(["verify"]) == 0
    assert "imdb: extracted folder aclImdb_v1 complete (installed from my_imdb.tar.gz, " in (
        capsys.readouterr().out
    )
    offline = data.imdb()  # offline: the names, with a hint that the reviews are there
    assert offline.offline_default
    assert offline.source.endswith(
        "because RNNCOURSE_OFFLINE=1 (an extracted IMDB movie reviews (aclImdb v1) is cached: "
        "pass offline=False to use it)"
    )
    assert not data.imdb(offline=False).offline_default
    _drop_pos(cache / "aclImdb_v1")
    assert cli.main(["verify"]) == 1
    assert "imdb: extracted folder aclImdb_v1 INCOMPLETE" in capsys.readouterr().out


@pytest.mark.usefixtures("small")
def test_cli_fetch_from_a_bad_file_fails_with_the_reason(
    cache: Path, tmp_path: Path, capsys
) -> None:
    path = _write(tmp_path, small_imdb(drop=("aclImdb/test/",)))
    assert cli.main(["fetch", "imdb", "--from", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "imdb: FAILED: my_imdb.tar.gz does not hold the IMDB reviews in the aclImdb layout: "
        "aclImdb/test/neg/ is missing; aclImdb/test/pos/ is missing\n"
    )
    assert cli.main(["fetch", "imdb", "--from", str(tmp_path / "nothing.tar.gz")]) == 1
    assert "imdb: FAILED: no such file: " in capsys.readouterr().err
    assert not cache.exists()


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("argv", [["--all"], ["imdb", "shakespeare"], []])
def test_cli_fetch_from_takes_exactly_one_name(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["fetch", *argv, "--from", "x.tar.gz"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--from installs one dataset" in err or "name a dataset or pass --all" in err


def test_cli_fetch_from_copies_an_exact_download_only(
    cache: Path, tmp_path: Path, shared_data: Path | None, capsys
) -> None:
    wrong = _write(tmp_path, b"not shakespeare", "tinyshakespeare.txt")
    assert cli.main(["fetch", "shakespeare", "--from", str(wrong)]) == 1
    assert "shakespeare: FAILED: tinyshakespeare.txt is not tinyshakespeare.txt: sha256 " in (
        capsys.readouterr().err
    )
    assert not (cache / "tinyshakespeare.txt").exists()
    assert cli.main(["fetch", "baby_names", "--from", str(wrong)]) == 0
    assert "baby_names: nothing to install" in capsys.readouterr().out
    if shared_data is None or not (shared_data / "tinyshakespeare.txt").is_file():
        pytest.skip("no shared copy of tinyshakespeare.txt for the exact-copy half")
    assert (
        cli.main(["fetch", "shakespeare", "--from", str(shared_data / "tinyshakespeare.txt")]) == 0
    )
    assert (
        "shakespeare: copied tinyshakespeare.txt (sha256 verified) -> " in capsys.readouterr().out
    )
    assert data.shakespeare().source.startswith("tiny-shakespeare (cached)")


def test_the_module_command_reports_a_bad_file_without_a_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, small_imdb())  # 40 reviews a folder: not the real layout
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.data", "fetch", "imdb", "--from", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "RNNCOURSE_DATA_CACHE": str(tmp_path / "cache")},
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("imdb: FAILED: my_imdb.tar.gz does not hold the IMDB reviews")
    assert "holds 40 reviews, not 12,500" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "cache").exists()


# The real reviews, installed once per session from the shared archive (conftest.imdb_seeded).


def test_the_shared_archive_installs_with_the_fetch_command(imdb_seeded) -> None:
    folder = imdb_seeded.cache / "aclImdb_v1"
    assert imdb_seeded.output == (
        "imdb: installed 50,003 files from aclImdb_labelled.tar.gz (sha256 b7d6dbba018e..., "
        f"layout checked) into {folder}\n"
    )
    manifest = _manifest(imdb_seeded.cache)
    assert manifest["archive_sha256"] == (
        "b7d6dbba018ed9fd3459bed2fa31847575ccce642097fe55585b6d7d1852262f"
    )
    assert manifest["entry_sha256"] == OFFICIAL_SHA == registry.get("imdb").sha256
    assert manifest["files"] == 50_003 and manifest["archive_name"] == "aclImdb_labelled.tar.gz"
    assert reviews.layout_problems(folder) == []


def _movies_by_text(folder: Path) -> dict[str, set[str]]:
    """Return {review text: the movies (URLs) it was written for} from the training folders."""
    found = collections.defaultdict(set)
    for sub in ("neg", "pos"):
        urls = (folder / "train" / f"urls_{sub}.txt").read_text().splitlines()
        for name in os.listdir(folder / "train" / sub):
            text = (folder / "train" / sub / name).read_text(encoding="utf-8", errors="replace")
            found[text].add(urls[int(name.split("_")[0])])
    return found


def test_real_imdb_reviews_are_read_split_by_movie(
    imdb_cache: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = data.imdb(max_examples=None)
    assert capsys.readouterr().out.splitlines() == [result.source]
    assert result.source == (
        "IMDB movie reviews (aclImdb v1) (cached, installed from aclImdb_labelled.tar.gz): "
        f"train {len(result.train[0]):,} / val {len(result.val[0]):,} / test 25,000 reviews"
    )
    assert not result.offline_default and result.class_names == ("negative", "positive")
    (train, train_y), (val, val_y), (test, test_y) = result.train, result.val, result.test
    assert len(test) == 25_000 and collections.Counter(test_y.tolist()) == {0: 12_500, 1: 12_500}
    assert len(train) + len(val) == 25_000
    assert 0.07 < len(val) / 25_000 < 0.13  # about VAL_SHARE of the movies' reviews
    assert set(train_y.tolist()) == set(val_y.tolist()) == {0, 1}
    assert sum("<br />" in text for text in train) > len(train) / 2  # raw text, markup kept
    movies = _movies_by_text(imdb_cache / "aclImdb_v1" / "aclImdb")
    only = {text: next(iter(m)) for text, m in movies.items() if len(m) == 1}  # 57 texts: twice
    train_movies = {only[text] for text in train if text in only}
    val_movies = {only[text] for text in val if text in only}
    assert len(val_movies) > 200 and not train_movies & val_movies  # no movie in both
    small = data.imdb(max_examples=300)  # a prefix of the same fixed order
    assert [len(part[0]) for part in (small.train, small.val, small.test)] == [300, 300, 300]
    assert small.train[0] == train[:300] and small.test[0] == test[:300]
    assert small.val[1].tolist() == val_y[:300].tolist()
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    assert data.imdb().test[0] == test[:1000]  # the registry's fast-mode size


def test_real_imdb_offline_says_the_reviews_are_cached(imdb_cache: Path) -> None:
    result = data.imdb(offline=True, max_examples=10)
    assert result.offline_default
    assert result.source.endswith(
        "because offline=True was passed (an extracted IMDB movie reviews (aclImdb v1) is "
        "cached: pass offline=False to use it)"
    )
