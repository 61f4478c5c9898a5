"""Show grades: a table per submission, a learner x exercise summary, CSV and JSON for gradebooks."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnncourse.course import LESSONS
from rnncourse.grading.grader import SubmissionResult

PASS_MARK = "✓"
FAIL_MARK = "✗"
NOT_SUBMITTED = "-"


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def table(rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Return `rows` (the first is the header) as aligned plain-text columns; the last column is
    not padded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(indent + "  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def format_submission(result: SubmissionResult) -> str:
    """Return the report of one submission: a heading line, the exercise table, the reason."""
    lesson = f"lesson {result.lesson}" if result.lesson else "no lesson"
    head = (
        f"{result.learner} | {_show(result.path)} | {lesson} | "
        f"{result.score}/{result.total} | {result.seconds:.1f} s"
    )
    lines = [head]
    if result.exercises:
        rows = [["exercise", "result", "message"]]
        rows += [
            [item.exercise, "pass" if item.passed else "fail", item.message]
            for item in result.exercises
        ]
        lines.append(table(rows, indent="  "))
    if result.reason:
        lines.append(f"  note: {result.reason}")
    return "\n".join(lines)


@dataclass
class Summary:
    """The best graded submission of each learner and lesson, and the exercise columns in course
    order (lesson, exercise)."""

    learners: dict[str, dict[str, SubmissionResult]]
    columns: list[tuple[str, str]]
    ungraded: dict[str, list[SubmissionResult]]


def summarize(results: Sequence[SubmissionResult]) -> Summary:
    """Return the summary of `results`: per learner, per lesson, the submission scoring best."""
    learners: dict[str, dict[str, SubmissionResult]] = {}
    ungraded: dict[str, list[SubmissionResult]] = {}
    exercises: dict[str, list[str]] = {}
    for result in results:
        learners.setdefault(result.learner, {})
        if result.lesson is None:
            ungraded.setdefault(result.learner, []).append(result)
            continue
        names = exercises.setdefault(result.lesson, [])
        names += [item.exercise for item in result.exercises if item.exercise not in names]
        best = learners[result.learner].get(result.lesson)
        if best is None or result.score > best.score:
            learners[result.learner][result.lesson] = result
    order = [item.number for item in LESSONS]
    lessons = sorted(exercises, key=lambda number: order.index(number) if number in order else 99)
    columns = [(number, name) for number in lessons for name in exercises[number]]
    return Summary(learners, columns, ungraded)


def _learner_totals(lessons: dict[str, SubmissionResult]) -> tuple[int, int]:
    return sum(r.score for r in lessons.values()), sum(r.total for r in lessons.values())


def format_summary(results: Sequence[SubmissionResult]) -> str:
    """Return the learner x exercise table (✓ passed, ✗ not, - not submitted) with each score."""
    summary = summarize(results)
    header = ["learner", *[f"{number}.{name}" for number, name in summary.columns], "score"]
    rows = [header]
    for learner, lessons in sorted(summary.learners.items()):
        row = [learner]
        for number, name in summary.columns:
            result = lessons.get(number)
            if result is None:
                row.append(NOT_SUBMITTED)
            else:
                passed = any(i.exercise == name and i.passed for i in result.exercises)
                row.append(PASS_MARK if passed else FAIL_MARK)
        score, total = _learner_totals(lessons)
        extra = len(summary.ungraded.get(learner, []))
        row.append(f"{score}/{total}" + (f" (+{extra} not a lesson)" if extra else ""))
        rows.append(row)
    legend = f"{PASS_MARK} passed, {FAIL_MARK} not passed, {NOT_SUBMITTED} not submitted"
    return f"Summary ({len(results)} notebooks; {legend})\n" + table(rows, indent="  ")


def csv_text(results: Sequence[SubmissionResult]) -> str:
    """Return the gradebook CSV: one row per learner; a column per exercise (1/0, empty when not
    submitted), then each lesson's score and the total."""
    summary = summarize(results)
    lessons = list(dict.fromkeys(number for number, _ in summary.columns))
    header = ["learner"]
    header += [f"{number} {name}" for number, name in summary.columns]
    header += [f"lesson {number} score" for number in lessons]
    header += [f"lesson {number} out of" for number in lessons]
    header += ["total score", "total out of"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for learner, graded in sorted(summary.learners.items()):
        row: list[Any] = [learner]
        for number, name in summary.columns:
            result = graded.get(number)
            row.append(
                ""
                if result is None
                else int(any(i.exercise == name and i.passed for i in result.exercises))
            )
        row += ["" if graded.get(n) is None else graded[n].score for n in lessons]
        row += ["" if graded.get(n) is None else graded[n].total for n in lessons]
        row += list(_learner_totals(graded))
        writer.writerow(row)
    return buffer.getvalue()


def json_data(results: Sequence[SubmissionResult], mode: str) -> dict[str, Any]:
    """Return every result as plain data: the submissions in order, then the per-learner summary."""
    summary = summarize(results)
    return {
        "mode": mode,
        "submissions": [
            {
                "path": _show(result.path),
                "learner": result.learner,
                "lesson": result.lesson,
                "score": result.score,
                "out_of": result.total,
                "seconds": round(result.seconds, 2),
                "run_seconds": round(result.run_seconds, 2),
                "check_seconds": round(result.check_seconds, 2),
                "reason": result.reason,
                "exercises": [
                    {"exercise": i.exercise, "passed": i.passed, "message": i.message}
                    for i in result.exercises
                ],
            }
            for result in results
        ],
        "learners": {
            learner: {
                "score": _learner_totals(graded)[0],
                "out_of": _learner_totals(graded)[1],
                "lessons": {
                    number: {
                        "path": _show(result.path),
                        "score": result.score,
                        "out_of": result.total,
                        "passed": [i.exercise for i in result.exercises if i.passed],
                    }
                    for number, result in graded.items()
                },
            }
            for learner, graded in sorted(summary.learners.items())
        },
    }


def json_text(results: Sequence[SubmissionResult], mode: str) -> str:
    """Return `json_data` as indented JSON text."""
    return json.dumps(json_data(results, mode), indent=2, ensure_ascii=False) + "\n"
