"""Checks for lesson 08, "Encoder-decoder models and attention": teacher_forcing, greedy_decode,
accuracies.

Conventions of the lesson: a source is a row of word-token ids, a target a row of output-token
ids, both padded with 0 on the right (post-padding); token 0 is pad, and the lesson's start and
end tokens are 1 and 2 (digits are 3..12). The checks pass other start and end ids too (5 and 7,
13 and 14), so a function must use its arguments start_id and end_id. B is the batch size, T the
length of a target row without the end token, V the size of the output vocabulary, and the
decoder's scores at one step are s_t, shape (B, V) (COURSE_GUIDE section 6).

- teacher_forcing(targets, start_id, end_id) -> (decoder_inputs, decoder_targets): targets
  (B, T), each row L >= 1 tokens then T - L pads; both results (B, T + 1) integer arrays,
  decoder_inputs = [start_id, targets], decoder_targets = the row's L tokens, end_id at
  position L, then 0. At step t the decoder reads decoder_inputs[:, t] and predicts
  decoder_targets[:, t].
- greedy_decode(encode, step, sources, start_id, end_id, max_len) -> (B, max_len) integer NumPy
  array: each row's own argmax predictions up to and including its first end_id, then 0. The
  check drives it with a deterministic toy encoder-decoder (NumPy, no Keras) whose step records
  every call and stops the learner's loop with a precise hint at the first misuse (a state not
  carried, a token that is not the previous prediction, a batch of the wrong shape, a step
  beyond max_len). Stopping early once every row has predicted end_id is allowed. A list or a
  float array is not accepted (the lesson compares the result elementwise and indexes the
  vocabulary with it): the hint says how to convert it.
- accuracies(predicted, expected) -> (exact_match, char_accuracy), two floats in [0, 1]:
  exact_match the fraction of pairs with predicted == expected; char_accuracy the characters
  equal at the same position counted from the left, pooled over all pairs, divided by the sum of
  max(len(p), len(e)) (a missing or extra character is one error). Tuples, lists and arrays of
  two numbers are accepted.

The checks keep no state between calls: every input is built afresh for each call and handed to
the learner through `call`, which copies it and reports a function that changes it in place.
"""

from __future__ import annotations

import numbers
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rnncourse.checks._core import Hint, call, close, exercise_check, expect_array

__all__ = ["accuracies", "greedy_decode", "teacher_forcing"]

#: The lesson's ids of the pad, start and end tokens.
PAD, START, END = 0, 1, 2


def _row_text(row: Any) -> str:
    return "[" + ", ".join(str(int(v)) for v in np.asarray(row).ravel()) + "]"


def _int_array(value: Any, what: str, shape: tuple[int, ...], shape_hint: str = "") -> np.ndarray:
    """Return `value` as an int64 array after checking that it is a NumPy integer array of
    `shape`; anything else gets a `Hint` (`shape_hint` appended to a wrong shape's)."""
    if isinstance(value, np.ndarray) and value.shape != shape:
        message = f"{what} has shape {value.shape} but expected {shape}"
        raise Hint(f"{message}: {shape_hint}" if shape_hint else message)
    array = expect_array(value, what, shape, shape_hint)  # None, lists, tensors, NaN, strings
    if value.dtype == np.bool_ or not np.issubdtype(value.dtype, np.integer):
        raise Hint(
            f"{what} has dtype {value.dtype}; token ids are integers (an Embedding and the loss "
            "index with them): build the array with an integer dtype, e.g. np.zeros(shape, "
            "dtype=int) or np.full(shape, start_id), or convert with .astype(int)"
        )
    return array.astype(np.int64)


# --------------------------------------------------------------------------- teacher_forcing


def _lengths(targets: np.ndarray) -> np.ndarray:
    return (np.asarray(targets) != PAD).sum(axis=1)


