"""Lesson 10 checks: the references pass, correct alternatives pass (explicit loops, einsum,
float64, a TensorFlow loop, log-space forms with and without the concatenation, h_0 handled
apart, Keras ops), each catalogued mistake fails with its own hint, the cases have the properties
the hints rely on, bad return values get a line and False, inputs changed in place are reported,
stubs get "not implemented yet", the learner's failing line is named, and every check runs in
well under a second. The numeric answer of the quiz bank and its claims on float32 scans are
recomputed at the end."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from check_support import assert_own_hint, run, stub

from rnncourse import checks
from rnncourse.checks import lesson10
from rnncourse.checks._core import close, sigmoid
from rnncourse.env import import_tensorflow

tf = import_tensorflow()  # before keras: no TensorFlow load-time messages
import keras  # noqa: E402

#: A RuntimeWarning that escapes a check (the learner's or the check's own arithmetic) fails.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


# --------------------------------------------------------------------------- min_gru_loop


def gru_ok(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def gru_preallocated_lerp(z, h_tilde, h0):
    out = np.empty(z.shape, dtype=np.float64)
    h = h0.astype(np.float64)
    for t in range(z.shape[1]):
        h = h + z[:, t] * (h_tilde[:, t] - h)  # the same update, written as a lerp
        out[:, t] = h
    return out


def gru_einsum_scalar_loops(z, h_tilde, h0):
    b, steps, units = z.shape
    out = np.zeros((b, steps, units), dtype=z.dtype)
    for i in range(b):
        for j in range(units):
            h = float(h0[i, j])
            for t in range(steps):
                weights = np.array([1 - z[i, t, j], z[i, t, j]])
                h = float(np.einsum("k,k->", weights, np.array([h, h_tilde[i, t, j]])))
                out[i, t, j] = h
    return out


def gru_tensorflow(z, h_tilde, h0):
    z, h_tilde = tf.constant(z), tf.constant(h_tilde)
    h, states = tf.constant(h0), []
    for t in range(z.shape[1]):
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
        states.append(h)
    return tf.stack(states, axis=1)


def gru_float64_transpose(z, h_tilde, h0):
    z, h_tilde, h = (np.asarray(x, np.float64) for x in (z, h_tilde, h0))
    states = []
    for zt, ct in zip(np.moveaxis(z, 1, 0), np.moveaxis(h_tilde, 1, 0), strict=True):
        h = (1.0 - zt) * h + zt * ct
        states.append(h)
    return np.array(states).transpose(1, 0, 2)


def gru_keras_convention(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = z[:, t] * h + (1 - z[:, t]) * h_tilde[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def gru_no_h0(z, h_tilde, h0):
    return gru_ok(z, h_tilde, np.zeros_like(h0))


def gru_off_by_one(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        states.append(h)
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
    return np.stack(states, axis=1)


def gru_with_h0(z, h_tilde, h0):
    return np.concatenate([h0[:, None], gru_ok(z, h_tilde, h0)], axis=1)


def gru_only_last(z, h_tilde, h0):
    return gru_ok(z, h_tilde, h0)[:, -1]


def gru_batch_loop(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[0]):
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def gru_batch_index(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = (1 - z[t]) * h + z[t] * h_tilde[t]
        states.append(h)
    return np.stack(states, axis=1)


def gru_not_gated(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = (1 - z[:, t]) * h + h_tilde[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def gru_both_one_minus(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = (1 - z[:, t]) * (h + h_tilde[:, t])
        states.append(h)
    return np.stack(states, axis=1)


def gru_not_carried(z, h_tilde, h0):
    return np.stack(
        [(1 - z[:, t]) * h0 + z[:, t] * h_tilde[:, t] for t in range(z.shape[1])], axis=1
    )


def gru_transposed(z, h_tilde, h0):
    return gru_ok(z, h_tilde, h0).transpose(1, 0, 2)


def gru_scrambled(z, h_tilde, h0):
    h, states = h0, []
    for t in range(z.shape[1]):
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
        states.append(h)
    return np.array(states).reshape(z.shape)


def gru_candidate_tanh(z, h_tilde, h0):
    return gru_ok(z, np.tanh(h_tilde), h0)


def gru_candidate_g(z, h_tilde, h0):
    return gru_ok(z, np.where(h_tilde >= 0, h_tilde + 0.5, sigmoid(np.minimum(h_tilde, 0))), h0)


def gru_gate_again(z, h_tilde, h0):
    return gru_ok(sigmoid(z), h_tilde, h0)


GRU_PHRASES = {
    "keras convention": "that is Keras's GRU convention",
    "no h0": "the loop starts from zeros, not from h0",
    "off by one": "it is off by one step",
    "with h0": "it includes h0",
    "only last": "only the last state h_T was returned",
    "batch loop": "the loop runs over the batch axis",
    "batch index": "is row t of the BATCH",
    "not gated": "the candidate is added without its gate",
    "both 1 - z": "the candidate is gated by (1 - z) as well",
    "not carried": "every step mixes h0 with the candidate",
    "transposed": "puts time first",
    "scrambled": "its numbers are scrambled",
    "candidate again": "h_tilde went through an activation again",
    "gate again": "z went through a sigmoid again",
}

GRU_LEARNERS = [
    (gru_keras_convention, "keras convention"),
    (gru_no_h0, "no h0"),
    (gru_off_by_one, "off by one"),
    (gru_with_h0, "with h0"),  # the hint says "T + 1 = 6 states, shape (3, 6, 4)"
    (gru_only_last, "only last"),
    (gru_batch_loop, "batch loop"),
    (gru_batch_index, "batch index"),
    (gru_not_gated, "not gated"),
    (gru_both_one_minus, "both 1 - z"),
    (gru_not_carried, "not carried"),
    (gru_transposed, "transposed"),
    (gru_scrambled, "scrambled"),
    (gru_candidate_tanh, "candidate again"),
    (gru_candidate_g, "candidate again"),
    (gru_gate_again, "gate again"),
]


@pytest.mark.parametrize(("fn", "name"), GRU_LEARNERS, ids=lambda v: getattr(v, "__name__", v))
def test_each_min_gru_mistake_gets_its_own_hint(fn, name, capsys):
    ok, out = run(checks.min_gru_loop, fn, capsys)
    assert ok is False and out.startswith("❌ min_gru_loop: on B = 3, T = 5, H = 4"), out
    assert_own_hint(out, GRU_PHRASES, name)


def test_the_min_gru_phrases_belong_to_the_catalogue():
    hints = dict(lesson10.GRU_MISTAKES)
    assert set(GRU_PHRASES) == set(hints) == {name for _, name in GRU_LEARNERS}
    for name, phrase in GRU_PHRASES.items():
        assert phrase in hints[name], name


def test_the_keras_hint_states_both_conventions(capsys):
    ok, out = run(checks.min_gru_loop, gru_keras_convention, capsys)
    assert "z weighs the OLD state" in out and "z_t weighs the NEW candidate" in out, out
    assert "h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]" in out, out


def test_the_min_gru_cases_have_what_the_hints_need():
    cases = lesson10._gru_cases()
    first = cases[0]
    assert len({first.batch, first.steps, first.units}) == 3 and first.batch < first.steps
    assert any(c.batch == c.steps == c.units == 1 for c in cases)
    assert any(c.steps >= 300 and c.dtype == "float64" for c in cases)
    assert {c.dtype for c in cases} == {"float32", "float64"}
    z, h_tilde, h0 = first.arrays()
    want = lesson10._gru_run(z, h_tilde, h0)
    wrong = [w for w, _ in lesson10._gru_mistakes(z, h_tilde, h0, want)]
    assert (h_tilde < 0).any() and (h0 < 0).any(), "candidates and states of both signs"
    assert not any(close(w, want) for w in wrong)
    for i, a in enumerate(wrong):  # the hints cannot be confused with each other
        assert not any(close(a, b) for b in wrong[i + 1 :])
    extreme = cases[-1].arrays()[0]
    assert (extreme < 1e-3).any() and (extreme > 1 - 1e-3).any()
    assert ((extreme > 0) & (extreme < 1)).all()


def test_an_unknown_min_gru_mistake_names_the_first_wrong_step(capsys):
    def late_error(z, h_tilde, h0):
        out = gru_ok(z, h_tilde, h0)
        out[:, 3:] += 0.1
        return out

    ok, out = run(checks.min_gru_loop, late_error, capsys)
    assert ok is False and "h[:, 3], the state after step 4, is the first wrong one" in out, out
    assert "(the 3 before it match)" in out, out


def test_a_wrong_first_step_is_named(capsys):
    def first_error(z, h_tilde, h0):
        out = gru_ok(z, h_tilde, h0)
        out[:, 0] *= 1.5
        return out

    ok, out = run(checks.min_gru_loop, first_error, capsys)
    assert ok is False and "already the first state, h[:, 0] = h_1" in out, out


def test_the_long_sequence_is_checked_to_its_end(capsys):
    def capped(z, h_tilde, h0):  # a loop that stops early and repeats its last state
        h, states = h0, []
        for t in range(z.shape[1]):
            if t < 256:
                h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
            states.append(h)
        return np.stack(states, axis=1)

    ok, out = run(checks.min_gru_loop, capped, capsys)
    assert ok is False and out.startswith("❌ min_gru_loop: on B = 2, T = 300, H = 3"), out
    assert "h[:, 256], the state after step 257, is the first wrong one" in out, out


def test_updating_h0_in_place_is_reported(capsys):
    def in_place(z, h_tilde, h0):
        h, states = h0, []
        for t in range(z.shape[1]):
            h *= 1 - z[:, t]
            h += z[:, t] * h_tilde[:, t]
            states.append(h.copy())
        return np.stack(states, axis=1)

    ok, out = run(checks.min_gru_loop, in_place, capsys)
    assert ok is False and "changed its input `h0` in place" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda z, c, h0: None, "did you forget the `return` statement?"),
        (lambda z, c, h0: list(gru_ok(z, c, h0)), "is a Python list"),
        (lambda z, c, h0: gru_ok(z, c, h0) * np.nan, "contains NaN at index (0, 0, 0)"),
        (lambda z, c, h0: gru_ok(z, c, h0)[0], "has shape (5, 4) but expected (3, 5, 4)"),
        (lambda z, c, h0: "h", "has type str"),
    ],
    ids=["none", "list", "nan", "no-batch", "string"],
)
def test_bad_min_gru_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.min_gru_loop, bad, capsys)
    assert ok is False and expected in out, out


def test_an_error_in_the_learners_loop_names_its_line(capsys):
    def typo(z, h_tilde, h0):
        h = h0
        for t in range(z.shape[1]):
            h = (1 - z[:, t]) * h + z[:, t] * h_tild[:, t]  # noqa: F821
        return h

    ok, out = run(checks.min_gru_loop, typo, capsys)
    assert ok is False and "NameError" in out and "h_tild[:, t]" in out, out
    assert "line " in out and "(in typo)" in out, out


# --------------------------------------------------------------------------- log_space_scan


def scan_ok(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_h0_apart(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    from_u = tf.math.cumulative_logsumexp(log_u - big_lambda, axis=1)
    return tf.exp(big_lambda + tf.experimental.numpy.logaddexp(log_h0[:, None, :], from_u))


def scan_concat_free(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    h0_part = tf.exp(big_lambda + tf.expand_dims(log_h0, 1))
    u_part = tf.exp(big_lambda + tf.math.cumulative_logsumexp(log_u - big_lambda, axis=1))
    return h0_part + u_part


def scan_padded(log_lambda, log_u, log_h0):  # Feng et al.'s form: Λ padded with Λ_0 = 0
    big_lambda_0 = tf.pad(tf.math.cumsum(log_lambda, axis=1), [[0, 0], [1, 0], [0, 0]])
    values = tf.concat([tf.expand_dims(log_h0, 1), log_u], axis=1)
    log_h = big_lambda_0 + tf.math.cumulative_logsumexp(values - big_lambda_0, axis=1)
    return tf.exp(log_h)[:, 1:]


def scan_keras_ops(log_lambda, log_u, log_h0):
    ops = keras.ops
    big_lambda = ops.cumsum(log_lambda, axis=1)
    terms = ops.concatenate([ops.expand_dims(log_h0, 1), log_u - big_lambda], axis=1)
    return ops.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_positional_only(x, y, z, /):
    """Other parameter names, positional only: the check must not pass them by keyword."""
    return scan_ok(x, y, z)


def scan_upcast(log_lambda, log_u, log_h0):
    """Computes in float64 whatever comes in: more precise, never less."""
    return scan_ok(*(tf.cast(x, tf.float64) for x in (log_lambda, log_u, log_h0)))


def scan_u_times_lambda(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - (big_lambda - log_lambda)], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_exclusive(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1, exclusive=True)
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_no_h0(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(log_u - big_lambda, axis=1))


def scan_h0_not_decayed(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    return tf.exp(log_h0)[:, None, :] + tf.exp(
        big_lambda + tf.math.cumulative_logsumexp(log_u - big_lambda, axis=1)
    )


def scan_default_axis(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda)  # axis 0: the batch
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms)[:, 1:])


def scan_last_axis(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=-1)
    from_u = tf.math.cumulative_logsumexp(log_u - big_lambda, axis=-1)
    return tf.exp(big_lambda + tf.experimental.numpy.logaddexp(log_h0[:, None, :], from_u))


def scan_no_exp(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:]


def scan_with_h0(log_lambda, log_u, log_h0):
    big_lambda_0 = tf.pad(tf.math.cumsum(log_lambda, axis=1), [[0, 0], [1, 0], [0, 0]])
    values = tf.concat([tf.expand_dims(log_h0, 1), log_u], axis=1)
    return tf.exp(big_lambda_0 + tf.math.cumulative_logsumexp(values - big_lambda_0, axis=1))


def scan_only_last(log_lambda, log_u, log_h0):
    return scan_ok(log_lambda, log_u, log_h0)[:, -1]


def scan_shifted(log_lambda, log_u, log_h0):
    big_lambda_0 = tf.pad(tf.math.cumsum(log_lambda, axis=1), [[0, 0], [1, 0], [0, 0]])
    values = tf.concat([tf.expand_dims(log_h0, 1), log_u], axis=1)
    return tf.exp(big_lambda_0 + tf.math.cumulative_logsumexp(values - big_lambda_0, axis=1))[
        :, :-1
    ]


def scan_whole_sum(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.reduce_logsumexp(terms, axis=1, keepdims=True))


def scan_cumsum_of_logs(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.math.cumsum(terms, axis=1)[:, 1:])


def scan_swapped(log_lambda, log_u, log_h0):
    return scan_ok(log_u, log_lambda, log_h0)


def scan_no_log_space(log_lambda, log_u, log_h0):
    P = tf.math.cumprod(tf.exp(log_lambda), axis=1)
    return P * (tf.exp(log_h0)[:, None, :] + tf.math.cumsum(tf.exp(log_u) / P, axis=1))


def scan_float32_inside(log_lambda, log_u, log_h0):
    h = scan_ok(*(tf.cast(x, tf.float32) for x in (log_lambda, log_u, log_h0)))
    return tf.cast(h, log_lambda.dtype)


def scan_float32_result(log_lambda, log_u, log_h0):
    return scan_ok(*(tf.cast(x, tf.float32) for x in (log_lambda, log_u, log_h0)))


def scan_python_loop(log_lambda, log_u, log_h0):
    h, states = tf.exp(log_h0), []
    for t in range(log_lambda.shape[1]):
        h = tf.exp(log_lambda[:, t]) * h + tf.exp(log_u[:, t])
        states.append(h)
    return tf.stack(states, axis=1)


def scan_numpy(log_lambda, log_u, log_h0):
    big_lambda = np.cumsum(log_lambda, axis=1)
    terms = np.concatenate([np.asarray(log_h0)[:, None, :], log_u - big_lambda], axis=1)
    return np.exp(big_lambda + np.logaddexp.accumulate(terms, axis=1)[:, 1:])


def scan_static_shape(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    pad = tf.zeros((log_lambda.shape[0], 1, log_lambda.shape[2]), dtype=log_lambda.dtype)
    terms = tf.concat([pad + log_h0[:, None, :], log_u - big_lambda], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_tf_scan(log_lambda, log_u, log_h0):
    def step(h, lam_u):
        return tf.exp(lam_u[0]) * h + tf.exp(lam_u[1])

    over_time = (tf.transpose(log_lambda, [1, 0, 2]), tf.transpose(log_u, [1, 0, 2]))
    states = tf.scan(step, over_time, initializer=tf.exp(log_h0))
    return tf.transpose(states, [1, 0, 2])


def scan_no_gradient(log_lambda, log_u, log_h0):
    return scan_ok(*(tf.stop_gradient(x) for x in (log_lambda, log_u, log_h0)))


def scan_wrong_gradient(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    terms = tf.concat([log_h0[:, None, :], log_u - tf.stop_gradient(big_lambda)], axis=1)
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def scan_dtype_mix(log_lambda, log_u, log_h0):
    big_lambda = tf.math.cumsum(log_lambda, axis=1)
    pad = tf.zeros(tf.shape(log_lambda[:, :1]))  # float32 by default
    terms = tf.concat([pad, log_u - big_lambda], axis=1) + tf.concat(
        [log_h0[:, None, :], tf.zeros_like(log_u)], axis=1
    )
    return tf.exp(big_lambda + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


SCAN_PHRASES = {
    "u times lambda": "u_t came out multiplied by λ_t",
    "exclusive": "the decay of each step is off by one",
    "no h0": "h_0 is missing",
    "h0 not decayed": "h_0 was added without its decay",
    "wrong axis": "ran along the wrong axis",
    "no exp": "the result is log h_t, not h_t",
    "with h0": "it includes h_0",
    "only last": "only one state per row",
    "shifted": "drop the FIRST position",
    "whole sum": "the logsumexp of the WHOLE sequence",
    "cumsum of logs": "adding logs multiplies the numbers",
    "swapped": "log_lambda and log_u are swapped",
    "no log space": "the cumulative product P_t = λ_1 ... λ_t underflows",
    "float32": "the computation ran in float32",
    "float32 result": "the inputs are float64 but the result is",
    "loop": "a Python loop over the time steps cannot run inside tf.function",
    "numpy": "NumPy functions (np.cumsum",
    "static shape": "are None: use tf.shape(log_lambda)[0]",
    "while loop": "the graph contains a loop",
    "no gradient": "no gradient reaches",
    "wrong gradient": "the values are right but the gradient with respect to",
    "dtype mix": "TensorFlow does not mix dtypes",
}

FIRST = "on float64, B = 2, T = 7, H = 3: "
LONG = "on float64, B = 2, T = 1024, H = 4, strong decay: "
GRAPH = "inside tf.function with input_signature (None, None, 3)"
TAPE = "under tf.GradientTape: "

SCAN_LEARNERS = [
    (scan_u_times_lambda, "u times lambda", FIRST),
    (scan_exclusive, "exclusive", FIRST),
    (scan_no_h0, "no h0", FIRST),
    (scan_h0_not_decayed, "h0 not decayed", FIRST),
    (scan_default_axis, "wrong axis", FIRST),
    (scan_last_axis, "wrong axis", FIRST),
    (scan_no_exp, "no exp", FIRST),
    (scan_with_h0, "with h0", "shape (2, 8, 3)"),
    (scan_only_last, "only last", "shape (2, 3)"),
    (scan_shifted, "shifted", FIRST),
    (scan_whole_sum, "whole sum", FIRST),
    (scan_cumsum_of_logs, "cumsum of logs", FIRST),
    (scan_swapped, "swapped", FIRST),
    (scan_no_log_space, "no log space", LONG),
    (scan_float32_inside, "float32", FIRST),
    (scan_float32_result, "float32 result", "but the result is float32"),
    (scan_python_loop, "loop", GRAPH),
    (scan_numpy, "numpy", GRAPH),
    (scan_static_shape, "static shape", GRAPH),
    (scan_tf_scan, "while loop", GRAPH),
    (scan_no_gradient, "no gradient", TAPE),
    (scan_wrong_gradient, "wrong gradient", TAPE),
    (scan_dtype_mix, "dtype mix", FIRST),
]


@pytest.mark.parametrize(
    ("fn", "name", "words"), SCAN_LEARNERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_each_log_space_scan_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.log_space_scan, fn, capsys)
    assert ok is False and words in out, out
    assert_own_hint(out, SCAN_PHRASES, name)


def test_the_log_space_scan_phrases_belong_to_the_catalogue():
    hints = dict(lesson10.SCAN_MISTAKES)
    assert set(SCAN_PHRASES) == set(hints) == {name for _, name, _ in SCAN_LEARNERS}
    for name, phrase in SCAN_PHRASES.items():
        assert phrase in hints[name], name


def test_the_no_log_space_hint_names_the_step_and_the_size(capsys):
    ok, out = run(checks.log_space_scan, scan_no_log_space, capsys)
    assert "contains NaN (first at step " in out and "Λ_T = log P_T is about -14" in out, out


def test_the_float32_hint_at_long_sequences_names_the_size(capsys):
    def float32_only_when_long(log_lambda, log_u, log_h0):
        if (log_lambda.shape[1] or 0) > 500:
            return scan_float32_inside(log_lambda, log_u, log_h0)
        return scan_ok(log_lambda, log_u, log_h0)

    ok, out = run(checks.log_space_scan, float32_only_when_long, capsys)
    assert ok is False and out.startswith(f"❌ log_space_scan: {LONG}"), out
    assert "the computation ran in float32" in out and "|Λ_t|, up to 14" in out, out
    assert "about 1e-04" in out, out


def test_the_loop_hint_names_the_learners_line(capsys):
    ok, out = run(checks.log_space_scan, scan_python_loop, capsys)
    assert "for t in range(log_lambda.shape[1]):" in out and "(in scan_python_loop)" in out, out


@tf.function
def scan_decorated(log_lambda, log_u, log_h0):
    return scan_ok(log_lambda, log_u, log_h0)


@tf.function
def scan_decorated_loop(log_lambda, log_u, log_h0):
    h, states = tf.exp(log_h0), []
    for t in range(log_lambda.shape[1]):
        h = tf.exp(log_lambda[:, t]) * h + tf.exp(log_u[:, t])
        states.append(h)
    return tf.stack(states, axis=1)


def test_a_loop_in_the_learners_own_tf_function_names_its_line(capsys):
    """AutoGraph's multi-line message becomes one line naming the learner's line, not the
    generated code's."""
    ok, out = run(checks.log_space_scan, scan_decorated_loop, capsys)
    assert ok is False and SCAN_PHRASES["loop"] in out, out
    assert "in scan_decorated_loop: `for t in range(log_lambda.shape[1]):`" in out, out
    assert "ag__" not in out and "TypeError: TypeError" not in out, out


