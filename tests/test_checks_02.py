"""Lesson 02 checks: the reference and several correct alternatives pass, each catalogued mistake
fails with its own hint, stubs, wrong types and non-finite values get friendly messages, inputs are
protected, the references agree with TensorFlow, and a check prints one line and returns a bool."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson02
from rnncourse.env import import_tensorflow

# --------------------------------------------------------------------------- backward passes


def forward(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def make_backward(
    derivative=lambda h_t, h_prev: 1 - h_t**2,
    back=lambda da, W_hh: da @ W_hh.T,
    prev=lambda hs, h0, t: h0 if t == 0 else hs[:, t - 1],
    steps=None,
    carry=True,
    dx_rule=lambda da, W_xh: da @ W_xh.T,
    db_rule=lambda da: da.sum(axis=0),
    dxh_rule=lambda x_t, da: x_t.T @ da,
    dhh_rule=lambda h_prev, da: h_prev.T @ da,
):
    """A learner's rnn_backward, written the natural way, with one piece swappable."""

    def rnn_backward(x, h0, W_xh, W_hh, b_h, dh_last):
        hs = forward(x, h0, W_xh, W_hh, b_h)
        T = x.shape[1]
        dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
        dx = np.zeros_like(x)
        delta = dh_last
        for t in reversed(range(T)) if steps is None else steps(T):
            h_prev = h0 if t == 0 else hs[:, t - 1]
            da = delta * derivative(hs[:, t], h_prev)
            dW_xh = dW_xh + dxh_rule(x[:, t], da)
            dW_hh = dW_hh + dhh_rule(prev(hs, h0, t), da)
            db_h = db_h + db_rule(da)
            dx[:, t] = dx_rule(da, W_xh)
            delta = back(da, W_hh) if carry else dh_last
        return dW_xh, dW_hh, db_h, dx

    return rnn_backward


backward_ok = make_backward()


def backward_vectorised(x, h0, W_xh, W_hh, b_h, dh_last):
    """A correct variant written differently: stacked previous states, one einsum at the end."""
    hs = forward(x, h0, W_xh, W_hh, b_h)
    prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    das = np.zeros_like(hs)
    delta = dh_last
    for t in range(x.shape[1] - 1, -1, -1):
        das[:, t] = delta * (1 - hs[:, t] ** 2)
        delta = das[:, t] @ W_hh.T
    return (
        np.einsum("btd,bth->dh", x, das),
        np.einsum("bti,bth->ih", prevs, das),
        das.sum(axis=(0, 1)),
        das @ W_xh.T,
    )


def backward_float64_per_example(x, h0, W_xh, W_hh, b_h, dh_last):
    """A correct variant: float64 throughout, one example at a time, explicit Jacobian matrices."""
    x, h0, W_xh, W_hh, b_h, dh_last = (
        np.asarray(a, dtype=np.float64) for a in (x, h0, W_xh, W_hh, b_h, dh_last)
    )
    dW_xh, dW_hh, db_h, dx = (np.zeros(a.shape) for a in (W_xh, W_hh, b_h, x))
    for b in range(x.shape[0]):
        h, hs = h0[b], []
        for t in range(x.shape[1]):
            h = np.tanh(x[b, t] @ W_xh + h @ W_hh + b_h)
            hs.append(h)
        delta = dh_last[b]
        for t in range(x.shape[1] - 1, -1, -1):
            jacobian = np.diag(1 - hs[t] ** 2) @ W_hh.T  # J_t, column form
            da = delta * (1 - hs[t] ** 2)
            dW_xh += np.outer(x[b, t], da)
            dW_hh += np.outer(h0[b] if t == 0 else hs[t - 1], da)
            db_h += da
            dx[b, t] = W_xh @ da
            delta = delta @ jacobian  # row form: δ_{t-1} = δ_t J_t
    return dW_xh, dW_hh, db_h, dx


def test_rnn_backward_reference_and_alternatives_pass(capsys):
    for fn in (backward_ok, backward_vectorised, backward_float64_per_example):
        ok, out = run(checks.rnn_backward, fn, capsys)
        assert ok is True and out.startswith("✅ rnn_backward"), out


def _swapped(x, h0, W_xh, W_hh, b_h, dh_last):
    dW_xh, dW_hh, db_h, dx = backward_ok(x, h0, W_xh, W_hh, b_h, dh_last)
    return dW_hh, dW_xh, db_h, dx


