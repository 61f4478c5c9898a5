"""Checks for lesson 10, "After RNNs: attention and recurrences that train in parallel":
min_gru_loop, log_space_scan.

Conventions of the lesson (COURSE_GUIDE section 6): batch-first, row vectors; x_t (B, D) is the
input and h_t (B, H) the hidden state at step t; z is only the update gate. minGRU (Feng et al.
2024, "Were RNNs All We Needed?") computes its gates from the input alone,
z_t = sigmoid(x_t W_z + b_z) and the candidate h̃_t = g(x_t W_h + b_h) with g(v) = v + 0.5 for
v >= 0 and sigmoid(v) for v < 0 (always positive), and updates h_t = (1 - z_t) * h_{t-1} +
z_t * h̃_t: in minGRU z_t weighs the NEW candidate, while Keras's GRU (lesson 03) writes
h_t = z_t * h_{t-1} + (1 - z_t) * h̃_t, with z weighing the old state. With λ_t = 1 - z_t and
u_t = z_t * h̃_t this is the first-order linear recurrence h_t = λ_t * h_{t-1} + u_t
(elementwise), which unrolls to h_t = P_t h_0 + sum_{k=1..t} (P_t / P_k) u_k with
P_t = λ_1 ... λ_t; in log space, with Λ_t = log λ_1 + ... + log λ_t (Λ_0 = 0),
log h_t = Λ_t + logcumsumexp over [log h_0 - Λ_0, log u_1 - Λ_1, ..., log u_t - Λ_t].

- min_gru_loop(z, h_tilde, h0) -> (B, T, H): z, h_tilde (B, T, H) NumPy arrays (z in (0, 1),
  h_tilde of any sign), h0 (B, H); the states h_1..h_T (h0 itself not included) of a Python
  loop over time, h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]. float32 and float64 inputs;
  the result may be a NumPy array or a TensorFlow tensor. Judged on B = 3, T = 5, H = 4, on
  B = T = H = 1, on T = 300 in float64 and on gates near 0 and 1 with large candidates.
- log_space_scan(log_lambda, log_u, log_h0) -> (B, T, H): TensorFlow tensors log_lambda, log_u
  (B, T, H) and log_h0 (B, H), all finite, passed by position; returns h (not log h) of
  h_t = λ_t * h_{t-1} + u_t for all t at once with TensorFlow ops (tf.math.cumsum,
  tf.math.cumulative_logsumexp, tf.concat, tf.exp), in the inputs' dtype. Judged against a
  float64 loop: on float64 inputs to float64 precision (rtol 1e-8), including T = 1024 with
  strong decay (Λ_T about -1400, where P_t itself underflows even in float64); on float32 inputs
  (T = 64) within float32 tolerance; inside a tf.function whose input_signature leaves B and T
  unknown (as in a Keras layer); and under tf.GradientTape, where the gradients with respect to
  all three inputs must match those of the loop. Eager results may be NumPy arrays or tensors.

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies NumPy arrays and reports a function that changes one in
place.
"""

from __future__ import annotations

import re
import warnings
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
    expect_finite,
    learner_line,
    sigmoid,
)
from rnncourse.env import import_tensorflow

__all__ = ["log_space_scan", "min_gru_loop"]


def _as_numpy(value: Any) -> Any:
    """A TensorFlow tensor (eager) as a NumPy array; anything else as it is."""
    if isinstance(value, np.ndarray | np.generic | list | tuple) or value is None:
        return value
    if hasattr(value, "numpy"):
        try:
            return np.asarray(value.numpy())
        except Exception:
            return value
    return value


def _first_wrong_step(got: np.ndarray, want: np.ndarray, ok: Callable[[Any, Any], bool]) -> int:
    """The first t (axis 1) at which got[:, t] and want[:, t] disagree; -1 when none does."""
    for t in range(want.shape[1]):
        if not ok(got[:, t], want[:, t]):
            return t
    return -1


def _largest(got: np.ndarray, want: np.ndarray) -> str:
    """ "largest difference 0.31 at index (1, 2) (got 0.5, expected 0.81)" of two equal shapes."""
    diff = np.abs(got - want)
    where = np.unravel_index(int(np.argmax(diff)), diff.shape)
    index = tuple(int(i) for i in where)
    return (
        f"largest difference {float(diff[where]):.3g} at index {index} "
        f"(got {float(got[where]):.6g}, expected {float(want[where]):.6g})"
    )


def _on_one_line(body: Callable[[], str]) -> str:
    """Run a check's body; a hint that spans several lines (the message of an error in the
    learner's code: TensorFlow's often do) is given on one line."""
    try:
        return body()
    except Hint as hint:
        raise Hint(" ".join(str(hint).split())) from None


# --------------------------------------------------------------------------- min_gru_loop