def test_the_numpy_hint_names_the_learners_line(capsys):
    ok, out = run(checks.log_space_scan, scan_numpy, capsys)
    assert "big_lambda = np.cumsum(log_lambda, axis=1)" in out, out
    assert "not implemented yet" not in out, out


def test_the_scan_cases_have_what_the_hints_need():
    cases = lesson10._scan_cases()
    first = cases[0]
    assert len({first.batch, first.steps, first.units}) == 3 and first.dtype == "float64"
    assert any(c.batch == c.steps == c.units == 1 for c in cases)
    assert {c.how for c in cases} == {"eager", "graph", "gradient"}
    assert all(c.steps <= 64 for c in cases if c.dtype == "float32")
    long = next(c for c in cases if c.steps >= 1024)
    log_lambda, log_u, log_h0 = long.arrays()
    assert long.dtype == "float64"
    total = np.cumsum(log_lambda, axis=1)[:, -1]
    assert (-1500 < total).all() and (total < -1300).all(), "the hints say about -1400"
    assert (np.cumprod(np.exp(log_lambda), axis=1)[:, -1] == 0).all(), "P_T underflows in float64"
    # the h_0 of the first case still matters at its last step
    ll, lu, lh0 = first.arrays()
    assert not close(lesson10._scan_loop(ll, lu, lh0), lesson10._scan_loop(ll, lu, lh0 - 1.0))
    want = lesson10._scan_loop(ll, lu, lh0)
    wrong = [w for w, _ in lesson10._scan_mistakes(ll, lu, lh0)]
    assert not any(close(w, want) for w in wrong)
    hints = [h for _, h in lesson10._scan_mistakes(ll, lu, lh0)]
    for i, a in enumerate(wrong):  # two mistakes with one output share their hint
        assert all(
            h == hints[i]
            for b, h in zip(wrong[i + 1 :], hints[i + 1 :], strict=True)
            if close(a, b)
        )


