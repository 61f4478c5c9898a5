"""Synthetic sequence tasks the course generates, with known answers (lessons 02 and 03).

`first_symbol_task` is the long-range dependency of lesson 02: the label is the first symbol of
the sequence and every later step is a distractor, so a model must carry one fact across
`length - 1` steps. `adding_problem` is the classic task of Hochreiter & Schmidhuber (1997).
"""

from __future__ import annotations

import numpy as np

PAD = 0  #: token id reserved for padding in every task


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def first_symbol_task(
    n: int, length: int, n_classes: int = 4, n_distractors: int = 4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return `(tokens, labels)` for the "remember the first symbol" task.

    tokens: int32 array (n, length). tokens[:, 0] is a signal symbol in 1..n_classes; every
    later step is a distractor symbol in n_classes+1..n_classes+n_distractors, drawn uniformly.
    labels: int32 array (n,), the class of the first symbol, tokens[:, 0] - 1 (0..n_classes-1).
    The vocabulary size is `first_symbol_vocab_size(n_classes, n_distractors)` (0 is padding).
    Chance accuracy is 1 / n_classes; the same seed gives the same data.
    """
    _check_sizes(n=n, length=length, n_classes=n_classes, n_distractors=n_distractors)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, size=n).astype("int32")
    tokens = rng.integers(n_classes + 1, n_classes + n_distractors + 1, size=(n, length))
    tokens[:, 0] = labels + 1
    return tokens.astype("int32"), labels


def first_symbol_vocab_size(n_classes: int = 4, n_distractors: int = 4) -> int:
    """Return the number of token ids of `first_symbol_task` (signals, distractors and padding)."""
    return n_classes + n_distractors + 1


def adding_problem(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return `(x, y)` for the adding problem.

    x: float32 array (n, length, 2). Channel 0 holds random numbers in [0, 1); channel 1 is 1 at
    exactly two positions, one in the first half and one in the second half, 0 elsewhere.
    y: float32 array (n,), the sum of the two marked numbers. Predicting 1.0 always gives a mean
    squared error of about 1/6, the baseline a model must beat.
    """
    _check_sizes(n=n, length=length)
    if length < 2:
        raise ValueError(f"length must be at least 2 for two marked positions, got {length}")
    rng = np.random.default_rng(seed)
    values = rng.random((n, length)).astype("float32")
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    marks = np.zeros((n, length), dtype="float32")
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return np.stack([values, marks], axis=-1), y.astype("float32")
