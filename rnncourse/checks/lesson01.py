"""Checks for lesson 01, "The simple RNN cell": rnn_step, rnn_forward, simple_rnn_param_count.

Notation (COURSE_GUIDE section 6): batch-first row vectors, x_t (B, D), h_t (B, H),
h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h), W_xh (D, H), W_hh (H, H), b_h (H,).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnncourse.checks._core import (
    Hint,
    call,
    exercise_check,
    expect_array,
    expect_close,
    expect_integer,
    random_inputs,
)

__all__ = ["rnn_forward", "rnn_step", "simple_rnn_param_count"]

# Shapes chosen so that B, D and H all differ: a transposed matrix cannot go unnoticed.
B, T, D, H = 4, 6, 3, 5


def _step(x_t, h_prev, W_xh, W_hh, b_h, act=np.tanh, transpose_hh=False, bias=True):
    W = W_hh.T if transpose_hh else W_hh
    return act(x_t @ W_xh + h_prev @ W + (b_h if bias else 0.0))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _shape_advice(exc: Exception) -> str:
    if "matmul" in str(exc) or "shapes" in str(exc) or "align" in str(exc):
        return (
            f"Check the shapes: x_t is (B, D) = ({B}, {D}), W_xh is (D, H) = ({D}, {H}), "
            f"h_prev is (B, H) = ({B}, {H}), W_hh is (H, H). In the course's row-vector form "
            "the products are x_t @ W_xh and h_prev @ W_hh, no transposes."
        )
    return "Read the message above: it names the line that failed."


def _forward_advice(exc: Exception) -> str:
    if "broadcast" in str(exc) or "index" in str(exc):
        return (
            f"x is batch-first, (B, T, D) = ({B}, {T}, {D}): the input at time t is x[:, t] "
            "(shape (B, D)), not x[t], and there are x.shape[1] time steps."
        )
    return _shape_advice(exc)


def _weights(seed: int) -> list[np.ndarray]:
    return random_inputs(seed, (D, H), (H, H), (H,))


@exercise_check("rnn_step")
def rnn_step(learner: Callable[..., Any]) -> str:
    """Check `rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t`.

    x_t (B, D), h_prev (B, H), W_xh (D, H), W_hh (H, H), b_h (H,); returns h_t (B, H) =
    tanh(x_t @ W_xh + h_prev @ W_hh + b_h). Prints one line; returns True when it passes.
    """
    cases = 0
    for seed, batch in ((1, B), (2, 1)):
        x_t, h_prev = random_inputs(seed + 10, (batch, D), (batch, H), scale=1.0)
        W_xh, W_hh, b_h = _weights(seed)
        args = (x_t, h_prev, W_xh, W_hh, b_h)
        got = call(learner, *args, on_error=_shape_advice)
        got = expect_array(
            got,
            "h_t",
            (batch, H),
            "h_t must have one row per example and H columns. With row vectors, "
            "x_t @ W_xh is (B, D) @ (D, H) -> (B, H); did you write W_xh @ x_t "
            "(the column-vector form) or sum over the batch?",
        )
        pre = x_t @ W_xh + h_prev @ W_hh + b_h
        mistakes = [
            (
                _step(*args, transpose_hh=True),
                "you used W_hh.T. With batch-first row vectors the recurrent term is "
                "h_prev @ W_hh; the transpose belongs to the column-vector form W_hh h_{t-1}.",
            ),
            (_step(*args, bias=False), "the bias b_h is missing: add it inside the tanh."),
            (pre, "no activation: wrap the whole sum in np.tanh(...)."),
            (_step(*args, act=_sigmoid), "you used the sigmoid; the simple RNN uses tanh."),
            (_step(*args, act=lambda z: np.maximum(z, 0)), "you used ReLU; use np.tanh here."),
            (
                np.tanh(x_t @ W_xh) + h_prev @ W_hh + b_h,
                "tanh is applied to x_t @ W_xh only: it must wrap the whole sum "
                "x_t @ W_xh + h_prev @ W_hh + b_h.",
            ),
            (
                np.tanh(x_t @ W_xh + h_prev @ W_hh) + b_h,
                "b_h is added after the tanh; it belongs inside: tanh(... + b_h).",
            ),
            (
                np.tanh(x_t @ W_xh + b_h),
                "h_prev is ignored: the new state depends on the previous one through "
                "h_prev @ W_hh.",
            ),
        ]
        expect_close(got, np.tanh(pre), "h_t", mistakes)
        cases += 1
    return f"correct on {cases} batches (B={B} and B=1), shapes and values."


def _forward(step, x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = step(x[:, t], h, W_xh, W_hh, b_h)
        states.append(h)
    return np.stack(states, axis=1), h


@exercise_check("rnn_forward")
def rnn_forward(learner: Callable[..., Any]) -> str:
    """Check `rnn_forward(x, h0, W_xh, W_hh, b_h) -> (hs, h_last)`.

    x (B, T, D), h0 (B, H); returns hs (B, T, H), the hidden state after each time step
    (hs[:, t] is the state after reading x[:, t]), and h_last (B, H) == hs[:, -1].
    Prints one line; returns True when it passes.
    """
    x, h0 = random_inputs(3, (B, T, D), (B, H), scale=1.0)
    W_xh, W_hh, b_h = _weights(4)
    args = (x, h0, W_xh, W_hh, b_h)
    result = call(learner, *args, on_error=_forward_advice)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise Hint(
            f"expected two results, `return hs, h_last`; got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
        )
    hs_raw, last_raw = result
    if getattr(hs_raw, "shape", None) == (B, H) and getattr(last_raw, "shape", None) == (B, T, H):
        raise Hint("the results are swapped: return hs first, then h_last.")
    hs = expect_array(
        hs_raw,
        "hs",
        (B, T, H),
        f"expected (B, T, H) = ({B}, {T}, {H}), batch first. "
        + (
            "You stacked along axis 0 (time first): use np.stack(states, axis=1)."
            if np.shape(hs_raw) == (T, B, H)
            else "hs has T+1 steps: you kept h0; hs[:, t] is the state after reading x[:, t]."
            if np.shape(hs_raw) == (B, T + 1, H)
            else "collect one (B, H) state per time step and stack them on axis 1."
        ),
    )
    expected, expected_last = _forward(_step, *args)
    no_carry = np.stack([_step(x[:, t], h0, W_xh, W_hh, b_h) for t in range(T)], axis=1)
    shifted = np.concatenate([h0[:, None], expected[:, :-1]], axis=1)
    reversed_hs, _ = _forward(_step, x[:, ::-1], h0, W_xh, W_hh, b_h)
    expect_close(
        hs,
        expected,
        "hs",
        [
            (
                no_carry,
                "every step starts from h0: the state is not carried. Update h inside the "
                "loop, h = rnn_step(x[:, t], h, ...), and feed it to the next step.",
            ),
            (
                shifted,
                "hs is shifted by one step (off by one): hs[:, 0] is h0. Append the state "
                "after each step, not before it.",
            ),
            (
                reversed_hs,
                "the sequence was read backwards: loop over t = 0, 1, ..., T-1.",
            ),
            (
                reversed_hs[:, ::-1],
                "the sequence was read backwards: loop over t = 0, 1, ..., T-1.",
            ),
        ],
    )
    last = expect_array(last_raw, "h_last", (B, H), "h_last is one (B, H) state.")
    expect_close(
        last,
        expected_last,
        "h_last",
        [(expected[:, 0], "h_last is the first state; it must be the state after the last step.")],
    )
    return f"hs {hs.shape} and h_last {last.shape} match a step-by-step unroll over T={T}."


@exercise_check("simple_rnn_param_count")
def simple_rnn_param_count(learner: Callable[..., Any]) -> str:
    """Check `simple_rnn_param_count(D, H) -> int`: the trainable parameters of
    `keras.layers.SimpleRNN(H)` on D input features. Prints one line; returns True when it passes.
    """
    cases = ((3, 5), (1, 1), (8, 16), (65, 128))
    for d, h in cases:
        got = expect_integer(call(learner, d, h), f"simple_rnn_param_count({d}, {h})")
        expected = d * h + h * h + h
        mistakes = {
            d * h + h * h: "the bias is missing: SimpleRNN has one bias vector of H numbers.",
            d * h + h: "the recurrent weights W_hh (H x H) are missing.",
            h * h + h: "the input weights W_xh (D x H) are missing.",
            d * h + h * h + 2 * h: (
                "you counted two bias vectors (as PyTorch's nn.RNN has); Keras's SimpleRNN "
                "has a single bias b_h of H numbers."
            ),
            d * h + d * d + d: "D and H are mixed up: W_hh is H x H and the bias has H entries.",
            d * h + h * h + d: "the bias has H entries (one per hidden unit), not D.",
        }
        if got != expected:
            hint = mistakes.get(got)
            if hint is None:
                hint = (
                    f"for D={d}, H={h} you returned {got}; count W_xh (D x H), W_hh (H x H) "
                    "and b_h (H) and add them up"
                )
            raise Hint(f"for D={d}, H={h}: {hint}" if got in mistakes else hint)
    return f"matches Keras's count on {len(cases)} (D, H) pairs."
