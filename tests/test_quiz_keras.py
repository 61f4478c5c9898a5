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


def test_every_numeric_answer_of_lesson_03_is_verified():
    numeric = [q for q in quiz.load_bank("03").questions if q.type == "numeric"]
    assert len(numeric) >= 4
    assert all(q.verify for q in numeric), "every numeric answer of lesson 03 is computable"


def test_lesson_03_bank_writes_the_jacobian_and_gates_as_the_lessons():
    """COURSE_GUIDE section 6: J_t = diag(1 - h_t^2) W_hh^T as lesson 02 derives it, the
    candidate c̃ (no g), W_x / W_h (no U), the GRU candidate h̃."""
    import re

    text = (paths.quizzes_dir() / "03_lstm_gru.yaml").read_text(encoding="utf-8")
    assert "W_hh^T diag" not in text
    assert text.count("diag(1 - h_t^2) W_hh^T") >= 3
    assert not re.search(r"\bg_t\b|\bU_h\b|\bhh_t\b|\) U\b|candidate g\b", text)


def test_cell_path_derivative_is_the_forget_gate():
    """Claim of question 'cell-path-derivative' in lesson 03's bank: with h_(t-1) fixed,
    dc_t / dc_(t-1) of Keras's LSTMCell is diag(f_t)."""
    question = next(q for q in quiz.load_bank("03").questions if q.id == "cell-path-derivative")
    assert "diag(f_t)" in question.answer_text()
    rng = np.random.default_rng(0)
    cell = keras.layers.LSTMCell(5)
    x = tf.constant(rng.normal(size=(3, 4)), "float32")
    h = tf.constant(rng.normal(size=(3, 5)), "float32")
    c = tf.constant(rng.normal(size=(3, 5)), "float32")
    cell(x, [h, c])
    W_x, W_h, b = cell.get_weights()
    b = rng.normal(size=b.shape).astype("float32")
    cell.set_weights([W_x, W_h, b])
    with tf.GradientTape() as tape:
        tape.watch(c)
        _, (_, c_next) = cell(x, [h, c])
    jacobian = np.asarray(tape.batch_jacobian(c_next, c))
    a_f = np.split(x.numpy() @ W_x + h.numpy() @ W_h + b, 4, axis=-1)[1]
    f = 1 / (1 + np.exp(-a_f))
    np.testing.assert_allclose(jacobian, np.stack([np.diag(row) for row in f]), atol=1e-6)


# --------------------------------------------------------------------------- lesson 02 claims


def _bank_02() -> dict[str, quiz.Question]:
    return {q.id: q for q in quiz.load_bank("02").questions}


def _jacobian_product_norms(W_hh: np.ndarray, hs: np.ndarray, with_tanh: bool) -> np.ndarray:
    """||dh_T / dh_(T-k)||_2 for k = 1..T (lesson 02, section 3), from the states hs (T, H)."""
    norms, product = [], np.eye(len(W_hh))
    for t in reversed(range(len(hs))):
        product = product @ (np.diag(1 - hs[t] ** 2) @ W_hh.T if with_tanh else W_hh.T)
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms)


def test_what_guarantees_vanishing_02():
    """Claims of 'what-guarantees-vanishing': sigma_max < 1 bounds every product; rho < 1 does
    not, even with tanh' <= 1 (lesson 02's matrix A with one unit saturated)."""
    question = _bank_02()["what-guarantees-vanishing"]
    correct = {c.text for c in question.choices if c.correct}
    assert correct == {
        "The largest singular value of W_hh is below 1.",
        "W_hh = 0.9 Q with Q orthogonal.",
    }
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 6))
    W *= 0.95 / np.linalg.norm(W, 2)  # sigma_max 0.95
    for _ in range(20):  # any states: the bound sigma_max^k holds
        hs = np.tanh(rng.normal(scale=2.0, size=(40, 6)))
        norms = _jacobian_product_norms(W, hs, with_tanh=True)
        assert (norms <= 0.95 ** np.arange(1, 41) * (1 + 1e-9)).all()
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    assert np.linalg.norm(0.9 * Q, 2) == pytest.approx(0.9)
    W_A = np.array([[1.5, -1.5], [1.5, -1.2]])
    assert np.abs(np.linalg.eigvals(W_A)).max() < 1
    states = np.tile([0.0, -0.95], (100, 1))  # slopes (1, 0.0975): tanh' <= 1 everywhere
    assert _jacobian_product_norms(W_A, states, with_tanh=True)[-1] > 1e6


