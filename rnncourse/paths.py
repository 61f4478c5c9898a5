"""Where the course's files are: the checkout that holds the package, or RNNCOURSE_ROOT.

The package is installed editable from a checkout (locally by `make`, on Colab by the setup cell),
so quizzes/, data/, solutions/ and lessons/ sit beside it.
"""

from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    """Return the course checkout's root folder (the one holding quizzes/ and solutions/).

    RNNCOURSE_ROOT overrides it; otherwise it is the parent of the package folder. Raises
    FileNotFoundError with a fix when no quizzes/ folder is found there.
    """
    override = os.environ.get("RNNCOURSE_ROOT")
    root = Path(override) if override else Path(__file__).resolve().parent.parent
    if not (root / "quizzes").is_dir():
        raise FileNotFoundError(
            f"no course checkout at {root} (quizzes/ is missing): install the package from a "
            "clone with `pip install -e .`, or set RNNCOURSE_ROOT to the clone's folder"
        )
    return root


def quizzes_dir() -> Path:
    """Return the folder of the quiz banks (quizzes/NN_*.yaml)."""
    return course_root() / "quizzes"


def data_dir() -> Path:
    """Return the course's data/ folder (dataset registry, data the course generates)."""
    return course_root() / "data"


def solutions_dir() -> Path:
    """Return the folder of the solution notebooks."""
    return course_root() / "solutions"
