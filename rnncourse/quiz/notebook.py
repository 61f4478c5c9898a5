"""The quiz in a notebook: jupyterquiz question dicts, and `show`, which renders them offline.

Bank types map onto jupyterquiz's as follows (jupyterquiz calls a one-answer question
"multiple_choice"): single_choice -> "multiple_choice", multiple_choice -> "many_choice",
numeric -> "numeric". The explanation is the feedback of every answer.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Callable
from typing import Any

from rnncourse.env import in_notebook
from rnncourse.quiz.bank import HOW_TO_ANSWER, PART_NAMES, Bank, Question, letter, load_bank

JQ_TYPES = {
    "single_choice": "multiple_choice",
    "multiple_choice": "many_choice",
    "numeric": "numeric",
}
_BACKTICKS = re.compile(r"`([^`]+)`")
_shown: dict[str, int] = {}


def to_html(text: str) -> str:
    """Return `text` as HTML: escaped, `backticks` as <code>, line breaks kept."""
    escaped = html.escape(text.strip(), quote=False)
    return _BACKTICKS.sub(r"<code>\1</code>", escaped).replace("\n", "<br>")


def feedback(question: Question, verdict: str) -> str:
    """Return the HTML feedback of one answer: the verdict, then the explanation."""
    return f"<b>{html.escape(verdict)}</b> {to_html(question.explanation)}"


def to_jupyterquiz(question: Question) -> dict[str, Any]:
    """Return the jupyterquiz dict of `question` (keys question, type, answers[, code])."""
    item: dict[str, Any] = {"question": to_html(question.text), "type": JQ_TYPES[question.type]}
    if question.code:
        item["code"] = html.escape(question.code, quote=False)
    if question.type == "numeric":
        item["answers"] = _numeric_answers(question)
    else:
        many = question.type == "multiple_choice"
        right = "Yes, this one is correct." if many else "Correct."
        wrong = "No, this one is not correct." if many else "Not quite."
        item["answers"] = [
            {
                "answer": to_html(choice.text),
                "correct": choice.correct,
                "feedback": feedback(question, right if choice.correct else wrong),
            }
            for choice in question.choices
        ]
    return item


def _numeric_answers(question: Question) -> list[dict[str, Any]]:
    """Return jupyterquiz's answers of a numeric question: correct, typical mistakes, default."""
    low, high = question.bounds
    if low == high:
        answers: list[dict[str, Any]] = [{"type": "value", "value": low}]
    else:  # jupyterquiz accepts low <= x < high: nudge high so that it is accepted too
        answers = [{"type": "range", "range": [low, math.nextafter(high, math.inf)]}]
    answers[0].update(correct=True, feedback=feedback(question, "Correct."))
    for mistake in question.mistakes:
        answers.append(
            {
                "type": "value",
                "value": mistake.value,
                "correct": False,
                "feedback": f"<b>Not quite.</b> {to_html(mistake.hint)} "
                f"{to_html(question.explanation)}",
            }
        )
    answers.append({"type": "default", "feedback": feedback(question, "Not quite.")})
    return answers


def quiz_dicts(lesson: str | int, part: str = "post") -> list[dict[str, Any]]:
    """Return the jupyterquiz dicts of the `part` ("pre", "post", "all") questions of `lesson`."""
    return [to_jupyterquiz(q) for q in load_bank(lesson).part(part)]


def show(
    lesson: str | int,
    part: str = "post",
    *,
    interactive: bool | None = None,
    print_fn: Callable[[str], Any] = print,
) -> None:
    """Show the `part` ("pre", "post", "all") questions of `lesson`'s bank; return None.

    In a notebook (or with interactive=True) it displays the outputs of
    `rnncourse.quiz.outputs.quiz_outputs`: the questions as static HTML (what shows where
    JavaScript does not run), then a jupyterquiz quiz with the questions embedded, no network,
    no URL, which replaces them. Element ids are derived from the lesson, the part and how often
    this process has shown that quiz, so a fresh kernel always produces the same outputs, and
    Python's global `random` state is left as it was. Elsewhere (or with interactive=False) it
    prints the questions as text through `print_fn`.
    """
    bank = load_bank(lesson)
    questions = bank.part(part)
    if not questions:
        raise ValueError(f"lesson {bank.lesson}'s quiz bank has no {part!r} questions")
    if interactive is None:
        interactive = in_notebook()
    if not interactive:
        print_fn(as_text(bank, part))
        return
    from IPython.display import display

    from rnncourse.quiz.outputs import quiz_outputs

    key = f"{bank.lesson}-{part}"
    count = _shown[key] = _shown.get(key, -1) + 1
    for bundle in quiz_outputs(bank, part, count):
        display(bundle, raw=True)


def as_text(bank: Bank, part: str = "post", width: int = 88) -> str:
    """Return the `part` questions of `bank` as plain text, without answers, for a terminal."""
    questions = bank.part(part)
    label = PART_NAMES.get(part, "quiz")
    lines = [f"Lesson {bank.lesson} {label}: {bank.title} ({len(questions)} questions)", ""]
    for number, question in enumerate(questions, start=1):
        lines += question_lines(question, number, len(questions), width)
        lines.append("")
    lines.append(f"Answer them and see the explanations: python -m rnncourse.quiz {bank.lesson}")
    return "\n".join(lines)


def question_lines(question: Question, number: int, total: int, width: int = 88) -> list[str]:
    """Return the lines that present one question in a terminal: heading, text, code, choices."""
    how = HOW_TO_ANSWER[question.type]
    lines = [f"Question {number} of {total} ({how})"]
    lines += wrap(question.text, width)
    if question.code:
        lines += ["", *textwrap.indent(question.code, "    ").splitlines(), ""]
    for index, choice in enumerate(question.choices):
        lines += wrap(choice.text, width, first=f"  {letter(index)}) ", rest="     ")
    return lines


def wrap(text: str, width: int = 88, first: str = "", rest: str = "") -> list[str]:
    """Return `text` wrapped to `width`, paragraph by paragraph (blank lines kept)."""
    lines: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        if lines:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=first if not lines else rest,
            subsequent_indent=rest,
            break_on_hyphens=False,
        )
    return lines
