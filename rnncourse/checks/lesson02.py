"""Checks for lesson 02, "Backpropagation through time": rnn_backward, rnn_backward_all_steps,
spectral_radius, clip_by_global_norm.

Notation (COURSE_GUIDE section 6): batch-first row vectors, x_t (B, D), h_t (B, H),
a_t = x_t W_xh + h_{t-1} W_hh + b_h, h_t = tanh(a_t), W_xh (D, H), W_hh (H, H), b_h (H,),
L = sum_t L_t, δ_t = ∂L/∂h_t the total gradient reaching h_t (its own loss L_t plus what flows
back from t+1), and the one-step Jacobian J_t = ∂h_t/∂h_{t-1} = diag(1 - h_t²) W_hh^T. In code,
with da_t = ∂L/∂a_t = δ_t * (1 - h_t**2), the recursion is δ_t = dh_own[:, t] + da_{t+1} @ W_hh.T,
where dh_own[:, t] = ∂L_t/∂h_t is the gradient of step t's own loss.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnncourse.checks._core import (
    Hint,
    call,
    close,
    exercise_check,
    expect_array,
    expect_close,
    random_inputs,
)

__all__ = ["clip_by_global_norm", "rnn_backward", "rnn_backward_all_steps", "spectral_radius"]

# Shapes chosen so that B, T, D and H all differ: a transposed matrix cannot go unnoticed.
B, T, D, H = 4, 6, 3, 5
#: The long case: long enough that a backward pass stopped after a few steps (truncated BPTT)
#: gives visibly different gradients from the full one.
LONG_T = 40


# --------------------------------------------------------------------------- backward passes


def _states(x, h0, W_xh, W_hh, b_h):
    """Return hs (B, T, H), the state after every step, for the reference and its mistakes."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def _own_term(dh_own: np.ndarray, t: int, rule: str) -> np.ndarray:
    """The own-loss gradient that step t adds to δ_t, correctly or as a catalogued mistake does."""
    steps = dh_own.shape[1]
    if rule == "forgotten":  # only the last step's loss is used
        return dh_own[:, t] if t == steps - 1 else np.zeros_like(dh_own[:, t])
    if rule == "later":  # added after carrying back: step t receives dh_own[:, t + 1]
        return dh_own[:, min(t + 1, steps - 1)]
    if rule == "earlier":  # math index for code index: step t receives dh_own[:, t - 1]
        return dh_own[:, t - 1]
    if rule == "summed":  # all losses summed into one gradient at the last state
        return dh_own.sum(axis=1) if t == steps - 1 else np.zeros_like(dh_own[:, t])
    if rule == "restart":  # every step starts again from the last step's gradient
        return dh_own[:, -1]
    if rule == "doubled_last":  # started from dh_own[:, -1] and added it again at the last step
        return dh_own[:, t] * (2 if t == steps - 1 else 1)
    return dh_own[:, t]


def _backward(
    x,
    h0,
    W_xh,
    W_hh,
    b_h,
    dh_own,
    *,
    derivative="current",
    transpose_hh=True,
    window=None,
    prev_state="previous",
    carry=True,
    own="before_tanh",
    carry_from="da",
):
    """The reference backward pass for L = sum_t L_t, dh_own[:, t] = ∂L_t/∂h_t (B, T, H), with
    switches that reproduce the catalogued mistakes. Computed in float64."""
    x, h0, W_xh, W_hh, b_h, dh_own = (
        np.asarray(a, dtype=np.float64) for a in (x, h0, W_xh, W_hh, b_h, dh_own)
    )
    hs = _states(x, h0, W_xh, W_hh, b_h)
    steps = x.shape[1]
    dW_xh, dW_hh = np.zeros_like(W_xh), np.zeros_like(W_hh)
    db_h, dx = np.zeros_like(b_h), np.zeros_like(x)
    carried = np.zeros_like(h0)  # the gradient flowing back from step t + 1 into h_t
    first = 0 if window is None else max(steps - window, 0)
    for t in range(steps - 1, first - 1, -1):
        h_t = hs[:, t]
        h_prev = h0 if t == 0 else hs[:, t - 1]
        slope = {
            "current": 1 - h_t**2,
            "previous": 1 - h_prev**2,
            "linear": 1 - h_t,
            "none": np.ones_like(h_t),
        }[derivative]
        own_t = _own_term(dh_own, t, own)
        delta = own_t + carried if carry else own_t
        if own == "after_tanh":  # the own term skips the tanh derivative
            da = carried * slope + dh_own[:, t]
        else:
            da = delta * slope
        if prev_state == "current":
            multiplier = h_t
        elif prev_state == "wrapped" and t == 0:
            multiplier = hs[:, -1]  # hs[:, t - 1] with t = 0
        else:
            multiplier = h_prev
        dW_xh += x[:, t].T @ da
        dW_hh += multiplier.T @ da
        db_h += da.sum(axis=0)
        dx[:, t] = da @ W_xh.T
        back = da if carry_from == "da" else delta  # "delta": the tanh derivative skipped
        carried = back @ (W_hh.T if transpose_hh else W_hh)
    return dW_xh, dW_hh, db_h, dx


