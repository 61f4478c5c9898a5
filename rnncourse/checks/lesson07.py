"""Checks for lesson 07, "Word-level language models and perplexity": to_ids, perplexity,
unigram_nll, bigram_nll.

Notation (COURSE_GUIDE section 6): a token stream is a 1-D int array of ids in [0, V), V the
vocabulary size; stoi maps a word to its id and holds "<unk>" (the id of every word outside the
vocabulary, 0 in the lesson) and "<eos>" (end of sentence; in the lesson, end of line: one after every line). A
model's loss L is in nats (natural log); bits = nats / ln 2; perplexity = exp(mean nats) =
2^(mean bits): a uniform model over V words has mean NLL ln V and perplexity V, a perfect model
mean NLL 0 and perplexity 1.

The baselines are fitted on train_ids (N = len(train_ids)) and scored on eval_ids by their mean
negative log-likelihood (NLL) in nats. The add-k unigram: p(w) = (c(w) + k) / (N + k V), c(w)
the count of w in train_ids, averaged over every token of eval_ids. The add-k bigram:
p(b | a) = (c(a, b) + k) / (c(a) + k V), c(a, b) the number of adjacent pairs (train_ids[t],
train_ids[t + 1]) equal to (a, b) and c(a) = sum_b c(a, b), a's count in train_ids[:-1];
averaged over the len(eval_ids) - 1 predictions of eval_ids[t] given eval_ids[t - 1].

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies it and reports a function that changes it in place.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from rnncourse.checks._core import (
    Hint,
    call,
    close,
    exercise_check,
    expect_array,
    expect_close,
    expect_finite,
)

__all__ = ["bigram_nll", "perplexity", "to_ids", "unigram_nll"]

LN2 = math.log(2.0)


def _is_tensor(value: Any) -> bool:
    return not isinstance(value, np.ndarray | np.generic) and hasattr(value, "numpy")


def _number(value: Any, what: str, per_token: int | None = None, unit: str = "token") -> float:
    """Return the learner's result as a Python float (inf and NaN kept for the caller to judge),
    or raise `Hint` when it is not one number. `per_token`: the count of the values a mean is
    taken over (one per `unit`), named when an array of that length comes back."""
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if _is_tensor(value):
        raise Hint(
            f"{what} is a TensorFlow tensor; this exercise is written in NumPy: use NumPy "
            "operations (np.log, np.mean, np.exp), or convert the result with float(...)"
        )
    if isinstance(value, list | tuple):
        raise Hint(
            f"{what} is a Python {type(value).__name__}; return one number (a float), for "
            "example float(np.mean(...))"
        )
    if isinstance(value, np.ndarray) and value.shape != ():
        if per_token is not None and value.shape == (per_token,):
            raise Hint(
                f"{what} is an array of {per_token} values, one per {unit}: return their mean, "
                "one number"
            )
        raise Hint(f"{what} is an array of shape {value.shape}; return one number (a float)")
    if isinstance(value, np.ndarray | np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Hint(f"{what} has type {type(value).__name__}; return one number (a float)")
    return float(value)


def _signature_advice(signature: str) -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        if isinstance(exc, TypeError) and "positional argument" in str(exc):
            return f"The signature is {signature}: k is the fourth argument, 1.0 by default."
        return ""

    return advice


# --------------------------------------------------------------------------- to_ids


def _to_ids(lines: list[list[str]], stoi: dict[str, int], mistake: str = "") -> np.ndarray:
    """The reference (no mistake) and the catalogue's mistakes of `to_ids`."""
    unk, eos = stoi["<unk>"], stoi["<eos>"]
    out: list[int] = []
    for line in lines:
        if mistake == "empty skipped" and not line:
            continue
        ids = [stoi.get(w, unk) for w in line if mistake != "unknown dropped" or w in stoi]
        if mistake == "eos before":
            out += [eos, *ids]
        elif mistake in ("no eos", "eos once"):
            out += ids
        else:
            out += [*ids, eos]
    if mistake == "eos once":
        out.append(eos)
    return np.array(out, dtype=np.int64)


#: Mistakes with their hints, in the order they are tried (the first match wins).
TO_IDS_MISTAKES: list[tuple[str, str]] = [
    (
        "no eos",
        'the end-of-line token <eos> is missing: append stoi["<eos>"] after the ids of every '
        "line, so that the model learns where a sentence ends (and the stream keeps the line "
        "breaks when the lines are concatenated).",
    ),
    (
        "eos before",
        'the <eos> comes BEFORE each line: it ends a line, so put stoi["<eos>"] after the '
        "line's ids, [ids of the words..., eos].",
    ),
    (
        "unknown dropped",
        'the words that are not in stoi were dropped: each of them gets stoi["<unk>"], '
        'stoi.get(word, stoi["<unk>"]), so that the stream keeps one id per word and the '
        "model is scored on the rare words too.",
    ),
    (
        "eos once",
        'there is one <eos> at the end of the whole stream; put stoi["<eos>"] after EVERY '
        "line, one per line.",
    ),
    (
        "empty skipped",
        'an empty line was skipped: it still ends, so it gives one id, stoi["<eos>"] (a line '
        "[] -> [eos]).",
    ),
]

