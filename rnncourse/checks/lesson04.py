"""Checks for lesson 04, "Bidirectional and multi-layer RNNs": bidirectional, stack_summary.

Notation (COURSE_GUIDE section 6): batch-first, x (B, T, D), hidden states (B, T, H). A
bidirectional layer runs a forward RNN over x_1..x_T (states ->h_t) and a backward RNN over
x_T..x_1 (states <-h_t, reversed back so that <-h_t sits at position t), and merges them: concat
[->h_t, <-h_t] (width 2H), sum, ave or mul (width H). Sequences are right-padded ("post") to T
steps; `lengths[b]` is the number of real steps of sequence b. As in Keras with a mask, the
backward RNN reads only the real steps, padded positions of the output are zeros, and with
return_sequences=False the layer returns [->h at the last real step, <-h at step 0].
"""

from __future__ import annotations

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
    expect_integer,
    random_inputs,
)

__all__ = ["bidirectional", "stack_summary"]

MERGE_MODES = ("concat", "sum", "ave", "mul")
# B, T, D and H all differ, so that a transposed or misplaced axis cannot go unnoticed.
B, T, D, H = 4, 7, 3, 5


# --------------------------------------------------------------------------- bidirectional


def _simple_rnn(seed: int, dtype: Any = np.float32) -> Callable[[np.ndarray], np.ndarray]:
    """A tanh RNN with fixed random weights and a non-zero bias, run from a zero state.

    It maps one sequence (T', D) to its states (T', H), or a batch (B, T', D) to (B, T', H). The
    bias makes padding matter: zeros (or garbage) read as input move the state.
    """
    W_x, W_h, b = random_inputs(seed, (D, H), (H, H), (H,), scale=0.8)
    W_x, W_h, b = (a.astype(dtype) for a in (W_x, W_h, b))

    def run(seq: Any) -> np.ndarray:
        seq = np.asarray(seq)
        if seq.ndim not in (2, 3) or seq.shape[-1] != D:
            raise ValueError(
                f"this RNN reads one sequence of shape (steps, {D}) or a batch (batch, steps, "
                f"{D}); it was given shape {seq.shape}"
            )
        batch = seq[None] if seq.ndim == 2 else seq
        h = np.zeros((batch.shape[0], H), np.result_type(batch, W_x))
        states = []
        for t in range(batch.shape[1]):
            h = np.tanh(batch[:, t] @ W_x + h @ W_h + b)
            states.append(h)
        out = np.stack(states, axis=1) if states else np.zeros((batch.shape[0], 0, H))
        return out[0] if seq.ndim == 2 else out

    return run


def _merge(a: np.ndarray, b: np.ndarray, mode: str, order: str = "fb") -> np.ndarray:
    if mode == "concat":
        return np.concatenate([a, b] if order == "fb" else [b, a], axis=-1)
    if mode == "sum":
        return a + b
    if mode == "ave":
        return (a + b) / 2.0
    return a * b


def _bidirectional(
    x: np.ndarray,
    lengths: Sequence[int],
    forward_rnn: Callable[[np.ndarray], np.ndarray],
    backward_rnn: Callable[[np.ndarray], np.ndarray],
    merge_mode: str,
    return_sequences: bool,
    reverse_back: bool = True,
    reverse_input: bool = True,
    pad_reversed: bool = False,
    same_rnn: bool = False,
    bw_state: str = "start",
    fw_state: str = "real end",
    order: str = "fb",
    zero_padding: bool = True,
) -> np.ndarray:
    """The reference (default options) and the catalogue's mistakes, one example at a time."""
    x = np.asarray(x, np.float64)
    backward = forward_rnn if same_rnn else backward_rnn
    rows = []
    for b, length in enumerate(int(n) for n in lengths):
        real = x[b, :length]
        h_fw = forward_rnn(x[b] if fw_state == "padded end" else real)
        if pad_reversed:  # the padding reversed with the tokens: it is read first
            h_bw = backward(x[b][::-1])[::-1][:length]
        else:
            h_bw = backward(real[::-1] if reverse_input else real)
            h_bw = h_bw[::-1] if reverse_back else h_bw
        if return_sequences:
            merged = _merge(h_fw[:length], h_bw, merge_mode, order)
            filler = np.zeros if zero_padding else np.ones
            pad = filler((x.shape[1] - length, merged.shape[-1]))
            rows.append(np.concatenate([merged, pad]))
        else:
            last_fw = h_fw[-1]
            last_bw = h_bw[0] if bw_state == "start" else h_bw[-1]
            rows.append(_merge(last_fw, last_bw, merge_mode, order))
    return np.stack(rows)