_NAMES = ("dW_xh", "dW_hh", "db_h", "dx")

_COMMON_MISTAKES: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {"derivative": "none"},
        "the tanh derivative is missing: before using the gradient at step t, multiply it by "
        "(1 - h_t**2), the derivative of tanh written with the state h_t = tanh(a_t): "
        "da_t = δ_t * (1 - h_t**2).",
    ),
    (
        {"derivative": "previous"},
        "you multiplied by (1 - h_{t-1}**2); the tanh that produced h_t is the one at step t, so "
        "its derivative is (1 - h_t**2), with the state after the step, not before it.",
    ),
    (
        {"derivative": "linear"},
        "you multiplied by (1 - h_t); the derivative of tanh is 1 - tanh(a)**2 = (1 - h_t**2).",
    ),
    (
        {"transpose_hh": False},
        "W_hh is not transposed in the backward recurrence. Forward, h_t uses h_{t-1} @ W_hh; "
        "backward, the gradient reaching h_{t-1} is da_t @ W_hh.T with da_t = δ_t * (1 - h_t**2).",
    ),
    (
        {"carry_from": "delta"},
        "the gradient carried back to h_{t-1} skips the tanh derivative: carry da_t @ W_hh.T "
        "with da_t = δ_t * (1 - h_t**2) (that is δ_t J_t), not δ_t @ W_hh.T.",
    ),
    (
        {"prev_state": "current"},
        "dW_hh uses the wrong state (off by one): at step t the recurrent weights multiply the "
        "previous state, so add h_{t-1}.T @ da_t, with h0 at t = 0, not h_t.T @ da_t.",
    ),
    (
        {"prev_state": "wrapped"},
        "at t = 0 you used hs[:, t - 1], which is hs[:, -1], the LAST state (Python wraps "
        "negative indices): the state before step 0 is h0.",
    ),
)

_LAST_STATE_MISTAKES: tuple[tuple[dict[str, Any], str], ...] = (
    *_COMMON_MISTAKES,
    (
        {"window": 1},
        "only the last time step contributes: the weights are shared by all T steps, so loop "
        "backwards over t = T-1, ..., 0 and add every step's contribution (+=) to dW_xh, dW_hh "
        "and db_h, carrying the gradient back with δ_{t-1} = da_t @ W_hh.T.",
    ),
    (
        {"carry": False, "own": "restart"},
        "every step starts again from dh_last: the gradient that reaches h_{t-1} must be carried "
        "back, δ_{t-1} = (δ_t * (1 - h_t**2)) @ W_hh.T, and used at the next (earlier) step.",
    ),
)

