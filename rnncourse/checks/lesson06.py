"""Checks for lesson 06, "Character-level text generation": sample_with_temperature, generate.

Conventions: logits are unnormalised scores, one row of V scores per example, shape (V,) or
(B, V). A temperature T >= 0 turns a row into the probabilities softmax(logits / T); T = 0 is the
limit T -> 0, the argmax. Generation drives a model through `step(ids, states) -> (logits,
states)`: ids (1, L), a batch of one sequence of L character ids; logits (1, L, V), the scores for
the character after each position; states None (the zero initial state) or what the previous
call returned, so that each new character costs one step of the recurrence.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnncourse.checks._core import Hint, NotImplementedYet, call, exercise_check

__all__ = ["generate", "sample_with_temperature"]


# --------------------------------------------------------------------------- sample_with_temperature

#: The test logits: positive (so that "logits used as probabilities" gives a valid distribution to
#: recognise) and spread so that at T = 0.5, 1 and 2 the right distribution and every catalogued
#: mistake differ by more than 0.2 in some probability.
_LOGITS = np.array([2.0, 4.0, 1.8, 1.5, 1.2])
V = len(_LOGITS)
#: Rows per half of a statistical batch: `_HALF` rows of _LOGITS, then `_HALF` rows reversed.
_HALF = 2000
#: softmax must subtract the row maximum: exp(1000) overflows to inf, and inf / inf is nan.
_LARGE = 1000.0
#: Rows of different logits for the shape and T = 0 tests, each with its own argmax.
_ROWS = np.stack([_LOGITS, _LOGITS[::-1], np.roll(_LOGITS, -1), np.roll(_LOGITS, 2)])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _batch(shift: float = 0.0) -> np.ndarray:
    """Return the (2 * _HALF, V) float32 batch: _HALF rows of _LOGITS, then _HALF reversed."""
    halves = np.repeat(np.stack([_LOGITS, _LOGITS[::-1]]), _HALF, axis=0)
    return (halves + shift).astype(np.float32)


def _tolerance(probs: np.ndarray, n: int, margin: float) -> np.ndarray:
    """Accepted |frequency - probability| for n draws: 5 standard deviations plus a margin.

    A correct sampler's count is Binomial(n, p): it leaves 5 standard deviations with
    probability below 6e-7 per index, so the 40 comparisons of the check fail a correct
    sampler less than once in 40,000 seeds (and the seeds are fixed: never, once it passes).
    The catalogued mistakes are more than 0.2 away, over 15 standard deviations.
    """
    return 5.0 * np.sqrt(probs * (1.0 - probs) / n) + margin


def _fits(freqs: np.ndarray, probs: np.ndarray, n: int, margin: float = 0.005) -> bool:
    return bool(np.all(np.abs(freqs - probs) <= _tolerance(probs, n, margin)))


def _frequencies(samples: np.ndarray) -> np.ndarray:
    """Return (2, V): how often each index was drawn in the first half and the second half."""
    halves = samples.reshape(2, _HALF)
    return np.stack([np.bincount(h, minlength=V)[:V] / _HALF for h in halves])


_TEMPERATURE_IGNORED = (
    "the temperature has no effect: your samples follow softmax(logits) at every temperature. "
    "Divide the logits by the temperature BEFORE the softmax, softmax(logits / temperature) "
    "(dividing the probabilities by T and renormalising cancels T)."
)
_TEMPERATURE_MULTIPLIED = (
    "you multiplied the logits by the temperature (or raised the probabilities to the power T): "
    "a high temperature then sharpens the distribution instead of flattening it. Divide: "
    "softmax(logits / temperature)."
)
_ALWAYS_ARGMAX = (
    "you always return the most likely index, even for temperature > 0: that is greedy decoding. "
    "Draw at random from p = softmax(logits / temperature), e.g. rng.choice(V, p=p) for a row, "
    "and keep np.argmax for temperature == 0 only."
)
_LOGITS_AS_PROBABILITIES = (
    "the logits are not probabilities: your samples are proportional to the logits themselves. "
    "Logits are unnormalised scores (any real numbers); turn them into probabilities with a "
    "softmax: e = np.exp(z - z.max(axis=-1, keepdims=True)); p = e / e.sum(axis=-1, keepdims=True)."
)
_OVERFLOW = (
    "large logits break your softmax: with logits near {large:g}, np.exp overflows to inf and "
    "inf / inf gives nan. Subtract the maximum of each row first, z = logits / temperature; "
    "z = z - z.max(axis=-1, keepdims=True): softmax(z - c) = softmax(z) for any constant c."
)
_SHARED_RANDOM = (
    "all the rows of the batch got the same sample, which changes with the seed: every row used "
    "the same random number. Draw one per row, e.g. u = rng.random((B, 1)) for the inverse CDF, "
    "or rng.gumbel(size=logits.shape) for the Gumbel-max trick."
)
_ZERO_TEMPERATURE = (
    "handle temperature == 0 separately: it is the limit T -> 0, where softmax(logits / T) puts "
    "all its mass on the largest logit, so return np.argmax(logits, axis=-1) without dividing "
    "(logits / 0 gives inf and nan, and a RuntimeWarning)."
)
_ZERO_IS_ALLOWED = (
    "temperature 0 is allowed, it means argmax (the limit T -> 0, greedy decoding): only a "
    "negative temperature (or nan) is an error. Test `if not temperature >= 0` to raise, then "
    "`if temperature == 0: return np.argmax(logits, axis=-1)`."
)
_NEGATIVE_ACCEPTED = (
    "a negative temperature was accepted: softmax(logits / T) with T < 0 favours the LEAST "
    'likely characters. Reject it: `if not temperature >= 0: raise ValueError(f"temperature '
    'must be >= 0, got {temperature}")`.'
)
_NAN_ACCEPTED = (
    "temperature=nan was accepted. NaN fails every comparison, so `if temperature < 0: raise` "
    "lets it through: write the test the other way round, `if not temperature >= 0: raise "
    "ValueError(...)`, which catches negative numbers and nan alike."
)
_NOT_REPRODUCIBLE = (
    "not reproducible: two calls with np.random.default_rng({seed}) gave different samples. Draw "
    "every random number from the rng argument (rng.random, rng.choice, rng.gumbel), never from "
    "np.random.* or a new np.random.default_rng(), so that a seed reproduces a generated text."
)
_RNG_IGNORED = (
    "you return the same samples for different seeds: your randomness does not come from the "
    "rng argument (a generator created inside the function, e.g. np.random.default_rng(0), "
    "ignores the one you are given). Use rng itself: rng.choice(...), rng.random(...)."
)

#: (distribution of a wrong sampler as a function of (logit rows, T), its hint), tried in order.
_DISTRIBUTION_MISTAKES: tuple[tuple[Callable[[np.ndarray, float], np.ndarray], str], ...] = (
    (lambda rows, t: _softmax(rows), _TEMPERATURE_IGNORED),
    (lambda rows, t: _softmax(rows * t), _TEMPERATURE_MULTIPLIED),
    (lambda rows, t: np.eye(V)[np.argmax(rows, axis=-1)], _ALWAYS_ARGMAX),
    (lambda rows, t: rows / rows.sum(axis=-1, keepdims=True), _LOGITS_AS_PROBABILITIES),
)


@dataclass
class _Outcome:
    """What one call of the learner's function gave: a result or an exception, and warnings."""

    result: Any = None
    error: Exception | None = None
    warnings: list[str] = field(default_factory=list)


