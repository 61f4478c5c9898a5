"""Checks for lesson 05, "Sequence classification on real text (IMDB)": masked_mean,
length_for_coverage, is_padding_invariant.

Notation (COURSE_GUIDE section 6): batch-first. A batch of B reviews is an int array ids (B, T)
of token ids, right-padded ("post") with id 0 to T steps (TextVectorization's id 1 is [UNK], an
unknown word, and a real token); its embedding is x (B, T, D), D features per step; mask (B, T)
is True (or 1) at the real tokens and False (or 0) at the padding, as Embedding(mask_zero=True)
computes it. A model maps ids (B, T) to scores (B, ...). A review's length is its number of
tokens.

The masked mean of row b is sum_t m_bt x_bt / max(sum_t m_bt, 1), shape (D,): zeros for a
review without a real token. The length that covers a share p of the reviews is the smallest L
with at least p of the lengths <= L, always one of the lengths. A model is padding-invariant on
ids when appending zero columns at the end leaves its scores unchanged within a tolerance atol.

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies it and reports a function that changes it in place.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnncourse.checks._core import (
    Hint,
    call,
    exercise_check,
    expect_array,
    expect_close,
    expect_integer,
)
from rnncourse.env import import_tensorflow

__all__ = ["is_padding_invariant", "length_for_coverage", "masked_mean"]


def _keras() -> Any:
    import_tensorflow()  # before keras: no TensorFlow load-time messages
    import keras

    return keras


#: Parts of TensorFlow's messages that say nothing to a learner: node prefixes, op names, and
#: the advice to switch NumPy behaviour on (the lesson's answer is keras.ops).
_TF_NOISE = (
    r"\{\{[^{}]*\}\}",
    r"\s*\[Op:\w+\]( name:)?",
    r"\s*If you are looking for numpy-related methods[\s\S]*?experimental_enable_numpy_behavior\(\)",
)


def _one_line(text: str) -> str:
    """Return `text` without TensorFlow's noise (`_TF_NOISE`) and on one line."""
    for pattern in _TF_NOISE:
        text = re.sub(pattern, "", text)
    text = re.sub(r"\.\s+(at line \d+ of your code)", r" \1", text)  # "...'astype'. at line"
    return " ".join(text.split())


def _call(
    where: str,
    fn: Callable[..., Any],
    *args: Any,
    on_error: Callable[[Exception], str] | None = None,
) -> Any:
    """`call`, with its hint (an exception of the learner's, or an input changed in place)
    prefixed by the case (`where`) and kept to one readable line."""
    try:
        return call(fn, *args, on_error=on_error)
    except Hint as hint:
        raise Hint(where + _one_line(str(hint))) from hint


def _post_mask(lengths: Sequence[int], steps: int, dtype: Any = bool) -> np.ndarray:
    """mask (B, T): True (1) at the first lengths[b] steps of row b, False (0) after them."""
    return (np.arange(steps)[None, :] < np.asarray(lengths)[:, None]).astype(dtype)


# --------------------------------------------------------------------------- masked_mean


def _masked_mean(x: Any, mask: Any, mistake: str = "") -> np.ndarray:
    """The reference (no mistake) and the catalogue's value mistakes, in float64."""
    x = np.asarray(x, np.float64)
    m = np.asarray(mask, np.float64)[:, :, None]  # (B, T, 1): broadcast over D
    total = (x * m).sum(axis=1)  # (B, D)
    count = m.sum(axis=1)  # (B, 1) real steps per row
    if mistake == "padding":
        return x.mean(axis=1)
    if mistake == "padded length":
        return total / x.shape[1]
    if mistake == "batch count":
        return total / max(float(m.sum()), 1.0)
    if mistake == "no guard":
        with np.errstate(all="ignore"):
            return total / count
    return total / np.maximum(count, 1.0)


#: Mistakes that return numbers of the right shape, with their hints (the first match wins).
MASKED_MEAN_MISTAKES: list[tuple[str, str]] = [
    (
        "padding",
        "the padding is averaged in: that is the plain mean over all T steps, "
        "keras.ops.mean(x, axis=1). Multiply x by the mask (broadcast over D) and divide the "
        "sum over the steps by each row's number of real steps.",
    ),
    (
        "padded length",
        "the masked sum is divided by T, the padded length: a review with 3 real steps out of "
        "T = 7 gets 3/7 of its mean. Divide by each row's number of real steps, "
        "keras.ops.sum(mask, axis=1, keepdims=True) (at least 1).",
    ),
    (
        "batch count",
        "the masked sum is divided by the number of real steps of the whole batch: count them "
        "per row, keras.ops.sum(mask, axis=1, keepdims=True), shape (B, 1).",
    ),
]