def _teacher_forcing(
    targets: np.ndarray, start_id: int, end_id: int, mistake: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """The reference (no mistake) and the catalogue's mistakes of `teacher_forcing`."""
    targets = np.asarray(targets, dtype=np.int64)
    batch, steps = targets.shape
    rows, lengths = np.arange(batch), _lengths(targets)
    padded = np.concatenate([targets, np.zeros((batch, 1), np.int64)], axis=1)
    inputs = np.concatenate([np.full((batch, 1), start_id, np.int64), targets], axis=1)
    outputs = padded.copy()
    outputs[rows, lengths] = end_id
    room = lengths + 1 <= steps  # rows with a pad after their end token
    if mistake == "no shift":
        return padded, outputs
    if mistake == "lm shift":
        shifted = np.concatenate([targets[:, 1:], np.zeros((batch, 2), np.int64)], axis=1)
        shifted[rows, lengths - 1] = end_id
        return padded, shifted
    if mistake == "end in inputs":
        inputs[rows[room], lengths[room] + 1] = end_id
        return inputs, outputs
    if mistake == "start in targets":
        with_end = inputs.copy()
        with_end[rows[room], lengths[room] + 1] = end_id
        return inputs, with_end
    if mistake == "end at last column":
        return inputs, np.concatenate([targets, np.full((batch, 1), end_id, np.int64)], axis=1)
    if mistake == "argmax length":
        first_pad = np.argmax(padded[:, :steps] == PAD, axis=1)  # 0 for a full row
        wrong = padded.copy()
        wrong[rows, first_pad] = end_id
        return inputs, wrong
    if mistake == "copy":
        return outputs, outputs.copy()
    if mistake == "swapped":
        return outputs, inputs
    if mistake == "overwrite":
        last = targets.copy()
        last[rows, lengths - 1] = end_id
        return inputs[:, :steps], last
    return inputs, outputs


_NO_SHIFT = (
    "decoder_inputs are the targets themselves, not shifted: at position t the decoder would "
    "read the very token it must predict there and learn to copy its input. Prepend start_id "
    "(decoder_inputs[:, 0] = start_id, decoder_inputs[:, 1:] = targets), so that it reads the "
    "PREVIOUS token and predicts the next one."
)
_LM_SHIFT = (
    "you shifted the way a language model's windows are shifted (inputs = tokens[:-1], targets "
    "= tokens[1:]), without a start token: the first output token is then never a target, and "
    "at inference nothing tells the decoder to begin. Prepend start_id to the inputs, "
    "decoder_inputs = [start_id, targets], and keep every target token: decoder_targets = "
    "[targets with end_id right after each row's last token]."
)
_END_IN_INPUTS = (
    "decoder_inputs hold end_id after a row's last token: the decoder never reads end_id (the "
    "output is over once it is predicted), so decoder_inputs are [start_id, targets] with the pad "
    "left at 0; end_id belongs in decoder_targets, at position L."
)
_START_IN_TARGETS = (
    "decoder_targets begin with start_id: the start token is only ever read, never predicted. "
    "decoder_targets hold the row's L tokens from position 0, end_id at position L, then 0; "
    "start_id is decoder_inputs[:, 0]."
)
_END_AT_LAST_COLUMN = (
    "end_id was written in the last column for every row, after the pads of the short rows: "
    "it goes right after each row's last real token, at position L = (targets[i] != 0).sum() of "
    "that row, e.g. decoder_targets[np.arange(B), lengths] = end_id. The decoder must learn to "
    "stop when the number is written, not after T tokens."
)
_ARGMAX_LENGTH = (
    "for a full row (L = T, no pad) end_id landed at position 0: np.argmax(row == 0) is 0 when "
    "the row holds no 0. Count the real tokens instead, lengths = (targets != 0).sum(axis=1), "
    "and write end_id at position L, which is column T for a full row."
)
_COPY = (
    "decoder_inputs equal decoder_targets: the decoder would read the answer at every position. "
    "decoder_inputs = [start_id, targets] (shifted right by one), decoder_targets = targets with "
    "end_id after each row's last token."
)
_SWAPPED = (
    "decoder_inputs and decoder_targets are swapped: the decoder READS [start_id, targets] and "
    "must PREDICT [targets, end_id], so return (decoder_inputs, decoder_targets) in that order."
)
_OVERWRITE = (
    "decoder_targets have shape (B, T) and end_id overwrote each row's last real token, which "
    "the decoder then never learns to write. Both arrays get one more column, (B, T + 1): "
    "start_id before the targets in the inputs, end_id after the row's L tokens in the targets "
    "(a full row, L = T, needs that extra column for its end_id)."
)
_HARD_START = (
    "decoder_inputs start with {got}, but start_id is {start} here: use the argument start_id, "
    "not the lesson's START = 1 written as a number."
)
_HARD_END = (
    "decoder_targets hold {got} after each row's tokens, but end_id is {end} here: use the "
    "argument end_id, not the lesson's END = 2 written as a number."
)

#: (name, hint): the catalogue, by name; `_judge_pair` decides which one a result shows.
TEACHER_FORCING_MISTAKES: list[tuple[str, str]] = [
    ("no shift", _NO_SHIFT),
    ("lm shift", _LM_SHIFT),
    ("end in inputs", _END_IN_INPUTS),
    ("start in targets", _START_IN_TARGETS),
    ("end at last column", _END_AT_LAST_COLUMN),
    ("argmax length", _ARGMAX_LENGTH),
    ("copy", _COPY),
    ("swapped", _SWAPPED),
    ("overwrite", _OVERWRITE),
    ("hard-coded start", _HARD_START),
    ("hard-coded end", _HARD_END),
]


def _teacher_forcing_cases() -> list[tuple[str, np.ndarray, int, int]]:
    """(label, targets, start_id, end_id) per case; the first has a full row and short rows."""
    rng = np.random.default_rng(8)
    lengths = rng.integers(1, 13, size=64)
    lengths[:3] = (12, 1, 12)
    big = rng.integers(3, 13, size=(64, 12)).astype(np.int32)
    big[np.arange(12)[None, :] >= lengths[:, None]] = PAD
    return [
        (
            "3 rows of lengths 3, 5 and 1 (the second full, L = T = 5), start_id = 1, end_id = 2",
            np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [11, 0, 0, 0, 0]]),
            START,
            END,
        ),
        (
            "start_id = 5, end_id = 7 (other ids than the lesson's), 4 rows of lengths 2, 4, 1 "
            "and 3",
            np.array([[3, 4, 0, 0], [8, 9, 10, 11], [12, 0, 0, 0], [6, 3, 8, 0]]),
            5,
            7,
        ),
        ("one row, full (L = T = 3)", np.array([[9, 3, 3]]), START, END),
        ("T = 1 (three rows of one token)", np.array([[4], [12], [3]]), START, END),
        (
            "64 int32 rows of lengths 1 to 12, start_id = 13, end_id = 14",
            big,
            13,
            14,
        ),
    ]


def _pair(value: Any, batch: int, steps: int, targets: np.ndarray, end_id: int) -> tuple:
    """Return the learner's (decoder_inputs, decoder_targets) as int64 arrays, or raise Hint."""
    if value is None:
        raise Hint("teacher_forcing returned None: did you forget the `return` statement?")
    if isinstance(value, np.ndarray) or not isinstance(value, tuple | list):
        raise Hint(
            f"teacher_forcing returned one {type(value).__name__}; return two arrays, "
            "`return decoder_inputs, decoder_targets`"
        )
    if len(value) != 2:
        raise Hint(
            f"teacher_forcing returned {len(value)} values; return two arrays, "
            "`return decoder_inputs, decoder_targets`"
        )
    shape = (batch, steps + 1)
    extra = (
        "each row gains one token, start_id before the targets in the inputs and end_id after "
        "them in the targets, so both are (B, T + 1)"
    )
    got_out = value[1]
    if isinstance(got_out, np.ndarray) and got_out.shape == (batch, steps):
        overwritten = _teacher_forcing(targets, 0, end_id, "overwrite")[1]
        if np.array_equal(got_out, overwritten):
            raise Hint(_OVERWRITE)
    decoder_inputs = _int_array(value[0], "decoder_inputs", shape, extra)
    decoder_targets = _int_array(got_out, "decoder_targets", shape, extra)
    return decoder_inputs, decoder_targets


def _first_difference(got: np.ndarray, want: np.ndarray) -> tuple[int, int]:
    i, j = np.argwhere(got != want)[0]
    return int(i), int(j)


