"""Lesson 03 checks: the references pass and agree with Keras, correct alternatives pass, each
catalogued mistake fails with its own hint, bad return values get a line and False, stubs and
wrong types get friendly messages, and a check returns a bool."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.env import import_tensorflow


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def lstm_ok(x_t, h_prev, c_prev, W_x, W_h, b):
    a_i, a_f, a_c, a_o = np.split(x_t @ W_x + h_prev @ W_h + b, 4, axis=-1)
    i, f, c_tilde, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t, {"i": i, "f": f, "c_tilde": c_tilde, "o": o}


def gru_ok(x_t, h_prev, W_x, W_h, b):
    in_z, in_r, in_h = np.split(x_t @ W_x + b[0], 3, axis=-1)
    rec_z, rec_r, rec_h = np.split(h_prev @ W_h + b[1], 3, axis=-1)
    z, r = sigmoid(in_z + rec_z), sigmoid(in_r + rec_r)
    return z * h_prev + (1 - z) * np.tanh(in_h + r * rec_h)


# --------------------------------------------------------------------------- correct alternatives


def lstm_einsum(x_t, h_prev, c_prev, W_x, W_h, b):
    """einsum for the products, a stable tanh-based sigmoid, slicing instead of np.split."""
    n = h_prev.shape[-1]
    a = np.einsum("bd,dk->bk", x_t, W_x) + np.einsum("bh,hk->bk", h_prev, W_h) + b

    def gate(block):
        return 0.5 * (1.0 + np.tanh(0.5 * block))

    i, f, o = gate(a[:, :n]), gate(a[:, n : 2 * n]), gate(a[:, 3 * n :])
    c_tilde = np.tanh(a[:, 2 * n : 3 * n])
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t, {"o": o, "c_tilde": c_tilde, "f": f, "i": i}


def lstm_split_weights_float64(x_t, h_prev, c_prev, W_x, W_h, b):
    """Per-gate weight matrices, float64 throughout, scipy-free stable sigmoid, a list of gates."""
    x_t, h_prev, c_prev = (np.asarray(v, np.float64) for v in (x_t, h_prev, c_prev))
    n = h_prev.shape[1]
    gates = {}
    for k, (name, act) in enumerate(
        [("i", "sig"), ("f", "sig"), ("c_tilde", "tanh"), ("o", "sig")]
    ):
        cols = slice(k * n, (k + 1) * n)
        a = x_t @ W_x[:, cols].astype(np.float64) + h_prev @ W_h[:, cols] + b[cols]
        if act == "tanh":
            gates[name] = np.tanh(a)
        else:
            gates[name] = np.where(
                a >= 0, 1 / (1 + np.exp(-np.abs(a))), 1 - 1 / (1 + np.exp(-np.abs(a)))
            )
    c_t = gates["f"] * c_prev + gates["i"] * gates["c_tilde"]
    return gates["o"] * np.tanh(c_t), c_t, gates


def lstm_loops(x_t, h_prev, c_prev, W_x, W_h, b):
    """Explicit loops over examples and units, float32 results."""
    batch, n = h_prev.shape
    h_t, c_t = np.zeros((batch, n), np.float32), np.zeros((batch, n), np.float32)
    gates = {key: np.zeros((batch, n), np.float32) for key in ("i", "f", "c_tilde", "o")}
    for e in range(batch):
        a = x_t[e] @ W_x + h_prev[e] @ W_h + b
        for u in range(n):
            i = sigmoid(a[u])
            f = sigmoid(a[n + u])
            c_tilde = np.tanh(a[2 * n + u])
            o = sigmoid(a[3 * n + u])
            c_t[e, u] = f * c_prev[e, u] + i * c_tilde
            h_t[e, u] = o * np.tanh(c_t[e, u])
            for key, value in zip(("i", "f", "c_tilde", "o"), (i, f, c_tilde, o), strict=True):
                gates[key][e, u] = value
    return h_t, c_t, gates


def gru_einsum(x_t, h_prev, W_x, W_h, b):
    n = h_prev.shape[-1]
    inp = np.einsum("bd,dk->bk", x_t, W_x) + b[0]
    rec = np.einsum("bh,hk->bk", h_prev, W_h) + b[1]
    z = 0.5 * (1 + np.tanh(0.5 * (inp[:, :n] + rec[:, :n])))
    r = 0.5 * (1 + np.tanh(0.5 * (inp[:, n : 2 * n] + rec[:, n : 2 * n])))
    h_tilde = np.tanh(inp[:, 2 * n :] + r * rec[:, 2 * n :])
    return h_tilde + z * (h_prev - h_tilde)  # the same as z h + (1 - z) h̃


def gru_split_weights_float64(x_t, h_prev, W_x, W_h, b):
    x_t, h_prev = np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64)
    W_xz, W_xr, W_xh = np.split(W_x.astype(np.float64), 3, axis=1)
    W_hz, W_hr, W_hh = np.split(W_h.astype(np.float64), 3, axis=1)
    b_xz, b_xr, b_xh = np.split(b[0], 3)
    b_hz, b_hr, b_hh = np.split(b[1], 3)
    z = sigmoid(x_t @ W_xz + b_xz + h_prev @ W_hz + b_hz)
    r = sigmoid(x_t @ W_xr + b_xr + h_prev @ W_hr + b_hr)
    h_tilde = np.tanh(x_t @ W_xh + b_xh + r * (h_prev @ W_hh + b_hh))
    return z * h_prev + (1 - z) * h_tilde


LSTM_ALTERNATIVES = [lstm_einsum, lstm_split_weights_float64, lstm_loops]
GRU_ALTERNATIVES = [gru_einsum, gru_split_weights_float64]


@pytest.mark.parametrize("fn", LSTM_ALTERNATIVES, ids=lambda f: f.__name__)
def test_correct_lstm_alternatives_pass(fn, capsys):
    ok, out = run(checks.lstm_step, fn, capsys)
    assert ok is True, out


@pytest.mark.parametrize("fn", GRU_ALTERNATIVES, ids=lambda f: f.__name__)
def test_correct_gru_alternatives_pass(fn, capsys):
    ok, out = run(checks.gru_step, fn, capsys)
    assert ok is True, out


def test_correct_count_alternatives_pass(capsys):
    assert run(checks.gru_param_count, lambda D, H: np.int64(3 * (D * H + H * H + 2 * H)), capsys)[
        0
    ]
    assert run(checks.gru_param_count, lambda D, H: float(3 * H * (D + H + 2)), capsys)[0]


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
        states = list(result[:2]) if n_states == 2 else [result]
        outputs.append(states[0])
    return np.stack(outputs, axis=1)


def test_lstm_reference_is_what_keras_computes():
    keras = _keras()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 12, 4)).astype("float32")
    layer = keras.layers.LSTM(6, return_sequences=True)
    layer.build((None, None, 4))
    W_x, W_h, b = layer.get_weights()
    b = rng.normal(size=b.shape).astype("float32")
    layer.set_weights([W_x, W_h, b])
    ours = unroll(lambda x_t, h, c: lstm_ok(x_t, h, c, W_x, W_h, b), x, 2, 6)
    np.testing.assert_allclose(ours, np.asarray(layer(x)), atol=1e-5)


def test_gru_reference_is_what_keras_computes():
    keras = _keras()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 12, 4)).astype("float32")
    layer = keras.layers.GRU(6, return_sequences=True)
    layer.build((None, None, 4))
    W_x, W_h, b = layer.get_weights()
    assert b.shape == (2, 18)
    b = rng.normal(size=b.shape).astype("float32")
    layer.set_weights([W_x, W_h, b])
    ours = unroll(lambda x_t, h: gru_ok(x_t, h, W_x, W_h, b), x, 1, 6)
    np.testing.assert_allclose(ours, np.asarray(layer(x)), atol=1e-5)


def test_references_pass(capsys):
    for check, fn, name in (
        (checks.lstm_step, lstm_ok, "lstm_step"),
        (checks.gru_step, gru_ok, "gru_step"),
    ):
        ok, out = run(check, fn, capsys)
        assert ok is True and out.startswith(f"✅ {name}"), out


def test_the_cases_cover_saturation_zeros_and_float64():
    from rnncourse.checks.lesson03 import _cases

    for n_gates in (3, 4):
        seeds = (1, 2, 5, 6, 7) if n_gates == 4 else (3, 4, 9, 11, 12)
        cases = dict(_cases(n_gates, seeds))
        large = next(args for label, args in cases.items() if label.startswith("large"))
        bias = large[-1] if n_gates == 4 else large[-1][0]
        assert np.abs(large[0] @ large[-3] + large[1] @ large[-2] + bias).max() > 100
        zeros = next(args for label, args in cases.items() if label.startswith("all-zero"))
        assert not any(a.any() for a in zeros[: n_gates - 1])
        assert any(args[0].dtype == np.float64 for args in cases.values())


# --------------------------------------------------------------------------- lstm_step mistakes


def lstm_variant(
    order="ifco",
    gate=sigmoid,
    cand=np.tanh,
    forget=True,
    write="i",
    out_gate=True,
    h_from="c",
    bias=True,
    recurrent="h",
    swap_results=False,
):
    def step(x_t, h_prev, c_prev, W_x, W_h, b):
        a = x_t @ W_x + {"h": h_prev, "c": c_prev}[recurrent] @ W_h + (b if bias else 0)
        parts = dict(zip(order, np.split(a, 4, axis=-1), strict=True))
        i, f, o = gate(parts["i"]), gate(parts["f"]), gate(parts["o"])
        c_tilde = cand(parts["c"])
        written = {"i": i * c_tilde, "none": c_tilde, "1-f": (1 - f) * c_tilde}[write]
        c_t = (f * c_prev if forget else c_prev) + written
        s = {"c": np.tanh(c_t), "raw": c_t, "prev": np.tanh(c_prev)}[h_from]
        h_t = o * s if out_gate else s
        gates = {"i": i, "f": f, "c_tilde": c_tilde, "o": o}
        return (c_t, h_t, gates) if swap_results else (h_t, c_t, gates)

    return step


def with_gates(change):
    """lstm_ok with its gates dict changed by `change(gates, pre_activations)`."""

    def step(x_t, h_prev, c_prev, W_x, W_h, b):
        h_t, c_t, gates = lstm_ok(x_t, h_prev, c_prev, W_x, W_h, b)
        pre = dict(
            zip(
                ("i", "f", "c_tilde", "o"),
                np.split(x_t @ W_x + h_prev @ W_h + b, 4, -1),
                strict=True,
            )
        )
        return h_t, c_t, change(dict(gates), pre)

    return step


def naive_sigmoid_lstm(x_t, h_prev, c_prev, W_x, W_h, b):
    """exp(a) / (1 + exp(a)): right for small a, NaN when exp overflows."""

    def gate(a):
        return np.exp(a) / (1.0 + np.exp(a))

    a_i, a_f, a_c, a_o = np.split(x_t @ W_x + h_prev @ W_h + b, 4, axis=-1)
    i, f, c_tilde, o = gate(a_i), gate(a_f), np.tanh(a_c), gate(a_o)
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t, {"i": i, "f": f, "c_tilde": c_tilde, "o": o}


class Stateful:
    """A step that keeps state between calls: correct for the first 10 calls, then wrong."""

    def __init__(self, fn, bad):
        self.calls, self.fn, self.bad = 0, fn, bad

    def __call__(self, *args):
        self.calls += 1
        return self.bad(*args) if self.calls > 10 else self.fn(*args)


LSTM_MISTAKES = {
    "i and f swapped": (lstm_variant(order="fico"), "i and f swapped"),
    "candidate last": (lstm_variant(order="ifoc"), "candidate last"),
    "TF1 order": (lstm_variant(order="icfo"), "old TF1 order"),
    "o first": (lstm_variant(order="oifc"), "as o, i, f, c"),
    "candidate first": (lstm_variant(order="cifo"), "candidate first"),
    "tanh and sigmoid swapped": (
        lstm_variant(gate=np.tanh, cand=sigmoid),
        "tanh and sigmoid are swapped",
    ),
    "sigmoid candidate": (lstm_variant(cand=sigmoid), "the candidate c̃ uses the sigmoid"),
    "raw candidate": (lstm_variant(cand=lambda a: a), "the candidate is the raw block"),
    "tanh gates": (lstm_variant(gate=np.tanh), "the gates use tanh"),
    "h from c": (lstm_variant(h_from="raw"), "h_t is computed from c_t itself"),
    "h from c_prev": (lstm_variant(h_from="prev"), "previous cell state c_prev"),
    "forget gate not applied": (lstm_variant(forget=False), "forget gate is not applied"),
    "input gate not applied": (lstm_variant(write="none"), "input gate is not applied"),
    "coupled gates": (lstm_variant(write="1-f"), "written with 1 - f"),
    "no output gate": (lstm_variant(out_gate=False), "output gate is missing"),
    "no bias": (lstm_variant(bias=False), "bias b is missing"),
    "cell state in the recurrent product": (
        lstm_variant(recurrent="c"),
        "the recurrent product uses the cell state",
    ),
    "results swapped": (lstm_variant(swap_results=True), "h_t and c_t are swapped"),
    "h and c only": (lambda *a: lstm_ok(*a)[:2], "expected three results"),
    "h only": (lambda *a: lstm_ok(*a)[0], "expected three results"),
    "gates as a tuple": (
        lambda *a: (*lstm_ok(*a)[:2], tuple(lstm_ok(*a)[2].values())),
        "return a dict",
    ),
    "gate key missing": (
        with_gates(lambda g, p: {k: v for k, v in g.items() if k != "c_tilde"}),
        "missing: 'c_tilde'",
    ),
    "gates i and f swapped in the dict": (
        with_gates(lambda g, p: {**g, "i": g["f"], "f": g["i"]}),
        "gates['i'] holds the forget gate",
    ),
    "pre-activation instead of the gate": (
        with_gates(lambda g, p: {**g, "o": p["o"]}),
        "gates['o'] is the pre-activation block",
    ),
    "a gate wrong otherwise": (
        with_gates(lambda g, p: {**g, "f": g["f"] * 0.5}),
        "gates['f'] has the right shape but wrong values",
    ),
    "split on axis 0": (
        lambda x, h, c, W_x, W_h, b: lstm_ok(x.T, h.T, c.T, W_x.T, W_h.T, b),
        "Check the shapes",
    ),
    "column-vector form": (
        lambda x, h, c, W_x, W_h, b: (
            *(v.T for v in lstm_ok(x, h, c, W_x, W_h, b)[:2]),
            lstm_ok(x, h, c, W_x, W_h, b)[2],
        ),
        "has shape (5, 4) but expected (4, 5): h_t and c_t have one row per example",
    ),
    "sigmoid that overflows": (naive_sigmoid_lstm, "contains NaN"),
    "hard-coded H = 5": (
        lambda x, h, c, W_x, W_h, b: (
            lstm_ok(x, h, c, W_x, W_h, b)
            if h.shape[1] == 5
            else (np.zeros((h.shape[0], 5)), *lstm_ok(x, h, c, W_x, W_h, b)[1:])
        ),
        "but not on a single unit (H = 1): h_t has shape (2, 5) but expected (2, 1)",
    ),
    "wrong only on saturated gates": (
        lambda *a: lstm_variant(gate=lambda v: sigmoid(np.clip(v, -8, 8)))(*a),
        "but not on large pre-activations",
    ),
    "wrong only on float64": (
        lambda *a: (
            lstm_ok(*[np.asarray(v, np.float16) for v in a])
            if a[0].dtype == np.float64
            else lstm_ok(*a)
        ),
        "but not on float64 inputs",
    ),
    "wrong after 10 calls": (
        Stateful(lstm_ok, lstm_variant(bias=False)),
        "of a 60-step sequence",
    ),
    "changes its input": (
        lambda x, h, c, W_x, W_h, b: (c.__imul__(0.0), lstm_ok(x, h, c, W_x, W_h, b))[1],
        "changed its input `c`",
    ),
    "returns NaN": (
        lambda *a: (np.full_like(lstm_ok(*a)[0], np.nan), *lstm_ok(*a)[1:]),
        "h_t contains NaN",
    ),
    "returns inf": (
        lambda *a: (lstm_ok(*a)[0], np.full_like(lstm_ok(*a)[1], np.inf), lstm_ok(*a)[2]),
        "c_t contains infinity",
    ),
    "returns None": (lambda *a: None, "expected three results"),
    "returns None inside": (lambda *a: (None, *lstm_ok(*a)[1:]), "h_t is None"),
    "returns lists": (
        lambda *a: (*(v.tolist() for v in lstm_ok(*a)[:2]), lstm_ok(*a)[2]),
        "Python list",
    ),
    "raises": (lambda *a: 1 / 0, "ZeroDivisionError"),
}


@pytest.mark.parametrize("name", sorted(LSTM_MISTAKES))
def test_lstm_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = LSTM_MISTAKES[name]
    ok, out = run(checks.lstm_step, wrong, capsys)
    assert ok is False and out.startswith("❌ lstm_step"), out
    assert hint in out, out


def test_lstm_tensor_result_is_named(capsys):
    tf = import_tensorflow()
    ok, out = run(
        checks.lstm_step, lambda *a: (tf.constant(lstm_ok(*a)[0]), *lstm_ok(*a)[1:]), capsys
    )
    assert not ok and "TensorFlow tensor" in out


def test_every_lstm_catalogue_entry_is_caught_on_the_first_case():
    """Each catalogued mistake differs from the reference, and from every other entry."""
    from rnncourse.checks.lesson03 import LSTM_MISTAKES as catalogue
    from rnncourse.checks.lesson03 import _cases, _lstm, close

    args = _cases(4, (1, 2, 5, 6, 7))[0][1]
    right = _lstm(*args)
    outputs = [_lstm(*args, **options)[:2] for options, _ in catalogue]
    for k, (h, c) in enumerate(outputs):
        assert not (close(h, right[0]) and close(c, right[1])), catalogue[k]
        for h2, c2 in outputs[k + 1 :]:
            assert not (close(h, h2) and close(c, c2))


def test_lstm_catalogue_hints_are_distinct():
    from rnncourse.checks.lesson03 import LSTM_MISTAKES as catalogue

    hints = [hint for _, hint in catalogue]
    assert len(catalogue) >= 3 and len(set(hints)) == len(hints)


def test_lstm_unknown_mistake_gets_the_largest_difference(capsys):
    ok, out = run(checks.lstm_step, lambda *a: (lstm_ok(*a)[0] * 1.5, *lstm_ok(*a)[1:]), capsys)
    assert not ok and "largest difference" in out and "h_t" in out


# --------------------------------------------------------------------------- gru_step mistakes


def gru_variant(
    order="zrh", gate=sigmoid, cand=np.tanh, keep="z", reset="after", b0=True, b1=True, swap=False
):
    def step(x_t, h_prev, W_x, W_h, b):
        H = h_prev.shape[-1]
        b = b[::-1] if swap else b
        xs = dict(zip(order, np.split(x_t @ W_x + (b[0] if b0 else 0), 3, axis=-1), strict=True))
        rb = b[1] if b1 else np.zeros(3 * H)
        hs = dict(zip(order, np.split(h_prev @ W_h + rb, 3, axis=-1), strict=True))
        z, r = gate(xs["z"] + hs["z"]), gate(xs["r"] + hs["r"])
        k = order.index("h")
        W_hh, b_h = W_h[:, k * H : (k + 1) * H], rb[k * H : (k + 1) * H]
        pre = {
            "after": lambda: xs["h"] + r * hs["h"],
            "before": lambda: xs["h"] + (r * h_prev) @ W_hh + b_h,
            "bias outside": lambda: xs["h"] + r * (h_prev @ W_hh) + b_h,
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
    "z, h, r order": (gru_variant(order="zhr"), "read the blocks as z, h, r"),
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
    "bias rows swapped": (gru_variant(swap=True), "the two bias rows are swapped"),
    "tanh and sigmoid swapped": (
        gru_variant(gate=np.tanh, cand=sigmoid),
        "tanh and sigmoid are swapped",
    ),
    "tanh gates": (gru_variant(gate=np.tanh), "the gates use tanh"),
    "sigmoid candidate": (gru_variant(cand=sigmoid), "the candidate h_tilde uses the sigmoid"),
    "whole bias added": (
        lambda x, h, W_x, W_h, b: gru_ok(x, h, W_x, W_h, np.stack([b, b])),
        "add each row, not b itself",
    ),
    "returns a pair": (lambda *a: (gru_ok(*a), gru_ok(*a)), "return h_t alone"),
    "hard-coded H = 5": (
        lambda x, h, W_x, W_h, b: gru_ok(x, h, W_x, W_h, b) if h.shape[1] == 5 else h[:, :0],
        "but not on a single unit (H = 1)",
    ),
    "wrong only on saturated gates": (
        gru_variant(gate=lambda v: sigmoid(np.clip(v, -8, 8))),
        "but not on large pre-activations",
    ),
    "wrong after 10 calls": (Stateful(gru_ok, gru_variant(keep="1-z")), "of a 60-step sequence"),
    "changes its input": (
        lambda x, h, W_x, W_h, b: (h.__imul__(0.0), gru_ok(x, h, W_x, W_h, b))[1],
        "changed its input `h`",
    ),
    "returns NaN": (lambda *a: gru_ok(*a) * np.nan, "h_t contains NaN"),
    "returns None": (lambda *a: None, "`return`"),
    "returns a list": (lambda *a: gru_ok(*a).tolist(), "Python list"),
    "raises": (lambda *a: [][1], "IndexError"),
}


@pytest.mark.parametrize("name", sorted(GRU_MISTAKES))
def test_gru_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GRU_MISTAKES[name]
    ok, out = run(checks.gru_step, wrong, capsys)
    assert ok is False and out.startswith("❌ gru_step"), out
    assert hint in out, out


def test_gru_tensor_result_is_named(capsys):
    tf = import_tensorflow()
    ok, out = run(checks.gru_step, lambda *a: tf.constant(gru_ok(*a)), capsys)
    assert not ok and "TensorFlow tensor" in out


def test_every_gru_catalogue_entry_is_caught_on_the_first_case():
    from rnncourse.checks.lesson03 import GRU_MISTAKES as catalogue
    from rnncourse.checks.lesson03 import _cases, _gru, close

    args = _cases(3, (3, 4, 9, 11, 12))[0][1]
    right = _gru(*args)
    outputs = [_gru(*args, **options) for options, _ in catalogue]
    for k, h in enumerate(outputs):
        assert not close(h, right), catalogue[k]
        assert not any(close(h, other) for other in outputs[k + 1 :]), catalogue[k]


def test_gru_catalogue_hints_are_distinct():
    from rnncourse.checks.lesson03 import GRU_MISTAKES as catalogue

    hints = [hint for _, hint in catalogue]
    assert len(catalogue) >= 3 and len(set(hints)) == len(hints)


# --------------------------------------------------------------------------- parameter count


def gru_count(D, H):
    return 3 * H * (D + H + 2)


def test_param_count_reference_passes_and_agrees_with_keras(capsys):
    keras = _keras()
    assert run(checks.gru_param_count, gru_count, capsys)[0] is True
    for D, H in ((3, 5), (1, 1), (8, 16), (65, 128)):
        gru = keras.layers.GRU(H)
        gru.build((None, None, D))
        assert gru.count_params() == gru_count(D, H)
        old_gru = keras.layers.GRU(H, reset_after=False)
        old_gru.build((None, None, D))
        assert old_gru.count_params() == 3 * H * (D + H + 1)


GRU_COUNT_MISTAKES = {
    "second bias forgotten": (lambda D, H: 3 * H * (D + H + 1), "reset_after=False"),
    "no biases": (lambda D, H: 3 * H * (D + H), "biases are missing"),
    "LSTM count": (lambda D, H: 4 * H * (D + H + 1), "the LSTM's count"),
    "four blocks": (lambda D, H: 4 * H * (D + H + 2), "four blocks"),
    "two blocks": (lambda D, H: 2 * H * (D + H + 2), "two blocks"),
    "one block": (lambda D, H: H * (D + H + 1), "SimpleRNN's count"),
    "D and H mixed up": (lambda D, H: 3 * D * (D + H + 2), "D and H are mixed up"),
    "bias rows of H": (lambda D, H: 3 * H * (D + H) + 2 * H, "each bias row has 3H entries"),
    "W_h is H x H": (lambda D, H: 3 * D * H + H * H + 6 * H, "not H x H"),
    "something else": (lambda D, H: D + H, "Count the kernel W_x (D x 3H)"),
    "returns a float fraction": (lambda D, H: gru_count(D, H) + 0.5, "not a whole number"),
    "returns a string": (lambda D, H: str(gru_count(D, H)), "return a whole number"),
    "returns NaN": (lambda D, H: float("nan"), "finite whole number"),
    "returns inf": (lambda D, H: float("inf"), "finite whole number"),
    "returns None": (lambda D, H: None, "`return`"),
    "returns a list": (lambda D, H: [gru_count(D, H)], "return a whole number"),
}


@pytest.mark.parametrize("name", sorted(GRU_COUNT_MISTAKES))
def test_gru_param_count_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GRU_COUNT_MISTAKES[name]
    ok, out = run(checks.gru_param_count, wrong, capsys)
    assert ok is False and out.startswith("❌ gru_param_count"), out
    assert hint in out, out


# --------------------------------------------------------------------------- common behaviour

ALL_CHECKS = [checks.lstm_step, checks.gru_step, checks.gru_param_count]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_a_string_instead_of_the_function(check, capsys):
    ok, out = run(check, "my_function", capsys)
    assert not ok and "pass the function itself" in out


def test_checks_document_the_signature():
    assert (
        "lstm_step(x_t, h_prev, c_prev, W_x, W_h, b) -> (h_t, c_t, gates)"
        in checks.lstm_step.__doc__
    )
    assert "gru_step(x_t, h_prev, W_x, W_h, b) -> h_t" in checks.gru_step.__doc__
    assert "gru_param_count(D, H) -> int" in checks.gru_param_count.__doc__


def test_check_messages_use_the_course_notation():
    """COURSE_GUIDE section 6: W_x and W_h, the candidate c̃ (never g), z only the GRU's gate."""
    import inspect

    from rnncourse.checks import lesson03

    source = inspect.getsource(lesson03)
    assert " U " not in source and "U (H" not in source and "g_t" not in source
    for _, hint in lesson03.LSTM_MISTAKES:
        assert "z" not in hint.replace("size", ""), hint


def test_checks_run_fast():
    import time

    start = time.perf_counter()
    for check, fn in zip(ALL_CHECKS, (lstm_ok, gru_ok, gru_count), strict=True):
        check(fn)
    assert time.perf_counter() - start < 1.0