def _truncated(k):
    return make_backward(steps=lambda T: list(range(T - 1, max(T - 1 - k, -1), -1)))


def _mutates_dh_last(x, h0, W_xh, W_hh, b_h, dh_last):
    result = backward_ok(x, h0, W_xh, W_hh, b_h, dh_last.copy())
    dh_last *= 0  # "reset" the argument in place
    return result


def _with_nan(x, h0, W_xh, W_hh, b_h, dh_last):
    dW_xh, dW_hh, db_h, dx = backward_ok(x, h0, W_xh, W_hh, b_h, dh_last)
    return dW_xh, dW_hh * np.nan, db_h, dx


def _carries_delta(x, h0, W_xh, W_hh, b_h, dh_last):
    hs = forward(x, h0, W_xh, W_hh, b_h)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dx = np.zeros_like(x)
    delta = dh_last
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = delta * (1 - hs[:, t] ** 2)
        dW_xh += x[:, t].T @ da
        dW_hh += h_prev.T @ da
        db_h += da.sum(axis=0)
        dx[:, t] = da @ W_xh.T
        delta = delta @ W_hh.T  # the tanh derivative is skipped on the way back
    return dW_xh, dW_hh, db_h, dx


RNN_BACKWARD_MISTAKES = {
    "no tanh derivative": (
        make_backward(derivative=lambda h_t, h_prev: np.ones_like(h_t)),
        "the tanh derivative is missing",
    ),
    "derivative of the previous state": (
        make_backward(derivative=lambda h_t, h_prev: 1 - h_prev**2),
        "(1 - h_{t-1}**2)",
    ),
    "1 - h instead of 1 - h**2": (
        make_backward(derivative=lambda h_t, h_prev: 1 - h_t),
        "you multiplied by (1 - h_t)",
    ),
    "W_hh not transposed backwards": (
        make_backward(back=lambda da, W_hh: da @ W_hh),
        "W_hh is not transposed in the backward recurrence",
    ),
    "last step only": (
        make_backward(steps=lambda T: [T - 1]),
        "only the last time step contributes",
    ),
    "truncated after 5 steps": (_truncated(5), "reaches only the last 5"),
    "truncated after 20 steps": (_truncated(20), "reaches only the last 20"),
    "gradient not carried back": (make_backward(carry=False), "every step starts again"),
    "current state in dW_hh": (
        make_backward(prev=lambda hs, h0, t: hs[:, t]),
        "dW_hh uses the wrong state (off by one)",
    ),
    "hs[:, -1] at t = 0": (
        make_backward(prev=lambda hs, h0, t: hs[:, t - 1]),
        "hs[:, -1], the LAST state",
    ),
    "dx with W_xh untransposed": (
        make_backward(dx_rule=lambda da, W_xh: da @ W_xh),
        "dx[:, t] = da_t @ W_xh.T",
    ),
    "db not summed over the batch": (
        make_backward(db_rule=lambda da: da),
        "sum da_t over the batch (axis 0)",
    ),
    "dW_xh transposed": (
        make_backward(dxh_rule=lambda x_t, da: da.T @ x_t),
        "dW_xh += x[:, t].T @ da_t",
    ),
    "dW_xh and dW_hh swapped": (_swapped, "dW_xh and dW_hh are swapped"),
    "dW_hh transposed": (
        make_backward(dhh_rule=lambda h_prev, da: da.T @ h_prev),
        "dW_hh is transposed",
    ),
    "tanh derivative skipped in the carried gradient": (
        _carries_delta,
        "the gradient carried back to h_{t-1} skips the tanh derivative",
    ),
    "three results": (lambda *a: backward_ok(*a)[:3], "expected four results"),
    "None": (lambda *a: None, "expected four results"),
    "a list for dx": (lambda *a: (*backward_ok(*a)[:3], backward_ok(*a)[3].tolist()), "dx is a"),
    "NaN in dW_hh": (_with_nan, "dW_hh contains NaN"),
    "mutates its argument": (_mutates_dh_last, "changed its input `dh_last` in place"),
}


@pytest.mark.parametrize("name", sorted(RNN_BACKWARD_MISTAKES))
def test_rnn_backward_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_BACKWARD_MISTAKES[name]
    ok, out = run(checks.rnn_backward, wrong, capsys)
    assert ok is False and out.startswith("❌ rnn_backward"), out
    assert hint in out, out


