"""rnncourse: the helper package of the rnn-course notebooks.

Importing the package is cheap: TensorFlow is imported only by `setup_lesson` (after the logging
variables are set) or by the modules that need it.
"""

from rnncourse.env import setup_lesson

__all__ = ["setup_lesson"]
__version__ = "0.1.0"
