"""`python_tokens()`: lines of Python source, every character tagged with its token type.

The tags come from Python's own `tokenize` module run on the standard library's source (no
download): a real sequence-labelling task for lesson 04. Files are assigned to train, validation
and test by a seeded hash of their path, so no file has lines in two splits.
"""

from __future__ import annotations

import dataclasses
import io
import keyword
import sys
import tokenize
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from rnncourse.data import packaged, settings
from rnncourse.data.containers import _Splits
from rnncourse.data.fetch import announce
from rnncourse.data.splits import ITEM_FRACTIONS, SPLITS, check_size, split_items
from rnncourse.env import mode

#: The tag of each character, by index. "space" is any character outside every token.
CLASS_NAMES = ("space", "name", "keyword", "operator", "number", "string", "comment")
SPACE, NAME, KEYWORD, OPERATOR, NUMBER, STRING, COMMENT = range(len(CLASS_NAMES))
#: Lines longer than this are left out (PEP 8 asks for at most 79 characters).
MAX_LEN = 80
#: Lines of all three splits together when `max_lines` is None, per run mode.
SIZES = {"fast": 3_000, "full": 40_000}

_TOKEN_CLASS = {
    tokenize.NUMBER: NUMBER,
    tokenize.STRING: STRING,
    tokenize.OP: OPERATOR,
    tokenize.COMMENT: COMMENT,
}
# Python 3.12+ splits f-strings into FSTRING_START ... FSTRING_END; earlier versions emit one
# STRING token. The whole f-string is tagged "string" on every version.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class TaggedLines(_Splits):
    """Lines of source with one tag per character; each split is (lines, tags).

    lines: list of str (no line end); tags: list of uint8 arrays, tags[i][k] is the class of
    character k of lines[i], an index into class_names. files: {split: the files used};
    skipped_files: files that tokenize could not parse; skipped_lines: lines holding a token
    tokenize could not read (ERRORTOKEN). name, dataset, source as in the other containers.
    """

    name: str
    dataset: str
    source: str
    class_names: tuple[str, ...]
    train: tuple[list[str], list[np.ndarray]]
    val: tuple[list[str], list[np.ndarray]]
    test: tuple[list[str], list[np.ndarray]]
    files: dict[str, list[str]]
    skipped_files: int
    skipped_lines: int
    offline_default: bool = False

    def __repr__(self) -> str:
        sizes = " / ".join(f"{s} {len(getattr(self, s)[0]):,}" for s in SPLITS)
        return f"TaggedLines({self.name!r}: {sizes} lines, classes {self.class_names})"


@dataclasses.dataclass
class _FileTags:
    lines: list[str]
    tags: list[np.ndarray]
    error_lines: int


def tag_source(text: str, max_len: int = MAX_LEN) -> tuple[list[str], list[np.ndarray], int]:
    """Return (lines, tags, error_lines) for the Python source `text`.

    Each kept line has 1 to `max_len` ASCII characters, not all blank, and every character either
    whitespace or inside a token that starts and ends on that line (lines of multi-line strings,
    and lines ending in a backslash, are left out). Lines holding an ERRORTOKEN are left out and
    counted in error_lines. Raises tokenize.TokenError, SyntaxError or IndentationError when
    tokenize cannot parse `text`.
    """
    rows = io.StringIO(text).readlines()
    labels = [np.full(len(row.rstrip("\r\n")), -1, np.int16) for row in rows]
    bad: set[int] = set()  # 0-based rows left out
    errors: set[int] = set()
    fstring_starts: list[tuple[int, int]] = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        (row0, col0), (row1, col1) = token.start, token.end
        if _FSTRING_START is not None and token.type == _FSTRING_START:
            fstring_starts.append(token.start)
            continue
        if _FSTRING_END is not None and token.type == _FSTRING_END:
            (row0, col0), cls = fstring_starts.pop(), STRING
        elif fstring_starts:  # inside an f-string: tagged with the whole f-string at its end
            continue
        elif token.type == tokenize.NAME:
            cls = KEYWORD if keyword.iskeyword(token.string) else NAME
        elif token.type == tokenize.ERRORTOKEN:
            if not token.string.isspace():
                errors.add(row0 - 1)
            continue
        elif token.type in _TOKEN_CLASS:
            cls = _TOKEN_CLASS[token.type]
        else:  # NEWLINE, NL, INDENT, DEDENT, ENDMARKER: whitespace or nothing
            continue
        if row0 != row1:
            bad.update(range(row0 - 1, row1))
            continue
        if row0 - 1 < len(labels):
            labels[row0 - 1][col0:col1] = cls
    lines, tags = [], []
    for index, (row, label) in enumerate(zip(rows, labels, strict=True)):
        line = row.rstrip("\r\n")
        if index in bad or index in errors or not line.strip() or len(line) > max_len:
            continue
        if not line.isascii():
            continue
        blank = np.array([char.isspace() for char in line])
        label = np.where((label < 0) & blank, SPACE, label)
        if (label < 0).any():  # a character outside every token that is not blank ("\")
            continue
        lines.append(line)
        tags.append(label.astype(np.uint8))
    return lines, tags, len(errors)