def test_the_long_case_tells_a_truncated_pass_from_the_full_one():
    """On the check's long sequence, stopping after 20 steps changes the gradients beyond the
    tolerances (on the short ones it cannot: T = 6)."""
    what, args = lesson02._backward_cases()[-1]
    x, h0, W_xh, W_hh, b_h, dh_own = args
    assert x.shape[1] == lesson02.LONG_T >= 40
    only_last = np.zeros_like(dh_own)
    only_last[:, -1] = dh_own[:, -1]
    for own in (only_last, dh_own):
        full = lesson02._backward(x, h0, W_xh, W_hh, b_h, own)
        cut = lesson02._backward(x, h0, W_xh, W_hh, b_h, own, window=20)
        assert not lesson02.close(full[1], cut[1]), what  # dW_hh differs
        assert np.abs(full[3][:, 0]).max() > 1e-3, "the gradient reaches step 0"


def test_rnn_backward_reference_agrees_with_gradient_tape():
    """The check's reference is what TensorFlow's autodiff computes for a Keras SimpleRNN."""
    tf = import_tensorflow()
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    layer = keras.layers.SimpleRNN(5)
    layer.build((None, 7, 3))
    W_xh, W_hh, b_h = (w + 0.1 for w in layer.get_weights())
    layer.set_weights([W_xh, W_hh, b_h])
    target = rng.normal(size=(4, 5)).astype("float32")
    x_tf = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tf)
        loss = 0.5 * tf.reduce_sum((layer(x_tf) - target) ** 2)
    tf_grads = tape.gradient(loss, [*layer.trainable_weights, x_tf])
    h_last = forward(x, np.zeros((4, 5)), W_xh, W_hh, b_h)[:, -1]
    ours = backward_ok(x, np.zeros((4, 5)), W_xh, W_hh, b_h, h_last - target)
    for a, b in zip(ours, tf_grads, strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- a loss at every step


def make_all_steps(
    own="before", carry=True, derivative=lambda h_t, h_prev: 1 - h_t**2, carry_delta=False
):
    """A learner's rnn_backward_all_steps, written the natural way, with one piece swappable."""

    def rnn_backward_all_steps(x, h0, W_xh, W_hh, b_h, dh_own):
        hs = forward(x, h0, W_xh, W_hh, b_h)
        T = x.shape[1]
        dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
        dx = np.zeros_like(x)
        carried = np.zeros_like(h0)  # from step t + 1
        for t in reversed(range(T)):
            h_prev = h0 if t == 0 else hs[:, t - 1]
            slope = derivative(hs[:, t], h_prev)
            if own == "before":
                da = (dh_own[:, t] + carried) * slope
            elif own == "doubled_last":  # delta = dh_own[:, -1] at the start, then added again
                start = dh_own[:, t] if t == T - 1 else 0
                da = (dh_own[:, t] + carried + start) * slope
            elif own == "after_tanh":
                da = carried * slope + dh_own[:, t]
            elif own == "forgotten":
                da = (carried + (dh_own[:, t] if t == T - 1 else 0)) * slope
            elif own == "earlier":
                da = (dh_own[:, t - 1] + carried) * slope
            elif own == "later":
                da = (dh_own[:, min(t + 1, T - 1)] + carried) * slope
            elif own == "summed":
                da = (carried + (dh_own.sum(axis=1) if t == T - 1 else 0)) * slope
            dW_xh += x[:, t].T @ da
            dW_hh += h_prev.T @ da
            db_h += da.sum(axis=0)
            dx[:, t] = da @ W_xh.T
            if carry_delta:
                carried = (dh_own[:, t] + carried) @ W_hh.T
            else:
                carried = da @ W_hh.T if carry else 0
        return dW_xh, dW_hh, db_h, dx

    return rnn_backward_all_steps


all_steps_ok = make_all_steps()


def all_steps_by_superposition(x, h0, W_xh, W_hh, b_h, dh_own):
    """A correct variant: L = sum_t L_t is linear in the losses, so add the last-state backward
    pass of every prefix x[:, :t+1] with dh_last = dh_own[:, t] (T passes, O(T^2))."""
    total = [np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h), np.zeros_like(x)]
    for t in range(x.shape[1]):
        parts = backward_ok(x[:, : t + 1], h0, W_xh, W_hh, b_h, dh_own[:, t])
        for i in range(3):
            total[i] = total[i] + parts[i]
        total[3][:, : t + 1] += parts[3]
    return tuple(total)