def _judge_pair(
    got: tuple[np.ndarray, np.ndarray], targets: np.ndarray, start_id: int, end_id: int
) -> None:
    """Raise the hint of the mistake that `got` shows, or a hint naming the first difference."""
    gin, gout = got
    ref_in, ref_out = _teacher_forcing(targets, start_id, end_id)
    if np.array_equal(gin, ref_in) and np.array_equal(gout, ref_out):
        return

    def shows(name: str) -> bool:
        wrong_in, wrong_out = _teacher_forcing(targets, start_id, end_id, name)
        differs = not (np.array_equal(wrong_in, ref_in) and np.array_equal(wrong_out, ref_out))
        return differs and np.array_equal(gin, wrong_in) and np.array_equal(gout, wrong_out)

    for name, hint in ((n, h) for n, h in TEACHER_FORCING_MISTAKES if n in ("swapped", "copy")):
        if shows(name):
            raise Hint(hint)
    if not np.array_equal(gin, ref_in):
        if start_id != START and np.array_equal(gin, _teacher_forcing(targets, START, end_id)[0]):
            raise Hint(_HARD_START.format(got=START, start=start_id))
        if np.array_equal(gin, _teacher_forcing(targets, start_id, end_id, "no shift")[0]):
            if np.array_equal(gout, _teacher_forcing(targets, start_id, end_id, "lm shift")[1]):
                raise Hint(_LM_SHIFT)
            raise Hint(_NO_SHIFT)
        if np.array_equal(gin, _teacher_forcing(targets, start_id, end_id, "end in inputs")[0]):
            raise Hint(_END_IN_INPUTS)
        i, j = _first_difference(gin, ref_in)
        raise Hint(
            f"decoder_inputs row {i} is {_row_text(gin[i])}, expected {_row_text(ref_in[i])} "
            f"(first difference at position {j}): decoder_inputs[:, 0] = start_id and "
            "decoder_inputs[:, 1:] = targets, the pad left at 0."
        )
    if end_id != END and np.array_equal(gout, _teacher_forcing(targets, start_id, END)[1]):
        raise Hint(_HARD_END.format(got=END, end=end_id))
    for name, hint in (
        ("start in targets", _START_IN_TARGETS),
        ("lm shift", _LM_SHIFT),
        ("end at last column", _END_AT_LAST_COLUMN),
        ("argmax length", _ARGMAX_LENGTH),
    ):
        if np.array_equal(gout, _teacher_forcing(targets, start_id, end_id, name)[1]):
            raise Hint(hint)
    i, j = _first_difference(gout, ref_out)
    length = int(_lengths(targets)[i])
    raise Hint(
        f"decoder_targets row {i} is {_row_text(gout[i])}, expected {_row_text(ref_out[i])} "
        f"(first difference at position {j}): the row's L = {length} tokens, end_id = {end_id} at "
        f"position {length}, then 0."
    )


def _tf_advice(exc: Exception) -> str:
    if isinstance(exc, IndexError):
        return (
            "An index past the end: a full row (L = T) puts its end_id at column T, which exists "
            "only in the (B, T + 1) result, not in targets."
        )
    return ""


@exercise_check("teacher_forcing")
def teacher_forcing(learner: Callable[..., Any]) -> str:
    """Check `teacher_forcing(targets, start_id, end_id) -> (decoder_inputs, decoder_targets)`.

    targets: an int array (B, T), each row L >= 1 output token ids then T - L zeros (pad); L may
    equal T. Returns two int NumPy arrays of shape (B, T + 1): decoder_inputs[:, 0] = start_id
    and decoder_inputs[:, 1:] = targets; decoder_targets[i] = the row's L tokens, end_id at
    position L, then 0. targets is left unchanged. Judged with the lesson's ids and with others
    (5 and 7, 13 and 14), on full rows, one row, T = 1 and 64 int32 rows. Prints one line;
    returns True when it passes.
    """
    cases = _teacher_forcing_cases()
    for label, targets, start_id, end_id in cases:
        where = f"on {label}: "
        result = call(learner, targets, start_id, end_id, where=where, on_error=_tf_advice)
        batch, steps = targets.shape
        try:
            got = _pair(result, batch, steps, targets, end_id)
            _judge_pair(got, targets, start_id, end_id)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "decoder_inputs = [start_id, targets], decoder_targets = [targets, end_id right after "
        f"each row's last token], both (B, T + 1) ({len(cases)} cases: full rows, T = 1, "
        "start and end ids other than 1 and 2)."
    )


# --------------------------------------------------------------------------- greedy_decode

#: Output vocabulary of the toy decoder (never equal to a case's batch size).
VOCAB = 11


class _Misuse(Exception):
    """Raised by the toy model inside the learner's loop: the hint to show."""


class _State:
    """The toy decoder's state: opaque to the learner, like the list of tensors of a Keras RNN."""

    __slots__ = ("history", "serial")

    def __init__(self, serial: int, history: np.ndarray) -> None:
        self.serial, self.history = serial, history

    def __repr__(self) -> str:
        return f"<decoder state after {self.history.shape[1]} tokens>"


def _toy_truth(sources: Any, end_id: int) -> np.ndarray:
    """The right answer of the toy task (a copy task): each source row's tokens, then end_id,
    then 0; shape (B, S + 1). The toy model makes mistakes, so its predictions differ from it."""
    sources = np.asarray(sources, dtype=np.int64)
    out = np.concatenate([sources, np.zeros((len(sources), 1), np.int64)], axis=1)
    out[np.arange(len(sources)), _lengths(sources)] = end_id
    return out


class _GreedyCase:
    """One case: sources (B, S), each row's planned predictions `plans` (what the toy model
    predicts when it is fed its own predictions; a plan ends with end_id or runs to max_len)."""

    def __init__(
        self,
        label: str,
        sources: np.ndarray,
        plans: Sequence[Sequence[int]],
        start_id: int,
        end_id: int,
        max_len: int,
    ) -> None:
        self.label, self.sources = label, sources
        self.plans = [list(p) for p in plans]
        self.start_id, self.end_id, self.max_len = start_id, end_id, max_len

    @property
    def batch(self) -> int:
        return len(self.sources)

    def expected(self) -> np.ndarray:
        out = np.zeros((self.batch, self.max_len), np.int64)
        for i, plan in enumerate(self.plans):
            out[i, : len(plan)] = plan
        return out

    def end_steps(self) -> list[int | None]:
        """The step (1-based) at which each row predicts end_id, None when it never does."""
        return [p.index(self.end_id) + 1 if self.end_id in p else None for p in self.plans]


