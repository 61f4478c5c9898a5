"""Trained models kept in the data cache, so that a restarted kernel does not train them again.

`trained(name, recipe, build, train)` returns a model and what its training reported: loaded
from `<cache>/models/` when a model with the same name and recipe was saved before, otherwise
built, trained and saved. The recipe (a JSON-serialisable dict: sizes, seed, epochs, the data's
source line...) is hashed into the file name, so changing any of it trains a new model.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rnncourse.data import settings


def model_path(name: str, recipe: dict[str, Any]) -> Path:
    """Return the `.keras` file of the model `name` trained with `recipe` (it may not exist)."""
    if not name or any(ch in name for ch in "/\\") or name.startswith("."):
        raise ValueError(f"a model name is a plain file name, not {name!r}")
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    return settings.cache_dir() / "models" / f"{name}_{key}.keras"


def trained(
    name: str,
    recipe: dict[str, Any],
    build: Callable[[], Any],
    train: Callable[[Any], dict[str, Any]],
    *,
    retrain: bool = False,
) -> tuple[Any, dict[str, Any]]:
    """Return (model, info) for the model `name` trained with `recipe`.

    When a complete saved copy exists (and not `retrain`), the model is loaded and `info` is
    what `train` returned when it was trained, with "loaded": True. Otherwise `build()` makes a
    compiled model, `train(model)` trains it and returns `info` (a JSON-serialisable dict), and
    both are saved, the model under its final name only once it is complete; "loaded" is then
    False. Custom layers must be registered with `keras.saving.register_keras_serializable`.
    """
    import keras

    path = model_path(name, recipe)
    info_path = path.with_suffix(".json")
    if not retrain and path.exists() and info_path.exists():
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            return keras.models.load_model(path), {**info, "loaded": True}
        except (OSError, ValueError):
            pass  # a damaged or unreadable copy: train again and overwrite it
    model = build()
    info = train(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name("partial-" + path.name)
    model.save(partial)
    info_path.write_text(json.dumps(info), encoding="utf-8")
    os.replace(partial, path)  # a file under the final name is always complete
    return model, {**info, "loaded": False}
