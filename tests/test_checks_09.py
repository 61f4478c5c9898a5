"""Lesson 09 checks: the references pass, correct alternatives pass (loops, pandas, ddof=1,
float32 and float64, sliding windows in NumPy, hand-made batches, a generator, shuffles of their
own), each catalogued mistake fails with its own hint, the cases have the properties the hints
rely on, bad return values get a line and False, inputs changed in place are reported, stubs get
"not implemented yet", and every check runs in well under a second. The window counts of the
quiz bank are recomputed with Keras at the end."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
import yaml
from check_support import assert_own_hint, run, stub

from rnncourse import checks
from rnncourse.checks import lesson09
from rnncourse.checks._core import close
from rnncourse.env import import_tensorflow

tf = import_tensorflow()  # before keras: no TensorFlow load-time messages
import keras  # noqa: E402

#: A RuntimeWarning that escapes a check (the learner's or the check's own arithmetic) fails.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


# --------------------------------------------------------------------------- standardise


def std_ok(train, val, test):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (val - mean) / std, (test - mean) / std, mean, std


def std_ddof1_float32(train, val, test):
    mean = np.mean(train, axis=0, dtype=np.float64)
    std = np.std(train, axis=0, ddof=1, dtype=np.float64)
    parts = [((x - mean) / std).astype(np.float32) for x in (train, val, test)]
    return (*parts, mean.astype(np.float32), std.astype(np.float32))


def std_loops(train, val, test):
    d = train.shape[1]
    mean = np.array([sum(train[:, j]) / len(train) for j in range(d)])
    std = np.array(
        [math.sqrt(sum((v - mean[j]) ** 2 for v in train[:, j]) / len(train)) for j in range(d)]
    )
    out = []
    for x in (train, val, test):
        z = np.empty(x.shape)
        for j in range(d):
            z[:, j] = (x[:, j] - mean[j]) / std[j]
        out.append(z)
    return out[0], out[1], out[2], mean, std


def std_pandas(train, val, test):
    import pandas as pd

    frames = [pd.DataFrame(x) for x in (train, val, test)]
    mean, std = frames[0].mean(), frames[0].std()  # pandas: ddof=1
    parts = [((f - mean) / std).to_numpy() for f in frames]
    return [*parts, mean.to_numpy(), std.to_numpy()]


def std_keepdims_then_ravel(train, val, test):
    mean = train.mean(axis=0, keepdims=True)
    std = train.std(axis=0, keepdims=True)
    return (train - mean) / std, (val - mean) / std, (test - mean) / std, mean[0], std.ravel()


def _with_stats(train, val, test, mean, std):
    return (train - mean) / std, (val - mean) / std, (test - mean) / std, mean, std


def std_leak(train, val, test):
    everything = np.concatenate([train, val, test])
    return _with_stats(train, val, test, everything.mean(axis=0), everything.std(axis=0))


def std_leak_vstack_ddof1(train, val, test):
    everything = np.vstack([train, val, test])
    return _with_stats(train, val, test, everything.mean(0), everything.std(0, ddof=1))


def std_train_val(train, val, test):
    seen = np.concatenate([train, val])
    return _with_stats(train, val, test, seen.mean(axis=0), seen.std(axis=0))


def std_own(train, val, test):
    parts = [(x - x.mean(axis=0)) / x.std(axis=0) for x in (train, val, test)]
    return (*parts, train.mean(axis=0), train.std(axis=0))


def std_val_stats(train, val, test):
    return _with_stats(train, val, test, val.mean(axis=0), val.std(axis=0))


def std_test_stats(train, val, test):
    return _with_stats(train, val, test, test.mean(axis=0), test.std(axis=0))


def std_per_row(train, val, test):
    mean, std = train.mean(axis=1), train.std(axis=1)
    return _with_stats(train, val, test, mean, std)  # (n, D) - (n,): a broadcasting error


def std_per_row_keepdims(train, val, test):
    parts = [
        (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
        for x in (train, val, test)
    ]
    return (*parts, train.mean(axis=1, keepdims=True), train.std(axis=1, keepdims=True))


def std_one_number(train, val, test):
    return _with_stats(train, val, test, train.mean(), train.std())


def std_one_number_full(train, val, test):
    d = train.shape[1]
    return _with_stats(train, val, test, np.full(d, train.mean()), np.full(d, train.std()))


def std_variance(train, val, test):
    return _with_stats(train, val, test, train.mean(axis=0), train.var(axis=0))


def std_divides_by_variance(train, val, test):
    mean, std = train.mean(axis=0), train.std(axis=0)
    parts = [(x - mean) / std**2 for x in (train, val, test)]
    return (*parts, mean, std)


def std_no_mean(train, val, test):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return train / std, val / std, test / std, mean, std


def std_min_max(train, val, test):
    low, span = train.min(axis=0), train.max(axis=0) - train.min(axis=0)
    return _with_stats(train, val, test, low, span)


def std_min_max_parts(train, val, test):
    low, span = train.min(axis=0), train.max(axis=0) - train.min(axis=0)
    parts = [(x - low) / span for x in (train, val, test)]
    return (*parts, train.mean(axis=0), train.std(axis=0))


def std_unscaled(train, val, test):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, val, test, mean, std


def std_keepdims(train, val, test):
    return _with_stats(
        train, val, test, train.mean(axis=0, keepdims=True), train.std(axis=0, keepdims=True)
    )


def std_swapped(train, val, test):
    *parts, mean, std = std_ok(train, val, test)
    return (*parts, std, mean)


def std_ddof_mixed(train, val, test):
    mean = train.mean(axis=0)
    parts = [(x - mean) / train.std(axis=0) for x in (train, val, test)]
    return (*parts, mean, train.std(axis=0, ddof=1))


STD_PHRASES = {
    "leak": "the validation and test values leaked into them",
    "train+val": "computed from train and val together",
    "own statistics": "standardised with its own mean and std",
    "validation statistics": "come from the validation part",
    "test statistics": "come from the test part",
    "per row": "per row (axis=1",
    "one number": "one mean and one std for all the columns together",
    "variance": "by the variance",
    "std only": "the mean was not subtracted",
    "min-max": "min-max scaling",
    "unscaled": "is unchanged",
    "keepdims": "without keepdims=True",
    "swapped": "mean and std are swapped",
    "ddof": "divide by the std you return",
}

STD_LEARNERS = [
    (std_leak, "leak"),
    (std_leak_vstack_ddof1, "leak"),
    (std_train_val, "train+val"),
    (std_own, "own statistics"),
    (std_val_stats, "validation statistics"),
    (std_test_stats, "test statistics"),
    (std_per_row, "per row"),
    (std_per_row_keepdims, "per row"),
    (std_one_number, "one number"),
    (std_one_number_full, "one number"),
    (std_variance, "variance"),
    (std_divides_by_variance, "variance"),
    (std_no_mean, "std only"),
    (std_min_max, "min-max"),
    (std_min_max_parts, "min-max"),
    (std_unscaled, "unscaled"),
    (std_keepdims, "keepdims"),
    (std_swapped, "swapped"),
    (std_ddof_mixed, "ddof"),
]


@pytest.mark.parametrize(("fn", "name"), STD_LEARNERS, ids=lambda v: getattr(v, "__name__", v))
def test_each_standardise_mistake_gets_its_own_hint(fn, name, capsys):
    ok, out = run(checks.standardise, fn, capsys)
    assert ok is False, out
    assert_own_hint(out, STD_PHRASES, name)
    assert "on a trending series of 3 columns" in out, "the first case tells them apart"


def test_the_standardise_phrases_belong_to_the_catalogue():
    hints = dict(lesson09.STANDARDISE_MISTAKES)
    assert set(STD_PHRASES) == set(hints) == {name for _, name in STD_LEARNERS}
    for name, phrase in STD_PHRASES.items():
        assert phrase in hints[name], name


def test_the_leak_hint_says_what_leaks(capsys):
    ok, out = run(checks.standardise, std_leak, capsys)
    assert ok is False and "numbers that know the future's level" in out, out
    assert "mean is [" in out and "the training part's per-column mean is [" in out, out


def same_result(a, b):
    return all(x.shape == y.shape and close(x, y) for x, y in zip(a, b, strict=True))


def test_the_standardise_mistakes_differ_from_each_other_in_the_first_case():
    case = lesson09._standardise_cases()[0]
    args = (case.train, case.val, case.test)
    ref = std_ok(*args)
    seen = {}
    for fn, name in STD_LEARNERS:
        if fn is std_per_row:
            continue  # raises
        got = [np.asarray(v, dtype=np.float64) for v in fn(*args)]
        assert not same_result(got, ref), name
        for other_name, other in seen.items():
            if other_name[1] != name:
                assert not same_result(got, other), (name, other_name)
        seen[(fn.__name__, name)] = got


def test_the_standardise_cases_have_what_the_hints_need():
    cases = lesson09._standardise_cases()
    first = cases[0]
    lengths = {len(first.train), len(first.val), len(first.test)}
    assert len(lengths) == 3, "parts of unequal lengths"
    assert first.train.shape[1] >= 3
    stds = first.train.std(axis=0)
    assert stds.max() / stds.min() > 50, "columns of very different scales"
    assert (np.abs(stds - 1) > 0.05).all(), "the variance differs from the std"
    means = [x.mean(axis=0) for x in (first.train, first.val, first.test)]
    assert (np.abs(means[1] - means[0]) > 0.5 * stds).all(), "the later parts have other means"
    assert (np.abs(means[2] - means[0]) > 0.5 * stds).all()
    for case in cases:
        assert (case.train.std(axis=0) > 0).all(), "no constant training column"
        assert len(case.train) >= 2
    assert any(c.train.shape[1] == 1 for c in cases)
    assert any(c.train.dtype == np.float32 for c in cases)


def test_a_broadcasting_error_gets_advice_and_the_learners_line(capsys):
    ok, out = run(checks.standardise, std_per_row, capsys)
    assert ok is False and "ValueError" in out and "of your code" in out, out
    assert "train.mean(axis=0) of shape (D,)" in out


def test_standardising_in_place_is_reported(capsys):
    def in_place(train, val, test):
        mean, std = train.mean(axis=0), train.std(axis=0)
        for x in (train, val, test):
            x -= mean
            x /= std
        return train, val, test, mean, std

    ok, out = run(checks.standardise, in_place, capsys)
    assert ok is False and "changed its input `train` in place" in out, out


def test_an_unknown_standardise_mistake_names_the_difference(capsys):
    def test_shifted(train, val, test):
        *parts, mean, std = std_ok(train, val, test)
        parts[2] = parts[2] + 0.5
        return (*parts, mean, std)

    ok, out = run(checks.standardise, test_shifted, capsys)
    assert ok is False and "test_n is not (test - mean) / std" in out, out
    assert "largest difference 0.5" in out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda tr, va, te: None, "returned None"),
        (lambda tr, va, te: std_ok(tr, va, te)[:3], "returned 3 values"),
        (lambda tr, va, te: std_ok(tr, va, te)[0], "returned one ndarray"),
        (lambda tr, va, te: {"train": tr}, "returned one dict"),
        (
            lambda tr, va, te: (std_ok(tr, va, te)[0].tolist(), *std_ok(tr, va, te)[1:]),
            "train_n is a Python list",
        ),
        (
            lambda tr, va, te: tuple(tf.constant(v) for v in std_ok(tr, va, te)),
            "TensorFlow tensor",
        ),
        (lambda tr, va, te: (*std_ok(tr, va, te)[:4], np.zeros(tr.shape[1])), "std is [0, 0, 0]"),
        (
            lambda tr, va, te: (
                *std_ok(tr, va, te)[:1],
                np.full(va.shape, np.nan),
                *std_ok(tr, va, te)[2:],
            ),
            "val_n contains NaN",
        ),
        (
            lambda tr, va, te: (
                *std_ok(tr, va, te)[:2],
                std_ok(tr, va, te)[2][:-1],
                *std_ok(tr, va, te)[3:],
            ),
            "test_n has shape (10, 3) but expected (11, 3)",
        ),
        (lambda tr, va, te: (*std_ok(tr, va, te)[:3], 1.5, 2.0), "mean is one number"),
        (lambda tr, va, te: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_bad_standardise_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.standardise, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- make_windows


def mw_ok(
    features,
    target,
    window,
    horizon,
    start,
    end,
    stride=1,
    batch_size=256,
    shuffle=False,
    seed=None,
):
    offset = window - 1 + horizon
    return keras.utils.timeseries_dataset_from_array(
        features[start : end - horizon],
        target[start + offset : end],
        sequence_length=window,
        sequence_stride=stride,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )


def _numpy_windows(features, target, window, horizon, start, end, stride):
    starts = list(range(start, end - window - horizon + 1, stride))
    x = np.stack([features[i : i + window] for i in starts])
    y = np.stack([target[i + window - 1 + horizon] for i in starts])
    return x, y


def mw_list_of_batches(
    features,
    target,
    window,
    horizon,
    start,
    end,
    stride=1,
    batch_size=256,
    shuffle=False,
    seed=None,
):
    """Hand-made windows, shuffled with NumPy, as a list of (x, y) tuples."""
    x, y = _numpy_windows(features, target, window, horizon, start, end, stride)
    order = np.arange(len(x))
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order].astype(np.float64), y[order].astype(np.float64)
    return [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(x), batch_size)]


def mw_sliding_window_view(
    features,
    target,
    window,
    horizon,
    start,
    end,
    stride=1,
    batch_size=256,
    shuffle=False,
    seed=None,
):
    data = features[start : end - horizon]
    x = np.lib.stride_tricks.sliding_window_view(data, window, axis=0)  # (n, D, T)
    x = np.moveaxis(x, -1, 1)[::stride]
    y = target[start + window - 1 + horizon : end][::stride][: len(x)]
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x))  # no seed: a different order every time, still a shuffle
    return ds.batch(batch_size)


def mw_generator(
    features,
    target,
    window,
    horizon,
    start,
    end,
    stride=1,
    batch_size=256,
    shuffle=False,
    seed=None,
):
    starts = list(range(start, end - window - horizon + 1, stride))
    if shuffle:
        rng = np.random.default_rng()
        rng.shuffle(starts)
    for b in range(0, len(starts), batch_size):
        chunk = starts[b : b + batch_size]
        yield (
            np.stack([features[i : i + window] for i in chunk]),
            np.array([target[i + window - 1 + horizon] for i in chunk]),
        )


class Args(NamedTuple):
    """make_windows's arguments, as the check passes them (all ten, by position)."""

    features: np.ndarray
    target: np.ndarray
    window: int
    horizon: int
    start: int
    end: int
    stride: int = 1
    batch_size: int = 256
    shuffle: bool = False
    seed: int | None = None

    def count(self) -> int:
        return len(range(self.start, self.end - self.window - self.horizon + 1, self.stride))


