"""Checks for lesson 09, "Time-series forecasting": standardise, make_windows, roll_out.

Conventions of the lesson (COURSE_GUIDE section 6): batch-first; x_t is the input vector at
step t, shape (B, D) for D features; h_t is only ever an RNN's hidden state. A window is T
consecutive steps x_{t-T+1..t}, shape (T, D); the horizon is k: the target of a window is
y_{t+k}, the value k steps after the window's last step t; K is the number of steps of a
multi-step forecast. mu and sigma are the training part's per-column mean and standard
deviation. The Python arguments are window (= T), horizon (= k), stride and steps (= K).

- standardise(train, val, test) -> (train_n, val_n, test_n, mean, std): three consecutive parts
  of one series, 2-D float arrays (n_part, D) in time order; mean and std are the TRAINING part's
  per-column statistics, shape (D,), and every part becomes (x - mean) / std. A standard
  deviation with ddof=0 or ddof=1 is accepted (the same one returned and used), float32 or
  float64. All five results must be NumPy arrays: a list or a tensor gets a hint saying so.
  Judged on a trending 3-column series whose later parts have other means and spreads (columns
  of very different scales, parts of unequal lengths), on D = 1 with short parts, and on a
  float32 4-column series.
- make_windows(features, target, window, horizon, start, end, stride=1, batch_size=256,
  shuffle=False, seed=None) -> the batches of (inputs, targets) of the split [start, end):
  inputs (b, window, D) = features[i : i + window], targets target[i + window - 1 + horizon],
  shape (b,) or (b, K), for i = start, start + stride, ... while i + window - 1 + horizon < end.
  In time order for shuffle=False; shuffle=True shuffles the windows of the split, each input
  with its own target (any shuffle passes, seeded or not). The check iterates what comes back:
  a tf.data.Dataset, or any iterable of (inputs, targets) pairs that np.asarray can read (a
  list of batch tuples passes); a plain (X, y) tuple of arrays gets a hint asking for the
  batches. Feature column 0 of the check's series is the time step t (column j is t + j / 4)
  and target[t] = 1000 + t (column k of a 2-D target: 1000 * (k + 1) + t), so the hints name the
  steps that were used.
- roll_out(predict_next, window, steps) -> (B, steps, D) NumPy array: an autoregressive
  forecast. The check drives it with a deterministic nonlinear predict_next (NumPy: its own
  weights for each position of the window, the D features mixed) that accepts float32 or
  float64 arrays (B, T, D) and returns float32 (B, D); it checks every call as it happens (the
  window it gets must be the last T steps of the observed window followed by the predictions
  so far) and stops the learner's loop with a precise hint at the first wrong call. The result
  may be float32 or float64; a list of arrays or a tensor gets a hint asking for a NumPy array.

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies it and reports a function that changes it in place.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnncourse.checks._core import (
    Hint,
    call,
    close,
    exercise_check,
    expect_array,
    expect_close,
    expect_finite,
    learner_line,
)
from rnncourse.env import import_tensorflow

__all__ = ["make_windows", "roll_out", "standardise"]


def _is_tensor(value: Any) -> bool:
    return not isinstance(value, np.ndarray | np.generic) and hasattr(value, "numpy")


def _vec(values: Any) -> str:
    """Numbers as "[1.5, 1003, 0.25]" (4 significant digits)."""
    return "[" + ", ".join(f"{float(v):.4g}" for v in np.ravel(values)) + "]"


def _steps(values: Any) -> str:
    """Time steps as "10, 11, 12" (whole numbers without a decimal point)."""
    out = []
    for v in np.ravel(values):
        out.append(str(int(v)) if float(v).is_integer() else f"{float(v):.4g}")
    return ", ".join(out)


# --------------------------------------------------------------------------- standardise

_LEAK = (
    "the statistics were computed from train, val and test together: the validation and test "
    "values leaked into them. mu and sigma are part of the model and are fitted on the "
    "training part only, mean = train.mean(axis=0) and std = train.std(axis=0). With the leak, "
    "every part is scaled by numbers that know the future's level (on a trending series, where "
    "the later parts lie), which no forecaster knows when it forecasts, and the validation and "
    "test errors no longer measure a forecast made from the past alone."
)
_TRAIN_VAL = (
    "the statistics were computed from train and val together: the validation values leaked "
    "into them, so the validation score no longer measures a forecast of unseen data. Fit mean "
    "and std on the training part only, train.mean(axis=0) and train.std(axis=0)."
)
_OWN = (
    "{name} was standardised with its own mean and std: every part uses the TRAINING part's "
    "mean and std (the same mu and sigma for all three), because the model was fitted on that "
    "scale and a forecaster cannot know the statistics of the future; with its own statistics "
    "a part's level and spread are erased (a warmer test year would look like the training "
    "years)."
)
_VAL_STATS = (
    "the statistics come from the validation part (val.mean(axis=0), val.std(axis=0)): fit them "
    "on train, the part the model learns from, and apply them to all three parts."
)
_TEST_STATS = (
    "the statistics come from the test part (test.mean(axis=0), test.std(axis=0)): fit them on "
    "train, the part the model learns from; the test part must stay unseen until the end."
)
_PER_ROW = (
    "the statistics are per row (axis=1: the D different quantities of one time step averaged "
    "together, one number per step of train, which fits no other part). They are per column: "
    "mean = train.mean(axis=0) and std = train.std(axis=0), over the time steps of the training "
    "part, shape (D,)."
)
_ONE_NUMBER = (
    "one mean and one std for all the columns together (axis=None): the columns are different "
    "quantities with different units and scales (the training columns' standard deviations are "
    "{spreads} here), so each column needs its own: train.mean(axis=0) and train.std(axis=0), "
    "shape (D,)."
)
_VARIANCE = (
    "the division is by the variance (train.var(axis=0), sigma squared), not the standard "
    "deviation: use std = train.std(axis=0), so that each training column gets spread 1 "
    "(the variance is in squared units)."
)
_STD_ONLY = (
    "{name} was divided by std, but the mean was not subtracted: each part becomes "
    "(x - mean) / std, so that every training column has mean 0 and spread 1."
)
_MIN_MAX = (
    "that is min-max scaling ((x - min) / (max - min)): this exercise standardises, "
    "(x - mean) / std with the training part's mean and standard deviation (train.mean(axis=0), "
    "train.std(axis=0)), returned as mean and std."
)
_UNSCALED = (
    "{name} is unchanged: the validation and test parts are standardised too, with the training "
    "part's mean and std, e.g. val_n = (val - mean) / std; the model is trained on standardised "
    "inputs and must be given inputs on the same scale."
)
_KEEPDIMS = (
    "return mean and std as (D,) arrays, train.mean(axis=0) without keepdims=True (x - mean "
    "broadcasts with either shape, but the lesson indexes mean[j] to undo the scaling of "
    "column j)."
)
_SWAPPED = "mean and std are swapped: return (train_n, val_n, test_n, mean, std) in this order."
_DDOF = (
    "{name} was divided by a standard deviation with ddof={used}, but the std you return has "
    "ddof={returned}: divide by the std you return (either ddof is fine, the same one for both)."
)

#: (name, hint) of the catalogue of `standardise`; the tests give each its wrong implementation.
STANDARDISE_MISTAKES: list[tuple[str, str]] = [
    ("leak", _LEAK),
    ("train+val", _TRAIN_VAL),
    ("own statistics", _OWN),
    ("validation statistics", _VAL_STATS),
    ("test statistics", _TEST_STATS),
    ("per row", _PER_ROW),
    ("one number", _ONE_NUMBER),
    ("variance", _VARIANCE),
    ("std only", _STD_ONLY),
    ("min-max", _MIN_MAX),
    ("unscaled", _UNSCALED),
    ("keepdims", _KEEPDIMS),
    ("swapped", _SWAPPED),
    ("ddof", _DDOF),
]


def _one_number(case: _Parts) -> str:
    return _ONE_NUMBER.format(spreads=_vec(np.asarray(case.train, np.float64).std(axis=0)))


@dataclass(frozen=True)
class _Parts:
    label: str
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def _standardise_cases() -> list[_Parts]:
    """The cases; the first tells every catalogued mistake from the reference and the others."""
    rng = np.random.default_rng(9)
    t = np.arange(64, dtype=np.float64)
    trending = np.stack(
        [
            4.0 + 0.35 * t + 3.0 * np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 0.8, 64),
            1010.0 - 0.6 * t + 8.0 * np.cos(2 * np.pi * t / 9) + rng.normal(0.0, 2.0, 64),
            0.2 + 0.004 * t + 0.05 * rng.standard_normal(64),
        ],
        axis=1,
    )
    n = 220
    hours = np.arange(n, dtype=np.float64)
    walk = np.cumsum(rng.normal(0.0, 0.3, n))
    lesson_like = np.stack(
        [
            9.0 + walk + 4.0 * np.sin(2 * np.pi * hours / 24),
            70.0 - 12.0 * np.sin(2 * np.pi * hours / 24) + rng.normal(0.0, 3.0, n),
            np.maximum(0.0, rng.normal(0.0, 0.6, n)) ** 2,  # precipitation-like: many zeros
            np.abs(3.0 + rng.normal(0.0, 1.5, n)),
        ],
        axis=1,
    ).astype(np.float32)
    single = np.array([[2.0], [3.5], [1.0], [4.0], [6.0], [7.0], [9.0], [8.0], [11.0], [12.0]])
    return [
        _Parts(
            "a trending series of 3 columns of very different scales (train 40 steps, val 13, "
            "test 11; the later parts have other means and spreads)",
            trending[:40],
            trending[40:53],
            trending[53:],
        ),
        _Parts("D = 1, train 5 steps, val 2, test 3", single[:5], single[5:7], single[7:]),
        _Parts(  # float32 columns of |mean| / std < 30: float32 arithmetic stays within tolerance
            "a float32 series of 4 columns (train 150 steps, val 40, test 30)",
            lesson_like[:150],
            lesson_like[150:190],
            lesson_like[190:],
        ),
    ]


def _stat_array(value: Any, what: str, case: _Parts) -> np.ndarray:
    """The learner's mean or std as a float64 (D,) array; the shapes of the axis mistakes named."""
    n, d = case.train.shape
    said = f"{what} has shape {np.shape(value)} but expected ({d},): "
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if d > 1:
            raise Hint(f"{what} is one number, but train has D = {d} columns: " + _one_number(case))
        raise Hint(f"{what} is a Python number; return a NumPy array of shape (1,) for D = 1")
    if isinstance(value, np.ndarray | np.generic):
        shape = np.shape(value)
        if shape != (d,):
            if shape in ((n,), (n, 1)):
                raise Hint(said + _PER_ROW)
            if shape == (1, d):
                raise Hint(said + _KEEPDIMS)
            if d > 1 and shape in ((), (1,), (1, 1)):
                raise Hint(said + _one_number(case))
    return expect_array(
        value,
        what,
        (d,),
        "one number per column (feature) of the training part, e.g. train.mean(axis=0)",
    )


