"""rnncourse.saved (trained models kept in the cache) and rnncourse.layers.MaskedMean."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnncourse import saved
from rnncourse.env import import_tensorflow
from rnncourse.layers import MaskedMean

import_tensorflow()
import keras  # noqa: E402


def _tiny_model(compiled: bool = True) -> keras.Model:
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(10, 3, mask_zero=True)(ids)
    model = keras.Model(ids, keras.layers.Dense(1)(MaskedMean()(x)))
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def test_trained_builds_once_then_loads_the_same_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(tmp_path))
    calls = []

    def train(model: keras.Model) -> dict:
        calls.append(model)
        model.fit(np.array([[1, 2, 0]]), np.array([1.0]), verbose=0)
        return {"epochs": 1}

    first, info = saved.trained("lesson99_tiny", {"units": 3}, _tiny_model, train)
    assert info == {"epochs": 1, "loaded": False} and len(calls) == 1
    again, info = saved.trained("lesson99_tiny", {"units": 3}, _tiny_model, train)
    assert info == {"epochs": 1, "loaded": True} and len(calls) == 1
    probe = np.array([[3, 4, 0, 0]])
    np.testing.assert_allclose(again(probe), first(probe), rtol=1e-6)
    other, info = saved.trained("lesson99_tiny", {"units": 4}, _tiny_model, train)
    assert info["loaded"] is False and len(calls) == 2  # another recipe, another model
    assert not list(tmp_path.glob("models/partial-*"))


def test_a_damaged_copy_is_trained_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNCOURSE_DATA_CACHE", str(tmp_path))
    path = saved.model_path("lesson99_tiny", {"k": 1})
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip file")
    path.with_suffix(".json").write_text(json.dumps({"epochs": 9}))
    _, info = saved.trained("lesson99_tiny", {"k": 1}, _tiny_model, lambda m: {"epochs": 1})
    assert info == {"epochs": 1, "loaded": False}


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden"])
def test_model_names_are_plain_file_names(name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        saved.model_path(name, {})


def test_masked_mean_ignores_padding_and_gives_zeros_for_an_empty_row() -> None:
    x = np.arange(24, dtype="float32").reshape(2, 4, 3)
    mask = np.array([[True, True, False, False], [False, False, False, False]])
    got = keras.ops.convert_to_numpy(MaskedMean()(x, mask=mask))
    np.testing.assert_allclose(got, [x[0, :2].mean(axis=0), np.zeros(3)])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(MaskedMean()(x)), x.mean(axis=1))
    pooled = keras.ops.convert_to_numpy(keras.layers.GlobalAveragePooling1D()(x, mask=mask))
    assert np.isnan(pooled[1]).all()  # why the lesson does not use it for empty reviews


def test_a_model_with_masked_mean_is_padding_invariant_and_reloads(tmp_path: Path) -> None:
    model = _tiny_model(compiled=False)
    ids = np.array([[1, 2, 3, 0], [4, 0, 0, 0]])
    longer = np.pad(ids, ((0, 0), (0, 5)))
    np.testing.assert_allclose(model(ids), model(longer), atol=1e-6)
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again(ids), model(ids), rtol=1e-6)
