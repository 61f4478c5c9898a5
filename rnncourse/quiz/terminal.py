"""The quiz in a terminal: ask, read and check answers, explain, and keep the score.

Input and output go through `input_fn` and `print_fn`, so tests drive a whole session without a
terminal. Answers: one letter for single choice, letters separated by commas or spaces for
multiple choice, a number (or a fraction like 1/4) for numeric.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rnncourse.quiz.bank import PART_NAMES, Bank, Question, letter
from rnncourse.quiz.notebook import question_lines, wrap

InputFn = Callable[[str], str]
PrintFn = Callable[..., Any]
PROMPT = "> "


class InvalidAnswer(ValueError):
    """An answer that cannot be read; the message says why and what to type instead."""


@dataclass
class Score:
    """The running score of a session: points and questions asked, per part."""

    right: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)

    def add(self, part: str, correct: bool) -> None:
        """Record one answered question of `part`."""
        self.asked[part] = self.asked.get(part, 0) + 1
        self.right[part] = self.right.get(part, 0) + int(correct)

    @property
    def points(self) -> int:
        """Return the number of questions answered correctly."""
        return sum(self.right.values())

    @property
    def answered(self) -> int:
        """Return the number of questions answered."""
        return sum(self.asked.values())

    def summary(self) -> str:
        """Return e.g. "9/12 (75%); warm-up 3/3, end-of-lesson quiz 6/9"."""
        if not self.answered:
            return "0/0"
        parts = [
            f"{PART_NAMES.get(part, part)} {self.right[part]}/{self.asked[part]}"
            for part in self.asked
        ]
        percent = round(100 * self.points / self.answered)
        detail = f"; {', '.join(parts)}" if len(parts) > 1 else ""
        return f"{self.points}/{self.answered} ({percent}%){detail}"


@dataclass
class Result:
    """What a session ended with: the score, how many questions it had, and why it stopped."""

    score: Score
    total: int
    stopped: str | None = None  # None (finished), "eof" or "interrupt"

    @property
    def exit_code(self) -> int:
        """Return the process exit status: 0 finished, 1 end of input, 130 Ctrl-C."""
        return {None: 0, "eof": 1, "interrupt": 130}[self.stopped]


def parse_answer(question: Question, raw: str) -> Any:
    """Return the answer typed as `raw`, read for `question`.

    A letter (str) for single choice, a sorted tuple of letters for multiple choice, a float for
    numeric. Raises InvalidAnswer saying why the input cannot be read.
    """
    text = raw.strip()
    if question.type == "numeric":
        return parse_number(text)
    options = [letter(i) for i in range(len(question.choices))]
    span = f"{options[0]} to {options[-1]}"
    tokens = [t.strip("().").lower() for t in text.replace(",", " ").split()]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise InvalidAnswer(f"no answer given: type a letter from {span}")
    for token in tokens:
        if len(token) != 1 or not token.isalpha():
            raise InvalidAnswer(
                f"{token!r} is not a choice: type letters from {span}"
                + (", separated by commas or spaces" if question.type != "single_choice" else "")
            )
        if token not in options:
            raise InvalidAnswer(f"{token!r} is not one of the choices: choose from {span}")
    if question.type == "single_choice":
        if len(tokens) > 1:
            raise InvalidAnswer(f"this question has one answer: type a single letter from {span}")
        return tokens[0]
    return tuple(sorted(set(tokens)))


def parse_number(text: str) -> float:
    """Return the finite number written in `text` ("1376", "0.25", "2.5e3", "1/4").

    Raises InvalidAnswer saying why `text` is not one.
    """
    if not text:
        raise InvalidAnswer("no answer given: type a number, e.g. 42 or 0.25")
    if "," in text:
        raise InvalidAnswer(
            f"{text!r} is not a number: type digits without thousands separators, and a point "
            "for decimals (1376 or 0.25)"
        )
    try:
        if text.count("/") == 1:
            top, bottom = text.split("/")
            number = float(top) / float(bottom)
        else:
            number = float(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidAnswer(f"{text!r} is not a number: type e.g. 42, 0.25 or 1/4") from None
    if not math.isfinite(number):
        raise InvalidAnswer(f"{text!r} is not a finite number")
    return number


def grade(question: Question, answer: Any) -> tuple[bool, str]:
    """Return (correct, verdict line) for a parsed `answer` to `question`."""
    if question.type == "numeric":
        if question.accepts(answer):
            return True, "Correct."
        mistake = question.mistake_for(answer)
        verdict = f"Not quite: the answer is {question.answer_text()}."
        return False, f"{verdict} {mistake.hint}" if mistake else verdict
    expected = question.correct_letters
    chosen = (answer,) if isinstance(answer, str) else tuple(answer)
    if chosen == expected:
        return True, "Correct."
    if question.type == "single_choice":
        return False, f"Not quite: the answer is {question.answer_text()}."
    missed = [x for x in expected if x not in chosen]
    extra = [x for x in chosen if x not in expected]
    notes = []
    if missed:
        notes.append(f"you missed {', '.join(missed)}")
    if extra:
        notes.append(f"{', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not correct")
    return False, f"Not quite: the correct set is {', '.join(expected)} ({'; '.join(notes)})."


def ask(question: Question, input_fn: InputFn, print_fn: PrintFn) -> Any:
    """Return the parsed answer to `question`, asking again after each unreadable input.

    EOFError and KeyboardInterrupt from `input_fn` propagate to the caller.
    """
    while True:
        raw = input_fn(PROMPT)
        try:
            return parse_answer(question, raw)
        except InvalidAnswer as why:
            print_fn(f"  {why}. Try again.")


def run_quiz(
    bank: Bank,
    part: str = "all",
    *,
    input_fn: InputFn = input,
    print_fn: PrintFn = print,
    width: int = 88,
) -> Result:
    """Ask the `part` questions of `bank` ("pre", "post" or "all": pre then post) and return the
    `Result`. Each answer is followed by the verdict and the explanation, the end by the score.

    End of input (Ctrl-D) or Ctrl-C stops the session with a goodbye line and the score so far.
    """
    questions = bank.part(part)
    score = Score()
    counts = ", ".join(
        f"{len(bank.part(p))} {PART_NAMES[p]}" for p in ("pre", "post") if part in (p, "all")
    )
    print_fn(f"Lesson {bank.lesson} quiz: {bank.title} ({counts} questions)")
    print_fn(
        "Answer with a letter (a), several letters (a, c) or a number; "
        "Ctrl-D or Ctrl-C stops the quiz."
    )
    current_part = None
    try:
        for number, question in enumerate(questions, start=1):
            if question.part != current_part:
                current_part = question.part
                print_fn(f"\n=== {PART_NAMES[current_part].capitalize()} ===")
            print_fn("")
            for line in question_lines(question, number, len(questions), width):
                print_fn(line)
            answer = ask(question, input_fn, print_fn)
            correct, verdict = grade(question, answer)
            score.add(question.part, correct)
            print_fn("")
            for line in wrap(verdict, width):
                print_fn(line)
            for line in wrap(f"Why: {question.explanation}", width, rest="     "):
                print_fn(line)
    except (EOFError, KeyboardInterrupt) as stop:
        reason = "eof" if isinstance(stop, EOFError) else "interrupt"
        print_fn(
            f"\n\nQuiz stopped after {score.answered} of {len(questions)} questions. "
            f"Score so far: {score.summary()}. Goodbye!"
        )
        return Result(score, len(questions), reason)
    print_fn(f"\nScore: {score.summary()}.")
    return Result(score, len(questions))
