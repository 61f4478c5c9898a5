"""Checks for lesson 01, "The simple RNN cell": rnn_step, rnn_forward, build_counting_model and
counting_model (the trained model of that exercise).

Notation (COURSE_GUIDE section 6): batch-first row vectors, x_t (B, D), h_t (B, H),
a_t = x_t W_xh + h_{t-1} W_hh + b_h, h_t = tanh(a_t), W_xh (D, H), W_hh (H, H), b_h (H,);
the output layer gives logits s_t = h_t W_hy + b_y (B, V) and ŷ_t = softmax(s_t). In the
exercises' code h_{t-1} is the argument `h_prev`. The counting model reads T bits (D = 1) and
scores the V = T + 1 possible counts 0..T from its last state h_T.
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
    random_inputs,
    sigmoid,
)

__all__ = ["build_counting_model", "counting_model", "rnn_forward", "rnn_step"]

# Shapes chosen so that B, T, D and H all differ: a transposed matrix cannot go unnoticed.
B, T, D, H = 4, 6, 3, 5
#: Steps of the long case of rnn_forward (and more than any hard-coded loop of the lesson).
LONG_T = 60
#: Validation accuracy the trained counting model must reach (the lesson states it).
COUNTING_TARGET = 0.90
#: An accuracy within this margin of the best constant answer counts as "untrained".
UNTRAINED_MARGIN = 0.10


def _step(x_t, h_prev, W_xh, W_hh, b_h, act=np.tanh, transpose_hh=False, bias=True):
    recurrent = W_hh.T if transpose_hh else W_hh
    return act(x_t @ W_xh + h_prev @ recurrent + (b_h if bias else 0.0))


def _shape_advice(exc: Exception) -> str:
    if "matmul" in str(exc) or "shapes" in str(exc) or "align" in str(exc):
        return (
            "Check the shapes: x_t is (B, D), W_xh is (D, H), h_prev = h_{t-1} is (B, H), "
            "W_hh is (H, H). In the course's row-vector form the products are x_t @ W_xh and "
            "h_prev @ W_hh, no transposes."
        )
    return ""


def _forward_advice(exc: Exception) -> str:
    if "broadcast" in str(exc) or "index" in str(exc):
        return (
            "x is batch-first, (B, T, D): the input at time t is x[:, t] (shape (B, D)), not "
            "x[t], and there are x.shape[1] time steps."
        )
    return _shape_advice(exc)


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """Return the shape of an array-like value, or None when it has none (ragged, not numbers)."""
    try:
        return tuple(np.shape(value))
    except (TypeError, ValueError):
        return None


def _weights(seed: int, d: int = D, h: int = H, scale: float = 0.5) -> list[np.ndarray]:
    return random_inputs(seed, (d, h), (h, h), (h,), scale=scale)


# --------------------------------------------------------------------------- rnn_step


def _step_cases() -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """(label, (x_t, h_prev, W_xh, W_hh, b_h)) for every path the lesson uses, and the edges.

    Batches of B and of 1, one input feature (the counting model's D = 1), float64, inputs so
    large that tanh saturates (|a_t| near 200: exp(2 a_t) overflows even in float64), and zero
    inputs and state (h_t = tanh(b_h)).
    """
    cases = []
    for label, seed, batch, d, scale, dtype in (
        (f"a batch of {B}", 1, B, D, 1.0, np.float32),
        ("a batch of 1", 2, 1, D, 1.0, np.float32),
        ("one input feature (D = 1)", 3, 3, 1, 1.0, np.float32),
        ("float64 inputs", 4, B, D, 1.0, np.float64),
    ):
        x_t, h_prev = random_inputs(seed + 10, (batch, d), (batch, H), scale=scale)
        weights = _weights(seed, d=d)
        cases.append((label, tuple(a.astype(dtype) for a in (x_t, h_prev, *weights))))
    x_t, h_prev = random_inputs(15, (B, D), (B, H), scale=100.0)
    W_xh, W_hh, b_h = _weights(5, scale=1.0)
    cases.append(("large pre-activations (|a_t| up to about 200)", (x_t, h_prev, W_xh, W_hh, b_h)))
    W_xh, W_hh, b_h = _weights(6)
    zeros = (np.zeros((B, D), np.float32), np.zeros((B, H), np.float32))
    cases.append(("zero inputs and state", (*zeros, W_xh, W_hh, b_h)))
    return cases


def _step_shape_hint(shape: tuple[int, ...] | None, batch: int, d: int) -> str:
    if shape == (H, batch):
        return (
            "that is the column-vector form W_hh h_{t-1}, one column per example. With "
            "batch-first row vectors, x_t @ W_xh is (B, D) @ (D, H) -> (B, H)."
        )
    if shape == (H,):
        return (
            "the batch axis is gone: h_t keeps one row per example. Did you sum over the batch "
            "or use only one example (x_t[0])?"
        )
    if shape == (batch, d):
        return "h_t has H columns, one per hidden unit, not D: multiply x_t by W_xh."
    return (
        "h_t must have one row per example and H columns. With row vectors, x_t @ W_xh is "
        "(B, D) @ (D, H) -> (B, H) and h_prev @ W_hh is (B, H) @ (H, H) -> (B, H)."
    )


@exercise_check("rnn_step")
def rnn_step(learner: Callable[..., Any]) -> str:
    """Check `rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t`.

    x_t (B, D), h_prev = h_{t-1} (B, H), W_xh (D, H), W_hh (H, H), b_h (H,); returns h_t (B, H)
    = tanh(x_t @ W_xh + h_prev @ W_hh + b_h). Tried on batches of 4 and of 1, D = 1, float64,
    saturating inputs and zeros. Prints one line; returns True when it passes.
    """
    cases = _step_cases()
    for label, args in cases:
        x_t, h_prev, W_xh, W_hh, b_h = args
        batch, d = x_t.shape
        got = call(learner, *args, on_error=_shape_advice)
        if (
            isinstance(got, np.ndarray)
            and got.shape == (batch, H)
            and np.issubdtype(got.dtype, np.number)
        ):
            if not np.isfinite(got.astype(np.float64)).all():
                raise Hint(
                    f"on {label}, h_t contains NaN or infinity where tanh gives numbers in "
                    "[-1, 1]: a tanh computed from np.exp overflows for large a_t; use np.tanh"
                )
        got = expect_array(got, "h_t", (batch, H), _step_shape_hint(_shape_of(got), batch, d))
        a = x_t @ W_xh + h_prev @ W_hh + b_h
        mistakes = [
            (
                _step(*args, transpose_hh=True),
                "you used W_hh.T. With batch-first row vectors the recurrent term is "
                "h_prev @ W_hh; the transpose belongs to the column-vector form W_hh h_{t-1}.",
            ),
            (_step(*args, bias=False), "the bias b_h is missing: add it inside the tanh."),
            (a, "no activation: wrap the whole sum a_t in np.tanh(...)."),
            (_step(*args, act=sigmoid), "you used the sigmoid; the simple RNN uses tanh."),
            (_step(*args, act=lambda v: np.maximum(v, 0)), "you used ReLU; use np.tanh here."),
            (
                np.clip(a, -1.0, 1.0),
                "np.clip(a_t, -1, 1) is not tanh: it is the identity between -1 and 1. Use "
                "np.tanh(a_t), which bends smoothly towards ±1.",
            ),
            (
                np.tanh(x_t @ W_xh) + h_prev @ W_hh + b_h,
                "tanh is applied to x_t @ W_xh only: it must wrap the whole sum "
                "x_t @ W_xh + h_prev @ W_hh + b_h.",
            ),
            (
                np.tanh(x_t @ W_xh) + np.tanh(h_prev @ W_hh) + np.tanh(b_h),
                "tanh is applied to each term separately; apply it once, to the whole sum "
                "a_t = x_t @ W_xh + h_prev @ W_hh + b_h.",
            ),
            (
                np.tanh(x_t @ W_xh + h_prev @ W_hh) + b_h,
                "b_h is added after the tanh; it belongs inside: tanh(... + b_h).",
            ),
            (
                np.tanh(x_t @ W_xh + b_h),
                "h_prev is ignored: the new state depends on the previous one h_{t-1} through "
                "h_prev @ W_hh.",
            ),
        ]
        try:
            expect_close(got, np.tanh(a), "h_t", mistakes)
        except Hint as hint:
            raise Hint(f"on {label}: {hint}") from None
    return (
        f"correct on {len(cases)} cases: batches of {B} and 1, D = 1, float64, saturating "
        "inputs and zeros."
    )


# --------------------------------------------------------------------------- rnn_forward


def _forward(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = _step(x[:, t], h, W_xh, W_hh, b_h)
        states.append(h)
    return np.stack(states, axis=1), h


def _forward_cases() -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """(label, (x, h0, W_xh, W_hh, b_h)): the lesson's shapes, a long sequence of one feature
    (the counting model's input), float64 with zero inputs (only h0 and W_hh move the state),
    and saturating inputs."""
    cases = []
    x, h0 = random_inputs(3, (B, T, D), (B, H), scale=1.0)
    cases.append((f"x of shape (B, T, D) = {(B, T, D)}", (x, h0, *_weights(4))))
    x, h0 = random_inputs(7, (2, LONG_T, 1), (2, H), scale=1.0)
    cases.append((f"a long sequence, x of shape {(2, LONG_T, 1)}", (x, h0, *_weights(8, d=1))))
    h0 = random_inputs(9, (3, H), scale=1.0)[0].astype(np.float64)
    weights = [w.astype(np.float64) for w in _weights(10, scale=0.8)]
    cases.append(("float64 zero inputs from a nonzero h0", (np.zeros((3, T, D)), h0, *weights)))
    x, h0 = random_inputs(11, (B, T, D), (B, H), scale=50.0)
    cases.append(("saturating inputs", (x, h0, *_weights(12, scale=1.0))))
    return cases


def _hs_shape_hint(shape: tuple[int, ...] | None, batch: int, steps: int) -> str:
    expected = "hs is (B, T, H), batch first. "
    if shape == (steps, batch, H):
        return expected + "You stacked along axis 0 (time first): use np.stack(states, axis=1)."
    if shape == (batch, steps + 1, H):
        return expected + (
            "hs has T+1 steps: you kept h0; hs[:, t] is the state after reading x[:, t]."
        )
    if shape == (batch, steps - 1, H):
        return expected + "hs is one step short: loop over all of range(x.shape[1])."
    if shape == (batch, batch, H) and batch != steps:
        return expected + (
            "hs has B steps: x.shape[0] is the batch size; the time axis is axis 1, "
            "range(x.shape[1])."
        )
    if shape is not None and len(shape) == 3 and shape[0] == batch and shape[2] == H:
        return expected + (
            f"hs has {shape[1]} steps but x has {steps}: loop over range(x.shape[1]) rather "
            "than a fixed number of steps."
        )
    if shape == (batch, steps * H):
        return expected + (
            "np.concatenate joins the states along an existing axis; np.stack(states, axis=1) "
            "makes the new time axis."
        )
    return expected + "Collect one (B, H) state per time step and stack them on axis 1."


@exercise_check("rnn_forward")
def rnn_forward(learner: Callable[..., Any]) -> str:
    """Check `rnn_forward(x, h0, W_xh, W_hh, b_h) -> (hs, h_last)`.

    x (B, T, D), h0 (B, H); returns hs (B, T, H), the hidden state after each time step
    (hs[:, t] is the state after reading x[:, t]), and h_last (B, H) == hs[:, -1]. Tried on the
    lesson's shapes, a sequence of 60 steps with one feature, float64 and saturating inputs.
    Prints one line; returns True when it passes.
    """
    cases = _forward_cases()
    for label, args in cases:
        try:
            _check_forward_case(learner, args)
        except Hint as hint:
            raise Hint(f"on {label}: {hint}") from None
    return (
        f"hs and h_last match a step-by-step unroll on {len(cases)} cases, up to "
        f"T = {LONG_T} steps."
    )


def _check_forward_case(learner: Callable[..., Any], args: tuple[np.ndarray, ...]) -> None:
    x, h0, W_xh, W_hh, b_h = args
    batch, steps, _ = x.shape
    result = call(learner, *args, on_error=_forward_advice)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise Hint(
            f"expected two results, `return hs, h_last`; got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
        )
    hs_raw, last_raw = result
    if _shape_of(hs_raw) == (batch, H) and _shape_of(last_raw) == (batch, steps, H):
        raise Hint("the results are swapped: return hs first, then h_last.")
    hs = expect_array(
        hs_raw, "hs", (batch, steps, H), _hs_shape_hint(_shape_of(hs_raw), batch, steps)
    )
    expected, expected_last = _forward(*args)
    no_carry = np.stack([_step(x[:, t], h0, W_xh, W_hh, b_h) for t in range(steps)], axis=1)
    from_zeros, _ = _forward(x, np.zeros_like(h0), W_xh, W_hh, b_h)
    shifted = np.concatenate([h0[:, None], expected[:, :-1]], axis=1)
    reversed_hs, _ = _forward(x[:, ::-1], h0, W_xh, W_hh, b_h)
    expect_close(
        hs,
        expected,
        "hs",
        [
            (
                no_carry,
                "every step starts from h0: the state is not carried. Update h inside the "
                "loop, h = rnn_step(x[:, t], h, ...), and feed it to the next step.",
            ),
            (
                from_zeros,
                "h0 is ignored: the loop starts from zeros. Start from the given state, h = h0.",
            ),
            (
                shifted,
                "hs is shifted by one step (off by one): hs[:, 0] is h0. Append the state "
                "after each step, not before it.",
            ),
            (reversed_hs, "the sequence was read backwards: loop over t = 0, 1, ..., T-1."),
            (
                reversed_hs[:, ::-1],
                "the sequence was read backwards: loop over t = 0, 1, ..., T-1.",
            ),
        ],
    )
    last = expect_array(last_raw, "h_last", (batch, H), "h_last is one (B, H) state.")
    expect_close(
        last,
        expected_last,
        "h_last",
        [
            (
                expected[:, 0],
                "h_last is the first state; it must be the state after the last step.",
            ),
            (h0, "h_last is h0; it must be the state after the last step, hs[:, -1]."),
        ],
    )


# --------------------------------------------------------------------------- the counting model

#: (seq_len, units) for which the learner's builder is called: the lesson's, and another one that
#: catches a number of classes or units written as a constant.
BUILD_CASES = ((12, 16), (5, 4))


def _build_advice(exc: Exception) -> str:
    if "ndim" in str(exc) or "incompatible" in str(exc):
        return (
            "The input is a sequence of seq_len steps with one feature each: "
            "keras.Input(shape=(seq_len, 1)), then SimpleRNN(units), then the head."
        )
    return ""


def _is_model(value: Any) -> bool:
    import keras

    return isinstance(value, keras.Model)


def _type_hint(value: Any, what: str) -> str:
    if value is None:
        return f"{what} is None: did you forget the `return model` statement?"
    name = type(value).__name__
    if name == "History":
        return f"{what} is a History, what model.fit returns: return the model itself."
    if isinstance(value, tuple | list):
        return f"{what} is a Python {name}; return the Keras model alone."
    return f"{what} has type {name}; expected a compiled keras.Model (e.g. keras.Sequential)."


def _bits(n: int, seq_len: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    bits = np.random.default_rng(seed).integers(0, 2, size=(n, seq_len))
    return bits[..., None].astype(np.float32), bits.sum(axis=1)


def _predict(model: Any, x: np.ndarray) -> np.ndarray:
    """Return the model's output on `x` as a float64 array, or raise a Hint naming the problem."""
    try:
        out = model(x, training=False)
        return np.asarray(out, dtype=np.float64)
    except Exception as exc:
        raise Hint(
            f"your model could not read a batch of shape {x.shape} (B sequences of "
            f"{x.shape[1]} bits, one feature per step): {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}. Its input must be "
            f"keras.Input(shape=({x.shape[1]}, 1))."
        ) from exc


def _loss_name(model: Any) -> str:
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
    return f"{type(loss).__name__} {name}".lower()


def _recurrent_layers(model: Any) -> list[Any]:
    import keras

    found = []
    for layer in model.layers:
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        for candidate in (layer, inner):
            if isinstance(candidate, keras.layers.RNN):
                found.append(candidate)
    return found


def _inspect_counting_model(model: Any, seq_len: int, units: int | None, what: str) -> None:
    """Raise a Hint unless `model` is a compiled many-to-one classifier of the counts 0..seq_len
    whose loss matches its head. `units` (when given) is the SimpleRNN's requested size."""
    import keras

    if not _is_model(model):
        raise Hint(_type_hint(model, what))
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        raise Hint(
            "the model is not compiled: call model.compile(optimizer=..., loss=..., "
            "metrics=['accuracy']) before returning it."
        )
    classes = seq_len + 1
    try:
        inputs = model.inputs or []
    except (AttributeError, ValueError):
        inputs = []
    if inputs:
        shape = tuple(inputs[0].shape)
        wanted = f"keras.Input(shape=(seq_len, 1)), here (B, {seq_len}, 1)"
        if len(shape) != 3:
            raise Hint(
                f"the model's input is {shape}; a recurrent model reads (B, T, D) = "
                f"(B, {seq_len}, 1), T time steps of D = 1 feature: {wanted}."
            )
        if shape[2] != 1 and shape[1] == 1:
            raise Hint(
                f"the model's input is {shape}: one step of {shape[2]} features. The data is "
                f"{seq_len} time steps first, then one feature per step: {wanted}."
            )
        if shape[2] != 1:
            raise Hint(f"the model's input is {shape}; each step has one feature: {wanted}.")
        if shape[1] not in (seq_len, None):
            raise Hint(
                f"the model reads sequences of {shape[1]} steps, but the data has {seq_len}: "
                f"{wanted}."
            )
    x, y = _bits(6, seq_len, seed=seq_len)
    out = _predict(model, x)
    if not np.isfinite(out).all():
        raise Hint(
            "the model's outputs contain NaN or infinity: its weights are not finite (did "
            "training diverge?). Rebuild it and train again; a smaller learning rate helps."
        )
    if out.ndim == 3:
        raise Hint(
            f"the model outputs {out.shape[1:]} per sequence, one prediction per time step: the "
            "SimpleRNN has return_sequences=True. Counting is many-to-one: keep the default "
            "return_sequences=False, so that only the last state h_T reaches the head."
        )
    if out.ndim != 2:
        raise Hint(f"the model's output has shape {out.shape}; expected (B, {classes}).")
    width = out.shape[1]
    if width == 1:
        raise Hint(
            "the model gives one number per sequence, a Dense(1) regression head. This lesson "
            f"treats the count as a class: one score per possible count 0..{seq_len}, "
            f"Dense(seq_len + 1) = Dense({classes}), trained with SparseCategoricalCrossentropy."
        )
    if width != classes:
        if width == seq_len:
            detail = (
                f"seq_len = {seq_len} classes, but the count runs from 0 to {seq_len}: that is "
                "seq_len + 1 classes (off by one)."
            )
        elif width == BUILD_CASES[0][0] + 1:
            detail = (
                f"for seq_len = {seq_len} it needs {classes}: write Dense(seq_len + 1), not a "
                "constant."
            )
        else:
            detail = f"there are seq_len + 1 = {classes} possible counts, 0..{seq_len}."
        raise Hint(f"the head scores {width} classes; {detail}")
    recurrent = _recurrent_layers(model)
    if not recurrent:
        raise Hint(
            "the model has no recurrent layer, so it sees all the bits at once instead of "
            "reading them one step at a time. This lesson's model is keras.layers.SimpleRNN("
            "units) followed by the head."
        )
    simple = [layer for layer in recurrent if isinstance(layer, keras.layers.SimpleRNN)]
    if not simple:
        raise Hint(
            f"the recurrent layer is a {type(recurrent[0]).__name__}; this lesson's cell is "
            "keras.layers.SimpleRNN (LSTM and GRU come in lesson 03)."
        )
    if units is not None and simple[0].units != units:
        raise Hint(
            f"the SimpleRNN has {simple[0].units} units, but build_counting_model(seq_len, "
            f"units={units}) asked for {units}: use the `units` argument."
        )
    _check_loss(model, out, y, seq_len)
    metrics = str(model.get_compile_config().get("metrics"))
    if "acc" not in metrics:
        raise Hint(
            "the model is compiled without the accuracy metric: pass metrics=['accuracy'] to "
            "compile, so that fit reports (val_)accuracy."
        )


def _check_loss(model: Any, out: np.ndarray, y: np.ndarray, seq_len: int) -> None:
    """Raise a Hint unless the compiled loss is a sparse categorical cross-entropy that matches
    the head: logits with from_logits=True, or probabilities (softmax) with from_logits=False."""
    import keras

    name = _loss_name(model)
    if "mean" in name or "mse" in name or "mae" in name or "huber" in name:
        raise Hint(
            f"the loss is {name.split()[-1]}, a regression loss; the head scores classes, so "
            "use keras.losses.SparseCategoricalCrossentropy."
        )
    if "binary" in name:
        raise Hint(
            "binary cross-entropy is for yes/no labels; the counts are "
            f"{seq_len + 1} classes: use SparseCategoricalCrossentropy."
        )
    probabilities = bool(np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-4))
    unit_interval = bool(np.all(out >= 0) and np.all(out <= 1))
    try:
        value = float(model.compute_loss(x=None, y=y, y_pred=out.astype(np.float32)))
        value -= sum(float(np.asarray(extra)) for extra in model.losses)  # weight penalties
    except Exception as exc:
        if "categorical" in name and "sparse" not in name:
            raise Hint(
                "CategoricalCrossentropy expects one-hot labels; the labels here are the counts "
                "themselves (integers 0..seq_len): use SparseCategoricalCrossentropy."
            ) from exc
        raise Hint(
            f"the model's loss could not be computed on integer labels ({type(exc).__name__}): "
            "use keras.losses.SparseCategoricalCrossentropy."
        ) from exc
    from_logits = float(
        keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, out.astype(np.float32))
    )
    from_probs = float(
        keras.losses.SparseCategoricalCrossentropy(from_logits=False)(y, out.astype(np.float32))
    )
    if close(value, from_logits) and not close(value, from_probs):
        if probabilities:
            raise Hint(
                "the head already applies softmax and the loss has from_logits=True, which "
                "applies softmax a second time. Keep one: no activation on the last Dense with "
                "from_logits=True (the lesson's choice), or softmax with from_logits=False."
            )
        return
    if close(value, from_probs):
        if probabilities:
            return
        if unit_interval:
            raise Hint(
                "the head's outputs lie in (0, 1) but do not sum to 1 (a sigmoid?): they are "
                "not a distribution over the counts. Use softmax, or no activation with "
                "SparseCategoricalCrossentropy(from_logits=True)."
            )
        raise Hint(
            "the head outputs logits (no softmax) but the loss expects probabilities: "
            "SparseCategoricalCrossentropy's default is from_logits=False. Pass "
            "from_logits=True (or put a softmax on the last layer)."
        )
    raise Hint(
        f"the loss ({name.split()[-1]}) is not the sparse categorical cross-entropy of the "
        "head's scores: use keras.losses.SparseCategoricalCrossentropy(from_logits=True) with "
        "a Dense head without activation."
    )


