"""No generated lesson gives an exercise's answer away in a later cell.

Cells after an exercise call the learner's function (tagged `uses-exercise`) or a package helper that an
earlier lesson taught; none holds a copy of the code between `### BEGIN SOLUTION` and
`### END SOLUTION`. The comparison ignores comments, blank lines, docstrings and whitespace.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from rnncourse.course import LESSONS

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
#: Similarity (difflib ratio) from which a cell counts as a copy of an answer.
THRESHOLD = 0.55


def normalised_lines(text: str) -> list[str]:
    """Return the code lines of `text` without comments, docstring quotes, returns and spacing."""
    lines = []
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith(('"""', "return")):
            lines.append(re.sub(r"\s+", " ", line))
    return lines


def similarity(body: list[str], cell: list[str]) -> float:
    """Return the best difflib ratio of `body` against any window of `cell` of about its length."""
    target = "\n".join(body)
    windows = range(max(1, len(cell) - len(body) + 1))
    return max(
        (
            difflib.SequenceMatcher(None, target, "\n".join(cell[k : k + len(body) + 1])).ratio()
            for k in windows
        ),
        default=0.0,
    )


def leaks(solution: Path, lesson: Path) -> list[str]:
    """Return a description of every code cell of `lesson` that repeats a solution block."""
    solution_cells = json.loads(solution.read_text())["cells"]
    lesson_cells = json.loads(lesson.read_text())["cells"]
    position = {cell.get("id"): index for index, cell in enumerate(lesson_cells)}
    # (index of the exercise's cell in the lesson, the answer's lines) for every solution block
    bodies = [
        (position.get(cell.get("id"), -1), normalised_lines(match.group(1)))
        for cell in solution_cells
        for match in SOLUTION_BLOCK.finditer("".join(cell["source"]))
    ]
    cells = [
        (index, normalised_lines("".join(cell["source"])))
        for index, cell in enumerate(lesson_cells)
        if cell["cell_type"] == "code"
    ]
    found = []
    for start, body in ((start, b) for start, b in bodies if len(b) >= 3):
        # a worked example before the exercise may look like its answer: only later cells count
        for index, lines in (cell for cell in cells if cell[0] > start):
            score = similarity(body, lines)
            if score >= THRESHOLD:
                found.append(f"cell {index} repeats the answer starting {body[0]!r} ({score:.2f})")
    return found


def code(cell_id: str, source: str) -> dict:
    """Return a code cell of a minimal notebook."""
    return {"cell_type": "code", "id": cell_id, "source": [source]}


def test_the_detector_finds_a_copied_answer_after_the_exercise(tmp_path):
    answer = "a = x @ W_xh + h @ W_hh + b_h\nh_next = np.tanh(a)\nreturn h_next, a * 2\nq = 1\n"
    exercise = code("ex", f"def f(x):\n### BEGIN SOLUTION\n{answer}### END SOLUTION\n")
    stub = code("ex", "def f(x):\n# YOUR CODE HERE\nraise NotImplementedError()\n")
    copy = code("later", "# later\n" + answer.replace("a =", "a  ="))
    calls = code("later", "h = rnn_step(x, h)\nplot(h)\nprint(h.shape)\n")
    worked_example = code("before", answer)
    notebooks = {
        "solution": [exercise],
        "copied": [stub, copy],
        "clean": [stub, calls],
        "example_first": [worked_example, stub],
    }
    for name, cells in notebooks.items():
        (tmp_path / f"{name}.ipynb").write_text(json.dumps({"cells": cells}))
    solution = tmp_path / "solution.ipynb"
    assert leaks(solution, tmp_path / "copied.ipynb")
    assert not leaks(solution, tmp_path / "clean.ipynb")
    assert not leaks(solution, tmp_path / "example_first.ipynb")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda item: item.number)
def test_no_lesson_cell_repeats_an_answer(lesson):
    solution = ROOT / "solutions" / lesson.filename
    generated = ROOT / "lessons" / lesson.filename
    assert not leaks(solution, generated), f"{generated.name}: " + "; ".join(
        leaks(solution, generated)
    )