#: Options of `_bidirectional` that reproduce a plausible mistake, and its hint. The first match
#: wins: with return_sequences=False, "not reversed back" gives the same numbers as "the wrong
#: end", so the wrong end comes first (return_sequences=True, checked before, catches the other).
BIDIRECTIONAL_MISTAKES: list[tuple[dict[str, Any], str]] = [
    (
        {"bw_state": "end"},
        "with return_sequences=False the backward state is taken at the wrong end: the "
        "backward RNN finishes at step 0 (after reading the whole sequence), so its final "
        "state is <-h_0, the first row after flipping back, not the last real row.",
    ),
    (
        {"reverse_back": False},
        "the backward outputs are not reversed back: the backward RNN reads x_T..x_1, so its "
        "first output belongs to the last real step. Flip its outputs ([::-1]) before merging, "
        "so that <-h_t sits at position t.",
    ),
    (
        {"pad_reversed": True},
        "the padding was reversed together with the tokens: the backward RNN then reads the "
        "padding first and starts the real characters from a state the padding has moved. "
        "Reverse only the real steps of each sequence, x[b, :lengths[b]][::-1].",
    ),
    (
        {"reverse_input": False, "reverse_back": False},
        "the backward RNN reads the sequence forwards: give it the reversed real steps, "
        "x[b, :lengths[b]][::-1], and flip its outputs back.",
    ),
    (
        {"reverse_input": False},
        "the backward RNN reads the sequence forwards (only its outputs are flipped): give it "
        "the reversed real steps, x[b, :lengths[b]][::-1], then flip its outputs back.",
    ),
    (
        {"same_rnn": True},
        "both directions use forward_rnn: the backward direction has its own weights, "
        "backward_rnn.",
    ),
    (
        {"fw_state": "padded end"},
        "with return_sequences=False the forward state is taken after the padding: the forward "
        "RNN's final state is ->h at the last real step, lengths[b] - 1, as in Keras with a "
        "mask; run it on the real steps only.",
    ),
    (
        {"order": "bf"},
        "concatenated in the wrong order: Keras puts the forward states first, "
        "np.concatenate([h_forward, h_backward], axis=-1).",
    ),
    (
        {"zero_padding": False},
        "the real positions are right, but the padded positions are not zero: Keras's "
        "Bidirectional with a mask outputs zeros beyond each sequence's length.",
    ),
]


def _bidirectional_cases() -> list[tuple[str, list[Any]]]:
    """(label, [x, lengths]) per case: mixed lengths with garbage in the padding, B=1, float64."""
    rng = np.random.default_rng(4)
    cases: list[tuple[str, list[Any]]] = []
    x = rng.normal(size=(B, T, D)).astype(np.float32)  # garbage in the padding too
    cases.append(("a padded batch (lengths 7, 3, 1, 5)", [x, np.array([T, 3, 1, 5])]))
    x1 = rng.normal(size=(1, T, D)).astype(np.float32)
    cases.append(("one sequence without padding", [x1, np.array([T])]))
    x2 = rng.normal(size=(3, 12, D))
    cases.append(("float64, 12 steps, lengths given as a list", [x2, [12, 2, 9]]))
    return cases


def _lengths_advice(exc: Exception) -> str:
    text = str(exc)
    if "this RNN reads" in text:
        return "Give forward_rnn and backward_rnn arrays of shape (steps, D) or (B, steps, D)."
    if any(word in text for word in ("concatenate", "broadcast", "shape", "dimension")):
        return (
            "Each sequence has its own length: loop over the batch, run both RNNs on "
            "x[b, :lengths[b]], then pad each merged result with zeros up to T steps."
        )
    return ""


def _bi_shape_hint(merge_mode: str, return_sequences: bool, got: tuple[int, ...]) -> str:
    width = 2 * H if merge_mode == "concat" else H
    if return_sequences and len(got) == 2:
        return "return_sequences=True returns one merged vector per step, shape (B, T, width)"
    if not return_sequences and len(got) == 3:
        return (
            "return_sequences=False returns one vector per sequence, shape (B, width): "
            "merge ->h at the last real step with <-h at step 0"
        )
    if got and got[-1] == 2 * width and merge_mode != "concat":
        return f"merge_mode={merge_mode!r} combines the two directions elementwise: width H"
    if got and got[-1] == H and merge_mode == "concat":
        return "concat puts the two directions side by side: width 2H"
    return f"one row per sequence, {'T steps, ' if return_sequences else ''}width {width}"


