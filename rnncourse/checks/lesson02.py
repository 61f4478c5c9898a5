"""Checks for lesson 02, "Backpropagation through time": rnn_backward, spectral_radius,
clip_by_global_norm.

Notation (COURSE_GUIDE section 6): batch-first row vectors, x_t (B, D), h_t (B, H),
h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h), W_xh (D, H), W_hh (H, H), b_h (H,). In this form the
Jacobian of one step is dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh^T, so the gradient flowing back is
delta_{t-1} = (delta_t * (1 - h_t^2)) @ W_hh.T.
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

__all__ = ["clip_by_global_norm", "rnn_backward", "spectral_radius"]

# Shapes chosen so that B, T, D and H all differ: a transposed matrix cannot go unnoticed.
B, T, D, H = 4, 6, 3, 5


# --------------------------------------------------------------------------- rnn_backward


def _states(x, h0, W_xh, W_hh, b_h):
    """Return hs (B, T, H), the state after every step, for the reference and its mistakes."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def _backward(
    x,
    h0,
    W_xh,
    W_hh,
    b_h,
    dh_last,
    *,
    derivative="current",
    transpose_hh=True,
    last_step_only=False,
    prev_state="previous",
    carry=True,
):
    """The reference backward pass, with switches that reproduce the catalogued mistakes."""
    hs = _states(x, h0, W_xh, W_hh, b_h)
    steps = x.shape[1]
    dW_xh, dW_hh = np.zeros_like(W_xh), np.zeros_like(W_hh)
    db_h, dx = np.zeros_like(b_h), np.zeros_like(x)
    delta = dh_last
    first = steps - 1 if last_step_only else 0
    for t in range(steps - 1, first - 1, -1):
        h_t = hs[:, t]
        h_prev = h0 if t == 0 else hs[:, t - 1]
        if derivative == "current":
            g = delta * (1 - h_t**2)
        elif derivative == "previous":
            g = delta * (1 - h_prev**2)
        elif derivative == "linear":
            g = delta * (1 - h_t)
        else:  # no derivative at all
            g = delta
        if prev_state == "current":
            multiplier = h_t
        elif prev_state == "wrapped" and t == 0:
            multiplier = hs[:, -1]  # hs[:, t - 1] with t = 0
        else:
            multiplier = h_prev
        dW_xh += x[:, t].T @ g
        dW_hh += multiplier.T @ g
        db_h += g.sum(axis=0)
        dx[:, t] = g @ W_xh.T
        delta = g @ (W_hh.T if transpose_hh else W_hh) if carry else dh_last
    return dW_xh, dW_hh, db_h, dx


_BACKWARD_MISTAKES: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {"derivative": "none"},
        "the tanh derivative is missing: before using the gradient at step t, multiply it by "
        "(1 - h_t**2), the derivative of tanh written with the state h_t = tanh(a_t).",
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
        "backward, the gradient reaching h_{t-1} is (delta_t * (1 - h_t**2)) @ W_hh.T.",
    ),
    (
        {"last_step_only": True},
        "only the last time step contributes: the weights are shared by all T steps, so loop "
        "backwards over t = T-1, ..., 0 and add every step's contribution (+=) to dW_xh, dW_hh "
        "and db_h, carrying the gradient back with delta = g @ W_hh.T.",
    ),
    (
        {"carry": False},
        "every step starts again from dh_last: the gradient that reaches h_{t-1} must be carried "
        "back, delta = (delta * (1 - h_t**2)) @ W_hh.T, and used at the next (earlier) step.",
    ),
    (
        {"prev_state": "current"},
        "dW_hh uses the wrong state (off by one): at step t the recurrent weights multiply the "
        "previous state, so add h_{t-1}.T @ g_t, with h0 at t = 0, not h_t.T @ g_t.",
    ),
    (
        {"prev_state": "wrapped"},
        "at t = 0 you used hs[:, t - 1], which is hs[:, -1], the LAST state (Python wraps "
        "negative indices): the state before step 0 is h0.",
    ),
)

_BACKWARD_SHAPE_HINTS = {
    "dW_xh": "dW_xh has the shape of W_xh, (D, H): sum x_t.T @ g_t over time, (D, B) @ (B, H).",
    "dW_hh": "dW_hh has the shape of W_hh, (H, H): sum h_{t-1}.T @ g_t over time.",
    "db_h": "db_h has the shape of b_h, (H,): sum g_t over the batch (axis 0) and over time.",
    "dx": "dx has the shape of x, (B, T, D): dx[:, t] = g_t @ W_xh.T is (B, H) @ (H, D).",
}


def _backward_advice(exc: Exception) -> str:
    if "matmul" in str(exc) or "shapes" in str(exc) or "align" in str(exc):
        return (
            f"Check the shapes: x is (B, T, D) = ({B}, {T}, {D}), W_xh is (D, H) = ({D}, {H}), "
            f"W_hh is (H, H), dh_last is (B, H) = ({B}, {H}). With g_t = delta_t * (1 - h_t**2) "
            "of shape (B, H): dx[:, t] = g_t @ W_xh.T, delta_{t-1} = g_t @ W_hh.T, "
            "dW_xh += x[:, t].T @ g_t, dW_hh += h_{t-1}.T @ g_t."
        )
    return "Read the message above: it names the line that failed."


