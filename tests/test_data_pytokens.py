"""The Python-token loader of lesson 04: tags that agree with tokenize, splits by file that never
leak, fast/full sizes, files tokenize cannot parse skipped and counted, and clear errors."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

import numpy as np
import pytest

from rnncourse import data
from rnncourse.data import pytokens
from rnncourse.data.pytokens import (
    COMMENT,
    KEYWORD,
    NAME,
    NUMBER,
    OPERATOR,
    SPACE,
    STRING,
    tag_source,
)

pytestmark = pytest.mark.usefixtures("cache")  # full mode, an isolated cache, no network


def _tags(line: str) -> str:
    """The tags of a one-line source as a string of class indices."""
    lines, tags, errors = tag_source(line + "\n")
    assert lines == [line] and errors == 0
    return "".join(map(str, tags[0]))


def test_tags_follow_tokenize_keywords_names_numbers_strings_comments() -> None:
    assert _tags("if items:") == f"{KEYWORD}{KEYWORD}{SPACE}" + f"{NAME}" * 5 + f"{OPERATOR}"
    assert _tags("x = 10  # ten") == (
        f"{NAME}{SPACE}{OPERATOR}{SPACE}{NUMBER}{NUMBER}{SPACE}{SPACE}" + f"{COMMENT}" * 5
    )
    assert (
        _tags("    return 'a b'")
        == f"{SPACE}" * 4 + f"{KEYWORD}" * 6 + f"{SPACE}" + f"{STRING}" * 5
    )
    assert _tags("y = rb'q'") == f"{NAME}{SPACE}{OPERATOR}{SPACE}" + f"{STRING}" * 5


def test_a_whole_f_string_is_a_string_on_every_python_version() -> None:
    assert _tags('s = f"a{b}c"') == f"{NAME}{SPACE}{OPERATOR}{SPACE}" + f"{STRING}" * 8


def test_multi_line_strings_continuations_long_and_blank_lines_are_left_out() -> None:
    source = (
        'doc = """first\n'
        "middle\n"
        'last"""\n'
        "\n"
        "total = 1 + \\\n"
        "    2\n"
        "z = '" + "a" * 90 + "'\n"
        "ok = 1\n"
    )
    lines, tags, errors = tag_source(source)
    assert lines == ["    2", "ok = 1"] and errors == 0
    assert [len(t) for t in tags] == [5, 6]


def test_a_line_with_an_error_token_is_skipped_and_counted() -> None:
    lines, _, errors = tag_source("a = 1\nb = 2 $ 3\nc = 4\n")
    if sys.version_info < (3, 12):
        assert lines == ["a = 1", "c = 4"] and errors == 1
    else:  # 3.12's tokenizer may reject the whole source instead; it never tags the bad line
        assert "b = 2 $ 3" not in lines


def test_the_standard_library_splits_by_file_without_overlap(capsys) -> None:
    tokens = data.python_tokens(max_lines=3000)
    assert capsys.readouterr().out.splitlines() == [tokens.source]
    assert "standard library tagged by tokenize (no download)" in tokens.source
    files = {split: set(tokens.files[split]) for split in ("train", "val", "test")}
    assert not (files["train"] & files["val"] or files["train"] & files["test"])
    assert not files["val"] & files["test"]
    sizes = [len(tokens.split(split)[0]) for split in ("train", "val", "test")]
    assert sizes == [2400, 300, 300]
    assert tokens.class_names == pytokens.CLASS_NAMES
    for lines, tags in (tokens.train, tokens.val, tokens.test):
        assert all(
            len(line) == len(t) and 0 < len(line) <= 80 for line, t in zip(lines, tags, strict=True)
        )
        assert all(t.dtype == np.uint8 and t.max() < len(tokens.class_names) for t in tags)


