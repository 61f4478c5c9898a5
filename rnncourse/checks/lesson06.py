"""Checks for lesson 06, "Character-level text generation": sample_with_temperature, generate,
shifted_windows.

Notation of the course (COURSE_GUIDE section 6): the logits s (s_t = h_t W_hy + b_y) are
unnormalised scores, one row of V scores per example, shape (V,) or (B, V); at a temperature
τ >= 0 a row gives the probabilities ŷ = softmax(s / τ), and τ = 0 is the limit τ -> 0, the
argmax. Generation drives a model through `step(ids, states) -> (logits, states)`: ids (1, L), a
batch of one sequence of L character ids; logits (1, L, V), the scores for the character after
each position; states None (the zero initial state) or what the previous call returned, so that
each new character costs one step of the recurrence.

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies it and reports a function that changes it in place.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnncourse.checks._core import Hint, call, exercise_check, learner_line

__all__ = ["generate", "sample_with_temperature", "shifted_windows"]


# --------------------------------------------------------------------------- sample_with_temperature

#: The base scores s: positive (so that "scores used as probabilities" is a distribution the
#: check can recognise) and spread so that the distribution of every catalogued mistake is
#: clearly apart from softmax(s) at some temperature. A tuple: nothing a learner can change.
_BASE = (2.0, 4.0, 1.8, 1.5, 1.2)
V = len(_BASE)
#: Every temperature the lesson samples at (0.2 to 1.5 in the figures, texts and the sweep, 0.8
#: for the samples during training, 1.0 for the names), with 0.1 and 2.0 either side. At
#: temperature τ the check passes τ·s, so that softmax(τ·s / τ) = softmax(s) is an informative
#: distribution at every τ and a mistake in the use of τ shows at both ends.
_TEMPERATURES = (0.1, 0.2, 0.35, 0.5, 0.75, 0.8, 1.0, 1.25, 1.5, 2.0)
#: Scores this far from 0 overflow (exp(1000) = inf) or underflow (exp(-1000) = 0, then 0 / 0)
#: a softmax that does not subtract each row's maximum.
_LARGE = 1000.0
#: Rows per kind of row in a batch, and calls per kind on the single-row path, at each
#: temperature: many for the ordinary scores (their counts are also pooled over the
#: temperatures), fewer for the large and degenerate scores, whose failures are gross.
_BATCH_ROWS = 200
_BATCH_LARGE_ROWS = 50
_SINGLE_DRAWS = 40
_SINGLE_LARGE_DRAWS = 12
_DEGENERATE_ROWS = 100
_DEGENERATE_DRAWS = 12
#: A correct sampler's count of an index leaves the central 1 - 2e-7 of its binomial
#: distribution with probability 2e-7. With about 600 such comparisons, a correct sampler
#: fails about once in 8,000 seeds, and the check's seeds are fixed: once it passes, always.
_TAIL = 1e-7
#: The lesson's vocabulary size (65 characters and [UNK]): the check samples with it too.
_LESSON_VOCAB = 66

_TEMPERATURE_IGNORED = (
    "the temperature has no effect: your samples follow softmax(s) at every τ. Divide the "
    "scores by the temperature BEFORE the softmax, ŷ = softmax(s / τ): scaled = logits / "
    "temperature (dividing the probabilities by τ and renormalising cancels τ)."
)
_TEMPERATURE_MULTIPLIED = (
    "you multiplied the scores by the temperature (or raised the probabilities to the power τ): "
    "a high temperature then sharpens the distribution instead of flattening it. Divide: "
    "ŷ = softmax(s / τ), scaled = logits / temperature."
)
_ALWAYS_ARGMAX = (
    "you always return the most likely index, even for τ > 0: that is greedy decoding. Draw at "
    "random from ŷ = softmax(s / τ), e.g. rng.choice(V, p=probs) for a row, and keep np.argmax "
    "for temperature == 0 only."
)
_UNIFORM = (
    "every index is drawn equally often, whatever the scores: the draw ignores the "
    "probabilities. Pass them to it, rng.choice(V, p=probs) (rng.choice(V) alone, or "
    "rng.integers(V), is uniform)."
)
_LOGITS_AS_PROBABILITIES = (
    "the scores are not probabilities: your samples are proportional to s itself. The logits s "
    "are unnormalised scores (any real numbers); turn them into probabilities with a softmax of "
    "each row, ŷ = softmax(s / τ)."
)
_SHIFTED = (
    "your indices are one too high: index k is drawn with the probability of index k - 1. With "
    "the inverse CDF the sample is the FIRST index whose cumulative probability exceeds u: "
    "(np.cumsum(probs, axis=-1) < u).sum(axis=-1), without + 1."
)
_NOT_NORMALISED = (
    "your probabilities do not sum to 1: after np.exp, divide each row by its sum, probs = e / "
    "e.sum(axis=-1, keepdims=True), before the cumulative sum."
)
_OVERFLOW = (
    "scores near ±{large:g} break your softmax: np.exp(1000) overflows to inf and inf / inf is "
    "nan, np.exp(-1000) underflows to 0 and 0 / 0 is nan. Subtract the maximum of each row "
    "first, scaled = logits / temperature; scaled = scaled - scaled.max(axis=-1, keepdims=True): "
    "softmax(x - c) = softmax(x) for any constant c, and every exponent is then <= 0."
)
_ROW_MAX = (
    "the rows of a batch change each other's samples: each row is right in a batch of its own, "
    "but not in a batch that also holds rows near ±{large:g}. Subtract each row's own maximum, "
    "scaled.max(axis=-1, keepdims=True); the maximum of the whole batch (no axis, or axis=0) "
    "leaves the rows far below it at exp(-1000) = 0, and 0 / 0 is nan."
)
_MEAN_SHIFT = (
    "a few large scores break your softmax although rows whose scores are all near ±{large:g} "
    "do not: with s = [1000, 0, 1000, -1000, 0] or [0, 0, 1000, 0, 0], subtracting the mean or "
    "the minimum still leaves exp(800) = inf. Subtract the MAXIMUM of each row, "
    "scaled.max(axis=-1, keepdims=True): every exponent is then <= 0."
)
_MASKED = (
    "a masked character (a score of -inf, or -1e9 as the lesson gives the names' padding) has "
    "probability 0 and must never be drawn. Subtract the row maximum (a finite number) and "
    "np.exp gives exactly 0 there; do not subtract the mean (-inf) or replace -inf."
)
_TIES = (
    "equal scores (a tie) must be equally likely: softmax([0, 0, 0, 0, 0]) is uniform, and the "
    "draw must not favour the first (or the last) of the tied indices."
)
_SHARED_RANDOM = (
    "all the rows of the batch got the same sample, which changes with the seed: every row used "
    "the same random number. Draw one per row, e.g. u = rng.random((B, 1)) for the inverse CDF, "
    "or rng.gumbel(size=logits.shape) for the Gumbel-max trick."
)
_ROWS_MIX = (
    "Your single rows (V,) follow ŷ = softmax(s / τ), so the batch path mixes the rows: take "
    "every max, sum and cumulative sum along the last axis, axis=-1 with keepdims=True (axis=0, "
    "or no axis, runs over the batch)."
)
_ZERO_TEMPERATURE = (
    "handle temperature == 0 separately: it is the limit τ -> 0, where softmax(s / τ) puts all "
    "its mass on the largest score, so return np.argmax(logits, axis=-1) without dividing "
    "(logits / 0 gives inf and nan, and a RuntimeWarning)."
)
_ZERO_IS_ALLOWED = (
    "temperature 0 is allowed, it means argmax (the limit τ -> 0, greedy decoding): only a "
    "negative temperature (or nan) is an error. Test `if not temperature >= 0` to raise, then "
    "`if temperature == 0: return np.argmax(logits, axis=-1)`."
)
_NEGATIVE_ACCEPTED = (
    "a negative temperature was accepted: softmax(s / τ) with τ < 0 favours the LEAST likely "
    'characters. Reject it: `if not temperature >= 0: raise ValueError(f"temperature must be '
    '>= 0, got {temperature}")`.'
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


def _softmax(scores: Any) -> np.ndarray:
    """Return softmax over the last axis in float64; a score of -inf gets probability 0."""
    s = np.asarray(scores, dtype=np.float64)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _shifted(probs: np.ndarray) -> np.ndarray:
    """The distribution of index + 1 (clamped to V - 1) when the index follows `probs`."""
    out = np.zeros_like(probs)
    out[1:] = probs[:-1]
    out[-1] += probs[-1]
    return out


def _unnormalised_cdf(scores: np.ndarray, temperature: float) -> np.ndarray:
    """The distribution of the inverse CDF of exp(s / τ - max) without the division by its sum."""
    cdf = np.minimum(np.cumsum(np.exp(scores / temperature - np.max(scores / temperature))), 1.0)
    return np.diff(cdf, prepend=0.0)


#: (distribution of a wrong sampler as a function of (one row of scores s, τ), its hint), tried
#: in order against the draws of every temperature.
_DISTRIBUTION_MISTAKES: tuple[tuple[Callable[[np.ndarray, float], np.ndarray], str], ...] = (
    (lambda s, t: _softmax(s), _TEMPERATURE_IGNORED),
    (lambda s, t: _softmax(s * t), _TEMPERATURE_MULTIPLIED),
    (lambda s, t: np.eye(len(s))[np.argmax(s)], _ALWAYS_ARGMAX),
    (lambda s, t: np.full(len(s), 1.0 / len(s)), _UNIFORM),
    (lambda s, t: s / s.sum(), _LOGITS_AS_PROBABILITIES),
    (lambda s, t: _shifted(_softmax(s / t)), _SHIFTED),
    (_unnormalised_cdf, _NOT_NORMALISED),
)


def _plausible(counts: np.ndarray, probs: np.ndarray) -> bool:
    """Return True when every count is plausible for Binomial(n, p), n = counts.sum().

    Exact binomial tails: a count whose lower or upper tail probability is below `_TAIL` is
    implausible. An index of probability 0 must never be drawn, one of probability 1 always.
    """
    n = int(counts.sum())
    k = np.arange(n + 1)
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, n + 1)))))
    log_choose = log_factorial[n] - log_factorial - log_factorial[::-1]
    for count, p in zip(counts.tolist(), np.asarray(probs, dtype=np.float64).tolist(), strict=True):
        if not 0.0 < p < 1.0:
            if not math.isfinite(p) or count != (n if p >= 1.0 else 0):
                return False
            continue
        pmf = np.exp(log_choose + k * math.log(p) + (n - k) * math.log1p(-p))
        if pmf[: count + 1].sum() < _TAIL or pmf[count:].sum() < _TAIL:
            return False
    return True


@dataclass(frozen=True, eq=False)
class _Kind:
    """One kind of row the check samples: its scores as passed, and what a failure means."""

    label: str
    scores: np.ndarray
    advice: str = ""  # the hint when only this kind fails ("" = the distribution's own hint)

    def expected(self, temperature: float) -> np.ndarray:
        return _softmax(np.asarray(self.scores, dtype=np.float64) / temperature)


@dataclass(frozen=True, eq=False)
class _Trial:
    """The draws of one kind at one temperature on one path."""

    kind: _Kind
    temperature: float
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def fits(self, probs: np.ndarray | None = None) -> bool:
        return _plausible(
            self.counts, self.kind.expected(self.temperature) if probs is None else probs
        )


def _row(values: Sequence[float], dtype: type = np.float32) -> np.ndarray:
    return np.array(values, dtype=dtype)


def _main_kinds(temperature: float, dtype: type = np.float32) -> list[_Kind]:
    """The four kinds of rows at τ: τ·s, reversed, and two rotations offset by ±_LARGE."""
    base = np.array(_BASE)
    overflow = _OVERFLOW.format(large=_LARGE)
    return [
        _Kind("the scores", _row(temperature * base, dtype)),
        _Kind("the scores reversed", _row(temperature * base[::-1], dtype)),
        _Kind(
            f"the scores + {_LARGE:g}",
            _row(temperature * np.roll(base, 1) + _LARGE, dtype),
            overflow,
        ),
        _Kind(
            f"the scores - {_LARGE:g}",
            _row(temperature * np.roll(base, 2) - _LARGE, dtype),
            overflow,
        ),
    ]


def _degenerate_kinds(temperature: float, dtype: type = np.float64) -> list[_Kind]:
    """Ties, one and two large scores, masked (-inf) scores, a tie of large negative scores."""
    return [
        _Kind("tied scores", _row([0.0] * V, dtype), _TIES),
        _Kind(
            "one large score",
            _row([0.0, 0.0, _LARGE, 0.0, 0.0], dtype),
            _MEAN_SHIFT.format(large=_LARGE),
        ),
        _Kind(
            "two large scores",
            _row([_LARGE, 0.0, _LARGE, -_LARGE, 0.0], dtype),
            _MEAN_SHIFT.format(large=_LARGE),
        ),
        _Kind(  # masked as the lesson masks the names' padding (-1e9), and with -inf
            "scores with -inf and -1e9",
            _row([-np.inf, temperature, -1e9, 0.0, 2 * temperature], dtype),
            _MASKED,
        ),
        _Kind(
            f"tied scores of -{_LARGE:g}",
            _row([-_LARGE] * V, dtype),
            _OVERFLOW.format(large=_LARGE),
        ),
    ]


def _describe(exc: BaseException) -> str:
    """Return "TypeName: message" on one line, without a final period."""
    text = " ".join(str(exc).split()).rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
    """Advice for the errors NumPy's samplers raise on bad probabilities ("" when none fits)."""
    text = str(exc).lower()
    if "negative" in text and "probabilit" in text:
        return _LOGITS_AS_PROBABILITIES
    if "same size" in text or "same length" in text:
        return (
            "Take V from the scores themselves, V = logits.shape[-1], not from a global such as "
            "vocab_size: the check samples with several vocabulary sizes."
        )
    if "pvals" in text:
        return (
            "rng.multinomial rejects float32 probabilities whose sum rounds above 1: convert "
            "them to float64 and renormalise, probs = probs.astype(np.float64); probs /= "
            "probs.sum(), or use rng.choice(V, p=probs)."
        )
    if "sum to 1" in text:
        return (
            "The probabilities must sum to 1 in every row: divide the scores by the temperature, "
            "then take a softmax of each row, probs = e / e.sum(axis=-1, keepdims=True)."
        )
    if "nan" in text:
        return (
            "Your probabilities contain nan: compute the softmax as exp(x - max) / sum, with x = "
            "logits / temperature and the max of each row."
        )
    return ""


