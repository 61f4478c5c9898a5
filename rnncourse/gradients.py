"""Per-time-step gradient norms of a sequence model (taught in lesson 02, reused in lesson 03).

How much does the loss depend on the input at step t? `step_gradient_norms` measures
||dL/de_t||, the gradient of the loss with respect to the embedded input at every step, averaged
over the batch. Vanishing gradients show up as norms that fall towards the early steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncourse.env import import_tensorflow


def step_gradient_norms(model: Any, tokens: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return an array (T,): the batch-mean L2 norm of dL/de_t for every time step t.

    `model` is a Sequential-like Keras model whose first layer is an Embedding and whose last
    layer outputs logits; the loss L is the mean sparse categorical cross-entropy on `labels`
    (one label per sequence, or one per step for sequence outputs). `tokens` is (B, T).
    """
    tf = import_tensorflow()
    import keras

    layers = list(model.layers)
    if not layers or not isinstance(layers[0], keras.layers.Embedding):
        raise ValueError("the model's first layer must be a keras.layers.Embedding")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    embedded = layers[0](tf.convert_to_tensor(tokens))
    with tf.GradientTape() as tape:
        tape.watch(embedded)
        hidden = embedded
        for layer in layers[1:]:
            hidden = layer(hidden)
        loss = loss_fn(labels, hidden)
    grads = tape.gradient(loss, embedded)  # (B, T, E)
    norms = tf.norm(grads, axis=-1)  # (B, T)
    return keras.ops.convert_to_numpy(tf.reduce_mean(norms, axis=0))
