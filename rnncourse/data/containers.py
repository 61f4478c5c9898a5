"""What the loaders return: small frozen dataclasses with train/val/test and the source line.

Their repr is a one-line summary (sizes, not the data), so evaluating one in a notebook cell
never floods the output.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from rnncourse.data.splits import check_split

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


class _Splits:
    train: Any
    val: Any
    test: Any

    def split(self, name: str) -> Any:
        """Return the split called `name` ("train", "val" or "test"); ValueError otherwise."""
        return getattr(self, check_split(name))


@dataclasses.dataclass(frozen=True, repr=False)
class TextCorpus(_Splits):
    """A text corpus split by position (or by document), for character- or word-level models.

    name: the corpus actually returned ("tiny-shakespeare", or the offline default's title);
    dataset: the registry name asked for; source: the one line the loader printed;
    train/val/test: str; vocabulary: the sorted distinct characters of all three splits;
    offline_default: True when the offline default was returned instead of the real data.
    """

    name: str
    dataset: str
    source: str
    train: str
    val: str
    test: str
    vocabulary: tuple[str, ...]
    offline_default: bool

    @property
    def text(self) -> str:
        """Return train + val + test as one string (for statistics, never for training)."""
        return self.train + self.val + self.test

    def __repr__(self) -> str:
        return (
            f"TextCorpus({self.name!r}: train {len(self.train):,} / val {len(self.val):,} / "
            f"test {len(self.test):,} chars, {len(self.vocabulary)} distinct)"
        )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class LabelledTexts(_Splits):
    """A sequence-classification set: each split is (texts: list[str], labels: int64 array).

    labels[i] indexes class_names; name, dataset, source and offline_default as in TextCorpus.
    """

    name: str
    dataset: str
    source: str
    class_names: tuple[str, ...]
    train: tuple[list[str], np.ndarray]
    val: tuple[list[str], np.ndarray]
    test: tuple[list[str], np.ndarray]
    offline_default: bool

    def __repr__(self) -> str:
        sizes = " / ".join(f"{s} {len(getattr(self, s)[0]):,}" for s in ("train", "val", "test"))
        return f"LabelledTexts({self.name!r}: {sizes} examples, classes {self.class_names})"


@dataclasses.dataclass(frozen=True, repr=False)
class NameLists(_Splits):
    """Lists of lowercase names (train/val/test: list[str], no name in two splits).

    vocabulary: the sorted distinct characters of all names; name, dataset, source as above.
    """

    name: str
    dataset: str
    source: str
    train: list[str]
    val: list[str]
    test: list[str]
    vocabulary: tuple[str, ...]
    offline_default: bool = False

    def __repr__(self) -> str:
        return (
            f"NameLists({self.name!r}: train {len(self.train):,} / val {len(self.val):,} / "
            f"test {len(self.test):,} names, {len(self.vocabulary)} distinct characters)"
        )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class TimeSeries(_Splits):
    """A time series split by time: train/val/test are pandas DataFrames, consecutive in time.

    Each frame has a DatetimeIndex named "date" (sorted, no overlap between splits) and the
    `columns`; `frequency` is "h" (hourly), "D" (daily) or "MS" (monthly, first of the month).
    """

    name: str
    dataset: str
    source: str
    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    columns: tuple[str, ...]
    frequency: str
    offline_default: bool = False

    def __repr__(self) -> str:
        return (
            f"TimeSeries({self.name!r}: train {len(self.train):,} / val {len(self.val):,} / "
            f"test {len(self.test):,} rows, columns {list(self.columns)})"
        )