def all_steps_in_place_on_a_copy(x, h0, W_xh, W_hh, b_h, dh_own):
    """A correct variant: accumulate δ into a copy of dh_own (δ_{t-1} += da_t W_hh^T), float64,
    einsum for the weights."""
    hs = forward(x.astype(np.float64), h0, W_xh, W_hh, b_h)
    deltas = dh_own.astype(np.float64)  # a new array: the argument stays untouched
    das = np.zeros_like(deltas)
    for t in range(x.shape[1] - 1, -1, -1):
        das[:, t] = deltas[:, t] * (1 - hs[:, t] ** 2)
        if t > 0:
            deltas[:, t - 1] += das[:, t] @ W_hh.T
    prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    return (
        np.einsum("btd,bth->dh", x, das),
        np.einsum("bti,bth->ih", prevs, das),
        das.sum(axis=(0, 1)),
        np.einsum("bth,dh->btd", das, W_xh),
    )


def all_steps_mutating(x, h0, W_xh, W_hh, b_h, dh_own):
    """Right gradients, but accumulated into the caller's dh_own."""
    hs = forward(x, h0, W_xh, W_hh, b_h)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dx = np.zeros_like(x)
    for t in range(x.shape[1] - 1, -1, -1):
        da = dh_own[:, t] * (1 - hs[:, t] ** 2)
        if t > 0:
            dh_own[:, t - 1] += da @ W_hh.T
        h_prev = h0 if t == 0 else hs[:, t - 1]
        dW_xh += x[:, t].T @ da
        dW_hh += h_prev.T @ da
        db_h += da.sum(axis=0)
        dx[:, t] = da @ W_xh.T
    return dW_xh, dW_hh, db_h, dx


def test_rnn_backward_all_steps_reference_and_alternatives_pass(capsys):
    for fn in (all_steps_ok, all_steps_by_superposition, all_steps_in_place_on_a_copy):
        ok, out = run(checks.rnn_backward_all_steps, fn, capsys)
        assert ok is True and out.startswith("✅ rnn_backward_all_steps"), out


def _all_steps_window(x, h0, W_xh, W_hh, b_h, dh_own, k):
    """Backward loop that stops after the last k steps."""
    hs = forward(x, h0, W_xh, W_hh, b_h)
    T = x.shape[1]
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dx = np.zeros_like(x)
    carried = np.zeros_like(h0)
    for t in range(T - 1, max(T - 1 - k, -1), -1):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (dh_own[:, t] + carried) * (1 - hs[:, t] ** 2)
        dW_xh += x[:, t].T @ da
        dW_hh += h_prev.T @ da
        db_h += da.sum(axis=0)
        dx[:, t] = da @ W_xh.T
        carried = da @ W_hh.T
    return dW_xh, dW_hh, db_h, dx


ALL_STEPS_MISTAKES = {
    "own loss forgotten": (make_all_steps(own="forgotten"), "only the last step's loss"),
    "own loss after the tanh derivative": (
        make_all_steps(own="after_tanh"),
        "after multiplying by (1 - h_t**2)",
    ),
    "off by one: dh_own[:, t - 1]": (make_all_steps(own="earlier"), "received dh_own[:, t-1]"),
    "off by one: dh_own[:, t + 1]": (make_all_steps(own="later"), "received dh_own[:, t+1]"),
    "all losses summed at the end": (make_all_steps(own="summed"), "summed the per-step"),
    "last loss counted twice": (make_all_steps(own="doubled_last"), "counted twice"),
    "tanh derivative skipped in the carried gradient": (
        make_all_steps(carry_delta=True),
        "skips the tanh derivative",
    ),
    "nothing carried back": (make_all_steps(carry=False), "each step only sees its own loss"),
    "h_(t-1) in the tanh derivative": (
        make_all_steps(derivative=lambda h_t, h_prev: 1 - h_prev**2),
        "(1 - h_{t-1}**2)",
    ),
    "no tanh derivative": (
        make_all_steps(derivative=lambda h_t, h_prev: np.ones_like(h_t)),
        "the tanh derivative is missing",
    ),
    "the last-state exercise's answer": (
        lambda x, h0, W_xh, W_hh, b_h, dh_own: backward_ok(x, h0, W_xh, W_hh, b_h, dh_own[:, -1]),
        "only the last step's loss",
    ),
    "truncated after 10 steps": (
        lambda *a: _all_steps_window(*a, k=10),  # the same as the full pass when T <= 10
        "reaches only the last 10",
    ),
    "accumulates into dh_own": (all_steps_mutating, "changed its input `dh_own` in place"),
    "a tensor for db_h": (
        lambda *a: (
            (*all_steps_ok(*a)[:2], import_tensorflow().constant(all_steps_ok(*a)[2]))
            + (all_steps_ok(*a)[3],)
        ),
        "TensorFlow tensor",
    ),
    "inf in dx": (lambda *a: (*all_steps_ok(*a)[:3], all_steps_ok(*a)[3] / 0.0), "contains inf"),
}