_KERAS = (
    "that is Keras's GRU convention, h_t = z_t * h_{t-1} + (1 - z_t) * h̃_t, where z weighs the "
    "OLD state (lesson 03). In minGRU (Feng et al. 2024) z_t weighs the NEW candidate: "
    "h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]."
)
_NO_H0 = (
    "the loop starts from zeros, not from h0: h0 is the state before step 1 (for example the "
    "state carried over from the previous piece of text); start with h = h0."
)
_OFF_BY_ONE = (
    "the result starts with h0 and stops at h_{T-1}: it is off by one step. Return the states "
    "after each step, h_1..h_T: update h first, then append it."
)
_WITH_H0 = (
    "the result has T + 1 = {n} states, shape {shape}: it includes h0. Return only the states "
    "after each step, h_1..h_T, shape (B, T, H) = {want}."
)
_ONLY_LAST = (
    "only the last state h_T was returned, shape {shape}: return the state after every step, "
    "stacked along the time axis, np.stack(states, axis=1), shape (B, T, H) = {want}."
)
_BATCH_LOOP = (
    "the result has {n} steps, shape {shape}, as many as the batch has rows: the loop runs over "
    "the batch axis (range(z.shape[0]) = B). Time is axis 1: loop over range(z.shape[1]) = T "
    "and take z[:, t], h_tilde[:, t]."
)
_BATCH_INDEX = (
    "z[t] (or h_tilde[t]) is row t of the BATCH, shape (T, H): time is axis 1, so the gate of "
    "step t is z[:, t], shape (B, H), and the loop runs over range(z.shape[1])."
)
_NOT_GATED = (
    "the candidate is added without its gate, h = (1 - z) * h + h̃: minGRU mixes the old state "
    "and the candidate with weights that sum to 1, h = (1 - z[:, t]) * h + z[:, t] * "
    "h_tilde[:, t]."
)
_BOTH_ONE_MINUS = (
    "the candidate is gated by (1 - z) as well, h = (1 - z) * (h + h̃): the old state gets "
    "1 - z_t and the candidate z_t, h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]."
)
_NOT_CARRIED = (
    "every step mixes h0 with the candidate, instead of the previous step's state: carry the "
    "state, h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t], with h (started at h0) updated by "
    "the loop."
)
_TRANSPOSED = (
    "the result has shape {shape} = (T, B, H): np.array(states) of a list of (B, H) states puts "
    "time first; stack them along axis 1, np.stack(states, axis=1), shape (B, T, H) = {want}."
)
_SCRAMBLED = (
    "the result has the right shape but its numbers are scrambled: np.array(states).reshape(B, "
    "T, H) reorders the numbers of a (T, B, H) array instead of moving an axis; use "
    "np.stack(states, axis=1), or np.array(states).transpose(1, 0, 2)."
)
_CANDIDATE_AGAIN = (
    "h_tilde went through an activation again: it already is the candidate h̃_t = g(x_t W_h + "
    "b_h), so mix it in as it is, z[:, t] * h_tilde[:, t]."
)
_GATE_AGAIN = (
    "z went through a sigmoid again: it already is the gate z_t = sigmoid(x_t W_z + b_z), a "
    "number in (0, 1); use it as it is."
)

#: (name, hint) of the catalogue of `min_gru_loop`; the tests give each its wrong implementation.
GRU_MISTAKES: list[tuple[str, str]] = [
    ("keras convention", _KERAS),
    ("no h0", _NO_H0),
    ("off by one", _OFF_BY_ONE),
    ("with h0", _WITH_H0),
    ("only last", _ONLY_LAST),
    ("batch loop", _BATCH_LOOP),
    ("batch index", _BATCH_INDEX),
    ("not gated", _NOT_GATED),
    ("both 1 - z", _BOTH_ONE_MINUS),
    ("not carried", _NOT_CARRIED),
    ("transposed", _TRANSPOSED),
    ("scrambled", _SCRAMBLED),
    ("candidate again", _CANDIDATE_AGAIN),
    ("gate again", _GATE_AGAIN),
]


def _g(v: np.ndarray) -> np.ndarray:
    """minGRU's candidate activation: v + 0.5 for v >= 0, sigmoid(v) below (always positive)."""
    return np.where(v >= 0, v + 0.5, sigmoid(np.minimum(v, 0.0)))


@dataclass(frozen=True)
class _GruCase:
    label: str
    batch: int
    steps: int
    units: int
    dtype: str
    seed: int
    gate_mean: float = 0.0
    gate_spread: float = 1.5
    candidate_scale: float = 1.5
    state_scale: float = 1.0

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        shape = (self.batch, self.steps, self.units)
        z = sigmoid(self.gate_mean + self.gate_spread * rng.standard_normal(shape))
        z = np.clip(z, 1e-6, 1.0 - 1e-6)  # strictly inside (0, 1), in float32 too
        h_tilde = self.candidate_scale * rng.standard_normal(shape)
        h0 = self.state_scale * rng.standard_normal((self.batch, self.units))
        return z.astype(self.dtype), h_tilde.astype(self.dtype), h0.astype(self.dtype)


def _gru_cases() -> list[_GruCase]:
    """The cases; the first tells every catalogued mistake from the reference and the others."""
    return [
        _GruCase("B = 3, T = 5, H = 4 (float32)", 3, 5, 4, "float32", 101),
        _GruCase("B = T = H = 1 (float32)", 1, 1, 1, "float32", 102),
        _GruCase(
            "B = 2, T = 300, H = 3 (float64, slow gates z near 0.05)",
            2,
            300,
            3,
            "float64",
            103,
            gate_mean=-3.0,
            gate_spread=0.5,
            state_scale=2.0,
        ),
        _GruCase(
            "B = 4, T = 6, H = 2 (float64, gates near 0 and 1, candidates up to about 100)",
            4,
            6,
            2,
            "float64",
            104,
            gate_spread=8.0,
            candidate_scale=40.0,
            state_scale=30.0,
        ),
    ]