def _attempt(learner: Callable[..., Any], logits: np.ndarray, temperature: float, seed) -> _Outcome:
    """Call learner(logits, temperature, rng) quietly: exceptions and warnings are recorded.

    A wrong function may divide by zero or overflow; its RuntimeWarnings are caught here and
    never printed (the T = 0 test reads them). NotImplementedError means a stub.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                result = learner(np.array(logits, copy=True), temperature, rng)
            except NotImplementedError as exc:
                raise NotImplementedYet from exc
            except Exception as exc:  # the learner's code failed: the check explains it
                error = exc
            else:
                error = None
    seen = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return _Outcome(None if error else result, error, seen)


def _describe(exc: BaseException) -> str:
    """Return "TypeName: message" on one line, without a final period."""
    text = " ".join(str(exc).split()).rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _raised(exc: BaseException, advice: str) -> str:
    """Return "your function raised X: message. Advice." with the advice as a sentence."""
    return f"your function raised {_describe(exc)}. {advice[:1].upper()}{advice[1:]}"


def _raised_in_numpy(exc: BaseException) -> bool:
    """Return True when `exc` was raised inside NumPy (not by a `raise` in the learner's code)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    parts = Path(tb.tb_frame.f_code.co_filename).parts
    return "numpy" in parts


def _numpy_advice(exc: Exception) -> str:
    """Advice for the errors NumPy's samplers raise on bad probabilities."""
    text = str(exc).lower()
    if "negative" in text and "probabilit" in text:
        return _LOGITS_AS_PROBABILITIES
    if "pvals" in text:
        return (
            "rng.multinomial rejects float32 probabilities whose sum rounds above 1: convert "
            "them to float64 and renormalise, p = p.astype(np.float64); p /= p.sum(), or use "
            "rng.choice(V, p=p)."
        )
    if "sum to 1" in text:
        return (
            "the probabilities must sum to 1 in every row. Logits are unnormalised scores, not "
            "probabilities: divide them by the temperature, then apply a softmax to each row, "
            "p = e / e.sum(axis=-1, keepdims=True)."
        )
    if "nan" in text:
        return (
            "your probabilities contain nan: compute the softmax as exp(z - max) / sum, with z = "
            "logits / temperature."
        )
    return "Read the message above: it names the line that failed."


def _single_index(value: Any) -> int:
    """Return the learner's answer for logits of shape (V,) as an int in range(V)."""
    what = "for logits of shape (V,), your result"
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        raise Hint(
            f"{what} is a TensorFlow tensor; this exercise is written in NumPy (np.exp, "
            "rng.choice), or convert with int(...)"
        )
    if isinstance(value, list | tuple):
        raise Hint(
            f"{what} is a Python {type(value).__name__}; for one row of logits return one int "
            "index, e.g. int(rng.choice(V, p=p))"
        )
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            probs = " (the probabilities?)" if value.shape == (V,) else ""
            raise Hint(
                f"{what} is an array of shape {value.shape}{probs}; for logits of shape (V,) = "
                f"({V},) return a single int index, e.g. int(rng.choice(V, p=p))"
            )
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real):
            raise Hint(
                f"{what} is the {type(value).__name__} {value!r}; return an int index in "
                f"range(V), e.g. int(...), not a float or a probability"
            )
        raise Hint(f"{what} has type {type(value).__name__}; return an int index in range(V)")
    index = int(value)
    if not 0 <= index < V:
        raise Hint(f"{what} is {index}, not an index in range(V) = range({V})")
    return index