MASKED_MEAN_NAN = (
    "a row without any real step gives NaN: its count of real steps is 0 and 0 / 0 is NaN. "
    "Divide by keras.ops.maximum(count, 1) so that an all-padding row (an empty review) "
    "averages to zeros."
)
MASKED_MEAN_BROADCAST = (
    "The mask is not broadcast over D: x is (B, T, D) and mask (B, T); give the mask a "
    "feature axis, keras.ops.expand_dims(mask, -1) (or mask[:, :, None]), shape (B, T, 1), "
    "before multiplying."
)
MASKED_MEAN_KEEPDIMS = (
    "The sum (B, D) is divided by a count of shape (B,): keep the axis, "
    "keras.ops.sum(mask, axis=1, keepdims=True), shape (B, 1), so it divides every feature."
)
MASKED_MEAN_KERAS_OPS = (
    "It works on NumPy arrays but not on TensorFlow tensors, which is what the lesson's "
    "MaskedMean layer passes to it: write it with keras.ops (keras.ops.cast, "
    "keras.ops.expand_dims, keras.ops.sum, keras.ops.maximum) instead of NumPy functions and "
    "methods (np.*, .astype, .sum, .numpy())."
)
MASKED_MEAN_GRAPH = (
    "It works on NumPy arrays and eager tensors but not inside a Keras model, where the tensors "
    "are symbolic (tf.function, as in fit and in building the model): use keras.ops only, no "
    "np.* call, no .numpy(), no Python `if` on a tensor's value."
)


def _masked_mean_cases() -> list[tuple[str, np.ndarray, np.ndarray, str]]:
    """(label, x, mask, how) per case; how is "numpy", "eager" (tf tensors) or "graph"
    (tf tensors inside tf.function). B, T and D differ in every case; the padding holds
    non-zero values, as an Embedding's output does."""
    rng = np.random.default_rng(5)
    cases = []
    x = rng.normal(size=(5, 7, 3)).astype(np.float32)
    cases.append(
        (
            "a padded batch (lengths 7, 3, 1, 5, 2), boolean mask",
            x,
            _post_mask([7, 3, 1, 5, 2], 7),
            "numpy",
        )
    )
    x = rng.normal(size=(3, 9, 4)).astype(np.float32)
    cases.append(
        (
            "a batch with an all-padding row (lengths 4, 0, 9), 0/1 float mask",
            x,
            _post_mask([4, 0, 9], 9, np.float32),
            "numpy",
        )
    )
    x = 1e4 + 1e3 * rng.normal(size=(2, 11, 6))
    x[1, 6:] = -1e6  # large garbage in the padding
    cases.append(
        (
            "float64 values near 1e4 (lengths 11, 6), 0/1 int mask",
            x,
            _post_mask([11, 6], 11, np.int64),
            "numpy",
        )
    )
    x = rng.normal(size=(1, 6, 2)).astype(np.float32)
    cases.append(("one review without padding (B = 1)", x, _post_mask([6], 6), "numpy"))
    x = rng.normal(size=(3, 8, 5)).astype(np.float32)
    cases.append(
        (
            "TensorFlow tensors (float32, 0/1 float mask, lengths 8, 0, 3)",
            x,
            _post_mask([8, 0, 3], 8, np.float32),
            "eager",
        )
    )
    x = rng.normal(size=(4, 6, 3)).astype(np.float32)
    cases.append(
        (
            "TensorFlow tensors inside tf.function, as in a Keras layer (boolean mask, "
            "lengths 2, 6, 0, 1)",
            x,
            _post_mask([2, 6, 0, 1], 6),
            "graph",
        )
    )
    return cases


def _masked_mean_advice(shape: tuple[int, ...], how: str) -> Callable[[Exception], str]:
    B, T, D = shape

    def advice(exc: Exception) -> str:
        text = re.sub(r"\s", "", str(exc))
        mismatch = any(
            word in text
            for word in ("broadcast", "Incompatibleshapes", "Dimensionsmustbeequal", "shape")
        )
        if mismatch and f"{B},{T},{D}" in text:
            return MASKED_MEAN_BROADCAST
        if mismatch and f"{B},{D}" in text:
            return MASKED_MEAN_KEEPDIMS
        if how == "eager":
            return MASKED_MEAN_KERAS_OPS
        if how == "graph":
            return MASKED_MEAN_GRAPH
        return ""

    return advice


