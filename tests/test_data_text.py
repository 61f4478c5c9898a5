"""Text loaders: splits by position that never leak, sizes, offline defaults, the real corpus."""

from __future__ import annotations

import pytest
from test_data_support import entry_for, make_zip

from rnncourse import data
from rnncourse.data import packaged, registry

pytestmark = pytest.mark.usefixtures("cache")


LINES = "".join(f"line {i:05d}: the quick brown fox\n" for i in range(4000)).encode()


def _served(server, body: bytes = LINES) -> data.DatasetEntry:
    return entry_for("shakespeare", body, [server.add("/shakespeare.txt", body)])


def test_splits_are_consecutive_pieces_cut_at_line_ends(server) -> None:
    corpus = data.shakespeare(entry=_served(server))
    assert corpus.train + corpus.val + corpus.test == LINES.decode()
    assert all(part.endswith("\n") for part in (corpus.train, corpus.val, corpus.test))
    shares = [len(part) / len(LINES) for part in (corpus.train, corpus.val, corpus.test)]
    assert shares == pytest.approx([0.90, 0.05, 0.05], abs=0.002)
    assert corpus.vocabulary == tuple(sorted(set(LINES.decode())))
    assert corpus.split("val") == corpus.val
    assert not corpus.offline_default and corpus.dataset == "shakespeare"


def test_smaller_sizes_are_prefixes_of_the_same_splits(server) -> None:
    entry = _served(server)
    full = data.shakespeare(entry=entry)
    small = data.shakespeare(entry=entry, max_chars=10_000)
    assert len(small.text) <= 10_000
    for name in ("train", "val", "test"):
        assert small.split(name) and full.split(name).startswith(small.split(name))


def test_fast_mode_uses_the_registry_size(server, monkeypatch: pytest.MonkeyPatch) -> None:
    body = LINES * 2  # 296,000 characters
    entry = _served(server, body)
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    fast = data.shakespeare(entry=entry)
    limit = registry.get("shakespeare").sizes.fast
    assert limit is not None and 0.99 * limit <= len(fast.text) <= limit
    monkeypatch.setenv("RNNCOURSE_MODE", "full")
    assert len(data.shakespeare(entry=entry).text) == len(body)


def test_stdlib_offline_default(capsys) -> None:
    corpus = data.shakespeare(offline=True, max_chars=60_000)
    assert corpus.offline_default and corpus.dataset == "shakespeare"
    assert corpus.source.startswith("offline default instead of tiny-shakespeare: Python")
    assert corpus.source.endswith("because offline=True was passed")
    assert capsys.readouterr().out.splitlines() == [corpus.source]
    assert 0.99 * 60_000 <= len(corpus.text) <= 60_000
    assert all(ch.isascii() for ch in corpus.vocabulary)
    assert "def " in corpus.train and "import " in corpus.train
    # each split starts with a module of its own: that module's opening is in no other split
    for name, others in (("val", ("train", "test")), ("test", ("train", "val"))):
        opening = corpus.split(name)[:300]
        assert len(opening) == 300
        assert all(opening not in corpus.split(other) for other in others)


def test_stdlib_modules_leave_tests_out() -> None:
    modules = packaged.stdlib_modules()
    assert "json/decoder.py" in modules and "collections/__init__.py" in modules
    for path in modules:
        parts = path.split("/")
        assert not {"test", "tests", "idle_test", "site-packages", "pydoc_data"} & set(parts)
        assert not parts[-1].startswith("test_")


def test_offline_default_size_follows_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    default = registry.get("shakespeare").offline_default
    assert default is not None and default.sizes.fast and default.sizes.full
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    corpus = data.shakespeare(offline=True)
    assert 0.99 * default.sizes.fast <= len(corpus.text) <= default.sizes.fast


def test_english_prose_offline_is_pydoc_topics_in_order() -> None:
    full_text = packaged.pydoc_topics_text()
    corpus = data.english_prose(offline=True, max_chars=len(full_text))
    assert corpus.text == full_text
    assert "Python" in corpus.train and corpus.name.startswith("Python help topics")
    small = data.english_prose(offline=True, max_chars=30_000)
    assert corpus.test.startswith(small.test) and len(small.text) <= 30_000


def test_english_prose_reads_the_official_splits(server) -> None:
    members = registry.get("english_prose").members
    texts = {"train": " = Train = \n words\n" * 50, "val": " = Val = \n", "test": " = Test = \n"}
    body = make_zip({members[split]: texts[split] for split in texts})
    entry = entry_for("english_prose", body, [server.add("/wikitext.zip", body)])
    corpus = data.english_prose(entry=entry)
    assert (corpus.train, corpus.val, corpus.test) == (texts["train"], texts["val"], texts["test"])
    assert corpus.source.startswith(f"WikiText-2 (raw) (downloaded from {server.host})")


def test_english_prose_with_an_unexpected_archive_falls_back(server) -> None:
    body = make_zip({"something/else.txt": "hello"})
    entry = entry_for("english_prose", body, [server.add("/wikitext.zip", body)])
    corpus = data.english_prose(entry=entry, max_chars=10_000)
    assert corpus.offline_default
    assert "because the archive could not be read" in corpus.source


def test_real_shakespeare_from_the_shared_copy(seed_cache, closed_url: str) -> None:
    entry = registry.get("shakespeare")
    seed_cache(entry.file)  # or skip, saying why
    offline_proof = entry.replace(urls=[closed_url])  # the network is never needed
    corpus = data.shakespeare(entry=offline_proof)
    assert corpus.source.startswith("tiny-shakespeare (cached)")
    assert len(corpus.text) == 1_115_394
    assert len(corpus.vocabulary) == 65
    assert corpus.train.startswith("First Citizen:\n")
    assert (len(corpus.val), len(corpus.test)) > (50_000, 50_000)