def _row_indices(value: Any, rows: int) -> np.ndarray:
    """Return the learner's answer for logits of shape (rows, V) as an int array (rows,)."""
    what = f"for logits of shape (B, V) = ({rows}, {V}), your result"
    expected = f"an integer NumPy array of shape (B,) = ({rows},), one index per row"
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        raise Hint(
            f"{what} is a TensorFlow tensor; this exercise is written in NumPy, or convert "
            "with .numpy()"
        )
    if isinstance(value, list | tuple):
        raise Hint(f"{what} is a Python {type(value).__name__}; return {expected} (np.array(...))")
    if np.ndim(value) == 0 and isinstance(value, numbers.Number | np.generic | np.ndarray):
        raise Hint(
            f"{what} is a single number: your function handles one row of logits (V,) only. "
            f"Sample each row and return {expected}."
        )
    if not isinstance(value, np.ndarray):
        raise Hint(f"{what} has type {type(value).__name__}; return {expected}")
    if value.shape == (rows, 1):
        raise Hint(
            f"{what} has shape {value.shape}; return {expected}: drop the extra axis, e.g. "
            ".reshape(-1), or sample along axis=-1"
        )
    if value.shape == (rows, V):
        raise Hint(
            f"{what} has shape {value.shape}, the shape of the logits; return the sampled "
            f"indices, {expected}, not the probabilities"
        )
    if value.shape != (rows,):
        raise Hint(f"{what} has shape {value.shape}; return {expected}")
    if value.dtype == bool or not np.issubdtype(value.dtype, np.integer):
        raise Hint(
            f"{what} has dtype {value.dtype}; return integer indices (np.argmax and rng.choice "
            "give ints; or .astype(np.int64))"
        )
    bad = value[(value < 0) | (value >= V)]
    if bad.size:
        raise Hint(f"{what} holds {int(bad[0])}, not an index in range(V) = range({V})")
    return value.astype(np.int64)


def _batch_call(learner, logits, temperature, seed, advice: str = "") -> np.ndarray:
    """Call the learner on a batch and return its indices; failures become hints."""
    outcome = _attempt(learner, logits, temperature, seed)
    if outcome.error is not None:
        raise Hint(_raised(outcome.error, advice or _numpy_advice(outcome.error)))
    return _row_indices(outcome.result, len(logits))