_ALL_STEPS_MISTAKES: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {"own": "forgotten"},
        "only the last step's loss reaches the gradients: every step t has its own loss L_t, so "
        "add its gradient dh_own[:, t] to what flows back from t+1 before the tanh derivative: "
        "δ_t = dh_own[:, t] + da_{t+1} @ W_hh.T.",
    ),
    (
        {"own": "after_tanh"},
        "you added dh_own[:, t] after multiplying by (1 - h_t**2); it is a gradient with respect "
        "to h_t, so it passes through the tanh derivative too: "
        "da_t = (dh_own[:, t] + da_{t+1} @ W_hh.T) * (1 - h_t**2).",
    ),
    (
        {"own": "later"},
        "the own-loss gradients are off by one step: step t received dh_own[:, t+1] (did you add "
        "dh_own[:, t] after carrying the gradient back to h_{t-1}?). dh_own[:, t] = ∂L_t/∂h_t "
        "belongs to h_t: δ_t = dh_own[:, t] + da_{t+1} @ W_hh.T.",
    ),
    (
        {"own": "earlier"},
        "the own-loss gradients are off by one step: step t received dh_own[:, t-1]. In code, "
        "x[:, t], hs[:, t] and dh_own[:, t] all belong to the same step t: "
        "δ_t = dh_own[:, t] + da_{t+1} @ W_hh.T.",
    ),
    (
        {"own": "doubled_last"},
        "the last step's own gradient is counted twice (did you start with "
        "delta = dh_own[:, -1] and also add dh_own[:, t] at t = T-1?): start with nothing carried "
        "back, zeros, and add dh_own[:, t] once at every step.",
    ),
    (
        {"own": "summed"},
        "you summed the per-step gradients into one gradient at the last state; each L_t "
        "depends on h_t, not on h_T, so dh_own[:, t] enters the recursion at step t.",
    ),
    (
        {"carry": False},
        "each step only sees its own loss: the later losses depend on h_t too, through h_{t+1}, "
        "so the gradient flowing back must be added: δ_t = dh_own[:, t] + da_{t+1} @ W_hh.T.",
    ),
    *_COMMON_MISTAKES,
    (
        {"window": 1},
        "only the last time step contributes to the weight gradients: loop backwards over every "
        "t = T-1, ..., 0 and add each step's contribution (+=) to dW_xh, dW_hh and db_h.",
    ),
)

_BACKWARD_SHAPE_HINTS = {
    "dW_xh": "dW_xh has the shape of W_xh, (D, H): sum x_t.T @ da_t over time, (D, B) @ (B, H).",
    "dW_hh": "dW_hh has the shape of W_hh, (H, H): sum h_{t-1}.T @ da_t over time.",
    "db_h": "db_h has the shape of b_h, (H,): sum da_t over the batch (axis 0) and over time.",
    "dx": "dx has the shape of x, (B, T, D): dx[:, t] = da_t @ W_xh.T is (B, H) @ (H, D).",
}


def _backward_advice(exc: Exception, last: str) -> str:
    if "matmul" in str(exc) or "shapes" in str(exc) or "align" in str(exc):
        return (
            f"Check the shapes: x is (B, T, D) = ({B}, {T}, {D}), W_xh is (D, H) = ({D}, {H}), "
            f"W_hh is (H, H), {last}. With da_t = δ_t * (1 - h_t**2) of shape (B, H): "
            "dx[:, t] = da_t @ W_xh.T, δ_{t-1} gets da_t @ W_hh.T, dW_xh += x[:, t].T @ da_t, "
            "dW_hh += h_{t-1}.T @ da_t."
        )
    return ""


def _backward_cases() -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """(description, (x, h0, W_xh, W_hh, b_h, dh_own)) for every case, made afresh each call."""
    cases = []
    for seed, batch in ((5, B), (6, 2)):
        x, h0, dh_own = random_inputs(seed, (batch, T, D), (batch, H), (batch, T, H), scale=1.0)
        W_xh, W_hh, b_h = random_inputs(seed + 20, (D, H), (H, H), (H,), scale=0.6)
        cases.append((f"batch of {batch}, T = {T}", (x, h0, W_xh, W_hh, b_h, dh_own)))
    # A long sequence with a recurrent matrix of spectral radius near 1 and small states: the
    # gradient from the last steps still reaches the first ones, so stopping early shows.
    rng = np.random.default_rng(9)
    Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    x, h0 = random_inputs(10, (2, LONG_T, D), (2, H), scale=0.1)
    (dh_own,) = random_inputs(12, (2, LONG_T, H), scale=1.0)
    (W_xh,) = random_inputs(11, (D, H), scale=0.3)
    (b_h,) = random_inputs(13, (H,), scale=0.02)  # a constant drive would pile up over 40 steps
    W_hh = (0.97 * Q).astype(np.float32)
    cases.append((f"batch of 2, T = {LONG_T}", (x, h0, W_xh, W_hh, b_h, dh_own)))
    return cases