@exercise_check("rnn_backward")
def rnn_backward(learner: Callable[..., Any]) -> str:
    """Check `rnn_backward(x, h0, W_xh, W_hh, b_h, dh_last) -> (dW_xh, dW_hh, db_h, dx)`.

    x (B, T, D), h0 (B, H), W_xh (D, H), W_hh (H, H), b_h (H,), dh_last (B, H) = dL/dh_T, the
    gradient of a loss that depends on the last state only. The function recomputes the forward
    pass and returns the gradients of that loss: dW_xh (D, H), dW_hh (H, H), db_h (H,) and
    dx (B, T, D). Prints one line; returns True when it passes.
    """
    cases = 0
    for seed, batch in ((5, B), (6, 2)):
        x, h0, dh_last = random_inputs(seed, (batch, T, D), (batch, H), (batch, H), scale=1.0)
        W_xh, W_hh, b_h = random_inputs(seed + 20, (D, H), (H, H), (H,), scale=0.6)
        args = (x, h0, W_xh, W_hh, b_h, dh_last)
        result = call(learner, *args, on_error=_backward_advice)
        if not isinstance(result, tuple | list) or len(result) != 4:
            raise Hint(
                "expected four results, `return dW_xh, dW_hh, db_h, dx`; got "
                + type(result).__name__
                + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
            )
        shapes = {"dW_xh": (D, H), "dW_hh": (H, H), "db_h": (H,), "dx": (batch, T, D)}
        if tuple(np.shape(r) for r in result) == ((H, H), (D, H), (H,), (batch, T, D)):
            raise Hint("dW_xh and dW_hh are swapped: return dW_xh, dW_hh, db_h, dx in that order.")
        got = [
            expect_array(value, name, shape, _BACKWARD_SHAPE_HINTS[name])
            for value, (name, shape) in zip(result, shapes.items(), strict=True)
        ]
        expected = _backward(*args)
        if all(close(g, e) for g, e in zip(got, expected, strict=True)):
            cases += 1
            continue
        for switches, hint in _BACKWARD_MISTAKES:
            wrong = _backward(*args, **switches)
            if all(close(g, w) for g, w in zip(got, wrong, strict=True)):
                raise Hint(hint)
        for name, g, e in zip(shapes, got, expected, strict=True):
            mistakes = [
                (_backward(*args, **switches)[list(shapes).index(name)], hint)
                for switches, hint in _BACKWARD_MISTAKES
            ]
            expect_close(g, e, name, mistakes)
    return (
        f"dW_xh, dW_hh, db_h and dx match backpropagation through time on {cases} batches "
        f"(T={T} steps)."
    )


# --------------------------------------------------------------------------- spectral_radius


def _rotation(angle: float, scale: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return scale * np.array([[c, -s], [s, c]])


def _test_matrices() -> list[np.ndarray]:
    """Matrices on which every catalogued mistake gives a different answer from the radius."""
    rng = np.random.default_rng(7)
    return [
        np.array([[-0.9, 2.0], [0.0, 0.5]]),  # dominant eigenvalue negative, non-normal
        _rotation(np.pi / 3, 0.8),  # complex eigenvalues 0.8 exp(+-i pi/3)
        0.45 * rng.standard_normal((6, 6)),  # a random recurrent matrix
        np.array([[1.2, 0.3, 0.0], [0.0, -0.4, 0.1], [0.2, 0.0, 0.7]]),
    ]


_RADIUS_MISTAKES: tuple[tuple[Callable[[np.ndarray], float], str], ...] = (
    (
        lambda W: np.linalg.norm(W, 2),
        "you computed the largest singular value (the spectral norm, np.linalg.norm(W, 2)). It "
        "bounds the growth of one step, but the spectral radius is the largest |eigenvalue|: "
        "np.abs(np.linalg.eigvals(W)).max(). The two differ for non-symmetric matrices.",
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


@exercise_check("spectral_radius")
def spectral_radius(learner: Callable[..., Any]) -> str:
    """Check `spectral_radius(W) -> float`: the largest modulus |lambda| of the eigenvalues of the
    square matrix W. Prints one line; returns True when it passes.
    """
    matrices = _test_matrices()
    got = []
    for W in matrices:
        value = call(learner, W)
        if value is None:
            raise Hint("spectral_radius returned None: did you forget the `return` statement?")
        if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
            raise Hint(
                "you returned a TensorFlow tensor; this exercise is written in NumPy "
                "(np.linalg.eigvals), or convert with float(...)"
            )
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if np.iscomplexobj(value):
            raise Hint(
                "you returned a complex number: eigenvalues can be complex, and the radius is "
                "the largest modulus, np.abs(eigenvalues).max(), a real number."
            )
        if np.ndim(value) != 0:
            raise Hint(
                f"you returned an array of shape {np.shape(value)}, one number per eigenvalue? "
                "Return a single number: the largest |eigenvalue|."
            )
        if isinstance(value, bool) or not isinstance(value, numbers.Real | np.number):
            raise Hint(f"you returned {type(value).__name__}; return a float")
        got.append(float(value))
    expected = [float(np.abs(np.linalg.eigvals(W)).max()) for W in matrices]
    if close(got, expected):
        return f"correct on {len(matrices)} matrices, including complex and negative eigenvalues."
    for mistake, hint in _RADIUS_MISTAKES:
        if close(got, [mistake(W) for W in matrices]):
            raise Hint(hint)
    wrong = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not close(g, e))
    raise Hint(
        f"for the matrix {np.round(matrices[wrong], 2).tolist()} you returned {got[wrong]:.4g}, "
        f"expected {expected[wrong]:.4g}: the largest |eigenvalue|, np.abs(np.linalg.eigvals(W))"
        ".max()"
    )


# --------------------------------------------------------------------------- clip_by_global_norm


def _global_norm(grads: Sequence[np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.sum(g**2)) for g in grads)))