def _gru_run(z: np.ndarray, h_tilde: np.ndarray, h0: np.ndarray, mistake: str = "") -> np.ndarray:
    """The reference loop in float64 (mistake "") and the catalogue's wrong loops, (B, T, H)."""
    z, h_tilde, h0 = (np.asarray(x, np.float64) for x in (z, h_tilde, h0))
    h = np.zeros_like(h0) if mistake == "no h0" else h0
    states = []
    for t in range(z.shape[1]):
        zt, ct = z[:, t], h_tilde[:, t]
        if mistake == "candidate tanh":
            ct = np.tanh(ct)
        elif mistake == "candidate g":
            ct = _g(ct)
        elif mistake == "candidate sigmoid":
            ct = sigmoid(ct)
        elif mistake == "gate again":
            zt = sigmoid(zt)
        if mistake == "keras convention":
            h = zt * h + (1.0 - zt) * ct
        elif mistake == "not gated":
            h = (1.0 - zt) * h + ct
        elif mistake == "both 1 - z":
            h = (1.0 - zt) * (h + ct)
        elif mistake == "not carried":
            h = (1.0 - zt) * h0 + zt * ct
        else:
            h = (1.0 - zt) * h + zt * ct
        states.append(h)
    return np.stack(states, axis=1)


def _gru_mistakes(
    z: np.ndarray, h_tilde: np.ndarray, h0: np.ndarray, want: np.ndarray
) -> list[tuple[np.ndarray, str]]:
    batch, steps, units = want.shape
    mistakes = [
        (_gru_run(z, h_tilde, h0, "keras convention"), _KERAS),
        (_gru_run(z, h_tilde, h0, "no h0"), _NO_H0),
        (np.concatenate([np.asarray(h0, np.float64)[:, None], want[:, :-1]], axis=1), _OFF_BY_ONE),
        (_gru_run(z, h_tilde, h0, "not gated"), _NOT_GATED),
        (_gru_run(z, h_tilde, h0, "both 1 - z"), _BOTH_ONE_MINUS),
        (_gru_run(z, h_tilde, h0, "not carried"), _NOT_CARRIED),
        (_gru_run(z, h_tilde, h0, "gate again"), _GATE_AGAIN),
    ]
    for kind in ("candidate tanh", "candidate g", "candidate sigmoid"):
        mistakes.append((_gru_run(z, h_tilde, h0, kind), _CANDIDATE_AGAIN))
    if steps > 1 and batch > 1:
        mistakes.append((want.transpose(1, 0, 2).reshape(batch, steps, units), _SCRAMBLED))
    return mistakes


def _gru_shape(value: np.ndarray, want: np.ndarray, h0: np.ndarray) -> None:
    """Name the mistake behind a wrong shape of the result."""
    batch, steps, units = want.shape
    shape, want_shape = value.shape, want.shape
    if shape == want_shape:
        return
    said = {"shape": shape, "want": want_shape}
    if shape == (batch, units):
        raise Hint(_ONLY_LAST.format(**said))
    if shape == (steps, batch, units):
        raise Hint(_TRANSPOSED.format(**said))
    if shape == (batch, steps + 1, units):
        raise Hint(_WITH_H0.format(n=steps + 1, **said))
    if shape == (batch, batch, units) and batch < steps:
        raise Hint(_BATCH_LOOP.format(n=batch, **said))


def _gru_advice(case: _GruCase) -> Callable[[Exception], str]:
    b, t, h = case.batch, case.steps, case.units

    def advice(exc: Exception) -> str:
        text = re.sub(r"\s", "", str(exc))
        if f"({t},{h})" in text and f"({b},{h})" in text:
            return _BATCH_INDEX
        if isinstance(exc, IndexError) and f"size{b}" in text:
            return _BATCH_INDEX
        return ""

    return advice


def _judge_gru(result: Any, case: _GruCase, z: Any, h_tilde: Any, h0: Any) -> None:
    want = _gru_run(z, h_tilde, h0)
    value = _as_numpy(result)
    if isinstance(value, np.ndarray):
        _gru_shape(value, want, h0)
    got = expect_array(
        value,
        "the result of min_gru_loop",
        want.shape,
        "one state h_t of shape (B, H) per step t = 1..T, stacked along axis 1",
    )
    if close(got, want):
        return
    for wrong, hint in _gru_mistakes(z, h_tilde, h0, want):
        if close(got, wrong):
            raise Hint(hint)
    t = _first_wrong_step(got, want, close)
    start = (
        "already the first state, h[:, 0] = h_1 = (1 - z_1) * h0 + z_1 * h̃_1, is wrong"
        if t == 0
        else f"h[:, {t}], the state after step {t + 1}, is the first wrong one (the {t} before "
        "it match)"
    )
    raise Hint(
        f"{start}: {_largest(got[:, t], want[:, t])}. Each step is h = (1 - z[:, t]) * h + "
        "z[:, t] * h_tilde[:, t], starting from h = h0"
    )