_NOT_CARRIED = (
    "state not carried: step call {call} got the encoder's state again, so the decoder starts "
    "over at every step and forgets the digits it wrote. Pass the state that the previous step "
    "returned: scores, state = step(tokens, state)."
)
_OLD_STATE = (
    "step call {call} got the state returned by call {serial}, not by the previous call: keep "
    "the latest, scores, state = step(tokens, state)."
)
_START_EVERY_STEP = (
    "step call {call} was fed start_id again: start_id is fed once, at the first step; after "
    "that each row reads its own previous prediction, tokens = np.argmax(scores, axis=-1)."
)
_GROUND_TRUTH = (
    "step call {call} was fed the right answer (the toy task copies the source, and you fed "
    "the true previous token) instead of the model's own previous prediction. At inference "
    "there is no ground truth: the model reads what it predicted itself, tokens = "
    "np.argmax(scores, axis=-1), right or wrong (feeding the truth is teacher forcing, for "
    "training only)."
)
_WRONG_TOKEN = (
    "step call {call}: row {row} was fed {got}, but its previous prediction (the argmax of the "
    "scores the previous call returned) was {want}: feed back tokens = np.argmax(scores, "
    "axis=-1), the model's own predictions."
)
_HARD_START_FED = (
    "the first step was fed {got}, but start_id is {start} here: use the argument start_id, "
    "np.full(B, start_id), not the lesson's START = 1 written as a number."
)
_FIRST_TOKENS = (
    "the first step was fed {got}; feed start_id = {start} to every row first, tokens = "
    "np.full(B, start_id)."
)
_TOO_MANY_STEPS = (
    "step was called {call} times, but max_len = {max_len}: the loop runs at most max_len steps "
    "(for t in range(max_len)), feeding start_id at the first of them; it is not an extra step."
)
_BATCH_AXIS = (
    "step got tokens of shape ({vocab},), one per token of the vocabulary, but there are B = "
    "{batch} rows: take the argmax over the V scores of each row, np.argmax(scores, axis=-1); "
    "axis=0 runs over the batch."
)
_ONE_NUMBER = (
    "step got one number as tokens; it takes one token per row, shape (B,) = ({batch},): "
    "np.full(B, start_id) first, then np.argmax(scores, axis=-1) (without an axis, argmax "
    "indexes the flattened (B, V) array)."
)
_HISTORY = (
    "step got tokens of shape {shape}, the tokens of every step so far: it takes this step's "
    "tokens only, shape (B,) = ({batch},); the state carries the rest."
)
_COLUMN = (
    "step got tokens of shape {shape}; pass a 1-D array, shape (B,) = ({batch},), one token per "
    "row (np.argmax(scores, axis=-1) already has that shape)."
)
_BATCH_SHAPE = (
    "step got tokens of shape {shape}, but sources has B = {batch} rows: decode the whole "
    "batch at once, one token per row, shape (B,)."
)
_ARGUMENT_ORDER = (
    "step got the state as its first argument: the signature is step(tokens, state) -> "
    "(scores, new_state)."
)
_START_INCLUDED = (
    "the first column of the result is start_id: the start token is fed, not predicted. Row i "
    "holds the predictions only, the first of them in column 0."
)
_AFTER_END = (
    "row {row} has tokens after its end_id: {got}, expected {want}. Once a row has predicted "
    "end_id its output is over: the rest of the row is 0 (pad). Keep a `done` flag per row, "
    "done |= tokens == end_id, and write 0 where a row was already done."
)
_END_DROPPED = (
    "the end token is missing: row {row} is {got}, expected {want}. A row keeps its predictions "
    "up to AND including its first end_id, then 0."
)
_HARD_END_STOP = (
    "you stopped each row at token {got}, but end_id is {end} here (token {got} is an ordinary "
    "output token in this case): use the argument end_id, not the lesson's END = 2 written as "
    "a number."
)
_STOPPED_EARLY = (
    "the loop stopped after {calls} step(s), but row {row} {when}: run up to max_len = "
    "{max_len} steps, for t in range(max_len), and stop early only once EVERY row has "
    "predicted end_id (done.all())."
)
_NOT_PADDED = (
    "the result has shape {shape}, one column per step run, but expected {expected}: when the "
    "loop stops early, the remaining columns are 0 (pad). Allocate np.zeros((B, max_len), "
    "dtype=int) before the loop and fill one column per step."
)
_TRANSPOSED = (
    "the result has shape {shape} but expected {expected}: one row per source, one column per "
    "step. Stack the steps' tokens as columns, np.stack(columns, axis=1)."
)
_FIRST_ROW_ONLY = (
    "the result has shape {shape} but expected {expected}, one row per source: decode the whole "
    "batch, every row of sources, not only the first."
)
_NEVER_STEPPED = "step was never called: the loop calls step(tokens, state) up to max_len times."


