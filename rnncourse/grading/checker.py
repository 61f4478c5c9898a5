"""The second grading step, in a fresh limited process: call the lesson's checks on the learner's
functions.

This process never ran the notebook. It imports the lesson's checks module (and TensorFlow and
Keras, when the learner's code mentions them) from the installed package, keeps references to the check functions, takes an integrity
`Snapshot`, and only then loads the learner's exported values (`transport.load`). Each check runs
with its printed line captured and a per-check alarm; afterwards the snapshot is compared: a check
during which the learner's code replaced a NumPy, Keras, course or builtin attribute, or started a
thread, is not graded, and the snapshot is restored before the next check.

Results go, one JSON line per check, to a private copy of the original stdout, each line prefixed
with the nonce the parent sent; the learner's own writes to stdout (fd 1) go to /dev/null.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

RECORD_CHECK = "check"
RECORD_FATAL = "fatal"
RECORD_DONE = "done"


class CheckTimeout(BaseException):
    """Raised by the alarm inside a check that ran too long (a BaseException: checks catch
    Exception, so it ends the check instead of becoming one of its hints)."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise CheckTimeout in this (main) thread after `seconds` of wall time."""

    def ring(signum: int, frame: Any) -> None:
        raise CheckTimeout

    if not hasattr(signal, "setitimer"):  # Windows: only the parent's wall-clock limit applies
        yield
        return
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _private_channel() -> io.TextIOWrapper:
    """Return a stream on a copy of stdout, then point fd 1 (and `sys.stdout`) at /dev/null."""
    sys.stdout.flush()
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # open for the life of the process
    return channel


def check_line(printed: str, markers: tuple[str, ...]) -> str:
    """Return the check's own line: the last printed line that starts with a check marker."""
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(markers):
            return line
    return lines[-1][:300] if lines else "(the check printed nothing)"


def main(config: dict[str, Any]) -> int:
    """Grade the exported values named in `config` with the lesson's checks; return 0."""
    nonce = str(config["nonce"])
    channel = _private_channel()

    def emit(kind: str, **fields: Any) -> None:
        channel.write(nonce + json.dumps({"type": kind, **fields}) + "\n")
        channel.flush()

    from rnncourse.env import import_tensorflow, quiet_environment

    quiet_environment()
    try:
        raw = Path(config["payload"]).read_bytes()
    except OSError:
        raw = b""
    if b"keras" in raw or b"tensorflow" in raw:
        # The learner's code uses them: import them now, so that they are protected too.
        import_tensorflow()
        import keras  # noqa: F401

    from rnncourse.checks import _core
    from rnncourse.grading import transport
    from rnncourse.grading.integrity import Snapshot

    module = importlib.import_module(config["checks_module"])
    calls = list(config["calls"])
    checks: dict[str, Callable[..., Any] | None] = {
        call["check"]: getattr(module, call["check"], None) for call in calls
    }
    markers = (_core.PASS, _core.FAIL, _core.TODO)
    real_stdout, real_stderr = sys.stdout, sys.stderr
    snapshot = Snapshot.take()
    timeout = float(config["check_timeout"])

    try:
        with _alarm(timeout):
            values, problems = transport.load(config["payload"])
    except transport.TransportError as error:
        emit(RECORD_FATAL, message=str(error))
        return 0
    except BaseException as error:  # the learner's code ran while being rebuilt, and failed
        what = "took too long" if isinstance(error, CheckTimeout) else type(error).__name__
        emit(RECORD_FATAL, message=f"rebuilding your functions for grading failed ({what})")
        return 0
    tampered = snapshot.changes()
    if tampered:
        snapshot.restore()
        emit(
            RECORD_FATAL,
            message=f"rebuilding your functions changed the grader's modules ({tampered[0]})",
        )
        return 0

    for call in calls:
        name = call["check"]
        check = checks.get(name)
        if check is None:
            emit(RECORD_CHECK, check=name, passed=False, message="not graded: no such check")
            continue
        missing = [item for item in call["names"] if item not in values]
        if missing:
            first = missing[0]
            reason = problems.get(first, "not defined in the notebook")
            if reason == "not defined in the notebook":
                reason += (
                    " (was it renamed or deleted?)"
                    if first == name
                    else " (the cell that sets it raised or was not run)"
                )
            emit(RECORD_CHECK, check=name, passed=False, message=f"not graded: {first} {reason}")
            continue
        printed = io.StringIO()
        passed, message = False, ""
        try:
            scope = dict(values)
            with contextlib.redirect_stdout(printed), _alarm(timeout):
                # the argument expressions come from the course's own lesson, not the learner's
                args = [eval(expr, {"__builtins__": builtins}, scope) for expr in call["args"]]
                result = check(*args)
            message = check_line(printed.getvalue(), markers)
            passed = result is True and message.startswith(_core.PASS)
        except CheckTimeout:
            message = (
                f"not graded: the check did not finish within {timeout:g} s "
                "(an endless loop in your function?)"
            )
        except BaseException as error:  # SystemExit, KeyboardInterrupt from the learner's code
            message = f"not graded: your code raised {type(error).__name__} during the check"
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
        tampered = snapshot.changes()
        if tampered:
            snapshot.restore()
            passed = False
            message = (
                "not graded: while it was checked, your code changed what the grader relies on "
                f"({tampered[0]})"
            )
        emit(RECORD_CHECK, check=name, passed=passed, message=message)
    emit(RECORD_DONE)
    return 0
