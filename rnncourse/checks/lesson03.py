"""Checks for lesson 03, "LSTM gates and GRU": lstm_step, gru_step, lstm_param_count,
gru_param_count.

Notation (COURSE_GUIDE section 6): batch-first row vectors in Keras's layout. LSTM: W (D, 4H),
U (H, 4H), b (4H,), the four blocks in Keras's order i, f, c (the candidate g), o. GRU with
reset_after=True: W (D, 3H), U (H, 3H), b (2, 3H) (row 0 input bias, row 1 recurrent bias), the
three blocks in Keras's order z, r, h.
"""

from __future__ import annotations

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
    expect_integer,
    random_inputs,
)

__all__ = ["gru_param_count", "gru_step", "lstm_param_count", "lstm_step"]

# B, D and H all differ, so that a transposed or misplaced matrix cannot go unnoticed.
B, D, H = 4, 3, 5


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _blocks(z: np.ndarray, n: int) -> list[np.ndarray]:
    return np.split(z, n, axis=-1)


# --------------------------------------------------------------------------- LSTM


def _lstm(
    x_t,
    h_prev,
    c_prev,
    W,
    U,
    b,
    order="ifco",
    gate=_sigmoid,
    candidate=np.tanh,
    use_forget=True,
    use_input=True,
    use_output=True,
    h_from="c",
    bias=True,
):
    """A configurable LSTM step: the reference, and the mistakes of the catalogue."""
    z = x_t @ W + h_prev @ U + (b if bias else 0.0)
    parts = dict(zip(order, _blocks(z, 4), strict=True))
    i, f, g, o = gate(parts["i"]), gate(parts["f"]), candidate(parts["c"]), gate(parts["o"])
    c_t = (f * c_prev if use_forget else c_prev) + (i * g if use_input else g)
    squashed = {"c": np.tanh(c_t), "raw c": c_t, "c_prev": np.tanh(c_prev)}[h_from]
    h_t = o * squashed if use_output else squashed
    return h_t, c_t


_LSTM_ORDER_HINT = (
    "wrong gate order: you read the four blocks of z = x_t W + h_prev U + b as {order}. Keras "
    "stores them as i, f, c (the candidate g), o: i, f, g, o = np.split(z, 4, axis=-1), with "
    "each block H = z.shape[-1] // 4 columns wide."
)

LSTM_MISTAKES: list[tuple[dict[str, Any], str]] = [
    ({"order": "fico"}, _LSTM_ORDER_HINT.format(order="f, i, c, o (i and f swapped)")),
    ({"order": "ifoc"}, _LSTM_ORDER_HINT.format(order="i, f, o, c (candidate last)")),
    ({"order": "icfo"}, _LSTM_ORDER_HINT.format(order="i, c, f, o (the old TF1 order i, j, f, o)")),
    ({"order": "oifc"}, _LSTM_ORDER_HINT.format(order="o, i, f, c")),
    (
        {"gate": np.tanh, "candidate": _sigmoid},
        "tanh and sigmoid are swapped: the gates i, f and o use the sigmoid (values in (0, 1), "
        "a fraction to let through) and the candidate g uses tanh (values in (-1, 1)).",
    ),
    (
        {"candidate": _sigmoid},
        "the candidate g uses the sigmoid; it uses tanh, so that the cell can add negative "
        "values as well as positive ones: g = np.tanh(z_c).",
    ),
    (
        {"gate": np.tanh},
        "the gates use tanh; a gate is a fraction between 0 and 1, so i, f and o use the "
        "sigmoid, 1 / (1 + np.exp(-z)).",
    ),
    (
        {"h_from": "raw c"},
        "h_t is computed from c_t itself; it is squashed first: h_t = o * np.tanh(c_t).",
    ),
    (
        {"h_from": "c_prev"},
        "h_t uses the previous cell state c_prev; update the cell first, c_t = f * c_prev + "
        "i * g, then h_t = o * np.tanh(c_t).",
    ),
    (
        {"use_forget": False},
        "the forget gate is not applied: c_t = f * c_prev + i * g, not c_prev + i * g.",
    ),
    (
        {"use_input": False},
        "the input gate is not applied: the candidate enters as i * g, c_t = f * c_prev + i * g.",
    ),
    (
        {"use_output": False},
        "the output gate is missing: h_t = o * np.tanh(c_t), not np.tanh(c_t).",
    ),
    ({"bias": False}, "the bias b is missing: z = x_t @ W + h_prev @ U + b."),
]