class _ToyDecoder:
    """A deterministic stand-in for a trained encoder-decoder.

    encode(sources) returns a fresh state; step(tokens, state) appends the tokens to the state's
    history and returns scores (B, V) that put each row's planned next token first while the row
    has been fed its own predictions, and seeded noise (never pad, start or end) once it has
    predicted end_id. Every call is checked as it happens and a misuse raises `_Misuse`.
    """

    def __init__(self, case: _GreedyCase) -> None:
        self.case = case
        self.encoded: list[_State] = []
        self.states: list[_State] = []
        self.argmaxes: list[np.ndarray] = []  # the argmax of each returned scores, (B,)

    # -- encode
    def encode(self, sources: Any) -> _State:
        try:
            array = np.asarray(sources)
        except Exception as exc:
            raise _Misuse(f"encode got {type(sources).__name__}: pass sources unchanged") from exc
        if array.shape != self.case.sources.shape or not np.array_equal(array, self.case.sources):
            raise _Misuse(
                f"encode got an array of shape {array.shape} that is not sources "
                f"{self.case.sources.shape}: the encoder reads the whole batch once, before the "
                "loop, state = encode(sources)"
            )
        state = _State(-1 - len(self.encoded), np.zeros((self.case.batch, 0), np.int64))
        self.encoded.append(state)
        return state

    # -- step
    def _tokens(self, tokens: Any) -> np.ndarray:
        batch = self.case.batch
        if isinstance(tokens, _State):
            raise _Misuse(_ARGUMENT_ORDER)
        try:
            array = np.asarray(tokens)
        except Exception as exc:
            raise _Misuse(f"step got tokens of type {type(tokens).__name__}") from exc
        if array.dtype == object:
            raise _Misuse(f"step got tokens of type {type(tokens).__name__}; pass an int array")
        if array.ndim == 0:
            raise _Misuse(_ONE_NUMBER.format(batch=batch))
        if array.shape != (batch,):
            if array.shape == (VOCAB,):
                raise _Misuse(_BATCH_AXIS.format(vocab=VOCAB, batch=batch))
            if array.shape == (batch, 1) or array.shape == (1, batch):
                raise _Misuse(_COLUMN.format(shape=array.shape, batch=batch))
            if array.ndim == 2 and batch in array.shape:
                raise _Misuse(_HISTORY.format(shape=array.shape, batch=batch))
            raise _Misuse(_BATCH_SHAPE.format(shape=array.shape, batch=batch))
        if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
            raise _Misuse(
                f"step got tokens of dtype {array.dtype}; token ids are integers: np.full(B, "
                "start_id) and np.argmax(scores, axis=-1) give ints"
            )
        if array.min() < 0 or array.max() >= VOCAB:
            raise _Misuse(
                f"step got tokens {_row_text(array)}: token ids are in range(V) = range({VOCAB}), "
                "the indices of the scores"
            )
        return array.astype(np.int64)

    def _check_state(self, number: int, state: Any) -> None:
        if not isinstance(state, _State):
            raise _Misuse(
                f"step call {number} got a state of type {type(state).__name__}: pass "
                "encode(sources) to the first step, then exactly the state each step returns"
            )
        if number == 1:
            if state not in self.encoded:
                raise _Misuse(
                    "the first step got a state that encode did not return: start from state = "
                    "encode(sources)"
                )
            return
        if state is self.states[-1]:
            return
        if any(state is s for s in self.encoded):
            raise _Misuse(_NOT_CARRIED.format(call=number))
        raise _Misuse(_OLD_STATE.format(call=number, serial=state.serial))

    def _check_fed(self, number: int, tokens: np.ndarray) -> None:
        case = self.case
        if number == 1:
            if (tokens == case.start_id).all():
                return
            if case.start_id != START and (tokens == START).all():
                raise _Misuse(_HARD_START_FED.format(got=START, start=case.start_id))
            raise _Misuse(_FIRST_TOKENS.format(got=_row_text(tokens), start=case.start_id))
        predicted = np.stack(self.argmaxes, axis=1)
        alive = ~(predicted == case.end_id).any(axis=1)  # rows that have not predicted end_id
        previous = predicted[:, -1]
        bad = alive & (tokens != previous)
        if not bad.any():
            return
        if (tokens[alive] == case.start_id).all():
            raise _Misuse(_START_EVERY_STEP.format(call=number))
        truth = _toy_truth(case.sources, case.end_id)
        if number - 2 < truth.shape[1]:
            true_previous = truth[:, number - 2]
            source_previous = np.pad(np.asarray(case.sources), ((0, 0), (0, 1)))[:, number - 2]
            given = tokens[bad]
            if (given == true_previous[bad]).all() or (given == source_previous[bad]).all():
                raise _Misuse(_GROUND_TRUTH.format(call=number))
        row = int(np.flatnonzero(bad)[0])
        raise _Misuse(
            _WRONG_TOKEN.format(call=number, row=row, got=int(tokens[row]), want=int(previous[row]))
        )

    def _scores(self, history: np.ndarray) -> np.ndarray:
        case = self.case
        k = history.shape[1]
        scores = np.empty((case.batch, VOCAB), np.float32)
        for i in range(case.batch):
            key = np.concatenate([case.sources[i].astype(np.int64), [-1], history[i]])
            seed = zlib.crc32(key.tobytes()) + 7919 * case.max_len
            row = np.random.default_rng(seed).standard_normal(VOCAB)
            plan = case.plans[i]
            on_plan = k - 1 < len(plan) and list(history[i, 1:]) == plan[: k - 1]
            on_plan = on_plan and history[i, 0] == case.start_id
            if on_plan:
                row[plan[k - 1]] = row.max() + 1.0 + 0.25 * abs(row[0])
            else:  # after the row's end: an ordinary token, never pad, start or end
                row[[PAD, case.start_id, case.end_id]] -= 10.0
            scores[i] = row
        return scores

    def step(self, tokens: Any, state: Any) -> tuple[np.ndarray, _State]:
        number = len(self.states) + 1
        if number > self.case.max_len:
            raise _Misuse(_TOO_MANY_STEPS.format(call=number, max_len=self.case.max_len))
        fed = self._tokens(tokens)
        self._check_state(number, state)
        self._check_fed(number, fed)
        history = np.concatenate([state.history, fed[:, None]], axis=1)
        scores = self._scores(history)
        self.states.append(_State(number, history))
        self.argmaxes.append(np.argmax(scores, axis=1))
        return scores.copy(), self.states[-1]


def _greedy_cases() -> list[_GreedyCase]:
    """The cases: the first holds a row that ends at step 1, one that never ends, and a row whose
    predictions differ from the true answer; the second uses start 5 / end 7 and has 1 and 2 as
    ordinary tokens; then B = 1 with max_len = 1, a row that ends at once, a batch that ends
    before max_len (early stopping), and 16 int32 rows with max_len = 13 as in the lesson."""
    rng = np.random.default_rng(80)
    big_sources = np.zeros((16, 12), np.int32)
    big_plans = []
    for i in range(16):
        n = int(rng.integers(1, 13))
        big_sources[i, :n] = rng.integers(3, VOCAB, n)
        plan = big_sources[i, :n].astype(int).tolist()
        if i % 3 == 0:
            plan[int(rng.integers(0, n))] = int(rng.integers(3, VOCAB))  # a wrong digit
        if i % 5 == 4:
            plan = (plan * 13)[:13]  # never ends within max_len
        else:
            plan = [*plan, END]
        big_plans.append(plan)
    return [
        _GreedyCase(
            "4 rows (one ends at the first step, one never ends), start_id = 1, end_id = 2, "
            "max_len = 6",
            np.array([[3, 4, 6, 0, 0], [5, 5, 8, 10, 7], [9, 0, 0, 0, 0], [10, 3, 0, 0, 0]]),
            [[3, 9, 6, 2], [5, 8, 8, 10, 7, 4], [2], [10, 3, 2]],
            START,
            END,
            6,
        ),
        _GreedyCase(
            "start_id = 5, end_id = 7 (1 and 2 are ordinary tokens here), 3 rows, max_len = 8",
            np.array([[3, 2, 4, 0], [1, 8, 9, 10], [6, 0, 0, 0]]),
            [[3, 2, 4, 7], [1, 8, 6, 10, 7], [6, 6, 3, 2, 9, 1, 4, 8]],
            5,
            7,
            8,
        ),
        _GreedyCase("B = 1, max_len = 1", np.array([[4, 3]]), [[4]], START, END, 1),
        _GreedyCase(
            "B = 1, a row that ends at the first step, max_len = 5",
            np.array([[8, 8, 8]]),
            [[2]],
            START,
            END,
            5,
        ),
        _GreedyCase(
            "3 rows that all end by step 4, max_len = 9",
            np.array([[3, 0, 0], [4, 6, 8], [9, 9, 0]]),
            [[3, 2], [4, 6, 8, 2], [9, 3, 2]],
            START,
            END,
            9,
        ),
        _GreedyCase(
            "16 int32 rows of sources (12 columns), max_len = 13",
            big_sources,
            big_plans,
            START,
            END,
            13,
        ),
    ]