def _masked_mean_shape_hint(got: tuple[int, ...], B: int, T: int, D: int) -> str:
    if got == (B, T):
        return (
            "one number per step: you averaged over the features D; average over the steps, axis=1"
        )
    if got == (T, D):
        return (
            "one row per step: you averaged over the batch (axis 0); average over the steps, axis=1"
        )
    if got == (B, 1, D):
        return "keepdims=True kept the step axis; keep it only for the count, not for the result"
    if got == (B, T, D):
        return "nothing was summed: sum x * mask over the steps, axis=1"
    if got in ((D,), (B,), (T,), ()):
        return "the result was averaged over more than the steps: keep one row of D per review"
    return "one row of D features per review"


def _as_numpy(value: Any, what: str) -> Any:
    """Return `value` with a TensorFlow or Keras tensor converted to NumPy (a legitimate answer)."""
    if value is None or isinstance(value, list | tuple | np.ndarray | np.generic):
        return value
    keras = _keras()
    if keras.ops.is_tensor(value):
        return keras.ops.convert_to_numpy(value)
    return value


def _judge_masked_mean(
    learner: Callable[..., Any], label: str, x: np.ndarray, mask: np.ndarray, how: str
) -> None:
    B, T, D = x.shape
    where = f"on {label}: "
    if how == "numpy":
        fn, args = learner, (x, mask)
    else:
        tf = import_tensorflow()
        args = (tf.constant(x), tf.constant(mask))
        fn = learner if how == "eager" else _in_graph(learner)
    result = _call(where, fn, *args, on_error=_masked_mean_advice((B, T, D), how))
    what = f"masked_mean(x, mask) {where.rstrip(': ')}"
    value = _as_numpy(result, what)
    expected = _masked_mean(x, mask)
    if np.shape(value) == (B, D) and isinstance(value, np.ndarray | np.generic):
        got = np.asarray(value)
        if np.issubdtype(got.dtype, np.floating):
            empty = np.asarray(mask).sum(axis=1) == 0
            nan_rows = np.isnan(got).any(axis=1)
            if nan_rows.any() and np.array_equal(nan_rows, empty):
                raise Hint(where + MASKED_MEAN_NAN)
    got = expect_array(value, what, (B, D), _masked_mean_shape_hint(np.shape(value), B, T, D))
    mistakes = [(_masked_mean(x, mask, name), where + hint) for name, hint in MASKED_MEAN_MISTAKES]
    expect_close(got, expected, what, mistakes)


def _in_graph(learner: Callable[..., Any]) -> Callable[..., Any]:
    """The learner's function traced by tf.function (no autograph), as a Keras layer runs it.

    NumPy on a symbolic tensor raises NotImplementedError, which is not the learner's stub: it
    becomes a TypeError, keeping the traceback so that the hint can name the learner's line.
    """
    tf = import_tensorflow()

    def traced(x: Any, mask: Any) -> Any:
        try:
            with warnings.catch_warnings():  # NumPy's warning on converting a graph tensor
                warnings.simplefilter("ignore")
                return learner(x, mask)
        except NotImplementedError as exc:
            if not str(exc):
                raise
            raise TypeError(str(exc)).with_traceback(exc.__traceback__) from None

    return tf.function(traced, autograph=False)


@exercise_check("masked_mean")
def masked_mean(learner: Callable[..., Any]) -> str:
    """Check `masked_mean(x, mask) -> (B, D)`, the mean of x over the real steps.

    x (B, T, D) floats; mask (B, T) booleans or 0/1, True at the real tokens (padding "post").
    Returns for each row the mean of x over the steps where mask is true, zeros for a row
    without a real step; written with keras.ops, so that it also runs on tensors inside a Keras
    layer. Judged on NumPy arrays (boolean, float and int masks, an all-padding row, float64,
    large values, B = 1) and on TensorFlow tensors, eager and inside tf.function; a returned
    tensor is converted with keras.ops.convert_to_numpy. Prints one line; returns True when it
    passes.
    """
    for label, x, mask, how in _masked_mean_cases():
        _judge_masked_mean(learner, label, x, mask, how)
    return (
        "averages over the real steps only, with zeros for an all-padding row, on NumPy arrays "
        "(boolean, float and int masks, float64, large values) and on TensorFlow tensors, "
        "eager and inside tf.function."
    )


# --------------------------------------------------------------------------- length_for_coverage


def _coverage_length(lengths: Any, share: float, mistake: str = "") -> float:
    """The reference (no mistake) and the catalogue's mistakes for `length_for_coverage`."""
    values = np.asarray(lengths)
    n = len(values)
    ordered = np.sort(values)
    if mistake == "percentage":
        return float(ordered[max(math.ceil(share / 100 * n), 1) - 1])
    if mistake == "percentile as fraction":
        return float(np.percentile(values, share))
    if mistake == "percentile":
        return float(np.percentile(values, 100 * share))
    if mistake == "nearest percentile":
        return float(np.percentile(values, 100 * share, method="nearest"))
    if mistake == "off by one":
        return float(ordered[min(int(share * n), n - 1)])
    if mistake == "unsorted":
        return float(values[max(math.ceil(share * n), 1) - 1])
    if mistake == "median":
        return float(np.median(values))
    if mistake == "mean":
        return float(np.mean(values))
    covered = np.arange(1, n + 1) / n >= share  # share of the lengths <= ordered[i]
    return float(ordered[int(np.argmax(covered))])