def _std_hint(got: np.ndarray, case: _Parts) -> str | None:
    """The hint of a catalogued wrong std, or None."""
    train, val, test = case.train, case.val, case.test
    sources = [
        (np.concatenate([train, val, test]), _LEAK),
        (np.concatenate([train, val]), _TRAIN_VAL),
        (val, _VAL_STATS),
        (test, _TEST_STATS),
    ]
    for ddof in (0, 1):
        if close(got, train.var(axis=0, ddof=ddof)):
            return _VARIANCE
        for x, hint in sources:
            if len(x) > ddof and close(got, x.std(axis=0, ddof=ddof)):
                return hint
        if close(got, np.full(train.shape[1], train.std(ddof=ddof))):
            return _one_number(case)
    if close(got, train.max(axis=0) - train.min(axis=0)):
        return _MIN_MAX
    return None


def _mean_hint(got: np.ndarray, case: _Parts) -> str | None:
    """The hint of a catalogued wrong mean, or None."""
    train, val, test = case.train, case.val, case.test
    for x, hint in (
        (np.concatenate([train, val, test]), _LEAK),
        (np.concatenate([train, val]), _TRAIN_VAL),
        (val, _VAL_STATS),
        (test, _TEST_STATS),
    ):
        if close(got, x.mean(axis=0)):
            return hint
    if close(got, np.full(train.shape[1], train.mean())):
        return _one_number(case)
    if close(got, train.min(axis=0)):
        return _MIN_MAX
    return None


def _part_mistakes(name: str, x: np.ndarray, case: _Parts, ddof: int) -> list[tuple[Any, str]]:
    """(wrong result, hint) for part `x` (called `name`) standardised the catalogued wrong ways."""
    train, val, test = case.train, case.val, case.test
    mean, std = train.mean(axis=0), train.std(axis=0, ddof=ddof)
    mistakes: list[tuple[Any, str]] = []
    if name != "train_n":
        mistakes += [
            ((x - x.mean(axis=0)) / x.std(axis=0, ddof=d), _OWN.format(name=name))
            for d in (0, 1)
            if len(x) > d
        ]
        mistakes.append((x, _UNSCALED.format(name=name)))
    mistakes += [
        (x / std, _STD_ONLY.format(name=name)),
        ((x - mean) / train.var(axis=0, ddof=0), _VARIANCE),
        ((x - mean) / train.var(axis=0, ddof=1), _VARIANCE),
        ((x - train.min(axis=0)) / (train.max(axis=0) - train.min(axis=0)), _MIN_MAX),
        ((x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)), _MIN_MAX),
        (
            (x - mean) / train.std(axis=0, ddof=1 - ddof),
            _DDOF.format(name=name, used=1 - ddof, returned=ddof),
        ),
    ]
    for source, hint in (
        (np.concatenate([train, val, test]), _LEAK),
        (np.concatenate([train, val]), _TRAIN_VAL),
        (val, _VAL_STATS),
        (test, _TEST_STATS),
    ):
        mistakes += [
            ((x - source.mean(axis=0)) / source.std(axis=0, ddof=d), hint)
            for d in (0, 1)
            if len(source) > d
        ]
    for d in (0, 1):
        mistakes.append(((x - train.mean()) / train.std(ddof=d), _one_number(case)))
        mistakes.append(((x - x.mean()) / x.std(ddof=d), _one_number(case)))
        if x.shape[1] > 1:
            row_mean, row_std = x.mean(axis=1, keepdims=True), x.std(axis=1, keepdims=True, ddof=d)
            mistakes.append(((x - row_mean) / row_std, _PER_ROW))
    return mistakes