def test_the_float64_reference_scan_is_that_precise():
    """The tolerance RTOL64 leaves room for a correct scan and none for a float32 one."""
    for case in lesson10._scan_cases():
        if case.dtype != "float64":
            continue
        arrays = case.arrays()
        want = lesson10._scan_loop(*arrays)
        got = scan_ok(*(tf.constant(x) for x in arrays)).numpy()
        relative = np.abs(got - want) / np.abs(want)
        assert relative.max() < lesson10.RTOL64 / 100, case.label
        low = scan_float32_inside(*(tf.constant(x) for x in arrays)).numpy()
        assert not lesson10._close64(low, want), case.label


def test_numpy_results_of_eager_calls_are_accepted():
    for case in (c for c in lesson10._scan_cases() if c.how == "eager"):
        arrays = case.arrays()
        result = scan_ok(*(tf.constant(x) for x in arrays)).numpy()
        lesson10._judge_scan(result, case, arrays)  # raises Hint when refused


def test_an_unknown_scan_mistake_names_the_first_wrong_step(capsys):
    def late_error(log_lambda, log_u, log_h0):
        h = scan_ok(log_lambda, log_u, log_h0)
        return tf.concat([h[:, :4], 2.0 * h[:, 4:]], axis=1)

    ok, out = run(checks.log_space_scan, late_error, capsys)
    assert ok is False and "h_5 (position 4 of axis 1) is the first wrong state" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda lam, u, h0: None, "did you forget the `return` statement?"),
        (lambda lam, u, h0: [scan_ok(lam, u, h0)], "is a Python list"),
        (lambda lam, u, h0: scan_ok(lam, u, h0) * np.nan, "contains NaN at index (0, 0, 0)"),
        (lambda lam, u, h0: scan_ok(lam, u, h0) / 0.0, "contains infinity"),
        (lambda lam, u, h0: scan_ok(lam, u, h0)[0], "has shape (7, 3) but expected (2, 7, 3)"),
        (lambda lam, u, h0: "h", "has type str"),
    ],
    ids=["none", "list", "nan", "inf", "no-batch", "string"],
)
def test_bad_scan_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.log_space_scan, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- both checks