def _judge_distribution(samples: np.ndarray, temperature: float) -> None:
    """Raise a Hint unless the samples of `_batch()` follow softmax(logits / temperature)."""
    rows = np.stack([_LOGITS, _LOGITS[::-1]])
    freqs = _frequencies(samples)
    expected = _softmax(rows / temperature)
    if _fits(freqs, expected, _HALF):
        return
    for distribution, hint in _DISTRIBUTION_MISTAKES:
        if _fits(freqs, distribution(rows, temperature), _HALF):
            raise Hint(hint)
    z = np.abs(freqs - expected) / _tolerance(expected, _HALF, 0.005)
    half, index = np.unravel_index(int(np.argmax(z)), z.shape)
    which = "the logits" if half == 0 else "the logits reversed"
    each_row = (
        " Each row must be sampled from its own logits."
        if _fits(freqs[0], expected[0], _HALF) != _fits(freqs[1], expected[1], _HALF)
        else ""
    )
    raise Hint(
        f"at temperature {temperature:g} the samples do not follow softmax(logits / "
        f"temperature): in the {_HALF} rows of {which} {np.round(rows[half], 2).tolist()}, index "
        f"{index} was drawn {100 * freqs[half, index]:.1f}% of the time, expected "
        f"{100 * expected[half, index]:.1f}%.{each_row}"
    )


def _check_zero_temperature(learner) -> None:
    for logits in (_LOGITS.copy(), _ROWS.astype(np.float32)):
        outcome = _attempt(learner, logits, 0.0, 0)
        if outcome.error is not None:
            error = outcome.error
            if isinstance(error, ValueError) and not _raised_in_numpy(error):
                raise Hint(f"{_ZERO_IS_ALLOWED} (your function raised {_describe(error)})")
            raise Hint(f"{_ZERO_TEMPERATURE} Your function raised {_describe(error)}.")
        if outcome.warnings:
            raise Hint(f"{_ZERO_TEMPERATURE} Yours warned: {outcome.warnings[0]}.")
        if logits.ndim == 2 and np.ndim(outcome.result) == 0:
            raise Hint(
                "at temperature 0 you returned one number for a batch of logits (B, V): "
                "np.argmax(logits) without an axis flattens the array; use np.argmax(logits, "
                "axis=-1), one index per row."
            )
        if logits.ndim == 1:
            got, want = _single_index(outcome.result), int(np.argmax(logits))
        else:
            got, want = _row_indices(outcome.result, len(logits)), np.argmax(logits, axis=-1)
        if not np.array_equal(got, want):
            raise Hint(
                f"{_ZERO_TEMPERATURE} At temperature 0 you returned {np.asarray(got).tolist()}, "
                f"expected the argmax {np.asarray(want).tolist()}."
            )


def _check_invalid_temperatures(learner) -> None:
    for temperature, accepted in ((-1.0, _NEGATIVE_ACCEPTED), (math.nan, _NAN_ACCEPTED)):
        outcome = _attempt(learner, _LOGITS.copy(), temperature, 0)
        error = outcome.error
        if error is None:
            raise Hint(accepted)
        if not isinstance(error, ValueError):
            extra = (
                " (asserts are skipped under python -O)"
                if isinstance(error, AssertionError)
                else ""
            )
            raise Hint(
                f"for temperature={temperature} your function raised {_describe(error)}; raise "
                f"ValueError for an invalid temperature{extra}: `if not temperature >= 0: raise "
                'ValueError(f"temperature must be >= 0, got {temperature}")`.'
            )
        if _raised_in_numpy(error):
            raise Hint(
                f"{accepted} (Here NumPy raised {_describe(error)} further on, by accident: "
                "check the temperature yourself, first.)"
            )
        if not str(error).strip():
            raise Hint(
                "give the ValueError a message that says what is wrong, e.g. "
                'ValueError(f"temperature must be >= 0, got {temperature}")'
            )


def _check_rows_are_independent(learner) -> None:
    """Rows of identical logits must get independent samples (one random number per row)."""
    logits = np.repeat(_LOGITS[None], 64, axis=0).astype(np.float32)
    draws = [_batch_call(learner, logits, 2.0, seed) for seed in (21, 22, 23, 24, 25)]
    if all(len(set(d.tolist())) == 1 for d in draws) and len({int(d[0]) for d in draws}) > 1:
        raise Hint(_SHARED_RANDOM)


def _check_reproducible(learner) -> None:
    logits = np.concatenate([_ROWS] * 16).astype(np.float32)
    first = _batch_call(learner, logits, 1.0, 11)
    again = _batch_call(learner, logits, 1.0, 11)
    if not np.array_equal(first, again):
        raise Hint(_NOT_REPRODUCIBLE.format(seed=11))
    other = _batch_call(learner, logits, 1.0, 12)
    if np.array_equal(first, other):
        raise Hint(_RNG_IGNORED)


