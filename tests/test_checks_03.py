"""Lesson 03 checks: the references pass and agree with Keras, each catalogued mistake fails with
its own hint, stubs and wrong types get friendly messages, and a check returns a bool."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.env import import_tensorflow


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_ok(x_t, h_prev, c_prev, W, U, b):
    i, f, g, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    c_t = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def gru_ok(x_t, h_prev, W, U, b):
    x_z, x_r, x_h = np.split(x_t @ W + b[0], 3, axis=-1)
    r_z, r_r, r_h = np.split(h_prev @ U + b[1], 3, axis=-1)
    z, r = sigmoid(x_z + r_z), sigmoid(x_r + r_r)
    return z * h_prev + (1 - z) * np.tanh(x_h + r * r_h)


# --------------------------------------------------------------------------- references vs Keras


def _keras():
    import_tensorflow()
    import keras

    return keras


def unroll(step, x, n_states, H):
    states = [np.zeros((x.shape[0], H), "float32") for _ in range(n_states)]
    outputs = []
    for t in range(x.shape[1]):
        result = step(x[:, t], *states)
        states = list(result) if n_states == 2 else [result]
        outputs.append(states[0])
    return np.stack(outputs, axis=1)


def test_lstm_reference_is_what_keras_computes():
    keras = _keras()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 12, 4)).astype("float32")
    layer = keras.layers.LSTM(6, return_sequences=True)
    layer.build((None, None, 4))
    W, U, b = layer.get_weights()
    b = rng.normal(size=b.shape).astype("float32")
    layer.set_weights([W, U, b])
    ours = unroll(lambda x_t, h, c: lstm_ok(x_t, h, c, W, U, b), x, 2, 6)
    np.testing.assert_allclose(ours, np.asarray(layer(x)), atol=1e-5)


def test_gru_reference_is_what_keras_computes():
    keras = _keras()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 12, 4)).astype("float32")
    layer = keras.layers.GRU(6, return_sequences=True)
    layer.build((None, None, 4))
    W, U, b = layer.get_weights()
    assert b.shape == (2, 18)
    b = rng.normal(size=b.shape).astype("float32")
    layer.set_weights([W, U, b])
    ours = unroll(lambda x_t, h: gru_ok(x_t, h, W, U, b), x, 1, 6)
    np.testing.assert_allclose(ours, np.asarray(layer(x)), atol=1e-5)


def test_references_pass(capsys):
    for check, fn, name in (
        (checks.lstm_step, lstm_ok, "lstm_step"),
        (checks.gru_step, gru_ok, "gru_step"),
    ):
        ok, out = run(check, fn, capsys)
        assert ok is True and out.startswith(f"✅ {name}"), out


# --------------------------------------------------------------------------- lstm_step mistakes


def lstm_variant(
    order="ifco",
    gate=sigmoid,
    cand=np.tanh,
    forget=True,
    inp=True,
    out_gate=True,
    h_from="c",
    bias=True,
    swap_results=False,
):
    def step(x_t, h_prev, c_prev, W, U, b):
        z = x_t @ W + h_prev @ U + (b if bias else 0)
        parts = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
        i, f, o = gate(parts["i"]), gate(parts["f"]), gate(parts["o"])
        g = cand(parts["c"])
        c_t = (f * c_prev if forget else c_prev) + (i * g if inp else g)
        s = {"c": np.tanh(c_t), "raw": c_t, "prev": np.tanh(c_prev)}[h_from]
        h_t = o * s if out_gate else s
        return (c_t, h_t) if swap_results else (h_t, c_t)

    return step


LSTM_MISTAKES = {
    "i and f swapped": (lstm_variant(order="fico"), "i and f swapped"),
    "candidate last": (lstm_variant(order="ifoc"), "candidate last"),
    "TF1 order": (lstm_variant(order="icfo"), "old TF1 order"),
    "o first": (lstm_variant(order="oifc"), "wrong gate order"),
    "tanh and sigmoid swapped": (
        lstm_variant(gate=np.tanh, cand=sigmoid),
        "tanh and sigmoid are swapped",
    ),
    "sigmoid candidate": (lstm_variant(cand=sigmoid), "the candidate g uses the sigmoid"),
    "tanh gates": (lstm_variant(gate=np.tanh), "the gates use tanh"),
    "h from c": (lstm_variant(h_from="raw"), "h_t is computed from c_t itself"),
    "h from c_prev": (lstm_variant(h_from="prev"), "previous cell state c_prev"),
    "forget gate not applied": (lstm_variant(forget=False), "forget gate is not applied"),
    "input gate not applied": (lstm_variant(inp=False), "input gate is not applied"),
    "no output gate": (lstm_variant(out_gate=False), "output gate is missing"),
    "no bias": (lstm_variant(bias=False), "bias b is missing"),
    "results swapped": (lstm_variant(swap_results=True), "the results are swapped"),
    "h only": (lambda *a: lstm_ok(*a)[0], "expected two results"),
    "split on axis 0": (
        lambda x, h, c, W, U, b: lstm_ok(x.T, h.T, c.T, W.T, U.T, b),
        "Check the shapes",
    ),
    "column-vector form": (
        lambda x, h, c, W, U, b: tuple(a.T for a in lstm_ok(x, h, c, W, U, b)),
        "has shape (5, 4) but expected (4, 5)",
    ),
}


@pytest.mark.parametrize("name", sorted(LSTM_MISTAKES))
def test_lstm_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = LSTM_MISTAKES[name]
    ok, out = run(checks.lstm_step, wrong, capsys)
    assert ok is False and out.startswith("❌ lstm_step"), out
    assert hint in out, out


def test_lstm_catalogue_hints_are_distinct():
    from rnncourse.checks.lesson03 import LSTM_MISTAKES as catalogue

    hints = [hint for _, hint in catalogue]
    assert len(catalogue) >= 3 and len(set(hints)) == len(hints)


def test_lstm_unknown_mistake_gets_the_largest_difference(capsys):
    ok, out = run(checks.lstm_step, lambda *a: (lstm_ok(*a)[0] * 1.5, lstm_ok(*a)[1]), capsys)
    assert not ok and "largest difference" in out and "h_t" in out


# --------------------------------------------------------------------------- gru_step mistakes


def gru_variant(order="zrh", gate=sigmoid, cand=np.tanh, keep="z", reset="after", b0=True, b1=True):
    def step(x_t, h_prev, W, U, b):
        H = h_prev.shape[-1]
        xs = dict(zip(order, np.split(x_t @ W + (b[0] if b0 else 0), 3, axis=-1), strict=True))
        rb = b[1] if b1 else np.zeros(3 * H)
        hs = dict(zip(order, np.split(h_prev @ U + rb, 3, axis=-1), strict=True))
        z, r = gate(xs["z"] + hs["z"]), gate(xs["r"] + hs["r"])
        k = order.index("h")
        U_h, b_h = U[:, k * H : (k + 1) * H], rb[k * H : (k + 1) * H]
        pre = {
            "after": lambda: xs["h"] + r * hs["h"],
            "before": lambda: xs["h"] + (r * h_prev) @ U_h + b_h,
            "bias outside": lambda: xs["h"] + r * (h_prev @ U_h) + b_h,
            "none": lambda: xs["h"] + hs["h"],
            "everything": lambda: r * (xs["h"] + hs["h"]),
        }[reset]()
        hh = cand(pre)
        return z * h_prev + (1 - z) * hh if keep == "z" else (1 - z) * h_prev + z * hh

    return step


GRU_MISTAKES = {
    "z and 1-z swapped": (gru_variant(keep="1-z"), "z and 1 - z are swapped"),
    "r, z order": (gru_variant(order="rzh"), "read the blocks as r, z, h"),
    "h, z, r order": (gru_variant(order="hzr"), "read the blocks as h, z, r"),
    "reset before matmul": (gru_variant(reset="before"), "reset_after=False"),
    "recurrent bias outside reset": (
        gru_variant(reset="bias outside"),
        "recurrent bias b[1] is added outside the reset gate",
    ),
    "reset unused": (gru_variant(reset="none"), "the reset gate r is never used"),
    "reset on everything": (gru_variant(reset="everything"), "scales the input term too"),
    "second bias forgotten": (gru_variant(b1=False), "the recurrent bias b[1] is missing"),
    "input bias forgotten": (gru_variant(b0=False), "the input bias b[0] is missing"),
    "no biases": (gru_variant(b0=False, b1=False), "both bias rows are missing"),
    "tanh and sigmoid swapped": (
        gru_variant(gate=np.tanh, cand=sigmoid),
        "tanh and sigmoid are swapped",
    ),
    "sigmoid candidate": (gru_variant(cand=sigmoid), "the candidate hh uses the sigmoid"),
    "whole bias added": (
        lambda x, h, W, U, b: gru_ok(x, h, W, U, np.stack([b, b])),
        "add each row, not b itself",
    ),
    "returns a pair": (lambda *a: (gru_ok(*a), gru_ok(*a)), "return h_t alone"),
}


@pytest.mark.parametrize("name", sorted(GRU_MISTAKES))
def test_gru_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GRU_MISTAKES[name]
    ok, out = run(checks.gru_step, wrong, capsys)
    assert ok is False and out.startswith("❌ gru_step"), out
    assert hint in out, out


def test_gru_catalogue_hints_are_distinct():
    from rnncourse.checks.lesson03 import GRU_MISTAKES as catalogue

    hints = [hint for _, hint in catalogue]
    assert len(catalogue) >= 3 and len(set(hints)) == len(hints)


# --------------------------------------------------------------------------- parameter counts


def lstm_count(D, H):
    return 4 * H * (D + H + 1)


def gru_count(D, H):
    return 3 * H * (D + H + 2)


def test_param_count_references_pass_and_agree_with_keras(capsys):
    keras = _keras()
    assert run(checks.lstm_param_count, lstm_count, capsys)[0] is True
    assert run(checks.gru_param_count, gru_count, capsys)[0] is True
    for D, H in ((3, 5), (8, 16), (65, 128)):
        lstm = keras.layers.LSTM(H)
        lstm.build((None, None, D))
        gru = keras.layers.GRU(H)
        gru.build((None, None, D))
        assert lstm.count_params() == lstm_count(D, H)
        assert gru.count_params() == gru_count(D, H)
        old_gru = keras.layers.GRU(H, reset_after=False)
        old_gru.build((None, None, D))
        assert old_gru.count_params() == 3 * H * (D + H + 1)


LSTM_COUNT_MISTAKES = {
    "no bias": (lambda D, H: 4 * H * (D + H), "biases are missing"),
    "two biases": (lambda D, H: 4 * H * (D + H + 2), "two bias vectors per gate"),
    "three blocks": (lambda D, H: 3 * H * (D + H + 1), "three blocks"),
    "one block": (lambda D, H: H * (D + H + 1), "SimpleRNN's count"),
    "D and H mixed up": (lambda D, H: 4 * D * (D + H + 1), "D and H are mixed up"),
    "H biases": (lambda D, H: 4 * (D * H + H * H) + H, "only H biases"),
    "U is H x H": (lambda D, H: 4 * D * H + H * H + 4 * H, "not H x H"),
    "something else": (lambda D, H: D * H, "Count the kernel W (D x 4H)"),
    "returns a float fraction": (lambda D, H: lstm_count(D, H) + 0.5, "not a whole number"),
    "returns a string": (lambda D, H: str(lstm_count(D, H)), "return a whole number"),
}

GRU_COUNT_MISTAKES = {
    "second bias forgotten": (lambda D, H: 3 * H * (D + H + 1), "reset_after=False"),
    "no biases": (lambda D, H: 3 * H * (D + H), "biases are missing"),
    "LSTM count": (lambda D, H: 4 * H * (D + H + 1), "the LSTM's count"),
    "four blocks": (lambda D, H: 4 * H * (D + H + 2), "four blocks"),
    "two blocks": (lambda D, H: 2 * H * (D + H + 2), "two blocks"),
    "D and H mixed up": (lambda D, H: 3 * D * (D + H + 2), "D and H are mixed up"),
    "bias rows of H": (lambda D, H: 3 * H * (D + H) + 2 * H, "each bias row has 3H entries"),
    "something else": (lambda D, H: D + H, "Count the kernel W (D x 3H)"),
}


@pytest.mark.parametrize("name", sorted(LSTM_COUNT_MISTAKES))
def test_lstm_param_count_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = LSTM_COUNT_MISTAKES[name]
    ok, out = run(checks.lstm_param_count, wrong, capsys)
    assert ok is False and out.startswith("❌ lstm_param_count"), out
    assert hint in out, out


@pytest.mark.parametrize("name", sorted(GRU_COUNT_MISTAKES))
def test_gru_param_count_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GRU_COUNT_MISTAKES[name]
    ok, out = run(checks.gru_param_count, wrong, capsys)
    assert ok is False and out.startswith("❌ gru_param_count"), out
    assert hint in out, out


# --------------------------------------------------------------------------- common behaviour

ALL_CHECKS = [checks.lstm_step, checks.gru_step, checks.lstm_param_count, checks.gru_param_count]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out
    assert "Traceback" not in out


def test_wrong_types_get_friendly_messages(capsys):
    tf = import_tensorflow()
    ok, out = run(checks.lstm_step, lambda *a: tuple(v.tolist() for v in lstm_ok(*a)), capsys)
    assert not ok and "Python list" in out
    ok, out = run(checks.gru_step, lambda *a: tf.constant(gru_ok(*a)), capsys)
    assert not ok and "TensorFlow tensor" in out
    ok, out = run(checks.gru_step, lambda *a: None, capsys)
    assert not ok and "`return`" in out
    ok, out = run(checks.lstm_step, "lstm_step", capsys)
    assert not ok and "pass the function itself" in out


def test_checks_document_the_signature():
    assert "lstm_step(x_t, h_prev, c_prev, W, U, b) -> (h_t, c_t)" in checks.lstm_step.__doc__
    assert "gru_step(x_t, h_prev, W, U, b) -> h_t" in checks.gru_step.__doc__
    assert "lstm_param_count(D, H) -> int" in checks.lstm_param_count.__doc__
    assert "gru_param_count(D, H) -> int" in checks.gru_param_count.__doc__


def test_checks_run_fast():
    import time

    start = time.perf_counter()
    for check, fn in zip(ALL_CHECKS, (lstm_ok, gru_ok, lstm_count, gru_count), strict=True):
        check(fn)
    assert time.perf_counter() - start < 1.0
