"""Numeric quiz answers recomputed with Keras: every `verify` entry of every bank, and the claims
of choice questions that a program can check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rnncourse import paths, quiz
from rnncourse.env import import_tensorflow
from rnncourse.quiz import validate

tf = import_tensorflow()  # before keras: hides TensorFlow's load-time messages
import keras  # noqa: E402


def dense_params(units: int, input_dim: int) -> int:
    """Return the parameter count of Dense(units) on `input_dim` features."""
    layer = keras.layers.Dense(units)
    layer(keras.Input(shape=(input_dim,)))
    return layer.count_params()


def simple_rnn_params(units: int, input_dim: int, timesteps: int | None = None) -> int:
    """Return the parameter count of SimpleRNN(units) on sequences of `input_dim` features."""
    layer = keras.layers.SimpleRNN(units)
    layer(keras.Input(shape=(timesteps, input_dim)))
    return layer.count_params()


def simple_rnn_output_size(
    units: int, input_dim: int, timesteps: int, batch: int, return_sequences: bool
) -> int:
    """Return how many numbers SimpleRNN's output holds for a (batch, timesteps, input_dim) input."""
    layer = keras.layers.SimpleRNN(units, return_sequences=return_sequences)
    symbolic = layer(keras.Input(shape=(timesteps, input_dim)))
    output = layer(np.zeros((batch, timesteps, input_dim), dtype="float32"))
    assert tuple(output.shape) == (batch, *symbolic.shape[1:])
    return int(np.prod(output.shape))


