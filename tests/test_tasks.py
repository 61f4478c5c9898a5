"""The course's synthetic tasks and the per-step gradient tool shared by lessons 02 and 03."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse import tasks
from rnncourse.env import import_tensorflow
from rnncourse.gradients import step_gradient_norms


def test_first_symbol_task_labels_are_the_first_symbol_and_the_rest_distracts():
    tokens, labels = tasks.first_symbol_task(500, 10, n_classes=3, n_distractors=5, seed=1)
    assert tokens.shape == (500, 10) and labels.shape == (500,)
    assert tokens.dtype == np.int32 and labels.dtype == np.int32
    np.testing.assert_array_equal(tokens[:, 0], labels + 1)
    assert set(np.unique(labels)) == {0, 1, 2}
    assert tokens[:, 1:].min() == 4 and tokens[:, 1:].max() == 8
    assert tokens.max() < tasks.first_symbol_vocab_size(3, 5)
    again, _ = tasks.first_symbol_task(500, 10, n_classes=3, n_distractors=5, seed=1)
    np.testing.assert_array_equal(tokens, again)
    other, _ = tasks.first_symbol_task(500, 10, n_classes=3, n_distractors=5, seed=2)
    assert not np.array_equal(tokens, other)


def test_adding_problem_marks_one_number_in_each_half():
    x, y = tasks.adding_problem(300, 20, seed=0)
    assert x.shape == (300, 20, 2) and y.shape == (300,)
    marks = x[..., 1]
    np.testing.assert_array_equal(marks.sum(axis=1), 2)
    assert (marks[:, :10].sum(axis=1) == 1).all() and (marks[:, 10:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (x[..., 0] * marks).sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize("bad", [{"n": 0}, {"length": -3}, {"n_classes": 0}])
def test_bad_sizes_are_refused_with_the_name(bad):
    args = {"n": 10, "length": 5} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        tasks.first_symbol_task(**args)


def test_step_gradient_norms_match_a_direct_gradient_tape():
    tf = import_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    tokens, labels = tasks.first_symbol_task(16, 7, seed=3)
    model = keras.Sequential(
        [
            keras.Input(shape=(7,), dtype="int32"),
            keras.layers.Embedding(tasks.first_symbol_vocab_size(), 8),
            keras.layers.SimpleRNN(12),
            keras.layers.Dense(4),
        ]
    )
    norms = step_gradient_norms(model, tokens, labels)
    assert norms.shape == (7,) and (norms > 0).all()

    embed, rnn, dense = model.layers
    e = embed(tokens)
    with tf.GradientTape() as tape:
        tape.watch(e)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, dense(rnn(e)))
    expected = tf.reduce_mean(tf.norm(tape.gradient(loss, e), axis=-1), axis=0).numpy()
    np.testing.assert_allclose(norms, expected, rtol=1e-5)


def test_step_gradient_norms_needs_an_embedding_first():
    import_tensorflow()
    import keras

    model = keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.SimpleRNN(4)])
    with pytest.raises(ValueError, match="Embedding"):
        step_gradient_norms(model, np.zeros((2, 5, 3)), np.zeros(2))
