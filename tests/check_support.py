"""What the tests of the exercise checks share: a learner's untouched stub, and a check run that
captures its one printed line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def stub(*args: Any) -> Any:
    """Stand in for an exercise the learner has not started: the generated stub raises."""
    raise NotImplementedError()


def run(check: Callable[[Any], bool], fn: Callable[..., Any], capsys: Any) -> tuple[bool, str]:
    """Run `check(fn)`; return (its result, what it printed), asserting it printed one line."""
    result = check(fn)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a check prints exactly one line, got: {out!r}"
    return result, out