CORRECT = [
    (checks.min_gru_loop, gru_ok),
    (checks.min_gru_loop, gru_preallocated_lerp),
    (checks.min_gru_loop, gru_einsum_scalar_loops),
    (checks.min_gru_loop, gru_tensorflow),
    (checks.min_gru_loop, gru_float64_transpose),
    (checks.log_space_scan, scan_ok),
    (checks.log_space_scan, scan_h0_apart),
    (checks.log_space_scan, scan_concat_free),
    (checks.log_space_scan, scan_padded),
    (checks.log_space_scan, scan_keras_ops),
    (checks.log_space_scan, scan_upcast),
    (checks.log_space_scan, scan_positional_only),
    (checks.log_space_scan, scan_decorated),
]

SUCCESS = {
    "min_gru_loop": "h_t = (1 - z_t) * h_{t-1} + z_t * h̃_t from h0, the T states h_1..h_T",
    "log_space_scan": "h_t = λ_t * h_{t-1} + u_t for all t at once: to float64 precision",
}


@pytest.mark.parametrize(("check", "fn"), CORRECT, ids=lambda v: v.__name__)
def test_correct_alternatives_pass(check, fn, capsys):
    ok, out = run(check, fn, capsys)
    assert ok is True and out.startswith(f"✅ {check.__name__}: {SUCCESS[check.__name__]}"), out