def _ts(a: Args, offset, first, stop, targets=True, **changes):
    """timeseries_dataset_from_array on features[first:stop], targets from first + offset."""
    options = dict(
        sequence_length=a.window,
        sequence_stride=a.stride,
        batch_size=a.batch_size,
        shuffle=a.shuffle,
        seed=a.seed,
    )
    options.update(changes)
    target = a.target[first + offset :] if targets else None
    return keras.utils.timeseries_dataset_from_array(a.features[first:stop], target, **options)


def mw_overlap(*args):
    return mw_ok(*Args(*args)._replace(horizon=0))


def mw_too_far(*args):
    a = Args(*args)
    return _ts(a, a.window + a.horizon, a.start, a.end - a.horizon - 1)


def mw_no_window_offset(*args):
    a = Args(*args)
    return _ts(a, a.horizon, a.start, a.end - a.horizon)


def mw_one_short(*args):
    a = Args(*args)
    return _ts(a, a.window - 2 + a.horizon, a.start, a.end - a.horizon)


def mw_whole_series(*args):
    a = Args(*args)
    return mw_ok(*a._replace(start=0, end=len(a.features)))


def mw_end_on_inputs_only(*args):
    a = Args(*args)
    return _ts(a, a.window - 1 + a.horizon, a.start, a.end)


