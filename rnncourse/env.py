"""Run mode, sizes, seeds and a quiet TensorFlow: what the setup cell of every lesson calls.

`RNNCOURSE_MODE=fast|full` (default `full`) is the one knob. Fast mode shrinks data and epochs so a
whole notebook runs in about a minute on a 2-core CPU; full mode is what learners run.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

MODES = ("fast", "full")
SEED = 42

# Set before TensorFlow is imported anywhere: no log noise on stderr.
_QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def mode(run_mode: str | None = None) -> str:
    """Return the run mode, "fast" or "full": `run_mode` if given, else RNNCOURSE_MODE (default
    "full"). The one place a mode is read and checked: ValueError names the valid ones."""
    value = os.environ.get("RNNCOURSE_MODE", "full") if run_mode is None else run_mode
    value = value.strip().lower() or "full"
    if value not in MODES:
        raise ValueError(f"RNNCOURSE_MODE={value!r} is not a run mode; use one of {MODES}")
    return value


def sizes(fast: dict[str, Any], full: dict[str, Any]) -> SimpleNamespace:
    """Return the sizes of the current run mode as attributes: `sizes(fast={...}, full={...}).epochs`.

    Both dicts must name the same keys, so that a notebook never depends on which mode it runs in.
    """
    if set(fast) != set(full):
        missing = sorted(set(fast) ^ set(full))
        raise ValueError(f"fast and full sizes must name the same keys; differing: {missing}")
    return SimpleNamespace(**(fast if mode() == "fast" else full))


def quiet_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set (unless already set) the variables that keep TensorFlow's C++ logging and Python
    warnings quiet, in `environ` (default: this process's environment, before TF is imported)."""
    for key, value in _QUIET_ENV.items():
        environ.setdefault(key, value)


def in_notebook() -> bool:
    """Return True when running in a Jupyter kernel (a frontend can render HTML/JavaScript)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (for C++ messages printed at load)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters): nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow() -> Any:
    """Import and return the `tensorflow` module without the messages it prints while loading.

    TensorFlow 2.21 prints absl messages (CUDA probing, oneDNN) to fd 2 before its own log level
    applies; they are hidden during the import only, so later errors still reach stderr.
    """
    quiet_environment()
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_to_devnull():
        import tensorflow as tf

        tf.constant(0)  # first op: device probing happens here, still quiet
    tf.get_logger().setLevel("ERROR")
    return tf


def set_seeds(seed: int = SEED) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    tf = import_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    with contextlib.suppress(RuntimeError):  # already enabled in this process
        tf.config.experimental.enable_op_determinism()


@dataclass(frozen=True)
class LessonEnv:
    """What `setup_lesson` returns: the lesson number, the run mode and the seed."""

    lesson: str
    mode: str
    seed: int
    on_colab: bool

    def sizes(self, fast: dict[str, Any], full: dict[str, Any]) -> SimpleNamespace:
        """Return the sizes for this run mode (see `rnncourse.env.sizes`)."""
        return sizes(fast=fast, full=full)


def setup_lesson(lesson: str, seed: int = SEED) -> LessonEnv:
    """Prepare a lesson notebook and return its `LessonEnv`.

    Quiets TensorFlow, imports it, seeds everything, enables op determinism, sets the plotting
    style, and prints one line naming the lesson, the mode and the versions.
    """
    quiet_environment()
    tf = import_tensorflow()
    import keras

    set_seeds(seed)
    from rnncourse import plots

    plots.use_course_style()
    env = LessonEnv(
        lesson=str(lesson).zfill(2),
        mode=mode(),
        seed=seed,
        on_colab="google.colab" in sys.modules,
    )
    print(
        f"rnn-course lesson {env.lesson} | mode: {env.mode} | seed {seed} | "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    )
    return env


def report_metric(name: str, value: float) -> None:
    """Record a figure for `python -m rnncourse.bench` (no-op outside a benchmark run).

    The benchmark sets RNNCOURSE_METRICS to a file; each call appends one JSON line to it.
    """
    path = os.environ.get("RNNCOURSE_METRICS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"name": name, "value": float(value)}) + "\n")


def kernel_environment(run_mode: str | None = None) -> dict[str, str]:
    """Return a copy of os.environ for a notebook kernel: quiet TensorFlow and the run mode set.

    `run_mode` ("fast" or "full") overrides RNNCOURSE_MODE; None keeps the current mode.
    """
    env = dict(os.environ)
    quiet_environment(env)
    env["RNNCOURSE_MODE"] = mode(run_mode)
    return env
