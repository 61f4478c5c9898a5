"""Exercise checks of every lesson: `from rnncourse import checks; checks.rnn_step(rnn_step)`.

Each check prints one line (success, a specific hint, or "not implemented yet") and returns True
when the learner's function passes. Its docstring states the signature the function must have.
The checks of lesson NN live in `rnncourse/checks/lessonNN.py` and are all exported here.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__: list[str] = []

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _info.name.startswith("lesson"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        for _name in _module.__all__:
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