@exercise_check("build_counting_model")
def build_counting_model(learner: Callable[..., Any]) -> str:
    """Check `build_counting_model(seq_len, units) -> model`: a compiled Keras model that reads
    (B, seq_len, 1) bits with SimpleRNN(units) (many-to-one) and outputs (B, seq_len + 1) scores of
    the counts 0..seq_len, with a loss that matches its head (logits and
    SparseCategoricalCrossentropy(from_logits=True), or softmax and from_logits=False) and the
    accuracy metric. Trains nothing. Prints one line; returns True when it passes.
    """
    first = None
    for seq_len, units in BUILD_CASES:
        model = call(learner, seq_len, units, on_error=_build_advice)
        if first is not None and model is first:
            raise Hint(
                "build_counting_model returned the same model object twice: build a new model "
                "inside the function on every call."
            )
        try:
            _inspect_counting_model(model, seq_len, units, "build_counting_model's result")
        except Hint as hint:
            raise Hint(f"build_counting_model({seq_len}, {units}): {hint}") from None
        first = model
    seq_len, units = BUILD_CASES[0]
    return (
        f"many-to-one SimpleRNN({units}) -> {seq_len + 1} scores, loss matching the head; also "
        f"right for seq_len={BUILD_CASES[1][0]}, units={BUILD_CASES[1][1]}."
    )