def _judge_bidirectional(learner: Callable[..., Any], label: str, args: list[Any]) -> None:
    x, lengths = args
    forward_rnn, backward_rnn = _simple_rnn(11), _simple_rnn(12)
    batch, steps = np.shape(x)[:2]
    for return_sequences in (True, False):
        for merge_mode in MERGE_MODES:
            setting = f"merge_mode={merge_mode!r}, return_sequences={return_sequences}"
            result = call(
                learner,
                x,
                lengths,
                forward_rnn,
                backward_rnn,
                merge_mode,
                return_sequences,
                on_error=_lengths_advice,
            )
            width = 2 * H if merge_mode == "concat" else H
            shape = (batch, steps, width) if return_sequences else (batch, width)
            got = expect_array(
                result,
                f"the output ({setting})",
                shape,
                _bi_shape_hint(merge_mode, return_sequences, tuple(np.shape(result))),
            )
            expected = _bidirectional(
                x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences
            )
            if close(got, expected):
                continue
            where = f"({setting}, on {label}) "
            for other in MERGE_MODES:
                if other != merge_mode and close(
                    got,
                    _bidirectional(x, lengths, forward_rnn, backward_rnn, other, return_sequences),
                ):
                    raise Hint(
                        f"{where}your merge computes {other!r} for merge_mode={merge_mode!r}: "
                        "concat = [->h, <-h], sum = ->h + <-h, ave = (->h + <-h) / 2, "
                        "mul = ->h * <-h."
                    )
            for options, hint in BIDIRECTIONAL_MISTAKES:
                wrong = _bidirectional(
                    x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences, **options
                )
                if close(got, wrong):
                    raise Hint(where + hint)
            if return_sequences:
                mask = np.arange(steps)[None] < np.asarray(lengths)[:, None]
                if close(got[mask], expected[mask]):
                    raise Hint(where + BIDIRECTIONAL_MISTAKES[-1][1])
            expect_close(got, expected, f"the output ({setting}, on {label})")


@exercise_check("bidirectional")
def bidirectional(learner: Callable[..., Any]) -> str:
    """Check `bidirectional(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences)`.

    x (B, T, D) right-padded, lengths (B,) real steps per sequence; forward_rnn and backward_rnn
    map a sequence (T', D) (or a batch (B, T', D)) to its hidden states (T', H) from a zero
    state. Returns, like keras.layers.Bidirectional with a mask: for return_sequences=True the
    merged states (B, T, width) with zeros at padded positions; for False (B, width), the merge of
    ->h at step lengths[b] - 1 and <-h at step 0. width is 2H for concat (forward first), H for
    sum, ave and mul. Judged with every merge mode and both settings on padded batches, one
    sequence, float64 and lists. Prints one line; returns True when it passes.
    """
    for label, args in _bidirectional_cases():
        _judge_bidirectional(learner, label, args)
    return (
        "matches Keras's Bidirectional for concat, sum, ave and mul, with return_sequences on "
        "and off, on padded batches (only the real steps reversed), one sequence and float64."
    )


# --------------------------------------------------------------------------- stack_summary

_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _summary(
    D_in: int,
    layers: Sequence[dict[str, Any]],
    batch: int,
    steps: int,
    double_bi: bool = True,
    concat_width: int = 2,
    other_width: int = 1,
    gru_biases: int = 2,
    lstm_bias: bool = True,
    chain: bool = True,
    use_return_sequences: bool = True,
) -> list[tuple[tuple[int, ...], int]]:
    """The reference (default options) and the catalogue's mistakes: [(shape, params)] per layer."""
    rows = []
    width_in = D_in
    for spec in layers:
        cell, units = spec["cell"], int(spec["units"])
        bi = bool(spec.get("bidirectional", False))
        mode = spec.get("merge_mode", "concat")
        biases = {"SimpleRNN": 1, "LSTM": 1 if lstm_bias else 0, "GRU": gru_biases}[cell]
        per_direction = _GATES[cell] * units * (width_in + units + biases)
        params = per_direction * (2 if bi and double_bi else 1)
        factor = (concat_width if mode == "concat" else other_width) if bi else 1
        width = factor * units
        sequences = spec.get("return_sequences", True) or not use_return_sequences
        shape = (batch, steps, width) if sequences else (batch, width)
        rows.append((shape, params))
        if chain:
            width_in = width
    return rows


STACK_MISTAKES: list[tuple[dict[str, Any], str]] = [
    (
        {"double_bi": False},
        "a bidirectional layer's parameters are counted once: it holds two independent RNNs "
        "(forward and backward), so its count is twice the count of one direction.",
    ),
    (
        {"concat_width": 1},
        "concat doubles the width: a bidirectional layer with H units and merge_mode='concat' "
        "outputs 2H features per step, and the next layer reads D = 2H inputs.",
    ),
    (
        {"other_width": 2},
        "only concat doubles the width: sum, ave and mul combine the two directions "
        "elementwise, so the output has H features.",
    ),
    (
        {"gru_biases": 1},
        "a Keras GRU (reset_after=True) has two bias rows: 3H(D + H + 2) parameters per "
        "direction, not 3H(D + H + 1).",
    ),
    (
        {"lstm_bias": False},
        "the LSTM's bias is missing: 4H(D + H + 1) parameters per direction.",
    ),
    (
        {"chain": False},
        "every layer is counted with the network's input width D; a layer reads the output of "
        "the layer below it: D of layer k + 1 is the output width of layer k.",
    ),
    (
        {"use_return_sequences": False},
        "return_sequences=False returns only the last step: shape (B, width), not (B, T, width).",
    ),
]