ALL_CHECKS = [checks.min_gru_loop, checks.log_space_scan]
REFERENCES = {"min_gru_loop": gru_ok, "log_space_scan": scan_ok}
BUDGET = 0.5  # seconds after a warm-up, well under the course's one second per check


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stubs_are_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False and "not implemented yet" in out, out


def test_a_stub_reached_only_inside_tf_function_is_still_a_stub(capsys):
    def stub_in_graph(log_lambda, log_u, log_h0):
        if not tf.executing_eagerly():
            raise NotImplementedError()
        return scan_ok(log_lambda, log_u, log_h0)

    ok, out = run(checks.log_space_scan, stub_in_graph, capsys)
    assert ok is False and "not implemented yet" in out, out


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_each_check_runs_in_well_under_a_second(check, capsys):
    reference = REFERENCES[check.__name__]
    run(check, reference, capsys)  # warm-up: TensorFlow builds its kernels once
    seconds = []
    for _ in range(2):  # the faster of two runs: the CPU is shared
        start = time.perf_counter()
        ok, _ = run(check, reference, capsys)
        seconds.append(time.perf_counter() - start)
        assert ok is True
    assert min(seconds) < BUDGET, seconds


def test_no_state_is_kept_between_calls(capsys):
    sequences = [
        (checks.min_gru_loop, (gru_ok, gru_keras_convention, gru_ok, gru_off_by_one, gru_ok)),
        (checks.log_space_scan, (scan_ok, scan_python_loop, scan_ok, scan_no_h0, scan_ok)),
    ]
    for check, fns in sequences:
        results = [run(check, fn, capsys)[0] for fn in fns]
        assert results == [fn in REFERENCES.values() for fn in fns], check.__name__


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_not_a_function(check, capsys):
    ok, out = run(check, np.zeros(3), capsys)
    assert ok is False and "pass the function itself" in out, out


