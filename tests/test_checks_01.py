"""Lesson 01 checks: the reference passes, each catalogued mistake fails with its own hint,
stubs and wrong types get friendly messages, and a check returns a bool."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.env import import_tensorflow


def step_ok(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def forward_with(step):
    def forward(x, h0, W_xh, W_hh, b_h):
        h, states = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h, W_xh, W_hh, b_h)
            states.append(h)
        return np.stack(states, axis=1), h

    return forward


def test_rnn_step_reference_passes(capsys):
    ok, out = run(checks.rnn_step, step_ok, capsys)
    assert ok is True and out.startswith("✅ rnn_step")


RNN_STEP_MISTAKES = {
    "W_hh transposed": (
        lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b),
        "you used W_hh.T",
    ),
    "missing bias": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias b_h is missing"),
    "no activation": (lambda x, h, W, U, b: x @ W + h @ U + b, "no activation"),
    "sigmoid": (lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b))), "sigmoid"),
    "relu": (lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0), "ReLU"),
    "tanh on input term only": (
        lambda x, h, W, U, b: np.tanh(x @ W) + h @ U + b,
        "tanh is applied to x_t @ W_xh only",
    ),
    "bias after tanh": (
        lambda x, h, W, U, b: np.tanh(x @ W + h @ U) + b,
        "added after the tanh",
    ),
    "ignores h_prev": (lambda x, h, W, U, b: np.tanh(x @ W + b), "h_prev is ignored"),
    "column-vector form": (
        lambda x, h, W, U, b: np.tanh(W.T @ x.T + U.T @ h.T + b[:, None]),
        "shape (5, 4) but expected (4, 5)",
    ),
    "W_xh transposed": (
        lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U + b),
        "x_t @ W_xh and h_prev @ W_hh, no transposes",
    ),
}


@pytest.mark.parametrize("name", sorted(RNN_STEP_MISTAKES))
def test_rnn_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_STEP_MISTAKES[name]
    ok, out = run(checks.rnn_step, wrong, capsys)
    assert ok is False
    assert out.startswith("❌ rnn_step")
    assert hint in out, out


def forward_time_major(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return np.transpose(hs, (1, 0, 2)), h


def forward_keeps_h0(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return np.concatenate([h0[:, None], hs], axis=1), h


def forward_no_carry(x, h0, W, U, b):
    hs = np.stack([step_ok(x[:, t], h0, W, U, b) for t in range(x.shape[1])], axis=1)
    return hs, hs[:, -1]


def forward_off_by_one(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        states.append(h)  # appended before the update
        h = step_ok(x[:, t], h, W, U, b)
    return np.stack(states, axis=1), h


def forward_first_as_last(x, h0, W, U, b):
    hs, _ = forward_with(step_ok)(x, h0, W, U, b)
    return hs, hs[:, 0]


def forward_swapped(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return h, hs


def forward_batch_index(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = step_ok(x[t], h, W, U, b)
        states.append(h)
    return np.stack(states, axis=1), h


def forward_backwards(x, h0, W, U, b):
    return forward_with(step_ok)(x[:, ::-1], h0, W, U, b)


RNN_FORWARD_MISTAKES = {
    "time-major stack": (forward_time_major, "np.stack(states, axis=1)"),
    "h0 kept": (forward_keeps_h0, "you kept h0"),
    "state not carried": (forward_no_carry, "the state is not carried"),
    "off by one": (forward_off_by_one, "off by one"),
    "first state returned as last": (forward_first_as_last, "h_last is the first state"),
    "results swapped": (forward_swapped, "the results are swapped"),
    "x[t] instead of x[:, t]": (forward_batch_index, "x[:, t]"),
    "reads backwards": (forward_backwards, "read backwards"),
    "one result only": (lambda *a: forward_with(step_ok)(*a)[0], "expected two results"),
}


def test_rnn_forward_reference_passes(capsys):
    ok, out = run(checks.rnn_forward, forward_with(step_ok), capsys)
    assert ok is True and out.startswith("✅ rnn_forward")


@pytest.mark.parametrize("name", sorted(RNN_FORWARD_MISTAKES))
def test_rnn_forward_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_FORWARD_MISTAKES[name]
    ok, out = run(checks.rnn_forward, wrong, capsys)
    assert ok is False and out.startswith("❌ rnn_forward")
    assert hint in out, out


PARAM_MISTAKES = {
    "no bias": (lambda D, H: D * H + H * H, "bias is missing"),
    "no recurrent weights": (lambda D, H: D * H + H, "recurrent weights W_hh"),
    "two biases": (lambda D, H: D * H + H * H + 2 * H, "two bias vectors"),
    "no input weights": (lambda D, H: H * H + H, "input weights W_xh"),
    "D and H mixed up": (lambda D, H: D * H + D * D + D, "D and H are mixed up"),
    "something else": (lambda D, H: D * H * H + 1, "count W_xh (D x H), W_hh (H x H) and b_h (H)"),
    "returns a string": (lambda D, H: str(D * H + H * H + H), "return a whole number"),
    "returns a fraction": (lambda D, H: D * H + H * H + H + 0.5, "not a whole number"),
}


def test_param_count_reference_passes_and_agrees_with_keras(capsys):
    import_tensorflow()
    import keras

    def count(D, H):
        return D * H + H * H + H

    ok, out = run(checks.simple_rnn_param_count, count, capsys)
    assert ok is True
    for D, H in ((3, 5), (8, 16), (65, 128)):
        layer = keras.layers.SimpleRNN(H)
        layer.build((None, None, D))
        assert layer.count_params() == count(D, H)


@pytest.mark.parametrize("name", sorted(PARAM_MISTAKES))
def test_param_count_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = PARAM_MISTAKES[name]
    ok, out = run(checks.simple_rnn_param_count, wrong, capsys)
    assert ok is False and out.startswith("❌ simple_rnn_param_count")
    assert hint in out, out


@pytest.mark.parametrize(
    "check", [checks.rnn_step, checks.rnn_forward, checks.simple_rnn_param_count]
)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out
    assert "Traceback" not in out


def test_wrong_types_get_friendly_messages(capsys):
    tf = import_tensorflow()
    ok, out = run(checks.rnn_step, lambda *a: step_ok(*a).tolist(), capsys)
    assert not ok and "Python list" in out and "NumPy array" in out
    ok, out = run(checks.rnn_step, lambda *a: tf.constant(step_ok(*a)), capsys)
    assert not ok and "TensorFlow tensor" in out
    ok, out = run(checks.rnn_step, lambda *a: None, capsys)
    assert not ok and "`return`" in out
    ok, out = run(checks.rnn_step, step_ok(*[np.zeros((1, 1))] * 5), capsys)
    assert not ok and "pass the function itself" in out


def test_checks_document_the_signature():
    assert "rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t" in checks.rnn_step.__doc__
    assert "rnn_forward(x, h0, W_xh, W_hh, b_h) -> (hs, h_last)" in checks.rnn_forward.__doc__
    assert "simple_rnn_param_count(D, H) -> int" in checks.simple_rnn_param_count.__doc__
