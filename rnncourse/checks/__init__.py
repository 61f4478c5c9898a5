"""Exercise checks of every lesson: `from rnncourse import checks; checks.rnn_step(rnn_step)`.

Each check prints one line (success, a specific hint, or "not implemented yet") and returns True
when the learner's function passes. Its docstring states the signature the function must have.
"""

from rnncourse.checks.lesson01 import rnn_forward, rnn_step, simple_rnn_param_count

__all__ = ["rnn_forward", "rnn_step", "simple_rnn_param_count"]