def _five(value: Any) -> tuple[Any, ...]:
    if value is None:
        raise Hint("standardise returned None: did you forget the `return` statement?")
    if not isinstance(value, tuple | list):
        raise Hint(
            f"standardise returned one {type(value).__name__}; return five values, "
            "`return train_n, val_n, test_n, mean, std`"
        )
    if len(value) != 5:
        raise Hint(
            f"standardise returned {len(value)} values; return five, "
            "`return train_n, val_n, test_n, mean, std`"
        )
    return tuple(value)


def _judge_standardise(result: Any, case: _Parts) -> None:
    train_n, val_n, test_n, mean, std = _five(result)
    case = _Parts(case.label, *(x.astype(np.float64) for x in (case.train, case.val, case.test)))
    train, val, test = case.train, case.val, case.test  # float64: exact expectations
    mean = _stat_array(mean, "mean", case)
    std = _stat_array(std, "std", case)
    parts = {}
    for name, x, got in (
        ("train_n", train, train_n),
        ("val_n", val, val_n),
        ("test_n", test, test_n),
    ):
        parts[name] = expect_array(got, name, x.shape, f"the same shape as {name[:-2]}")
    want_mean = train.mean(axis=0)
    stds = {d: train.std(axis=0, ddof=d) for d in (0, 1)}
    if not close(mean, want_mean):
        if any(close(mean, s) for s in stds.values()) and close(std, want_mean):
            raise Hint(_SWAPPED)
        said = (
            f"mean is {_vec(mean)}, but the training part's per-column mean is {_vec(want_mean)}: "
        )
        hint = _mean_hint(mean, case)
        raise Hint(said + (hint or "mean = train.mean(axis=0), one number per column."))
    ddof = next((d for d, s in stds.items() if close(std, s)), None)
    if ddof is None:
        said = (
            f"std is {_vec(std)}, but the training part's per-column standard deviation is "
            f"{_vec(stds[0])} (ddof=0) or {_vec(stds[1])} (ddof=1): "
        )
        hint = _std_hint(std, case)
        raise Hint(said + (hint or "std = train.std(axis=0), one number per column."))
    for name, x in (("train_n", train), ("val_n", val), ("test_n", test)):
        want = (x - want_mean) / stds[ddof]
        said = f"{name} is not ({name[:-2]} - mean) / std with the training part's mean and std: "
        mistakes = [(wrong, said + hint) for wrong, hint in _part_mistakes(name, x, case, ddof)]
        try:
            expect_close(parts[name], want, name, mistakes)
        except Hint as hint:
            text = str(hint)
            raise Hint(text if text.startswith(said) else said + text) from None


def _standardise_advice(exc: Exception) -> str:
    if isinstance(exc, ValueError) and "broadcast" in str(exc):
        return (
            "A shape mismatch, typically from statistics per row (axis=1), one number per time "
            "step of train, which fit no other part: the statistics are per column, "
            "train.mean(axis=0) of shape (D,), which broadcasts against every part (n_part, D)."
        )
    return ""


@exercise_check("standardise")
def standardise(learner: Callable[..., Any]) -> str:
    """Check `standardise(train, val, test) -> (train_n, val_n, test_n, mean, std)`.

    train, val, test: consecutive parts of one series in time order, float arrays (n_part, D).
    mean and std: NumPy arrays (D,), the per-column mean and standard deviation of the TRAINING
    part only (ddof=0 or ddof=1); train_n, val_n, test_n: NumPy arrays of the parts' shapes,
    each (x - mean) / std. Judged on a trending series whose later parts have other means and
    spreads, D = 1 with short parts, and float32 input. Prints one line; returns True when it
    passes.
    """
    cases = _standardise_cases()
    for case in cases:
        where = f"on {case.label}: "
        result = call(
            learner, case.train, case.val, case.test, where=where, on_error=_standardise_advice
        )
        try:
            _judge_standardise(result, case)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "every part is (x - mean) / std with the training part's per-column mean and std, "
        f"shape (D,): nothing of val or test leaks into them ({len(cases)} cases: a trending "
        "series, D = 1, float32)."
    )


# --------------------------------------------------------------------------- make_windows

#: target[t] = TARGET_BASE + t (column k of a 2-D target: TARGET_BASE * (k + 1) + t), above
#: every feature value, so that a target taken from the features shows.
TARGET_BASE = 1000


@dataclass(frozen=True)
class _WindowCase:
    label: str
    n: int
    d: int
    k_columns: int  # 0: a 1-D target
    window: int
    horizon: int
    start: int
    end: int
    stride: int
    batch_size: int
    shuffle: bool
    seed: int | None

    def features(self) -> np.ndarray:
        t = np.arange(self.n, dtype=np.float32)[:, None]
        return (t + np.arange(self.d, dtype=np.float32)[None, :] / 4).astype(np.float32)

    def target(self) -> np.ndarray:
        t = np.arange(self.n, dtype=np.float32)
        if not self.k_columns:
            return (TARGET_BASE + t).astype(np.float32)
        columns = TARGET_BASE * np.arange(1, self.k_columns + 1, dtype=np.float32)
        return (t[:, None] + columns[None, :]).astype(np.float32)

    def starts(self) -> list[int]:
        """The expected window starts, in time order."""
        offset = self.window - 1 + self.horizon
        return list(range(self.start, self.end - offset, self.stride))

    def target_step(self, start: int) -> int:
        return start + self.window - 1 + self.horizon

    def args(self) -> tuple[Any, ...]:
        return (
            self.features(),
            self.target(),
            self.window,
            self.horizon,
            self.start,
            self.end,
            self.stride,
            self.batch_size,
            self.shuffle,
            self.seed,
        )