@exercise_check("min_gru_loop")
def min_gru_loop(learner: Callable[..., Any]) -> str:
    """Check `min_gru_loop(z, h_tilde, h0) -> h`, shape (B, T, H).

    z, h_tilde: NumPy arrays (B, T, H), the update gates z_t in (0, 1) and the candidates h̃_t;
    h0: (B, H), the state before step 1. Returns the states h_1..h_T after each step (h0 not
    included) of a Python loop over time, h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]:
    minGRU's z weighs the NEW candidate (Keras's GRU does the opposite). float32 or float64
    inputs; a NumPy array or a TensorFlow tensor is accepted as the result. Judged on B = 3,
    T = 5, H = 4, on B = T = H = 1, on T = 300 in float64 and on gates near 0 and 1 with large
    candidates of both signs. Prints one line; returns True when it passes.
    """
    return _on_one_line(lambda: _check_min_gru(learner))


def _check_min_gru(learner: Callable[..., Any]) -> str:
    cases = _gru_cases()
    for case in cases:
        z, h_tilde, h0 = case.arrays()
        where = f"on {case.label}: "
        result = call(learner, z, h_tilde, h0, on_error=_gru_advice(case), where=where)
        try:
            _judge_gru(result, case, z, h_tilde, h0)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "h_t = (1 - z_t) * h_{t-1} + z_t * h̃_t from h0, the T states h_1..h_T as (B, T, H) "
        f"({len(cases)} cases: B = T = H = 1, T = 300, float32 and float64, gates near 0 and 1)."
    )


# --------------------------------------------------------------------------- log_space_scan

_U_TIMES_LAMBDA = (
    "u_t came out multiplied by λ_t, h_t = λ_t * (h_{t-1} + u_t): the terms use the cumulative "
    "sum one step too early (Λ_{t-1}, an exclusive cumsum). u_t enters after λ_t has acted, so "
    "its term is log u_t - Λ_t with the INCLUSIVE Λ_t = log λ_1 + ... + log λ_t, "
    "big_lambda = tf.math.cumsum(log_lambda, axis=1)."
)
_EXCLUSIVE = (
    "the decay of each step is off by one, as with tf.math.cumsum(..., exclusive=True): Λ_t "
    "must include log λ_t, Λ_t = log λ_1 + ... + log λ_t (the INCLUSIVE "
    "tf.math.cumsum(log_lambda, axis=1)), both in the terms log u_t - Λ_t and in the Λ_t added "
    "at the end."
)
_NO_H0_SCAN = (
    "h_0 is missing: the sum starts with the term of h_0, log h_0 - Λ_0 = log_h0 (Λ_0 = 0), "
    "before the terms log u_t - Λ_t; concatenate it in front, tf.concat([log_h0[:, None, :], "
    "log_u - big_lambda], axis=1) with big_lambda = tf.math.cumsum(log_lambda, axis=1), and "
    "drop that position after the cumulative logsumexp."
)
_H0_NOT_DECAYED = (
    "h_0 was added without its decay: it reaches step t multiplied by P_t = λ_1 ... λ_t, so its "
    "term is log h_0 + Λ_t in log space (or log h_0 - Λ_0 inside the cumulative logsumexp, "
    "before Λ_t is added)."
)
_WRONG_AXIS = (
    "a cumulative sum or logsumexp ran along the wrong axis: tf.math.cumsum and "
    "tf.math.cumulative_logsumexp work along axis 0 (the batch) unless told otherwise; time is "
    "axis 1, so pass axis=1 to both."
)
_NO_EXP = (
    "the result is log h_t, not h_t: the cumulative logsumexp gives log h_t = Λ_t + "
    "logcumsumexp(...); return tf.exp of it."
)
_WITH_H0_SCAN = (
    "the result has T + 1 = {n} steps, shape {shape}: it includes h_0. Return h_1..h_T, shape "
    "(B, T, H) = {want}: drop the first position, [:, 1:]."
)
_ONLY_LAST_SCAN = (
    "only one state per row, shape {shape}: return h_t for every step t = 1..T, shape "
    "(B, T, H) = {want}."
)
_SHIFTED_SCAN = (
    "the result starts with h_0 and stops at h_{T-1}: it is off by one step. After the "
    "cumulative logsumexp over [h_0's term, u_1's, ..., u_T's], drop the FIRST position, "
    "[:, 1:], which is h_0, and keep h_1..h_T."
)
_WHOLE_SUM = (
    "every step got the logsumexp of the WHOLE sequence (tf.reduce_logsumexp), so h_t depends "
    "on future u's: step t sums only the terms up to t, the CUMULATIVE "
    "tf.math.cumulative_logsumexp(..., axis=1)."
)
_CUMSUM_LOGS = (
    "the log terms were added with tf.math.cumsum: adding logs multiplies the numbers. h_t is "
    "a SUM of P_t h_0 and the terms (P_t / P_k) u_k, and a sum of numbers given by their logs is "
    "a log-sum-exp: tf.math.cumulative_logsumexp(..., axis=1)."
)
_SWAPPED = (
    "log_lambda and log_u are swapped: λ_t multiplies the previous state and u_t is added, "
    "h_t = λ_t * h_{t-1} + u_t; the cumulative sum Λ is over log_lambda."
)
_NO_LOG = (
    "the result contains {kind} (first at step {step} of T = {steps}): the cumulative product "
    "P_t = λ_1 ... λ_t underflows, here Λ_T = log P_T is about {total:.0f} while float64 stops "
    "near e^-745, and u_k / P_k overflows to inf. Stay in log space: big_lambda = "
    "tf.math.cumsum(log_lambda, axis=1), the terms log u_k - Λ_k and a "
    "tf.math.cumulative_logsumexp, and take tf.exp only at the very end."
)
_FLOAT32 = (
    "the result matches the float64 loop to only about {digits} significant digits (largest "
    "relative error {err:.1g}, at step {step}): the computation ran in float32 (a tf.cast to "
    "tf.float32, dtype='float32', or a float32 constant). Keep the inputs' dtype throughout: "
    "log h_t = Λ_t + logcumsumexp(...) adds two numbers as large as |Λ_t|, up to {size:.4g} "
    "here, which float32 resolves only to about {spacing:.0e}, so its error grows with T."
)
_FLOAT32_OUT = (
    "the inputs are float64 but the result is {dtype}: keep the inputs' dtype throughout (no "
    "tf.cast to float32, create constants with dtype=log_lambda.dtype); at long T, float32 "
    "loses about 4 significant digits of h_t."
)
_LOOP_GRAPH = (
    "a Python loop over the time steps cannot run inside tf.function with an unknown sequence "
    "length, as in a Keras layer: there log_lambda.shape[1] is None, so range(T) has no number "
    "to count to, and a symbolic tensor cannot be iterated over. Compute every step at once: "
    "big_lambda = tf.math.cumsum(log_lambda, axis=1) and "
    "tf.math.cumulative_logsumexp(..., axis=1)."
)
_NUMPY_GRAPH = (
    "NumPy functions (np.cumsum, np.logaddexp.accumulate, np.exp, .numpy()) work on eager tensors "
    "but not inside tf.function, as in a Keras layer, where the tensors are symbolic: use "
    "TensorFlow ops, tf.math.cumsum, tf.math.cumulative_logsumexp, tf.concat and tf.exp."
)
_STATIC_SHAPE = (
    "inside tf.function with unknown B and T, the static sizes log_lambda.shape[0] and "
    "log_lambda.shape[1] are None: use tf.shape(log_lambda)[0], or avoid building arrays of "
    "those sizes (log_h0[:, None, :] has the shape (B, 1, H) that h_0's term needs)."
)
_GRAPH = (
    "it works on eager tensors but not inside tf.function with an unknown sequence length, as in "
    "a Keras layer: use TensorFlow ops only, tf.math.cumsum, tf.math.cumulative_logsumexp, "
    "tf.concat and tf.exp, with no NumPy and no Python loop over t."
)
_WHILE = (
    "the graph contains a loop ({ops}): tf.while_loop, tf.scan or tf.map_fn computes one step "
    "after another, which is the sequential cost this exercise removes. Compute every step at "
    "once: big_lambda = tf.math.cumsum(log_lambda, axis=1) and "
    "tf.math.cumulative_logsumexp(..., axis=1)."
)
_NO_GRADIENT = (
    "no gradient reaches {names}: under tf.GradientTape the result must be computed from the "
    "inputs by TensorFlow ops. NumPy functions, .numpy() or tf.stop_gradient cut the path that "
    "training needs."
)
_WRONG_GRADIENT = (
    "the values are right but the gradient with respect to {name} is not ({largest}): a "
    "tf.stop_gradient (or a value computed outside the tape) hides part of the computation from "
    "training. Let the gradient flow through every op."
)
_DTYPE_MIX = (
    "TensorFlow does not mix dtypes: a constant made without a dtype is float32, the inputs may "
    "be float64. Build what you concatenate from the inputs (log_h0[:, None, :]) or pass "
    "dtype=log_lambda.dtype."
)

