"""What to grade: the notebooks under the given paths, whose they are, which lesson each one is,
and which checks that lesson calls (read from the course's own copy of the lesson, never from the
learner's).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from rnncourse import notebooks
from rnncourse.course import LESSONS, Lesson, UnknownLessonError, lesson

METADATA_KEY = "rnncourse"
_SETUP_CALL = re.compile(r"""setup_lesson\(\s*["']?(\d{1,2})["']?\s*[,)]""")
_GENERATED_FROM = re.compile(r"(?:^|/)(\d{2}_[A-Za-z0-9_]+)\.ipynb$")


@dataclass(frozen=True)
class Submission:
    """One notebook to grade: its path and the learner it belongs to."""

    path: Path
    learner: str


@dataclass(frozen=True)
class CheckCall:
    """One check a lesson calls: `checks.<check>(<args>)`, and the notebook names the args read."""

    check: str
    args: tuple[str, ...]
    names: tuple[str, ...]


def find_submissions(paths: Sequence[Path]) -> tuple[list[Submission], list[str]]:
    """Return the notebooks under `paths` (files or folders, searched recursively) and one line
    per path that does not exist. Hidden folders (`.ipynb_checkpoints`) are skipped."""
    found: list[Submission] = []
    missing: list[str] = []
    for base in paths:
        if base.is_file():
            found.append(Submission(base, learner_name(base, None)))
        elif base.is_dir():
            for path in sorted(base.rglob("*.ipynb")):
                relative = path.relative_to(base)
                if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                    continue
                found.append(Submission(path, learner_name(path, base)))
        else:
            missing.append(f"{base}: no such file or folder")
    return found, missing


def learner_name(path: Path, base: Path | None) -> str:
    """Return whose notebook `path` is.

    Under a folder of per-learner folders (`submitted/alice/01_....ipynb`): the first folder below
    `base`. Otherwise the file name without the lesson's name (`alice_01_simple_rnn_cell` gives
    `alice`); a notebook named exactly like a lesson is its folder's (`lessons/` gives `lessons`).
    """
    if base is not None:
        relative = path.relative_to(base)
        if len(relative.parts) > 1:
            return relative.parts[0]
    stem = path.stem
    for item in LESSONS:
        lesson_stem = Path(item.filename).stem
        if lesson_stem in stem:
            rest = stem.replace(lesson_stem, " ").strip(" _-.")
            if rest:
                return rest
            folder = (base or path.parent).resolve()
            return folder.name or stem
    return stem


def identify(notebook: nbformat.NotebookNode, filename: str) -> tuple[Lesson | None, str]:
    """Return (the lesson `notebook` is, how it was told) or (None, why it is not a lesson).

    In order: the `rnncourse` metadata that generation writes (`lesson`, `generated_from`), the
    setup cell's `setup_lesson("NN")`, then the file name.
    """
    record = notebook.get("metadata", {}).get(METADATA_KEY)
    if isinstance(record, dict):
        number = record.get("lesson")
        if isinstance(number, str | int):
            found = _lesson_or_none(number)
            if found is not None:
                return found, "metadata"
        match = _GENERATED_FROM.search(str(record.get("generated_from", "")))
        if match:
            found = _by_stem(match.group(1))
            if found is not None:
                return found, "metadata"
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            match = _SETUP_CALL.search(_source(cell))
            if match:
                found = _lesson_or_none(match.group(1))
                if found is not None:
                    return found, "setup cell"
    for item in LESSONS:
        if Path(item.filename).stem in filename:
            return item, "file name"
    return None, (
        "not a lesson of this course: no rnncourse metadata, no setup_lesson(...) call and no "
        "lesson file name"
    )


def _lesson_or_none(number: str | int) -> Lesson | None:
    try:
        return lesson(number)
    except UnknownLessonError:
        return None


def _by_stem(stem: str) -> Lesson | None:
    return next((item for item in LESSONS if Path(item.filename).stem == stem), None)


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _python(source: str) -> str:
    """Return a cell's source without IPython's `!shell` and `%magic` lines (kept as blanks)."""
    return "\n".join(
        "" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines()
    )


def check_calls(cells: Iterable[Any]) -> list[CheckCall]:
    """Return every `checks.NAME(...)` call in the code `cells`, the first of each NAME, in order."""
    calls: dict[str, CheckCall] = {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_python(_source(cell)))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "checks"
                and node.func.attr not in calls
                and not node.keywords
            ):
                names = sorted(
                    {
                        item.id
                        for arg in node.args
                        for item in ast.walk(arg)
                        if isinstance(item, ast.Name)
                    }
                )
                args = tuple(ast.unparse(arg) for arg in node.args)
                calls[node.func.attr] = CheckCall(node.func.attr, args, tuple(names))
    return list(calls.values())


@cache
def lesson_checks(item: Lesson, root: Path) -> tuple[CheckCall, ...]:
    """Return the checks that the course's copy of `item` calls (its lesson, else its solution).

    Raises FileNotFoundError when the checkout under `root` has neither notebook.
    """
    for path in (item.lesson_path(root), item.solution_path(root)):
        if path.exists():
            return tuple(check_calls(notebooks.read_notebook(path).cells))
    raise FileNotFoundError(
        f"the course checkout {root} has no {item.lesson_path(root).name} to grade against"
    )