def _check_single_rows(learner) -> None:
    """A few hundred calls with logits of shape (V,): the 1-D path samples softmax(logits)."""
    n = 300
    rng = np.random.default_rng(5)
    draws = []
    for _ in range(n):
        outcome = _attempt(learner, _LOGITS.copy(), 1.0, rng)
        if outcome.error is not None:
            raise Hint(f"your function raised {_describe(outcome.error)} on logits of shape (V,)")
        draws.append(_single_index(outcome.result))
    freqs = np.bincount(draws, minlength=V) / n
    expected = _softmax(_LOGITS)
    if not _fits(freqs, expected, n, margin=0.01):
        index = int(np.argmax(np.abs(freqs - expected)))
        raise Hint(
            f"your batches are right, but for logits of shape (V,) at temperature 1 index "
            f"{index} was drawn {100 * freqs[index]:.0f}% of the time in {n} calls, expected "
            f"{100 * expected[index]:.0f}%: check the code path for a single row."
        )
    rng = np.random.default_rng(5)
    again = [_single_index(_attempt(learner, _LOGITS.copy(), 1.0, rng).result) for _ in range(30)]
    if again != draws[:30]:
        raise Hint(_NOT_REPRODUCIBLE.format(seed=5) + " (single rows of shape (V,))")


@exercise_check("sample_with_temperature")
def sample_with_temperature(learner: Callable[..., Any]) -> str:
    """Check `sample_with_temperature(logits, temperature, rng) -> int | np.ndarray`.

    logits: unnormalised scores, a NumPy float array of shape (V,) or (B, V). temperature: a
    float >= 0. rng: a `numpy.random.Generator`, the only source of randomness. Returns one int
    in range(V) for logits of shape (V,), and an integer NumPy array of shape (B,) for (B, V),
    one index per row drawn from softmax(row / temperature). temperature == 0 means argmax (no
    randomness, no division, no warning); temperature < 0 or nan raises ValueError. Large logits
    (1000.0) must work: subtract each row's maximum before np.exp. Prints one line; returns True
    when it passes.
    """
    first = _attempt(learner, _LOGITS.copy(), 1.0, 0)
    if first.error is not None:
        raise Hint(_raised(first.error, _numpy_advice(first.error)))
    _single_index(first.result)
    batch_advice = (
        "Your function works on one row of logits (V,) but not on a batch (B, V): sample each "
        "row, in a loop over the rows or along axis=-1 (softmax with axis=-1, keepdims=True)."
    )
    _batch_call(learner, _ROWS.astype(np.float32), 1.0, 0, advice=batch_advice)
    _check_rows_are_independent(learner)
    for seed, temperature in enumerate((1.0, 0.5, 2.0), start=1):
        _judge_distribution(_batch_call(learner, _batch(), temperature, seed), temperature)
    overflow = _OVERFLOW.format(large=_LARGE)
    try:  # the same test as at T = 1, shifted: any failure now comes from the large logits
        samples = _batch_call(learner, _batch(shift=_LARGE), 1.0, 4, advice=overflow)
        _judge_distribution(samples, 1.0)
    except Hint as hint:
        raise Hint(str(hint) if overflow in str(hint) else overflow) from None
    _check_zero_temperature(learner)
    _check_invalid_temperatures(learner)
    _check_reproducible(learner)
    _check_single_rows(learner)
    return (
        f"samples follow softmax(logits / T) at T = 0.5, 1 and 2 ({2 * _HALF} rows each), also "
        f"for logits near {_LARGE:g}; argmax at T = 0, ValueError for T < 0 and nan, "
        "reproducible with the rng given."
    )


# --------------------------------------------------------------------------- generate

#: Vocabulary of the toy model that the check drives the learner's loop with.
VOCAB = 11
_MOD = 1_000_000_007

#: (prime_ids, n_chars): the first case exercises every hint; prime as a list or a 1-D array.
_GENERATE_CASES: tuple[tuple[Sequence[int] | np.ndarray, int], ...] = (
    ([3, 1, 4, 1, 5, 9, 2, 6], 12),
    (np.array([7, 0]), 1),
    ([10], 6),
    ([2, 7, 1], 0),
)