def _gate_shape_advice(n_gates: int, extra: str = "") -> Callable[[Exception], str]:
    def advice(exc: Exception) -> str:
        text = str(exc)
        if any(word in text for word in ("matmul", "shapes", "align", "broadcast", "split")):
            return (
                f"Check the shapes: x_t is (B, D) = ({B}, {D}), W is (D, {n_gates}H) = "
                f"({D}, {n_gates * H}), h_prev is (B, H) = ({B}, {H}), U is (H, {n_gates}H) = "
                f"({H}, {n_gates * H}). Compute x_t @ W and h_prev @ U (no transposes), then "
                f"split the last axis into {n_gates} blocks of H columns.{extra}"
            )
        return "Read the message above: it names the line that failed."

    return advice


def _two_arrays(result: Any, names: tuple[str, str]) -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        got = type(result).__name__
        if isinstance(result, tuple | list):
            got += f" of length {len(result)}"
        raise Hint(f"expected two results, `return {names[0]}, {names[1]}`; got {got}")
    return result[0], result[1]


@exercise_check("lstm_step")
def lstm_step(learner: Callable[..., Any]) -> str:
    """Check `lstm_step(x_t, h_prev, c_prev, W, U, b) -> (h_t, c_t)`.

    x_t (B, D), h_prev and c_prev (B, H), W (D, 4H), U (H, 4H), b (4H,) in Keras's gate order
    i, f, c, o: z = x_t W + h_prev U + b; i, f, o = sigmoid of their blocks, g = tanh of the
    candidate block; c_t = f * c_prev + i * g; h_t = o * tanh(c_t). Returns h_t and c_t, both
    (B, H). Prints one line; returns True when it passes.
    """
    cases = 0
    for seed, batch in ((1, B), (2, 1)):
        x_t, h_prev, c_prev = random_inputs(
            seed + 10, (batch, D), (batch, H), (batch, H), scale=1.0
        )
        W, U, b = random_inputs(seed, (D, 4 * H), (H, 4 * H), (4 * H,), scale=0.7)
        args = (x_t, h_prev, c_prev, W, U, b)
        result = call(learner, *args, on_error=_gate_shape_advice(4))
        h_raw, c_raw = _two_arrays(result, ("h_t", "c_t"))
        shape_hint = (
            "h_t and c_t have one row per example and H columns; yours is transposed (the "
            "column-vector form of papers). Use x_t @ W and h_prev @ U, batch first."
            if np.shape(h_raw) == (H, batch)
            else "h_t and c_t have one row per example and H columns. The four gate blocks "
            "are H wide each: did you split z into 4 blocks along the last axis (axis=-1)?"
        )
        h_t = expect_array(h_raw, "h_t", (batch, H), shape_hint)
        c_t = expect_array(c_raw, "c_t", (batch, H), shape_hint)
        expected_h, expected_c = _lstm(*args)
        if not (close(h_t, expected_h) and close(c_t, expected_c)):
            if close(h_t, expected_c) and close(c_t, expected_h):
                raise Hint("the results are swapped: return h_t first, then c_t.")
            for options, hint in LSTM_MISTAKES:
                wrong_h, wrong_c = _lstm(*args, **options)
                if close(h_t, wrong_h) and close(c_t, wrong_c):
                    raise Hint(hint)
        expect_close(c_t, expected_c, "c_t")
        expect_close(h_t, expected_h, "h_t")
        cases += 1
    return f"h_t and c_t correct on {cases} batches (B={B} and B=1), Keras gate order i, f, c, o."


# --------------------------------------------------------------------------- GRU


def _gru(
    x_t,
    h_prev,
    W,
    U,
    b,
    order="zrh",
    gate=_sigmoid,
    candidate=np.tanh,
    keep="z",
    reset="after",
    input_bias=True,
    recurrent_bias=True,
):
    """A configurable GRU step (Keras's reset_after=True by default) and its mistakes."""
    b_in = b[0] if input_bias else 0.0
    b_rec = b[1] if recurrent_bias else 0.0
    x_parts = dict(zip(order, _blocks(x_t @ W + b_in, 3), strict=True))
    h_parts = dict(zip(order, _blocks(h_prev @ U + b_rec, 3), strict=True))
    z = gate(x_parts["z"] + h_parts["z"])
    r = gate(x_parts["r"] + h_parts["r"])
    U_h = dict(zip(order, _blocks(U, 3), strict=True))["h"]
    b_rec_h = dict(zip(order, _blocks(np.broadcast_to(b_rec, (3 * H,)), 3), strict=True))["h"]
    if reset == "after":
        pre = x_parts["h"] + r * h_parts["h"]
    elif reset == "before":  # reset_after=False: the reset gate scales h_prev before U_h
        pre = x_parts["h"] + (r * h_prev) @ U_h + b_rec_h
    elif reset == "bias outside":  # the recurrent bias of the candidate escapes the reset gate
        pre = x_parts["h"] + r * (h_prev @ U_h) + b_rec_h
    elif reset == "none":
        pre = x_parts["h"] + h_parts["h"]
    else:  # "everything": the reset gate scales the input term too
        pre = r * (x_parts["h"] + h_parts["h"])
    hh = candidate(pre)
    if keep == "z":
        return z * h_prev + (1.0 - z) * hh
    return (1.0 - z) * h_prev + z * hh


