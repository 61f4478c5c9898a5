"""Lesson quizzes: YAML banks in quizzes/, shown in the notebook and runnable in a terminal.

In a lesson notebook::

    from rnncourse import quiz
    quiz.show("01", "pre")   # warm-up at the top
    quiz.show("01", "post")  # quiz at the end

In a terminal: `python -m rnncourse.quiz 01` (see `rnncourse.quiz.__main__`).
"""

from __future__ import annotations

from rnncourse.quiz.bank import (
    Bank,
    Choice,
    Mistake,
    Question,
    QuizBankError,
    find_bank,
    load_bank,
    read_bank,
)
from rnncourse.quiz.notebook import as_text, quiz_dicts, show, to_jupyterquiz
from rnncourse.quiz.terminal import Result, run_quiz

__all__ = [
    "Bank",
    "Choice",
    "Mistake",
    "Question",
    "QuizBankError",
    "Result",
    "as_text",
    "find_bank",
    "load_bank",
    "quiz_dicts",
    "read_bank",
    "run_quiz",
    "show",
    "to_jupyterquiz",
]