def activation_max_derivative(activation: str) -> float:
    """Return the largest derivative of a Keras activation on [-8, 8] (a grid that holds 0)."""
    z = tf.constant(np.linspace(-8.0, 8.0, 16001), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = keras.activations.get(activation)(z)
    return float(tf.reduce_max(tape.gradient(y, z)))


def lstm_params(units: int, input_dim: int) -> int:
    """Return the parameter count of LSTM(units) on sequences of `input_dim` features."""
    layer = keras.layers.LSTM(units)
    layer(keras.Input(shape=(None, input_dim)))
    return layer.count_params()


def gru_params(units: int, input_dim: int) -> int:
    """Return the parameter count of GRU(units) (Keras default reset_after=True)."""
    layer = keras.layers.GRU(units)
    layer(keras.Input(shape=(None, input_dim)))
    return layer.count_params()


def power(base: float, exponent: float) -> float:
    """Return base ** exponent, e.g. the gradient factor radius ** k after k steps."""
    return float(np.power(float(base), float(exponent)))


def uniform_cross_entropy(vocab_size: int, unit: str) -> float:
    """Return Keras's cross-entropy of a uniform guess (zero logits) over `vocab_size` classes,
    in nats (Keras's natural log) or bits (divided by ln 2)."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    nats = float(loss(np.zeros((1,), "int32"), np.zeros((1, vocab_size), "float32")))
    return nats if unit == "nats" else nats / math.log(2)


def nats_to_bits(nats: float) -> float:
    """Return in bits the loss Keras reports as `nats`: its cross-entropy for a prediction that
    gives the target the probability exp(-nats), divided by ln 2."""
    p = math.exp(-nats)
    loss = keras.losses.SparseCategoricalCrossentropy()
    computed = float(loss(np.zeros((1,), "int32"), np.array([[p, 1.0 - p]], "float32")))
    assert computed == pytest.approx(nats, rel=1e-5)
    return computed / math.log(2)


def char_rnn_params(vocab_size: int, embedding_dim: int, units: int, cell: str) -> int:
    """Return the parameter count of Embedding -> recurrent layer -> Dense(vocab_size)."""
    layer = {
        "gru": keras.layers.GRU,
        "lstm": keras.layers.LSTM,
        "simple_rnn": keras.layers.SimpleRNN,
    }
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embedding_dim),
            layer[cell](units, return_sequences=True),
            keras.layers.Dense(vocab_size),
        ]
    )
    return model.count_params()


COMPUTE: dict[str, Callable[..., float]] = {
    "dense_params": dense_params,
    "simple_rnn_params": simple_rnn_params,
    "simple_rnn_output_size": simple_rnn_output_size,
    "activation_max_derivative": activation_max_derivative,
    "lstm_params": lstm_params,
    "gru_params": gru_params,
    "power": power,
    "uniform_cross_entropy": uniform_cross_entropy,
    "nats_to_bits": nats_to_bits,
    "char_rnn_params": char_rnn_params,
}


def verified_questions() -> list[tuple[Path, quiz.Question]]:
    """Return (bank file, question) for every numeric question with a `verify` entry."""
    found = []
    for path in sorted(paths.quizzes_dir().glob("[0-9][0-9]_*.yaml")):
        found += [(path, q) for q in quiz.read_bank(path).questions if q.verify]
    return found


def test_every_verify_kind_of_the_schema_has_a_computation():
    kinds = validate.schema()["$defs"]["verify"]["properties"]["kind"]["enum"]
    assert sorted(kinds) == sorted(COMPUTE)


def test_lesson_01_has_at_least_three_verified_answers():
    assert sum(path.name.startswith("01_") for path, _ in verified_questions()) >= 3


@pytest.mark.parametrize(
    ("path", "question"),
    verified_questions(),
    ids=[f"{p.name[:2]}-{q.id}" for p, q in verified_questions()],
)
def test_the_bank_answer_is_what_keras_computes(path, question):
    spec = dict(question.verify)
    computed = COMPUTE[spec.pop("kind")](**spec)
    assert question.accepts(computed), (
        f"{path.name}, question {question.id!r}: Keras computes {computed}, "
        f"the bank accepts {question.answer_text()}"
    )
    if question.value is not None and question.tolerance == 0:
        assert computed == question.value
    for mistake in question.mistakes:
        assert mistake.value != pytest.approx(computed), f"{question.id}: a mistake is right"


@pytest.mark.parametrize(
    ("kind", "spec", "expected"),
    [
        ("dense_params", {"units": 64, "input_dim": 10}, 704),
        ("simple_rnn_params", {"units": 32, "input_dim": 10}, 32 * (10 + 32 + 1)),
        ("simple_rnn_params", {"units": 64, "input_dim": 1, "timesteps": 5}, 4224),
        ("simple_rnn_params", {"units": 64, "input_dim": 1, "timesteps": 500}, 4224),
        (
            "simple_rnn_output_size",
            {"units": 16, "input_dim": 5, "timesteps": 20, "batch": 8, "return_sequences": False},
            8 * 16,
        ),
        ("activation_max_derivative", {"activation": "tanh"}, 1.0),
        ("lstm_params", {"units": 32, "input_dim": 10}, 4 * 32 * (10 + 32 + 1)),
        ("gru_params", {"units": 32, "input_dim": 10}, 3 * 32 * (10 + 32 + 2)),
        ("power", {"base": 0.9, "exponent": 50}, 0.9**50),
        ("uniform_cross_entropy", {"vocab_size": 65, "unit": "nats"}, math.log(65)),
        ("uniform_cross_entropy", {"vocab_size": 2, "unit": "bits"}, 1.0),
        ("uniform_cross_entropy", {"vocab_size": 256, "unit": "bits"}, 8.0),
        ("nats_to_bits", {"nats": 1.0}, 1 / math.log(2)),
        ("nats_to_bits", {"nats": math.log(4)}, 2.0),
        (
            "char_rnn_params",
            {"vocab_size": 10, "embedding_dim": 4, "units": 8, "cell": "gru"},
            10 * 4 + 3 * (4 * 8 + 8 * 8 + 2 * 8) + (8 * 10 + 10),
        ),
        (
            "char_rnn_params",
            {"vocab_size": 10, "embedding_dim": 4, "units": 8, "cell": "lstm"},
            10 * 4 + 4 * 8 * (4 + 8 + 1) + (8 * 10 + 10),
        ),
    ],
)
def test_the_computations_themselves(kind, spec, expected):
    assert COMPUTE[kind](**spec) == pytest.approx(expected)


def test_return_state_of_a_simple_rnn_is_its_last_output():
    """Claim of question 'return-state-shapes' in lesson 01's bank (answer b)."""
    question = next(q for q in quiz.load_bank("01").questions if q.id == "return-state-shapes")
    assert "Both have shape (8, 16) and hold the same numbers" in question.answer_text()
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(8, 20, 5)).astype("float32")
    out, state = keras.layers.SimpleRNN(16, return_state=True)(x)
    assert tuple(out.shape) == tuple(state.shape) == (8, 16)
    np.testing.assert_allclose(np.asarray(out), np.asarray(state))


def test_every_numeric_answer_of_lesson_06_is_verified():
    numeric = [q for q in quiz.load_bank("06").questions if q.type == "numeric"]
    assert len(numeric) >= 4
    assert all(q.verify for q in numeric), "every numeric answer of lesson 06 is computable"


def test_softmax_shift_and_temperature_limits():
    """Claims of the questions 'softmax-shift' and 'temperature-limits' in lesson 06's bank."""
    by_id = {q.id: q for q in quiz.load_bank("06").questions}
    assert "They are identical" in by_id["softmax-shift"].answer_text()
    assert "all the probability on the largest logit" in by_id["temperature-limits"].answer_text()

    def softmax(x):
        return np.asarray(keras.ops.softmax(np.asarray(x, "float32"), axis=-1))

    z = np.array([[2.0, 4.0, 1.8, 1.5]], "float32")
    np.testing.assert_allclose(softmax(z + 1000.0), softmax(z), atol=1e-6)
    np.testing.assert_allclose(softmax(z - 7.5), softmax(z), atol=1e-6)
    np.testing.assert_allclose(softmax(z / 0.01), np.eye(4)[[1]], atol=1e-6)
    np.testing.assert_allclose(softmax(z / 1000.0), np.full((1, 4), 0.25), atol=1e-3)