@pytest.mark.parametrize("name", sorted(ALL_STEPS_MISTAKES))
def test_rnn_backward_all_steps_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = ALL_STEPS_MISTAKES[name]
    with np.errstate(divide="ignore"):
        ok, out = run(checks.rnn_backward_all_steps, wrong, capsys)
    assert ok is False and out.startswith("❌ rnn_backward_all_steps"), out
    assert hint in out, out


def test_transposed_w_hh_is_named_with_a_loss_at_every_step(capsys):
    ok, out = run(checks.rnn_backward_all_steps, _transposed_back, capsys)
    assert not ok and "W_hh is not transposed in the backward recurrence" in out, out


def _transposed_back(x, h0, W_xh, W_hh, b_h, dh_own):
    hs = forward(x, h0, W_xh, W_hh, b_h)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b_h)
    dx = np.zeros_like(x)
    carried = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (dh_own[:, t] + carried) * (1 - hs[:, t] ** 2)
        dW_xh += x[:, t].T @ da
        dW_hh += h_prev.T @ da
        db_h += da.sum(axis=0)
        dx[:, t] = da @ W_xh.T
        carried = da @ W_hh  # not transposed
    return dW_xh, dW_hh, db_h, dx


def test_all_steps_reference_agrees_with_gradient_tape():
    """A loss at every step: the reference is TensorFlow's gradient of sum_t L_t, with
    dh_own[:, t] = ∂L_t/∂h_t the gradient with respect to the layer's output sequence."""
    tf = import_tensorflow()
    import keras

    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 12, 2)).astype("float32")
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    layer.build((None, 12, 2))
    W_xh, W_hh, b_h = (w + 0.05 for w in layer.get_weights())
    layer.set_weights([W_xh, W_hh, b_h])
    targets = rng.normal(size=(3, 12, 5)).astype("float32")
    x_tf = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x_tf)
        hs = layer(x_tf)
        loss = 0.5 * tf.reduce_sum((hs - targets) ** 2)
    tf_grads = tape.gradient(loss, [*layer.trainable_weights, x_tf])
    dh_own = np.asarray(tape.gradient(loss, hs))
    np.testing.assert_allclose(dh_own, np.asarray(hs) - targets, rtol=1e-5, atol=1e-6)
    ours = lesson02._backward(x, np.zeros((3, 5)), W_xh, W_hh, b_h, dh_own)
    for a, b in zip(ours, tf_grads, strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- spectral_radius


def radius_ok(W):
    return np.abs(np.linalg.eigvals(W)).max()


RADIUS_ALTERNATIVES = {
    "reference": radius_ok,
    "float": lambda W: float(radius_ok(W)),
    "0-d array": lambda W: np.array(radius_ok(W)),
    "np.linalg.eig": lambda W: np.max(np.abs(np.linalg.eig(W)[0])),
    "python loop": lambda W: max(abs(complex(v)) for v in np.linalg.eigvals(W)),
    "float64 and hypot": lambda W: np.hypot(
        np.linalg.eigvals(W.astype(np.float64)).real, np.linalg.eigvals(W.astype(np.float64)).imag
    ).max(),
    "float32 result": lambda W: np.float32(radius_ok(W)),
}


@pytest.mark.parametrize("name", sorted(RADIUS_ALTERNATIVES))
def test_spectral_radius_reference_and_alternatives_pass(name, capsys):
    ok, out = run(checks.spectral_radius, RADIUS_ALTERNATIVES[name], capsys)
    assert ok is True and out.startswith("✅ spectral_radius"), out


def _max_then_abs(W):
    eigenvalues = np.linalg.eigvals(W)
    return abs(eigenvalues[np.argmax(eigenvalues.real)])


SPECTRAL_MISTAKES = {
    "largest singular value": (lambda W: np.linalg.norm(W, 2), "largest singular value"),
    "svd": (lambda W: np.linalg.svd(W, compute_uv=False)[0], "largest singular value"),
    "eigenvalues of W W^T": (
        lambda W: np.abs(np.linalg.eigvals(W @ W.T)).max(),
        "largest eigenvalue of W @ W.T",
    ),
    "eigvalsh": (lambda W: np.abs(np.linalg.eigvalsh(W)).max(), "eigvalsh"),
    "max real part": (lambda W: np.linalg.eigvals(W).real.max(), "largest real part"),
    "max |real part|": (lambda W: np.abs(np.linalg.eigvals(W).real).max(), "largest |real part|"),
    "max, then abs": (_max_then_abs, "max, then abs"),
    "trace / n": (lambda W: np.trace(W) / W.shape[0], "trace / n"),
    "mean eigenvalue": (lambda W: np.linalg.eigvals(W).mean().real, "trace / n"),
    "mean |eigenvalue|": (lambda W: np.abs(np.linalg.eigvals(W)).mean(), "averaged the |eig"),
    "Frobenius norm": (lambda W: np.linalg.norm(W), "Frobenius norm"),
    "largest entry": (lambda W: np.abs(W).max(), "largest |entry|"),
    "smallest eigenvalue": (lambda W: np.abs(np.linalg.eigvals(W)).min(), "smallest |eigenvalue|"),
    "complex result": (
        lambda W: np.linalg.eigvals(W)[np.argmax(np.abs(np.linalg.eigvals(W)))] + 0j,
        "complex number",
    ),
    "python complex": (lambda W: complex(radius_ok(W)), "complex number"),
    "all moduli": (lambda W: np.abs(np.linalg.eigvals(W)), "array of shape"),
    "np.linalg.eig's pair": (lambda W: np.linalg.eig(W), "of length 2"),
    "a list": (lambda W: [radius_ok(W)], "Python list of length 1"),
    "nan": (lambda W: np.nan, "you returned nan"),
    "inf": (lambda W: np.inf, "you returned inf"),
    "a string": (lambda W: "0.9", "you returned str"),
    "something else": (lambda W: radius_ok(W) + 0.3, "np.abs(np.linalg.eigvals(W)).max()"),
    "no return": (lambda W: None, "`return`"),
    "mutates W": (lambda W: (radius_ok(W), W.fill(0))[0], "changed its input `W` in place"),
}


@pytest.mark.parametrize("name", sorted(SPECTRAL_MISTAKES))
def test_spectral_radius_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = SPECTRAL_MISTAKES[name]
    ok, out = run(checks.spectral_radius, wrong, capsys)
    assert ok is False and out.startswith("❌ spectral_radius"), out
    assert hint in out, out


def test_spectral_radius_tensor_gets_a_friendly_message(capsys):
    tf = import_tensorflow()
    ok, out = run(checks.spectral_radius, lambda W: tf.constant(radius_ok(W)), capsys)
    assert not ok and "TensorFlow tensor" in out


def test_spectral_radius_matrices_cover_the_hard_cases():
    """Non-normal matrices, and among them one whose dominant eigenvalues are a complex pair."""
    matrices = lesson02._test_matrices()

    def non_normal(W):
        W = np.asarray(W, dtype=np.float64)
        return not np.allclose(W @ W.T, W.T @ W)

    def complex_dominant(W):
        eigenvalues = np.linalg.eigvals(np.asarray(W, dtype=np.float64))
        return abs(eigenvalues[np.argmax(np.abs(eigenvalues))].imag) > 0.1

    assert sum(non_normal(W) for W in matrices) >= 4
    assert any(non_normal(W) and complex_dominant(W) for W in matrices)
    assert any(np.linalg.norm(W, 2) > 2 * lesson02._radius_of(W) for W in matrices)
    assert any(W.dtype == np.float32 for W in matrices)
    assert any(np.issubdtype(W.dtype, np.integer) for W in matrices)


# --------------------------------------------------------------------------- clip_by_global_norm


def clip_ok(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    scale = min(1.0, clip_norm / norm)  # divides by zero on all-zero gradients: inf -> 1
    return [g * scale for g in grads], norm


def clip_loop(grads, clip_norm):
    """A correct variant: explicit branch, Python float norm, a tuple of results."""
    total = 0.0
    for g in grads:
        total += float((g * g).sum())
    norm = total**0.5
    if norm <= clip_norm:
        return list(grads), norm
    return [g * (clip_norm / norm) for g in grads], norm


def clip_flat(grads, clip_norm):
    """A correct variant: one long float64 vector, np.linalg.norm, then split again."""
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads])
    norm = np.linalg.norm(flat)
    scale = clip_norm / max(norm, clip_norm)
    return [g * scale for g in grads], np.float64(norm)