#: (name, hint) of the catalogue of `log_space_scan`.
SCAN_MISTAKES: list[tuple[str, str]] = [
    ("u times lambda", _U_TIMES_LAMBDA),
    ("exclusive", _EXCLUSIVE),
    ("no h0", _NO_H0_SCAN),
    ("h0 not decayed", _H0_NOT_DECAYED),
    ("wrong axis", _WRONG_AXIS),
    ("no exp", _NO_EXP),
    ("with h0", _WITH_H0_SCAN),
    ("only last", _ONLY_LAST_SCAN),
    ("shifted", _SHIFTED_SCAN),
    ("whole sum", _WHOLE_SUM),
    ("cumsum of logs", _CUMSUM_LOGS),
    ("swapped", _SWAPPED),
    ("no log space", _NO_LOG),
    ("float32", _FLOAT32),
    ("float32 result", _FLOAT32_OUT),
    ("loop", _LOOP_GRAPH),
    ("numpy", _NUMPY_GRAPH),
    ("static shape", _STATIC_SHAPE),
    ("while loop", _WHILE),
    ("no gradient", _NO_GRADIENT),
    ("wrong gradient", _WRONG_GRADIENT),
    ("dtype mix", _DTYPE_MIX),
]

#: Agreement asked of a float64 result with the float64 loop (the scan reaches about 3e-13).
RTOL64, ATOL64 = 1e-8, 1e-10


def _close64(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL64, atol=ATOL64))


