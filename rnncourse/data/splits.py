"""Fixed train/validation/test splits that never leak, and checks of the loaders' size arguments.

Text is split by position (cut at line ends); collections of items (names, reviews grouped by
movie, modules) by a seeded hash of each item's key, so that an item's split never depends on
which other items exist, and a key is never in two splits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from rnncourse.data.registry import Sizes
from rnncourse.env import SEED

SPLITS = ("train", "val", "test")
TEXT_FRACTIONS = (0.90, 0.05, 0.05)
ITEM_FRACTIONS = (0.80, 0.10, 0.10)
SERIES_FRACTIONS = (0.70, 0.15, 0.15)


def check_split(name: str) -> str:
    """Return `name` if it is a split name; ValueError naming the valid ones otherwise."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; choose one of: {', '.join(SPLITS)}")
    return name


def check_size(value: object, argument: str) -> int | None:
    """Return `value` if it is None or a positive int; TypeError/ValueError saying what is valid."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be a positive integer or None, not {value!r}")
    if value <= 0:
        raise ValueError(
            f"{argument} must be a positive integer, or None for the run mode's default; "
            f"got {value}"
        )
    return value


def resolve_size(value: object, argument: str, sizes: Sizes) -> int | None:
    """Return the checked `value`, or the current run mode's default from `sizes` when None."""
    checked = check_size(value, argument)
    return sizes.for_mode() if checked is None else checked


def cut_at_line(text: str, limit: int) -> str:
    """Return at most `limit` characters of `text`, ending at a line end when one is near."""
    if len(text) <= limit:
        return text
    end = text.rfind("\n", 0, limit)
    return text[: end + 1] if end + 1 >= limit // 2 else text[:limit]


def split_by_position(text: str, fractions: Sequence[float] = TEXT_FRACTIONS) -> tuple[str, ...]:
    """Return (train, val, test): consecutive pieces of `text`, each boundary moved to a line end."""
    cuts, start = [], 0
    for fraction in (fractions[0], fractions[0] + fractions[1]):
        at = max(int(len(text) * fraction), start)
        newline = text.find("\n", at)
        cuts.append(newline + 1 if newline != -1 else at)
        start = cuts[-1]
    return text[: cuts[0]], text[cuts[0] : cuts[1]], text[cuts[1] :]


def shrink(splits: Sequence[str], max_chars: int | None) -> tuple[str, ...]:
    """Return the splits cut to the same fraction of their length so they total <= `max_chars`.

    Each split keeps its own start, so a smaller size gives prefixes of the larger one's splits.
    """
    total = sum(len(part) for part in splits)
    if max_chars is None or total <= max_chars:
        return tuple(splits)
    return tuple(cut_at_line(part, len(part) * max_chars // total) for part in splits)


def _unit(key: str, salt: str, seed: int) -> float:
    """Return a number in [0, 1) fixed by (salt, seed, key): a seeded hash, the same everywhere."""
    digest = hashlib.sha256(f"{salt}:{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(key: str, fractions: Sequence[float] = ITEM_FRACTIONS, seed: int = SEED) -> str:
    """Return the split ("train", "val" or "test") that `key` belongs to, fixed by `seed`."""
    value = _unit(key, "split", seed)
    if value < fractions[0]:
        return "train"
    return "val" if value < fractions[0] + fractions[1] else "test"


def seeded_order(keys: Iterable[str], seed: int = SEED) -> list[str]:
    """Return `keys` in a fixed pseudo-random order (a seeded shuffle that ignores input order)."""
    return sorted(keys, key=lambda key: (_unit(key, "order", seed), key))


def split_items(
    keys: Iterable[str], fractions: Sequence[float] = ITEM_FRACTIONS, seed: int = SEED
) -> dict[str, list[str]]:
    """Return {"train": [...], "val": [...], "test": [...]}: distinct keys by `assign`, seeded order."""
    parts: dict[str, list[str]] = {name: [] for name in SPLITS}
    for key in seeded_order(set(keys), seed):
        parts[assign(key, fractions, seed)].append(key)
    return parts