def _greedy_result(value: Any, case: _GreedyCase, calls: int) -> np.ndarray:
    """Return the learner's result as an int64 (B, max_len) array, or raise a Hint."""
    batch, max_len = case.batch, case.max_len
    shape = (batch, max_len)
    what = "the result of greedy_decode"
    if isinstance(value, list | tuple):
        raise Hint(
            f"{what} is a Python {type(value).__name__}; return a NumPy integer array (B, "
            "max_len), e.g. np.zeros((B, max_len), dtype=int) filled column by column, or "
            "np.stack(columns, axis=1): the lesson compares it elementwise with end_id"
        )
    if isinstance(value, np.ndarray) and value.shape != shape:
        got = value.shape
        if got == (batch, max_len + 1) and (value[:, 0] == case.start_id).all():
            raise Hint(_START_INCLUDED)
        if len(got) == 2 and got[0] == batch and got[1] < max_len and got[1] == calls:
            raise Hint(_NOT_PADDED.format(shape=got, expected=shape))
        if got == (max_len, batch):
            raise Hint(_TRANSPOSED.format(shape=got, expected=shape))
        if batch > 1 and (got == (max_len,) or got == (1, max_len)):
            raise Hint(_FIRST_ROW_ONLY.format(shape=got, expected=shape))
    hint = "one row per source row, one column per step (max_len columns, 0 after the end)"
    return _int_array(value, what, shape, hint)


def _mask_at(raw: np.ndarray, end_id: int, keep_end: bool = True) -> np.ndarray:
    """Each row of `raw` up to (and, with keep_end, including) its first end_id, then 0."""
    out = raw.copy()
    for row in out:
        hits = np.flatnonzero(row == end_id)
        if len(hits):
            row[hits[0] + (1 if keep_end else 0) :] = PAD
    return out


def _judge_greedy(got: np.ndarray, case: _GreedyCase, toy: _ToyDecoder) -> None:
    expected = case.expected()
    if np.array_equal(got, expected):
        return
    calls = len(toy.states)
    raw = np.zeros((case.batch, case.max_len), np.int64)
    if calls:
        raw[:, :calls] = np.stack(toy.argmaxes, axis=1)
    if case.end_id != END and np.array_equal(got, _mask_at(raw, END)):
        raise Hint(_HARD_END_STOP.format(got=END, end=case.end_id))
    ends = case.end_steps()
    needed = max(min(s or case.max_len, case.max_len) for s in ends)
    if calls < needed:
        row = next(i for i, s in enumerate(ends) if s is None or s > calls)
        when = (
            f"predicts end_id only at step {ends[row]}"
            if ends[row] is not None
            else f"never predicts end_id in max_len = {case.max_len} steps"
        )
        raise Hint(_STOPPED_EARLY.format(calls=calls, row=row, when=when, max_len=case.max_len))
    if (got[:, 0] == case.start_id).all():
        raise Hint(_START_INCLUDED)
    for i in range(case.batch):
        if np.array_equal(got[i], expected[i]):
            continue
        mine, want = _row_text(got[i]), _row_text(expected[i])
        end_at = ends[i]
        if end_at is not None and end_at <= case.max_len:
            dropped = _mask_at(expected[i : i + 1], case.end_id, keep_end=False)[0]
            if np.array_equal(got[i], dropped):
                raise Hint(_END_DROPPED.format(row=i, got=mine, want=want))
            if np.array_equal(got[i, :end_at], expected[i, :end_at]) and got[i, end_at:].any():
                raise Hint(_AFTER_END.format(row=i, got=mine, want=want))
        j = int(np.flatnonzero(got[i] != expected[i])[0])
        raise Hint(
            f"row {i} is {mine}, expected {want} (first difference in column {j}): column t "
            "holds the argmax of the scores of step t + 1, up to the row's first end_id, "
            "then 0."
        )


@exercise_check("greedy_decode")
def greedy_decode(learner: Callable[..., Any]) -> str:
    """Check `greedy_decode(encode, step, sources, start_id, end_id, max_len) -> (B, max_len)`.

    encode(sources) returns the decoder's initial state (opaque: pass it to step unchanged);
    step(tokens, state) -> (scores, new_state), tokens an int array (B,), scores a float array
    (B, V). The loop: state = encode(sources); feed start_id to every row first; at each of at
    most max_len steps call step with the previous tokens and the state the previous step
    returned; the next token of a row is the argmax over V of its scores. Returns an integer
    NumPy array (B, max_len): row i holds its predictions up to and including its first end_id,
    then 0; a row that never predicts end_id holds its max_len predictions. Stopping once every
    row has predicted end_id is allowed. The check drives the loop with a toy model (a copy task
    that it gets partly wrong) that checks every call: B = 1 to 16, max_len = 1 to 13, start and
    end ids 1 and 2 or 5 and 7. Prints one line; returns True when it passes.
    """
    cases = _greedy_cases()
    for case in cases:
        toy = _ToyDecoder(case)
        where = f"on {case.label}: "
        args = (toy.encode, toy.step, case.sources, case.start_id, case.end_id, case.max_len)
        try:
            result = call(learner, *args)
        except Hint as hint:
            if isinstance(hint.__cause__, _Misuse):
                raise Hint(where + str(hint.__cause__)) from None
            raise Hint(where + str(hint)) from None
        try:
            if not toy.states and result is not None:
                raise Hint(_NEVER_STEPPED)
            if result is None:
                raise Hint("greedy_decode returned None: did you forget the `return` statement?")
            got = _greedy_result(result, case, len(toy.states))
            _judge_greedy(got, case, toy)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "starts from encode(sources) and start_id, feeds back its own argmax with the state "
        f"carried, and stops each row at its end_id ({len(cases)} cases: B = 1 to 16, max_len "
        "= 1 to 13, rows that end at once or never, start and end ids other than 1 and 2)."
    )