def _judge_backward(
    learner: Callable[..., Any],
    args: tuple[np.ndarray, ...],
    what: str,
    dh_own: np.ndarray,
    mistakes: Sequence[tuple[dict[str, Any], str]],
    last_name: str,
) -> None:
    """Call the learner on one case and raise `Hint` unless its four gradients are right."""
    x = args[0]
    batch, steps = x.shape[:2]
    result = call(
        learner,
        *args,
        on_error=lambda exc: _backward_advice(exc, f"{last_name} is {np.shape(args[-1])}"),
    )
    if not isinstance(result, tuple | list) or len(result) != 4:
        raise Hint(
            "expected four results, `return dW_xh, dW_hh, db_h, dx`; got "
            + type(result).__name__
            + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
        )
    shapes = {"dW_xh": (D, H), "dW_hh": (H, H), "db_h": (H,), "dx": (batch, steps, D)}
    if tuple(np.shape(r) for r in result) == ((H, H), (D, H), (H,), (batch, steps, D)):
        raise Hint("dW_xh and dW_hh are swapped: return dW_xh, dW_hh, db_h, dx in that order.")
    got = [
        expect_array(value, name, shape, _BACKWARD_SHAPE_HINTS[name])
        for value, (name, shape) in zip(result, shapes.items(), strict=True)
    ]
    inputs = (*args[:-1], dh_own)
    expected = _backward(*inputs)
    if all(close(g, e) for g, e in zip(got, expected, strict=True)):
        return
    for switches, hint in mistakes:
        wrong = _backward(*inputs, **switches)
        if all(close(g, w) for g, w in zip(got, wrong, strict=True)):
            raise Hint(hint)
    others = [close(g, e) for i, (g, e) in enumerate(zip(got, expected, strict=True)) if i != 1]
    if all(others) and close(got[1], expected[1].T):
        raise Hint(
            "dW_hh is transposed: at every step add h_{t-1}.T @ da_t, (H, B) @ (B, H), "
            "not da_t.T @ h_{t-1}; its entry [i, j] is the gradient of W_hh[i, j], which "
            "multiplies h_{t-1}[i] into a_t[j]."
        )
    reached = [t for t in range(steps) if np.any(got[3][:, t] != 0)]
    first_reached = reached[0] if reached else steps
    if 0 < first_reached < steps and not close(expected[3][:, :first_reached], 0.0):
        raise Hint(
            f"on a sequence of {steps} steps the gradient reaches only the last "
            f"{steps - first_reached} (dx[:, t] is exactly 0 for t < {first_reached}): the loop "
            "stops early, which is truncated BPTT. Go back through every step, t = T-1, ..., 0."
        )
    for index, (name, g, e) in enumerate(zip(_NAMES, got, expected, strict=True)):
        candidates = [(_backward(*inputs, **switches)[index], hint) for switches, hint in mistakes]
        expect_close(g, e, f"{name} ({what})", candidates)


@exercise_check("rnn_backward")
def rnn_backward(learner: Callable[..., Any]) -> str:
    """Check `rnn_backward(x, h0, W_xh, W_hh, b_h, dh_last) -> (dW_xh, dW_hh, db_h, dx)`.

    x (B, T, D), h0 (B, H), W_xh (D, H), W_hh (H, H), b_h (H,), dh_last (B, H) = ∂L/∂h_T, the
    gradient of a loss that depends on the last state only. The function recomputes the forward
    pass and returns the gradients of that loss: dW_xh (D, H), dW_hh (H, H), db_h (H,) and
    dx (B, T, D). Tested on short and long sequences (T = 6 and 40). Prints one line; returns
    True when it passes.
    """
    cases = _backward_cases()
    for what, (x, h0, W_xh, W_hh, b_h, dh_own) in cases:
        dh_last = dh_own[:, -1].copy()
        only_last = np.zeros_like(dh_own)
        only_last[:, -1] = dh_last
        _judge_backward(
            learner,
            (x, h0, W_xh, W_hh, b_h, dh_last),
            what,
            only_last,
            _LAST_STATE_MISTAKES,
            "dh_last",
        )
    return (
        f"dW_xh, dW_hh, db_h and dx match backpropagation through time on {len(cases)} batches "
        f"(T = {T} and T = {LONG_T} steps)."
    )