GRU_MISTAKES: list[tuple[dict[str, Any], str]] = [
    (
        {"keep": "1-z"},
        "z and 1 - z are swapped. In Keras z is the fraction of the old state kept: "
        "h_t = z * h_prev + (1 - z) * hh. (Some texts write it the other way round, with "
        "z weighting the candidate; Keras follows Cho et al. 2014.)",
    ),
    (
        {"order": "rzh"},
        "wrong gate order: you read the blocks as r, z, h. Keras stores them as z (update), "
        "r (reset), h (candidate): split x_t W + b[0] and h_prev U + b[1] into 3 blocks each.",
    ),
    (
        {"order": "hzr"},
        "wrong gate order: you read the blocks as h, z, r. Keras stores them as z (update), "
        "r (reset), h (candidate).",
    ),
    (
        {"reset": "before"},
        "the reset gate is applied before the matrix product, (r * h_prev) @ U_h: that is "
        "reset_after=False. Keras's default, reset_after=True, multiplies after it: "
        "hh = tanh(x_h + r * (h_prev @ U_h + b[1]_h)).",
    ),
    (
        {"reset": "bias outside"},
        "the candidate's recurrent bias b[1] is added outside the reset gate. With "
        "reset_after=True it sits inside: hh = tanh(x_h + r * (h_prev @ U_h + b[1]_h)), so "
        "compute h_prev @ U + b[1] first, then split it.",
    ),
    (
        {"reset": "none"},
        "the reset gate r is never used: hh = tanh(x_h + r * r_h), where r_h is the "
        "candidate block of h_prev @ U + b[1].",
    ),
    (
        {"reset": "everything"},
        "the reset gate scales the input term too; it acts on the recurrent part only: "
        "hh = tanh(x_h + r * r_h).",
    ),
    (
        {"recurrent_bias": False},
        "the recurrent bias b[1] is missing. With reset_after=True the GRU has two bias rows: "
        "b[0] is added to x_t @ W and b[1] to h_prev @ U.",
    ),
    (
        {"input_bias": False},
        "the input bias b[0] is missing: it is added to x_t @ W (b[1] goes with h_prev @ U).",
    ),
    (
        {"input_bias": False, "recurrent_bias": False},
        "both bias rows are missing: add b[0] to x_t @ W and b[1] to h_prev @ U.",
    ),
    (
        {"gate": np.tanh, "candidate": _sigmoid},
        "tanh and sigmoid are swapped: the gates z and r use the sigmoid, the candidate hh uses "
        "tanh.",
    ),
    (
        {"candidate": _sigmoid},
        "the candidate hh uses the sigmoid; it uses tanh: hh = np.tanh(x_h + r * r_h).",
    ),
]


def _gru_advice(exc: Exception) -> str:
    text = str(exc)
    if "broadcast" in text and "(2," in text:
        return (
            "b has shape (2, 3H): row b[0] is the input bias (added to x_t @ W) and row b[1] "
            "the recurrent bias (added to h_prev @ U); add each row, not b itself."
        )
    return _gate_shape_advice(3, " The bias b is (2, 3H): use b[0] and b[1].")(exc)