_REREAD = (
    "call {call} of step fed {length} ids: after the prime, feed only the new character, shape "
    "(1, 1), and carry the state. Re-reading the whole context at every step costs O(n²) for n "
    "characters; with the state it is O(1) per character: logits, states = "
    "step(np.array([[next_id]]), states)."
)
_NOT_CARRIED = (
    "state not carried: call {call} of step got states=None, so the model starts again from a "
    "zero state and forgets the prime and everything generated. Pass back what the previous call "
    "returned: logits, states = step(np.array([[next_id]]), states)."
)
_PRIME_STATE_AGAIN = (
    "call {call} of step got the states returned by the prime, not the latest ones: update "
    "them at every step, logits, states = step(np.array([[next_id]]), states), so that each call "
    "continues from the previous one."
)
_OLD_STATE = (
    "call {call} of step got the states of an earlier call, not those of the previous call: "
    "always keep the latest, logits, states = step(..., states)."
)
_FED_ARGMAX = (
    "you fed back the argmax of the logits, not the id that sample returned: the next input is "
    "the character just sampled (that is what makes the text random), step(np.array([[next_id]]),"
    " states) with next_id = sample(logits[0, -1])."
)
_FED_PRIME_LAST = (
    "you fed the last id of the prime again instead of the id just sampled: the next input is "
    "next_id = sample(logits[0, -1]), step(np.array([[next_id]]), states)."
)
_FIRST_POSITION = (
    "you sampled from the logits of the first position, logits[0, 0]: they predict the "
    "character after the FIRST prime character. The prediction for the next character is at the "
    "last position, logits[0, -1]."
)
_WITH_PRIME = (
    "you returned the prime followed by the generated ids: return only the n_chars new ids, "
    "the ones sample returned (the caller already has the prime)."
)
_BATCH_OF_ONE = (
    "step got ids of shape {shape}; pass a batch of one sequence, shape (1, L): "
    "np.array([prime_ids]) for the prime, np.array([[next_id]]) for one character."
)
_BATCH_OF_COLUMNS = (
    "step got ids of shape {shape}, which is {rows} sequences of one character each; pass a "
    "batch of one, shape (1, L): np.array([prime_ids]), not a column."
)
_ONE_POSITION = (
    "sample got logits of shape {shape}; it takes the logits of one position, shape (V,) = "
    "({vocab},): logits[0, -1], the scores for the character after the last one fed."
)


class _Misuse(Exception):
    """Raised by the check's fake step or sample inside the learner's loop: the hint to show."""


class _State:
    """The toy model's recurrent state: opaque to the learner, like Keras's list of tensors."""

    __slots__ = ("digest", "length", "serial")

    def __init__(self, digest: int, length: int, serial: int) -> None:
        self.digest, self.length, self.serial = digest, length, serial

    def __repr__(self) -> str:
        return f"<states after {self.length} characters>"


def _scores(digest: int, length: int) -> np.ndarray:
    """The toy model's logits after a history summarised by (digest, length): V distinct floats."""
    seed = (digest * 1_000_003 + length * 97_409) % 2**32
    return (2.0 * np.random.default_rng(seed).standard_normal(VOCAB)).astype(np.float32)


def _advance(digest: int, length: int, ids: Sequence[int]) -> tuple[list[np.ndarray], int, int]:
    rows = []
    for i in ids:
        digest, length = (digest * 131 + int(i) + 1) % _MOD, length + 1
        rows.append(_scores(digest, length))
    return rows, digest, length


def _pick(row: np.ndarray) -> int:
    """The check's `sample`: the second most likely id, a choice that is never the argmax."""
    return int(np.argsort(row, kind="stable")[-2])


def _reference_generate(prime: Sequence[int], n_chars: int) -> list[int]:
    rows, digest, length = _advance(0, 0, prime)
    out: list[int] = []
    for _ in range(n_chars):
        out.append(_pick(rows[-1]))
        rows, digest, length = _advance(digest, length, out[-1:])
    return out


