"""Lesson 01 checks: the reference and correct alternatives pass, each catalogued mistake fails
with its own hint, stubs and bad return values get one friendly line (never an exception), and
the counting-model checks judge a Keras model in well under a second without training it."""

from __future__ import annotations

import time

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson01
from rnncourse.env import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402

# --------------------------------------------------------------------------- rnn_step


def step_ok(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def step_einsum(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(np.einsum("bd,dh->bh", x_t, W_xh) + np.einsum("bk,kh->bh", h_prev, W_hh) + b_h)


def step_loop(x_t, h_prev, W_xh, W_hh, b_h):
    """One example at a time, one unit at a time, in float64."""
    out = np.zeros((x_t.shape[0], W_hh.shape[1]))
    for i in range(x_t.shape[0]):
        for j in range(W_hh.shape[1]):
            total = float(b_h[j])
            total += sum(float(x_t[i, k]) * float(W_xh[k, j]) for k in range(x_t.shape[1]))
            total += sum(float(h_prev[i, k]) * float(W_hh[k, j]) for k in range(h_prev.shape[1]))
            out[i, j] = np.tanh(total)
    return out


def step_stacked(x_t, h_prev, W_xh, W_hh, b_h):
    """The two products as one: [x_t, h_{t-1}] @ [[W_xh], [W_hh]], in float64."""
    xh = np.concatenate([x_t, h_prev], axis=1).astype(np.float64)
    return np.tanh(xh @ np.concatenate([W_xh, W_hh], axis=0) + b_h)


def step_stable_exp(x_t, h_prev, W_xh, W_hh, b_h):
    """tanh from exp written so that it cannot overflow: 1 - 2 / (exp(2a) + 1) with a clipped."""
    a = np.clip(x_t @ W_xh + h_prev @ W_hh + b_h, -20, 20)
    return 1 - 2 / (np.exp(2 * a) + 1)


@pytest.mark.parametrize(
    "fn", [step_ok, step_einsum, step_loop, step_stacked, step_stable_exp], ids=lambda f: f.__name__
)
def test_rnn_step_reference_and_alternatives_pass(fn, capsys):
    ok, out = run(checks.rnn_step, fn, capsys)
    assert ok is True and out.startswith("✅ rnn_step"), out


def step_exp_tanh(x, h, W, U, b):
    a = x @ W + h @ U + b
    return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1)


def step_in_place(x, h, W, U, b):
    a = x @ W + h @ U + b
    h[...] = np.tanh(a)  # right values, but written into the caller's h_prev
    return h


RNN_STEP_MISTAKES = {
    "W_hh transposed": (
        lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b),
        "you used W_hh.T",
    ),
    "missing bias": (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias b_h is missing"),
    "no activation": (lambda x, h, W, U, b: x @ W + h @ U + b, "no activation"),
    "sigmoid": (lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b))), "sigmoid"),
    "relu": (lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0), "ReLU"),
    "hard tanh": (lambda x, h, W, U, b: np.clip(x @ W + h @ U + b, -1, 1), "np.clip"),
    "tanh on input term only": (
        lambda x, h, W, U, b: np.tanh(x @ W) + h @ U + b,
        "tanh is applied to x_t @ W_xh only",
    ),
    "tanh of each term": (
        lambda x, h, W, U, b: np.tanh(x @ W) + np.tanh(h @ U) + np.tanh(b),
        "each term separately",
    ),
    "bias after tanh": (
        lambda x, h, W, U, b: np.tanh(x @ W + h @ U) + b,
        "added after the tanh",
    ),
    "ignores h_prev": (lambda x, h, W, U, b: np.tanh(x @ W + b), "h_prev is ignored"),
    "column-vector form": (
        lambda x, h, W, U, b: np.tanh(W.T @ x.T + U.T @ h.T + b[:, None]),
        "column-vector form",
    ),
    "W_xh transposed": (
        lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U + b),
        "x_t @ W_xh and h_prev @ W_hh, no transposes",
    ),
    "first example only": (
        lambda x, h, W, U, b: np.tanh(x[0] @ W + h[0] @ U + b),
        "the batch axis is gone",
    ),
    "sums over the batch": (
        lambda x, h, W, U, b: np.tanh((x @ W + h @ U + b).sum(axis=0)),
        "the batch axis is gone",
    ),
    "tanh from exp overflows": (step_exp_tanh, "a tanh computed from np.exp overflows"),
    "writes into h_prev": (step_in_place, "changed its input `h` in place"),
}