TO_IDS_KEY_ERROR = (
    "{word!r} is not in stoi, so stoi[{word!r}] raises KeyError: a word outside the vocabulary "
    'gets the id of "<unk>", stoi.get(word, stoi["<unk>"]).'
)
TO_IDS_UNK_ID = (
    "the words that are not in stoi (such as {word!r}) got id {got}, but here "
    'stoi["<unk>"] = {unk}: look the id up, stoi["<unk>"], instead of writing a number.'
)
TO_IDS_EOS_ID = (
    'the <eos> after each line got id {got}, but here stoi["<eos>"] = {eos}: look the id up, '
    'stoi["<eos>"], instead of writing a number.'
)
TO_IDS_PER_LINE = (
    "one list of ids per line came back; return ONE flat 1-D stream, the ids of every line one "
    "after another (extend a single list, or np.concatenate the lines' arrays)."
)


def _to_ids_cases() -> list[tuple[str, list[list[str]], dict[str, int]]]:
    """(label, lines, stoi) per case. Every word is lowercase (to_ids does not change case)."""
    small = {"<unk>": 0, "<eos>": 1, "the": 2, "cat": 3, "sat": 4, "on": 5, "mat": 6}
    small |= {"a": 7, "dog": 8}
    permuted = {"the": 0, "of": 1, "<eos>": 2, "and": 3, "in": 4, "<unk>": 5, "to": 6}
    permuted |= {"a": 7, "was": 8, "is": 9}
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(48)]
    vocab = {w: i for i, w in enumerate(words[:17] + ["<unk>"] + words[17:31] + ["<eos>"])}
    longer = [
        [str(w) for w in rng.choice(words, size=int(n))] for n in rng.integers(0, 12, size=300)
    ]
    return [
        (
            "4 lines with an unknown word ('zebra') and an empty line",
            [["the", "cat", "sat", "on", "the", "mat"], ["a", "zebra", "sat"], [], ["the", "dog"]],
            small,
        ),
        (
            'stoi["<unk>"] = 5 and stoi["<eos>"] = 2, unknown words, a literal "<unk>" word and '
            "an empty last line",
            [
                ["the", "quokka", "was", "in", "a", "tree"],
                ["<unk>", "of", "the", "<unk>"],
                ["zyzzyva", "xylem"],
                ["and", "to", "is"],
                [],
            ],
            permuted,
        ),
        (
            '300 lines, 48 distinct words of which 17 are unknown, stoi["<unk>"] = 17, '
            'stoi["<eos>"] = 32',
            longer,
            vocab,
        ),
        ("no lines at all (an empty stream)", [], small),
    ]


def _to_ids_advice(stoi: dict[str, int]) -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
            if exc.args[0] not in stoi:
                return TO_IDS_KEY_ERROR.format(word=exc.args[0])
        if isinstance(exc, ValueError) and "concatenate" in str(exc):
            return (
                "With no lines there is nothing to concatenate: return an empty integer array, "
                "np.array([], dtype=np.int64), or build one list and convert it once."
            )
        return ""

    return advice