def test_jordan_transient_growth_02():
    """Claims of 'jordan-transient-growth': peak of a few hundred near k = 30, above 1 for about
    a hundred steps, then towards 0; sigma_max about 1.78."""
    question = _bank_02()["jordan-transient-growth"]
    assert "peak of a few hundred near k = 30" in question.answer_text()
    W = 0.9 * np.eye(4) + np.diag(np.ones(3), 1)
    assert np.linalg.norm(W, 2) == pytest.approx(1.78, abs=0.01)
    norms, power = [], np.eye(4)
    for _ in range(300):
        power = power @ W.T
        norms.append(np.linalg.norm(power, 2))
    norms = np.array(norms)
    assert 100 < norms.max() < 1000 and 20 <= norms.argmax() + 1 <= 40
    last_above_one = np.nonzero(norms > 1)[0].max() + 1
    assert 90 <= last_above_one <= 150 and norms[-1] < 1e-3
    assert "238" in question.explanation and "k = 29" in question.explanation
    assert f"{norms.max():.0f}" == "238" and norms.argmax() + 1 == 29 and last_above_one == 122


def test_scaled_orthogonal_factors_02():
    """'factor-radius-0-9' and 'factor-radius-1-1': for r Q the norm of (W^T)^k is r^k."""
    bank = _bank_02()
    Q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(8, 8)))
    for qid, r, k in [("factor-radius-0-9", 0.9, 50), ("factor-radius-1-1", 1.1, 20)]:
        norm = np.linalg.norm(np.linalg.matrix_power((r * Q).T, k), 2)
        assert bank[qid].accepts(norm), (qid, norm)


def test_delta_recursion_all_steps_02():
    """'delta-recursion-all-steps': with a loss at every step, TensorFlow's total gradient at h_t
    is dL_t/dh_t + delta_(t+1) J_(t+1); the other lines of the question are not."""
    question = _bank_02()["delta-recursion-all-steps"]
    assert question.answer_text().endswith("δ_t = ∂L_t/∂h_t + δ_(t+1) J_(t+1)")
    rng = np.random.default_rng(2)
    T, H, D = 6, 4, 3
    W_xh = tf.constant(rng.normal(scale=0.5, size=(D, H)))
    W_hh = tf.constant(rng.normal(scale=0.5, size=(H, H)))
    x = tf.constant(rng.normal(size=(1, T, D)))
    targets = rng.normal(size=(T, 1, H))
    with tf.GradientTape(persistent=True) as tape:
        h, states = tf.zeros((1, H), tf.float64), []
        for t in range(T):
            h = tf.tanh(x[:, t] @ W_xh + h @ W_hh)
            tape.watch(h)
            states.append(h)
        losses = [0.5 * tf.reduce_sum((s - y) ** 2) for s, y in zip(states, targets, strict=True)]
        total = tf.add_n(losses)
    deltas = [np.asarray(d) for d in tape.gradient(total, states)]
    own = [np.asarray(s) - y for s, y in zip(states, targets, strict=True)]  # dL_t/dh_t
    hs = [np.asarray(s) for s in states]
    for t in range(T - 1):
        J = np.diag(1 - hs[t + 1][0] ** 2) @ np.asarray(W_hh).T
        np.testing.assert_allclose(deltas[t], own[t] + deltas[t + 1] @ J, rtol=1e-10)
        assert not np.allclose(deltas[t], own[t])
        assert not np.allclose(deltas[t], deltas[t + 1] @ J)
        assert not np.allclose(deltas[t], (own[t] + deltas[t + 1]) @ J)