@pytest.mark.parametrize("name", sorted(RNN_STEP_MISTAKES))
def test_rnn_step_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_STEP_MISTAKES[name]
    ok, out = run(checks.rnn_step, wrong, capsys)
    assert ok is False
    assert out.startswith("❌ rnn_step")
    assert hint in out, out


def test_the_overflow_mistake_is_caught_only_by_the_saturating_case():
    """The exp-based tanh is right on ordinary inputs: only the large case exposes it."""
    for label, args in lesson01._step_cases():
        with np.errstate(all="ignore"):
            got = step_exp_tanh(*[np.asarray(a) for a in args])
        assert np.isfinite(got).all() == ("large" not in label), label


BAD_STEP_RETURNS = {
    "None": (lambda *a: None, "`return`"),
    "list": (lambda *a: step_ok(*a).tolist(), "Python list"),
    "tuple": (lambda *a: (step_ok(*a), None), "Python tuple"),
    "tensor": (lambda *a: tf.constant(step_ok(*a)), "TensorFlow tensor"),
    "NaN": (lambda *a: np.full_like(step_ok(*a), np.nan), "NaN"),
    "inf": (lambda *a: np.full_like(step_ok(*a), np.inf), "NaN or infinity"),
    "string": (lambda *a: "h_t", "type str"),
    "strings": (lambda *a: step_ok(*a).astype(str), "dtype"),
    "raises": (lambda *a: 1 / 0, "ZeroDivisionError"),
}


@pytest.mark.parametrize("name", sorted(BAD_STEP_RETURNS))
def test_rnn_step_bad_returns_get_one_line_and_false(name, capsys):
    fn, hint = BAD_STEP_RETURNS[name]
    ok, out = run(checks.rnn_step, fn, capsys)
    assert ok is False and out.startswith("❌ rnn_step"), out
    assert hint in out, out


def test_a_raising_function_is_named_at_its_line(capsys):
    def step(x_t, h_prev, W_xh, W_hh, b_h):
        a = x_t @ W_xh + h_prev @ W_hh.T @ W_xh + b_h
        return np.tanh(a)

    ok, out = run(checks.rnn_step, step, capsys)
    assert ok is False and "ValueError" in out
    assert "a = x_t @ W_xh + h_prev @ W_hh.T @ W_xh + b_h" in out, out
    assert "no transposes" in out


# --------------------------------------------------------------------------- rnn_forward


def forward_with(step):
    def forward(x, h0, W_xh, W_hh, b_h):
        h, states = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h, W_xh, W_hh, b_h)
            states.append(h)
        return np.stack(states, axis=1), h

    return forward


def forward_preallocated(x, h0, W_xh, W_hh, b_h):
    hs = np.zeros((x.shape[0], x.shape[1], h0.shape[1]))
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        hs[:, t] = h
    return hs, hs[:, -1]


def forward_time_major_then_transpose(x, h0, W_xh, W_hh, b_h):
    h, states = h0.astype(np.float64), []
    for x_t in np.swapaxes(x, 0, 1):  # iterate over time
        h = step_einsum(x_t, h, W_xh, W_hh, b_h)
        states.append(h)
    hs = np.array(states).transpose(1, 0, 2)
    return hs, states[-1]