def mw_across_the_boundary(*args):
    a = Args(*args)
    if not a.shuffle:
        return mw_ok(*a)
    whole = mw_ok(*a._replace(start=0, end=len(a.features), batch_size=None))
    return whole.take(a.count()).batch(a.batch_size)


def mw_pairs_broken(*args):
    a = Args(*args)
    inputs = _ts(a, 0, a.start, a.end - a.horizon, targets=False, batch_size=None)
    targets = tf.data.Dataset.from_tensor_slices(a.target[a.start + a.window - 1 + a.horizon :])
    targets = targets.shard(a.stride, 0).take(a.count())
    if a.shuffle:
        targets = targets.shuffle(1000, seed=a.seed + 1)
    return tf.data.Dataset.zip((inputs, targets)).batch(a.batch_size)


def mw_shuffle_ignored(*args):
    return mw_ok(*Args(*args)._replace(shuffle=False))


def mw_batches_shuffled(*args):
    a = Args(*args)
    batches = mw_ok(*a._replace(shuffle=False))
    return batches.shuffle(100, seed=a.seed) if a.shuffle else batches


def mw_always_shuffled(*args):
    return mw_ok(*Args(*args)._replace(shuffle=True, seed=5))


def mw_stride_ignored(*args):
    return mw_ok(*Args(*args)._replace(stride=1))