def _window_cases() -> list[_WindowCase]:
    """Three small cases (each costs the learner's Keras call and a dataset iteration): a split in
    the middle of the series with k > 1 and a batch_size that does not divide the count (it tells
    the unshuffled mistakes apart), the whole series with k = 1, stride 3, D = 1 and a 2-D target,
    and a shuffled split with D = 3."""
    return [
        _WindowCase(
            "a split in the middle, [start, end) = [10, 30) of n = 40 steps, window T = 5, "
            "horizon k = 3, stride 1, D = 2, a 1-D target, batch_size = 4 (13 windows)",
            n=40,
            d=2,
            k_columns=0,
            window=5,
            horizon=3,
            start=10,
            end=30,
            stride=1,
            batch_size=4,
            shuffle=False,
            seed=None,
        ),
        _WindowCase(
            "the whole series, [0, 50) of n = 50 steps, T = 6, k = 1, stride = 3, D = 1, a 2-D "
            "target (K = 2 values per step), batch_size = 256 (15 windows)",
            n=50,
            d=1,
            k_columns=2,
            window=6,
            horizon=1,
            start=0,
            end=50,
            stride=3,
            batch_size=256,
            shuffle=False,
            seed=None,
        ),
        _WindowCase(
            "shuffle=True, seed = 7, the split [20, 60) of n = 80 steps, T = 4, k = 2, stride 1, "
            "D = 3, a 1-D target, batch_size = 8 (35 windows)",
            n=80,
            d=3,
            k_columns=0,
            window=4,
            horizon=2,
            start=20,
            end=60,
            stride=1,
            batch_size=8,
            shuffle=True,
            seed=7,
        ),
    ]


_ARRAYS = (
    "make_windows returned a tuple of two arrays (shapes {shapes}): return the batches instead, "
    "the tf.data.Dataset that keras.utils.timeseries_dataset_from_array makes, which yields "
    "(inputs, targets) batches that model.fit streams (and can reshuffle every epoch)."
)
_ENDLESS = (
    "the dataset did not end after {count} batches, more than the series has windows: did you "
    "call .repeat()? Return one pass over the split's windows (model.fit repeats it per epoch)."
)
_UNBATCHED = (
    "the dataset yields single windows, inputs of shape {shape} = (T, D), not batches: pass "
    "batch_size=batch_size, so that it yields (b, T, D) inputs."
)
_WINDOW_SHORT = (
    "each input has {got} steps, one fewer than window = {window}: a window is T consecutive "
    "steps, features[i : i + window] (sequence_length=window)."
)
_WINDOW_LONG = (
    "each input has {got} steps, one more than window = {window}: a window is T consecutive "
    "steps, features[i : i + window] (sequence_length=window)."
)
_FROM_FEATURES = (
    "the targets are values of features (the first window's target is {value}, a feature value "
    "at step {step}), not of target: the targets come from the argument target, "
    "target[i + window - 1 + horizon] (the array the model must forecast)."
)
_OVERLAP = (
    "the first window covers steps {first}..{last} and its target is y at step {got}, the "
    "window's last step, but the horizon k = {k} asks for step {want}: the target overlaps the "
    "input (the model would only copy a value it reads). The target of the window starting at "
    "i is target[i + window - 1 + horizon]."
)
_TOO_FAR = (
    "the first window covers steps {first}..{last} and its target is y at step {got}, one step "
    "too far: the horizon k = {k} asks for step {want} = {last} + {k}, k steps after the "
    "window's last step. The target of the window starting at i is "
    "target[i + window - 1 + horizon], not target[i + window + horizon]."
)
_NO_WINDOW_OFFSET = (
    "the first window covers steps {first}..{last} and its target is y at step {got} = i + "
    "horizon, inside the window: the horizon counts from the window's LAST step, i + window - 1, "
    "so the target is target[i + window - 1 + horizon], step {want}."
)
_ONE_SHORT = (
    "the first window covers steps {first}..{last} and its target is y at step {got}, one step "
    "before what the horizon k = {k} asks for, step {want} = {last} + {k}: the target is "
    "target[i + window - 1 + horizon]."
)
_OFFSET = (
    "the first window covers steps {first}..{last} and its target is y at step {got}, but the "
    "horizon k = {k} asks for step {want} = {last} + {k}: the target is "
    "target[i + window - 1 + horizon]."
)
_PAIRS_BROKEN = (
    "the inputs and the targets were shuffled separately: the window covering steps "
    "{first}..{last} came with the target of step {got}, not its own (step {want}). Shuffle the "
    "(input, target) pairs together: pass shuffle=True and seed to "
    "timeseries_dataset_from_array with the targets, or shuffle a dataset of pairs."
)
_OUTSIDE = (
    "windows from outside the split [start, end) = [{start}, {end}): {detail}. Use only the "
    "steps start..end - 1, inputs and targets: the inputs come from features[start : end - "
    "horizon], the targets from target[start + window - 1 + horizon : end]."
)
_END_INPUTS_ONLY = (
    "every input lies in the split [{start}, {end}), but the window starting at step {s} has its "
    "target at step {u}, at or after end = {end}: in the next split, which the model must not "
    "see. A target k steps after the window must lie in the split too: stop the inputs at "
    "end - horizon (features[start : end - horizon]), so that the last target is at most "
    "end - 1."
)
_ACROSS = (
    "windows from outside the split [{start}, {end}) were shuffled in (one starts at step {s}): "
    "shuffling the windows of the whole series and then taking a part of them mixes the "
    "splits, so the windows of another split leak into this one. Make the windows of this "
    "split only (features[start : end - horizon]) and shuffle among them (shuffle=True, "
    "seed=seed)."
)
_STRIDE = (
    "consecutive windows start 1 step apart, but stride = {stride} asks for a window every "
    "{stride} steps (starts {want}, ...): pass sequence_stride=stride."
)
_DUPLICATE = "the window starting at step {s} comes {count} times: each window once."
_MISSING = (
    "the window starting at step {s} (inputs {s}..{last}, target at step {u} < end = {end}) is "
    "missing: windows start at start, start + stride, ... for as long as "
    "i + window - 1 + horizon < end."
)
_UNEXPECTED = (
    "a window starts at step {s}, but the windows start at start + j * stride: {want}, ..."
)
_NOT_SHUFFLED = (
    "shuffle=True, but the windows come in time order (starts {got}, ...): pass "
    "shuffle=shuffle and seed=seed to timeseries_dataset_from_array."
)
_BATCHES_ONLY = (
    "only the order of the batches was shuffled: each batch holds consecutive windows (starts "
    "{got}), so each gradient step sees one stretch of time. Shuffle the windows themselves "
    "(shuffle=True in timeseries_dataset_from_array, or .shuffle() before .batch())."
)
_SHUFFLED_WHEN_NOT = (
    "shuffle=False, but the windows are not in time order (starts {got}, ...): without "
    "shuffling they start at start, start + stride, ... in increasing order."
)
_BATCH_SIZE = (
    "the batches hold {sizes} windows, but batch_size = {batch_size} asks for batches of "
    "{batch_size} (the last one may be smaller): pass batch_size=batch_size."
)

#: (name, hint) of the catalogue of `make_windows`.
WINDOW_MISTAKES: list[tuple[str, str]] = [
    ("overlap", _OVERLAP),
    ("too far", _TOO_FAR),
    ("no window offset", _NO_WINDOW_OFFSET),
    ("one short", _ONE_SHORT),
    ("outside", _OUTSIDE),
    ("end on inputs only", _END_INPUTS_ONLY),
    ("across the boundary", _ACROSS),
    ("pairs broken", _PAIRS_BROKEN),
    ("not shuffled", _NOT_SHUFFLED),
    ("batches only", _BATCHES_ONLY),
    ("shuffled when not", _SHUFFLED_WHEN_NOT),
    ("stride", _STRIDE),
    ("window short", _WINDOW_SHORT),
    ("window long", _WINDOW_LONG),
    ("batch size", _BATCH_SIZE),
    ("from features", _FROM_FEATURES),
    ("arrays", _ARRAYS),
]


