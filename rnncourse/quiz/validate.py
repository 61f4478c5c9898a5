"""Checks of a quiz bank: the JSON Schema (structure) and the rules a schema states badly.

Every problem becomes one line naming the question it concerns ("question 3 ('params-32'): ..."),
so that an author can fix a bank from the message alone.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Iterable, Sequence
from typing import Any

import jsonschema

from rnncourse import course

SCHEMA_FILE = "quiz_schema.json"

_MISSING_HINTS = {
    "part": "mark it `part: pre` (warm-up on prerequisites, top of the lesson) or "
    "`part: post` (end-of-lesson quiz)",
    "explanation": "every question needs one; it is shown after answering and says why the "
    "right answer is right and the typical wrong one wrong",
    "choices": "a choice question lists its answers under `choices`, each with `text` and "
    "`correct: true` on the right one(s)",
    "type": "use single_choice, multiple_choice or numeric",
    "lesson": 'the lesson number as a quoted string, e.g. lesson: "01"',
}
_PATTERN_HINTS = {
    "\\S": "must not be empty",
    "^[0-9]{2}$": 'must be two digits in quotes, e.g. "01"',
    "^[a-z0-9][a-z0-9_-]*$": "must be lowercase letters, digits, '-' or '_'",
}


@functools.cache
def schema() -> dict[str, Any]:
    """Return the quiz bank JSON Schema shipped in the package (rnncourse/quiz_schema.json)."""
    text = importlib.resources.files("rnncourse").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def problems(data: Any, filename: str) -> list[str]:
    """Return every problem of the bank `data` (parsed YAML) read from `filename`; [] if none.

    Schema problems come first; the course rules run on the questions the schema accepted.
    """
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=_path_key)
    found = [_describe(error, data) for error in errors]
    if not isinstance(data, dict):
        return found
    broken = {e.absolute_path[1] for e in errors if len(e.absolute_path) > 1}
    questions = data.get("questions")
    if isinstance(questions, list):
        for index, item in enumerate(questions):
            if index not in broken and isinstance(item, dict):
                found += [f"{_where(data, index)}: {p}" for p in question_problems(item)]
        found += bank_problems(data, questions, filename)
    return found


def question_problems(item: dict[str, Any]) -> list[str]:
    """Return the rule violations of one schema-valid question (without its location)."""
    found: list[str] = []
    kind = item["type"]
    if kind in ("single_choice", "multiple_choice"):
        choices = item["choices"]
        correct = [letter(i) for i, c in enumerate(choices) if c.get("correct", False)]
        if kind == "single_choice" and len(correct) != 1:
            named = f" ({', '.join(correct)})" if correct else ""
            found.append(
                f"a single_choice question needs exactly one correct choice, found "
                f"{len(correct)}{named}: mark exactly one with `correct: true`"
                + (", or make it multiple_choice" if len(correct) > 1 else "")
            )
        if kind == "multiple_choice" and not correct:
            found.append(
                "a multiple_choice question needs at least one correct choice, found 0: "
                "mark the right ones with `correct: true`"
            )
        seen: dict[str, str] = {}
        for i, choice in enumerate(choices):
            key = choice["text"].strip().lower()
            if key in seen:
                found.append(f"choices {seen[key]} and {letter(i)} have the same text")
            seen.setdefault(key, letter(i))
    if kind == "numeric":
        if "range" in item:
            low, high = item["range"]
            if low > high:
                found.append(f"range [{low}, {high}] is empty: write it as [low, high]")
            bounds = (low, high)
        else:
            tolerance = item.get("tolerance", 0)
            bounds = (item["value"] - tolerance, item["value"] + tolerance)
        for mistake in item.get("mistakes", []):
            if bounds[0] <= mistake["value"] <= bounds[1]:
                found.append(f"mistake {mistake['value']} lies inside the accepted answer")
    for name, text in _texts(item):
        if "$" in text:
            found.append(
                f"`$` in {name}: write maths as plain text or in backticks (jupyterquiz turns "
                "$...$ into LaTeX, which the terminal quiz cannot show)"
            )
    return found


def bank_problems(data: dict[str, Any], questions: Sequence[Any], filename: str) -> list[str]:
    """Return the problems of the bank as a whole: lesson number, unique ids, both parts."""
    found: list[str] = []
    prefix = filename[:2]
    lesson = data.get("lesson")
    if isinstance(lesson, str) and prefix.isdigit() and lesson != prefix:
        found.append(f"lesson is {lesson!r} but the file name says lesson {prefix!r}")
    elif isinstance(lesson, str):
        try:
            course.lesson(lesson)
        except course.UnknownLessonError as error:
            found.append(f"{error} (rnncourse.course.LESSONS): add its entry first")
    first: dict[str, int] = {}
    for index, item in enumerate(questions):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in first:
            found.append(f"id {ident!r} is used by questions {first[ident] + 1} and {index + 1}")
        first.setdefault(ident, index)
    parts = [item.get("part") if isinstance(item, dict) else None for item in questions]
    if all(part in ("pre", "post") for part in parts):  # else the broken question is reported
        for part, role in (("pre", "a warm-up"), ("post", "an end-of-lesson quiz")):
            if part not in parts:
                found.append(f"no question has `part: {part}`; every lesson has {role}")
    return found


def _texts(item: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """Yield (name, text) for every piece of prose a question shows."""
    yield "the question", item["question"]
    yield "the explanation", item["explanation"]
    for i, choice in enumerate(item.get("choices", [])):
        yield f"choice {letter(i)}", choice["text"]
    for mistake in item.get("mistakes", []):
        yield f"the hint for {mistake['value']}", mistake["hint"]


def _path_key(error: jsonschema.ValidationError) -> list[tuple[int, str]]:
    """Return a sort key that orders errors by their place in the file (question 2 before 10)."""
    return [
        (step, "") if isinstance(step, int) else (-1, str(step)) for step in error.absolute_path
    ]


def letter(index: int) -> str:
    """Return the letter that labels choice number `index` (0 -> "a")."""
    return chr(ord("a") + index)


def _where(data: Any, index: int) -> str:
    """Return "question N ('id')" for question number `index` of `data` (1-based for people)."""
    try:
        ident = data["questions"][index].get("id")
    except (AttributeError, IndexError, KeyError, TypeError):
        ident = None
    return (
        f"question {index + 1} ({ident!r})" if isinstance(ident, str) else f"question {index + 1}"
    )


def _describe(error: jsonschema.ValidationError, data: Any) -> str:
    """Return one line that says where the schema error is and how to fix it."""
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        where, rest = _where(data, path[1]), path[2:]
    elif path:
        where, rest = "bank", path
    else:
        where, rest = "bank", []
    return f"{where}: {_message(error, _field(rest))}"


def _field(rest: list[Any]) -> str:
    """Return a readable name for a path inside a question, e.g. "choice b" or "verify.units"."""
    words: list[str] = []
    for i, step in enumerate(rest):
        if isinstance(step, int):
            parent = rest[i - 1] if i else ""
            if parent == "choices":
                words[-1] = f"choice {letter(step)}"
            elif parent == "mistakes":
                words[-1] = f"mistake {step + 1}"
            else:
                words[-1] = f"{words[-1]}[{step}]"
        else:
            words.append(str(step))
    return ".".join(words)


def _message(error: jsonschema.ValidationError, field: str) -> str:
    """Return the fix-oriented message of a schema error."""
    if error.validator == "oneOf" and isinstance(error.schema, dict):
        custom = error.schema.get("oneOfMessage")  # the schema's own wording of the rule
        if custom:
            return custom
    name = f"`{field}`" if field else "the bank"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        key = missing[0] if missing else "?"
        hint = _MISSING_HINTS.get(key)
        inside = f"{field}: " if field else ""
        return f"{inside}missing `{key}`" + (f": {hint}" if hint else "")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        inside = f" in {name}" if field else ""
        return (
            f"unknown key {', '.join(map(repr, extra))}{inside}; allowed here: {', '.join(allowed)}"
        )
    if error.validator == "enum":
        options = ", ".join(map(repr, error.validator_value))
        return f"{name} is {error.instance!r}; use one of {options}"
    if error.validator == "type":
        quote = " (quote it in the YAML)" if error.validator_value == "string" else ""
        return f"{name} must be of type {error.validator_value}, got {error.instance!r}{quote}"
    if error.validator == "pattern":
        hint = _PATTERN_HINTS.get(error.validator_value, f"must match {error.validator_value}")
        return f"{name} {hint} (got {error.instance!r})"
    if error.validator == "minItems":
        return f"{name} needs at least {error.validator_value} entries, got {len(error.instance)}"
    if error.validator in ("minimum", "maximum"):
        word = "at least" if error.validator == "minimum" else "at most"
        return f"{name} must be {word} {error.validator_value}, got {error.instance!r}"
    return f"{name}: {error.message}"