@exercise_check("rnn_backward_all_steps")
def rnn_backward_all_steps(learner: Callable[..., Any]) -> str:
    """Check `rnn_backward_all_steps(x, h0, W_xh, W_hh, b_h, dh_own) -> (dW_xh, dW_hh, db_h, dx)`.

    A loss at every step, L = sum_t L_t: dh_own (B, T, H) holds dh_own[:, t] = ∂L_t/∂h_t, the
    gradient of step t's own loss with respect to h_t (not counting what flows back from later
    steps). The function returns the gradients of L with respect to W_xh, W_hh, b_h and x, with
    the shapes of rnn_backward. Tested on short and long sequences (T = 6 and 40). Prints one
    line; returns True when it passes.
    """
    cases = _backward_cases()
    for what, (x, h0, W_xh, W_hh, b_h, dh_own) in cases:
        _judge_backward(
            learner, (x, h0, W_xh, W_hh, b_h, dh_own), what, dh_own, _ALL_STEPS_MISTAKES, "dh_own"
        )
    return (
        f"the gradients of a loss at every step match BPTT on {len(cases)} batches "
        f"(T = {T} and T = {LONG_T} steps)."
    )


# --------------------------------------------------------------------------- spectral_radius


def _rotation(angle: float, scale: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return scale * np.array([[c, -s], [s, c]])


#: The non-normal matrix of the lesson: complex eigenvalues 0.15 ± 0.65i (radius 0.67), largest
#: singular value 2.86, and diag(1, 0.1) @ W.T has radius 1.35.
LESSON_NON_NORMAL = np.array([[1.5, -1.5], [1.5, -1.2]])


def _test_matrices() -> list[np.ndarray]:
    """Matrices on which every catalogued mistake gives a different answer from the radius."""
    rng = np.random.default_rng(7)
    rotation_block = np.zeros((4, 4))
    rotation_block[:2, :2] = _rotation(2.0, 0.9)  # dominant pair 0.9 exp(+-2i), real part < 0
    rotation_block[2:, 2:] = np.diag([0.7, -0.5])
    rotation_block[:2, 2:] = [[4.0, -3.0], [2.5, 5.0]]  # a strong coupling: far from normal
    return [
        np.array([[-0.9, 2.0], [0.0, 0.5]]),  # dominant eigenvalue negative, non-normal
        _rotation(np.pi / 3, 0.8),  # complex eigenvalues 0.8 exp(+-i pi/3), a normal matrix
        0.45 * rng.standard_normal((6, 6)),  # a random recurrent matrix
        np.array([[1.2, 0.3, 0.0], [0.0, -0.4, 0.1], [0.2, 0.0, 0.7]]),
        LESSON_NON_NORMAL.copy(),  # the lesson's: complex pair, non-normal
        rotation_block,  # complex dominant pair inside a non-normal block matrix
        rotation_block.T.astype(np.float32),  # the same eigenvalues, float32
        np.array([[0, 1], [-1, 0]]),  # integers; eigenvalues +-i: every real part is 0
        np.array([[-1.3]]),  # 1 x 1
    ]


def _radius_of(W: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvals(np.asarray(W, dtype=np.float64))).max())


def _largest_real_part_modulus(W: np.ndarray) -> float:
    eigenvalues = np.linalg.eigvals(W)
    return float(abs(eigenvalues[np.argmax(eigenvalues.real)]))


