"""Exercise checks of every lesson: `from rnncourse import checks; checks.rnn_step(rnn_step)`.

Each check prints one line (success, a specific hint, or "not implemented yet") and returns True
when the learner's function passes. Its docstring states the signature the function must have.
The checks of lesson NN live in `rnncourse/checks/lessonNN.py` (its `__all__` lists them); each
lesson's module is imported here by name, one line per lesson.
"""

from __future__ import annotations

from rnncourse.checks import (
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
)
from rnncourse.checks.lesson01 import *  # noqa: F403
from rnncourse.checks.lesson02 import *  # noqa: F403
from rnncourse.checks.lesson03 import *  # noqa: F403
from rnncourse.checks.lesson04 import *  # noqa: F403
from rnncourse.checks.lesson05 import *  # noqa: F403
from rnncourse.checks.lesson06 import *  # noqa: F403
from rnncourse.checks.lesson07 import *  # noqa: F403
from rnncourse.checks.lesson08 import *  # noqa: F403
from rnncourse.checks.lesson09 import *  # noqa: F403
from rnncourse.checks.lesson10 import *  # noqa: F403

__all__ = [
    *lesson01.__all__,
    *lesson02.__all__,
    *lesson03.__all__,
    *lesson04.__all__,
    *lesson05.__all__,
    *lesson06.__all__,
    *lesson07.__all__,
    *lesson08.__all__,
    *lesson09.__all__,
    *lesson10.__all__,
]