_PERCENTILE_HINT = (
    "np.percentile and np.quantile interpolate between two lengths by default, which gives a "
    "length that may not be a whole number or may not be one of the reviews. Sort the lengths "
    "and take the one at index ceil(share * n) - 1 (or np.quantile(lengths, share, "
    "method='inverted_cdf'))."
)

#: Mistakes with their hints, in the order they are tried (the first match wins).
COVERAGE_MISTAKES: list[tuple[str, str]] = [
    (
        "percentage",
        "share is a fraction in (0, 1], not a percentage: share = 0.9 means 90% of the "
        "reviews (np.percentile takes 100 * share; an index into the sorted lengths is "
        "ceil(share * n) - 1).",
    ),
    (
        "percentile as fraction",
        "share is a fraction in (0, 1], not a percentage: share = 0.9 means 90% of the "
        "reviews, but np.percentile(lengths, 0.9) is the 0.9th percentile. Sort the lengths and "
        "take index ceil(share * n) - 1.",
    ),
    ("percentile", _PERCENTILE_HINT),
    (
        "nearest percentile",
        "np.percentile(..., method='nearest') rounds the position (n - 1) * share to the "
        "nearest index, which can be one length too long: the smallest L with at least share "
        "of the n lengths <= L is sorted[ceil(share * n) - 1] (np.quantile(lengths, share, "
        "method='inverted_cdf') computes it too).",
    ),
    (
        "off by one",
        "one position too far: sorted[int(share * n)] is the (k + 1)-th smallest length when "
        "share * n = k is a whole number. At least share of the n lengths means at least "
        "k = ceil(share * n) of them, so L is sorted[ceil(share * n) - 1].",
    ),
    (
        "unsorted",
        "the lengths were not sorted: index ceil(share * n) - 1 counts from the shortest review "
        "only in np.sort(lengths).",
    ),
    (
        "median",
        "that is the median, the length that covers half of the reviews; find the smallest "
        "length L with at least `share` of the reviews no longer than L.",
    ),
    (
        "mean",
        "that is the mean length; a skewed distribution (a few very long reviews) puts it "
        "anywhere. Find the smallest length L with at least `share` of the reviews no longer "
        "than L.",
    ),
]


def _coverage_cases() -> list[tuple[str, Any, float]]:
    """(label, lengths, share) per case. In each, share * n is exact in floating point, so that
    ceil(share * n) and the count of lengths agree (no answer depends on rounding)."""
    rng = np.random.default_rng(6)
    skewed = [int(v) for v in rng.permutation(rng.choice(np.arange(40, 900), 20, replace=False))]
    repeats = rng.choice([30, 55, 55, 80, 120, 120, 120, 200, 410], 40).astype(np.int64)
    reviews = np.maximum(np.round(rng.lognormal(5.3, 0.7, 2000)), 1).astype(np.int64)
    return [
        ("20 distinct lengths in a Python list, not sorted, share 0.9", skewed, 0.9),
        ("40 lengths with repeated values, share 0.75", repeats, 0.75),
        ("24 lengths, share 0.25", rng.integers(10, 300, 24), 0.25),
        (
            "13 lengths, share 1 (every review)",
            np.array([12, 7, 30, 5, 19, 41, 8, 22, 3, 16, 27, 11, 35], np.int32),
            1.0,
        ),
        ("2000 review-like lengths, share 0.95", reviews, 0.95),
        ("200 lengths, a tiny share 0.001", rng.integers(20, 500, 200), 0.001),
        ("one review (n = 1), share 0.3", [57], 0.3),
    ]


def _coverage_advice(exc: Exception) -> str:
    if isinstance(exc, IndexError):
        return (
            "An index past the end: with share = 1 the answer is the longest review, "
            "sorted[n - 1]; the smallest L is sorted[ceil(share * n) - 1] for share in (0, 1]."
        )
    if isinstance(exc, AttributeError) and "list" in str(exc):
        return "lengths may be a Python list: convert it first, np.asarray(lengths)."
    return ""