_RADIUS_MISTAKES: tuple[tuple[Callable[[np.ndarray], float], str], ...] = (
    (
        lambda W: np.linalg.norm(W, 2),
        "you computed the largest singular value (the spectral norm, np.linalg.norm(W, 2)). It "
        "bounds what one step can do, but the spectral radius is the largest |eigenvalue|: "
        "np.abs(np.linalg.eigvals(W)).max(). The two differ for non-normal matrices.",
    ),
    (
        lambda W: np.abs(np.linalg.eigvals(W @ W.T)).max(),
        "you computed the largest eigenvalue of W @ W.T, the square of the largest singular "
        "value; the spectral radius uses the eigenvalues of W itself: "
        "np.abs(np.linalg.eigvals(W)).max().",
    ),
    (
        lambda W: np.abs(np.linalg.eigvalsh(W)).max(),
        "np.linalg.eigvalsh (and eigh) assume a symmetric matrix and read only one triangle of "
        "it; recurrent matrices are not symmetric. Use np.linalg.eigvals(W).",
    ),
    (
        lambda W: np.linalg.eigvals(W).real.max(),
        "you took the largest real part of the eigenvalues. Eigenvalues can be complex or "
        "negative; the radius is the largest modulus, np.abs(...).max().",
    ),
    (
        lambda W: np.abs(np.linalg.eigvals(W).real).max(),
        "you took the largest |real part|; a complex eigenvalue a + bi has modulus "
        "sqrt(a**2 + b**2): use np.abs on the complex eigenvalues themselves.",
    ),
    (
        _largest_real_part_modulus,
        "you took the modulus of the eigenvalue with the largest real part (max, then abs). "
        "Take the modulus of every eigenvalue first, then the largest: "
        "np.abs(np.linalg.eigvals(W)).max().",
    ),
    (
        lambda W: np.trace(W) / len(W),
        "you computed the mean of the eigenvalues (trace / n). The radius is the LARGEST "
        "|eigenvalue|, not their average.",
    ),
    (
        lambda W: np.abs(np.linalg.eigvals(W)).mean(),
        "you averaged the |eigenvalues|; the spectral radius is the largest one: .max().",
    ),
    (
        lambda W: np.linalg.norm(W),
        "you computed the Frobenius norm (np.linalg.norm(W)), the square root of the sum of "
        "squared entries; the radius is the largest |eigenvalue|.",
    ),
    (
        lambda W: np.abs(W).max(),
        "you took the largest |entry| of W; the radius is the largest |eigenvalue| of W.",
    ),
    (
        lambda W: np.abs(np.linalg.eigvals(W)).min(),
        "you took the smallest |eigenvalue|; the radius is the largest: .max().",
    ),
)


def _as_real_number(value: Any) -> float:
    """Return the learner's radius as a float, or raise `Hint` saying what is wrong with it."""
    if value is None:
        raise Hint("spectral_radius returned None: did you forget the `return` statement?")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        raise Hint(
            "you returned a TensorFlow tensor; this exercise is written in NumPy "
            "(np.linalg.eigvals), or convert with float(...)"
        )
    if isinstance(value, list | tuple):
        raise Hint(
            f"you returned a Python {type(value).__name__} of length {len(value)}; return one "
            "number, the largest |eigenvalue| (np.linalg.eig returns a pair: eigenvalues first)."
        )
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise Hint(
                f"you returned an array of shape {value.shape}, one number per eigenvalue? "
                "Return a single number: the largest |eigenvalue|."
            )
        value = value[()]
    if isinstance(value, complex | np.complexfloating):
        raise Hint(
            "you returned a complex number: eigenvalues can be complex, and the radius is "
            "the largest modulus, np.abs(eigenvalues).max(), a real number."
        )
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | np.number):
        raise Hint(f"you returned {type(value).__name__}; return a float")
    number = float(value)
    if not np.isfinite(number):
        raise Hint(
            f"you returned {number}; the spectral radius of a matrix of finite numbers is a "
            "finite number, the largest |eigenvalue|."
        )
    return number


@exercise_check("spectral_radius")
def spectral_radius(learner: Callable[..., Any]) -> str:
    """Check `spectral_radius(W) -> float`: the largest modulus |lambda| of the eigenvalues of the
    square matrix W, on normal and non-normal matrices, complex pairs, negative eigenvalues,
    integer and float32 entries. Prints one line; returns True when it passes.
    """
    matrices = _test_matrices()
    got = [_as_real_number(call(learner, W)) for W in matrices]
    expected = [_radius_of(W) for W in matrices]
    if close(got, expected):
        return (
            f"correct on {len(matrices)} matrices, including non-normal ones, complex pairs and "
            "negative eigenvalues."
        )
    as_float = [np.asarray(W, dtype=np.float64) for W in matrices]
    for mistake, hint in _RADIUS_MISTAKES:
        if close(got, [mistake(W) for W in as_float]):
            raise Hint(hint)
    wrong = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not close(g, e))
    raise Hint(
        f"for the matrix {np.round(as_float[wrong], 2).tolist()} you returned {got[wrong]:.4g}, "
        f"expected {expected[wrong]:.4g}: the largest |eigenvalue|, np.abs(np.linalg.eigvals(W))"
        ".max()"
    )


# --------------------------------------------------------------------------- clip_by_global_norm


def _global_norm(grads: Sequence[np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.asarray(grad, np.float64) ** 2)) for grad in grads)))


