"""Real data that needs no network: it ships with Python itself or with a pinned package.

- the standard library's Python source (offline default of `shakespeare`),
- the English help topics of `pydoc_data.topics` (offline default of `english_prose`),
- the 1990 US-census first-name lists of the `names` package (`baby_names`, offline `imdb`),
- the local tables of `vega_datasets` (`weather`, `stocks`); never its network datasets.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Mapping
from pathlib import Path

from rnncourse.data.splits import SPLITS, TEXT_FRACTIONS, cut_at_line, split_items

_SKIP_DIRS = frozenset(
    {"site-packages", "dist-packages", "test", "tests", "idle_test", "__pycache__", "pydoc_data"}
)
FEMALE, MALE = 0, 1


def stdlib_root() -> Path:
    """Return the folder of the running interpreter's standard library."""
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_modules(root: Path | None = None) -> list[str]:
    """Return the standard library's .py files (relative POSIX paths, sorted), tests left out."""
    root = root or stdlib_root()
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in files:
            if name.endswith(".py") and not name.startswith("test_"):
                found.append(Path(folder, name).relative_to(root).as_posix())
    return sorted(found)


def stdlib_source(quotas: Mapping[str, int]) -> tuple[dict[str, str], int]:
    """Return ({split: source text}, number of modules used) from the standard library.

    Modules are assigned to splits by a seeded hash of their path (no module is in two splits)
    and concatenated in a seeded order until each split holds `quotas[split]` characters; the
    last module is cut at a line end. Modules holding non-ASCII characters are skipped, which
    keeps the alphabet to ASCII (about 100 distinct characters).
    """
    root = stdlib_root()
    by_split = split_items(stdlib_modules(root), TEXT_FRACTIONS)
    texts, used = {}, 0
    for split in SPLITS:
        pieces, size, quota = [], 0, quotas[split]
        for relative in by_split[split]:
            if size >= quota:
                break
            raw = (root / relative).read_bytes()
            if not raw.isascii():
                continue
            piece = cut_at_line(raw.decode("ascii") + "\n", quota - size)
            pieces.append(piece)
            size += len(piece)
            used += 1
        texts[split] = "".join(pieces)
    if not any(texts.values()):
        raise FileNotFoundError(f"no Python source found in the standard library at {root}")
    return texts, used


def pydoc_topics_text() -> str:
    """Return the English text of Python's help topics (pydoc_data.topics), topics in name order."""
    from pydoc_data.topics import topics

    return "\n".join(topics[key].strip("\n") + "\n" for key in sorted(topics))


def _census_file(sex: str) -> dict[str, float]:
    """Return {lowercase name: percent of that sex's population} from the `names` package."""
    import names

    path = names.FILES[f"first:{sex}"]
    frequencies = {}
    with open(path, encoding="ascii") as handle:
        for line in handle:
            fields = line.split()
            if fields:
                frequencies[fields[0].lower()] = float(fields[1])
    return frequencies


def census_first_names() -> list[str]:
    """Return the distinct first names of the census lists (female and male), lowercase, sorted."""
    return sorted(set(_census_file("female")) | set(_census_file("male")))


def census_names_by_sex() -> dict[str, int]:
    """Return {name: FEMALE (0) or MALE (1)}: the list where the name is more frequent.

    Frequencies are percentages of each sex's population; names equally frequent in both lists
    are left out (3 names).
    """
    female, male = _census_file("female"), _census_file("male")
    labels = {}
    for name in set(female) | set(male):
        share_f, share_m = female.get(name, 0.0), male.get(name, 0.0)
        if share_f != share_m:
            labels[name] = FEMALE if share_f > share_m else MALE
    return labels


def vega_table(name: str) -> Path:
    """Return the path of a table that ships inside `vega_datasets` (e.g. "seattle-weather")."""
    from vega_datasets import local_data

    return Path(getattr(local_data, name.replace("-", "_")).filepath)