#: Stacks the check uses: the lesson's 3-layer mixed stack first, then other mixes.
STACKS: list[tuple[int, list[dict[str, Any]], int, int]] = [
    (
        16,
        [
            {"cell": "LSTM", "units": 32, "bidirectional": True, "merge_mode": "concat"},
            {"cell": "GRU", "units": 24, "bidirectional": False},
            {
                "cell": "LSTM",
                "units": 8,
                "bidirectional": True,
                "merge_mode": "sum",
                "return_sequences": False,
            },
        ],
        64,
        80,
    ),
    (
        5,
        [
            {"cell": "GRU", "units": 6, "bidirectional": True, "merge_mode": "concat"},
            {"cell": "SimpleRNN", "units": 4, "bidirectional": True, "merge_mode": "ave"},
            {"cell": "GRU", "units": 3, "bidirectional": True, "merge_mode": "mul"},
        ],
        2,
        9,
    ),
    (
        7,
        [
            {
                "cell": "SimpleRNN",
                "units": 3,
                "bidirectional": False,
                "return_sequences": False,
            }
        ],
        1,
        4,
    ),
]


def _describe(spec: dict[str, Any]) -> str:
    inner = (
        f"{spec['cell']}({spec['units']}, return_sequences={spec.get('return_sequences', True)})"
    )
    if spec.get("bidirectional"):
        return f"Bidirectional({inner}, merge_mode={spec.get('merge_mode', 'concat')!r})"
    return inner


def _normalise(result: Any, count: int) -> list[tuple[tuple[int, ...], int]]:
    if result is None:
        raise Hint("your function returned None: did you forget the `return` statement?")
    if not isinstance(result, list | tuple):
        raise Hint(
            f"expected a list with one (shape, params) pair per layer; got {type(result).__name__}"
        )
    if len(result) != count:
        raise Hint(
            f"expected one (shape, params) pair per layer, {count} for this stack; got "
            f"{len(result)}"
        )
    rows = []
    for k, item in enumerate(result):
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise Hint(f"item {k} should be a pair (shape, params); got {item!r}")
        shape, params = item
        if not isinstance(shape, list | tuple):
            raise Hint(f"the shape of layer {k} should be a tuple of ints, got {shape!r}")
        dims = tuple(expect_integer(d, f"a dimension of layer {k}'s shape") for d in shape)
        rows.append((dims, expect_integer(params, f"the parameter count of layer {k}")))
    return rows


@exercise_check("stack_summary")
def stack_summary(learner: Callable[..., Any]) -> str:
    """Check `stack_summary(D, layers, batch, steps) -> [(output shape, parameters), ...]`.

    `layers` lists the stack bottom-up, each a dict with "cell" ("SimpleRNN", "LSTM" or "GRU"),
    "units" H, "bidirectional" (bool), "merge_mode" (for bidirectional layers) and
    "return_sequences" (default True). For each layer: its output shape, (batch, steps, width)
    or (batch, width), and its trainable parameters, as Keras counts them. Judged on the
    lesson's 3-layer stack and on stacks mixing every cell and merge mode. Prints one line;
    returns True when it passes.
    """
    for D_in, layers, batch, steps in STACKS:
        got = _normalise(call(learner, D_in, layers, batch, steps), len(layers))
        expected = _summary(D_in, layers, batch, steps)
        if got == expected:
            continue
        for options, hint in STACK_MISTAKES:
            if got == _summary(D_in, layers, batch, steps, **options):
                raise Hint(hint)
        for k, (mine, right, spec) in enumerate(zip(got, expected, layers, strict=True)):
            if mine[0] != right[0]:
                raise Hint(
                    f"layer {k}, {_describe(spec)}, on D={D_in}: output shape {mine[0]}, "
                    f"expected {right[0]}"
                )
            if mine[1] != right[1]:
                raise Hint(
                    f"layer {k}, {_describe(spec)}, on D={D_in}: {mine[1]:,} parameters, "
                    f"expected {right[1]:,} (per direction: SimpleRNN H(D + H + 1), LSTM "
                    "4H(D + H + 1), GRU 3H(D + H + 2), with D the width of the layer below)"
                )
    return (
        "output shapes and parameter counts right for the 3-layer mixed stack and stacks of "
        "every cell and merge mode."
    )
