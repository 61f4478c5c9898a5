"""Checks for lesson 03, "LSTM gates and GRU": lstm_step, gru_step, gru_param_count.

Notation (COURSE_GUIDE section 6): batch-first row vectors in Keras's layout.
LSTM: W_x (D, 4H) = kernel, W_h (H, 4H) = recurrent_kernel, b (4H,) = bias, the four blocks in
Keras's order i, f, c, o. The pre-activation a_t = x_t W_x + h_{t-1} W_h + b is split into
a^i, a^f, a^c, a^o; i_t, f_t, o_t are sigmoids of their blocks, the candidate c̃_t = tanh(a^c);
c_t = f_t * c_{t-1} + i_t * c̃_t and h_t = o_t * tanh(c_t).
GRU (reset_after=True): W_x (D, 3H), W_h (H, 3H), b (2, 3H) (row 0 input bias, row 1 recurrent
bias), the three blocks in Keras's order z, r, h: z_t update gate, r_t reset gate, candidate
h̃_t = tanh(x_t W_x^h + b[0]^h + r_t * (h_{t-1} W_h^h + b[1]^h)), and
h_t = z_t * h_{t-1} + (1 - z_t) * h̃_t.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
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
    sigmoid,
)

__all__ = ["gru_param_count", "gru_step", "lstm_step"]

# B, D and H all differ, so that a transposed or misplaced matrix cannot go unnoticed.
B, D, H = 4, 3, 5
#: Steps of the long-sequence case: the learner's step is fed its own states this many times.
LONG_T = 60
#: Keys of the gates dictionary that lstm_step returns, and what each one holds.
GATE_KEYS = ("i", "f", "c_tilde", "o")
GATE_NAMES = {
    "i": "the input gate i_t",
    "f": "the forget gate f_t",
    "c_tilde": "the candidate c̃_t",
    "o": "the output gate o_t",
}


def _blocks(a: np.ndarray, n: int) -> list[np.ndarray]:
    return np.split(a, n, axis=-1)


def _cases(n_gates: int, seeds: tuple[int, int, int, int, int]) -> list[tuple[str, list]]:
    """Inputs for one step: (label, [x_t, h_prev, (c_prev,) W_x, W_h, b]) per case.

    Random inputs for a batch of B and of 1, float64 inputs, pre-activations large enough to
    saturate every sigmoid (and to overflow exp in float32), all-zero inputs and states, and a
    single unit (H = 1, float64: the hand-wired cell of the lesson's section 3).
    """
    states = 2 if n_gates == 4 else 1
    cases = []
    for label, seed, batch, units, scale, dtype in (
        (f"a batch of {B}", seeds[0], B, H, 0.7, np.float32),
        ("a batch of 1", seeds[1], 1, H, 0.7, np.float32),
        ("float64 inputs", seeds[2], 3, H, 0.7, np.float64),
        (
            "large pre-activations (|a| up to more than 100, saturated gates)",
            seeds[3],
            B,
            H,
            8.0,
            np.float32,
        ),
        ("all-zero inputs and states", seeds[4], 2, H, 0.7, np.float32),
        ("a single unit (H = 1)", seeds[0] + 30, 2, 1, 2.0, np.float64),
    ):
        bias_shape = (4 * units,) if n_gates == 4 else (2, 3 * units)
        data = random_inputs(seed + 10, (batch, D), *[(batch, units)] * states, scale=1.0)
        weights = random_inputs(
            seed, (D, n_gates * units), (units, n_gates * units), bias_shape, scale=scale
        )
        if label.startswith("all-zero"):
            data = [np.zeros_like(a) for a in data]
        if label.startswith("large"):
            data[0] = 4.0 * data[0]
        arrays = [a.astype(dtype) for a in data + weights]
        cases.append((label, arrays))
    return cases


def _shape_advice(n_gates: int, extra: str = "") -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        text = str(exc)
        if any(word in text for word in ("matmul", "shapes", "align", "broadcast", "split")):
            return (
                f"Check the shapes: x_t is (B, D) = ({B}, {D}), W_x is (D, {n_gates}H) = "
                f"({D}, {n_gates * H}), h_prev is (B, H) = ({B}, {H}), W_h is (H, {n_gates}H) = "
                f"({H}, {n_gates * H}). Compute x_t @ W_x and h_prev @ W_h (no transposes), "
                f"then split the last axis into {n_gates} blocks of H columns.{extra}"
            )
        return ""

    return advice


@contextlib.contextmanager
def _on_case(label: str, index: int) -> Iterator[None]:
    """Name the case that failed when the first one (a plain random batch) passed."""
    try:
        yield
    except Hint as hint:
        if index == 0:
            raise
        raise Hint(f"correct on a batch of {B}, but not on {label}: {hint}") from hint


@contextlib.contextmanager
def _at_step(t: int) -> Iterator[None]:
    """Say where a failure happened in the long sequence, whose earlier steps all passed."""
    try:
        yield
    except Hint as hint:
        raise Hint(
            f"correct on single steps, but wrong at step {t} of a {LONG_T}-step sequence fed "
            f"its own states (does your function keep something between calls?): {hint}"
        ) from hint


# --------------------------------------------------------------------------- LSTM


def _lstm(
    x_t,
    h_prev,
    c_prev,
    W_x,
    W_h,
    b,
    order="ifco",
    gate=sigmoid,
    candidate=np.tanh,
    use_forget=True,
    write="i",
    use_output=True,
    h_from="c",
    bias=True,
    recurrent="h",
):
    """A configurable LSTM step, (h_t, c_t, gates): the reference and the catalogue's mistakes."""
    x_t, h_prev, c_prev, W_x, W_h, b = (
        np.asarray(a, np.float64) for a in (x_t, h_prev, c_prev, W_x, W_h, b)
    )
    a = x_t @ W_x + {"h": h_prev, "c": c_prev}[recurrent] @ W_h + (b if bias else 0.0)
    parts = dict(zip(order, _blocks(a, 4), strict=True))
    i, f, o = gate(parts["i"]), gate(parts["f"]), gate(parts["o"])
    c_tilde = candidate(parts["c"])
    written = {"i": i * c_tilde, "none": c_tilde, "1-f": (1.0 - f) * c_tilde}[write]
    c_t = (f * c_prev if use_forget else c_prev) + written
    squashed = {"c": np.tanh(c_t), "raw c": c_t, "c_prev": np.tanh(c_prev)}[h_from]
    h_t = o * squashed if use_output else squashed
    return h_t, c_t, {"i": i, "f": f, "c_tilde": c_tilde, "o": o}


def _lstm_pre_activations(x_t, h_prev, W_x, W_h, b) -> dict[str, np.ndarray]:
    a = np.asarray(x_t, np.float64) @ W_x + np.asarray(h_prev, np.float64) @ W_h + b
    return dict(zip(GATE_KEYS, _blocks(a, 4), strict=True))


_LSTM_ORDER_HINT = (
    "wrong gate order: you read the four blocks of a_t = x_t W_x + h_prev W_h + b as {order}. "
    "Keras stores them as i, f, c (the candidate c̃), o: a_i, a_f, a_c, a_o = np.split(a, 4, "
    "axis=-1), each block H = a.shape[-1] // 4 columns wide."
)

LSTM_MISTAKES: list[tuple[dict[str, Any], str]] = [
    ({"order": "fico"}, _LSTM_ORDER_HINT.format(order="f, i, c, o (i and f swapped)")),
    ({"order": "ifoc"}, _LSTM_ORDER_HINT.format(order="i, f, o, c (candidate last)")),
    ({"order": "icfo"}, _LSTM_ORDER_HINT.format(order="i, c, f, o (the old TF1 order i, j, f, o)")),
    ({"order": "oifc"}, _LSTM_ORDER_HINT.format(order="o, i, f, c")),
    ({"order": "cifo"}, _LSTM_ORDER_HINT.format(order="c, i, f, o (candidate first)")),
    (
        {"gate": np.tanh, "candidate": sigmoid},
        "tanh and sigmoid are swapped: the gates i, f and o use the sigmoid (values in (0, 1), "
        "a fraction to let through) and the candidate c̃ uses tanh (values in (-1, 1)).",
    ),
    (
        {"candidate": sigmoid},
        "the candidate c̃ uses the sigmoid; it uses tanh, so that the cell can add negative "
        "values as well as positive ones: c_tilde = np.tanh(a_c).",
    ),
    (
        {"gate": np.tanh},
        "the gates use tanh; a gate is a fraction between 0 and 1, so i, f and o use the "
        "sigmoid, 1 / (1 + np.exp(-a)).",
    ),
    (
        {"candidate": lambda a: a},
        "the candidate is the raw block a_c; it is squashed first: c_tilde = np.tanh(a_c).",
    ),
    (
        {"h_from": "raw c"},
        "h_t is computed from c_t itself; it is squashed first: h_t = o * np.tanh(c_t).",
    ),
    (
        {"h_from": "c_prev"},
        "h_t uses the previous cell state c_prev; update the cell first, c_t = f * c_prev + "
        "i * c_tilde, then h_t = o * np.tanh(c_t).",
    ),
    (
        {"use_forget": False},
        "the forget gate is not applied: c_t = f * c_prev + i * c_tilde, not c_prev + i * c_tilde.",
    ),
    (
        {"write": "none"},
        "the input gate is not applied: the candidate enters as i * c_tilde, c_t = f * c_prev "
        "+ i * c_tilde.",
    ),
    (
        {"write": "1-f"},
        "the candidate is written with 1 - f (a coupled gate, as in a GRU); the LSTM has its "
        "own input gate: c_t = f * c_prev + i * c_tilde.",
    ),
    (
        {"use_output": False},
        "the output gate is missing: h_t = o * np.tanh(c_t), not np.tanh(c_t).",
    ),
    ({"bias": False}, "the bias b is missing: a = x_t @ W_x + h_prev @ W_h + b."),
    (
        {"recurrent": "c"},
        "the recurrent product uses the cell state: the gates read the hidden state, "
        "a = x_t @ W_x + h_prev @ W_h + b, not c_prev @ W_h.",
    ),
]


def _three_results(result: Any) -> tuple[Any, Any, Any]:
    if isinstance(result, tuple | list) and len(result) == 3:
        return result[0], result[1], result[2]
    got = type(result).__name__
    if isinstance(result, tuple | list):
        got += f" of length {len(result)}"
    raise Hint(
        "expected three results, `return h_t, c_t, gates` with gates = {'i': i, 'f': f, "
        f"'c_tilde': c_tilde, 'o': o}}; got {got}"
    )


def _gates_dict(raw: Any, shape: tuple[int, int], shape_hint: str) -> dict[str, np.ndarray]:
    if not isinstance(raw, dict):
        raise Hint(
            f"the third result (the gates) is a {type(raw).__name__}; return a dict, "
            "{'i': i, 'f': f, 'c_tilde': c_tilde, 'o': o}"
        )
    missing = [key for key in GATE_KEYS if key not in raw]
    if missing:
        raise Hint(
            f"the gates dict has the keys {sorted(map(str, raw))}; it needs exactly 'i', 'f', "
            f"'c_tilde' and 'o' (missing: {', '.join(repr(k) for k in missing)})"
        )
    return {key: expect_array(raw[key], f"gates[{key!r}]", shape, shape_hint) for key in GATE_KEYS}


def _judge_lstm(result: Any, args: list) -> tuple[np.ndarray, np.ndarray]:
    """Raise a Hint unless `result` is what lstm_step must return for `args`; return h_t, c_t."""
    batch, units = args[1].shape
    h_raw, c_raw, gates_raw = _three_results(result)
    shape_hint = (
        "h_t and c_t have one row per example and H columns; yours is transposed (the "
        "column-vector form of papers). Use x_t @ W_x and h_prev @ W_h, batch first."
        if np.shape(h_raw) == (units, batch) and batch != units
        else "h_t, c_t and every gate have one row per example and H columns. The four blocks "
        "are H wide each: did you split a into 4 blocks along the last axis (axis=-1)?"
    )
    h_t = expect_array(h_raw, "h_t", (batch, units), shape_hint)
    c_t = expect_array(c_raw, "c_t", (batch, units), shape_hint)
    gates = _gates_dict(gates_raw, (batch, units), shape_hint)
    expected_h, expected_c, expected_gates = _lstm(*args)
    if not (close(h_t, expected_h) and close(c_t, expected_c)):
        if close(h_t, expected_c) and close(c_t, expected_h):
            raise Hint("h_t and c_t are swapped: return h_t first, then c_t, then the gates.")
        for options, hint in LSTM_MISTAKES:
            wrong_h, wrong_c, _ = _lstm(*args, **options)
            if close(h_t, wrong_h) and close(c_t, wrong_c):
                raise Hint(hint)
    expect_close(c_t, expected_c, "c_t")
    expect_close(h_t, expected_h, "h_t")
    pre = _lstm_pre_activations(args[0], args[1], *args[3:])
    for key in GATE_KEYS:
        if close(gates[key], expected_gates[key]):
            continue
        for other in GATE_KEYS:
            if other != key and close(gates[key], expected_gates[other]):
                raise Hint(
                    f"h_t and c_t are right, but gates[{key!r}] holds {GATE_NAMES[other]}; "
                    f"it should hold {GATE_NAMES[key]}."
                )
        if close(gates[key], pre[key]):
            raise Hint(
                f"h_t and c_t are right, but gates[{key!r}] is the pre-activation block; return "
                f"{GATE_NAMES[key]} after its {'tanh' if key == 'c_tilde' else 'sigmoid'}."
            )
        expect_close(gates[key], expected_gates[key], f"gates[{key!r}]")
    return h_t, c_t


@exercise_check("lstm_step")
def lstm_step(learner: Callable[..., Any]) -> str:
    """Check `lstm_step(x_t, h_prev, c_prev, W_x, W_h, b) -> (h_t, c_t, gates)`.

    x_t (B, D), h_prev and c_prev (B, H), W_x (D, 4H), W_h (H, 4H), b (4H,) in Keras's gate
    order i, f, c, o: a = x_t W_x + h_prev W_h + b; i, f, o = sigmoid of their blocks, the
    candidate c_tilde = tanh of block c; c_t = f * c_prev + i * c_tilde; h_t = o * tanh(c_t).
    Returns h_t and c_t, both (B, H), and gates = {"i": i, "f": f, "c_tilde": c_tilde,
    "o": o}, each (B, H). Judged on batches of B and 1, float64, saturated gates, zeros, a
    single unit and a sequence of LONG_T steps fed its own states. Prints one line; returns
    True when it passes.
    """
    for k, (label, args) in enumerate(_cases(4, (1, 2, 5, 6, 7))):
        with _on_case(label, k):
            result = call(learner, *args, on_error=_shape_advice(4))
            _judge_lstm(result, args)
    # a long sequence: the learner's own states go back in, as in the lesson's loops
    x_seq = random_inputs(20, (LONG_T, 2, D), scale=1.0)[0]
    W_x, W_h, b = random_inputs(8, (D, 4 * H), (H, 4 * H), (4 * H,), scale=0.7)
    h = c = np.zeros((2, H), np.float32)
    h_ref = c_ref = np.zeros((2, H))
    for t in range(LONG_T):
        with _at_step(t):
            result = call(learner, x_seq[t], h, c, W_x, W_h, b, on_error=_shape_advice(4))
            h, c = _judge_lstm(result, [x_seq[t], h, c, W_x, W_h, b])
        h_ref, c_ref, _ = _lstm(x_seq[t], h_ref, c_ref, W_x, W_h, b)
        h, c = h.astype(np.float32), c.astype(np.float32)
    expect_close(h, h_ref, f"h_t after {LONG_T} steps")
    return (
        f"h_t, c_t and the gates correct on batches of {B} and 1, float64, saturated gates, "
        f"zeros, one unit and {LONG_T} chained steps; Keras gate order i, f, c, o."
    )


# --------------------------------------------------------------------------- GRU


def _gru(
    x_t,
    h_prev,
    W_x,
    W_h,
    b,
    order="zrh",
    gate=sigmoid,
    candidate=np.tanh,
    keep="z",
    reset="after",
    input_bias=True,
    recurrent_bias=True,
    swap_rows=False,
):
    """A configurable GRU step (Keras's reset_after=True by default) and its mistakes."""
    x_t, h_prev, W_x, W_h, b = (np.asarray(a, np.float64) for a in (x_t, h_prev, W_x, W_h, b))
    if swap_rows:
        b = b[::-1]
    b_in = b[0] if input_bias else np.zeros(b.shape[-1])
    b_rec = b[1] if recurrent_bias else np.zeros(b.shape[-1])
    inp = dict(zip(order, _blocks(x_t @ W_x + b_in, 3), strict=True))
    rec = dict(zip(order, _blocks(h_prev @ W_h + b_rec, 3), strict=True))
    z = gate(inp["z"] + rec["z"])
    r = gate(inp["r"] + rec["r"])
    W_hh = dict(zip(order, _blocks(W_h, 3), strict=True))["h"]
    b_rec_h = dict(zip(order, _blocks(b_rec, 3), strict=True))["h"]
    if reset == "after":
        pre = inp["h"] + r * rec["h"]
    elif reset == "before":  # reset_after=False: the reset gate scales h_prev before W_h^h
        pre = inp["h"] + (r * h_prev) @ W_hh + b_rec_h
    elif reset == "bias outside":  # the recurrent bias of the candidate escapes the reset gate
        pre = inp["h"] + r * (h_prev @ W_hh) + b_rec_h
    elif reset == "none":
        pre = inp["h"] + rec["h"]
    else:  # "everything": the reset gate scales the input term too
        pre = r * (inp["h"] + rec["h"])
    h_tilde = candidate(pre)
    if keep == "z":
        return z * h_prev + (1.0 - z) * h_tilde
    return (1.0 - z) * h_prev + z * h_tilde


GRU_MISTAKES: list[tuple[dict[str, Any], str]] = [
    (
        {"keep": "1-z"},
        "z and 1 - z are swapped. In Keras z is the fraction of the old state kept: "
        "h_t = z * h_prev + (1 - z) * h_tilde. (Some texts write it the other way round, with "
        "z weighting the candidate; Keras follows Cho et al. 2014.)",
    ),
    (
        {"order": "rzh"},
        "wrong gate order: you read the blocks as r, z, h. Keras stores them as z (update), "
        "r (reset), h (candidate): split x_t @ W_x + b[0] and h_prev @ W_h + b[1] into 3 "
        "blocks each.",
    ),
    (
        {"order": "hzr"},
        "wrong gate order: you read the blocks as h, z, r. Keras stores them as z (update), "
        "r (reset), h (candidate).",
    ),
    (
        {"order": "zhr"},
        "wrong gate order: you read the blocks as z, h, r. Keras stores them as z (update), "
        "r (reset), h (candidate): the candidate's block is the last one.",
    ),
    (
        {"reset": "before"},
        "the reset gate is applied before the matrix product, (r * h_prev) @ W_h^h: that is "
        "reset_after=False. Keras's default, reset_after=True, multiplies after it: "
        "h_tilde = tanh(in_h + r * rec_h), with rec_h the h block of h_prev @ W_h + b[1].",
    ),
    (
        {"reset": "bias outside"},
        "the candidate's recurrent bias b[1] is added outside the reset gate. With "
        "reset_after=True it sits inside: h_tilde = tanh(in_h + r * rec_h), where rec_h is "
        "the h block of h_prev @ W_h + b[1]; compute h_prev @ W_h + b[1] first, then split it.",
    ),
    (
        {"reset": "none"},
        "the reset gate r is never used: h_tilde = tanh(in_h + r * rec_h), where rec_h is the "
        "candidate block of h_prev @ W_h + b[1].",
    ),
    (
        {"reset": "everything"},
        "the reset gate scales the input term too; it acts on the recurrent part only: "
        "h_tilde = tanh(in_h + r * rec_h).",
    ),
    (
        {"recurrent_bias": False},
        "the recurrent bias b[1] is missing. With reset_after=True the GRU has two bias rows: "
        "b[0] is added to x_t @ W_x and b[1] to h_prev @ W_h.",
    ),
    (
        {"input_bias": False},
        "the input bias b[0] is missing: it is added to x_t @ W_x (b[1] goes with h_prev @ W_h).",
    ),
    (
        {"input_bias": False, "recurrent_bias": False},
        "both bias rows are missing: add b[0] to x_t @ W_x and b[1] to h_prev @ W_h.",
    ),
    (
        {"swap_rows": True},
        "the two bias rows are swapped: b[0] is the input bias, added to x_t @ W_x, and b[1] "
        "the recurrent bias, added to h_prev @ W_h (inside the reset gate).",
    ),
    (
        {"gate": np.tanh, "candidate": sigmoid},
        "tanh and sigmoid are swapped: the gates z and r use the sigmoid, the candidate "
        "h_tilde uses tanh.",
    ),
    (
        {"gate": np.tanh},
        "the gates use tanh; z and r are fractions between 0 and 1, so they use the sigmoid, "
        "1 / (1 + np.exp(-a)).",
    ),
    (
        {"candidate": sigmoid},
        "the candidate h_tilde uses the sigmoid; it uses tanh: h_tilde = np.tanh(in_h + r * "
        "rec_h).",
    ),
]


def _gru_advice(exc: Exception) -> str:
    text = str(exc)
    if "broadcast" in text and "(2," in text:
        return (
            "b has shape (2, 3H): row b[0] is the input bias (added to x_t @ W_x) and row b[1] "
            "the recurrent bias (added to h_prev @ W_h); add each row, not b itself."
        )
    return _shape_advice(3, " The bias b is (2, 3H): use b[0] and b[1].")(exc)


def _judge_gru(got: Any, args: list) -> np.ndarray:
    batch, units = args[1].shape
    if isinstance(got, tuple | list) and len(got) == 2:
        raise Hint("return h_t alone: the GRU has no separate cell state.")
    got = expect_array(
        got,
        "h_t",
        (batch, units),
        "h_t has one row per example and H columns. The three blocks are H wide each: "
        "did you split along the last axis (axis=-1) into 3 blocks?",
    )
    if not close(got, _gru(*args)):
        for options, hint in GRU_MISTAKES:
            if close(got, _gru(*args, **options)):
                raise Hint(hint)
    expect_close(got, _gru(*args), "h_t")
    return got


@exercise_check("gru_step")
def gru_step(learner: Callable[..., Any]) -> str:
    """Check `gru_step(x_t, h_prev, W_x, W_h, b) -> h_t` (Keras's GRU, reset_after=True).

    x_t (B, D), h_prev (B, H), W_x (D, 3H), W_h (H, 3H), b (2, 3H) in Keras's order z, r, h:
    in_z, in_r, in_h = blocks of x_t W_x + b[0]; rec_z, rec_r, rec_h = blocks of
    h_prev W_h + b[1]; z = sigmoid(in_z + rec_z); r = sigmoid(in_r + rec_r);
    h_tilde = tanh(in_h + r * rec_h); h_t = z * h_prev + (1 - z) * h_tilde, shape (B, H).
    Judged on batches of B and 1, float64, saturated gates, zeros, a single unit and a sequence
    of LONG_T steps fed its own state. Prints one line; returns True when it passes.
    """
    for k, (label, args) in enumerate(_cases(3, (3, 4, 9, 11, 12))):
        with _on_case(label, k):
            _judge_gru(call(learner, *args, on_error=_gru_advice), args)
    x_seq = random_inputs(21, (LONG_T, 2, D), scale=1.0)[0]
    W_x, W_h, b = random_inputs(13, (D, 3 * H), (H, 3 * H), (2, 3 * H), scale=0.7)
    h = np.zeros((2, H), np.float32)
    h_ref = np.zeros((2, H))
    for t in range(LONG_T):
        with _at_step(t):
            got = call(learner, x_seq[t], h, W_x, W_h, b, on_error=_gru_advice)
            h = _judge_gru(got, [x_seq[t], h, W_x, W_h, b])
        h = h.astype(np.float32)
        h_ref = _gru(x_seq[t], h_ref, W_x, W_h, b)
    expect_close(h, h_ref, f"h_t after {LONG_T} steps")
    return (
        f"correct on batches of {B} and 1, float64, saturated gates, zeros, one unit and {LONG_T} "
        "chained steps: Keras's GRU, order z, r, h, reset_after=True."
    )


# --------------------------------------------------------------------------- parameter count

_COUNT_CASES = ((3, 5), (1, 1), (8, 16), (65, 128))


@exercise_check("gru_param_count")
def gru_param_count(learner: Callable[..., Any]) -> str:
    """Check `gru_param_count(D, H) -> int`: the trainable parameters of `keras.layers.GRU(H)`
    (reset_after=True, the default) on D input features. Prints one line; returns True when it
    passes.
    """
    mistakes = [
        (
            lambda d, h: 3 * h * (d + h + 1),
            "one bias row only: that is the count of GRU(reset_after=False). Keras's default "
            "reset_after=True has two bias rows, b of shape (2, 3H).",
        ),
        (lambda d, h: 3 * h * (d + h), "the biases are missing: b has shape (2, 3H)."),
        (
            lambda d, h: 4 * h * (d + h + 1),
            "that is the LSTM's count (four blocks); the GRU has three: z, r and h.",
        ),
        (
            lambda d, h: 4 * h * (d + h + 2),
            "four blocks: the GRU has three, z, r and h (the LSTM has four).",
        ),
        (
            lambda d, h: 2 * h * (d + h + 2),
            "two blocks: besides the gates z and r, the candidate h̃ has its own weights, "
            "three blocks in all.",
        ),
        (
            lambda d, h: h * (d + h + 1),
            "that is a SimpleRNN's count, one block; the GRU has three: z, r and h.",
        ),
        (
            lambda d, h: 3 * d * (d + h + 2),
            "D and H are mixed up: every block has H units, so the recurrent kernel W_h is "
            "H x 3H and each bias row has 3H entries.",
        ),
        (
            lambda d, h: 3 * h * (d + h) + 2 * h,
            "each bias row has 3H entries (one per unit of each block), not H.",
        ),
        (
            lambda d, h: 3 * d * h + h * h + 6 * h,
            "the recurrent kernel W_h is H x 3H (one H x H matrix per block), not H x H.",
        ),
    ]
    got = {
        (d, h): expect_integer(call(learner, d, h), f"gru_param_count({d}, {h})")
        for d, h in _COUNT_CASES
    }
    wrong_cases = [(d, h) for d, h in _COUNT_CASES if got[d, h] != 3 * h * (d + h + 2)]
    if wrong_cases:
        d, h = wrong_cases[0]
        for wrong, hint in mistakes:  # the formula that explains every answer
            if all(got[case] == wrong(*case) for case in _COUNT_CASES):
                raise Hint(f"for D={d}, H={h} you returned {got[d, h]}: {hint}")
        raise Hint(
            f"for D={d}, H={h} you returned {got[d, h]}, not what Keras counts. Count the kernel "
            "W_x (D x 3H), the recurrent kernel W_h (H x 3H) and the bias b (2 x 3H)."
        )
    return f"matches Keras's count on {len(_COUNT_CASES)} (D, H) pairs."
