"""Small Keras layers the lessons build on, registered so that saved models load again."""

from __future__ import annotations

from typing import Any

from rnncourse.env import import_tensorflow

import_tensorflow()  # before keras: no TensorFlow load-time messages
import keras  # noqa: E402


@keras.saving.register_keras_serializable(package="rnncourse")
class MaskedMean(keras.layers.Layer):
    """The mean of x (B, T, D) over the real steps given by the mask, shape (B, D).

    Lesson 05's exercise as a layer: sum_t m_t x_t / max(sum_t m_t, 1), so a row without a real
    step gives zeros, where `keras.layers.GlobalAveragePooling1D` with a mask gives NaN. Without
    a mask, every step counts.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x: Any, mask: Any = None) -> Any:
        ops = keras.ops
        if mask is None:
            return ops.mean(x, axis=1)
        m = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)

    def compute_mask(self, x: Any, mask: Any = None) -> None:
        return None  # one vector per sequence: nothing left to mask