def _as_numbers(value: Any, what: str) -> np.ndarray:
    """A batch's inputs or targets as a float64 array (tensors accepted), or a Hint."""
    if value is None:
        raise Hint(f"{what} are None")
    try:
        array = np.asarray(value)
    except Exception as exc:
        raise Hint(f"{what} have type {type(value).__name__}; expected arrays of numbers") from exc
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise Hint(
            f"{what} have type {type(value).__name__} (dtype {array.dtype}); expected numbers"
        )
    return expect_finite(array, what)


def _collect(result: Any, case: _WindowCase) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Iterate the learner's dataset once: its batches' inputs and targets as float64 arrays."""
    if result is None:
        raise Hint("make_windows returned None: did you forget the `return` statement?")
    if isinstance(result, tuple | list) and len(result) == 2:
        first = result[0]
        if (isinstance(first, np.ndarray) or _is_tensor(first)) and np.ndim(first) == 3:
            shapes = ", ".join(str(tuple(np.shape(v))) for v in result)
            raise Hint(_ARRAYS.format(shapes=shapes))
    if isinstance(result, np.ndarray) or _is_tensor(result):
        raise Hint(
            f"make_windows returned one array of shape {tuple(np.shape(result))}; return the "
            "dataset of (inputs, targets) batches, keras.utils.timeseries_dataset_from_array(...)"
        )
    if isinstance(result, str | bytes | dict | numbers.Number):
        raise Hint(
            f"make_windows returned a {type(result).__name__}; return the dataset of (inputs, "
            "targets) batches, keras.utils.timeseries_dataset_from_array(...)"
        )
    try:
        iterator = iter(result)
    except TypeError:
        raise Hint(
            f"make_windows returned a {type(result).__name__}, which cannot be iterated; return "
            "the dataset of (inputs, targets) batches"
        ) from None
    limit = 2 * case.n + 10
    items: list[Any] = []
    try:
        for item in iterator:
            items.append(item)
            if len(items) > limit:
                raise Hint(_ENDLESS.format(count=limit))
    except Hint:
        raise
    except Exception as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        where = learner_line(exc)
        message = f"iterating over the dataset raised {type(exc).__name__}: {text}"
        raise Hint(message + (f" at {where}" if where else "")) from None
    if not items:
        raise Hint(
            f"the dataset is empty, but the split holds {len(case.starts())} windows: check the "
            "slices of features and target (features[start : end - horizon], "
            "target[start + window - 1 + horizon : end])"
        )
    inputs, targets = [], []
    for number, item in enumerate(items):
        if isinstance(item, dict) or not isinstance(item, tuple | list) or len(item) != 2:
            kind = f"a {type(item).__name__}"
            if isinstance(item, tuple | list):
                kind += f" of {len(item)} items"
            elif np.ndim(item):
                kind += f" of shape {tuple(np.shape(item))}"
            raise Hint(
                f"batch {number} of the dataset is {kind}, not a pair (inputs, targets): give "
                "timeseries_dataset_from_array the targets too (targets=target[...])"
            )
        inputs.append(_as_numbers(item[0], f"the inputs of batch {number}"))
        targets.append(_as_numbers(item[1], f"the targets of batch {number}"))
    return inputs, targets


def _check_batch_shapes(
    inputs: list[np.ndarray], targets: list[np.ndarray], case: _WindowCase
) -> None:
    window, d = case.window, case.d
    features = case.features()
    for number, (x, y) in enumerate(zip(inputs, targets, strict=True)):
        if x.shape == (window, d):
            raise Hint(_UNBATCHED.format(shape=x.shape))
        if x.ndim != 3:
            raise Hint(
                f"the inputs of batch {number} have shape {x.shape}; expected (b, T, D) = "
                f"(b, {window}, {d}): b windows of T steps of the D features"
            )
        if x.shape[2] != d:
            raise Hint(
                f"the inputs have {x.shape[2]} values per step, but features has D = {d} "
                "columns: a window holds every column, features[i : i + window]"
            )
        if x.shape[1] != window:
            if x.shape[1] == window - 1:
                raise Hint(_WINDOW_SHORT.format(got=x.shape[1], window=window))
            if x.shape[1] == window + 1:
                raise Hint(_WINDOW_LONG.format(got=x.shape[1], window=window))
            raise Hint(
                f"each input has {x.shape[1]} steps, but window = {window}: "
                "features[i : i + window] (sequence_length=window)"
            )
        b = x.shape[0]
        if b == 0:
            raise Hint(f"batch {number} of the dataset is empty: every batch holds >= 1 window")
        if y.shape[:1] != (b,):
            raise Hint(
                f"batch {number} holds {b} inputs but targets of shape {y.shape}: one target "
                "per window"
            )
        want = (b, case.k_columns) if case.k_columns else (b,)
        if y.size and np.all(y < TARGET_BASE):
            value = float(y.ravel()[0])
            step = _feature_step(value, features)
            raise Hint(_FROM_FEATURES.format(value=f"{value:g}", step=step))
        if y.shape != want:
            if not case.k_columns and y.shape == (b, 1):
                raise Hint(
                    f"the targets of batch {number} have shape {y.shape}, but target is 1-D: "
                    f"each batch's targets are (b,) = ({b},), one number per window"
                )
            raise Hint(
                f"the targets of batch {number} have shape {y.shape}, expected {want}: one row "
                "of target per window, target[i + window - 1 + horizon]"
            )


def _feature_step(value: float, features: np.ndarray) -> str:
    hits = np.argwhere(features == value)
    return str(int(hits[0][0])) if len(hits) else "?"


def _decode(
    inputs: np.ndarray, targets: np.ndarray, case: _WindowCase
) -> tuple[list[int], list[int]]:
    """Each window's start step and target step, checked against features and target."""
    features, target = case.features(), case.target()
    window = case.window
    starts, target_steps = [], []
    for number in range(len(inputs)):
        x = inputs[number]
        s = float(x[0, 0])
        ok = s.is_integer() and 0 <= s <= case.n - window
        if not ok or not np.array_equal(x, features[int(s) : int(s) + window]):
            raise Hint(
                f"window {number} holds the steps {_steps(x[:, 0])} (feature column 0 is the "
                f"step t): a window is T = {window} consecutive rows of features, "
                "features[i : i + window], every column"
            )
        y = targets[number]
        first = float(np.ravel(y)[0]) - TARGET_BASE
        ok = first.is_integer() and 0 <= first < case.n
        if not ok or not np.array_equal(y, target[int(first)]):
            raise Hint(
                f"the target of window {number} is {_vec(y)}, not a row of target (target[t] = "
                f"{TARGET_BASE} + t here): the targets are target[i + window - 1 + horizon]"
            )
        starts.append(int(s))
        target_steps.append(int(first))
    return starts, target_steps