@dataclass(frozen=True)
class _ScanCase:
    label: str
    batch: int
    steps: int
    units: int
    dtype: str
    seed: int
    how: str = "eager"  # "eager", "graph" (tf.function, unknown B and T) or "gradient"
    decay: float = -1.5  # the mean of k in log λ = -softplus(k): -1.5 slow, 1 strong

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        shape = (self.batch, self.steps, self.units)
        log_lambda = -np.logaddexp(0.0, self.decay + rng.standard_normal(shape))
        log_u = -1.0 + 0.5 * rng.standard_normal(shape)
        log_h0 = 0.5 * rng.standard_normal((self.batch, self.units))
        return log_lambda.astype(self.dtype), log_u.astype(self.dtype), log_h0.astype(self.dtype)

    @property
    def exact(self) -> bool:
        """float64 inputs: the result must match the float64 loop to float64 precision."""
        return self.dtype == "float64"


def _scan_cases() -> list[_ScanCase]:
    """The cases; the first tells every catalogued value mistake from the reference. The graph
    case comes before the long one, so that a loop over time is named before it runs 1024 eager
    steps."""
    return [
        _ScanCase("float64, B = 2, T = 7, H = 3", 2, 7, 3, "float64", 201),
        _ScanCase("float64, B = T = H = 1", 1, 1, 1, "float64", 202),
        _ScanCase("float32, B = 3, T = 64, H = 5", 3, 64, 5, "float32", 203, decay=-1.0),
        _ScanCase(
            "float32 tensors inside tf.function with input_signature (None, None, 3), as in a "
            "Keras layer whose batch size and sequence length are unknown (B = 2, T = 12)",
            2,
            12,
            3,
            "float32",
            205,
            how="graph",
        ),
        _ScanCase(
            "float64, B = 2, T = 1024, H = 4, strong decay",
            2,
            1024,
            4,
            "float64",
            204,
            decay=1.0,
        ),
        _ScanCase(
            "float64, B = 1, T = 6, H = 2, under tf.GradientTape",
            1,
            6,
            2,
            "float64",
            206,
            how="gradient",
        ),
    ]


def _scan_loop(log_lambda: Any, log_u: Any, log_h0: Any) -> np.ndarray:
    """The reference: h_t = λ_t * h_{t-1} + u_t, one step after another, in float64."""
    lam, u = np.exp(np.asarray(log_lambda, np.float64)), np.exp(np.asarray(log_u, np.float64))
    h = np.exp(np.asarray(log_h0, np.float64))
    states = []
    for t in range(lam.shape[1]):
        h = lam[:, t] * h + u[:, t]
        states.append(h)
    return np.stack(states, axis=1)


def _lcse(x: np.ndarray, axis: int) -> np.ndarray:
    return np.logaddexp.accumulate(x, axis=axis)


def _scan_mistakes(log_lambda: Any, log_u: Any, log_h0: Any) -> list[tuple[np.ndarray, str]]:
    """(wrong result, hint) of the catalogue's value mistakes, computed in float64 NumPy."""
    # the logs of λ, u and h_0 in float64
    ll, lu, lh0 = (np.asarray(x, np.float64) for x in (log_lambda, log_u, log_h0))
    first = lh0[:, None, :]

    def concat_form(outer: np.ndarray, inner: np.ndarray, lse_axis: int = 1) -> np.ndarray:
        terms = np.concatenate([first, lu - inner], axis=1)
        return outer + _lcse(terms, lse_axis)[:, 1:]

    big_lambda = np.cumsum(ll, axis=1)
    exclusive = big_lambda - ll
    log_h = concat_form(big_lambda, big_lambda)
    terms = np.concatenate([first, lu - big_lambda], axis=1)
    whole = np.logaddexp.reduce(terms, axis=1, keepdims=True)
    mistakes = [
        (np.exp(concat_form(big_lambda, exclusive)), _U_TIMES_LAMBDA),
        (np.exp(concat_form(exclusive, exclusive)), _EXCLUSIVE),
        (np.exp(concat_form(exclusive, big_lambda)), _EXCLUSIVE),
        (np.exp(big_lambda + _lcse(lu - big_lambda, 1)), _NO_H0_SCAN),
        (np.exp(lh0)[:, None, :] + np.exp(big_lambda + _lcse(lu - big_lambda, 1)), _H0_NOT_DECAYED),
        (log_h, _NO_EXP),
        (np.exp(np.concatenate([first, log_h[:, :-1]], axis=1)), _SHIFTED_SCAN),
        (np.exp(big_lambda + whole), _WHOLE_SUM),
        (np.exp(big_lambda + np.cumsum(terms, axis=1)[:, 1:]), _CUMSUM_LOGS),
        (_scan_loop(lu, ll, lh0), _SWAPPED),
    ]
    for cum_axis in (0, 1, 2):
        outer = np.cumsum(ll, axis=cum_axis)
        for lse_axis in (0, 1, 2):
            if (cum_axis, lse_axis) == (1, 1):
                continue
            mistakes.append((np.exp(concat_form(outer, outer, lse_axis)), _WRONG_AXIS))
            separate = np.logaddexp(first, _lcse(lu - outer, lse_axis))
            mistakes.append((np.exp(outer + separate), _WRONG_AXIS))
    return mistakes


