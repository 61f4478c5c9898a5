"""What the tests of the exercise checks share: a learner's untouched stub, and the strict runner
of a check."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def stub(*args: Any) -> Any:
    """Stand in for an exercise the learner has not started: the generated stub raises."""
    raise NotImplementedError()


def run(check: Callable[[Any], bool], fn: Any, capsys: Any) -> tuple[bool, str]:
    """Run `check(fn)` and return (its result, the line it printed), asserting what every check
    promises: it returns a bool, prints exactly one line on stdout and nothing on stderr, shows
    no traceback, and lets no warning of the learner's function escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check(fn)
    captured = capsys.readouterr()
    assert isinstance(result, bool), f"a check returns True or False, got {result!r}"
    assert captured.out.count("\n") == 1, f"a check prints exactly one line, got: {captured.out!r}"
    assert captured.err == "", f"nothing on stderr, got: {captured.err!r}"
    assert "Traceback" not in captured.out
    return result, captured.out


def assert_own_hint(out: str, phrases: dict[str, str], name: str) -> None:
    """`out` holds the phrase of mistake `name` and no other mistake's phrase."""
    assert phrases[name] in out, out
    others = [p for n, p in phrases.items() if n != name and p not in phrases[name]]
    assert not any(other in out for other in others), out