def _judge_windows(
    starts: list[int], target_steps: list[int], sizes: list[int], case: _WindowCase
) -> None:
    window, k, stride = case.window, case.horizon, case.stride
    want = case.starts()
    last = [s + window - 1 for s in starts]
    offsets = [u - e for u, e in zip(target_steps, last, strict=True)]
    # 1. each window's own target
    if len(set(offsets)) > 1:
        n = next(i for i, o in enumerate(offsets) if o != k) if k in offsets else 0
        fields = dict(first=starts[n], last=last[n], got=target_steps[n], want=last[n] + k)
        if sorted(starts) == want and sorted(target_steps) == [case.target_step(s) for s in want]:
            raise Hint(_PAIRS_BROKEN.format(**fields))
        raise Hint(
            "the window covering steps {first}..{last} has its target at step {got}, but the "
            "horizon k asks for step {want}: each window's target is "
            "target[i + window - 1 + horizon], its own".format(**fields)
        )
    offset = offsets[0]
    if offset != k:
        fields = dict(first=starts[0], last=last[0], got=target_steps[0], want=last[0] + k, k=k)
        if offset == 0:
            raise Hint(_OVERLAP.format(**fields))
        if offset == k + 1:
            raise Hint(_TOO_FAR.format(**fields))
        if offset == k - (window - 1):
            raise Hint(_NO_WINDOW_OFFSET.format(**fields))
        if offset == k - 1:
            raise Hint(_ONE_SHORT.format(**fields))
        raise Hint(_OFFSET.format(**fields))
    # 2. which windows
    if min(starts) < case.start or max(target_steps) >= case.end:
        if case.shuffle and len(starts) == len(want):
            s = next(s for s in starts if s < case.start or case.target_step(s) >= case.end)
            raise Hint(_ACROSS.format(start=case.start, end=case.end, s=s))
        if min(starts) >= case.start and max(last) < case.end:
            n = target_steps.index(max(target_steps))
            raise Hint(
                _END_INPUTS_ONLY.format(
                    start=case.start, end=case.end, s=starts[n], u=target_steps[n]
                )
            )
        if min(starts) < case.start:
            detail = f"a window starts at step {min(starts)}, before start"
        elif max(last) >= case.end:
            detail = f"a window's inputs reach step {max(last)}, at or after end"
        else:
            detail = f"a target lies at step {max(target_steps)}, at or after end"
        raise Hint(_OUTSIDE.format(start=case.start, end=case.end, detail=detail))
    if stride > 1 and len(starts) > len(want):
        ordered = sorted(starts)
        if all(b - a == 1 for a, b in zip(ordered, ordered[1:], strict=False)):
            raise Hint(_STRIDE.format(stride=stride, want=", ".join(map(str, want[:4]))))
    counts: dict[int, int] = {}
    for s in starts:
        counts[s] = counts.get(s, 0) + 1
    twice = next((s for s in starts if counts[s] > 1), None)
    if twice is not None:
        raise Hint(_DUPLICATE.format(s=twice, count=counts[twice]))
    unexpected = next((s for s in starts if s not in set(want)), None)
    if unexpected is not None:
        raise Hint(_UNEXPECTED.format(s=unexpected, want=", ".join(map(str, want[:4]))))
    missing = next((s for s in want if s not in counts), None)
    if missing is not None:
        raise Hint(
            _MISSING.format(
                s=missing, last=missing + window - 1, u=case.target_step(missing), end=case.end
            )
        )
    # 3. their order
    shown = ", ".join(map(str, starts[:6]))
    if case.shuffle:
        if starts == want:
            raise Hint(_NOT_SHUFFLED.format(got=shown))
        bounds = np.cumsum([0, *sizes])
        runs = [starts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        if all(r == list(range(r[0], r[0] + stride * len(r), stride)) for r in runs):
            raise Hint(_BATCHES_ONLY.format(got="; ".join(_steps(r) for r in runs[:2]) + "; ..."))
    elif starts != want:
        raise Hint(_SHUFFLED_WHEN_NOT.format(got=shown))
    # 4. the batches
    batch_size = case.batch_size
    if any(b != batch_size for b in sizes[:-1]) or not 1 <= sizes[-1] <= batch_size:
        raise Hint(_BATCH_SIZE.format(sizes=", ".join(map(str, sizes)), batch_size=batch_size))


def _windows_advice(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, IndexError):
        return (
            "An index past the end of the series: the last window starts at the last i with "
            "i + window - 1 + horizon < end, and end <= len(features)."
        )
    if "sequence_length" in text or "start_index" in text or "end_index" in text:
        return (
            "timeseries_dataset_from_array(data, targets, sequence_length=window, "
            "sequence_stride=stride, batch_size=batch_size, shuffle=shuffle, seed=seed); data "
            "= features[start : end - horizon], targets = target[start + window - 1 + horizon : "
            "end]."
        )
    return ""


@exercise_check("make_windows")
def make_windows(learner: Callable[..., Any]) -> str:
    """Check `make_windows(features, target, window, horizon, start, end, stride=1,
    batch_size=256, shuffle=False, seed=None)`.

    features: (n, D) float32; target: (n,) or (n, K), row t the target at step t. Returns the
    batches (inputs, targets) of the split [start, end), made with
    keras.utils.timeseries_dataset_from_array: inputs (b, window, D) = features[i : i + window],
    targets target[i + window - 1 + horizon], for i = start, start + stride, ... while
    i + window - 1 + horizon < end; in time order, or shuffled within the split (each input
    with its own target) when shuffle=True; batches of batch_size, the last one possibly
    smaller. Judged on a split in the middle with k = 3, the whole series with k = 1, stride 3,
    D = 1 and a 2-D target, and a shuffled split. Prints one line; returns True when it passes.
    """
    import_tensorflow()  # the learner's Keras: TensorFlow's load-time messages stay hidden
    cases = _window_cases()
    for case in cases:
        where = f"on {case.label}: "
        result = call(learner, *case.args(), where=where, on_error=_windows_advice)
        try:
            inputs, targets = _collect(result, case)
            _check_batch_shapes(inputs, targets, case)
            starts, target_steps = _decode(np.concatenate(inputs), np.concatenate(targets), case)
            _judge_windows(starts, target_steps, [len(x) for x in inputs], case)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "inputs features[i : i + window], targets target[i + window - 1 + horizon], every step "
        "of both inside [start, end), windows every stride steps, shuffled in pairs when asked, "
        f"in batches of batch_size ({len(cases)} cases: k = 1 and 3, stride 1 and 3, 1-D and "
        "2-D targets, a shuffled split)."
    )


# --------------------------------------------------------------------------- roll_out


class _Misuse(Exception):
    """Raised by the check's predict_next inside the learner's loop: the hint to show."""