@pytest.mark.parametrize(
    "fn",
    [
        forward_with(step_ok),
        forward_with(step_loop),
        forward_preallocated,
        forward_time_major_then_transpose,
    ],
    ids=["reference", "loop-step", "preallocated", "time-major-transposed"],
)
def test_rnn_forward_reference_and_alternatives_pass(fn, capsys):
    ok, out = run(checks.rnn_forward, fn, capsys)
    assert ok is True and out.startswith("✅ rnn_forward"), out


def forward_time_major(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return np.transpose(hs, (1, 0, 2)), h


def forward_keeps_h0(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return np.concatenate([h0[:, None], hs], axis=1), h


def forward_no_carry(x, h0, W, U, b):
    hs = np.stack([step_ok(x[:, t], h0, W, U, b) for t in range(x.shape[1])], axis=1)
    return hs, hs[:, -1]


def forward_off_by_one(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        states.append(h)  # appended before the update
        h = step_ok(x[:, t], h, W, U, b)
    return np.stack(states, axis=1), h


def forward_first_as_last(x, h0, W, U, b):
    hs, _ = forward_with(step_ok)(x, h0, W, U, b)
    return hs, hs[:, 0]


def forward_swapped(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return h, hs


def forward_batch_index(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = step_ok(x[t], h, W, U, b)
        states.append(h)
    return np.stack(states, axis=1), h


def forward_backwards(x, h0, W, U, b):
    return forward_with(step_ok)(x[:, ::-1], h0, W, U, b)


def forward_from_zeros(x, h0, W, U, b):
    return forward_with(step_ok)(x, np.zeros_like(h0), W, U, b)


def forward_batch_steps(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[0]):  # the batch size, not the number of steps
        h = step_ok(x[:, t], h, W, U, b)
        states.append(h)
    return np.stack(states, axis=1), h


def forward_fixed_steps(x, h0, W, U, b):
    h, states = h0, []
    for t in range(6):  # the T of the lesson's first example, written as a constant
        h = step_ok(x[:, t], h, W, U, b)
        states.append(h)
    return np.stack(states, axis=1), h


def forward_one_short(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1] - 1):
        h = step_ok(x[:, t], h, W, U, b)
        states.append(h)
    return np.stack(states, axis=1), h


def forward_concatenated(x, h0, W, U, b):
    hs, h = forward_with(step_ok)(x, h0, W, U, b)
    return np.concatenate(list(np.swapaxes(hs, 0, 1)), axis=1), h


def forward_last_is_h0(x, h0, W, U, b):
    hs, _ = forward_with(step_ok)(x, h0, W, U, b)
    return hs, h0


def forward_writes_h0(x, h0, W, U, b):
    states = []
    for t in range(x.shape[1]):
        h0[...] = step_ok(x[:, t], h0, W, U, b)
        states.append(h0.copy())
    return np.stack(states, axis=1), h0


def forward_writes_x(x, h0, W, U, b):
    result = forward_with(step_ok)(x, h0, W, U, b)
    x[...] = 0.0  # "free" the input: the caller's x is gone
    return result


RNN_FORWARD_MISTAKES = {
    "time-major stack": (forward_time_major, "np.stack(states, axis=1)"),
    "h0 kept": (forward_keeps_h0, "you kept h0"),
    "state not carried": (forward_no_carry, "the state is not carried"),
    "off by one": (forward_off_by_one, "off by one"),
    "first state returned as last": (forward_first_as_last, "h_last is the first state"),
    "h0 returned as last": (forward_last_is_h0, "h_last is h0"),
    "results swapped": (forward_swapped, "the results are swapped"),
    "x[t] instead of x[:, t]": (forward_batch_index, "x[:, t]"),
    "reads backwards": (forward_backwards, "read backwards"),
    "ignores h0": (forward_from_zeros, "h0 is ignored"),
    "loops over the batch size": (forward_batch_steps, "x.shape[0] is the batch size"),
    "fixed number of steps": (forward_fixed_steps, "rather than a fixed number of steps"),
    "one step short": (forward_one_short, "one step short"),
    "concatenate instead of stack": (forward_concatenated, "np.concatenate"),
    "writes into h0": (forward_writes_h0, "changed its input `h0` in place"),
    "writes into x": (forward_writes_x, "changed its input `x` in place"),
    "one result only": (lambda *a: forward_with(step_ok)(*a)[0], "expected two results"),
    "list of states": (
        lambda *a: (list(np.swapaxes(forward_with(step_ok)(*a)[0], 0, 1)), a[1]),
        "Python list",
    ),
    "NaN states": (
        lambda *a: (np.full_like(forward_with(step_ok)(*a)[0], np.nan), a[1]),
        "NaN",
    ),
    "None": (lambda *a: None, "expected two results"),
    "tensor": (
        lambda *a: tuple(tf.constant(v) for v in forward_with(step_ok)(*a)),
        "TensorFlow tensor",
    ),
}


@pytest.mark.parametrize("name", sorted(RNN_FORWARD_MISTAKES))
def test_rnn_forward_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = RNN_FORWARD_MISTAKES[name]
    ok, out = run(checks.rnn_forward, wrong, capsys)
    assert ok is False and out.startswith("❌ rnn_forward"), out
    assert hint in out, out


def test_rnn_forward_uses_a_wrong_step_and_says_where(capsys):
    """A correct loop around a wrong step fails, naming the case."""
    ok, out = run(checks.rnn_forward, forward_with(step_exp_tanh), capsys)
    assert ok is False and "saturating inputs" in out, out


# --------------------------------------------------------------------------- the counting model


def counting_ok(seq_len, units):
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len, 1)),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(seq_len + 1),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def counting_functional_softmax(seq_len, units):
    inputs = keras.Input(shape=(None, 1))  # any length
    state = keras.layers.SimpleRNN(units)(inputs)
    probs = keras.layers.Dense(seq_len + 1, activation="softmax")(state)
    model = keras.Model(inputs, probs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def counting_softmax_layer(seq_len, units):
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len, 1)),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(seq_len + 1),
            keras.layers.Softmax(),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["acc"],
    )
    return model