def clip_in_place_on_copies(grads, clip_norm):
    """A correct variant: scales copies in place, returns the norm as a 0-d array."""
    norm = np.sqrt(np.sum([np.vdot(g, g) for g in grads]))
    clipped = [np.array(g, dtype=np.float64) for g in grads]
    if norm > clip_norm:
        for c in clipped:
            c *= clip_norm / norm
    return clipped, np.asarray(norm)


@pytest.mark.parametrize("fn", [clip_ok, clip_loop, clip_flat, clip_in_place_on_copies])
def test_clip_reference_and_alternatives_pass_without_a_warning(fn, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning leaks, not even from clip_ok's 1 / 0
        ok, out = run(checks.clip_by_global_norm, fn, capsys)
    assert ok is True and out.startswith("✅ clip_by_global_norm"), out


def _per_tensor(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, c / np.linalg.norm(g)) for g in grads], norm


def _scales_up(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * c / norm for g in grads], norm


def _sum_of_norms(grads, c):
    norm = sum(np.linalg.norm(g) for g in grads)
    return [g * min(1.0, c / norm) for g in grads], norm


def _norm_after(grads, c):
    clipped, _ = clip_ok(grads, c)
    return clipped, np.sqrt(sum(np.sum(g**2) for g in clipped))


def _no_sqrt(grads, c):
    norm = sum(np.sum(g**2) for g in grads)
    return [g * min(1.0, c / norm) for g in grads], norm


