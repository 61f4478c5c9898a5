"""Lesson 02 checks: the reference passes, each catalogued mistake fails with its own hint,
stubs and wrong types get friendly messages, the references agree with TensorFlow, and a check
prints one line and returns a bool."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.env import import_tensorflow

# --------------------------------------------------------------------------- rnn_backward


def forward(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def make_backward(
    derivative=lambda h_t, h_prev: 1 - h_t**2,
    back=lambda g, W_hh: g @ W_hh.T,
    prev=lambda hs, h0, t: h0 if t == 0 else hs[:, t - 1],
    steps=None,
    carry=True,
    dx_rule=lambda g, W_xh: g @ W_xh.T,
    db_rule=lambda g: g.sum(axis=0),
    dxh_rule=lambda x_t, g: x_t.T @ g,
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
            g = delta * derivative(hs[:, t], h_prev)
            dW_xh = dW_xh + dxh_rule(x[:, t], g)
            dW_hh = dW_hh + prev(hs, h0, t).T @ g
            db_h = db_h + db_rule(g)
            dx[:, t] = dx_rule(g, W_xh)
            delta = back(g, W_hh) if carry else dh_last
        return dW_xh, dW_hh, db_h, dx

    return rnn_backward


backward_ok = make_backward()


def backward_vectorised(x, h0, W_xh, W_hh, b_h, dh_last):
    """A correct variant written differently: stacked previous states, one einsum at the end."""
    hs = forward(x, h0, W_xh, W_hh, b_h)
    prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    gs = np.zeros_like(hs)
    delta = dh_last
    for t in range(x.shape[1] - 1, -1, -1):
        gs[:, t] = delta * (1 - hs[:, t] ** 2)
        delta = gs[:, t] @ W_hh.T
    return (
        np.einsum("btd,bth->dh", x, gs),
        np.einsum("bti,bth->ih", prevs, gs),
        gs.sum(axis=(0, 1)),
        gs @ W_xh.T,
    )


def test_rnn_backward_reference_passes(capsys):
    for fn in (backward_ok, backward_vectorised):
        ok, out = run(checks.rnn_backward, fn, capsys)
        assert ok is True and out.startswith("✅ rnn_backward"), out


def _swapped(x, h0, W_xh, W_hh, b_h, dh_last):
    dW_xh, dW_hh, db_h, dx = backward_ok(x, h0, W_xh, W_hh, b_h, dh_last)
    return dW_hh, dW_xh, db_h, dx


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
        make_backward(back=lambda g, W_hh: g @ W_hh),
        "W_hh is not transposed in the backward recurrence",
    ),
    "last step only": (
        make_backward(steps=lambda T: [T - 1]),
        "only the last time step contributes",
    ),
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
        make_backward(dx_rule=lambda g, W_xh: g @ W_xh),
        "dx[:, t] = g_t @ W_xh.T",
    ),
    "db not summed over the batch": (
        make_backward(db_rule=lambda g: g),
        "sum g_t over the batch (axis 0)",
    ),
    "dW_xh transposed": (
        make_backward(dxh_rule=lambda x_t, g: g.T @ x_t),
        "dW_xh += x[:, t].T @ g_t",
    ),
    "dW_xh and dW_hh swapped": (_swapped, "dW_xh and dW_hh are swapped"),
    "three results": (lambda *a: backward_ok(*a)[:3], "expected four results"),
}


@pytest.mark.parametrize("name", sorted(RNN_BACKWARD_MISTAKES))
def test_rnn_backward_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_BACKWARD_MISTAKES[name]
    ok, out = run(checks.rnn_backward, wrong, capsys)
    assert ok is False and out.startswith("❌ rnn_backward"), out
    assert hint in out, out


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


# --------------------------------------------------------------------------- spectral_radius


def radius_ok(W):
    return np.abs(np.linalg.eigvals(W)).max()


def test_spectral_radius_reference_passes(capsys):
    for fn in (radius_ok, lambda W: float(radius_ok(W)), lambda W: np.array(radius_ok(W))):
        ok, out = run(checks.spectral_radius, fn, capsys)
        assert ok is True and out.startswith("✅ spectral_radius"), out


SPECTRAL_MISTAKES = {
    "largest singular value": (lambda W: np.linalg.norm(W, 2), "largest singular value"),
    "svd": (lambda W: np.linalg.svd(W, compute_uv=False)[0], "largest singular value"),
    "max real part": (lambda W: np.linalg.eigvals(W).real.max(), "largest real part"),
    "max |real part|": (lambda W: np.abs(np.linalg.eigvals(W).real).max(), "largest |real part|"),
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
    "all moduli": (lambda W: np.abs(np.linalg.eigvals(W)), "array of shape"),
    "something else": (lambda W: radius_ok(W) + 0.3, "np.abs(np.linalg.eigvals(W)).max()"),
    "no return": (lambda W: None, "`return`"),
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


# --------------------------------------------------------------------------- clip_by_global_norm


def clip_ok(grads, clip_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    scale = min(1.0, clip_norm / norm)
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


def test_clip_reference_passes(capsys):
    for fn in (clip_ok, clip_loop):
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
    "wrong scale": (
        lambda g, c: ([x * 0.3 for x in g], clip_ok(g, c)[1]),
        "right shape but wrong values",
    ),
}


@pytest.mark.parametrize("name", sorted(CLIP_MISTAKES))
def test_clip_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = CLIP_MISTAKES[name]
    ok, out = run(checks.clip_by_global_norm, wrong, capsys)
    assert ok is False and out.startswith("❌ clip_by_global_norm"), out
    assert hint in out, out


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


# --------------------------------------------------------------------------- all checks


ALL = [checks.rnn_backward, checks.spectral_radius, checks.clip_by_global_norm]


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
    assert "spectral_radius(W) -> float" in checks.spectral_radius.__doc__
    assert (
        "clip_by_global_norm(grads, clip_norm) -> (clipped, global_norm)"
        in checks.clip_by_global_norm.__doc__
    )


def test_checks_are_fast(capsys):
    import time

    for check, fn in zip(ALL, (backward_ok, radius_ok, clip_ok), strict=True):
        start = time.perf_counter()
        check(fn)
        assert time.perf_counter() - start < 1.0
    capsys.readouterr()