def counting_stacked(seq_len, units):
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len, 1)),
            keras.layers.SimpleRNN(units, return_sequences=True),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(seq_len + 1),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def counting_regularized(seq_len, units):
    """With an L2 penalty on the weights: the compiled loss then adds it to the cross-entropy."""
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len, 1)),
            keras.layers.SimpleRNN(units, kernel_regularizer=keras.regularizers.L2(0.1)),
            keras.layers.Dense(seq_len + 1, kernel_regularizer=keras.regularizers.L2(0.1)),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


@pytest.mark.parametrize(
    "fn",
    [
        counting_ok,
        counting_functional_softmax,
        counting_softmax_layer,
        counting_stacked,
        counting_regularized,
    ],
    ids=lambda f: f.__name__,
)
def test_build_counting_model_reference_and_alternatives_pass(fn, capsys):
    ok, out = run(checks.build_counting_model, fn, capsys)
    assert ok is True and out.startswith("✅ build_counting_model"), out


def counting_variant(
    *,
    classes=lambda seq_len: seq_len + 1,
    activation=None,
    loss="logits",
    return_sequences=False,
    units=None,
    layer="simple_rnn",
    metrics=("accuracy",),
    compile=True,
    input_shape=lambda seq_len: (seq_len, 1),
):
    """A builder that gets one thing wrong (each keyword names what)."""
    losses = {"logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True)}

    def build(seq_len, n_units):
        recurrent = {
            "simple_rnn": lambda: keras.layers.SimpleRNN(
                units or n_units, return_sequences=return_sequences
            ),
            "lstm": lambda: keras.layers.LSTM(n_units),
            "flatten": keras.layers.Flatten,
        }[layer]()
        model = keras.Sequential(
            [
                keras.Input(shape=input_shape(seq_len)),
                recurrent,
                keras.layers.Dense(classes(seq_len), activation=activation),
            ]
        )
        if compile:
            model.compile(optimizer="adam", loss=losses.get(loss, loss), metrics=list(metrics))
        return model

    return build


GLOBAL_MODEL = []


def counting_global(seq_len, units):
    if not GLOBAL_MODEL:
        GLOBAL_MODEL.append(counting_ok(12, 16))
    return GLOBAL_MODEL[0]


BUILD_MISTAKES = {
    "Dense(1) regression head": (
        counting_variant(classes=lambda s: 1, loss="mse"),
        "a Dense(1) regression head",
    ),
    "missing softmax with from_logits=False": (
        counting_variant(loss="sparse_categorical_crossentropy"),
        "the head outputs logits (no softmax) but the loss expects probabilities",
    ),
    "softmax twice": (
        counting_variant(activation="softmax"),
        "applies softmax a second time",
    ),
    "return_sequences=True": (
        counting_variant(return_sequences=True),
        "return_sequences=True",
    ),
    "seq_len classes (off by one)": (counting_variant(classes=lambda s: s), "off by one"),
    "13 classes as a constant": (
        counting_variant(classes=lambda s: 13),
        "write Dense(seq_len + 1), not a constant",
    ),
    "two classes": (counting_variant(classes=lambda s: 2), "seq_len + 1 = 13 possible counts"),
    "units ignored": (counting_variant(units=16), "use the `units` argument"),
    "no recurrent layer": (counting_variant(layer="flatten"), "no recurrent layer"),
    "LSTM": (counting_variant(layer="lstm"), "this lesson's cell is keras.layers.SimpleRNN"),
    "not compiled": (counting_variant(compile=False), "not compiled"),
    "one-hot cross-entropy": (
        counting_variant(loss=keras.losses.CategoricalCrossentropy(from_logits=True)),
        "CategoricalCrossentropy expects one-hot labels",
    ),
    "regression loss on the scores": (counting_variant(loss="mse"), "a regression loss"),
    "binary cross-entropy": (
        counting_variant(activation="sigmoid", loss="binary_crossentropy"),
        "binary cross-entropy",
    ),
    "sigmoid head": (
        counting_variant(activation="sigmoid", loss="sparse_categorical_crossentropy"),
        "do not sum to 1",
    ),
    "no accuracy metric": (counting_variant(metrics=()), "metrics=['accuracy']"),
    "input without the feature axis": (
        counting_variant(input_shape=lambda s: (s,)),
        "keras.Input(shape=(seq_len, 1))",
    ),
    "input with time and features swapped": (
        counting_variant(input_shape=lambda s: (1, s)),
        "12 time steps first, then one feature per step",
    ),
    "the same model every call": (counting_global, "the same model object twice"),
    "returns None": (lambda seq_len, units: None, "`return model`"),
    "returns a tuple": (lambda seq_len, units: (counting_ok(seq_len, units),), "Python tuple"),
    "returns the builder": (lambda seq_len, units: counting_ok, "expected a compiled keras.Model"),
}


@pytest.mark.parametrize("name", sorted(BUILD_MISTAKES))
def test_build_counting_model_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = BUILD_MISTAKES[name]
    ok, out = run(checks.build_counting_model, wrong, capsys)
    assert ok is False and out.startswith("❌ build_counting_model"), out
    assert hint in out, out


def counting_data(n, seq_len=12, seed=2):
    bits = np.random.default_rng(seed).integers(0, 2, size=(n, seq_len))
    return bits[..., None].astype("float32"), bits.sum(axis=1)


def hand_counter(seq_len=12, units=16, softmax=False, max_count=None, scale=0.01):
    """A SimpleRNN whose unit 0 adds `scale` per one (tanh barely bends it) and a head that picks
    the nearest of the states the counts 0..seq_len produce: a trained model without training.
    With `max_count`, the counts above it are all read as max_count."""
    model = (counting_softmax_layer if softmax else counting_ok)(seq_len, units)
    W_xh = np.zeros((1, units), "float32")
    W_hh = np.zeros((units, units), "float32")
    W_xh[0, 0], W_hh[0, 0] = scale, 1.0
    counts = np.arange(seq_len + 1)
    centres = np.zeros(seq_len + 1)
    for k in counts:  # the state after k ones, averaged over ones-first and ones-last
        first = np.tanh(np.cumsum(np.r_[np.full(k, scale), np.zeros(seq_len - k)]))
        centres[k] = (np.tanh(scale * k) + first[-1]) / 2
    if max_count is not None:
        centres[max_count + 1 :] = 10.0  # never the nearest
    beta = 1e4
    kernel = np.zeros((units, seq_len + 1), "float32")
    kernel[0] = 2 * beta * centres
    bias = (-beta * centres**2).astype("float32")
    model.layers[0].set_weights([W_xh, W_hh, np.zeros(units, "float32")])
    model.layers[1].set_weights([kernel, bias])
    return model


def test_hand_counter_counts():
    x, y = counting_data(2000)
    scores = np.asarray(hand_counter()(x))
    assert np.mean(scores.argmax(axis=1) == y) == 1.0


@pytest.mark.parametrize("softmax", [False, True], ids=["logits", "softmax"])
def test_counting_model_passes_a_trained_model_quickly(softmax, capsys):
    model = hand_counter(softmax=softmax)
    x_val, y_val = counting_data(2000)
    model(x_val[:2])  # the first call of a model traces; the check runs on a used model
    start = time.perf_counter()
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), model, capsys)
    assert time.perf_counter() - start < 1.0
    assert ok is True and out.startswith("✅ counting_model"), out
    assert "100.0%" in out and "target 90%" in out