def _scan_value(result: Any, case: _ScanCase, want: np.ndarray, log_lambda: Any) -> np.ndarray:
    """The learner's result as a float64 array of the right shape, dtype and finiteness."""
    value = _as_numpy(result)
    what = "the result of log_space_scan"
    shape, want_shape = np.shape(value), want.shape
    if isinstance(value, np.ndarray) and shape != want_shape:
        b, t, h = want_shape
        said = {"shape": shape, "want": want_shape}
        if shape == (b, t + 1, h):
            raise Hint(_WITH_H0_SCAN.format(n=t + 1, **said))
        if shape == (b, h):
            raise Hint(_ONLY_LAST_SCAN.format(**said))
    if isinstance(value, np.ndarray) and shape == want_shape:
        if case.exact and np.issubdtype(value.dtype, np.floating) and value.dtype.itemsize < 8:
            raise Hint(_FLOAT32_OUT.format(dtype=value.dtype))
        if np.issubdtype(value.dtype, np.number):
            array = np.asarray(value, np.float64)
            reachable = want > 1e-300
            bad = ~np.isfinite(array) | ((array == 0.0) & reachable)
            if case.steps > 500 and bad.any():
                step = int(np.argwhere(bad.any(axis=(0, 2)))[0][0])
                kinds = [
                    name
                    for name, hit in (
                        ("NaN", np.isnan(array).any()),
                        ("inf", np.isinf(array).any()),
                        ("zeros", ((array == 0.0) & reachable).any()),
                    )
                    if hit
                ]
                total = float(np.min(np.sum(np.asarray(log_lambda, np.float64), axis=1)))
                raise Hint(
                    _NO_LOG.format(
                        kind=" and ".join(kinds), step=step + 1, steps=case.steps, total=total
                    )
                )
    return expect_array(
        value,
        what,
        want_shape,
        "one state h_t of shape (B, H) per step t = 1..T, stacked on axis 1",
    )


def _judge_scan(result: Any, case: _ScanCase, arrays: tuple[Any, ...]) -> None:
    log_lambda, log_u, log_h0 = arrays
    want = _scan_loop(log_lambda, log_u, log_h0)
    got = _scan_value(result, case, want, log_lambda)
    ok = _close64 if case.exact else close
    if ok(got, want):
        return
    for wrong, hint in _scan_mistakes(log_lambda, log_u, log_h0):
        if close(got, wrong):
            raise Hint(hint)
    relative = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    if case.exact and float(relative.max()) < 1e-2:
        step = int(np.argmax(relative.max(axis=(0, 2))))
        size = float(np.max(np.abs(np.cumsum(np.asarray(log_lambda, np.float64), axis=1))))
        err = float(relative.max())
        raise Hint(
            _FLOAT32.format(
                digits=max(1, int(-np.log10(err))),
                err=err,
                step=step + 1,
                size=size,
                spacing=float(np.spacing(np.float32(max(size, 1.0)))),
            )
        )
    t = _first_wrong_step(got, want, ok)
    start = (
        "already h_1 (position 0 of axis 1) is wrong, h_1 = λ_1 * h_0 + u_1"
        if t == 0
        else f"h_{t + 1} (position {t} of axis 1) is the first wrong state (the {t} before it "
        "match)"
    )
    raise Hint(
        f"{start}: {_largest(got[:, t], want[:, t])}. h_t = exp(Λ_t + logcumsumexp of "
        "[log h_0, log u_1 - Λ_1, ..., log u_t - Λ_t]) with Λ_t = log λ_1 + ... + log λ_t"
    )


def _scan_advice(how: str) -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        text = str(exc)
        line = learner_line(exc)
        if "expected to be a" in text and ("double" in text or "float" in text):
            return _DTYPE_MIX
        if how != "graph":
            return ""
        if "NumPy call" in text or "numpy" in text.lower() and "symbolic" in text.lower():
            return _NUMPY_GRAPH
        if isinstance(exc, AttributeError) and "numpy" in text:
            return _NUMPY_GRAPH
        looping = "range(" in line or "`for " in line or "Iterating over a symbolic" in text
        looping = looping or "range(" in text
        if looping or "cannot be interpreted as an integer" in text:
            return _LOOP_GRAPH
        if "None" in text:
            return _STATIC_SHAPE
        return _GRAPH

    return advice


_USER_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)\s*\*?\s*\n\s*(.+)')


def _autograph_error(exc: Exception) -> Exception:
    """A one-line error for one raised inside the learner's own @tf.function.

    AutoGraph runs a converted copy of the learner's code, and its message holds the learner's
    file, line and source ('File "...", line 13, in f * / for t in range(...)'), followed by the
    original error on its last line. The frames of the converted copy are dropped, so that no
    line of generated code is named.
    """
    text = str(exc)
    frames = _USER_FRAME.findall(text)
    last = [line.strip() for line in text.strip().splitlines() if line.strip()][-1]
    last = re.sub(r"^[A-Za-z_.]*(Error|Exception|Warning): ", "", last)
    where = ""
    if frames:
        _, lineno, name, source = frames[-1]
        where = f" (line {lineno} of your code, in {name}: `{source.strip()}`)"
    message = f"{last}{where}"
    try:
        return type(exc)(message)
    except Exception:
        return TypeError(message)