def _call_learner(learner: Callable[..., Any], *args: Any) -> tuple[Any, Hint | None]:
    """Call the learner through `call`; return (result, None), or (None, hint) when it raised.

    The hint names the learner's exception (its __cause__) and line. A function that changed its
    input, or a stub, propagates.
    """
    try:
        return call(learner, *args, on_error=_numpy_advice), None
    except Hint as hint:
        if hint.__cause__ is None:
            raise
        return None, hint


def _single_index(value: Any, vocab: int = V) -> int:
    """Return the learner's answer for scores of shape (V,) as an int in range(V)."""
    what = "for logits of shape (V,), your result"
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        raise Hint(
            f"{what} is a TensorFlow tensor; return a NumPy or Python int, e.g. "
            "int(tensor.numpy()) or int(rng.choice(V, p=probs))"
        )
    if isinstance(value, list | tuple):
        raise Hint(
            f"{what} is a Python {type(value).__name__}; for one row of scores return one int "
            "index, e.g. int(rng.choice(V, p=probs))"
        )
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            probs = " (the probabilities?)" if value.shape == (vocab,) else ""
            raise Hint(
                f"{what} is an array of shape {value.shape}{probs}; for logits of shape (V,) = "
                f"({vocab},) return a single int index, e.g. int(rng.choice(V, p=probs))"
            )
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real):
            raise Hint(
                f"{what} is the {type(value).__name__} {value}; return an int index in "
                f"range(V), e.g. int(...), not a float or a probability"
            )
        raise Hint(f"{what} has type {type(value).__name__}; return an int index in range(V)")
    index = int(value)
    if not 0 <= index < vocab:
        raise Hint(
            f"{what} is {index}, not an index in range(V) = range({vocab}): take V = "
            "logits.shape[-1], and with the inverse CDF clamp the count to V - 1"
        )
    return index