def _id_stream(value: Any, what: str) -> np.ndarray:
    """Return the learner's ids as a 1-D int64 array, or raise `Hint`."""
    if value is None:
        raise Hint(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, str | bytes):
        raise Hint(f"{what} is a string; return the ids, a 1-D integer array")
    nested = isinstance(value, list | tuple) and any(
        isinstance(item, list | tuple) or np.ndim(item) > 0
        for item in value
        if isinstance(item, list | tuple | np.ndarray)
    )
    if nested:
        raise Hint(f"{what}: {TO_IDS_PER_LINE}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value)
    except Exception as exc:
        raise Hint(
            f"{what} has type {type(value).__name__}, which is not an array of ids; return a "
            "1-D integer array (a list of ints is fine too)"
        ) from exc
    if array.ndim != 1:
        extra = TO_IDS_PER_LINE if array.ndim > 1 else "return a 1-D array of ids"
        raise Hint(f"{what} has shape {array.shape}: {extra}")
    if array.size == 0:
        return array.astype(np.int64) if array.dtype.kind in "iuf" else _bad_dtype(array, what)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    return _bad_dtype(array, what)


def _bad_dtype(array: np.ndarray, what: str) -> np.ndarray:
    kind = array.dtype.kind
    if kind in "USO" and any(isinstance(item, str) for item in array.tolist()):
        raise Hint(f"{what} holds words (strings); look each one up in stoi and return the ids")
    if kind == "f":
        raise Hint(
            f"{what} has dtype {array.dtype}; ids are integers (an Embedding indexes with them): "
            "np.array(ids, dtype=np.int64). np.array([]) is float64, and concatenating onto it "
            "turns every id into a float."
        )
    raise Hint(f"{what} has dtype {array.dtype}; return integer ids")


def _to_ids_difference(got: np.ndarray, lines: list[list[str]], stoi: dict[str, int]) -> str:
    """The hint when `got` is none of the catalogued mistakes: what differs, and where."""
    expected = _to_ids(lines, stoi)
    words = sum(len(line) for line in lines)
    if len(got) != len(expected):
        return (
            f"got {len(got)} ids, expected {len(expected)}: one id per word ({words} words) and "
            f'one stoi["<eos>"] after each of the {len(lines)} lines, an empty line included.'
        )
    places = [(i, j, w) for i, line in enumerate(lines) for j, w in enumerate([*line, None])]
    wrong = np.flatnonzero(got != expected)
    unknown = {k for k, (_, _, w) in enumerate(places) if w is not None and w not in stoi}
    ends = {k for k, (_, _, w) in enumerate(places) if w is None}
    values = {int(got[k]) for k in wrong}
    if len(values) == 1 and set(wrong.tolist()) == unknown:
        word = places[min(unknown)][2]
        return TO_IDS_UNK_ID.format(word=word, got=values.pop(), unk=stoi["<unk>"])
    if len(values) == 1 and set(wrong.tolist()) == ends:
        return TO_IDS_EOS_ID.format(got=values.pop(), eos=stoi["<eos>"])
    k = int(wrong[0])
    line, position, word = places[k]
    token = "the <eos> of" if word is None else f"word {position} ({word!r}) of"
    return (
        f"at index {k}, {token} line {line}: got id {int(got[k])}, expected {int(expected[k])}. "
        'Each word gets stoi.get(word, stoi["<unk>"]), and each line ends with stoi["<eos>"].'
    )


def _judge_to_ids(
    learner: Callable[..., Any], label: str, lines: list[list[str]], stoi: dict[str, int]
) -> None:
    where = f"on {label}: "
    result = call(learner, lines, stoi, where=where, on_error=_to_ids_advice(stoi))
    got = _id_stream(result, f"to_ids(lines, stoi) {where.rstrip(': ')}")
    expected = _to_ids(lines, stoi)
    if np.array_equal(got, expected):
        return
    for name, hint in TO_IDS_MISTAKES:
        wrong = _to_ids(lines, stoi, name)
        if not np.array_equal(wrong, expected) and np.array_equal(got, wrong):
            raise Hint(where + hint)
    raise Hint(where + _to_ids_difference(got, lines, stoi))


@exercise_check("to_ids")
def to_ids(learner: Callable[..., Any]) -> str:
    """Check `to_ids(lines, stoi) -> ids`, a text turned into one stream of token ids.

    lines: a list of lines, each a list of word strings (tokenised, without "<eos>"); stoi: a
    dict word -> id holding "<unk>" and "<eos>". Returns a 1-D integer array (a list of ints is
    accepted): for every line in order, the ids of its words, then stoi["<eos>"] (one after every
    line; an empty line gives just the <eos>); a word not in stoi gets stoi["<unk>"]. lines and
    stoi are left unchanged. Judged on short texts with unknown words and empty lines, on a stoi
    whose <unk> and <eos> ids are not 0 and 1, on 300 lines, and on no lines at all. Prints one
    line; returns True when it passes.
    """
    cases = _to_ids_cases()
    for label, lines, stoi in cases:
        _judge_to_ids(learner, label, lines, stoi)
    return (
        'the ids of every line followed by stoi["<eos>"], unknown words as stoi["<unk>"], '
        f"empty lines kept ({len(cases)} cases, <unk> and <eos> ids looked up, no lines at all)."
    )


# --------------------------------------------------------------------------- perplexity


def _perplexity(mean_nll: Any, mistake: str = "") -> np.ndarray:
    """The reference (no mistake) and the catalogue's mistakes of `perplexity`, in float64."""
    x = np.asarray(mean_nll, dtype=np.float64)
    with np.errstate(all="ignore"):
        return {
            "": np.exp,
            "base 2": lambda v: 2.0**v,
            "negative": lambda v: np.exp(-v),
            "identity": lambda v: v,
            "base 10": lambda v: 10.0**v,
            "mixed bases": lambda v: np.exp(v / LN2),
            "log": np.log,
        }[mistake](x)


PERPLEXITY_SANITY = (
    "perplexity = exp(mean nats): a uniform model over V words has mean NLL ln V and perplexity "
    "V, a perfect model mean NLL 0 and perplexity 1."
)

#: Mistakes with their hints, in the order they are tried (the first match wins).
PERPLEXITY_MISTAKES: list[tuple[str, str]] = [
    (
        "base 2",
        "you computed 2 ** mean_nll, which treats the nats as bits: perplexity = exp(mean nats) "
        "= 2^(mean bits), and mean_nll is in nats (the natural log, as Keras's loss). Use "
        "np.exp(mean_nll).",
    ),
    (
        "negative",
        "exp(-mean_nll) is the geometric mean of the probabilities given to the targets (at "
        "most 1), the inverse of the perplexity: perplexity = exp(+mean nats) >= 1, e.g. V "
        "for a uniform model over V words.",
    ),
    (
        "identity",
        "you returned the mean NLL itself: perplexity = exp(mean nats), e.g. exp(ln V) = V for "
        "a uniform model over V words and exp(0) = 1 for a perfect one.",
    ),
    (
        "base 10",
        "10 ** mean_nll treats the loss as a base-10 logarithm; it is in nats (the natural "
        "log): perplexity = exp(mean nats), np.exp(mean_nll).",
    ),
    (
        "mixed bases",
        "you converted the nats to bits (mean_nll / ln 2) and then exponentiated with e: the "
        "base of the power must match the base of the log, perplexity = exp(mean nats) = "
        "2^(mean bits).",
    ),
    (
        "log",
        "you took the logarithm of the loss; the loss is already a mean of -ln p, and the "
        "perplexity undoes the log: perplexity = exp(mean nats), np.exp(mean_nll).",
    ),
]

PERPLEXITY_MATH_EXP = (
    "mean_nll can be a NumPy array (one mean NLL per epoch, say): use np.exp, which works "
    "elementwise; math.exp takes one number."
)
PERPLEXITY_REDUCED = (
    "one number came back for an array of mean NLLs: perplexity is elementwise, "
    "np.exp(mean_nll), one perplexity per entry; each entry is already a mean, so do not "
    "average again."
)


def _perplexity_cases() -> list[tuple[str, Any]]:
    """(label, mean_nll) per case: the sanity values first, then large values and arrays."""
    return [
        ("a uniform model over V = 10,000 words (mean NLL ln 10000 nats)", math.log(10000.0)),
        ("a perfect model (mean NLL 0 nats)", 0.0),
        ("a mean NLL of 4.6 nats as np.float32", np.float32(4.6)),
        ("a mean NLL of 50 nats (perplexity 5.2e21, still finite)", np.float64(50.0)),
        (
            "a 1-D float64 array of mean NLLs",
            np.array([0.0, LN2, 1.0, 4.6, math.log(10000.0), 50.0]),
        ),
        ("a (2, 3) float32 array", np.array([[0.5, 2.0, 3.25], [5.5, 7.0, 0.0]], np.float32)),
    ]


def _perplexity_advice(is_array: bool) -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        return PERPLEXITY_MATH_EXP if is_array and isinstance(exc, TypeError) else ""

    return advice


def _judge_perplexity(learner: Callable[..., Any], label: str, mean_nll: Any) -> None:
    where = f"on {label}: "
    shape = np.shape(mean_nll)
    result = call(learner, mean_nll, where=where, on_error=_perplexity_advice(shape != ()))
    what = f"perplexity(mean_nll) {where.rstrip(': ')}"
    expected = _perplexity(mean_nll)
    mistakes = [
        (wrong, hint)
        for wrong, hint in ((_perplexity(mean_nll, n), h) for n, h in PERPLEXITY_MISTAKES)
        if not close(wrong, expected)
    ]
    if shape:
        one = isinstance(result, numbers.Real | np.generic) and not isinstance(result, bool)
        if one or (isinstance(result, np.ndarray) and result.shape == ()):
            raise Hint(f"{where}{PERPLEXITY_REDUCED}")
        got = expect_array(result, what, shape)
        expect_close(got, expected, what, [(w, f"{where}{h}") for w, h in mistakes])
        return
    value = _number(result, what)
    x, want = float(mean_nll), float(expected)
    if close(value, want):
        return
    said = f"{where}perplexity({x:g}) returned {value:.6g}, expected exp({x:g}) = {want:.6g}: "
    for wrong, hint in mistakes:
        if close(value, wrong):
            raise Hint(said + hint)
    expect_finite(value, what)
    raise Hint(said + PERPLEXITY_SANITY)


@exercise_check("perplexity")
def perplexity(learner: Callable[..., Any]) -> str:
    """Check `perplexity(mean_nll) -> exp(mean_nll)`.

    mean_nll: a mean negative log-likelihood in nats, a Python float or NumPy scalar, or a NumPy
    array (then elementwise, the same shape back). Returns exp(mean_nll): a float for a number
    (math.exp is fine there), an array for an array. Judged on the sanity values (a uniform
    model over V = 10,000 words, ln V nats -> V; a perfect model, 0 -> 1), on float32 and on 50
    nats, and on 1-D and 2-D arrays. Prints one line; returns True when it passes.
    """
    cases = _perplexity_cases()
    for label, mean_nll in cases:
        _judge_perplexity(learner, label, mean_nll)
    return (
        "exp(mean nats): ln V -> V for a uniform model, 0 -> 1 for a perfect one, 50 nats, "
        "float32, and elementwise on arrays."
    )


# --------------------------------------------------------------------------- unigram_nll


def _finish(nll: np.ndarray, mistake: str, predictions: int) -> float:
    """The mean NLL in nats of the per-token values `nll`, or the catalogue's mistakes of the
    last step (sum, bits, perplexity, dividing by one too many)."""
    if mistake == "sum":
        return float(nll.sum())
    if mistake == "count":
        return float(nll.sum() / (predictions + 1))
    value = float(nll.mean())
    if mistake == "bits":
        return value / LN2
    if mistake == "perplexity":
        return math.exp(value) if value < 700 else math.inf
    return value


def _unigram(train_ids: Any, eval_ids: Any, V: int, k: float, mistake: str = "") -> float:
    """The reference (no mistake) and the catalogue's mistakes of `unigram_nll`."""
    train = np.asarray(train_ids, dtype=np.int64)
    scored = np.asarray(eval_ids, dtype=np.int64)
    fitted = scored if mistake == "eval counts" else train
    counts = np.bincount(fitted, minlength=V).astype(np.float64)
    N = len(fitted)
    k = 1.0 if mistake == "k ignored" else k
    size = len(np.unique(train)) if mistake == "V from data" else V
    with np.errstate(all="ignore"):
        if mistake == "no smoothing":
            p = counts / N
        elif mistake == "only seen":
            p = np.where(counts > 0, (counts + k) / (N + k * size), 0.0)
        elif mistake == "denominator N":
            p = (counts + k) / N
        else:
            p = (counts + k) / (N + k * size)
        return _finish(-np.log(p[scored]), mistake, len(scored))


_BITS = (
    "your value is the reference / ln 2, the NLL in bits (np.log2). The course measures in "
    "nats (np.log): bits = nats / ln 2, and perplexity = exp(mean nats) = 2^(mean bits), so "
    "bits exponentiated with e give a wrong perplexity."
)
_PERPLEXITY_RETURNED = (
    "that is exp(mean NLL), the perplexity; return the mean NLL in nats (perplexity(...) turns "
    "it into a perplexity)."
)
_K_IGNORED = (
    "your value is the one for k = 1, not for the k passed: use the argument k (its default "
    "is 1.0), not a fixed 1."
)
_V_FROM_DATA = (
    "the vocabulary size is the argument V, not the number of distinct ids in train_ids (or "
    "their max + 1): the vocabulary also holds words that never occur in training, and each of "
    "them gets k in the denominator, {denominator}."
)

#: Mistakes with their hints, in the order they are tried (the first match wins).
UNIGRAM_MISTAKES: list[tuple[str, str]] = [
    (
        "only seen",
        "your mean NLL is infinite: smoothing only the seen words (k added only where c(w) > "
        "0) leaves a token of eval_ids that never occurs in train_ids at probability 0 (log 0 = "
        "-inf). Add k to the "
        "count of EVERY one of the V words, seen or not: p(w) = (c(w) + k) / (N + k V), e.g. "
        "np.bincount(train_ids, minlength=V) + k.",
    ),
    (
        "no smoothing",
        "k is not used: c(w) / N is the unsmoothed estimate, which gives a word unseen in "
        "train_ids probability 0 and an infinite NLL on new text. Add k: p(w) = (c(w) + k) / "
        "(N + k V).",
    ),
    (
        "denominator N",
        "the probabilities do not sum to 1: you divided by N = len(train_ids), but with k "
        "added to each of the V counts the total is N + k V: p(w) = (c(w) + k) / (N + k V).",
    ),
    ("bits", _BITS),
    (
        "eval counts",
        "the counts come from eval_ids: that is a model fitted on the very tokens it is scored "
        "on, which says nothing about new text. Count c(w) (and N) in train_ids, score "
        "eval_ids.",
    ),
    ("sum", "that is the SUM of the NLLs of the eval tokens; return their mean."),
    ("perplexity", _PERPLEXITY_RETURNED),
    ("k ignored", _K_IGNORED),
    ("V from data", _V_FROM_DATA.format(denominator="N + k V")),
]

UNIGRAM_SIGNATURE = "unigram_nll(train_ids, eval_ids, V, k=1.0)"

#: (label, train_ids, eval_ids, V, k or None for the default).
_NllCase = tuple[str, np.ndarray, np.ndarray, int, float | None]


def _zipf_ids(rng: np.random.Generator, size: int, V: int, a: float = 1.3) -> np.ndarray:
    """`size` ids in [0, V) with a word-like (Zipf) distribution, shuffled over the ids."""
    ranks = np.minimum(rng.zipf(a, size=size) - 1, V - 1)
    return rng.permutation(V)[ranks]


def _unigram_cases() -> list[_NllCase]:
    rng = np.random.default_rng(70)
    seen = np.array([0, 1, 2, 3, 4, 5] * 3 + list(rng.integers(0, 6, 22)))  # every one of 0..5
    unseen_eval = np.concatenate([rng.integers(0, 9, 14), [9, 11, 9]])
    medium = _zipf_ids(rng, 50_000, 5000)
    return [
        (
            "V = 8, every word of eval_ids seen in train_ids (default k)",
            rng.permutation(seen),
            rng.integers(0, 6, 15),
            8,
            None,
        ),
        (
            "V = 12, eval_ids holding words (9 and 11) that never occur in train_ids",
            np.concatenate([np.arange(9), rng.integers(0, 9, 31)]),
            rng.permutation(unseen_eval),
            12,
            None,
        ),
        (
            "k = 0.5, int32 ids, V = 20",
            rng.integers(0, 15, 60).astype(np.int32),
            rng.integers(0, 20, 25).astype(np.int32),
            20,
            0.5,
        ),
        (
            "k = 0.1, one eval token unseen in train_ids",
            rng.integers(0, 4, 12),
            np.array([6]),
            7,
            0.1,
        ),
        (
            "k = 0, the unsmoothed estimate (every word of eval_ids seen in train_ids)",
            np.concatenate([np.arange(5), rng.integers(0, 5, 20)]),
            rng.integers(0, 5, 10),
            9,
            0.0,
        ),
        (
            "V = 5000, 50,000 training ids, 10,000 eval ids (Zipf-like)",
            medium,
            _zipf_ids(rng, 10_000, 5000),
            5000,
            None,
        ),
    ]


def _count_advice(kind: str, signature: str) -> Callable[[Exception], str]:
    """Advice for the errors of counting in a dict or an array of the wrong size."""
    default = _signature_advice(signature)

    def advice(exc: Exception) -> str:
        if isinstance(exc, KeyError):
            return (
                f"A {kind} of eval_ids that never occurs in train_ids is not in your counts: "
                "its count is 0, counts.get(key, 0), and add-k still gives it a probability > 0."
            )
        if isinstance(exc, IndexError):
            return (
                "An index past the end: ids run from 0 to V - 1, and eval_ids can hold ids that "
                "train_ids never has, so size the counts by the argument V (np.bincount(ids, "
                "minlength=V), or V x V for pairs); a pair (ids[t], ids[t + 1]) has t <= "
                "len(ids) - 2."
            )
        if isinstance(exc, ZeroDivisionError):
            return (
                "A division by zero: a count can be 0 (a word or context never seen in "
                "train_ids); the add-k denominator keeps k V in it, so it is never 0 for k > 0."
            )
        return default(exc)

    return advice


def _judge_nll(
    learner: Callable[..., Any],
    name: str,
    reference: Callable[..., float],
    table: list[tuple[str, str]],
    case: _NllCase,
    predictions: int,
) -> None:
    """Call the learner on one case and compare its mean NLL with the reference and the
    catalogue; the fallback hints are `name`'s own."""
    label, train, scored, V, k = case
    args = (train, scored, V) if k is None else (train, scored, V, k)
    where = f"on {label}: "
    kind = "pair" if name == "bigram_nll" else "word"
    signature = BIGRAM_SIGNATURE if name == "bigram_nll" else UNIGRAM_SIGNATURE
    result = call(learner, *args, where=where, on_error=_count_advice(kind, signature))
    what = f"{name}(train_ids, eval_ids, V{'' if k is None else ', k'}) {where.rstrip(': ')}"
    got = _number(result, what, predictions, "prediction" if kind == "pair" else "token")
    smoothing = 1.0 if k is None else k
    expected = reference(train, scored, V, smoothing)
    if close(got, expected):
        return
    said = f"{where}got {got:.6g}, expected {expected:.6g} nats: "
    for mistake, hint in table:
        wrong = reference(train, scored, V, smoothing, mistake)
        if not close(wrong, expected) and close(got, wrong):
            raise Hint(said + hint)
    if not math.isfinite(got):
        raise Hint(said + (BIGRAM_NOT_FINITE if kind == "pair" else UNIGRAM_NOT_FINITE))
    formula = (
        "p(b | a) = (c(a, b) + k) / (c(a) + k V), c(a) counted in train_ids[:-1], averaged over "
        "the len(eval_ids) - 1 predictions"
        if kind == "pair"
        else "p(w) = (c(w) + k) / (N + k V), c(w) counted in train_ids, averaged over eval_ids"
    )
    raise Hint(
        f"{said}the right value is the mean of -ln p with {formula} (N = {len(train)}, V = {V}, k = "
        f"{smoothing:g}; for scale, a uniform model over V words gives ln V = "
        f"{math.log(V):.4g} nats)."
    )


UNIGRAM_NOT_FINITE = (
    "some token got probability 0 (log 0 = -inf) or 0 / 0 was computed. With add-k every one "
    "of the V words has p(w) = (c(w) + k) / (N + k V) > 0 for k > 0."
)


@exercise_check("unigram_nll")
def unigram_nll(learner: Callable[..., Any]) -> str:
    """Check `unigram_nll(train_ids, eval_ids, V, k=1.0) -> mean NLL in nats`.

    train_ids, eval_ids: 1-D int arrays of ids in [0, V); V the vocabulary size; k >= 0. Fit the
    add-k unigram on train_ids, p(w) = (c(w) + k) / (N + k V) with N = len(train_ids), and return
    the mean of -ln p(w) over every token of eval_ids (a Python float or NumPy scalar). Judged
    with the default k and with k = 0.5, 0.1 and 0 (the unsmoothed estimate), on eval words
    unseen in training, int32 ids, one eval token, and V = 5000 with 50,000 training ids. Prints
    one line; returns True when it passes.
    """
    cases = _unigram_cases()
    for case in cases:
        _judge_nll(learner, "unigram_nll", _unigram, UNIGRAM_MISTAKES, case, len(case[2]))
    return (
        "the add-k unigram (c(w) + k) / (N + k V) fitted on train_ids, mean NLL in nats over "
        f"eval_ids ({len(cases)} cases: unseen words, k = 0 to 1, V up to 5000)."
    )


# --------------------------------------------------------------------------- bigram_nll


def _pair_lookup(first: np.ndarray, second: np.ndarray, V: int) -> Callable[..., np.ndarray]:
    """Return c(a, b) for arrays of queries (a, b): the pairs (first[t], second[t]) counted once
    as codes a V + b, without a V x V matrix."""
    codes, counts = np.unique(first * V + second, return_counts=True)

    def lookup(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if len(codes) == 0:
            return np.zeros(len(a))
        query = a * V + b
        at = np.minimum(np.searchsorted(codes, query), len(codes) - 1)
        return np.where(codes[at] == query, counts[at], 0).astype(np.float64)

    return lookup


def _bigram(train_ids: Any, eval_ids: Any, V: int, k: float, mistake: str = "") -> float:
    """The reference (no mistake) and the catalogue's mistakes of `bigram_nll`."""
    train = np.asarray(train_ids, dtype=np.int64)
    scored = np.asarray(eval_ids, dtype=np.int64)
    if mistake in ("unigram", "unigram all"):
        return _unigram(train, scored[1:] if mistake == "unigram" else scored, V, k)
    fitted = scored if mistake == "eval counts" else train
    k = 1.0 if mistake == "k ignored" else k
    size = len(np.unique(train)) if mistake == "V from data" else V
    if mistake == "wrap":
        a, b, prev, nxt = fitted, np.roll(fitted, -1), scored, np.roll(scored, -1)
    else:
        a, b, prev, nxt = fitted[:-1], fitted[1:], scored[:-1], scored[1:]
    if mistake == "reversed":
        pair = _pair_lookup(a, b, V)(nxt, prev)
    else:
        pair = _pair_lookup(a, b, V)(prev, nxt)
    if mistake == "whole stream":
        context = np.bincount(fitted, minlength=V)[prev]
    elif mistake == "transposed":
        context = np.bincount(b, minlength=V)[nxt]
    else:
        context = np.bincount(a, minlength=V)[prev]
    context = context.astype(np.float64)
    with np.errstate(all="ignore"):
        if mistake == "no smoothing":
            p = pair / context
        elif mistake == "only seen":
            p = np.where(pair > 0, (pair + k) / (context + k * size), 0.0)
        elif mistake == "denominator":
            p = (pair + k) / context
        else:
            p = (pair + k) / (context + k * size)
        return _finish(-np.log(p), mistake, len(prev))


#: Mistakes with their hints, in the order they are tried (the first match wins).
BIGRAM_MISTAKES: list[tuple[str, str]] = [
    (
        "only seen",
        "your mean NLL is infinite: smoothing only the seen pairs (k added only where c(a, b) > "
        "0) leaves a pair of eval_ids that never occurs in train_ids at probability 0 (log 0 = "
        "-inf). Add k to the "
        "count of EVERY pair, seen or not: p(b | a) = (c(a, b) + k) / (c(a) + k V), so that an "
        "unseen pair gets k / (c(a) + k V) > 0.",
    ),
    (
        "no smoothing",
        "k is not used: c(a, b) / c(a) is the unsmoothed estimate, which gives every pair unseen "
        "in train_ids probability 0 (an infinite NLL on new text) and is 0 / 0 for a context "
        "that starts no pair. Add k: p(b | a) = (c(a, b) + k) / (c(a) + k V).",
    ),
    (
        "denominator",
        "the denominator lacks k V: with k added to each of the V counts c(a, b) of a context "
        "a, they sum to c(a) + k V, so p(b | a) = (c(a, b) + k) / (c(a) + k V); dividing by "
        "c(a) alone makes the probabilities after a sum to more than 1.",
    ),
    (
        "whole stream",
        "c(a) was counted over the whole of train_ids, but its last token starts no pair: c(a) "
        "= sum over b of c(a, b) is a's count in train_ids[:-1]. With one too many for the "
        "last token's word, its probabilities p(b | a) sum to less than 1.",
    ),
    (
        "transposed",
        "you normalised over the wrong token: p(b | a) divides c(a, b) by c(a), the number of "
        "pairs that START with a (the row sum, counts.sum(axis=1) of a matrix counts[a, b]); "
        "dividing by the number of pairs that end with b (axis=0) gives p(a | b).",
    ),
    (
        "reversed",
        "the pair is read backwards: the prediction of eval_ids[t] given a = eval_ids[t - 1] "
        "uses c(a, b), the count of a FOLLOWED by b = eval_ids[t] (counts[a, b] with a the "
        "earlier token), not c(b, a).",
    ),
    ("bits", _BITS),
    (
        "unigram",
        "that is the add-k UNIGRAM NLL, (c(b) + k) / (N + k V), which ignores the token before: "
        "a bigram conditions on it, p(b | a) = (c(a, b) + k) / (c(a) + k V) with the pairs of "
        "train_ids.",
    ),
    (
        "unigram all",
        "that is the add-k UNIGRAM NLL of every token of eval_ids: a bigram predicts "
        "eval_ids[t] from eval_ids[t - 1], p(b | a) = (c(a, b) + k) / (c(a) + k V), for t = 1 "
        "to len(eval_ids) - 1.",
    ),
    (
        "wrap",
        "your pairs wrap around the end (np.roll): (ids[-1], ids[0]) is not a pair of the text. "
        "The pairs are (ids[t], ids[t + 1]) for t = 0 to len(ids) - 2, ids[:-1] with ids[1:], in "
        "train_ids and in eval_ids: len(eval_ids) - 1 predictions.",
    ),
    (
        "count",
        "you divided the sum by len(eval_ids), but there are len(eval_ids) - 1 predictions: "
        "eval_ids[0] has no token before it and is not predicted.",
    ),
    (
        "eval counts",
        "the counts come from eval_ids: that is a model fitted on the very text it is scored "
        "on, which says nothing about new text. Count the pairs (and c(a)) in train_ids, score "
        "eval_ids.",
    ),
    (
        "sum",
        "that is the SUM of the NLLs of the len(eval_ids) - 1 predictions; return their mean.",
    ),
    ("perplexity", _PERPLEXITY_RETURNED),
    ("k ignored", _K_IGNORED),
    ("V from data", _V_FROM_DATA.format(denominator="c(a) + k V")),
]

BIGRAM_SIGNATURE = "bigram_nll(train_ids, eval_ids, V, k=1.0)"
BIGRAM_NOT_FINITE = (
    "some prediction got probability 0 (log 0 = -inf) or 0 / 0 was computed (a context a "
    "that starts no pair in train_ids has c(a) = 0). With add-k every pair has p(b | a) = "
    "(c(a, b) + k) / (c(a) + k V) > 0 for k > 0."
)


def _bigram_cases() -> list[_NllCase]:
    """The first case has every pair of eval_ids in train_ids and ends train_ids with a frequent
    context of eval_ids (so that counting c(a) over the whole stream shows); the second has
    unseen pairs, an unseen word and a context that starts no pair (only train_ids[-1] is 7)."""
    rng = np.random.default_rng(71)
    medium = _zipf_ids(rng, 30_000, 1000, a=1.2)
    return [
        (
            "V = 6, every pair of eval_ids seen in train_ids (default k)",
            np.array([0, 1, 2, 0, 1, 3, 4, 0, 2, 1, 0, 1, 2, 3, 1, 4, 2, 0, 3, 0]),
            np.array([0, 1, 2, 0, 1, 0, 3, 4, 0, 2, 1, 4]),
            6,
            None,
        ),
        (
            "V = 8, pairs unseen in train_ids, word 6 never seen, context 7 only as "
            "train_ids[-1] (default k)",
            np.array([1, 2, 3, 1, 2, 0, 5, 4, 3, 2, 1, 0, 2, 5, 3, 1, 7]),
            np.array([1, 2, 7, 1, 3, 6, 2, 5, 7, 0, 1]),
            8,
            None,
        ),
        (
            "k = 0.5, int32 ids, V = 15",
            rng.integers(0, 12, 80).astype(np.int32),
            rng.integers(0, 15, 30).astype(np.int32),
            15,
            0.5,
        ),
        (
            "k = 0.2, eval_ids of two ids (one prediction)",
            rng.integers(0, 5, 25),
            np.array([3, 4]),
            5,
            0.2,
        ),
        (
            "V = 1000, 30,000 training ids, 5,000 eval ids (Zipf-like)",
            medium,
            _zipf_ids(rng, 5000, 1000, a=1.2),
            1000,
            None,
        ),
        (
            "k = 0.001 (as the lesson tries), V = 1000, the same 30,000 training ids",
            medium,
            _zipf_ids(rng, 2000, 1000, a=1.2),
            1000,
            0.001,
        ),
    ]


@exercise_check("bigram_nll")
def bigram_nll(learner: Callable[..., Any]) -> str:
    """Check `bigram_nll(train_ids, eval_ids, V, k=1.0) -> mean NLL in nats`.

    train_ids, eval_ids: 1-D int arrays of ids in [0, V), len(eval_ids) >= 2; V the vocabulary
    size; k > 0. Fit the add-k bigram on train_ids, p(b | a) = (c(a, b) + k) / (c(a) + k V) with
    c(a, b) the number of adjacent pairs (train_ids[t], train_ids[t + 1]) equal to (a, b) and
    c(a) = sum_b c(a, b) (a's count in train_ids[:-1]), and return the mean of -ln p over the
    len(eval_ids) - 1 predictions of eval_ids[t] given eval_ids[t - 1] (a Python float or NumPy
    scalar). A dense V x V count matrix is fine (V <= 1000 here). Judged with the default k and
    with k = 0.5 and 0.2, on unseen pairs and words, a context that starts no pair, int32 ids,
    one prediction, and V = 1000 with 30,000 training ids. Prints one line; returns True when it
    passes.
    """
    cases = _bigram_cases()
    for case in cases:
        _judge_nll(learner, "bigram_nll", _bigram, BIGRAM_MISTAKES, case, len(case[2]) - 1)
    return (
        "the add-k bigram (c(a, b) + k) / (c(a) + k V) fitted on the pairs of train_ids, mean "
        f"NLL in nats over the len(eval_ids) - 1 predictions ({len(cases)} cases: unseen pairs, "
        "a context that starts no pair, k down to 0.001, V up to 1000)."
    )