def mw_window_short(*args):
    a = Args(*args)
    return _ts(
        a, a.window - 1 + a.horizon, a.start, a.end - a.horizon, sequence_length=a.window - 1
    )


def mw_window_long(*args):
    a = Args(*args)
    return _ts(
        a, a.window - 1 + a.horizon, a.start, a.end - a.horizon, sequence_length=a.window + 1
    )


def mw_batch_size_ignored(*args):
    return mw_ok(*Args(*args)._replace(batch_size=128))  # the function's default


def mw_from_features(*args):
    a = Args(*args)
    return mw_ok(*a._replace(target=a.features[:, 0]))


def mw_arrays(*args):
    return _numpy_windows(*args[:7])


def _head(template: str) -> str:
    """The fixed words of a hint template, up to its first field."""
    return template.split("{", 1)[0]


WINDOW_PHRASES = {
    "overlap": "the target overlaps the input",
    "too far": "one step too far",
    "no window offset": "inside the window: the horizon counts from the window's LAST step",
    "one short": "one step before what the horizon",
    "outside": "windows from outside the split [start, end)",
    "end on inputs only": "in the next split, which the model must not see",
    "across the boundary": "were shuffled in",
    "pairs broken": "the inputs and the targets were shuffled separately",
    "not shuffled": "but the windows come in time order",
    "batches only": "only the order of the batches was shuffled",
    "shuffled when not": "shuffle=False, but the windows are not in time order",
    "stride": "consecutive windows start 1 step apart",
    "window short": "one fewer than window",
    "window long": "one more than window",
    "batch size": "(the last one may be smaller): pass batch_size=batch_size",
    "from features": "the targets are values of features",
    "arrays": "returned a tuple of two arrays",
}

WINDOW_LEARNERS = [
    (mw_overlap, "overlap", "its target is y at step 14, the window's last step"),
    (mw_too_far, "too far", "its target is y at step 18, one step too far"),
    (mw_no_window_offset, "no window offset", "target is y at step 13 = i + horizon"),
    (mw_one_short, "one short", "its target is y at step 16, one step before"),
    (mw_whole_series, "outside", "a window starts at step 0, before start"),
    (mw_end_on_inputs_only, "end on inputs only", "has its target at step 32, at or after end"),
    (mw_across_the_boundary, "across the boundary", "shuffle=True, seed = 7"),
    (mw_pairs_broken, "pairs broken", "shuffle=True, seed = 7"),
    (mw_shuffle_ignored, "not shuffled", "starts 20, 21, 22, 23, 24, 25, ..."),
    (mw_batches_shuffled, "batches only", "shuffle=True, seed = 7"),
    (mw_always_shuffled, "shuffled when not", "[10, 30)"),
    (mw_stride_ignored, "stride", "starts 0, 3, 6, 9, ...): pass sequence_stride=stride"),
    (mw_window_short, "window short", "each input has 4 steps"),
    (mw_window_long, "window long", "each input has 6 steps"),
    (mw_batch_size_ignored, "batch size", "the batches hold 13 windows, but batch_size = 4"),
    (mw_from_features, "from features", "the first window's target is 17"),
    (mw_arrays, "arrays", "(shapes (13, 5, 2), (13,))"),
]


@pytest.mark.parametrize(
    ("fn", "name", "words"), WINDOW_LEARNERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_each_make_windows_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.make_windows, fn, capsys)
    assert ok is False and words in out, out
    assert_own_hint(out, WINDOW_PHRASES, name)
    assert _head(dict(lesson09.WINDOW_MISTAKES)[name]) in out


def test_the_make_windows_phrases_belong_to_the_catalogue():
    hints = dict(lesson09.WINDOW_MISTAKES)
    assert set(WINDOW_PHRASES) == set(hints) == {name for _, name, _ in WINDOW_LEARNERS}
    for name, phrase in WINDOW_PHRASES.items():
        assert phrase in hints[name].replace("{", "").replace("}", ""), name


def test_the_overlap_hint_names_the_steps(capsys):
    ok, out = run(checks.make_windows, mw_overlap, capsys)
    assert ok is False, out
    assert "the first window covers steps 10..14 and its target is y at step 14" in out
    assert "the horizon k = 3 asks for step 17" in out