def _in_graph(learner: Callable[..., Any], units: int, dtype: str) -> Any:
    """The learner's function as a tf.function whose signature leaves B and T unknown.

    NumPy on a symbolic tensor raises NotImplementedError, which is not the learner's stub: it
    becomes a TypeError, keeping the traceback so that the hint can name the learner's line.
    """
    tf = import_tensorflow()

    def traced(log_lambda: Any, log_u: Any, log_h0: Any) -> Any:
        try:
            with warnings.catch_warnings():  # NumPy's warning on converting a graph tensor
                warnings.simplefilter("ignore")
                return learner(log_lambda, log_u, log_h0)
        except NotImplementedError as exc:
            if not str(exc):
                raise
            raise TypeError(str(exc)).with_traceback(exc.__traceback__) from None
        except Exception as exc:
            if "in user code:" not in str(exc):
                raise
            raise _autograph_error(exc) from None  # the learner's own @tf.function

    sequence = tf.TensorSpec((None, None, units), dtype)
    signature = [sequence, sequence, tf.TensorSpec((None, units), dtype)]
    return tf.function(traced, input_signature=signature, autograph=False)


def _loops_in(function: Any) -> list[str]:
    """The loop ops (While, StatelessWhile) of a traced tf.function, its library included."""
    graph_def = function.get_concrete_function().graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for library_function in graph_def.library.function:
        ops |= {node.op for node in library_function.node_def}
    return sorted(op for op in ops if "While" in op)


def _gradient_case(learner: Callable[..., Any], case: _ScanCase, arrays: tuple[Any, ...]) -> None:
    tf = import_tensorflow()
    inputs = [tf.constant(x) for x in arrays]
    weights = tf.constant(np.random.default_rng(case.seed + 1).standard_normal(arrays[1].shape))
    where = f"on {case.label}: "
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        result = call(learner, *inputs, on_error=_scan_advice(case.how), where=where)
        try:
            _judge_scan(result, case, arrays)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
        loss = tf.reduce_sum(tf.cast(tf.convert_to_tensor(result), tf.float64) * weights)
    grads = tape.gradient(loss, inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        log_lambda, log_u, log_h0 = inputs
        h, states = tf.exp(log_h0), []
        for t in range(case.steps):
            h = tf.exp(log_lambda[:, t]) * h + tf.exp(log_u[:, t])
            states.append(h)
        ref_loss = tf.reduce_sum(tf.stack(states, axis=1) * weights)
    ref_grads = tape.gradient(ref_loss, inputs)
    names = ["log_lambda", "log_u", "log_h0"]
    missing = [name for name, g in zip(names, grads, strict=True) if g is None]
    if missing:
        raise Hint(where + _NO_GRADIENT.format(names=", ".join(missing)))
    for name, g, ref in zip(names, grads, ref_grads, strict=True):
        got = expect_finite(np.asarray(g), f"the gradient of log_space_scan with respect to {name}")
        want = np.asarray(ref, np.float64)
        if not np.allclose(got, want, rtol=1e-7, atol=1e-10):
            raise Hint(where + _WRONG_GRADIENT.format(name=name, largest=_largest(got, want)))


@exercise_check("log_space_scan")
def log_space_scan(learner: Callable[..., Any]) -> str:
    """Check `log_space_scan(log_lambda, log_u, log_h0) -> h`, shape (B, T, H).

    log_lambda, log_u: TensorFlow tensors (B, T, H), the logs of the decays λ_t > 0 and of the
    input terms u_t > 0; log_h0: (B, H), log h_0 (all three passed by position, so any parameter
    names work). Returns h (not log h) of the recurrence h_t = λ_t * h_{t-1} + u_t (elementwise)
    for t = 1..T, h_0 not included, computed for all t at once in log space with TensorFlow ops:
    Λ = tf.math.cumsum(log_lambda, axis=1) (Λ_t = log P_t, P_t = λ_1 ... λ_t), then
    log h_t = Λ_t + the cumulative logsumexp of [log h_0, log u_1 - Λ_1, ..., log u_t - Λ_t], in
    the inputs' dtype. Judged against a float64
    loop: float64 inputs to float64 precision, T = 1024 with strong decay (Λ_T about -1400)
    included; float32 inputs within float32 tolerance; inside a tf.function whose
    input_signature leaves B and T unknown; and under tf.GradientTape, whose gradients must match
    the loop's. Eager results may be NumPy arrays or tensors. Prints one line; returns True when
    it passes.
    """
    return _on_one_line(lambda: _check_scan(learner))


def _check_scan(learner: Callable[..., Any]) -> str:
    tf = import_tensorflow()
    cases = _scan_cases()
    for case in cases:
        arrays = case.arrays()
        where = f"on {case.label}: "
        if case.how == "gradient":
            _gradient_case(learner, case, arrays)
            continue
        fn = learner
        if case.how == "graph":
            fn = _in_graph(learner, case.units, case.dtype)
        tensors = [tf.constant(x) for x in arrays]
        result = call(fn, *tensors, on_error=_scan_advice(case.how), where=where)
        try:
            _judge_scan(result, case, arrays)
            if case.how == "graph":
                loops = _loops_in(fn)
                if loops:
                    raise Hint(_WHILE.format(ops=", ".join(loops)))
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "h_t = λ_t * h_{t-1} + u_t for all t at once: to float64 precision at T = 1024 (Λ_T "
        "about -1400), within float32 tolerance on float32, inside tf.function with unknown B and "
        f"T, with the loop's gradients ({len(cases)} cases)."
    )