def _judge_coverage(learner: Callable[..., Any], label: str, lengths: Any, share: float) -> None:
    where = f"on {label}: "
    what = f"length_for_coverage(lengths, {share:g}) {where.rstrip(': ')}"
    result = _call(where, learner, lengths, share, on_error=_coverage_advice)
    values = np.asarray(lengths)
    expected = int(_coverage_length(values, share))
    value = _as_numpy(result, what)
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    mistakes = [
        (float(_coverage_length(values, share, name)), hint) for name, hint in COVERAGE_MISTAKES
    ]
    if isinstance(value, float | np.floating) and math.isfinite(value) and value != int(value):
        for wrong, hint in mistakes:
            if math.isclose(float(value), wrong, rel_tol=1e-9, abs_tol=1e-9):
                raise Hint(where + hint)
        raise Hint(
            f"{what} is {value:g}, not a whole number: a length counts tokens. Return one of "
            "the lengths, the smallest L with at least `share` of them <= L."
        )
    got = expect_integer(value, what)
    if got == expected:
        return
    for wrong, hint in mistakes:
        if math.isclose(float(got), wrong, rel_tol=1e-9, abs_tol=1e-9):
            raise Hint(where + hint)
    if got not in set(values.tolist()):
        raise Hint(
            f"{what} is {got}, which is not one of the lengths (expected {expected}): the "
            "answer is always the length of some review."
        )
    covered = float(np.mean(values <= got))
    if covered < share:
        raise Hint(
            f"{what} is {got}, expected {expected}: only {covered:.1%} of the lengths are <= "
            f"{got}, fewer than share = {share:.1%}."
        )
    raise Hint(
        f"{what} is {got}, expected {expected}: {got} covers {covered:.1%} of the lengths, but "
        f"the shorter {expected} already covers at least {share:.1%}; return the smallest such L."
    )


@exercise_check("length_for_coverage")
def length_for_coverage(learner: Callable[..., Any]) -> str:
    """Check `length_for_coverage(lengths, share) -> L`, the sequence length to pad/truncate to.

    lengths is a 1-D array or list of ints (tokens per review), share a fraction in (0, 1].
    Returns the smallest integer L such that at least `share` of the lengths are <= L (a Python
    int or NumPy integer; always one of the given lengths). Judged on unsorted lists, repeated
    values, share = 1 (the maximum), a tiny share (the minimum), n = 1 and 2000 review-like
    lengths. Prints one line; returns True when it passes.
    """
    for label, lengths, share in _coverage_cases():
        _judge_coverage(learner, label, lengths, share)
    return (
        "the smallest length that covers the share, on unsorted lists, repeated values, share 1, "
        "a tiny share, one review and 2000 review-like lengths."
    )


# --------------------------------------------------------------------------- is_padding_invariant

#: The fake models' vocabulary: id 0 is the padding, id 1 is [UNK], 2..V-1 are words.
_VOCAB = 20
_EMBED = 4


class _Model:
    """A cheap stand-in for a Keras classifier: a callable from ids (B, T) to scores (B, ...).

    It records every input it is given (as a NumPy array), so that a failed check can say what
    the learner fed it. Called, it returns a tensor; `predict` returns a NumPy array, as a Keras
    model's do.
    """

    def __init__(self, scores: Callable[[np.ndarray], np.ndarray]) -> None:
        self.scores = scores
        self.calls: list[np.ndarray] = []
        self._tf = import_tensorflow()

    def __call__(self, ids: Any, training: bool = False) -> Any:
        """Return the scores as a TensorFlow tensor, as calling a Keras model does."""
        return self._tf.constant(self._scores(ids))

    def predict(self, ids: Any, verbose: Any = 0, **kwargs: Any) -> np.ndarray:
        """Return the scores as a NumPy array, as Keras's predict does."""
        return self._scores(ids)

    def _scores(self, ids: Any) -> np.ndarray:
        array = np.asarray(ids)
        if array.ndim != 2:
            raise ValueError(
                f"this model reads a batch of token ids of shape (B, T); it was given shape "
                f"{array.shape}"
            )
        if not np.issubdtype(array.dtype, np.number) or not np.all(array == np.round(array)):
            raise ValueError(f"token ids are whole numbers; this model was given {array.dtype}")
        if array.size and (array.min() < 0 or array.max() >= _VOCAB):
            raise ValueError(
                f"token ids run from 0 (the padding) to {_VOCAB - 1}; this model was given ids "
                f"from {array.min()} to {array.max()}"
            )
        array = array.astype(np.int64)
        self.calls.append(array.copy())
        return self.scores(array)


def _embedding() -> np.ndarray:
    """E (V, 4): words in (-1, 1); the padding's row is 2 everywhere, as an Embedding without a
    mask would read it, far from every word."""
    E = np.tanh(np.random.default_rng(7).normal(size=(_VOCAB, _EMBED)))
    E[0] = 2.0
    return E