# --------------------------------------------------------------------------- accuracies


def _exact(pairs: list[tuple[str, str]], mistake: str = "") -> float:
    if not pairs:
        return float("nan")
    if mistake == "prefix":
        hits = [p.startswith(e) for p, e in pairs]
    elif mistake == "numbers":
        hits = [bool(p) and int(p) == int(e) for p, e in pairs]
    else:
        hits = [p == e for p, e in pairs]
    return float(sum(hits)) if mistake == "count" else sum(hits) / len(pairs)


def _right(p: str, e: str, mistake: str) -> int:
    """The characters of p counted right against e."""
    if mistake == "right aligned":
        return sum(a == b for a, b in zip(p[::-1], e[::-1], strict=False))
    if mistake == "zfill":
        width = max(len(p), len(e))
        return sum(a == b for a, b in zip(p.zfill(width), e.zfill(width), strict=True))
    if mistake == "anywhere":
        return sum(c in e for c in p)
    if mistake == "set":
        return len(set(p) & set(e))
    return sum(a == b for a, b in zip(p, e, strict=False))


def _char(pairs: list[tuple[str, str]], mistake: str = "") -> float:
    if not pairs:
        return float("nan")
    right = [_right(p, e, mistake) for p, e in pairs]
    if mistake == "expected length":
        total = [len(e) for _, e in pairs]
    elif mistake == "min length":
        total = [min(len(p), len(e)) for p, e in pairs]
    else:
        total = [max(len(p), len(e)) for p, e in pairs]
    if mistake == "mean per pair":
        return float(np.mean([r / t if t else 0.0 for r, t in zip(right, total, strict=True)]))
    return sum(right) / sum(total) if sum(total) else float("nan")


def _accuracies(predicted: Sequence[str], expected: Sequence[str], mistake: str = "") -> tuple:
    """The reference (no mistake) and the catalogue's mistakes of `accuracies`."""
    pairs = list(zip(predicted, expected, strict=True))
    if mistake == "ignore empty":
        pairs = [(p, e) for p, e in pairs if p]
    exact = _exact(pairs, mistake if mistake in ("prefix", "numbers", "count") else "")
    char = _char(pairs, mistake)
    if mistake == "swapped":
        return char, exact
    if mistake == "percent":
        return 100 * exact, 100 * char
    return exact, char


_IGNORE_EMPTY = (
    "the empty predictions were left out: an empty output is a wrong answer, 0 for exact "
    "match and len(e) errors for the character accuracy (max(len(p), len(e)) = len(e) "
    "characters, none of them right). Keep every pair; N is the number of pairs."
)

#: (name, hint) of the exact-match mistakes, tried in order.
EXACT_MISTAKES: list[tuple[str, str]] = [
    (
        "prefix",
        "exact_match counts a prediction that only BEGINS with the expected string (startswith, "
        "or p[:len(e)] == e): '10060' for '1006' is a different number. Compare the whole "
        "strings, p == e.",
    ),
    (
        "numbers",
        "exact_match compares the strings as numbers (int(p) == int(e)): '042' for '42' is not "
        "what the model should write, and the output is a string of digit tokens. Compare the "
        "strings, p == e.",
    ),
    ("ignore empty", _IGNORE_EMPTY),
    (
        "count",
        "exact_match is the NUMBER of exact matches; return the fraction, divided by N = "
        "len(expected).",
    ),
]

#: (name, hint) of the per-character mistakes, tried in order.
CHAR_MISTAKES: list[tuple[str, str]] = [
    (
        "expected length",
        "char_accuracy divides by the length of the expected strings only, so extra characters "
        "cost nothing (a prediction '10060' for '1006' would score 4/4). Divide by max(len(p), "
        "len(e)) per pair: each missing or extra character is one error.",
    ),
    (
        "min length",
        "char_accuracy divides by the characters that zip(p, e) pairs up, min(len(p), len(e)), "
        "so missing and extra characters cost nothing (an empty prediction costs nothing at "
        "all). Divide by max(len(p), len(e)) per pair.",
    ),
    (
        "mean per pair",
        "char_accuracy is the mean of the per-pair accuracies; the lesson pools the characters: "
        "(right characters over all pairs) / (sum of max(len(p), len(e))), so a long number "
        "weighs more than a short one.",
    ),
    (
        "right aligned",
        "the characters were compared from the RIGHT (reversed strings or zfill): the lesson "
        "compares position by position from the left, p[j] with e[j], as the decoder writes "
        "them; a missing digit shifts everything after it.",
    ),
    (
        "zfill",
        "the characters were compared from the RIGHT (reversed strings or zfill): the lesson "
        "compares position by position from the left, p[j] with e[j], as the decoder writes "
        "them; a missing digit shifts everything after it.",
    ),
    (
        "anywhere",
        "a character counted as right when it occurs ANYWHERE in the expected string (c in e, "
        "or a set): it must be at the same position, p[j] == e[j] for j < min(len(p), len(e)).",
    ),
    (
        "set",
        "a character counted as right when it occurs ANYWHERE in the expected string (c in e, "
        "or a set): it must be at the same position, p[j] == e[j] for j < min(len(p), len(e)).",
    ),
    ("ignore empty", _IGNORE_EMPTY),
]

_SWAPPED_ACC = (
    "the two numbers are swapped: return (exact_match, char_accuracy), exact match first."
)
_PERCENT = "the accuracies are percentages; return fractions in [0, 1] (without the factor 100)."


