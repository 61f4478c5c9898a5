"""The machinery every exercise check uses: calling the learner's code, judging what it returns,
and turning a failure into one actionable line.

A check is a function decorated with `@exercise_check("name")`. Its body calls the learner's
function through `call`, validates results with `expect_array` / `expect_close` /
`expect_integer` / `expect_finite`, and raises `Hint` with a specific message when something is
wrong. The decorator prints one line and returns a bool; no exception and no NumPy warning ever
leaves a check.
"""

from __future__ import annotations

import copy
import functools
import inspect
import linecache
import numbers
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

PASS = "✅"
FAIL = "❌"
TODO = "⏳"

#: float32-friendly tolerances used by every numeric comparison.
ATOL = 1e-5
RTOL = 1e-4

#: Frames from files under this folder belong to the course package, not to the learner.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


class Hint(Exception):
    """Raised inside a check: the learner's answer is wrong, and the message says how."""


class NotImplementedYet(Exception):
    """Raised inside a check when the learner's function still raises NotImplementedError."""


def exercise_check(name: str) -> Callable[[Callable[..., str]], Callable[..., bool]]:
    """Decorate a check body; the wrapped check prints one line and returns True when it passes.

    The body returns a short success message or raises `Hint` / `NotImplementedYet`. Any other
    exception (a bug the learner's return value exposed in the check's own arithmetic) is
    reported as a failed check too, and NumPy's floating-point warnings are silenced throughout.
    """

    def decorate(body: Callable[..., str]) -> Callable[..., bool]:
        @functools.wraps(body)
        def wrapper(learner_fn: Any, *args: Any, **kwargs: Any) -> bool:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)
                    if not callable(learner_fn):
                        raise Hint(
                            f"expected your function {name}, got {type(learner_fn).__name__}: "
                            f"pass the function itself, checks.{name}({name}), without calling it"
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
            except Exception as exc:  # never let the check itself raise at the learner
                print(
                    f"{FAIL} {name}: your function's result could not be judged "
                    f"({type(exc).__name__}: {exc}); return the type and shape that the "
                    "exercise's docstring asks for"
                )
                return False
            print(f"{PASS} {name}: {message}")
            return True

        return wrapper

    return decorate


def _copy(value: Any) -> Any:
    """Return a deep copy of data (arrays, lists, tuples, dicts, sets); anything else as it is.

    Models, tensors and functions are passed unchanged: copying them would be slow or wrong.
    """
    if isinstance(value, np.ndarray | list | tuple | dict | set):
        try:
            return copy.deepcopy(value)
        except Exception:
            return value
    return value


def _same(a: Any, b: Any) -> bool:
    """Return True when `a` (the pristine copy) still equals `b` (what the learner was given)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        return a_arr.shape == b_arr.shape and bool(np.array_equal(a_arr, b_arr, equal_nan=True))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return True


def _parameter_names(fn: Callable[..., Any], count: int) -> list[str]:
    """Return names for the first `count` positional parameters of `fn` ("argument 1" if unknown)."""
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(count)]


def _learner_file(filename: str) -> bool:
    """Return True when `filename` holds the learner's code (a notebook cell or their own file).

    Frames of the course package, the standard library, installed packages and compiled
    extensions (NumPy's `.pyx` sources, `<frozen ...>`) are not the learner's.
    """
    if filename.startswith("<"):
        return filename.startswith(("<ipython", "<string>"))
    if filename.endswith((".pyx", ".pxd", ".pxi")) or "site-packages" in filename:
        return False
    path = Path(filename)
    if not path.is_absolute():
        return False
    path = path.resolve()
    system = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return not path.is_relative_to(_PACKAGE_DIR) and not any(
        path.is_relative_to(root / "lib") for root in system
    )


def learner_line(exc: BaseException) -> str:
    """Return "line N of your code: `source`" for the last frame of `exc` outside the package.

    That is the line of the learner's code that raised (or called what raised); "" when every
    frame belongs to the course package or the source is unknown.
    """
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not _learner_file(frame.filename):
            continue
        source = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
        where = f"line {frame.lineno} of your code"
        if frame.name not in ("<module>", "<lambda>"):
            where += f" (in {frame.name})"
        return f"{where}: `{source}`" if source else where
    return ""


def call(
    fn: Callable[..., Any],
    *args: Any,
    on_error: Callable[[Exception], str] | None = None,
    where: str = "",
) -> Any:
    """Call the learner's `fn` on deep copies of `args` and return its result.

    The check's own arguments are never changed: `fn` works on copies, and a function that
    modified one of them in place gets a `Hint` saying which. NotImplementedError becomes
    `NotImplementedYet`; any other exception becomes a `Hint` naming it and the learner's line
    that raised, extended by `on_error(exc)` when that gives advice for this exercise. `where`
    (the check's case, e.g. "on a batch of 3 rows: ") is prefixed to the hint.
    """
    try:
        return _call(fn, args, on_error)
    except Hint as hint:
        if not where:
            raise
        raise Hint(where + str(hint)) from hint


def _call(
    fn: Callable[..., Any], args: tuple[Any, ...], on_error: Callable[[Exception], str] | None
) -> Any:
    pristine = [_copy(a) for a in args]
    given = [_copy(a) for a in args]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            result = fn(*given)
    except NotImplementedError as exc:
        raise NotImplementedYet from exc
    except Exception as exc:  # the learner's code failed: explain, don't crash
        advice = on_error(exc) if on_error else ""
        where = learner_line(exc)
        text = f"your function raised {type(exc).__name__}: {exc}"
        if where:
            text += f" at {where}"
        raise Hint(f"{text}. {advice}".strip()) from exc
    for index, (before, after) in enumerate(zip(pristine, given, strict=True)):
        if not _same(before, after):
            name = _parameter_names(fn, len(args))[index]
            raise Hint(
                f"your function changed its input `{name}` in place; compute a new value "
                f"(for example `{name} = {name} * 2` or np.copy) instead of writing into it "
                "(`+=`, `[...] =`, `.append`), because the caller still needs the original"
            )
    return result


def expect_finite(value: Any, what: str) -> np.ndarray:
    """Return `value` as a float64 array after checking that it is numeric and finite.

    NaN and infinity get a `Hint` saying where the first one is and what usually produces it.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise Hint(f"{what} has type {type(value).__name__}; expected numbers") from exc
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if array.ndim else ()
        kind = "NaN" if np.isnan(array[first] if array.ndim else array) else "infinity"
        where = f" at index {first}" if array.ndim else ""
        raise Hint(
            f"{what} contains {kind}{where}: an overflow (exp of a large number), a division "
            "by zero or log(0) in your code"
        )
    return array


def expect_array(value: Any, what: str, shape: Sequence[int], shape_hint: str = "") -> np.ndarray:
    """Return `value` as a finite float64 NumPy array after checking its type and shape.

    Lists, TensorFlow tensors, None, NaN and infinity get a friendly `Hint`; a wrong shape names
    the expected shape and appends `shape_hint` (the likely mistake for this exercise).
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
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise Hint(f"{what} has dtype {array.dtype}; expected numbers")
    return expect_finite(array, what)


def close(a: Any, b: Any) -> bool:
    """Return True when `a` and `b` agree within the float32 tolerances of the course."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
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
    got_arr = np.asarray(got, dtype=np.float64)
    expected_arr = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != expected_arr.shape:
        raise Hint(f"{what} has shape {got_arr.shape} but expected {expected_arr.shape}")
    with np.errstate(all="ignore"):
        diff = np.abs(got_arr - expected_arr)
    if not np.isfinite(diff).all():
        expect_finite(got_arr, what)
    where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    raise Hint(
        f"{what} has the right shape but wrong values: largest difference "
        f"{float(diff[where]):.3g} at index {tuple(int(i) for i in where)} "
        f"(got {float(got_arr[where]):.5g}, expected {float(expected_arr[where]):.5g})"
    )


def expect_integer(value: Any, what: str) -> int:
    """Return `value` as an int, or raise `Hint` when it is not a finite whole number."""
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Hint(f"{what} has type {type(value).__name__}; return a whole number (an int)")
    if not np.isfinite(float(value)):
        raise Hint(f"{what} is {value}; return a finite whole number (an int)")
    if float(value) != int(value):
        raise Hint(f"{what} is {value}, not a whole number: parameters are counted, not measured")
    return int(value)


def sigmoid(a: Any) -> np.ndarray:
    """Return the logistic function 1 / (1 + exp(-a)) elementwise, without overflow warnings."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(a, dtype=np.float64)))


def random_inputs(seed: int, *shapes: Sequence[int], scale: float = 0.5) -> list[np.ndarray]:
    """Return float32 arrays of the given shapes drawn from N(0, scale^2) with a fixed seed."""
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(shape)).astype(np.float32) for shape in shapes]