def test_the_lesson_exports_its_checks():
    assert set(lesson10.__all__) == {"log_space_scan", "min_gru_loop"}
    for name in lesson10.__all__:
        assert getattr(checks, name) is getattr(lesson10, name)
        assert "->" in getattr(checks, name).__doc__.splitlines()[0]


# --------------------------------------------------------------------------- the quiz's claims

BANK = Path(__file__).resolve().parents[1] / "quizzes" / "10_parallel_recurrence.yaml"


def question(ident: str) -> dict:
    bank = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    return next(q for q in bank["questions"] if q["id"] == ident)


def test_the_quiz_cache_size_is_two_tensors_per_layer_and_position():
    q = question("kv-cache-floats")
    layers, d_model, context, units = 2, 96, 1024, 256
    for words in ("2-layer", "d_model = 96", "1,024", "256 units"):
        assert words in q["question"], words
    assert q["value"] == 2 * layers * context * d_model == 393_216
    assert q.get("tolerance", 0) == 0
    wrong = {m["value"] for m in q["mistakes"]}
    assert q["value"] not in wrong and units in wrong  # the GRU's state is a named mistake
    assert {layers * context * d_model, 2 * context * d_model} <= wrong


def test_the_quiz_unrolled_formula_is_the_loop():
    """The correct choice of 'unrolled-formula' computes the loop; the others do not."""
    rng = np.random.default_rng(0)
    lam, u, h0 = rng.uniform(0.2, 0.9, 6), rng.uniform(0.1, 1.0, 6), 0.7
    P = np.cumprod(lam)
    h, loop = h0, []
    for t in range(6):
        h = lam[t] * h + u[t]
        loop.append(h)
    right = P * h0 + np.array([sum(P[t] / P[k] * u[k] for k in range(t + 1)) for t in range(6)])
    assert np.allclose(right, loop)
    no_decay = P * h0 + np.cumsum(u)
    early_decay = P * h0 + np.array([sum(P[k] * u[k] for k in range(t + 1)) for t in range(6)])
    assert not np.allclose(no_decay, loop) and not np.allclose(early_decay, loop)
    q = question("unrolled-formula")
    correct = [c["text"] for c in q["choices"] if c.get("correct")]
    assert correct == ["h_t = P_t h_0 + Σ_(k=1..t) (P_t / P_k) u_k"], correct