def _check_trained(thunk: Callable[[], Any], x_val: Any, y_val: Any) -> str:
    model = thunk()
    x_val = np.asarray(x_val) if isinstance(x_val, np.ndarray | list) else x_val
    if not isinstance(x_val, np.ndarray) or x_val.ndim != 3 or x_val.shape[2] != 1:
        raise Hint(
            "x_val must be the lesson's validation inputs, a NumPy array of shape (n, T, 1): "
            "call checks.counting_model(counter, x_val, y_val)."
        )
    labels = np.asarray(y_val) if isinstance(y_val, np.ndarray | list) else None
    if labels is None or labels.shape != (len(x_val),):
        raise Hint("y_val must hold one count per sequence of x_val, shape (n,).")
    if not np.array_equal(labels, x_val[..., 0].sum(axis=1)):
        raise Hint(
            "y_val is not the number of ones of each sequence of x_val: pass the lesson's "
            "validation data, checks.counting_model(counter, x_val, y_val)."
        )
    seq_len = x_val.shape[1]
    _inspect_counting_model(model, seq_len, None, "the model")
    scores = _predict(model, x_val.astype(np.float32))
    if not np.isfinite(scores).all():
        raise Hint(
            "the model's outputs on x_val contain NaN or infinity: its weights are not finite "
            "(did training diverge?). Rebuild it and train again; a smaller learning rate helps."
        )
    accuracy = float(np.mean(scores.argmax(axis=1) == labels))
    majority = float(np.bincount(labels).max() / len(labels))
    chance = 1.0 / (seq_len + 1)
    baseline = (
        f"always answering the most common count scores {majority:.1%}, guessing {chance:.1%}"
    )
    if accuracy <= majority + UNTRAINED_MARGIN:
        raise Hint(
            f"validation accuracy {accuracy:.1%}, no better than a constant answer ({baseline}): "
            "the model looks untrained. Run the training cell (model.fit) on this model and pass "
            "the model you trained."
        )
    if accuracy < COUNTING_TARGET:
        raise Hint(
            f"validation accuracy {accuracy:.1%} is above the baselines ({baseline}) but below "
            f"the target {COUNTING_TARGET:.0%}: train for all the epochs of the training cell, "
            "with Adam(learning_rate=0.01) as the exercise asks."
        )
    return f"validation accuracy {accuracy:.1%} >= the target {COUNTING_TARGET:.0%} ({baseline})."


_trained_check = exercise_check("counting_model")(_check_trained)


def counting_model(model: Any, x_val: Sequence[Any] | np.ndarray, y_val: Any) -> bool:
    """Check the trained counting model: `checks.counting_model(model, x_val, y_val)`.

    `model` is what build_counting_model returned, after training; x_val (n, T, 1) holds bits
    and y_val (n,) their counts. Checks the model as build_counting_model does (shapes, head and
    loss, recurrence), then that its validation accuracy reaches COUNTING_TARGET and beats the
    constant answers. Trains nothing. Prints one line; returns True when it passes.
    """
    return _trained_check(lambda: model, x_val, y_val)