def _masked_average(ids: np.ndarray) -> np.ndarray:
    real = (ids != 0)[:, :, None]
    return (_embedding()[ids] * real).sum(axis=1) / np.maximum(real.sum(axis=1), 1)


def _invariant(ids: np.ndarray) -> np.ndarray:
    """Mean embedding of the real tokens; the longer input changes the last digits (1e-6
    relative at 10 extra steps), as float32 arithmetic on a longer input does."""
    return (_masked_average(ids) * (1.0 + 1e-7 * ids.shape[1])).astype(np.float32)


def _mean_all(ids: np.ndarray) -> np.ndarray:
    """Mean embedding over all T positions, padding included (no mask)."""
    return _embedding()[ids].mean(axis=1).astype(np.float32)


def _decaying_state(ids: np.ndarray) -> np.ndarray:
    """h_t = 0.6 h_{t-1} + e(x_t) over every position, the last state scored: like a GRU without
    a mask, it reads the padding last. Scores (B, 1)."""
    E = _embedding()
    h = np.zeros((ids.shape[0], _EMBED))
    for t in range(ids.shape[1]):
        h = 0.6 * h + E[ids[:, t]]
    return (h @ np.array([[0.5], [-0.3], [0.2], [0.4]])).astype(np.float32)


def _subtle(ids: np.ndarray) -> np.ndarray:
    """The masked mean plus up to 2e-3 that grows with the number of padding positions."""
    zeros = (ids == 0).sum(axis=1, keepdims=True)
    return (_masked_average(ids) + 2e-3 * (1.0 - 0.8**zeros)).astype(np.float32)


def _max_pool(ids: np.ndarray) -> np.ndarray:
    """Max over all positions, padding included: a row that already holds padding does not
    change when more is appended, a row without padding does."""
    return _embedding()[ids].max(axis=1).astype(np.float32)


def _last_real_state(ids: np.ndarray) -> np.ndarray:
    """A tanh RNN over every position, its state taken at the last real token: padding after
    that token cannot reach it, padding before the review can (no mask). Scores (B,)."""
    E = _embedding()
    W = np.random.default_rng(8).normal(scale=0.5, size=(_EMBED, _EMBED))
    h = np.zeros((ids.shape[0], _EMBED))
    states = []
    for t in range(ids.shape[1]):
        h = np.tanh(0.5 * h + E[ids[:, t]] @ W)
        states.append(h)
    last = ids.shape[1] - 1 - np.argmax((ids != 0)[:, ::-1], axis=1)  # last real position
    return np.stack(states, axis=1)[np.arange(ids.shape[0]), last].sum(axis=1).astype(np.float32)


def _unknown_share(ids: np.ndarray) -> np.ndarray:
    """The share of [UNK] (id 1) among the real tokens, and their mean embedding: id 1 is a
    real token, id 0 the padding."""
    real = ids != 0
    share = ((ids == 1) & real).sum(axis=1) / np.maximum(real.sum(axis=1), 1)
    return np.concatenate([share[:, None], _masked_average(ids)], axis=1).astype(np.float32)