def float32_scan_error(steps: int, chunk: int | None = None) -> float:
    """The largest relative error of the float32 log-space scan against the float64 loop."""
    case = lesson10._ScanCase("", 2, steps, 4, "float64", 204, decay=1.0)
    log_lambda, log_u, log_h0 = case.arrays()
    want = lesson10._scan_loop(log_lambda, log_u, log_h0)
    pieces, log_h = [], tf.constant(log_h0, tf.float32)
    size = chunk or steps
    for start in range(0, steps, size):
        part = [tf.constant(x[:, start : start + size], tf.float32) for x in (log_lambda, log_u)]
        h = scan_ok(part[0], part[1], log_h)
        pieces.append(h.numpy())
        log_h = tf.math.log(h[:, -1])
    got = np.concatenate(pieces, axis=1)
    return float(np.max(np.abs(got - want) / want))


def test_the_quiz_float32_claims():
    """'float32-scan': the error grows with T, float64 or chunks of the sequence fix it."""
    q = question("float32-scan")
    short, long = float32_scan_error(64), float32_scan_error(1024)
    assert 3e-6 < short < 3e-5 and 5e-5 < long < 3e-4 and long > 10 * short, (short, long)
    assert float32_scan_error(1024, chunk=64) < 3 * short
    assert "about 1e-5 at T = 64" in q["question"] and "about 1e-4 at T = 1024" in q["question"]
    assert float(np.spacing(np.float32(1000.0))) == pytest.approx(6e-5, rel=0.03)
    assert float(np.spacing(np.float32(876.0))) == pytest.approx(6e-5, rel=0.03)
    assert float(np.spacing(np.float64(1400.0))) == pytest.approx(2e-13, rel=0.15)
    right = next(c["text"] for c in q["choices"] if c.get("correct"))
    assert "876 at T = 1024" in right and "about 6e-5 apart" in right
    for words in ("6e-5 apart", "2e-13", "chunks of 64 steps"):
        assert words in q["explanation"], words


def first_zero_step(a: float, dtype: type) -> int:
    """The first step t at which the running product a^t is exactly 0 in `dtype`."""
    product, t = dtype(1.0), 0
    while product > 0:
        product, t = dtype(product * dtype(a)), t + 1
    return t


def test_the_quiz_underflow_steps():
    """'log-space': with λ_t = 0.25, P_t is 0 after 75 steps in float32, about 540 in float64."""
    assert first_zero_step(0.25, np.float32) == 75
    assert first_zero_step(0.25, np.float64) == 538
    text = question("log-space")
    right = next(c["text"] for c in text["choices"] if c.get("correct"))
    assert "about 75" in right and "about 540" in right
    assert "2^-150" in text["explanation"] and "2^-1076" in text["explanation"]