def test_the_tags_of_real_lines_agree_with_what_the_characters_are() -> None:
    tokens = data.python_tokens(max_lines=2000)
    lines, tags = tokens.train
    for line, line_tags in zip(lines, tags, strict=True):
        runs = _runs(line, line_tags)
        for text, cls in runs:
            if cls == KEYWORD:
                assert keyword.iskeyword(text), (line, text)
            elif cls == NAME:
                assert text.isidentifier() and not keyword.iskeyword(text), (line, text)
            elif cls == COMMENT:
                assert text.startswith("#"), (line, text)
            elif cls == SPACE:
                assert text.isspace(), (line, text)
    counts = pytokens.class_counts(tags)
    assert counts.sum() == sum(map(len, lines)) and (counts > 0).all()


def _runs(line: str, tags: np.ndarray) -> list[tuple[str, int]]:
    """Maximal runs of one class; adjacent names or keywords are always separated by a space."""
    runs, start = [], 0
    for k in range(1, len(line) + 1):
        if k == len(line) or tags[k] != tags[start]:
            runs.append((line[start:k], int(tags[start])))
            start = k
    return runs


def test_sizes_follow_the_run_mode_and_a_smaller_size_is_a_prefix(monkeypatch) -> None:
    monkeypatch.setenv("RNNCOURSE_MODE", "fast")
    fast = data.python_tokens()
    assert sum(len(part[0]) for part in (fast.train, fast.val, fast.test)) == pytokens.SIZES["fast"]
    monkeypatch.setenv("RNNCOURSE_MODE", "full")
    small = data.python_tokens(max_lines=500)
    assert fast.train[0][: len(small.train[0])] == small.train[0]
    assert repr(small).startswith(
        "TaggedLines('Python "
    ) and "train 400 / val 50 / test 50" in repr(small)


def _write_files(root: Path, count: int) -> None:
    for k in range(count):
        (root / f"good_{k:02d}.py").write_text(f"def f{k}(x):\n    return x + {k}  # add\n")


def test_files_tokenize_cannot_parse_are_skipped_and_counted(tmp_path: Path, capsys) -> None:
    _write_files(tmp_path, 30)
    (tmp_path / "unterminated.py").write_text('x = 1\ns = """never closed\n')
    (tmp_path / "dedent.py").write_text("if x:\n        a = 1\n    b = 2\n")
    (tmp_path / "bad_encoding.py").write_bytes(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")  # not UTF-8 and no declaration
    tokens = data.python_tokens(max_lines=10_000, root=tmp_path)
    assert tokens.skipped_files == 4
    assert "skipped 4 files tokenize could not parse" in capsys.readouterr().out
    used = {name for names in tokens.files.values() for name in names}
    assert len(used) == 30 and all(name.startswith("good_") for name in used)
    assert sum(len(part[0]) for part in (tokens.train, tokens.val, tokens.test)) == 60


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_lines": -5}, ValueError, "max_lines must be a positive integer"),
        ({"max_lines": 0}, ValueError, "max_lines must be a positive integer"),
        ({"max_lines": "100"}, TypeError, "max_lines must be a positive integer or None"),
        ({"max_len": -1}, ValueError, "max_len must be a positive integer"),
        ({"offline": "yes"}, TypeError, "offline must be True, False or None"),
        ({"root": "/no/such/folder"}, FileNotFoundError, "no folder of Python files"),
    ],
)
def test_bad_arguments_get_a_clear_error(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        data.python_tokens(**kwargs)


def test_an_unknown_split_names_the_valid_ones(tmp_path: Path) -> None:
    _write_files(tmp_path, 10)
    tokens = data.python_tokens(root=tmp_path)
    assert tokens.split("val") is tokens.val
    with pytest.raises(
        ValueError, match="unknown split 'training'; choose one of: train, val, test"
    ):
        tokens.split("training")


def test_a_folder_without_taggable_source_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "only_bad.py").write_text('s = """open\n')
    with pytest.raises(FileNotFoundError, match="no Python source that tokenize can tag"):
        data.python_tokens(root=tmp_path)