@exercise_check("gru_step")
def gru_step(learner: Callable[..., Any]) -> str:
    """Check `gru_step(x_t, h_prev, W, U, b) -> h_t` (Keras's GRU, reset_after=True).

    x_t (B, D), h_prev (B, H), W (D, 3H), U (H, 3H), b (2, 3H) in Keras's order z, r, h:
    x_z, x_r, x_h = blocks of x_t W + b[0]; r_z, r_r, r_h = blocks of h_prev U + b[1];
    z = sigmoid(x_z + r_z); r = sigmoid(x_r + r_r); hh = tanh(x_h + r * r_h);
    h_t = z * h_prev + (1 - z) * hh, shape (B, H). Prints one line; returns True when it passes.
    """
    cases = 0
    for seed, batch in ((3, B), (4, 1)):
        x_t, h_prev = random_inputs(seed + 10, (batch, D), (batch, H), scale=1.0)
        W, U, b = random_inputs(seed, (D, 3 * H), (H, 3 * H), (2, 3 * H), scale=0.7)
        args = (x_t, h_prev, W, U, b)
        got = call(learner, *args, on_error=_gru_advice)
        if isinstance(got, tuple | list) and len(got) == 2:
            raise Hint("return h_t alone: the GRU has no separate cell state.")
        got = expect_array(
            got,
            "h_t",
            (batch, H),
            "h_t has one row per example and H columns. The three blocks are H wide each: "
            "did you split along the last axis (axis=-1) into 3 blocks?",
        )
        mistakes = [(_gru(*args, **options), hint) for options, hint in GRU_MISTAKES]
        expect_close(got, _gru(*args), "h_t", mistakes)
        cases += 1
    return (
        f"correct on {cases} batches (B={B} and B=1): Keras's GRU, order z, r, h, reset_after=True."
    )


# --------------------------------------------------------------------------- parameter counts

_COUNT_CASES = ((3, 5), (1, 1), (8, 16), (65, 128))


def _judge_count(name: str, learner: Callable[..., Any], expected, mistakes, generic: str) -> str:
    for d, h in _COUNT_CASES:
        got = expect_integer(call(learner, d, h), f"{name}({d}, {h})")
        if got == expected(d, h):
            continue
        for wrong, hint in mistakes:
            if got == wrong(d, h):
                raise Hint(f"for D={d}, H={h} you returned {got}: {hint}")
        raise Hint(f"for D={d}, H={h} you returned {got}, not what Keras counts. {generic}")
    return f"matches Keras's count on {len(_COUNT_CASES)} (D, H) pairs."


@exercise_check("lstm_param_count")
def lstm_param_count(learner: Callable[..., Any]) -> str:
    """Check `lstm_param_count(D, H) -> int`: the trainable parameters of
    `keras.layers.LSTM(H)` on D input features. Prints one line; returns True when it passes.
    """
    mistakes = [
        (lambda d, h: 4 * h * (d + h), "the biases are missing: the LSTM has one bias of 4H."),
        (
            lambda d, h: 4 * h * (d + h + 2),
            "you counted two bias vectors per gate (as PyTorch's nn.LSTM has); Keras's LSTM has "
            "a single bias of 4H numbers.",
        ),
        (
            lambda d, h: 3 * h * (d + h + 1),
            "that is three blocks (a GRU-like count without its second bias); the LSTM has "
            "four: i, f, c (candidate) and o.",
        ),
        (
            lambda d, h: h * (d + h + 1),
            "that is a SimpleRNN's count, one block; the LSTM has four: i, f, c and o.",
        ),
        (
            lambda d, h: 4 * d * (d + h + 1),
            "D and H are mixed up: every block has H units, so the bias has 4H entries and "
            "the recurrent kernel is H x 4H.",
        ),
        (
            lambda d, h: 4 * (d * h + h * h) + h,
            "only H biases: each of the four blocks has its own bias, 4H in all.",
        ),
        (
            lambda d, h: 4 * d * h + h * h + 4 * h,
            "the recurrent kernel U is H x 4H (one H x H matrix per block), not H x H.",
        ),
    ]
    return _judge_count(
        "lstm_param_count",
        learner,
        lambda d, h: 4 * h * (d + h + 1),
        mistakes,
        "Count the kernel W (D x 4H), the recurrent kernel U (H x 4H) and the bias b (4H).",
    )


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
            "two blocks: besides the gates z and r, the candidate h has its own weights, "
            "three blocks in all.",
        ),
        (
            lambda d, h: 3 * d * (d + h + 2),
            "D and H are mixed up: every block has H units, so the recurrent kernel is H x 3H "
            "and each bias row has 3H entries.",
        ),
        (
            lambda d, h: 3 * h * (d + h) + 2 * h,
            "each bias row has 3H entries (one per unit of each block), not H.",
        ),
    ]
    return _judge_count(
        "gru_param_count",
        learner,
        lambda d, h: 3 * h * (d + h + 2),
        mistakes,
        "Count the kernel W (D x 3H), the recurrent kernel U (H x 3H) and the bias b (2 x 3H).",
    )