def _tag_file(path: Path, max_len: int) -> _FileTags | None:
    """Return the file's tagged lines, or None when tokenize cannot read or parse it."""
    try:
        with tokenize.open(path) as handle:
            text = handle.read()
        lines, tags, errors = tag_source(text, max_len)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return _FileTags(lines, tags, errors)


def _python_files(root: Path) -> list[str]:
    return packaged.stdlib_modules(root)


def python_tokens(
    offline: bool | None = None,
    max_lines: int | None = None,
    *,
    root: Path | str | None = None,
    max_len: int = MAX_LEN,
) -> TaggedLines:
    """Return lines of the standard library's source, each character tagged by `tokenize`.

    Classes (`CLASS_NAMES`): space, name, keyword, operator, number, string, comment. Files are
    split 80/10/10 by a seeded hash of their path and read in a fixed seeded order until each
    split holds its share of `max_lines` lines (None: the run mode's size, `SIZES`). A file that
    tokenize cannot parse is skipped and counted, as is a line holding an error token. `root` is
    the folder of .py files (default: this interpreter's standard library, tests left out);
    `max_len` the longest line kept. Nothing is downloaded, so `offline` changes nothing
    (accepted for a uniform API). Prints one line naming the source.
    """
    settings.check_offline(offline)
    check_size(max_lines, "max_lines")
    check_size(max_len, "max_len")
    folder = Path(root) if root is not None else packaged.stdlib_root()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder of Python files at {folder}")
    total = max_lines if max_lines is not None else SIZES[mode()]
    quotas = {
        split: max(1, round(total * share))
        for split, share in zip(SPLITS, ITEM_FRACTIONS, strict=True)
    }
    by_split = split_items(_python_files(folder), ITEM_FRACTIONS)
    parts: dict[str, tuple[list[str], list[np.ndarray]]] = {}
    files: dict[str, list[str]] = {}
    skipped_files = skipped_lines = 0
    for split in SPLITS:
        lines: list[str] = []
        tags: list[np.ndarray] = []
        used: list[str] = []
        for relative in by_split[split]:
            if len(lines) >= quotas[split]:
                break
            tagged = _tag_file(folder / relative, max_len)
            if tagged is None:
                skipped_files += 1
                continue
            skipped_lines += tagged.error_lines
            room = quotas[split] - len(lines)
            lines += tagged.lines[:room]
            tags += tagged.tags[:room]
            used.append(relative)
        parts[split], files[split] = (lines, tags), used
    if not any(parts[split][0] for split in SPLITS):
        raise FileNotFoundError(f"no Python source that tokenize can tag under {folder}")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    title = f"Python {version} standard library tagged by tokenize"
    if root is not None:
        title = f"Python files under {folder} tagged by tokenize"
    sizes = " / ".join(f"{split} {len(parts[split][0]):,}" for split in SPLITS)
    counts = " / ".join(str(len(files[split])) for split in SPLITS)
    source = (
        f"{title} (no download): {sizes} lines from {counts} files; skipped "
        f"{_plural(skipped_files, 'file')} tokenize could not parse and "
        f"{_plural(skipped_lines, 'line')} with an error token"
    )
    announce(source)
    return TaggedLines(
        name=title,
        dataset="python_tokens",
        source=source,
        class_names=CLASS_NAMES,
        train=parts["train"],
        val=parts["val"],
        test=parts["test"],
        files=files,
        skipped_files=skipped_files,
        skipped_lines=skipped_lines,
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def class_counts(tags: Iterable[np.ndarray], n_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """Return how many characters of each class the tag arrays `tags` hold, shape (n_classes,)."""
    counts = np.zeros(n_classes, np.int64)
    for row in tags:
        counts += np.bincount(row, minlength=n_classes)[:n_classes]
    return counts