def test_build_counting_model_runs_in_well_under_a_second(capsys):
    counting_ok(12, 16)(np.zeros((2, 12, 1), "float32"))  # warm up Keras, as the lesson has
    start = time.perf_counter()
    assert run(checks.build_counting_model, counting_ok, capsys)[0] is True
    assert time.perf_counter() - start < 1.0


def test_counting_model_says_an_untrained_model_is_untrained(capsys):
    x_val, y_val = counting_data(2000)
    keras.utils.set_random_seed(0)
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), counting_ok(12, 16), capsys)
    assert ok is False and "looks untrained" in out, out
    assert "most common count scores 21" in out and "guessing 7.7%" in out


def test_counting_model_says_an_undertrained_model_is_below_the_target(capsys):
    x_val, y_val = counting_data(2000)
    model = hand_counter(max_count=7)  # right up to 7 ones: about 80% of the sequences
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), model, capsys)
    assert ok is False and "below the target 90%" in out, out


def test_counting_model_says_a_diverged_model_diverged(capsys):
    x_val, y_val = counting_data(200)
    model = hand_counter()
    weights = model.layers[1].get_weights()
    model.layers[1].set_weights([weights[0] * np.nan, weights[1]])
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), model, capsys)
    assert ok is False and "NaN or infinity" in out, out


