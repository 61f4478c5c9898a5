"""Hygiene of the committed notebooks, and a learner's run of each lesson with the stubs unfilled.

The solutions are executed by nbval (pytest --nbval collects solutions/); these tests check what
nbval does not: committed outputs are clean, lessons carry no outputs, and an unfilled lesson
fails only where the learner has work to do. That needs a run of the lesson itself: it is another
program than its solution (stubs raise, cells that use them fail), so no run of the solution can
stand in for it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnncourse import course, notebooks

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = [item.solution_path() for item in course.LESSONS]
LESSONS = [item.lesson_path() for item in course.LESSONS]
WARNING = re.compile(r"\bWarning\b|\bwarnings?\.warn|DeprecationWarning|FutureWarning")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _output_texts(output: nbformat.NotebookNode) -> list[str]:
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return [output.ename, output.evalue]
    data = output.get("data", {})
    return [str(data[key]) for key in ("text/plain", "text/html", "text/markdown") if key in data]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_is_executed_and_clean(path: Path):
    nb = _read(path)
    counts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {index} was never executed"
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {index} has an error output"
            if output.output_type == "stream":
                assert output.name == "stdout", f"cell {index} wrote to {output.name}"
            for text in _output_texts(output):
                assert not WARNING.search(text), f"cell {index} shows a warning: {text[:200]}"
    assert counts == list(range(1, len(counts) + 1)), "cells were not run top to bottom, once"


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda item: item.filename)
def test_solution_follows_the_lesson_anatomy(lesson: course.Lesson):
    path, number = lesson.solution_path(), lesson.number
    nb = _read(path)
    setup = [cell for cell in nb.cells if "setup" in cell.metadata.get("tags", [])]
    assert len(setup) == 1, "exactly one cell must be tagged 'setup'"
    assert setup[0].source == course.setup_cell_source(number), (
        "the setup cell differs from rnncourse.course.setup_cell_source: "
        "run `python -m rnncourse.build setup`"
    )
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert course.colab_badge("solutions", path.name) in markdown
    for heading in ("## Key takeaways", "## Quiz", "## Assignment", "## Further reading"):
        assert heading in markdown, f"missing section {heading!r}"
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert f'quiz.show("{number}", "pre")' in code and f'quiz.show("{number}", "post")' in code
    exercises = [cell for cell in nb.cells if "exercise" in cell.metadata.get("tags", [])]
    assert exercises, "a lesson has at least one exercise"
    for cell in exercises:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        after = nb.cells[nb.cells.index(cell) + 1 :]
        check = next(c for c in after if c.cell_type == "code")
        assert "check" in check.metadata.get("tags", []), "every exercise is followed by a check"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_no_outputs_and_no_solutions(path: Path):
    nb = _read(path)
    for index, cell in enumerate(nb.cells):
        assert "### BEGIN SOLUTION" not in cell.source, f"cell {index} still holds a solution"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} has outputs"
            assert cell.execution_count is None, f"cell {index} has an execution count"
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert course.colab_badge("lessons", path.name) in markdown


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_unfilled_lesson_fails_only_where_the_learner_has_work(path: Path):
    """Run the lesson as a learner would, stubs unfilled: only NotImplementedError, only in cells
    that call the learner's functions, and every check says "not implemented yet"."""
    done = notebooks.run(path, "fast", timeout=600, allow_errors=True)
    assert done.error is None, done.error
    nb = done.notebook
    checks = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, f"cell {index} wrote to stderr: {stderr[0].text[:300]}"
        for error in errors:
            assert error.ename == "NotImplementedError", (
                f"cell {index} raised {error.ename}: {error.evalue}"
            )
            assert "uses-exercise" in tags, f"cell {index} raised but is not tagged uses-exercise"
        if "check" in tags:
            checks += 1
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert "not implemented yet" in text, f"check cell {index} printed {text!r}"
            assert not errors
    assert checks >= 1


def test_lessons_and_readme_table_are_generated_from_solutions():
    """`python -m rnncourse.build all --check`: lessons/ and the README table are up to date."""
    result = subprocess.run(
        [sys.executable, "-m", "rnncourse.build", "all", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