def test_the_window_cases_have_what_the_hints_need():
    cases = lesson09._window_cases()
    first = cases[0]
    assert first.start > 0 and first.end < first.n, "a split in the middle"
    assert first.horizon > 1 and first.window > 2 and not first.shuffle
    assert len(first.starts()) % first.batch_size, "the batch size does not divide the count"
    assert len(first.starts()) > first.batch_size
    assert first.horizon not in (0, first.horizon + 1, first.horizon - first.window + 1)
    assert {c.horizon for c in cases} >= {1} and max(c.horizon for c in cases) > 1
    assert {c.stride for c in cases} >= {1} and max(c.stride for c in cases) > 1
    assert {c.k_columns for c in cases} >= {0} and max(c.k_columns for c in cases) >= 2
    assert min(c.d for c in cases) == 1 and max(c.d for c in cases) > 1
    shuffled = [c for c in cases if c.shuffle]
    assert shuffled and all(c.start > 0 and c.end < c.n for c in shuffled)
    assert all(len(c.starts()) >= 20 for c in shuffled), "a shuffle is never in time order"
    for case in cases:
        features, target = case.features(), case.target()
        assert features.shape == (case.n, case.d) and features.dtype == np.float32
        assert np.array_equal(features[:, 0], np.arange(case.n)), "column 0 is the step t"
        assert features.max() < lesson09.TARGET_BASE <= target.min()
        assert case.starts()[-1] + case.window - 1 + case.horizon < case.end
        assert case.starts()[-1] + case.stride + case.window - 1 + case.horizon >= case.end


def test_the_expected_windows_are_those_of_the_reference():
    for case in lesson09._window_cases():
        if case.shuffle:
            continue
        batches = list(mw_ok(*case.args()))
        x = np.concatenate([np.asarray(b[0]) for b in batches])
        y = np.concatenate([np.asarray(b[1]) for b in batches])
        assert x[:, 0, 0].astype(int).tolist() == case.starts()
        want = [case.target_step(s) for s in case.starts()]
        got = (y if y.ndim == 1 else y[:, 0]) - lesson09.TARGET_BASE
        assert got.astype(int).tolist() == want


def mw_unbatched(*args):
    return mw_ok(*Args(*args)._replace(batch_size=None))


def mw_repeats(*args):
    return mw_ok(*args).repeat()


def mw_inputs_only(*args):
    a = Args(*args)
    return _ts(a, 0, a.start, a.end - a.horizon, targets=False)


def mw_column_targets(*args):
    return mw_ok(*args).map(lambda x, y: (x, tf.reshape(y, (-1, 1))))


def mw_raises_while_iterating(features, target, window, horizon, start, end, *rest):
    for i in range(start, end):
        yield features[i : i + window], target[i + window + horizon + len(features)]


def mw_no_last_window(*args):
    batches = [(np.asarray(x), np.asarray(y)) for x, y in mw_ok(*args)]
    x, y = batches[-1]
    batches[-1] = (x[:-1], y[:-1])
    return [b for b in batches if len(b[0])]


def mw_duplicate(*args):
    batches = [(np.asarray(x), np.asarray(y)) for x, y in mw_ok(*args)]
    return [*batches, batches[0]]


def mw_start_plus_one(*args):
    a = Args(*args)
    return mw_ok(*a._replace(start=a.start + 1))