@dataclass(frozen=True)
class _RollCase:
    label: str
    batch: int
    window: int
    d: int
    steps: int
    dtype: str
    seed: int

    def observed(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        shape = (self.batch, self.window, self.d)
        return (0.8 * rng.standard_normal(shape)).astype(np.float32).astype(self.dtype)


def _roll_cases() -> list[_RollCase]:
    return [
        _RollCase(
            "B = 3 windows of T = 5 steps, D = 4 features, steps = 7 (more than T: the last "
            "windows hold only predictions)",
            3,
            5,
            4,
            7,
            "float32",
            91,
        ),
        _RollCase("B = 1, T = 3, D = 1, steps = 1 (float64)", 1, 3, 1, 1, "float64", 92),
        _RollCase("B = 2, T = 4, D = 1, steps = 9", 2, 4, 1, 9, "float32", 93),
        _RollCase("B = 1, T = 6, D = 4, steps = 3", 1, 6, 4, 3, "float32", 94),
    ]


_NOT_UPDATED = (
    "call {call} of predict_next got the same window as call 1: the window was never updated, "
    "so every forecast would be the same one-step forecast. After each call drop the oldest step "
    "and append the prediction: window = np.concatenate([window[:, 1:], nxt[:, None, :]], "
    "axis=1)."
)
_FRONT = (
    "call {call} got the prediction at the FRONT of the window, as its oldest step: time runs "
    "along axis 1, oldest first, so the newest step, the prediction, goes at the end: "
    "np.concatenate([window[:, 1:], nxt[:, None, :]], axis=1)."
)
_DROP_NEWEST = (
    "call {call} got a window that kept its oldest step and dropped the newest one to make room "
    "for the prediction: drop the OLDEST step, window[:, 0], keep window[:, 1:], then append "
    "the prediction at the end."
)
_GROWS = (
    "call {call} of predict_next got a window of {got} steps, shape {shape}, but it takes T = "
    "{window} steps: the prediction was appended without dropping the oldest step. Keep the "
    "window at T steps: window[:, 1:] followed by the new step."
)
_SHRINKS = (
    "call {call} got a window of {got} steps, but it takes T = {window}: the oldest step was "
    "dropped but the prediction not appended, np.concatenate([window[:, 1:], nxt[:, None, :]], "
    "axis=1)."
)
_MIXED = (
    "call {call} got the prediction's numbers in the newest step of the window, but in another "
    "order (the batch and feature axes mixed up): the prediction has shape (B, D); append it "
    "as nxt[:, None, :] (or nxt.reshape(B, 1, D)), not nxt.T or a reshape of another layout."
)
_PER_WINDOW = (
    "predict_next got {got} window(s) at once, but B = {batch}: pass the whole batch of windows, "
    "shape (B, T, D) = {shape}, to each call."
)
_NO_BATCH = (
    "predict_next got an array of shape {got} without the batch axis: pass (B, T, D) = {shape}, "
    "e.g. window itself, not window[0]."
)
_FIRST_CALL = (
    "the first call of predict_next got a window that is not the observed one: start from "
    "window itself, shape (B, T, D), oldest step first."
)
_TOO_MANY = (
    "predict_next was called more than steps = {steps} times (call {call} came): one call per "
    "forecast step, for _ in range(steps)."
)
_TOO_FEW = (
    "predict_next was called {calls} time(s), but steps = {steps} forecasts need {steps} calls, "
    "each on the window updated with the previous prediction."
)
_LAST_OBSERVED = (
    "the first forecast returned is the last observed step, window[:, -1]: the result holds "
    "only the predictions, the first of them from the first call, shape (B, steps, D)."
)
_ONLY_LAST = (
    "only the last forecast was returned, shape {shape}: return all steps forecasts in order, "
    "np.stack(out, axis=1), shape (B, steps, D) = {want}."
)
_TRANSPOSED = (
    "the result has shape {shape} = (steps, B, D): np.array(out) of a list of (B, D) forecasts "
    "puts the steps first; stack them along axis 1, np.stack(out, axis=1), shape (B, steps, D) "
    "= {want}."
)
_RESHAPED = (
    "the result has the right shape but its numbers are scrambled: np.array(out).reshape(B, "
    "steps, D) reorders the numbers of a (steps, B, D) array instead of moving an axis; use "
    "np.stack(out, axis=1), or np.array(out).transpose(1, 0, 2)."
)
_WHOLE = (
    "the result has shape {shape}: it includes the observed window; return the steps "
    "predictions only, shape (B, steps, D) = {want}."
)
_REPEATED = (
    "every step of the result holds the first forecast: keep each call's own prediction, "
    "out.append(nxt) inside the loop."
)

#: (name, hint) of the catalogue of `roll_out`.
ROLL_MISTAKES: list[tuple[str, str]] = [
    ("not updated", _NOT_UPDATED),
    ("front", _FRONT),
    ("drop newest", _DROP_NEWEST),
    ("grows", _GROWS),
    ("shrinks", _SHRINKS),
    ("mixed", _MIXED),
    ("per window", _PER_WINDOW),
    ("too many", _TOO_MANY),
    ("too few", _TOO_FEW),
    ("last observed", _LAST_OBSERVED),
    ("only last", _ONLY_LAST),
    ("transposed", _TRANSPOSED),
    ("reshaped", _RESHAPED),
    ("whole", _WHOLE),
    ("repeated", _REPEATED),
]


class _Forecaster:
    """The check's predict_next: deterministic, nonlinear, its own (D, D) weights for each of the
    T positions of the window. Every call is checked against the window it must get (the last T
    steps of the observed window followed by the predictions returned so far); a misuse raises
    `_Misuse` (and is kept, in case the learner's code catches it)."""

    def __init__(self, case: _RollCase) -> None:
        self.case = case
        rng = np.random.default_rng(1000 + case.seed)
        t, d = case.window, case.d
        self.weights = rng.standard_normal((t, d, d)) * 1.6 / np.sqrt(t * d)
        self.weights += np.linspace(0.2, 1.0, t)[:, None, None] * np.eye(d) / t
        self.bias = 0.3 * rng.standard_normal(d)
        self.observed = case.observed()
        self.given: list[np.ndarray] = []
        self.returned: list[np.ndarray] = []
        self.misuse: str | None = None

    def forecast(self, window: np.ndarray) -> np.ndarray:
        pre = np.einsum("btd,tde->be", np.asarray(window, np.float64), self.weights) + self.bias
        return np.sin(2.0 * pre).astype(np.float32)  # bounded, and never settles to a constant

    def expected_window(self, call_number: int) -> np.ndarray:
        history = np.concatenate(
            [np.asarray(self.observed, np.float64)]
            + [p[:, None, :].astype(np.float64) for p in self.returned],
            axis=1,
        )
        return history[:, call_number - 1 : call_number - 1 + self.case.window]

    def _fail(self, message: str) -> None:
        if self.misuse is None:
            self.misuse = message
        raise _Misuse(message)

    def _diagnose(self, number: int, got: np.ndarray, want: np.ndarray) -> None:
        if number == 1:
            self._fail(_FIRST_CALL)
        if close(got, self.observed):
            self._fail(_NOT_UPDATED.format(call=number))
        prev, p = self.given[-1], self.returned[-1][:, None, :].astype(np.float64)
        front = (np.concatenate([p, prev[:, :-1]], 1), np.concatenate([p, prev[:, 1:]], 1))
        if any(close(got, f) for f in front):
            self._fail(_FRONT.format(call=number))
        if self.case.window > 1 and close(got, np.concatenate([prev[:, :-1], p], 1)):
            self._fail(_DROP_NEWEST.format(call=number))
        if close(got[:, :-1], want[:, :-1]) and close(
            np.sort(got[:, -1].ravel()), np.sort(p.ravel())
        ):
            self._fail(_MIXED.format(call=number))
        diff = np.abs(got - want).max(axis=(0, 2))
        step = int(np.argmax(diff))
        self._fail(
            f"call {number} of predict_next got a window whose step {step} (of 0..T-1) differs "
            f"from the expected one by up to {float(diff[step]):.3g}: each call gets the last "
            "T steps of (observed window, then the predictions so far), oldest first"
        )

    def __call__(self, window: Any) -> np.ndarray:
        case = self.case
        number = len(self.given) + 1
        shape = (case.batch, case.window, case.d)
        if number > case.steps:
            self._fail(_TOO_MANY.format(call=number, steps=case.steps))
        try:
            array = np.array(window, dtype=np.float64)  # a copy: the learner may reuse its array
        except Exception:
            self._fail(
                f"predict_next got a {type(window).__name__}; pass a float array (B, T, D) = "
                f"{shape}"
            )
        if array.shape != shape:
            got = array.shape
            if array.ndim == 3 and got[0] == case.batch and got[2] == case.d:
                if got[1] > case.window:
                    self._fail(
                        _GROWS.format(call=number, got=got[1], shape=got, window=case.window)
                    )
                self._fail(_SHRINKS.format(call=number, got=got[1], window=case.window))
            if array.ndim == 3 and got[1:] == shape[1:] and got[0] < case.batch:
                self._fail(_PER_WINDOW.format(got=got[0], batch=case.batch, shape=shape))
            if got == shape[1:]:
                self._fail(_NO_BATCH.format(got=got, shape=shape))
            self._fail(
                f"call {number} of predict_next got an array of shape {got}; it takes the "
                f"windows, shape (B, T, D) = {shape}"
            )
        if not np.isfinite(array).all():
            self._fail(f"call {number} of predict_next got a window that contains NaN or inf")
        want = self.expected_window(number)
        if not close(array, want):
            self._diagnose(number, array, want)
        prediction = self.forecast(array)
        self.given.append(array)
        self.returned.append(prediction)
        return prediction.copy()


def _judge_roll(result: Any, toy: _Forecaster) -> None:
    case = toy.case
    calls = len(toy.returned)
    if calls < case.steps:
        if calls == 0:
            raise Hint(
                f"predict_next was never called: steps = {case.steps} forecasts need "
                f"{case.steps} calls"
            )
        raise Hint(_TOO_FEW.format(calls=calls, steps=case.steps))
    want_shape = (case.batch, case.steps, case.d)
    if result is None:
        raise Hint("roll_out returned None: did you forget the `return` statement?")
    if isinstance(result, list | tuple):
        raise Hint(
            f"roll_out returned a Python {type(result).__name__} of {len(result)} items; return "
            f"a NumPy array (B, steps, D) = {want_shape}: np.stack(out, axis=1)"
        )
    predictions = np.stack(toy.returned, axis=1).astype(np.float64)  # (B, steps, D)
    observed = np.asarray(toy.observed, np.float64)
    if isinstance(result, np.ndarray) and result.shape != want_shape:
        got = result.shape
        if got == (case.steps, case.batch, case.d):
            raise Hint(_TRANSPOSED.format(shape=got, want=want_shape))
        if got == (case.batch, case.steps + 1, case.d) and close(result[:, 0], observed[:, -1]):
            raise Hint(_LAST_OBSERVED)
        if got == (case.batch, case.window + case.steps, case.d):
            raise Hint(_WHOLE.format(shape=got, want=want_shape))
        if got == (case.batch, case.d) and close(result, predictions[:, -1]):
            raise Hint(_ONLY_LAST.format(shape=got, want=want_shape))
    got = expect_array(
        result,
        "the result of roll_out",
        want_shape,
        "one row per window, one forecast per step, D values each",
    )
    if case.steps > 1:
        shifted = np.concatenate([observed[:, -1:], predictions[:, :-1]], axis=1)
        scrambled = np.stack(toy.returned).reshape(want_shape)
        repeated = np.repeat(predictions[:, :1], case.steps, axis=1)
        mistakes = [(shifted, _LAST_OBSERVED), (scrambled, _RESHAPED), (repeated, _REPEATED)]
        if case.batch == case.steps:
            mistakes.append(
                (
                    predictions.transpose(1, 0, 2),
                    _TRANSPOSED.format(shape=got.shape, want=want_shape),
                )
            )
    else:
        mistakes = [(observed[:, -1:], _LAST_OBSERVED)]
    expect_close(got, predictions, "the result of roll_out", mistakes)


def _roll_advice(exc: Exception) -> str:
    if isinstance(exc, ValueError) and ("concatenat" in str(exc) or "dimension" in str(exc)):
        return (
            "A shape mismatch: predict_next returns (B, D); give it a step axis before "
            "appending it to the (B, T, D) window, nxt[:, None, :], and concatenate along "
            "axis=1."
        )
    return ""


@exercise_check("roll_out")
def roll_out(learner: Callable[..., Any]) -> str:
    """Check `roll_out(predict_next, window, steps) -> (B, steps, D)`.

    predict_next takes a float array (B, T, D) and returns (B, D), its forecast of the next step;
    window (B, T, D) holds the last T observed steps, oldest first. roll_out calls predict_next
    steps times, each time on the window with the previous prediction appended at the end and
    the oldest step dropped, and returns the steps predictions in order as a NumPy array
    (B, steps, D). Judged with a deterministic nonlinear predict_next that checks every call,
    on B = 1 and 3, D = 1 and 4, T = 3 to 6, steps = 1 and steps > T. Prints one line; returns
    True when it passes.
    """
    cases = _roll_cases()
    for case in cases:
        toy = _Forecaster(case)
        where = f"on {case.label}: "
        try:
            result = call(learner, toy, toy.observed, case.steps, on_error=_roll_advice)
        except Hint as hint:
            if toy.misuse is not None:  # the first misuse, even if the learner's code caught it
                raise Hint(where + toy.misuse) from None
            raise Hint(where + str(hint)) from None
        try:
            if toy.misuse is not None:
                raise Hint(toy.misuse)
            _judge_roll(result, toy)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "each prediction is appended at the end of the window and the oldest step dropped, "
        f"steps calls, the forecasts returned in order as (B, steps, D) ({len(cases)} cases: "
        "B = 1 and 3, D = 1 and 4, steps = 1 and steps > T)."
    )
