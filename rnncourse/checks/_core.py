"""The machinery every exercise check uses: calling the learner's code, judging what it returns,
and turning a failure into one actionable line.

A check is a function decorated with `@exercise_check("name")`. Its body calls the learner's
function through `call`, validates results with `expect_array` / `expect_close`, and raises `Hint`
with a specific message when something is wrong. The decorator prints one line and returns a bool.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

PASS = "✅"
FAIL = "❌"
TODO = "⏳"

#: float32-friendly tolerances used by every numeric comparison.
ATOL = 1e-5
RTOL = 1e-4


class Hint(Exception):
    """Raised inside a check: the learner's answer is wrong, and the message says how."""


class NotImplementedYet(Exception):
    """Raised inside a check when the learner's function still raises NotImplementedError."""


Mistake = tuple[Callable[..., Any], str]


def exercise_check(name: str) -> Callable[[Callable[..., str]], Callable[..., bool]]:
    """Decorate a check body; the wrapped check prints one line and returns True when it passes.

    The body returns a short success message or raises `Hint` / `NotImplementedYet`.
    """

    def decorate(body: Callable[..., str]) -> Callable[..., bool]:
        @functools.wraps(body)
        def wrapper(learner_fn: Any, *args: Any, **kwargs: Any) -> bool:
            try:
                if not callable(learner_fn):
                    raise Hint(
                        f"expected your function {name}, got {type(learner_fn).__name__}: pass "
                        f"the function itself, checks.{name}({name}), without calling it"
                    )
                message = body(learner_fn, *args, **kwargs)
            except NotImplementedYet:
                print(
                    f"{TODO} {name}: not implemented yet. Replace `raise NotImplementedError()` "
                    "with your code, run that cell, then run this check again."
                )
                return False
            except Hint as hint:
                print(f"{FAIL} {name}: {hint}")
                return False
            print(f"{PASS} {name}: {message}")
            return True

        return wrapper

    return decorate


def call(
    fn: Callable[..., Any], *args: Any, on_error: Callable[[Exception], str] | None = None
) -> Any:
    """Call the learner's `fn` on copies of `args` and return its result.

    NotImplementedError becomes `NotImplementedYet`; any other exception becomes a `Hint` naming
    it, extended by `on_error(exc)` when that gives advice for this exercise.
    """
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        return fn(*copies)
    except NotImplementedError as exc:
        raise NotImplementedYet from exc
    except Exception as exc:  # the learner's code failed: explain, don't crash
        advice = on_error(exc) if on_error else ""
        text = f"your function raised {type(exc).__name__}: {exc}"
        raise Hint(f"{text}. {advice}".strip()) from exc


def expect_array(value: Any, what: str, shape: Sequence[int], shape_hint: str = "") -> np.ndarray:
    """Return `value` as a float NumPy array after checking its type and shape.

    Lists, TensorFlow tensors and None get a friendly `Hint`; a wrong shape names the expected
    shape and appends `shape_hint` (the likely mistake for this exercise).
    """
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, list | tuple):
        raise Hint(
            f"{what} is a Python {type(value).__name__}; return a NumPy array "
            "(for example np.stack(...) or np.asarray(...))"
        )
    if not isinstance(value, np.ndarray) and hasattr(value, "numpy"):
        raise Hint(
            f"{what} is a TensorFlow tensor; this exercise is written in NumPy: use NumPy "
            "operations (np.tanh, @), or convert with .numpy()"
        )
    if not isinstance(value, np.ndarray | np.generic):
        raise Hint(f"{what} has type {type(value).__name__}; expected a NumPy array")
    array = np.asarray(value)
    if array.shape != tuple(shape):
        message = f"{what} has shape {array.shape} but expected {tuple(shape)}"
        raise Hint(f"{message}: {shape_hint}" if shape_hint else message)
    if not np.issubdtype(array.dtype, np.number):
        raise Hint(f"{what} has dtype {array.dtype}; expected numbers")
    return array.astype(np.float64)


def close(a: Any, b: Any) -> bool:
    """Return True when `a` and `b` agree within the float32 tolerances of the course."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=ATOL, rtol=RTOL))


def expect_close(
    got: np.ndarray,
    expected: np.ndarray,
    what: str,
    mistakes: Sequence[tuple[np.ndarray, str]] = (),
) -> None:
    """Raise `Hint` unless `got` matches `expected`.

    `mistakes` pairs the output of a known wrong implementation with its hint: when `got`
    matches one of them, that hint is the message. Otherwise the message gives the largest
    difference and where it is.
    """
    if close(got, expected):
        return
    for wrong, hint in mistakes:
        if close(got, wrong):
            raise Hint(hint)
    diff = np.abs(np.asarray(got, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    where = np.unravel_index(int(np.nanargmax(diff)) if np.isfinite(diff).any() else 0, diff.shape)
    raise Hint(
        f"{what} has the right shape but wrong values: largest difference "
        f"{float(np.nanmax(diff)):.3g} at index {tuple(int(i) for i in where)} "
        f"(got {float(np.asarray(got)[where]):.5g}, expected {float(np.asarray(expected)[where]):.5g})"
    )


def expect_integer(value: Any, what: str) -> int:
    """Return `value` as an int, or raise `Hint` when it is not a whole number."""
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Hint(f"{what} has type {type(value).__name__}; return a whole number (an int)")
    if float(value) != int(value):
        raise Hint(f"{what} is {value}, not a whole number: parameters are counted, not measured")
    return int(value)


def random_inputs(seed: int, *shapes: Sequence[int], scale: float = 0.5) -> list[np.ndarray]:
    """Return float32 arrays of the given shapes drawn from N(0, scale^2) with a fixed seed."""
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(shape)).astype(np.float32) for shape in shapes]
