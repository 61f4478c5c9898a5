"""Quiz banks: the questions of quizzes/NN_<slug>.yaml as Python objects, loaded and validated.

A bank is checked against rnncourse/quiz_schema.json and the rules of `rnncourse.quiz.validate`
before it is turned into objects, so every `Bank` in memory is well formed. The bank of a lesson
is the file its `rnncourse.course.LESSONS` entry names, and its title is the lesson's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from rnncourse import course, paths
from rnncourse.quiz import validate
from rnncourse.quiz.validate import letter

Part = Literal["pre", "post"]
PARTS: tuple[str, ...] = ("pre", "post")
PART_NAMES = {"pre": "warm-up", "post": "end-of-lesson quiz"}
#: What each question type asks for, as the terminal and the text fallback of a quiz say it.
HOW_TO_ANSWER = {
    "single_choice": "one answer",
    "multiple_choice": "one or more answers",
    "numeric": "a number",
}


class QuizBankError(ValueError):
    """A quiz bank that cannot be used; `problems` lists every problem found, one line each."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"quiz bank {_display_path(self.path)} has {count} {noun}:\n{lines}")


@dataclass(frozen=True)
class Choice:
    """One answer of a choice question."""

    text: str
    correct: bool = False


@dataclass(frozen=True)
class Mistake:
    """A typical wrong numeric answer and the hint that names the mistake."""

    value: float
    hint: str


@dataclass(frozen=True)
class Question:
    """One question of a bank (`type` is single_choice, multiple_choice or numeric)."""

    id: str
    part: str
    type: str
    text: str
    explanation: str
    code: str | None = None
    choices: tuple[Choice, ...] = ()
    value: float | None = None
    tolerance: float = 0.0
    range: tuple[float, float] | None = None
    mistakes: tuple[Mistake, ...] = ()
    verify: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def correct_letters(self) -> tuple[str, ...]:
        """Return the letters (a, b, ...) of the correct choices; empty for a numeric question."""
        return tuple(letter(i) for i, choice in enumerate(self.choices) if choice.correct)

    @property
    def bounds(self) -> tuple[float, float]:
        """Return the accepted interval [low, high] of a numeric question (both ends included)."""
        if self.range is not None:
            return self.range
        if self.value is None:
            raise TypeError(f"question {self.id!r} is not numeric")
        return (self.value - self.tolerance, self.value + self.tolerance)

    def accepts(self, number: float) -> bool:
        """Return True when `number` answers this numeric question correctly."""
        low, high = self.bounds
        return math.isfinite(number) and low <= number <= high

    def mistake_for(self, number: float) -> Mistake | None:
        """Return the typical mistake that `number` matches (within 1e-9), or None."""
        for mistake in self.mistakes:
            if math.isclose(number, mistake.value, rel_tol=1e-9, abs_tol=1e-9):
                return mistake
        return None

    def answer_text(self) -> str:
        """Return the correct answer in words: the correct choices, or the number or range."""
        if self.type == "numeric":
            if self.range is not None:
                return f"anything from {_number(self.range[0])} to {_number(self.range[1])}"
            text = _number(self.value if self.value is not None else math.nan)
            return f"{text} (+/- {_number(self.tolerance)})" if self.tolerance else text
        parts = [f"{letter(i)}) {c.text}" for i, c in enumerate(self.choices) if c.correct]
        return "; ".join(parts)


@dataclass(frozen=True)
class Bank:
    """The questions of one lesson's bank, in file order."""

    lesson: str
    title: str
    path: Path
    questions: tuple[Question, ...]

    def part(self, part: str) -> list[Question]:
        """Return the questions of `part`: "pre", "post", or "all" (pre first, then post)."""
        if part == "all":
            return self.part("pre") + self.part("post")
        if part not in PARTS:
            raise ValueError(f"unknown quiz part {part!r}; use 'pre', 'post' or 'all'")
        return [q for q in self.questions if q.part == part]


def _number(x: float) -> str:
    """Return `x` without a trailing ".0" when it is a whole number."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _display_path(path: Path) -> str:
    """Return `path` relative to the course root when it lies inside it (for messages)."""
    try:
        return str(path.resolve().relative_to(paths.course_root().resolve()))
    except (ValueError, FileNotFoundError):
        return str(path)


def find_bank(lesson: str | int) -> Path:
    """Return the bank file of `lesson` ("01", "1" or 1); UnknownLessonError names the lessons."""
    return course.lesson(lesson).quiz_path()


def read_bank(path: Path | str) -> Bank:
    """Return the validated `Bank` stored in the YAML file `path`.

    Raises QuizBankError listing every problem (YAML syntax, schema, course rules), each naming
    the question it concerns.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuizBankError(path, ["the file is missing"]) from None
    except yaml.YAMLError as error:
        raise QuizBankError(path, [f"not valid YAML: {error}"]) from None
    problems = validate.problems(data, path.name)
    if problems:
        raise QuizBankError(path, problems)
    return _to_bank(data, path)


def load_bank(lesson: str | int) -> Bank:
    """Return the validated bank of `lesson` ("01"); see `find_bank` and `read_bank` for errors."""
    return read_bank(find_bank(lesson))


def _to_bank(data: dict[str, Any], path: Path) -> Bank:
    """Return the `Bank` built from validated YAML data."""
    questions = []
    for item in data["questions"]:
        low_high = item.get("range")
        questions.append(
            Question(
                id=item["id"],
                part=item["part"],
                type=item["type"],
                text=item["question"].strip(),
                explanation=item["explanation"].strip(),
                code=item["code"].rstrip() if "code" in item else None,
                choices=tuple(
                    Choice(c["text"].strip(), bool(c.get("correct", False)))
                    for c in item.get("choices", ())
                ),
                value=float(item["value"]) if "value" in item else None,
                tolerance=float(item.get("tolerance", 0.0)),
                range=(float(low_high[0]), float(low_high[1])) if low_high else None,
                mistakes=tuple(
                    Mistake(float(m["value"]), m["hint"].strip()) for m in item.get("mistakes", ())
                ),
                verify=dict(item["verify"]) if "verify" in item else None,
            )
        )
    title = course.lesson(data["lesson"]).title
    return Bank(lesson=data["lesson"], title=title, path=path, questions=tuple(questions))