def _clip_reference(grads, clip_norm):
    norm = _global_norm(grads)
    scale = clip_norm / max(norm, clip_norm)
    return [grad * scale for grad in grads], norm


def _clip_per_tensor(grads, clip_norm):
    clipped = [grad * clip_norm / max(float(np.linalg.norm(grad)), clip_norm) for grad in grads]
    return clipped, _global_norm(grads)


def _clip_always(grads, clip_norm):
    norm = _global_norm(grads)
    return [grad * clip_norm / np.float64(norm) for grad in grads], norm


def _clip_sum_of_norms(grads, clip_norm):
    norm = sum(float(np.linalg.norm(grad)) for grad in grads)
    return [grad * clip_norm / max(norm, clip_norm) for grad in grads], norm


def _clip_norm_after(grads, clip_norm):
    clipped, norm = _clip_reference(grads, clip_norm)
    return clipped, min(norm, clip_norm)


def _clip_squared_norm(grads, clip_norm):
    squared = _global_norm(grads) ** 2
    return [grad * clip_norm / max(squared, clip_norm) for grad in grads], squared


def _clip_unit(grads, clip_norm):
    norm = _global_norm(grads)
    return [grad / norm if norm > clip_norm else grad for grad in grads], norm


def _clip_values(grads, clip_norm):
    return [np.clip(grad, -clip_norm, clip_norm) for grad in grads], _global_norm(grads)


_CLIP_MISTAKES = (
    (
        _clip_per_tensor,
        "each tensor was clipped to its own norm (that is Keras's `clipnorm`). The global "
        "norm is one number for all tensors together, sqrt(sum of every squared entry), and "
        "every tensor is scaled by the same factor clip_norm / global_norm.",
    ),
    (
        _clip_always,
        "you rescaled the gradients although their global norm was below clip_norm, which "
        "scales small gradients UP. Clipping only shrinks: the factor is "
        "clip_norm / max(global_norm, clip_norm).",
    ),
    (
        _clip_sum_of_norms,
        "the global norm is not the sum of the tensors' norms: it is sqrt(sum over tensors of "
        "np.sum(grad**2)), the norm of all entries seen as one long vector.",
    ),
    (
        _clip_norm_after,
        "the returned norm is the norm AFTER clipping; like tf.clip_by_global_norm, return the "
        "global norm of the gradients you were given (before clipping), which tells you how "
        "large they really were.",
    ),
    (
        _clip_squared_norm,
        "your global norm is the sum of squares: take its square root, np.sqrt(...).",
    ),
    (
        _clip_unit,
        "you scaled the gradients to norm 1 (grad / global_norm); they must end with norm "
        "clip_norm: multiply by clip_norm / global_norm.",
    ),
    (
        _clip_values,
        "you clipped every entry to [-clip_norm, clip_norm] (that is Keras's `clipvalue`), "
        "which changes the direction of the gradient; scale all tensors by one factor instead.",
    ),
)

_ZERO_ADVICE = (
    "when every gradient is zero the global norm is 0, and dividing by it fails. Gradients "
    "below the threshold are left alone, so the factor clip_norm / max(global_norm, clip_norm) "
    "(or dividing only when global_norm > clip_norm) never divides by zero."
)


def _clip_cases() -> list[tuple[str, list[np.ndarray], float]]:
    """(description, grads, clip_norm) for every case, made afresh at each call."""
    rng = np.random.default_rng(11)
    big = [
        np.array([[3.0, 0.0, 4.0], [0.0, 0.0, 0.0]]),
        rng.standard_normal(4) * 0.2,
        np.array([12.0, 0.0, 0.5]),
    ]
    small = [0.1 * rng.standard_normal((3, 2)), 0.1 * rng.standard_normal(5)]
    float32 = [
        (40 * rng.standard_normal((4, 3))).astype(np.float32),
        rng.standard_normal(3).astype(np.float32),
    ]
    return [
        ("three tensors above the threshold", big, 2.5),
        ("two tensors below the threshold", small, 4.0),
        ("one tensor", [np.array([6.0, 8.0])], 1.5),
        ("float32 tensors, as TensorFlow gives them", float32, 1.0),
        ("a norm exactly at the threshold", [np.array([3.0, 4.0])], 5.0),
        ("all-zero gradients", [np.zeros((2, 3)), np.zeros(4)], 1.0),
    ]