def _row_indices(value: Any, rows: int, vocab: int = V) -> np.ndarray:
    """Return the learner's answer for scores of shape (rows, V) as an int array (rows,)."""
    what = f"for logits of shape (B, V) = ({rows}, {vocab}), your result"
    expected = f"an integer NumPy array of shape (B,) = ({rows},), one index per row"
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        raise Hint(f"{what} is a TensorFlow tensor; return {expected} (tensor.numpy())")
    if isinstance(value, list | tuple):
        raise Hint(f"{what} is a Python {type(value).__name__}; return {expected} (np.array(...))")
    if np.ndim(value) == 0 and isinstance(value, numbers.Number | np.generic | np.ndarray):
        if rows == 1:
            raise Hint(
                f"{what} is a single number; a batch of one row still gets {expected}: keep "
                "the batch axis (decide by logits.ndim, not by the number of rows)"
            )
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
    if value.shape == (rows, vocab):
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
    bad = value[(value < 0) | (value >= vocab)]
    if bad.size:
        raise Hint(
            f"{what} holds {int(bad[0])}, not an index in range(V) = range({vocab}): take V = "
            "logits.shape[-1], and with the inverse CDF clamp the count to V - 1"
        )
    return value.astype(np.int64)


def _batch_indices(learner, logits: np.ndarray, temperature: float, seed: int):
    """Return (indices (B,), None) for a batch, or (None, hint) when the learner raised."""
    result, raised = _call_learner(learner, logits, temperature, np.random.default_rng(seed))
    if raised is not None:
        return None, raised
    return _row_indices(result, len(logits), logits.shape[-1]), None


