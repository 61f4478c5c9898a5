"""The shared check machinery: copies, mutation reports, the learner's line, non-finite values,
and no exception or warning ever leaving a check."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from check_support import run, stub

from rnncourse.checks import _core
from rnncourse.checks._core import (
    Hint,
    call,
    exercise_check,
    expect_array,
    expect_close,
    expect_finite,
    expect_integer,
)


@exercise_check("double")
def double_check(learner):
    x = np.arange(6.0).reshape(2, 3)
    got = expect_array(call(learner, x), "double(x)", (2, 3))
    expect_close(got, 2 * x, "double(x)", [(x, "you returned x unchanged: multiply by 2")])
    return "doubles every entry"


@exercise_check("total")
def total_check(learner):
    items = [np.ones(2), np.ones(2)]
    got = expect_integer(call(learner, items), "total(items)")
    if got != 4:
        raise Hint(f"total(items) is {got}, expected 4")
    return "adds every entry"


def test_correct_function_passes_with_one_line(capsys):
    ok, out = run(double_check, lambda x: 2 * x, capsys)
    assert ok and out.startswith("✅ double")


def test_alternatives_pass(capsys):
    assert run(double_check, lambda x: np.einsum("ij->ij", x) * 2.0, capsys)[0]
    assert run(double_check, lambda x: x.astype(np.float64) + x, capsys)[0]


def test_stub_is_not_implemented_yet(capsys):
    ok, out = run(double_check, stub, capsys)
    assert not ok and "not implemented yet" in out


def test_known_mistake_gets_its_hint(capsys):
    ok, out = run(double_check, lambda x: x.copy(), capsys)
    assert not ok and "returned x unchanged" in out


def test_mutating_an_array_argument_is_reported(capsys):
    def in_place(x):
        x *= 2
        return x

    ok, out = run(double_check, in_place, capsys)
    assert not ok and "changed its input `x` in place" in out


def test_mutating_a_list_argument_is_reported(capsys):
    def appends(items):
        items.append(np.ones(2))
        return 4

    ok, out = run(total_check, appends, capsys)
    assert not ok and "changed its input `items`" in out


def test_mutation_does_not_leak_into_the_next_call(capsys):
    def appends(items):
        items.append(np.ones(2))
        return 4

    run(total_check, appends, capsys)
    ok, _ = run(total_check, lambda items: int(sum(a.sum() for a in items)), capsys)
    assert ok


def test_error_names_the_learners_line(capsys):
    def broken(x):
        y = x @ np.ones((4, 4))  # the failing line
        return y

    ok, out = run(double_check, broken, capsys)
    assert not ok and "ValueError" in out
    assert "your code (in broken)" in out and "x @ np.ones((4, 4))" in out


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (np.full((2, 3), np.nan), "NaN"),
        (np.full((2, 3), np.inf), "infinity"),
        (None, "return"),
        ([[0.0] * 3] * 2, "list"),
        ("text", "type str"),
        (np.zeros((3, 2)), "shape (3, 2)"),
    ],
)
def test_bad_array_returns_get_a_line(capsys, value, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok, out = run(double_check, lambda x: value, capsys)
    assert not ok and words in out


@pytest.mark.parametrize(
    ("value", "words"),
    [(float("nan"), "finite"), (float("inf"), "finite"), (4.5, "whole"), ("4", "type str")],
)
def test_bad_integer_returns_get_a_line(capsys, value, words):
    ok, out = run(total_check, lambda items: value, capsys)
    assert not ok and words in out


def test_integer_alternatives_pass(capsys):
    assert run(total_check, lambda items: np.int64(4), capsys)[0]
    assert run(total_check, lambda items: 4.0, capsys)[0]


def test_an_exception_in_the_check_itself_is_a_failed_line(capsys):
    @exercise_check("fragile")
    def fragile(learner):
        return "length " + str(len(call(learner)))

    ok, out = run(fragile, lambda: 3, capsys)
    assert not ok and out.startswith("❌ fragile") and "TypeError" in out


def test_expect_finite_accepts_finite_numbers():
    assert expect_finite([1, 2.5], "v").tolist() == [1.0, 2.5]
    with pytest.raises(Hint, match="NaN at index"):
        expect_finite([1.0, np.nan], "v")


def test_passing_a_result_instead_of_the_function(capsys):
    ok, out = run(double_check, np.zeros(3), capsys)
    assert not ok and "without calling it" in out


def test_the_learners_line_skips_numpys_compiled_frames(capsys):
    def samples(x):
        rng = np.random.default_rng(0)
        return rng.choice(3, p=[0.5, 0.6, 0.1]) * x

    ok, out = run(double_check, samples, capsys)
    assert not ok and "(in samples)" in out and "rng.choice(3, p=[0.5, 0.6, 0.1])" in out
    assert ".pyx" not in out and "Generator.choice" not in out


def test_call_prefixes_its_hints_with_the_case():
    def broken(x):
        raise ValueError("bad value")

    with pytest.raises(_core.Hint) as caught:
        _core.call(broken, 1, where="on a batch of 3 rows: ")
    assert str(caught.value).startswith("on a batch of 3 rows: your function raised ValueError")
    with pytest.raises(_core.NotImplementedYet):
        _core.call(lambda x: (_ for _ in ()).throw(NotImplementedError()), 1, where="case: ")