@pytest.mark.parametrize(
    "name",
    ["Dense(1) regression head", "missing softmax with from_logits=False", "return_sequences=True"],
)
def test_counting_model_finds_the_structural_mistakes_too(name, capsys):
    wrong, hint = BUILD_MISTAKES[name]
    x_val, y_val = counting_data(100)
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), wrong(12, 16), capsys)
    assert ok is False and out.startswith("❌ counting_model") and hint in out, out


def test_counting_model_judges_with_the_sequence_length_of_the_data(capsys):
    x_val, y_val = counting_data(500, seq_len=5)
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), hand_counter(12), capsys)
    assert ok is False and "reads sequences of 12 steps, but the data has 5" in out, out
    ok, out = run(lambda m: checks.counting_model(m, x_val, y_val), hand_counter(5, 4), capsys)
    assert ok is True, out


BAD_TRAINED_CALLS = {
    "None for the model": (lambda x, y: (None, x, y), "the model is None"),
    "the builder instead of the model": (lambda x, y: (counting_ok, x, y), "expected a compiled"),
    "training labels for other inputs": (
        lambda x, y: (hand_counter(), x, np.roll(y, 1)),
        "y_val is not the number of ones",
    ),
    "labels of the wrong length": (lambda x, y: (hand_counter(), x, y[:-1]), "shape (n,)"),
    "inputs without the feature axis": (
        lambda x, y: (hand_counter(), x[..., 0], y),
        "x_val must be the lesson's validation inputs",
    ),
    "a tensor for x_val": (
        lambda x, y: (hand_counter(), tf.constant(x), y),
        "x_val must be the lesson's validation inputs",
    ),
    "the model not passed": (lambda x, y: (x, x, y), "type ndarray"),
}


