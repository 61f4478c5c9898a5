"""Carry a learner's functions out of their notebook's kernel and into a fresh process, by value.

`export` runs in the kernel that executed the learner's notebook (the grader appends one cell that
calls it). It pickles each requested name of the notebook's namespace on its own: functions
defined in the notebook travel as their compiled code plus the globals they read (recursively),
their defaults and closures; modules travel by name, so the receiving process imports its own
clean copy; other values are pickled as usual. The source lines of the notebook's cells go along,
so a hint can still quote the learner's line.

`load` runs in the process that calls the checks: it rebuilds the values in one fresh namespace
shared by the learner's functions (their `__main__`). Loading executes the learner's code, like
running the notebook does: call it only inside the grading sandbox.
"""

from __future__ import annotations

import builtins
import importlib
import io
import linecache
import marshal
import os
import pickle
import sys
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

#: Format of the file `export` writes; `load` refuses any other.
FORMAT = 1
_EMPTY_CELL = "<empty closure cell>"

#: The namespace the rebuilt learner functions share, as the notebook's cells shared `__main__`.
NAMESPACE: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}


class TransportError(Exception):
    """The exported file cannot be loaded (wrong format, another Python, not a pickle)."""


# --- in the learner's kernel -----------------------------------------------------------------------


def export(
    namespace: Mapping[str, Any] | None, names: Iterable[str], path: str | os.PathLike[str]
) -> None:
    """Write the values of `names` in `namespace` (None: the caller's globals) to `path`, one
    pickle each; never raises for a name.

    A name that is not defined, or whose value cannot be carried, is recorded with the reason
    instead of a value.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    values: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    lines: dict[str, list[str]] = {}
    for name in names:
        if name not in namespace:
            problems[name] = "not defined in the notebook"
            continue
        buffer = io.BytesIO()
        try:
            _ByValuePickler(buffer, lines, set()).dump(namespace[name])
        except Exception as error:  # anything the learner left there may refuse to pickle
            problems[name] = f"could not be carried to the grader ({type(error).__name__}: {error})"
        else:
            values[name] = buffer.getvalue()
    payload = {
        "format": FORMAT,
        "python": list(sys.version_info[:3]),
        "values": values,
        "problems": problems,
        "lines": lines,
    }
    target = Path(path)
    temporary = target.with_name(target.name + ".part")
    temporary.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, target)


class _ByValuePickler(pickle.Pickler):
    """A pickler that carries functions defined in `__main__` by value and modules by name."""

    def __init__(self, file: io.BytesIO, lines: dict[str, list[str]], trying: set[int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._lines = lines
        self._trying = trying  # ids of the values being trial-pickled (guards against cycles)

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, types.FunctionType) and obj.__module__ == "__main__":
            return self._reduce_function(obj)
        if isinstance(obj, type) and obj.__module__ == "__main__":
            raise pickle.PicklingError(
                f"the class {obj.__qualname__} is defined in the notebook; the grader carries "
                "functions, not classes"
            )
        return NotImplemented

    def _reduce_function(self, function: types.FunctionType) -> tuple[Any, ...]:
        code = function.__code__
        self._record_lines(code)
        globals_ = {
            name: function.__globals__[name]
            for name in sorted(_global_names(code))
            if name in function.__globals__ and self._carriable(function.__globals__[name])
        }
        closure = []
        for cell in function.__closure__ or ():
            try:
                closure.append(cell.cell_contents)
            except ValueError:
                closure.append(_EMPTY_CELL)
        state = {
            "globals": globals_,
            "closure": closure,
            "defaults": function.__defaults__,
            "kwdefaults": function.__kwdefaults__,
            "qualname": function.__qualname__,
            "doc": function.__doc__,
            "dict": dict(function.__dict__),
        }
        args = (marshal.dumps(code), function.__name__, len(closure))
        return _make_function, args, state, None, None, _set_function_state

    def _carriable(self, value: Any) -> bool:
        """Return True when `value` pickles: a global the function may not even use is left out
        (the function then raises NameError only if it does use it)."""
        if isinstance(value, types.ModuleType | types.FunctionType) or id(value) in self._trying:
            return True
        self._trying.add(id(value))
        try:
            _ByValuePickler(io.BytesIO(), {}, self._trying).dump(value)
        except Exception:
            return False
        finally:
            self._trying.discard(id(value))
        return True

    def _record_lines(self, code: types.CodeType) -> None:
        """Keep the source lines of the cell `code` was compiled from (for the hints)."""
        for item in _code_objects(code):
            entry = linecache.cache.get(item.co_filename)
            if entry is not None and item.co_filename not in self._lines:
                self._lines[item.co_filename] = list(entry[2])


def _code_objects(code: types.CodeType) -> list[types.CodeType]:
    """Return `code` and every code object nested in it (inner functions, comprehensions)."""
    found, pending = [], [code]
    while pending:
        item = pending.pop()
        found.append(item)
        pending.extend(const for const in item.co_consts if isinstance(const, types.CodeType))
    return found


def _global_names(code: types.CodeType) -> set[str]:
    """Return the names `code` (and the code nested in it) may look up as globals."""
    return {name for item in _code_objects(code) for name in item.co_names}


# --- in the grading process -------------------------------------------------------------------------


def _make_function(code_bytes: bytes, name: str, cells: int) -> types.FunctionType:
    """Return a function skeleton in `NAMESPACE`; `_set_function_state` fills in the rest."""
    code = marshal.loads(code_bytes)
    closure = tuple(types.CellType() for _ in range(cells)) or None
    return types.FunctionType(code, NAMESPACE, name, None, closure)


def _set_function_state(function: types.FunctionType, state: dict[str, Any]) -> None:
    """Give a rebuilt function its globals, closure contents, defaults, name and attributes."""
    for name, value in state["globals"].items():
        NAMESPACE.setdefault(name, value)
    for cell, value in zip(function.__closure__ or (), state["closure"], strict=True):
        if not (isinstance(value, str) and value == _EMPTY_CELL):
            cell.cell_contents = value
    function.__defaults__ = state["defaults"]
    function.__kwdefaults__ = state["kwdefaults"]
    function.__qualname__ = state["qualname"]
    function.__doc__ = state["doc"]
    function.__dict__.update(state["dict"])


def load(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (values by name, reason by name for the names that could not be rebuilt).

    Raises TransportError when the file is not an export of this format and Python version.
    """
    try:
        payload = pickle.loads(Path(path).read_bytes())
    except Exception as error:
        raise TransportError(f"the exported functions cannot be read ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise TransportError("the exported functions are not in the grader's format")
    if payload.get("python") != list(sys.version_info[:3]):
        raise TransportError(
            f"the notebook ran on Python {payload.get('python')}, the grader on "
            f"{list(sys.version_info[:3])}: run both in the same environment"
        )
    for filename, lines in dict(payload.get("lines", {})).items():
        linecache.cache[filename] = (sum(map(len, lines)), None, list(lines), filename)
    values: dict[str, Any] = {}
    problems = {str(name): str(reason) for name, reason in dict(payload["problems"]).items()}
    for name, data in dict(payload["values"]).items():
        try:
            values[name] = pickle.loads(data)
        except Exception as error:
            problems[name] = f"could not be rebuilt for grading ({type(error).__name__}: {error})"
    for name, value in values.items():
        NAMESPACE.setdefault(name, value)
    return values, problems