def _unit(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return ([g / norm for g in grads] if norm > c else grads), norm


def _values(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [np.clip(g, -c, c) for g in grads], norm


def _tf_version(grads, c):
    tf = import_tensorflow()
    return tf.clip_by_global_norm([tf.constant(g) for g in grads], c)


def _python_division(grads, c):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    return [g * min(1.0, c / norm) for g in grads], norm  # ZeroDivisionError at norm 0


def _always_divides(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    scale = c / norm  # nan for all-zero gradients
    return [g * min(scale, 1.0) if norm != 0 else g * scale for g in grads], norm


def _in_place(grads, c):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    for g in grads:
        g *= min(1.0, c / max(norm, c))
    return grads, norm


def _replaces_list_items(grads, c):
    clipped, norm = clip_ok(grads, c)
    grads[:] = clipped  # the caller's list now holds other arrays
    return clipped, norm


CLIP_MISTAKES = {
    "per-tensor clipping": (_per_tensor, "each tensor was clipped to its own norm"),
    "scales small gradients up": (_scales_up, "scales small gradients UP"),
    "sum of norms": (_sum_of_norms, "not the sum of the tensors' norms"),
    "norm after clipping": (_norm_after, "the norm AFTER clipping"),
    "no square root": (_no_sqrt, "take its square root"),
    "unit norm": (_unit, "multiply by clip_norm / global_norm"),
    "clip values": (_values, "clipvalue"),
    "returns the list only": (lambda g, c: clip_ok(g, c)[0], "expected two results"),
    "swapped results": (lambda g, c: clip_ok(g, c)[::-1], "swapped"),
    "tensorflow tensors": (_tf_version, "TensorFlow tensor"),
    "norm as a list": (lambda g, c: (clip_ok(g, c)[0], [clip_ok(g, c)[1]]), "one number"),
    "norm is None": (lambda g, c: (clip_ok(g, c)[0], None), "global_norm is None"),
    "nan norm": (lambda g, c: (clip_ok(g, c)[0], float("nan")), "global_norm"),
    "wrong scale": (
        lambda g, c: ([x * 0.3 for x in g], clip_ok(g, c)[1]),
        "right shape but wrong values",
    ),
    "python division by a zero norm": (_python_division, "ZeroDivisionError"),
    "nan on all-zero gradients": (_always_divides, "when every gradient is zero"),
    "scales the given arrays in place": (_in_place, "changed its input `grads` in place"),
    "replaces the items of the given list": (
        _replaces_list_items,
        "changed its input `grads` in place",
    ),
}


@pytest.mark.parametrize("name", sorted(CLIP_MISTAKES))
def test_clip_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = CLIP_MISTAKES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check's own arithmetic and the learner's are quiet
        ok, out = run(checks.clip_by_global_norm, wrong, capsys)
    assert ok is False and out.startswith("❌ clip_by_global_norm"), out
    assert hint in out, out


def test_python_division_by_zero_is_explained(capsys):
    ok, out = run(checks.clip_by_global_norm, _python_division, capsys)
    assert not ok and "all-zero gradients" in out and "max(global_norm, clip_norm)" in out


def test_clip_reference_agrees_with_tensorflow():
    tf = import_tensorflow()
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5) * 4]
    for clip_norm in (0.5, 3.0, 100.0):
        ours, our_norm = clip_ok(grads, clip_norm)
        theirs, their_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], clip_norm)
        assert float(their_norm) == pytest.approx(our_norm)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-6)
    zeros = [np.zeros((2, 3)), np.zeros(4)]
    ours, our_norm = lesson02._clip_reference(zeros, 1.0)
    theirs, their_norm = tf.clip_by_global_norm([tf.constant(g) for g in zeros], 1.0)
    assert float(their_norm) == our_norm == 0.0
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, np.asarray(b))