def mw_changes_features(features, target, *rest):
    features[:, 0] = 0.0
    return mw_ok(features, target, *rest)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda *a: None, "returned None"),
        (lambda *a: 42, "returned a int"),
        (lambda *a: _numpy_windows(*a[:7])[0], "returned one array of shape (13, 5, 2)"),
        (mw_unbatched, "yields single windows, inputs of shape (5, 2)"),
        (mw_repeats, "did you call .repeat()?"),
        (mw_inputs_only, "not a pair (inputs, targets)"),
        (mw_column_targets, "have shape (4, 1), but target is 1-D"),
        (mw_raises_while_iterating, "iterating over the dataset raised IndexError"),
        (mw_no_last_window, "the window starting at step 22 (inputs 22..26, target at step 29"),
        (mw_duplicate, "the window starting at step 10 comes 2 times"),
        (mw_start_plus_one, "the window starting at step 10 (inputs 10..14, target at step 17"),
        (mw_changes_features, "changed its input `features` in place"),
        (lambda *a: [(np.full((2, 5, 2), np.nan), np.zeros(2))], "contains NaN"),
        (lambda *a: [], "the dataset is empty, but the split holds 13 windows"),
        (lambda *a: 1 / 0, "ZeroDivisionError"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_bad_make_windows_results_get_a_line_and_false(fn, expected, capsys):
    ok, out = run(checks.make_windows, fn, capsys)
    assert ok is False and expected in out, out


def test_an_error_while_iterating_names_the_learners_line(capsys):
    ok, out = run(checks.make_windows, mw_raises_while_iterating, capsys)
    assert ok is False and "of your code" in out and "in mw_raises_while_iterating" in out, out


def test_a_last_target_at_step_end_is_outside_the_split(capsys):
    def one_window_too_many(*args):
        a = Args(*args)
        return _ts(a, a.window - 1 + a.horizon, a.start, a.end - a.horizon + 1)

    ok, out = run(checks.make_windows, one_window_too_many, capsys)
    assert ok is False and "has its target at step 30, at or after end = 30" in out, out
    assert_own_hint(out, WINDOW_PHRASES, "end on inputs only")


def test_an_unknown_window_offset_is_named(capsys):
    def two_far(*args):
        a = Args(*args)
        return _ts(a, a.window + 1 + a.horizon, a.start, a.end - a.horizon - 2)

    ok, out = run(checks.make_windows, two_far, capsys)
    assert ok is False and "its target is y at step 19, but the horizon k = 3" in out, out


# --------------------------------------------------------------------------- roll_out


def roll_ok(predict_next, window, steps):
    window = np.array(window, dtype="float32")
    out = []
    for _ in range(steps):
        nxt = np.asarray(predict_next(window)).reshape(window.shape[0], window.shape[2])
        out.append(nxt)
        window = np.concatenate([window[:, 1:], nxt[:, None, :]], axis=1)
    return np.stack(out, axis=1)


def roll_float64_preallocated(predict_next, window, steps):
    b, t, d = window.shape
    out = np.empty((b, steps, d))
    current = window.astype(np.float64)
    for j in range(steps):
        out[:, j] = predict_next(current)
        current = np.concatenate([current[:, 1:], out[:, j : j + 1]], axis=1)
    return out


def roll_history(predict_next, window, steps):
    history = np.asarray(window)
    t = history.shape[1]
    for _ in range(steps):
        history = np.concatenate([history, predict_next(history[:, -t:])[:, None]], axis=1)
    return history[:, t:]


def roll_np_roll(predict_next, window, steps):
    current = window.copy()
    out = []
    for _ in range(steps):
        nxt = predict_next(current)
        current = np.roll(current, -1, axis=1)
        current[:, -1] = nxt
        out.append(nxt)
    return np.transpose(np.array(out), (1, 0, 2))


def roll_tensor_input(predict_next, window, steps):
    """Keras models accept tensors: a window kept as a tf tensor passes too."""
    current = tf.constant(window, dtype=tf.float32)
    out = []
    for _ in range(steps):
        nxt = tf.constant(predict_next(current))
        out.append(nxt)
        current = tf.concat([current[:, 1:], nxt[:, None, :]], axis=1)
    return tf.stack(out, axis=1).numpy()


def roll_not_updated(predict_next, window, steps):
    return np.stack([predict_next(window) for _ in range(steps)], axis=1)


def roll_front(predict_next, window, steps):
    out = []
    for _ in range(steps):
        nxt = predict_next(window)
        out.append(nxt)
        window = np.concatenate([nxt[:, None, :], window[:, :-1]], axis=1)
    return np.stack(out, axis=1)


def roll_drop_newest(predict_next, window, steps):
    out = []
    for _ in range(steps):
        nxt = predict_next(window)
        out.append(nxt)
        window = np.concatenate([window[:, :-1], nxt[:, None, :]], axis=1)
    return np.stack(out, axis=1)


def roll_grows(predict_next, window, steps):
    out = []
    for _ in range(steps):
        nxt = predict_next(window)
        out.append(nxt)
        window = np.concatenate([window, nxt[:, None, :]], axis=1)
    return np.stack(out, axis=1)


def roll_shrinks(predict_next, window, steps):
    out = []
    for _ in range(steps):
        nxt = predict_next(window)
        out.append(nxt)
        window = window[:, 1:]
    return np.stack(out, axis=1)


def roll_mixed(predict_next, window, steps):
    b, _, d = window.shape
    out = []
    for _ in range(steps):
        nxt = predict_next(window)
        out.append(nxt)
        window = np.concatenate([window[:, 1:], nxt.T.reshape(b, 1, d)], axis=1)
    return np.stack(out, axis=1)


def roll_per_window(predict_next, window, steps):
    rows = [roll_ok(predict_next, window[i : i + 1], steps) for i in range(len(window))]
    return np.concatenate(rows)


def roll_too_many(predict_next, window, steps):
    return roll_ok(predict_next, window, steps + 1)[:, :steps]


def roll_too_few(predict_next, window, steps):
    out = roll_ok(predict_next, window, steps - 1) if steps > 1 else window[:, -1:]
    return np.concatenate([window[:, -1:], out], axis=1)


def roll_with_last_observed(predict_next, window, steps):
    return np.concatenate([window[:, -1:], roll_ok(predict_next, window, steps)], axis=1)


def roll_shifted(predict_next, window, steps):
    out = [window[:, -1]]
    for _ in range(steps):
        nxt = predict_next(window)
        window = np.concatenate([window[:, 1:], nxt[:, None, :]], axis=1)
        out.append(nxt)
    return np.stack(out[:steps], axis=1)


def roll_only_last(predict_next, window, steps):
    for _ in range(steps):
        nxt = predict_next(window)
        window = np.concatenate([window[:, 1:], nxt[:, None, :]], axis=1)
    return nxt


def roll_transposed(predict_next, window, steps):
    return np.transpose(roll_ok(predict_next, window, steps), (1, 0, 2))


def roll_reshaped(predict_next, window, steps):
    b, _, d = window.shape
    return np.transpose(roll_ok(predict_next, window, steps), (1, 0, 2)).reshape(b, steps, d)


def roll_whole(predict_next, window, steps):
    return np.concatenate([window, roll_ok(predict_next, window, steps)], axis=1)


def roll_repeated(predict_next, window, steps):
    out = roll_ok(predict_next, window, steps)
    return np.repeat(out[:, :1], steps, axis=1)


ROLL_PHRASES = {
    "not updated": "the window was never updated",
    "front": "at the FRONT of the window",
    "drop newest": "dropped the newest one",
    "grows": "without dropping the oldest step",
    "shrinks": "but the prediction not appended",
    "mixed": "the batch and feature axes mixed up",
    "per window": "pass the whole batch of windows",
    "too many": "one call per forecast step",
    "too few": "each on the window updated with the previous prediction",
    "last observed": "is the last observed step",
    "only last": "only the last forecast was returned",
    "transposed": "puts the steps first",
    "reshaped": "its numbers are scrambled",
    "whole": "it includes the observed window",
    "repeated": "holds the first forecast",
}

ROLL_LEARNERS = [
    (roll_not_updated, "not updated", "call 2 of predict_next got the same window as call 1"),
    (roll_front, "front", "call 2 got the prediction"),
    (roll_drop_newest, "drop newest", "call 2 got a window"),
    (roll_grows, "grows", "call 2 of predict_next got a window of 6 steps, shape (3, 6, 4)"),
    (roll_shrinks, "shrinks", "call 2 got a window of 4 steps"),
    (roll_mixed, "mixed", "call 2 got the prediction's numbers"),
    (roll_per_window, "per window", "predict_next got 1 window(s) at once, but B = 3"),
    (roll_too_many, "too many", "more than steps = 7 times (call 8 came)"),
    (roll_too_few, "too few", "called 6 time(s), but steps = 7"),
    (roll_with_last_observed, "last observed", "B = 3 windows"),
    (roll_shifted, "last observed", "B = 3 windows"),
    (roll_only_last, "only last", "shape (3, 4)"),
    (roll_transposed, "transposed", "shape (7, 3, 4) = (steps, B, D)"),
    (roll_reshaped, "reshaped", "B = 3 windows"),
    (roll_whole, "whole", "shape (3, 12, 4)"),
    (roll_repeated, "repeated", "B = 3 windows"),
]


@pytest.mark.parametrize(
    ("fn", "name", "words"), ROLL_LEARNERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_each_roll_out_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.roll_out, fn, capsys)
    assert ok is False and words in out, out
    assert_own_hint(out, ROLL_PHRASES, name)


def test_the_roll_out_phrases_belong_to_the_catalogue():
    hints = dict(lesson09.ROLL_MISTAKES)
    assert set(ROLL_PHRASES) == set(hints) == {name for _, name, _ in ROLL_LEARNERS}
    for name, phrase in ROLL_PHRASES.items():
        assert phrase in hints[name], name


def test_the_roll_cases_have_what_the_hints_need():
    cases = lesson09._roll_cases()
    assert {c.batch for c in cases} >= {1} and max(c.batch for c in cases) > 1
    assert {c.d for c in cases} == {1, 4}
    assert min(c.window for c in cases) >= 3
    assert 1 in {c.steps for c in cases} and any(c.steps > c.window for c in cases)
    first = cases[0]
    assert first.batch > 1 and first.d > 1 and first.steps > first.window
    for case in cases:
        assert case.batch != case.steps or case.batch == 1, "a transposed result shows"


def test_the_forecaster_is_nonlinear_position_dependent_and_never_settles():
    for case in lesson09._roll_cases():
        toy = lesson09._Forecaster(case)
        window = toy.observed.astype(np.float64)
        assert toy.forecast(window).dtype == np.float32
        assert np.array_equal(toy.forecast(window), toy.forecast(window.astype(np.float32)))
        assert not close(toy.forecast(2 * window), 2 * toy.forecast(window)), "nonlinear"
        if case.window > 1:
            assert not close(toy.forecast(window[:, ::-1]), toy.forecast(window)), "positions"
        if case.d > 1:
            mixed = window.copy()
            mixed[..., 0] += 0.5
            assert not close(toy.forecast(mixed)[:, 1:], toy.forecast(window)[:, 1:]), "mixes D"
        predictions = roll_ok(toy, toy.observed, case.steps)
        assert predictions.shape == (case.batch, case.steps, case.d)
        steps = np.diff(predictions, axis=1)
        assert steps.size == 0 or (np.abs(steps).max(axis=(0, 2)) > 1e-3).all(), "not settled"


def test_catching_the_checks_complaint_does_not_hide_it(capsys):
    def swallows(predict_next, window, steps):
        out = []
        for _ in range(steps):
            try:
                out.append(predict_next(window))
            except Exception:
                out.append(np.zeros((window.shape[0], window.shape[2])))
        return np.stack(out, axis=1)

    ok, out = run(checks.roll_out, swallows, capsys)
    assert ok is False and ROLL_PHRASES["not updated"] in out, out


def test_rolling_the_window_in_place_is_reported(capsys):
    def in_place(predict_next, window, steps):
        out = []
        for _ in range(steps):
            nxt = predict_next(window)
            window[:, :-1] = window[:, 1:].copy()
            window[:, -1] = nxt
            out.append(nxt)
        return np.stack(out, axis=1)

    ok, out = run(checks.roll_out, in_place, capsys)
    assert ok is False and "changed its input `window` in place" in out, out


def test_a_concatenate_error_gets_advice(capsys):
    def no_step_axis(predict_next, window, steps):
        out = []
        for _ in range(steps):
            nxt = predict_next(window)
            out.append(nxt)
            window = np.concatenate([window[:, 1:], nxt], axis=1)
        return np.stack(out, axis=1)

    ok, out = run(checks.roll_out, no_step_axis, capsys)
    assert ok is False and "ValueError" in out and "nxt[:, None, :]" in out, out
    assert "of your code" in out


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda p, w, s: None, "predict_next was never called"),
        (lambda p, w, s: (roll_ok(p, w, s), None)[1], "returned None"),
        (lambda p, w, s: list(np.transpose(roll_ok(p, w, s), (1, 0, 2))), "Python list of 7"),
        (lambda p, w, s: tf.constant(roll_ok(p, w, s)), "TensorFlow tensor"),
        (lambda p, w, s: roll_ok(p, w, s) * np.nan, "contains NaN"),
        (lambda p, w, s: roll_ok(p, w, s)[:, :, :2], "shape (3, 7, 2) but expected (3, 7, 4)"),
        (lambda p, w, s: p(w[0]), "without the batch axis"),
        (lambda p, w, s: p(w * np.inf), "got a window that contains NaN or inf"),
        (lambda p, w, s: p(w[:, ::-1]), "the first call of predict_next got a window"),
        (lambda p, w, s: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_bad_roll_out_results_get_a_line_and_false(fn, expected, capsys):
    ok, out = run(checks.roll_out, fn, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- every check

CORRECT = [
    (checks.standardise, std_ok),
    (checks.standardise, std_ddof1_float32),
    (checks.standardise, std_loops),
    (checks.standardise, std_pandas),
    (checks.standardise, std_keepdims_then_ravel),
    (checks.make_windows, mw_ok),
    (checks.make_windows, mw_list_of_batches),
    (checks.make_windows, mw_sliding_window_view),
    (checks.make_windows, mw_generator),
    (checks.roll_out, roll_ok),
    (checks.roll_out, roll_float64_preallocated),
    (checks.roll_out, roll_history),
    (checks.roll_out, roll_np_roll),
    (checks.roll_out, roll_tensor_input),
]

SUCCESS = {
    "standardise": "every part is (x - mean) / std with the training part's per-column mean",
    "make_windows": "inputs features[i : i + window], targets target[i + window - 1 + horizon]",
    "roll_out": "each prediction is appended at the end of the window and the oldest step",
}


@pytest.mark.parametrize(("check", "fn"), CORRECT, ids=lambda v: v.__name__)
def test_correct_alternatives_pass(check, fn, capsys):
    ok, out = run(check, fn, capsys)
    assert ok is True and out.startswith(f"✅ {check.__name__}: {SUCCESS[check.__name__]}"), out


ALL_CHECKS = [checks.standardise, checks.make_windows, checks.roll_out]
REFERENCES = {"standardise": std_ok, "make_windows": mw_ok, "roll_out": roll_ok}
#: Seconds after a warm-up; make_windows pays for three Keras datasets and their iteration.
BUDGET = {"standardise": 0.25, "make_windows": 1.0, "roll_out": 0.25}


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stubs_are_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False and "not implemented yet" in out, out


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_each_check_runs_in_well_under_a_second(check, capsys):
    reference = REFERENCES[check.__name__]
    run(check, reference, capsys)  # warm-up: Keras and tf.data trace their functions once
    seconds = []
    for _ in range(2):  # the faster of two runs: the CPU is shared
        start = time.perf_counter()
        ok, _ = run(check, reference, capsys)
        seconds.append(time.perf_counter() - start)
        assert ok is True
    assert min(seconds) < BUDGET[check.__name__], seconds


def test_no_state_is_kept_between_calls(capsys):
    sequences = [
        (checks.standardise, (std_ok, std_leak, std_ok, std_own, std_ok)),
        (checks.make_windows, (mw_ok, mw_overlap, mw_ok)),
        (checks.roll_out, (roll_ok, roll_grows, roll_ok, roll_not_updated, roll_ok)),
    ]
    for check, fns in sequences:
        results = [run(check, fn, capsys)[0] for fn in fns]
        assert results == [fn in REFERENCES.values() for fn in fns], check.__name__


def test_not_a_function(capsys):
    ok, out = run(checks.roll_out, np.zeros(3), capsys)
    assert ok is False and "pass the function itself" in out, out


def test_the_lesson_exports_its_checks():
    assert set(lesson09.__all__) == {"make_windows", "roll_out", "standardise"}
    for name in lesson09.__all__:
        assert getattr(checks, name) is getattr(lesson09, name)


# --------------------------------------------------------------------------- the quiz's counts

BANK = Path(__file__).resolve().parents[1] / "quizzes" / "09_time_series.yaml"


def keras_window_count(n: int, window: int, horizon: int, stride: int) -> int:
    """The number of (input, target) windows Keras makes of a series of n steps."""
    features = np.arange(n, dtype=np.float32)[:, None]
    dataset = keras.utils.timeseries_dataset_from_array(
        features[: n - horizon],
        np.arange(n, dtype=np.float32)[window - 1 + horizon :],
        sequence_length=window,
        sequence_stride=stride,
        batch_size=4096,
    )
    return sum(int(x.shape[0]) for x, _ in dataset)


@pytest.mark.parametrize(
    ("ident", "stride"), [("window-count", 1), ("window-count-stride", 4)], ids=["1", "4"]
)
def test_the_quiz_window_counts_are_what_keras_makes(ident, stride):
    bank = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    question = next(q for q in bank["questions"] if q["id"] == ident)
    n, window, horizon = 1000, 24, 1
    assert f"n = {n:,}" in question["question"] and "T = 24" in question["question"]
    assert "k = 1" in question["question"]
    count = keras_window_count(n, window, horizon, stride)
    assert count == (n - window - horizon) // stride + 1 == question["value"]
    assert question.get("tolerance", 0) == 0
    for mistake in question.get("mistakes", []):
        assert mistake["value"] != count