def _ids(lengths: Sequence[int], steps: int, seed: int, dtype: Any = np.int64) -> np.ndarray:
    """Post-padded ids (B, T): words 2..V-1 with a few [UNK] (1), zeros after each length."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, _VOCAB, size=(len(lengths), steps))
    ids[rng.random(ids.shape) < 0.2] = 1
    return np.where(_post_mask(lengths, steps), ids, 0).astype(dtype)


#: (label, model, ids, extra and atol, or () for the defaults, whether the model is invariant).
_PaddingCase = tuple[str, Callable[[np.ndarray], np.ndarray], np.ndarray, tuple[Any, ...], bool]


def _padding_cases() -> list[_PaddingCase]:
    batch = _ids([5, 2, 8], 8, seed=9)
    return [
        ("a masked mean of embeddings (invariant)", _invariant, batch, (), True),
        ("a mean over all positions, padding included", _mean_all, batch, (), False),
        ("a decaying state that reads the padding last", _decaying_state, batch, (), False),
        (
            "a model whose scores move by about 1e-3 with the padding (atol=1e-5)",
            _subtle,
            batch,
            (),
            False,
        ),
        (
            "the same model with atol=1e-2, which counts 1e-3 as equal",
            _subtle,
            batch,
            (10, 1e-2),
            True,
        ),
        (
            "a max over all positions, where only the row without padding (the last) changes",
            _max_pool,
            batch,
            (),
            False,
        ),
        (
            "a state at the last real token (invariant to padding at the end, not at the front)",
            _last_real_state,
            batch,
            (),
            True,
        ),
        ("a model that reads id 1 ([UNK]) as a real token", _unknown_share, batch, (), True),
        (
            "one review (B = 1, int32), extra=3, the decaying state",
            _decaying_state,
            _ids([3], 5, seed=10, dtype=np.int32),
            (3, 1e-5),
            False,
        ),
        (
            "one review (B = 1), extra=1, the masked mean",
            _invariant,
            _ids([4], 6, seed=11),
            (1, 1e-5),
            True,
        ),
    ]


PADDING_NEVER_CALLED = (
    "your function never called the model: compute model(ids) and model(padded), with "
    "padded = np.pad(ids, ((0, 0), (0, extra))), and compare them."
)
PADDING_ALWAYS_TRUE = (
    "the model was never given padded ids, so you compared model(ids) with itself, which "
    "always says True: append `extra` zero columns, padded = np.pad(ids, ((0, 0), (0, extra))), "
    "and compare model(ids) with model(padded)."
)
PADDING_NO_ORIGINAL = (
    "the model was never given the original ids: compare model(ids) with model(padded)."
)
PADDING_FRONT = (
    "the padding was put at the front: the lesson pads at the end (padding='post'), and a model "
    "that is invariant to padding at the end can still change with padding at the front. "
    "Append the zeros: np.pad(ids, ((0, 0), (0, extra)))."
)
PADDING_VALUE = (
    "the padding is {value:g}, not 0: id 0 is the padding (mask_zero=True masks it), id 1 is "
    "[UNK], a real token. Pad with zeros: np.pad(ids, ((0, 0), (0, extra))) (constant 0)."
)
PADDING_AMOUNT = (
    "{got} columns were appended, not extra = {extra}: use the argument `extra`, "
    "np.pad(ids, ((0, 0), (0, extra)))."
)
PADDING_ROWS = (
    "the padding was added to the batch axis too (np.pad(ids, (0, extra)) pads both axes): "
    "pad only the steps, np.pad(ids, ((0, 0), (0, extra)))."
)
PADDING_FIRST_ROW = (
    "only the first row is compared: here the first review's scores do not change with the "
    "padding but another's do. Compare every row, np.allclose(a, b, atol=atol) on the whole "
    "arrays."
)
PADDING_OTHER = (
    "the model's wider input is not ids followed by `extra` zero columns: "
    "padded = np.pad(ids, ((0, 0), (0, extra)))."
)
PADDING_VALUES = (
    "although the scores differ by up to {diff:.3g} (more than atol = {atol:g}): compare "
    "the values, np.allclose(a, b, rtol=0, atol=atol) or np.max(np.abs(a - b)) <= atol; equal "
    "shapes are not equal scores."
)
PADDING_TOLERANCE = (
    "although the scores differ by up to {diff:.2g}, more than atol = {atol:g}: the "
    "tolerance is too loose. Use the argument `atol` in the comparison, np.allclose(a, b, "
    "rtol=0, atol=atol), not a fixed 0.1."
)
PADDING_EXACT = (
    "although the scores differ by at most {diff:.2g}, within atol = {atol:g}: a longer "
    "input changes a float computation in its last digits. Compare within the tolerance, "
    "np.allclose(a, b, rtol=0, atol=atol), not with == or np.array_equal."
)
PADDING_ATOL_IGNORED = (
    "although the scores differ by at most {diff:.2g}, within atol = {atol:g}: use the "
    "argument `atol` in the comparison, np.allclose(a, b, rtol=0, atol=atol)."
)


def _padding_input_problem(model: _Model, ids: np.ndarray, extra: int, complete: bool) -> str:
    """A hint when the model was not given ids with `extra` zero columns appended, or was given
    padding of another kind (at the front, another value, another amount, extra rows); with
    `complete`, also when some row of ids was not given both as it is and padded (a function
    may stop at the first row that changes, so this is asked only of a wrong answer). "" when
    the inputs are right."""
    if not model.calls:
        return PADDING_NEVER_CALLED
    T = ids.shape[1]
    rows = {tuple(row): b for b, row in enumerate(ids.tolist())}
    wider = [c for c in model.calls if c.shape[1] != T]
    if not wider:
        return PADDING_ALWAYS_TRUE
    plain = {
        rows[tuple(r)]
        for c in model.calls
        if c.shape[1] == T
        for r in c.tolist()
        if tuple(r) in rows
    }
    padded = set()
    for c in wider:
        k = c.shape[1] - T
        for r in c.tolist():
            head, tail = tuple(r[:T]), r[T:]
            if k == extra and head in rows and not any(tail):
                padded.add(rows[head])
            elif k == extra and tuple(r[extra:]) in rows and not any(r[:extra]):
                return PADDING_FRONT
            elif k == extra and head in rows and len(set(tail)) == 1:
                return PADDING_VALUE.format(value=tail[0])
            elif k > 0 and head in rows and not any(tail):
                return PADDING_AMOUNT.format(got=k, extra=extra)
            elif k > 0 and not any(r) and c.shape[0] > ids.shape[0]:
                return PADDING_ROWS
            else:
                return PADDING_OTHER
    if not complete:
        return ""
    everyone = set(range(ids.shape[0]))
    if padded == {0} and len(ids) > 1:
        return PADDING_FIRST_ROW
    if padded != everyone:
        return PADDING_OTHER
    return "" if plain == everyone else PADDING_NO_ORIGINAL


def _as_bool(value: Any, what: str) -> bool:
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, bool | np.bool_):
        return bool(value)
    tensor = not isinstance(value, np.ndarray) and hasattr(value, "numpy")
    if tensor and np.shape(value) != ():
        value = _as_numpy(value, what)
    if isinstance(value, np.ndarray):
        if value.shape == () and value.dtype == np.bool_:
            return bool(value)
        raise Hint(
            f"{what} is an array of shape {value.shape}: return one True or False for the "
            "whole batch, e.g. np.allclose(a, b, rtol=0, atol=atol) or (...).all()."
        )
    if hasattr(value, "numpy") or hasattr(value, "dtype"):
        raise Hint(f"{what} is a tensor ({type(value).__name__}): return a Python bool, bool(...).")
    raise Hint(f"{what} is {value!r}; return True or False (a bool).")


def _padding_advice(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, TypeError) and "positional argument" in text:
        return (
            "The signature is is_padding_invariant(model, ids, extra=10, atol=1e-5): extra and "
            "atol are positional and have these defaults."
        )
    if "this model reads" in text or "token ids" in text:
        return "Give the model an int array of token ids (B, T + extra), zeros appended."
    if "broadcast" in text or "shape" in text:
        return (
            "model(ids) and model(padded) should have the same shape: pad only the step axis, "
            "np.pad(ids, ((0, 0), (0, extra)))."
        )
    return ""


def _judge_padding(learner: Callable[..., Any], case: _PaddingCase) -> None:
    label, scores, ids, options, invariant = case
    extra, atol = options if options else (10, 1e-5)
    where = f"on {label}: "
    setting = f"extra={extra}, atol={atol:g}" if options else "the defaults"
    what = f"is_padding_invariant (with {setting}) {where.rstrip(': ')}"
    model = _Model(scores)
    result = _call(where, learner, model, ids, *options, on_error=_padding_advice)
    got = _as_bool(result, what)
    problem = _padding_input_problem(model, ids, extra, complete=got != invariant)
    if problem:
        raise Hint(where + problem)
    if got == invariant:
        return
    a = np.asarray(scores(ids), np.float64).reshape(len(ids), -1)
    b = np.asarray(scores(np.pad(ids, ((0, 0), (0, extra)))), np.float64).reshape(len(ids), -1)
    per_row = np.abs(a - b).max(axis=1)
    diff = float(per_row.max())
    returned = f"{where}your function returned {got} (with {setting}), "
    if got:
        if len(ids) > 1 and per_row[0] <= atol:
            raise Hint(where + PADDING_FIRST_ROW)
        template = PADDING_TOLERANCE if diff < 0.05 else PADDING_VALUES
        raise Hint(returned + template.format(diff=diff, atol=atol))
    template = PADDING_ATOL_IGNORED if options and atol != 1e-5 else PADDING_EXACT
    raise Hint(returned + template.format(diff=diff, atol=atol))


@exercise_check("is_padding_invariant")
def is_padding_invariant(learner: Callable[..., Any]) -> str:
    """Check `is_padding_invariant(model, ids, extra=10, atol=1e-5) -> bool`.

    model is any callable from an int array (B, T) of token ids (0 = padding, post-padded) to
    scores (B, ...), a Keras model or a plain function; ids (B, T). Returns True when model(ids)
    and the model's scores on ids with `extra` zero columns appended at the end agree within
    atol (every entry), else False; a Python bool or np.bool_; ids is left unchanged. Judged with
    cheap NumPy models: invariant ones (also with float noise in the last digits, and one that
    changes with padding at the front only), ones that read the padding (by far, and by 1e-3),
    one where only the row without padding changes, one that reads id 1 as a word, other values
    of extra and atol, and B = 1. Prints one line; returns True when it passes.
    """
    for case in _padding_cases():
        _judge_padding(learner, case)
    return (
        "tells invariant models from models that read the padding (by 0.5 or by 1e-3), pads "
        "every row at the end with `extra` zeros and compares within `atol`, for B = 1 too."
    )