# --------------------------------------------------------------------------- all checks


ALL = [
    checks.rnn_backward,
    checks.rnn_backward_all_steps,
    checks.spectral_radius,
    checks.clip_by_global_norm,
]
REFERENCES = (backward_ok, all_steps_ok, radius_ok, clip_loop)


@pytest.mark.parametrize("check", ALL, ids=lambda c: c.__name__)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("check", ALL, ids=lambda c: c.__name__)
def test_passing_a_result_instead_of_the_function(check, capsys):
    ok, out = run(check, 3.0, capsys)
    assert not ok and "pass the function itself" in out


@pytest.mark.parametrize("check", ALL, ids=lambda c: c.__name__)
def test_a_check_keeps_no_state_between_calls(check, capsys):
    """A failing call (that even mutates what it is given) does not change the next verdict."""
    reference = REFERENCES[ALL.index(check)]

    def vandal(*args):
        for a in args:
            if isinstance(a, np.ndarray):
                a.fill(7.0)
            elif isinstance(a, list):
                for item in a:
                    item.fill(7.0)
        return None

    assert run(check, reference, capsys)[0] is True
    assert run(check, vandal, capsys)[0] is False
    assert run(check, reference, capsys)[0] is True


def test_an_exception_in_the_learners_code_becomes_a_hint(capsys):
    def broken(x, h0, W_xh, W_hh, b_h, dh_last):
        return x @ W_hh  # (B, T, D) @ (H, H): shapes do not align

    ok, out = run(checks.rnn_backward, broken, capsys)
    assert not ok and "raised ValueError" in out and "Check the shapes" in out


def test_checks_document_the_signature():
    assert (
        "rnn_backward(x, h0, W_xh, W_hh, b_h, dh_last) -> (dW_xh, dW_hh, db_h, dx)"
        in checks.rnn_backward.__doc__
    )
    assert (
        "rnn_backward_all_steps(x, h0, W_xh, W_hh, b_h, dh_own) -> (dW_xh, dW_hh, db_h, dx)"
        in checks.rnn_backward_all_steps.__doc__
    )
    assert "spectral_radius(W) -> float" in checks.spectral_radius.__doc__
    assert (
        "clip_by_global_norm(grads, clip_norm) -> (clipped, global_norm)"
        in checks.clip_by_global_norm.__doc__
    )


def test_messages_use_the_course_notation():
    """COURSE_GUIDE section 6: no g for a gradient; δ_t, a_t and da_t instead."""
    import inspect
    import re

    source = inspect.getsource(lesson02)
    assert not re.search(r"\bg_t\b", source)
    assert "δ_t" in source and "da_t" in source


def test_checks_are_fast(capsys):
    import time

    for check, fn in zip(ALL, REFERENCES, strict=True):
        start = time.perf_counter()
        check(fn)
        assert time.perf_counter() - start < 1.0
    capsys.readouterr()