@pytest.mark.parametrize("name", sorted(BAD_TRAINED_CALLS))
def test_counting_model_bad_arguments_get_one_line_and_false(name, capsys):
    make, hint = BAD_TRAINED_CALLS[name]
    x_val, y_val = counting_data(300)
    args = make(x_val, y_val)
    ok, out = run(lambda _: checks.counting_model(*args), None, capsys)
    assert ok is False and out.startswith("❌ counting_model"), out
    assert hint in out, out


def test_counting_model_accepts_lists_and_leaves_the_data_alone(capsys):
    x_val, y_val = counting_data(300)
    before = x_val.copy(), y_val.copy()
    ok, out = run(
        lambda m: checks.counting_model(m, x_val.tolist(), y_val.tolist()), hand_counter(), capsys
    )
    assert ok is True, out
    np.testing.assert_array_equal(x_val, before[0])
    np.testing.assert_array_equal(y_val, before[1])


# --------------------------------------------------------------------------- every check


EXERCISE_CHECKS = [checks.rnn_step, checks.rnn_forward, checks.build_counting_model]


@pytest.mark.parametrize("check", EXERCISE_CHECKS, ids=lambda c: c.__name__)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out


@pytest.mark.parametrize("check", EXERCISE_CHECKS, ids=lambda c: c.__name__)
def test_passing_a_result_instead_of_the_function_is_explained(check, capsys):
    ok, out = run(check, np.zeros((1, 1)), capsys)
    assert not ok and "pass the function itself" in out


def test_checks_keep_no_state_between_calls(capsys):
    """A failure does not change the next verdict: the same function gets the same answer."""
    wrong = RNN_STEP_MISTAKES["missing bias"][0]
    for fn, expected in ((step_ok, True), (wrong, False), (step_ok, True)):
        assert run(checks.rnn_step, fn, capsys)[0] is expected
    for fn, expected in ((counting_ok, True), (counting_global, False), (counting_ok, True)):
        assert run(checks.build_counting_model, fn, capsys)[0] is expected


def test_checks_document_the_signature():
    assert "rnn_step(x_t, h_prev, W_xh, W_hh, b_h) -> h_t" in checks.rnn_step.__doc__
    assert "rnn_forward(x, h0, W_xh, W_hh, b_h) -> (hs, h_last)" in checks.rnn_forward.__doc__
    assert "build_counting_model(seq_len, units) -> model" in checks.build_counting_model.__doc__
    assert "checks.counting_model(model, x_val, y_val)" in checks.counting_model.__doc__


def test_check_messages_use_the_course_notation():
    """COURSE_GUIDE section 6: no z for pre-activations or logits, no g for gradients."""
    import inspect

    source = inspect.getsource(lesson01)
    for banned in ("z_t", "softmax(z", "g_t", "W_hh h_t-1"):
        assert banned not in source