class _ToyModel:
    """A deterministic stand-in for a char-rnn whose logits depend on the whole history.

    Its `step` and `sample` check every call as it happens (shapes, which states object came in,
    which id was fed, which logits were sampled) and raise `_Misuse` with the hint.
    """

    def __init__(self, prime: Sequence[int]) -> None:
        self.prime = [int(i) for i in prime]
        self.states: list[_State] = []
        self.outputs: list[np.ndarray] = []  # the logits (L, V) of every step call
        self.fed = 0  # prime ids fed so far
        self.samples: list[int] = []
        self.sampled_rows: list[np.ndarray] = []
        self.sampled_since_step = False

    def _ids(self, ids: Any) -> list[int]:
        try:
            array = np.asarray(ids)
        except Exception as exc:
            raise _Misuse(f"step got ids it cannot read as an array ({_describe(exc)})") from exc
        if array.ndim == 0:
            raise _Misuse(_BATCH_OF_ONE.format(shape="() (a single number)"))
        if array.ndim == 1:
            raise _Misuse(_BATCH_OF_ONE.format(shape=array.shape))
        if array.ndim == 2 and array.shape[1] == 1 and array.shape[0] > 1:
            raise _Misuse(_BATCH_OF_COLUMNS.format(shape=array.shape, rows=array.shape[0]))
        if array.ndim != 2 or array.shape[0] != 1 or array.shape[1] == 0:
            raise _Misuse(_BATCH_OF_ONE.format(shape=array.shape))
        if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
            raise _Misuse(
                f"step got ids of dtype {array.dtype}; character ids are integers: "
                "np.array([[next_id]]) with next_id an int"
            )
        values = [int(i) for i in array[0]]
        if any(not 0 <= i < VOCAB for i in values):
            raise _Misuse(f"step got ids {values}: ids are indices in range(V) = range({VOCAB})")
        return values

    def step(self, ids: Any, states: Any = None) -> tuple[np.ndarray, _State]:
        values = self._ids(ids)
        number = len(self.states) + 1
        if number == 1:
            if states is not None:
                raise _Misuse(
                    "the first call of step must pass states=None, the zero initial state: "
                    "logits, states = step(np.array([prime_ids]), None)"
                )
        else:
            if len(values) > 1:
                raise _Misuse(_REREAD.format(call=number, length=len(values)))
            if states is None:
                raise _Misuse(_NOT_CARRIED.format(call=number))
            if states is not self.states[-1]:
                if states is self.states[0]:
                    raise _Misuse(_PRIME_STATE_AGAIN.format(call=number))
                if isinstance(states, _State):
                    raise _Misuse(_OLD_STATE.format(call=number))
                raise _Misuse(
                    f"call {number} of step got states of type {type(states).__name__}: pass back "
                    "exactly the states object that the previous call returned"
                )
        if self.fed < len(self.prime):
            expected = self.prime[self.fed : self.fed + len(values)]
            if values != expected:
                raise _Misuse(
                    f"step was first fed {values}, but the prime is {self.prime}: feed the whole "
                    "prime first, logits, states = step(np.array([prime_ids]), None)"
                )
            self.fed += len(values)
        else:
            self._check_fed_id(values[0])
        state = self.states[-1] if self.states else _State(0, 0, -1)
        rows, digest, length = _advance(state.digest, state.length, values)
        self.states.append(_State(digest, length, len(self.states)))
        self.outputs.append(np.stack(rows))
        self.sampled_since_step = False
        return self.outputs[-1][None].copy(), self.states[-1]

    def _check_fed_id(self, got: int) -> None:
        if not self.samples and got == self.prime[-1]:
            raise _Misuse(_FED_PRIME_LAST)
        if not self.sampled_since_step:
            raise _Misuse(
                "step was called again without a sample in between: after each step, draw "
                "next_id = sample(logits[0, -1]), then feed exactly that id"
            )
        want = self.samples[-1]
        if got == want:
            return
        if got == self.prime[-1] and len(self.samples) == 1:
            raise _Misuse(_FED_PRIME_LAST)
        if got == int(np.argmax(self.sampled_rows[-1])):
            raise _Misuse(_FED_ARGMAX)
        raise _Misuse(
            f"step was fed id {got}, but sample had just returned {want}: feed back the id you "
            "sampled, step(np.array([[next_id]]), states)"
        )

    def sample(self, logits: Any) -> int:
        try:
            row = np.asarray(logits)
        except Exception as exc:
            raise _Misuse(
                f"sample got logits it cannot read as an array ({_describe(exc)})"
            ) from exc
        if row.shape != (VOCAB,):
            raise _Misuse(_ONE_POSITION.format(shape=row.shape, vocab=VOCAB))
        if not self.outputs:
            raise _Misuse("sample was called before step: feed the prime first, then sample")
        if self.fed < len(self.prime):
            raise _Misuse(
                f"sample was called after feeding {self.fed} of the {len(self.prime)} prime ids: "
                "feed the whole prime first, step(np.array([prime_ids]), None)"
            )
        if self.sampled_since_step:
            raise _Misuse(
                "sample was called twice on the same logits: sample once, feed that id back with "
                "step, and sample the next one from the logits that call returns"
            )
        last = self.outputs[-1]
        positions = [j for j in range(len(last)) if np.array_equal(row, last[j])]
        if not positions:
            if any(np.array_equal(row, r) for out in self.outputs[:-1] for r in out):
                raise _Misuse(
                    "you sampled from the logits of an earlier step call: after each step, "
                    "sample from the logits it returned, logits[0, -1]"
                )
            raise _Misuse(
                "sample got numbers that are not a row of the logits step returned: pass the "
                "raw logits of the last position, logits[0, -1], unchanged (sample turns them "
                "into a choice itself)"
            )
        if positions[-1] != len(last) - 1:
            if positions[-1] == 0:
                raise _Misuse(_FIRST_POSITION)
            raise _Misuse(
                f"you sampled from logits[0, {positions[-1]}], one of the {len(last)} positions "
                f"0 to {len(last) - 1}; the prediction for the next character is at the last "
                "position, logits[0, -1]"
            )
        self.samples.append(_pick(row))
        self.sampled_rows.append(row)
        self.sampled_since_step = True
        return self.samples[-1]