def _clip_reference(grads, clip_norm):
    norm = _global_norm(grads)
    scale = clip_norm / max(norm, clip_norm)
    return [g * scale for g in grads], norm


def _clip_per_tensor(grads, clip_norm):
    clipped = [g * clip_norm / max(float(np.linalg.norm(g)), clip_norm) for g in grads]
    return clipped, _global_norm(grads)


def _clip_always(grads, clip_norm):
    norm = _global_norm(grads)
    return [g * clip_norm / norm for g in grads], norm


def _clip_sum_of_norms(grads, clip_norm):
    norm = sum(float(np.linalg.norm(g)) for g in grads)
    return [g * clip_norm / max(norm, clip_norm) for g in grads], norm


def _clip_norm_after(grads, clip_norm):
    clipped, norm = _clip_reference(grads, clip_norm)
    return clipped, min(norm, clip_norm)


def _clip_squared_norm(grads, clip_norm):
    squared = _global_norm(grads) ** 2
    return [g * clip_norm / max(squared, clip_norm) for g in grads], squared


def _clip_unit(grads, clip_norm):
    norm = _global_norm(grads)
    return [g / norm if norm > clip_norm else g for g in grads], norm


def _clip_values(grads, clip_norm):
    return [np.clip(g, -clip_norm, clip_norm) for g in grads], _global_norm(grads)


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
        "np.sum(g**2)), the norm of all entries seen as one long vector.",
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
        "you scaled the gradients to norm 1 (g / global_norm); they must end with norm "
        "clip_norm: multiply by clip_norm / global_norm.",
    ),
    (
        _clip_values,
        "you clipped every entry to [-clip_norm, clip_norm] (that is Keras's `clipvalue`), "
        "which changes the direction of the gradient; scale all tensors by one factor instead.",
    ),
)


def _clip_cases() -> list[tuple[list[np.ndarray], float]]:
    rng = np.random.default_rng(11)
    big = [
        np.array([[3.0, 0.0, 4.0], [0.0, 0.0, 0.0]]),
        rng.standard_normal(4) * 0.2,
        np.array([12.0, 0.0, 0.5]),
    ]
    small = [0.1 * rng.standard_normal((3, 2)), 0.1 * rng.standard_normal(5)]
    return [(big, 2.5), (small, 4.0), ([np.array([6.0, 8.0])], 1.5)]


@exercise_check("clip_by_global_norm")
def clip_by_global_norm(learner: Callable[..., Any]) -> str:
    """Check `clip_by_global_norm(grads, clip_norm) -> (clipped, global_norm)`.

    grads is a list of NumPy arrays (one per weight tensor); clipped is a list of arrays of the
    same shapes, all scaled by clip_norm / max(global_norm, clip_norm); global_norm is the
    float sqrt(sum of every squared entry of every tensor), computed BEFORE clipping, as
    tf.clip_by_global_norm returns it. Prints one line; returns True when it passes.
    """
    for case, (grads, clip_norm) in enumerate(_clip_cases()):
        result = call(learner, [g.copy() for g in grads], clip_norm)
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
            )
        clipped = [
            expect_array(c, f"clipped[{i}]", g.shape, "each clipped tensor keeps its shape.")
            for i, (c, g) in enumerate(zip(clipped_raw, grads, strict=True))
        ]
        if isinstance(norm_raw, list | tuple):
            raise Hint(f"global_norm is a Python {type(norm_raw).__name__}; return one number.")
        if np.isscalar(norm_raw) and not isinstance(norm_raw, str):
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
                f"clipped[{i}] (case {case + 1}: global norm {expected_norm:.3g} {where} "
                f"clip_norm {clip_norm})",
            )
        raise Hint(
            f"the clipped tensors are right but global_norm is {norm:.5g}; expected "
            f"{expected_norm:.5g}, sqrt of the sum of all squared entries, before clipping."
        )
    return (
        "matches tf.clip_by_global_norm's rule: above and below the threshold, one tensor or many."
    )
