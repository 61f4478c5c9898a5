"""Notice (and undo) changes that a learner's code makes to the modules the checks rely on.

The grading process takes a `Snapshot` after importing the checks and before loading any learner
code: every attribute of the protected modules (NumPy, Keras, the course package and the standard
modules the checks use) and of the Python classes they define, plus the set of running threads.
`Snapshot.changes()` lists what differs now; `Snapshot.restore()` puts every attribute back.
"""

from __future__ import annotations

import sys
import threading
import types
from dataclasses import dataclass, field
from typing import Any

#: Modules (with their submodules) whose attributes a check's verdict depends on.
PROTECTED = (
    "builtins",
    "numpy",
    "keras",
    "rnncourse",
    "math",
    "cmath",
    "numbers",
    "operator",
    "functools",
    "copy",
    "inspect",
    "traceback",
    "linecache",
    "warnings",
    "contextlib",
    "io",
    "json",
)
_MISSING = object()
_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: a class whose attributes cannot be set
#: Class attributes Python itself adds on first use (reading `cls.__annotations__` creates it).
_LAZY_CLASS_ATTRIBUTES = frozenset({"__annotations__"})


def protected(name: str) -> bool:
    """Return True when the module called `name` is one of `PROTECTED` or inside one."""
    return any(name == root or name.startswith(root + ".") for root in PROTECTED)


@dataclass
class Snapshot:
    """The protected modules' attributes, their classes' attributes and the threads, at one time."""

    modules: dict[str, tuple[types.ModuleType, dict[str, Any]]] = field(default_factory=dict)
    classes: dict[int, tuple[type, dict[str, Any]]] = field(default_factory=dict)
    threads: frozenset[int] = frozenset()

    @classmethod
    def take(cls) -> Snapshot:
        """Return a snapshot of every protected module loaded now."""
        snapshot = cls(threads=frozenset(id(thread) for thread in threading.enumerate()))
        for name, module in list(sys.modules.items()):
            if not isinstance(module, types.ModuleType) or not protected(name):
                continue
            attributes = dict(vars(module))
            snapshot.modules[name] = (module, attributes)
            for value in attributes.values():
                if (
                    isinstance(value, type)
                    and not value.__flags__ & _IMMUTABLE_TYPE
                    and protected(getattr(value, "__module__", "") or "")
                    and id(value) not in snapshot.classes
                ):
                    snapshot.classes[id(value)] = (value, dict(vars(value)))
        return snapshot

    def changes(self, limit: int = 3) -> list[str]:
        """Return up to `limit` lines naming what was replaced, removed or started since."""
        found: list[str] = []
        for name, (module, attributes) in self.modules.items():
            if sys.modules.get(name, module) is not module:
                found.append(f"sys.modules[{name!r}] was replaced")
            current = vars(module)
            for key, value in attributes.items():
                if current.get(key, _MISSING) is not value:
                    found.append(
                        f"{name}.{key} was {'removed' if key not in current else 'replaced'}"
                    )
                    if len(found) >= limit:
                        return found
        for cls, attributes in self.classes.values():
            current = vars(cls)
            for key, value in attributes.items():
                if current.get(key, _MISSING) is not value:
                    found.append(f"{cls.__module__}.{cls.__qualname__}.{key} was replaced")
                    if len(found) >= limit:
                        return found
            for key in current.keys() - attributes.keys() - _LAZY_CLASS_ATTRIBUTES:
                found.append(f"{cls.__module__}.{cls.__qualname__}.{key} was added")
                if len(found) >= limit:
                    return found
        started = [
            thread.name
            for thread in threading.enumerate()
            if id(thread) not in self.threads and thread.is_alive()
        ]
        if started:
            found.append(f"a thread was started and is still running ({started[0]})")
        return found[:limit]

    def restore(self) -> None:
        """Put back every attribute and module recorded in the snapshot."""
        for name, (module, attributes) in self.modules.items():
            sys.modules[name] = module
            current = vars(module)
            for key, value in attributes.items():
                if current.get(key, _MISSING) is not value:
                    current[key] = value
        for cls, attributes in self.classes.values():
            current = vars(cls)
            for key in list(current.keys() - attributes.keys() - _LAZY_CLASS_ATTRIBUTES):
                try:
                    delattr(cls, key)
                except (AttributeError, TypeError):
                    pass
            for key, value in attributes.items():
                if current.get(key, _MISSING) is not value:
                    try:
                        setattr(cls, key, value)
                    except (AttributeError, TypeError):
                        pass