def _finite(value: Any) -> bool:
    """Return False only for numbers or arrays of numbers that hold NaN or infinity."""
    if isinstance(value, np.ndarray | np.generic | numbers.Real) and not isinstance(value, bool):
        array = np.asarray(value)
        return not np.issubdtype(array.dtype, np.number) or bool(np.isfinite(array).all())
    return True


def _clip_advice(exc: Exception, zero: bool) -> str:
    if zero or isinstance(exc, ZeroDivisionError):
        return f"On all-zero gradients: {_ZERO_ADVICE}"
    return ""


@exercise_check("clip_by_global_norm")
def clip_by_global_norm(learner: Callable[..., Any]) -> str:
    """Check `clip_by_global_norm(grads, clip_norm) -> (clipped, global_norm)`.

    grads is a list of NumPy arrays (one per weight tensor); clipped is a list of arrays of the
    same shapes, all scaled by clip_norm / max(global_norm, clip_norm); global_norm is the
    float sqrt(sum of every squared entry of every tensor), computed BEFORE clipping, as
    tf.clip_by_global_norm returns it. Tested on one or several tensors, float32, below, at and
    above the threshold, and on all-zero gradients. Prints one line; returns True when it passes.
    """
    for what, grads, clip_norm in _clip_cases():
        zero = _global_norm(grads) == 0
        result = call(
            learner, grads, clip_norm, on_error=lambda exc, zero=zero: _clip_advice(exc, zero)
        )
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Hint(
                "expected two results, `return clipped, global_norm`, as tf.clip_by_global_norm "
                f"returns them; got {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
            )
        clipped_raw, norm_raw = result
        if isinstance(norm_raw, list | tuple) and not isinstance(clipped_raw, list | tuple):
            raise Hint("the results are swapped: return the clipped list first, then the norm.")
        if not isinstance(clipped_raw, list | tuple) or len(clipped_raw) != len(grads):
            raise Hint(
                f"the clipped gradients must be a list with one array per tensor ({len(grads)} "
                f"here); got {type(clipped_raw).__name__}"
                + (
                    f" of length {len(clipped_raw)}"
                    if isinstance(clipped_raw, list | tuple)
                    else ""
                )
            )
        if zero and not all(_finite(c) for c in [*clipped_raw, norm_raw]):
            raise Hint(
                f"your results contain NaN or infinity on all-zero gradients: {_ZERO_ADVICE}"
            )
        clipped = [
            expect_array(
                c, f"clipped[{i}] ({what})", grad.shape, "each clipped tensor keeps its shape."
            )
            for i, (c, grad) in enumerate(zip(clipped_raw, grads, strict=True))
        ]
        if isinstance(norm_raw, list | tuple):
            raise Hint(f"global_norm is a Python {type(norm_raw).__name__}; return one number.")
        if isinstance(norm_raw, numbers.Real | np.number) and not isinstance(norm_raw, bool):
            norm_raw = np.asarray(norm_raw)
        norm = float(expect_array(norm_raw, "global_norm", (), "the global norm is one number."))
        expected, expected_norm = _clip_reference(grads, clip_norm)
        right_arrays = all(close(c, e) for c, e in zip(clipped, expected, strict=True))
        if right_arrays and close(norm, expected_norm):
            continue
        for mistake, hint in _CLIP_MISTAKES:
            wrong, wrong_norm = mistake(grads, clip_norm)
            if all(close(c, w) for c, w in zip(clipped, wrong, strict=True)) and close(
                norm, wrong_norm
            ):
                raise Hint(hint)
        where = "below" if expected_norm < clip_norm else "above"
        for i, (c, e) in enumerate(zip(clipped, expected, strict=True)):
            expect_close(
                c,
                e,
                f"clipped[{i}] ({what}: global norm {expected_norm:.3g} {where} "
                f"clip_norm {clip_norm})",
            )
        raise Hint(
            f"the clipped tensors are right but global_norm is {norm:.5g}; expected "
            f"{expected_norm:.5g} ({what}), sqrt of the sum of all squared entries, before "
            "clipping."
        )
    return (
        "matches tf.clip_by_global_norm's rule: below, at and above the threshold, one tensor or "
        "many, float32, and all-zero gradients."
    )
