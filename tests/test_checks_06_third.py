"""Lesson 06's third check, `shifted_windows`: correct alternatives pass, each catalogued mistake
fails with its own hint, bad return values get one line and False, and the check never raises."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub
from numpy.lib.stride_tricks import sliding_window_view

from rnncourse import checks
from rnncourse.env import import_tensorflow

# ------------------------------------------------------------------------------ correct answers


def windows_reshape(ids, seq_len):
    """The lesson's answer: one reshape of the ids that fit into whole windows."""
    count = len(ids) // (seq_len + 1)
    windows = np.asarray(ids)[: count * (seq_len + 1)].reshape(count, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


def windows_loop(ids, seq_len):
    """A Python loop over the window starts, lists turned into arrays at the end."""
    inputs, targets = [], []
    for start in range(0, len(ids) - seq_len, seq_len + 1):
        window = [int(i) for i in ids[start : start + seq_len + 1]]
        inputs.append(window[:-1])
        targets.append(window[1:])
    shape = (-1, seq_len)
    return np.array(inputs, np.int64).reshape(shape), np.array(targets, np.int64).reshape(shape)


def windows_strided(ids, seq_len):
    """sliding_window_view with a step of seq_len + 1, copied so that nothing aliases ids."""
    if len(ids) < seq_len + 1:
        empty = np.zeros((0, seq_len), np.asarray(ids).dtype)
        return empty, empty.copy()
    windows = sliding_window_view(np.asarray(ids), seq_len + 1)[:: seq_len + 1]
    return windows[:, :-1].copy(), windows[:, 1:].copy()


def windows_tf(ids, seq_len):
    """tf.data, as the lesson's pipeline does it, converted back to NumPy."""
    tf = import_tensorflow()
    dataset = tf.data.Dataset.from_tensor_slices(ids).batch(seq_len + 1, drop_remainder=True)
    windows = np.array([w.numpy() for w in dataset], np.int64).reshape(-1, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


CORRECT = {
    "reshape": windows_reshape,
    "loop": windows_loop,
    "sliding_window_view": windows_strided,
    "tf.data": windows_tf,
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_alternatives_pass(name, capsys):
    ok, out = run(checks.shifted_windows, CORRECT[name], capsys)
    assert ok, out
    assert out.startswith("✅ shifted_windows:")


def test_the_stub_is_not_implemented_yet(capsys):
    ok, out = run(checks.shifted_windows, stub, capsys)
    assert not ok
    assert "not implemented yet" in out


# ----------------------------------------------------------------------------- the catalogue


def no_shift(ids, seq_len):
    inputs, _ = windows_reshape(ids, seq_len)
    return inputs, inputs.copy()


def swapped(ids, seq_len):
    inputs, targets = windows_reshape(ids, seq_len)
    return targets, inputs


def plus_one(ids, seq_len):
    inputs, _ = windows_reshape(ids, seq_len)
    return inputs, inputs + 1


def short_windows(ids, seq_len):
    count = len(ids) // seq_len
    windows = np.asarray(ids)[: count * seq_len].reshape(count, seq_len)
    return windows[:, :-1], windows[:, 1:]


def stride_seq_len(ids, seq_len):
    starts = range(0, len(ids) - seq_len, seq_len)
    windows = np.array([ids[s : s + seq_len + 1] for s in starts]).reshape(-1, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


def sliding(ids, seq_len):
    windows = sliding_window_view(np.asarray(ids), seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


def padded(ids, seq_len):
    count = -(-len(ids) // (seq_len + 1))
    flat = np.zeros(count * (seq_len + 1), np.int64)
    flat[: len(ids)] = ids
    windows = flat.reshape(count, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


def float_ids(ids, seq_len):
    inputs, targets = windows_reshape(ids, seq_len)
    return inputs.astype(np.float64), targets.astype(np.float64)


def empty_as_1d(ids, seq_len):
    """A loop whose empty result is np.array([]), shape (0,), for a text shorter than a window."""
    inputs, targets = windows_reshape(ids, seq_len)
    if len(inputs) == 0:
        return np.array([], np.int64), np.array([], np.int64)
    return inputs, targets


def one_id_wrong(ids, seq_len):
    inputs, targets = windows_reshape(ids, seq_len)
    targets = targets.copy()
    targets[-1, -1] += 1
    return inputs, targets


CATALOGUE = {
    "no shift": (no_shift, "targets equal the inputs"),
    "swapped": (swapped, "inputs and targets are swapped"),
    "ids plus one": (plus_one, "the targets are the input ids plus one"),
    "windows of seq_len": (short_windows, "your windows hold seq_len ids"),
    "stride seq_len": (stride_seq_len, "your windows start every seq_len ids"),
    "sliding windows": (sliding, "your windows overlap"),
    "padded remainder": (padded, "the last, incomplete window must be dropped"),
    "float dtype": (float_ids, "ids are integers"),
    "empty of shape (0,)": (empty_as_1d, "return arrays of shape (0, seq_len)"),
    "one wrong id": (one_id_wrong, "differ from window[1:] at index"),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_mistake_fails_with_its_own_hint(name, capsys):
    fn, hint = CATALOGUE[name]
    ok, out = run(checks.shifted_windows, fn, capsys)
    assert not ok
    assert out.startswith("❌ shifted_windows:")
    assert hint in out, out
    others = [h for n, (_, h) in CATALOGUE.items() if n != name]
    assert not any(h in out for h in others), f"{name} got another mistake's hint: {out}"


# ------------------------------------------------------------------------ bad return values


def tensor_pair(ids, seq_len):
    tf = import_tensorflow()
    inputs, targets = windows_reshape(ids, seq_len)
    return tf.constant(inputs), tf.constant(targets)


BAD_RETURNS = {
    "None": (lambda ids, seq_len: None, "did you forget the `return` statement"),
    "NaN": (lambda ids, seq_len: float("nan"), "return two arrays"),
    "one array": (lambda ids, seq_len: windows_reshape(ids, seq_len)[0], "return two arrays"),
    "three items": (lambda ids, seq_len: (*windows_reshape(ids, seq_len), 0), "of 3 items"),
    "stacked": (lambda ids, seq_len: np.stack(windows_reshape(ids, seq_len)), "one stacked array"),
    "lists": (
        lambda ids, seq_len: tuple(x.tolist() for x in windows_reshape(ids, seq_len)),
        "is a Python list",
    ),
    "tensors": (tensor_pair, "is a TensorFlow tensor"),
    "NaN arrays": (
        lambda ids, seq_len: tuple(np.full(x.shape, np.nan) for x in windows_reshape(ids, seq_len)),
        "NaN",
    ),
    "None pair": (lambda ids, seq_len: (None, None), "is None"),
}


@pytest.mark.parametrize("name", sorted(BAD_RETURNS))
def test_bad_return_values_get_a_line_and_false(name, capsys):
    fn, hint = BAD_RETURNS[name]
    ok, out = run(checks.shifted_windows, fn, capsys)
    assert ok is False
    assert out.startswith("❌ shifted_windows:")
    assert hint in out, out
    assert "Traceback" not in out


def test_a_raising_function_is_named_with_its_line(capsys):
    def broken(ids, seq_len):
        return ids.reshape(-1, seq_len + 2)[:, :-1], None

    ok, out = run(checks.shifted_windows, broken, capsys)
    assert not ok
    assert "raised ValueError" in out
    assert "line" in out and "reshape" in out, out


def test_a_function_that_changes_its_input_is_told(capsys):
    def sorts_in_place(ids, seq_len):
        ids.sort()
        return windows_reshape(ids, seq_len)

    ok, out = run(checks.shifted_windows, sorts_in_place, capsys)
    assert not ok
    assert "changed its input `ids` in place" in out


def test_the_check_keeps_no_state_between_calls(capsys):
    order = (windows_reshape, swapped, windows_reshape, swapped)
    results = [run(checks.shifted_windows, fn, capsys)[0] for fn in order]
    assert results == [True, False, True, False]