def _batch_of(kinds: Sequence[_Kind], rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return (logits, kind of each row): rows[j] copies of kinds[j].scores, shuffled together."""
    which = np.repeat(np.arange(len(kinds)), rows)
    which = which[np.random.default_rng(len(which)).permutation(len(which))]
    return np.stack([kind.scores for kind in kinds])[which], which


def _batch_trials(
    learner, kinds: Sequence[_Kind], temperature: float, rows: Sequence[int], seed: int
):
    """Sample rows[j] rows of kinds[j], all mixed in one batch; return the trials.

    When the learner raises, each kind is tried in a batch of its own: the first that raises
    there gets its own advice; when none does, the rows of the mixed batch change each other.
    """
    logits, which = _batch_of(kinds, rows)
    indices, raised = _batch_indices(learner, logits, temperature, seed)
    if raised is not None:
        where = f" (for a batch (B, V) at τ = {temperature:g})"
        for kind in kinds:
            _, alone = _batch_indices(learner, _batch_of([kind], [8])[0], temperature, seed)
            if alone is not None:
                if kind.advice:
                    raise Hint(f"{kind.advice} {_with_error(alone)}{where}") from None
                mix = f" {_ROWS_MIX}" if _single_rows_fit(learner, kind, temperature) else ""
                raise Hint(f"{alone}{where}{mix}") from None
        raise Hint(f"{_ROW_MAX.format(large=_LARGE)} {_with_error(raised)}") from None
    return [
        _Trial(kind, temperature, np.bincount(indices[which == j], minlength=kind.scores.shape[-1]))
        for j, kind in enumerate(kinds)
    ]


def _with_error(raised: Hint) -> str:
    """Return "(Yours raised X: message at line N of your code: `...`.)" for `raised`."""
    error = raised.__cause__
    where = learner_line(error) if error is not None else ""
    return f"(Yours raised {_describe(error)}{f' at {where}' if where else ''}.)"


def _single_trials(
    learner, kinds: Sequence[_Kind], temperature: float, draws: Sequence[int], seed: int
):
    """Call the learner `draws[j]` times on kinds[j].scores (shape (V,)); return the trials."""
    rng = np.random.default_rng(seed)
    trials = []
    for kind, n in zip(kinds, draws, strict=True):
        vocab = kind.scores.shape[-1]
        counts = np.zeros(vocab, dtype=np.int64)
        for _ in range(n):
            result, raised = _call_learner(learner, kind.scores, temperature, rng)
            if raised is not None:
                where = f" (for one row of logits (V,) at τ = {temperature:g}: {kind.label})"
                if kind.advice:
                    raise Hint(f"{kind.advice} {_with_error(raised)}{where}")
                raise Hint(f"{raised}{where}")
            counts[_single_index(result, vocab)] += 1
        trials.append(_Trial(kind, temperature, counts))
    return trials


def _mismatch(trial: _Trial, path: str) -> str:
    """Describe the index whose frequency is furthest from softmax(s / τ) in units of its spread."""
    expected = trial.kind.expected(trial.temperature)
    freqs = trial.counts / trial.n
    spread = np.sqrt(expected * (1 - expected) / trial.n) + 1.0 / trial.n
    index = int(np.argmax(np.abs(freqs - expected) / spread))
    scores = np.round(np.asarray(trial.kind.scores, dtype=np.float64), 2).tolist()
    return (
        f"{path} at τ = {trial.temperature:g} the samples do not follow ŷ = softmax(s / τ): in "
        f"{trial.n} draws from {trial.kind.label} s = {scores}, index {index} was drawn "
        f"{100 * freqs[index]:.1f}% of the time, expected {100 * expected[index]:.1f}%."
    )


def _classify(trials: Sequence[_Trial], path: str) -> None:
    """Raise the hint of the first catalogued mistake that every trial fits."""
    for distribution, hint in _DISTRIBUTION_MISTAKES:
        fits = all(
            t.fits(distribution(np.asarray(t.kind.scores, dtype=np.float64), t.temperature))
            for t in trials
        )
        if fits:
            raise Hint(f"{path} {hint[:1].lower()}{hint[1:]}" if path else hint)


def _judge_special(trials: Sequence[_Trial], path: str) -> None:
    """Raise the kind's own advice for the first trial of a special kind that does not fit."""
    for trial in trials:
        if not trial.fits():
            detail = _mismatch(trial, path)
            raise Hint(f"{trial.kind.advice} ({detail[:1].lower()}{detail[1:-1]})")


def _single_rows_fit(learner, kind: _Kind, temperature: float) -> bool:
    """Return True when single rows (V,) of the kind's scores follow softmax(s / τ)."""
    try:
        (single,) = _single_trials(learner, [kind], temperature, [_SINGLE_DRAWS], 31)
    except Hint:
        return False
    return single.fits()


def _pooled(trials: Sequence[_Trial]) -> _Trial | None:
    """Return the first kind's trials pooled over the temperatures when they do not fit; None
    when every kind's pooled counts fit (each trial's expected distribution is averaged)."""
    for label in dict.fromkeys(t.kind.label for t in trials):
        same = [t for t in trials if t.kind.label == label]
        counts = sum(t.counts for t in same)
        expected = np.mean([t.kind.expected(t.temperature) for t in same], axis=0)
        if not _plausible(counts, expected):
            return _Trial(_Kind(label, same[0].kind.scores), math.nan, counts)
    return None


def _pooled_mismatch(pooled: _Trial, trials: Sequence[_Trial], path: str) -> str:
    same = [t for t in trials if t.kind.label == pooled.kind.label]
    expected = np.mean([t.kind.expected(t.temperature) for t in same], axis=0)
    freqs = pooled.counts / pooled.n
    index = int(np.argmax(np.abs(freqs - expected)))
    return (
        f"{path} the samples do not follow ŷ = softmax(s / τ): over the {len(same)} "
        f"temperatures, with {pooled.kind.label} s = τ·{list(_BASE)}, index {index} was drawn "
        f"{100 * freqs[index]:.1f}% of the time in {pooled.n} draws, expected "
        f"{100 * expected[index]:.1f}%."
    )


def _check_batches(learner) -> None:
    """Every temperature on the batch path: the ordinary kinds first, then the large ones."""
    rows = (_BATCH_ROWS, _BATCH_ROWS, _BATCH_LARGE_ROWS, _BATCH_LARGE_ROWS)
    by_temperature = [
        _batch_trials(learner, _main_kinds(t), t, rows, seed)
        for seed, t in enumerate(_TEMPERATURES, start=1)
    ]
    ordinary = [trial for trials in by_temperature for trial in trials[:2]]
    bad = [trial for trial in ordinary if not trial.fits()]
    pooled = _pooled(ordinary)
    if pooled is not None and not bad:
        _classify(ordinary, "for a batch (B, V),")
        raise Hint(_pooled_mismatch(pooled, ordinary, "for a batch (B, V),"))
    if bad:
        first = bad[0]
        alone = _batch_trials(
            learner, _main_kinds(first.temperature)[:2], first.temperature, rows[:2], 9
        )
        if all(trial.fits() for trial in alone):
            raise Hint(_ROW_MAX.format(large=_LARGE))
        _classify(ordinary, "for a batch (B, V),")
        message = _mismatch(first, "for a batch (B, V)")
        same_batch = by_temperature[_TEMPERATURES.index(first.temperature)]
        others = [t.kind for t in same_batch if t.kind is not first.kind]
        borrowed = [k for k in others if first.fits(k.expected(first.temperature))]
        if borrowed:
            message += (
                f" Each row must be sampled from its own logits: these rows were sampled as if "
                f"they held {borrowed[0].label}, another row of the batch."
            )
        elif _single_rows_fit(learner, first.kind, first.temperature):
            message += f" {_ROWS_MIX}"
        raise Hint(message)
    _judge_special(
        [trial for trials in by_temperature for trial in trials[2:]], "for a batch (B, V)"
    )


def _check_single_rows(learner) -> None:
    """Every temperature on the path generate uses: one row of scores (V,) per call."""
    trials: list[_Trial] = []
    for seed, temperature in enumerate(_TEMPERATURES, start=11):
        kinds = _main_kinds(temperature)
        kinds[2] = _Kind(kinds[2].label, kinds[2].scores.astype(np.float64), kinds[2].advice)
        draws = (_SINGLE_DRAWS, _SINGLE_LARGE_DRAWS, _SINGLE_LARGE_DRAWS)
        trials += _single_trials(learner, [kinds[0], kinds[2], kinds[3]], temperature, draws, seed)
    ordinary = trials[::3]
    path = "your batches are right, but for one row of logits (V,), the path generate uses,"
    bad = [trial for trial in ordinary if not trial.fits()]
    pooled = _pooled(ordinary)
    if bad or pooled is not None:
        _classify(ordinary, path)
        if bad:
            raise Hint(_mismatch(bad[0], path))
        raise Hint(_pooled_mismatch(pooled, ordinary, path))
    _judge_special([t for i, t in enumerate(trials) if i % 3], "for one row of logits (V,)")


def _check_degenerate(learner) -> None:
    """Ties, large scores, -inf and a tie far below 0, on both paths, at τ = 0.5 and 1."""
    for seed, temperature in enumerate((0.5, 1.0), start=21):
        kinds = _degenerate_kinds(temperature)
        _judge_special(
            _batch_trials(learner, kinds, temperature, [_DEGENERATE_ROWS] * len(kinds), seed),
            "for a batch (B, V)",
        )
        single = _single_trials(learner, kinds, temperature, [_DEGENERATE_DRAWS] * len(kinds), seed)
        _judge_special(single, "for one row of logits (V,)")


def _check_lesson_vocabulary(learner) -> None:
    """V = 66, the lesson's vocabulary: a batch and single rows at τ = 0.8 (float32 scores)."""
    scores = np.random.default_rng(66).normal(0.0, 1.0, _LESSON_VOCAB)
    scores[[7, 40]] += (3.5, 4.5)  # two likely characters, the rest spread thin
    kind = _Kind(f"V = {_LESSON_VOCAB} scores", (0.8 * scores).astype(np.float32))
    (trial,) = _batch_trials(learner, [kind], 0.8, [300], 41)
    if not trial.fits():
        raise Hint(_mismatch(trial, f"with the lesson's V = {_LESSON_VOCAB}, for a batch (B, V)"))
    (single,) = _single_trials(learner, [kind], 0.8, [30], 42)
    if not single.fits():
        raise Hint(_mismatch(single, f"with the lesson's V = {_LESSON_VOCAB}, for one row (V,)"))


def _check_rows_are_independent(learner) -> None:
    """Rows of identical scores must get independent samples (one random number per row)."""
    # Nearly flat scores: 64 independent rows are never all equal, and a shared random number
    # gives the same index for all 8 seeds with probability below 1e-5.
    logits = np.repeat(0.1 * np.array(_BASE, dtype=np.float32)[None], 64, axis=0)
    draws = []
    for seed in range(21, 29):
        indices, raised = _batch_indices(learner, logits, 1.0, seed)
        if raised is not None:
            raise Hint(f"{raised} (for a batch (B, V) at τ = 1)")
        draws.append(indices)
    if all(len(set(d.tolist())) == 1 for d in draws) and len({int(d[0]) for d in draws}) > 1:
        raise Hint(_SHARED_RANDOM)


def _zero_cases() -> list[tuple[str, np.ndarray]]:
    """Scores for τ = 0, built afresh: ties (any tied maximum is an argmax), -inf, ±_LARGE."""
    batch = np.array(
        [
            _BASE,
            _BASE[::-1],
            [1.0, 3.0, 3.0, 0.0, 3.0],
            [-np.inf, 1.0, -np.inf, 3.0, 3.0],
            [_LARGE, _LARGE + 2, _LARGE, _LARGE - 1, _LARGE],
            [-_LARGE - 3, -_LARGE - 1, -_LARGE, -_LARGE - 2, -_LARGE - 4],
        ],
        dtype=np.float32,
    )
    return [
        ("one row (V,)", np.array(_BASE, dtype=np.float32)),
        ("one row (V,) with a tie", np.array([1.0, 3.0, 3.0, 0.0, 3.0])),
        ("a batch (B, V)", batch),
        ("a batch of one row (1, V)", np.array([_BASE[::-1]], dtype=np.float32)),
    ]


def _runtime_warnings(learner, logits: np.ndarray, temperature: float) -> list[str]:
    """Return the RuntimeWarnings the learner's function emits (its exceptions are ignored here).

    Only for τ = 0, where a division by zero is the mistake to name; `call` silences warnings.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
            try:
                learner(logits, temperature, np.random.default_rng(0))
            except Exception:  # the same call through `call` explains any exception
                pass
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _check_zero_temperature(learner) -> None:
    for what, logits in _zero_cases():
        result, raised = _call_learner(learner, logits, 0.0, np.random.default_rng(0))
        if raised is not None:
            error = raised.__cause__
            if isinstance(error, ValueError) and not _raised_in_numpy(error):
                raise Hint(f"{_ZERO_IS_ALLOWED} (your function raised {_describe(error)})")
            raise Hint(f"{_ZERO_TEMPERATURE} Your function raised {_describe(error)}.")
        seen = _runtime_warnings(learner, np.array(logits, copy=True), 0.0)
        if seen:
            raise Hint(f"{_ZERO_TEMPERATURE} Yours warned: {seen[0]}.")
        if logits.ndim == 2 and np.ndim(result) == 0 and not isinstance(result, list | tuple):
            raise Hint(
                f"at τ = 0 you returned one number for {what}: np.argmax(logits) without an "
                "axis flattens the array; use np.argmax(logits, axis=-1), one index per row."
            )
        if logits.ndim == 1:
            got = np.array([_single_index(result)])
        else:
            got = _row_indices(result, len(logits))
        rows = np.atleast_2d(logits)
        maxima = [set(np.flatnonzero(row == row.max()).tolist()) for row in rows]
        if not all(int(g) in m for g, m in zip(got, maxima, strict=True)):
            want = np.argmax(rows, axis=-1)
            shown = got.tolist() if logits.ndim == 2 else int(got[0])
            expected = want.tolist() if logits.ndim == 2 else int(want[0])
            raise Hint(
                f"{_ZERO_TEMPERATURE} At τ = 0 you returned {shown} for {what}, expected the "
                f"argmax {expected} (any of the tied maxima is right)."
            )


def _check_invalid_temperatures(learner) -> None:
    for temperature, accepted in ((-1.0, _NEGATIVE_ACCEPTED), (math.nan, _NAN_ACCEPTED)):
        logits = np.array(_BASE, dtype=np.float32)
        _, raised = _call_learner(learner, logits, temperature, np.random.default_rng(0))
        if raised is None:
            raise Hint(accepted)
        error = raised.__cause__
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


def _check_reproducible(learner) -> None:
    """The same seed gives the same samples and another seed others, on both paths."""
    base = np.array(_BASE, dtype=np.float32)
    logits = np.stack([base, base[::-1], np.roll(base, 1), np.roll(base, 2)] * 16)

    def batch(seed: int) -> np.ndarray:
        indices, raised = _batch_indices(learner, logits, 1.0, seed)
        if raised is not None:
            raise Hint(f"{raised} (for a batch (B, V) at τ = 1)")
        return indices

    def singles(seed: int) -> list[int]:
        rng, out = np.random.default_rng(seed), []
        for _ in range(20):  # flat scores: two seeds agree on all 20 with probability < 1e-10
            result, raised = _call_learner(learner, 0.5 * base, 1.0, rng)
            if raised is not None:
                raise Hint(f"{raised} (for one row of logits (V,) at τ = 1)")
            out.append(_single_index(result))
        return out

    # A function that always returns the argmax is deterministic too: the distribution tests
    # name that mistake, so the same samples for two seeds only count when they are not argmax.
    first = batch(11)
    if not np.array_equal(first, batch(11)):
        raise Hint(_NOT_REPRODUCIBLE.format(seed=11))
    if np.array_equal(first, batch(12)) and not np.array_equal(first, logits.argmax(axis=-1)):
        raise Hint(_RNG_IGNORED)
    one = singles(5)
    if one != singles(5):
        raise Hint(_NOT_REPRODUCIBLE.format(seed=5) + " (single rows of shape (V,))")
    if one == singles(6) and set(one) != {int(np.argmax(base))}:
        raise Hint(_RNG_IGNORED + " (single rows of shape (V,))")


def _check_shapes(learner) -> None:
    """One row gives an int, a batch (B, V) an array (B,), a batch of one row an array (1,)."""
    result, raised = _call_learner(
        learner, np.array(_BASE, dtype=np.float32), 1.0, np.random.default_rng(0)
    )
    if raised is not None:
        raise Hint(f"{raised} (for one row of logits (V,) at τ = 1)")
    _single_index(result)
    batch_advice = (
        "Your function works on one row of logits (V,) but not on a batch (B, V): sample each "
        "row, in a loop over the rows or along axis=-1 (softmax with axis=-1, keepdims=True)."
    )
    base = np.array(_BASE, dtype=np.float32)
    for logits in (np.stack([base, base[::-1], np.roll(base, 1), np.roll(base, 2)]), base[None]):
        _, raised = _batch_indices(learner, logits, 1.0, 0)
        if raised is not None:
            raise Hint(f"{raised} {batch_advice}")


@exercise_check("sample_with_temperature")
def sample_with_temperature(learner: Callable[..., Any]) -> str:
    """Check `sample_with_temperature(logits, temperature, rng) -> int | np.ndarray`.

    logits: the scores s, a NumPy float array (float32 or float64) of shape (V,) or (B, V), any
    V. temperature: a float τ >= 0. rng: a `numpy.random.Generator`, the only source of
    randomness. Returns one int in range(V) for logits of shape (V,), and an integer NumPy array
    of shape (B,) for (B, V), one index per row drawn from ŷ = softmax(s / τ); the input is left
    unchanged. τ == 0 means argmax (no randomness, no division, no warning); τ < 0 or nan raises
    ValueError. The check samples at every temperature the lesson uses, on both paths, with
    scores near ±1000 (subtract each row's maximum before np.exp), ties, -inf scores (probability
    0) and V = 66. Prints one line; returns True when it passes.
    """
    _check_shapes(learner)
    _check_reproducible(learner)
    _check_rows_are_independent(learner)
    _check_batches(learner)
    _check_single_rows(learner)
    _check_degenerate(learner)
    _check_lesson_vocabulary(learner)
    _check_zero_temperature(learner)
    _check_invalid_temperatures(learner)
    temperatures = ", ".join(f"{t:g}" for t in _TEMPERATURES)
    return (
        f"samples follow ŷ = softmax(s / τ) at τ = {temperatures}, for one row (V,) and for "
        f"batches (B, V), also with scores near ±{_LARGE:g}, ties, -inf and V = {_LESSON_VOCAB}; "
        "argmax at τ = 0, ValueError for τ < 0 and nan, reproducible with the rng given."
    )


# --------------------------------------------------------------------------- generate

#: Vocabulary of the toy model that the check drives the learner's loop with.
VOCAB = 11
_MOD = 1_000_000_007

#: Length of the long prime and of the long generation: longer than the lesson's windows of
#: SEQ_LEN = 100, so that a loop that truncates the prime, re-reads a window or resets the state
#: every k steps is seen.
_LONG_PRIME = 150
_LONG_CHARS = 300


def _generate_cases() -> list[tuple[list[int] | np.ndarray, int]]:
    """Return fresh (prime_ids, n_chars) cases: the first exercises every hint; primes are lists
    (of ints or np.int32) or 1-D int32 arrays (as the lesson's encode returns), of 1 to
    _LONG_PRIME ids."""
    long_prime = np.random.default_rng(150).integers(0, VOCAB, _LONG_PRIME).astype(np.int32)
    return [
        ([3, 1, 4, 1, 5, 9, 2, 6], 12),
        (np.array([7, 0], dtype=np.int32), 1),
        ([10], 6),
        ([2, 7, 1], 0),
        (list(long_prime), _LONG_CHARS),  # a list of np.int32, as list(encode(prime)) gives
        (long_prime[:120], 20),
    ]


def _ids_text(ids: Sequence[int], shown: int = 8) -> str:
    """Return a list of ids for a message, shortened to its first `shown` ids when longer."""
    ids = list(ids)
    if len(ids) <= shown:
        return str(ids)
    return f"[{', '.join(str(i) for i in ids[:shown])}, ...] ({len(ids)} ids)"


_PRIME_AGAIN = (
    "call {call} of step fed the whole prime again: feed the prime once, before the loop, with "
    "states=None; inside the loop feed only the id just sampled, shape (1, 1), with the states "
    "carried: logits, states = step(np.array([[next_id]]), states)."
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
            raise _Misuse(
                f"step got ids {_ids_text(values)}: ids are indices in range(V) = range({VOCAB})"
            )
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
            prime_fed = self.fed >= len(self.prime)  # before that, the prime may come in pieces
            if len(values) > 1 and prime_fed and values == self.prime:
                raise _Misuse(_PRIME_AGAIN.format(call=number))
            if len(values) > 1 and prime_fed:
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
                    f"step was first fed {_ids_text(values)}, but the prime is "
                    f"{_ids_text(self.prime)}: feed the whole prime first, in order, logits, "
                    "states = step(np.array([prime_ids]), None)"
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
            if got == int(np.argmax(self.outputs[-1][-1])):
                raise _Misuse(
                    "you fed back the argmax of the logits without calling sample: that is "
                    "greedy decoding. Draw next_id = sample(logits[0, -1]) and feed that id."
                )
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
    n_chars ints, the generated ids only (not the prime), and leaves prime_ids unchanged. The
    check drives your loop with a toy model and a sample function of its own that record every
    call, with primes of 1 to 150 ids (lists and int32 arrays) and up to 300 new characters.
    Prints one line; returns True when it passes.
    """
    cases = _generate_cases()
    for prime, n_chars in cases:
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
        f"character), and returns the n_chars new ids ({len(cases)} primes of 1 to {_LONG_PRIME} "
        f"ids, n_chars from 0 to {_LONG_CHARS})."
    )


# --------------------------------------------------------------------------- shifted_windows

#: (number of ids, seq_len) of the cases: a remainder to drop, an exact multiple, seq_len = 1, a
#: text shorter than one window, and the lesson's seq_len = 100 on a longer text.
_WINDOW_CASES = ((23, 4), (24, 5), (7, 1), (3, 4), (1010, 100))


def _window_ids(length: int, seed: int) -> np.ndarray:
    """Return `length` distinct int32 ids in a shuffled order, so that every shift is visible."""
    return np.random.default_rng(seed).permutation(np.arange(3, 3 + 2 * length, 2)).astype(np.int32)


def _reference_windows(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    count = len(ids) // (seq_len + 1)
    windows = ids[: count * (seq_len + 1)].reshape(count, seq_len + 1)
    return windows[:, :-1], windows[:, 1:]


def _strided(ids: np.ndarray, size: int, stride: int) -> np.ndarray:
    starts = range(0, len(ids) - size + 1, stride)
    return np.array([ids[s : s + size] for s in starts], dtype=np.int64).reshape(-1, size)


def _window_mistakes(ids: np.ndarray, seq_len: int) -> list[tuple[tuple[np.ndarray, ...], str]]:
    """Return [((inputs, targets) of a plausible wrong answer, its hint), ...] for this case."""
    inputs, targets = _reference_windows(ids, seq_len)
    t = seq_len
    short = _strided(ids, t, t)
    by_t = _strided(ids, t + 1, t)
    sliding = _strided(ids, t + 1, 1)
    count = -(-len(ids) // (t + 1))
    padded = np.zeros(count * (t + 1), dtype=np.int64)
    padded[: len(ids)] = ids
    padded = padded.reshape(count, t + 1)
    return [
        (
            (inputs, inputs),
            "targets equal the inputs: the target at each position is the NEXT id, "
            "window[1:] against the input window[:-1]",
        ),
        (
            (targets, inputs),
            "inputs and targets are swapped: the input is window[:-1] (the first seq_len ids) "
            "and the target window[1:] (the same ids moved one step on)",
        ),
        (
            (inputs, inputs + 1),
            "the targets are the input ids plus one; a target is the id of the NEXT character "
            "in the text, window[1:], whatever its value",
        ),
        (
            (short[:, :-1], short[:, 1:]),
            "your windows hold seq_len ids, which gives only seq_len - 1 pairs; cut windows of "
            "seq_len + 1 ids so that inputs and targets have seq_len positions each",
        ),
        (
            (by_t[:, :-1], by_t[:, 1:]),
            "your windows start every seq_len ids, so each shares its last id with the next; "
            "like tf.data's batch(seq_len + 1), start a new window every seq_len + 1 ids",
        ),
        (
            (sliding[:, :-1], sliding[:, 1:]),
            "your windows overlap (a new one starts at every id); the pipeline cuts "
            "non-overlapping windows, one every seq_len + 1 ids",
        ),
        (
            (padded[:, :-1], padded[:, 1:]),
            "the last, incomplete window must be dropped (drop_remainder=True), not padded: "
            "keep len(ids) // (seq_len + 1) windows",
        ),
    ]


def _same_pair(got: tuple[Any, Any], wrong: tuple[np.ndarray, ...]) -> bool:
    for value, expected in zip(got, wrong, strict=True):
        array = np.asarray(value) if isinstance(value, np.ndarray) else None
        if array is None or array.shape != expected.shape:
            return False
        if not np.array_equal(array, expected):
            return False
    return True


def _window_pair(value: Any) -> tuple[Any, Any]:
    if value is None:
        raise Hint("shifted_windows returned None: did you forget the `return` statement?")
    if isinstance(value, np.ndarray) and value.ndim == 3 and value.shape[0] == 2:
        raise Hint(
            "shifted_windows returned one stacked array; return the two arrays as a tuple: "
            "`return inputs, targets`"
        )
    if not isinstance(value, tuple | list) or len(value) != 2:
        got = type(value).__name__
        if isinstance(value, tuple | list):
            got += f" of {len(value)} items"
        raise Hint(f"shifted_windows returned a {got}; return two arrays: `return inputs, targets`")
    return value[0], value[1]


def _judge_windows(value: Any, ids: np.ndarray, seq_len: int) -> None:
    from rnncourse.checks._core import expect_array

    inputs, targets = _reference_windows(ids, seq_len)
    got = _window_pair(value)
    for wrong, hint in _window_mistakes(ids, seq_len):
        if _same_pair((inputs, targets), wrong):  # this case cannot tell the mistake apart
            continue
        if _same_pair(got, wrong):
            raise Hint(f"with {len(ids)} ids and seq_len = {seq_len}: {hint}")
    case = f"with {len(ids)} ids and seq_len = {seq_len}"
    for part, expected in zip(got, (inputs, targets), strict=True):
        what = "inputs" if expected is inputs else "targets"
        empty = (
            "a text shorter than one window gives no window: return arrays of shape "
            "(0, seq_len), for example with .reshape(-1, seq_len + 1)"
            if len(expected) == 0
            else "expected len(ids) // (seq_len + 1) windows of seq_len positions each"
        )
        array = expect_array(part, f"{what} ({case})", expected.shape, empty)
        if not (np.issubdtype(np.asarray(part).dtype, np.integer)):
            raise Hint(
                f"{what} have dtype {np.asarray(part).dtype}; ids are integers (an Embedding "
                "layer and the loss index with them): keep the dtype of `ids`"
            )
        if not np.array_equal(array, expected):
            where = tuple(int(i) for i in np.argwhere(array != expected)[0])
            raise Hint(
                f"{what} {case} differ from window[{'1:' if what == 'targets' else ':-1'}] at "
                f"index {where}: got {int(array[where])}, expected {int(expected[where])}; "
                f"window k is ids[k * (seq_len + 1) : (k + 1) * (seq_len + 1)]"
            )


@exercise_check("shifted_windows")
def shifted_windows(learner: Callable[..., Any]) -> str:
    """Check `shifted_windows(ids, seq_len) -> (inputs, targets)`.

    ids: a 1-D integer NumPy array; seq_len: an int >= 1. Cut ids into consecutive,
    non-overlapping windows of seq_len + 1 ids (window k = ids[k (seq_len + 1) : (k + 1)
    (seq_len + 1)]), drop the incomplete remainder, and return inputs = every window without its
    last id and targets = every window without its first, both integer arrays of shape
    (len(ids) // (seq_len + 1), seq_len). Prints one line; returns True when it passes.
    """
    for seed, (length, seq_len) in enumerate(_WINDOW_CASES):
        ids = _window_ids(length, seed)
        _judge_windows(call(learner, ids, seq_len), ids, seq_len)
    return (
        "non-overlapping windows of seq_len + 1 ids, targets = inputs shifted by one, the "
        f"remainder dropped ({len(_WINDOW_CASES)} cases, including seq_len = 1 and a text "
        "shorter than one window)."
    )