def test_global_norm_value_02():
    """'global-norm-value': tf.clip_by_global_norm returns the norm before clipping."""
    question = _bank_02()["global-norm-value"]
    _, norm = tf.clip_by_global_norm([tf.constant([3.0, 4.0]), tf.constant([12.0])], 1.0)
    assert question.accepts(float(norm))
    assert all(m.value != pytest.approx(float(norm)) for m in question.mistakes)


def test_lesson_02_bank_uses_the_course_notation():
    """COURSE_GUIDE section 6: δ_t for the gradient reaching h_t, a_t for the pre-activation;
    no g for a gradient (g1, g_t), and no 'spectral radius below 1 guarantees' claim."""
    import re

    text = (paths.quizzes_dir() / "02_bptt_vanishing_gradients.yaml").read_text(encoding="utf-8")
    assert not re.search(r"\bg_t\b|\bg[12]\b|dL/da_t|\bdelta_", text)
    assert "δ_t" in text and "∂L/∂a_t" in text
    assert "only makes the product smaller" not in text


def _lesson_01_definitions() -> dict:
    """Run the code cells of solutions/01 that define the counting task (SEQ_LEN, the data) and
    the solution of build_counting_model, with full-mode sizes; return their namespace."""
    import contextlib
    import io
    import json
    from types import SimpleNamespace

    notebook = paths.solutions_dir() / "01_simple_rnn_cell.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    wanted = [s for s in sources if "SEQ_LEN = " in s or "def build_counting_model" in s]
    assert len(wanted) == 2, "solutions/01 defines SEQ_LEN and build_counting_model once each"
    course = SimpleNamespace(sizes=lambda fast, full: SimpleNamespace(**full))
    namespace = {"np": np, "keras": keras, "tf": tf, "course": course}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in wanted:
            exec(source, namespace)
    return namespace


def test_lesson_01_counting_question_describes_the_lessons_model():
    """'counting-many-to-one' agrees with the model that solutions/01 builds: a many-to-one
    SimpleRNN(16) and a Dense(SEQ_LEN + 1) head of logits, not a Dense(1) regression."""
    lesson = _lesson_01_definitions()
    seq_len = lesson["SEQ_LEN"]
    model = lesson["build_counting_model"](seq_len, 16)
    (rnn,) = [layer for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)]
    classes = model.output_shape[-1]
    assert not rnn.return_sequences and model.output_shape == (None, seq_len + 1)
    assert model.get_compile_config()["loss"]["config"]["from_logits"] is True
    assert set(np.unique(lesson["y_train"])) == set(range(classes)), "one class per count"

    question = next(q for q in quiz.load_bank("01").questions if q.id == "counting-many-to-one")
    answer = question.answer_text()
    assert f"SimpleRNN({rnn.units})" in answer and f"Dense({classes})" in answer
    assert "many-to-one" in answer.lower() and "logits" in answer
    assert f"T = {seq_len}" in question.text and f"the {classes} counts" in question.text
    assert all("Dense(1)" not in choice.text for choice in question.choices)
    assert "from_logits=True" in question.explanation


def test_every_numeric_answer_of_lesson_01_is_verified():
    numeric = [q for q in quiz.load_bank("01").questions if q.type == "numeric"]
    assert len(numeric) >= 5
    assert all(q.verify for q in numeric), "every numeric answer of lesson 01 is computable"


def test_lesson_01_bank_uses_the_course_notation():
    """COURSE_GUIDE section 6: logits s and prediction ŷ, pre-activation a (the sigmoid is σ(a));
    no z (only the GRU's update gate), no y_t for the prediction, no unnamed matrix W."""
    import re

    text = (paths.quizzes_dir() / "01_simple_rnn_cell.yaml").read_text(encoding="utf-8")
    assert not re.search(r"\(z\)|softmax\(z|\bz_|\by_t\b|`W`|`x @ W`|`p`", text)
    assert "ŷ_t = softmax(s_t)" in text and "σ(a)" in text
