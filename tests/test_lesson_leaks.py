"""No generated lesson gives an exercise's answer away in a later cell.

Later cells call the learner's function (tagged `uses-exercise`) or a package helper that an
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
    bodies = [
        normalised_lines(match.group(1))
        for cell in solution_cells
        for match in SOLUTION_BLOCK.finditer("".join(cell["source"]))
    ]
    cells = [
        (index, normalised_lines("".join(cell["source"])))
        for index, cell in enumerate(json.loads(lesson.read_text())["cells"])
        if cell["cell_type"] == "code"
    ]
    found = []
    for body in (b for b in bodies if len(b) >= 3):
        for index, lines in cells:
            score = similarity(body, lines)
            if score >= THRESHOLD:
                found.append(f"cell {index} repeats the answer starting {body[0]!r} ({score:.2f})")
    return found


def test_the_detector_finds_a_copied_answer(tmp_path):
    answer = "a = x @ W_xh + h @ W_hh + b_h\nh_next = np.tanh(a)\nreturn h_next, a * 2\nq = 1\n"
    solution = {
        "cells": [
            {"cell_type": "code", "source": [f"### BEGIN SOLUTION\n{answer}### END SOLUTION\n"]}
        ]
    }
    copied = {
        "cells": [{"cell_type": "code", "source": ["# later\n" + answer.replace("a =", "a  =")]}]
    }
    clean = {
        "cells": [
            {"cell_type": "code", "source": ["h = rnn_step(x, h)\nplot(h)\nprint(h.shape)\n"]}
        ]
    }
    (tmp_path / "s.ipynb").write_text(json.dumps(solution))
    (tmp_path / "c.ipynb").write_text(json.dumps(copied))
    (tmp_path / "k.ipynb").write_text(json.dumps(clean))
    assert leaks(tmp_path / "s.ipynb", tmp_path / "c.ipynb")
    assert not leaks(tmp_path / "s.ipynb", tmp_path / "k.ipynb")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda item: item.number)
def test_no_lesson_cell_repeats_an_answer(lesson):
    solution = ROOT / "solutions" / lesson.filename
    generated = ROOT / "lessons" / lesson.filename
    assert not leaks(solution, generated), f"{generated.name}: " + "; ".join(
        leaks(solution, generated)
    )
