"""Root pytest configuration: quiet kernels in fast mode, cells run the way Jupyter runs them.

nbval executes cells with `store_history=False`, and IPython then ignores a trailing semicolon
(it looks for it in the input history). Jupyter and Colab execute with history on, so a check
cell such as `checks.rnn_step(rnn_step);` shows only the check's line. This makes nbval do the
same, so the compared outputs are the ones a learner sees.
"""

from __future__ import annotations

import functools
import os

from nbval.kernel import RunningKernel

from rnncourse.env import quiet_environment

# Kernels started by nbval inherit this environment: the quiet-TensorFlow variables are set before
# any TensorFlow import, and the tests run in fast mode unless the caller chose a mode.
quiet_environment()
os.environ.setdefault("RNNCOURSE_MODE", "fast")


def _execute_with_history(self, cell_input, allow_stdin=None):
    return self.kc.execute(
        cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
    )


functools.update_wrapper(_execute_with_history, RunningKernel.execute_cell_input)
RunningKernel.execute_cell_input = _execute_with_history