def _accuracy_cases() -> list[tuple[str, list[str], list[str]]]:
    """(label, predicted, expected) per case; the first tells every mistake from the others."""
    rng = np.random.default_rng(88)
    expected = [str(int(rng.integers(0, 10 ** int(rng.integers(1, 13))))) for _ in range(200)]
    predicted = []
    for e in expected:
        kind = int(rng.integers(0, 6))
        j = int(rng.integers(0, len(e)))
        if kind == 0:
            predicted.append(e[:j] + e[j + 1 :])  # a missing digit
        elif kind == 1:
            predicted.append(e[:j] + str(int(rng.integers(0, 10))) + e[j:])  # an extra digit
        elif kind == 2:
            predicted.append(e[:j] + str((int(e[j]) + 1) % 10) + e[j + 1 :])  # a wrong digit
        elif kind == 3 and j == 0:
            predicted.append("")
        else:
            predicted.append(e)
    return [
        (
            "8 pairs: exact matches, a digit too many, too few, an empty prediction, a leading "
            "zero, a wrong digit",
            ["42", "10060", "12", "", "090", "5000", "306041", "9001"],
            ["42", "1006", "123", "7", "90", "5000", "306042", "900"],
        ),
        ("one 12-digit number with one wrong digit", ["123456789013"], ["123456789012"]),
        ("one exact match", ["1000006"], ["1000006"]),
        ("3 empty predictions", ["", "", ""], ["5", "17", "2024"]),
        ("200 lesson-like pairs (missing, extra and wrong digits)", predicted, expected),
    ]


def _number(value: Any, what: str) -> float:
    """Return one of the learner's numbers as a float, or raise `Hint`."""
    if value is None:
        raise Hint(f"{what} is None: return two numbers, (exact_match, char_accuracy)")
    if not isinstance(value, np.ndarray | np.generic) and hasattr(value, "numpy"):
        raise Hint(
            f"{what} is a TensorFlow tensor; this exercise is written in Python/NumPy: return "
            "float(...) numbers"
        )
    if isinstance(value, np.ndarray):
        if value.shape != ():
            raise Hint(f"{what} is an array of shape {value.shape}; return one number (a float)")
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Hint(f"{what} has type {type(value).__name__}; return one number (a float)")
    number = float(value)
    if not np.isfinite(number):
        raise Hint(
            f"{what} is {number}: a division by zero? Every expected string is non-empty, so "
            "sum(max(len(p), len(e))) > 0 and N > 0."
        )
    return number


def _two_numbers(value: Any) -> tuple[float, float]:
    if value is None:
        raise Hint("accuracies returned None: did you forget the `return` statement?")
    if isinstance(value, np.ndarray) and value.shape == (2,):
        value = tuple(value.tolist())
    if not isinstance(value, tuple | list):
        raise Hint(
            f"accuracies returned one {type(value).__name__}; return two numbers, "
            "`return exact_match, char_accuracy`"
        )
    if len(value) != 2:
        raise Hint(
            f"accuracies returned {len(value)} values; return two numbers, "
            "`return exact_match, char_accuracy`"
        )
    return _number(value[0], "exact_match"), _number(value[1], "char_accuracy")


def _judge_accuracies(got: tuple[float, float], predicted: list[str], expected: list[str]) -> None:
    exact, char = _accuracies(predicted, expected)
    got_exact, got_char = got
    if close(got_exact, exact) and close(got_char, char):
        return
    said = f"got ({got_exact:.6g}, {got_char:.6g}), expected ({exact:.6g}, {char:.6g}): "
    if not close(exact, char) and close(got_exact, char) and close(got_char, exact):
        raise Hint(said + _SWAPPED_ACC)
    if (got_exact > 1 or got_char > 1) and (
        (close(got_exact, 100 * exact) and exact) or (close(got_char, 100 * char) and char)
    ):
        raise Hint(said + _PERCENT)
    pairs = list(zip(predicted, expected, strict=True))
    if not close(got_exact, exact):
        for name, hint in EXACT_MISTAKES:
            wrong = _accuracies(predicted, expected, name)[0]
            if not close(wrong, exact) and close(got_exact, wrong):
                raise Hint(said + hint)
        hits = sum(p == e for p, e in pairs)
        raise Hint(
            f"{said}exact_match is the fraction of pairs with predicted == expected, here "
            f"{hits} of N = {len(pairs)}."
        )
    for name, hint in CHAR_MISTAKES:
        wrong = _accuracies(predicted, expected, name)[1]
        if not close(wrong, char) and close(got_char, wrong):
            raise Hint(said + hint)
    right = sum(_right(p, e, "") for p, e in pairs)
    total = sum(max(len(p), len(e)) for p, e in pairs)
    raise Hint(
        f"{said}char_accuracy = {right} / {total}: the characters equal at the same position "
        "from the left (p[j] == e[j]), summed over all pairs, divided by the sum of max(len(p), "
        "len(e))."
    )


def _accuracy_advice(exc: Exception) -> str:
    if isinstance(exc, ValueError) and "int()" in str(exc):
        return (
            "A prediction can be empty (or not a number at all): compare the strings, p == e, "
            "and their characters, not int(p)."
        )
    if isinstance(exc, IndexError):
        return (
            "An index past the end of a string: predictions can be shorter or longer than "
            "expected, even empty; compare only j < min(len(p), len(e)), e.g. with zip(p, e)."
        )
    if isinstance(exc, ZeroDivisionError):
        return "Divide by the total over ALL pairs, sum(max(len(p), len(e))), which is > 0."
    return ""


@exercise_check("accuracies")
def accuracies(learner: Callable[..., Any]) -> str:
    """Check `accuracies(predicted, expected) -> (exact_match, char_accuracy)`.

    predicted, expected: lists of N >= 1 strings (digit strings in the lesson); the expected
    strings are never empty, the predicted ones may be empty, shorter or longer. exact_match =
    the fraction of pairs with predicted == expected; char_accuracy = (sum over pairs of the
    positions j < min(len(p), len(e)) with p[j] == e[j]) / (sum over pairs of max(len(p),
    len(e))): pooled over all characters, from the left, a missing or extra character one error.
    Returns two floats in [0, 1] (a tuple, a list or an array of two). Judged on hand-made pairs
    (empty, short, long predictions), one 12-digit number, all-empty predictions and 200
    lesson-like pairs. Prints one line; returns True when it passes.
    """
    cases = _accuracy_cases()
    for label, predicted, expected in cases:
        where = f"on {label}: "
        result = call(learner, predicted, expected, where=where, on_error=_accuracy_advice)
        try:
            _judge_accuracies(_two_numbers(result), predicted, expected)
        except Hint as hint:
            raise Hint(where + str(hint)) from None
    return (
        "exact match = the fraction of identical strings; character accuracy pooled over all "
        "characters, position by position from the left, over max(len(p), len(e)) per pair "
        f"({len(cases)} cases: empty, short and long predictions)."
    )