def _id_list(value: Any, n_chars: int) -> list[int]:
    """Return the learner's generated ids as a list of ints, or raise a Hint."""
    expected = f"a list of n_chars = {n_chars} int ids"
    if value is None:
        raise Hint("generate returned None: did you forget the `return` statement?")
    if isinstance(value, str):
        raise Hint(
            f"generate returned the text {value[:20]!r}; return the ids, {expected} (decode "
            "them to text outside generate)"
        )
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise Hint(f"generate returned an array of shape {value.shape}; return {expected}")
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise Hint(f"generate returned {type(value).__name__}; return {expected}")
    out = []
    for item in value:
        if isinstance(item, np.ndarray) and item.size == 1 and item.ndim <= 2:
            raise Hint(
                f"generate returned arrays of shape {item.shape} as ids; append int ids, e.g. "
                "generated.append(int(next_id))"
            )
        if isinstance(item, str):
            raise Hint(f"generate returned characters like {item!r}; return the int ids")
        if isinstance(item, bool | np.bool_) or not isinstance(item, numbers.Integral):
            raise Hint(
                f"generate returned {item!r} ({type(item).__name__}) among the ids; return {expected}"
            )
        out.append(int(item))
    return out


def _judge_generated(got: list[int], model: _ToyModel, prime: list[int], n_chars: int) -> None:
    expected = _reference_generate(prime, n_chars)
    if got == expected:
        return
    if got == prime + expected:
        raise Hint(_WITH_PRIME)
    if len(got) != n_chars:
        raise Hint(
            f"you returned {len(got)} ids but n_chars is {n_chars}: return exactly n_chars ids, "
            "one per call of sample (the prime is not part of the result)"
        )
    if got == [int(np.argmax(r)) for r in model.sampled_rows[:n_chars]]:
        raise Hint(
            "you returned the argmax of each step's logits, not the ids that sample returned: "
            "append next_id = sample(logits[0, -1]) itself"
        )
    raise Hint(
        f"the ids you returned, {got[:6]}..., are not those sample returned, {expected[:6]}...: "
        "append each next_id = sample(logits[0, -1]) in order"
    )


@exercise_check("generate")
def generate(learner: Callable[..., Any]) -> str:
    """Check `generate(step, prime_ids, n_chars, sample) -> list[int]`.

    step(ids, states) -> (logits, states): ids is an int NumPy array of shape (1, L), a batch of
    one sequence; states is None (zero initial state) or what the previous call returned; logits
    has shape (1, L, V), the scores for the character after each position. prime_ids: a
    non-empty list (or 1-D array) of ints; n_chars: an int >= 0; sample(logits_1d) -> int draws
    the next id from one position's logits, shape (V,). Feed the prime once with states=None,
    sample from the logits of the LAST position, then repeat: append the id, feed it back as
    shape (1, 1) with the states carried, sample from the new logits. Returns a list of exactly
    n_chars ints, the generated ids only (not the prime). The check drives your loop with a toy
    model and a sample function of its own that record every call. Prints one line; returns
    True when it passes.
    """
    for prime, n_chars in _GENERATE_CASES:
        model = _ToyModel(prime)
        try:
            result = call(learner, model.step, prime, n_chars, model.sample)
        except Hint as hint:
            if isinstance(hint.__cause__, _Misuse):
                raise Hint(str(hint.__cause__)) from None
            raise
        _judge_generated(
            _id_list(result, n_chars), model, list(np.asarray(prime).tolist()), n_chars
        )
    return (
        f"feeds the prime once, then one sampled id at a time with the states carried (O(1) per "
        f"character), and returns the n_chars new ids ({len(_GENERATE_CASES)} primes, n_chars "
        "from 0 to 12)."
    )
