"""Build the course from solutions/: student lessons, the README's lesson table, executed outputs.

    python -m rnncourse.build lessons [NN ...] [--force] [--check]
    python -m rnncourse.build readme [--check]
    python -m rnncourse.build execute [NN ...] [--mode full|fast] [--timeout SECONDS]
    python -m rnncourse.build quizzes [NN ...] [--check]
    python -m rnncourse.build setup [NN ...] [--check]
    python -m rnncourse.build all [--force] [--check]

`quizzes` and `setup` change solutions without running them (a full run takes hours): `quizzes`
replaces the outputs of every quiz cell (a cell whose source is `quiz.show("NN", "pre")` or
`quiz.show("NN", "post")`) with what a fresh kernel shows for the bank as it is now, and `setup`
sets the source of every `setup` cell to the course's setup cell, keeping its outputs. Every
other byte of the notebook stays as it was.

Every command takes `--root DIR` (default: the checkout, or RNNCOURSE_ROOT). Generation is
deterministic: the same solutions give the same bytes, so `--check` compares files byte for byte.
A lesson records the hash of its cells' types and sources; a lesson whose cells a learner changed
is never overwritten without `--force`, and `--force` keeps a backup first.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from rnncourse import notebooks
from rnncourse.course import (
    LESSONS,
    Lesson,
    UnknownLessonError,
    colab_badge,
    colab_url,
    select,
    setup_cell_source,
)
from rnncourse.notebooks import notebook_text, write_text
from rnncourse.quiz.bank import QuizBankError, read_bank
from rnncourse.quiz.outputs import quiz_outputs

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
SOLUTION_ONLY_TAG = "solution-only"
#: The setup cell, kept equal to `rnncourse.course.setup_cell_source` in every notebook.
SETUP_TAG = "setup"
#: Cells that call a learner's exercise; in lessons they also get `raises-exception`.
USES_EXERCISE_TAG = "uses-exercise"
RAISES_TAG = "raises-exception"
#: Exercise cells (nbgrader "autograded answer" cells) and the check cell after each one
#: (nbgrader "read-only" cells); see `nbgrader_metadata`.
EXERCISE_TAG = "exercise"
CHECK_TAG = "check"
NBGRADER_SCHEMA_VERSION = 3
README_START = "<!-- lessons:start -->"
README_END = "<!-- lessons:end -->"
METADATA_KEY = "rnncourse"

_COLAB_SOLUTION_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^/\s()]+/[^/\s()]+/blob/[^/\s()]+"
    r"/solutions/([^/\s()\"'<>]+\.ipynb)"
)
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Cell metadata that records a session (timing, scroll state, Colab's output ids), not content.
_VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "colab", "outputId")


class BuildError(Exception):
    """A problem in the course's files that the build cannot work around (the message says what)."""


# --- reading and writing ------------------------------------------------------------------------


def read_notebook(path: Path) -> NotebookNode:
    """Return the notebook at `path` (see `rnncourse.notebooks.read_notebook`); BuildError if it
    is not a readable notebook."""
    try:
        return notebooks.read_notebook(path)
    except ValueError as error:
        raise BuildError(str(error).replace(str(path), show(path), 1)) from error


def show(path: Path) -> str:
    """Return `path` as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def chosen_lessons(root: Path, numbers: Iterable[str] | None = None) -> list[Lesson]:
    """Return the lessons of `numbers` (default: every lesson whose solution is under `root`).

    Raises UnknownLessonError for a number the course does not have, BuildError for a chosen
    lesson without its solution notebook.
    """
    if not numbers:
        return [item for item in LESSONS if item.solution_path(root).exists()]
    chosen = select(list(numbers))
    for item in chosen:
        if not item.solution_path(root).exists():
            raise BuildError(
                f"no solution notebook for lesson {item.number}: "
                f"{show(item.solution_path(root))} is missing"
            )
    return chosen


# --- from a solution to a lesson ----------------------------------------------------------------


def stub_source(source: str, cell_type: str = "code", where: str = "a cell") -> str:
    """Return `source` with each `### BEGIN SOLUTION` ... `### END SOLUTION` region replaced.

    Code gets `# YOUR CODE HERE` and `raise NotImplementedError()`, Markdown `YOUR ANSWER HERE`,
    at the indentation of the BEGIN line. Raises BuildError naming `where` for unbalanced markers.
    """
    stub = MARKDOWN_STUB if cell_type == "markdown" else CODE_STUB
    kept: list[str] = []
    open_line = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN_MARKER:
            if open_line:
                raise BuildError(
                    f"{where}: line {number} opens a solution block inside the one opened on "
                    f"line {open_line}; close it with `{END_MARKER}` first"
                )
            open_line = number
            indent = line[: len(line) - len(line.lstrip())]
            kept.extend(f"{indent}{text}\n" for text in stub)
        elif marker == END_MARKER:
            if not open_line:
                raise BuildError(f"{where}: line {number} has `{END_MARKER}` without a BEGIN")
            open_line = 0
        elif not open_line:
            kept.append(line)
    if open_line:
        raise BuildError(f"{where}: the solution block opened on line {open_line} is never closed")
    text = "".join(kept)
    return text[:-1] if text.endswith("\n") and not source.endswith("\n") else text


def rewrite_badges(markdown: str) -> str:
    """Return `markdown` with every Colab link to a solutions/ notebook pointing at lessons/."""
    return _COLAB_SOLUTION_LINK.sub(lambda match: colab_url("lessons", match.group(1)), markdown)


def cell_hash(cell: dict[str, Any]) -> str:
    """Return a short sha256 (12 hex digits) of the cell's type and source."""
    payload = json.dumps([cell["cell_type"], _source(cell)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def content_hash(cells: Sequence[dict[str, Any]]) -> str:
    """Return the sha256 of the cells' types and sources: what a learner changes by working."""
    payload = json.dumps([[cell["cell_type"], _source(cell)] for cell in cells], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _source(cell: dict[str, Any]) -> str:
    """Return the cell's source as one string (files may store it as a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _lesson_cell(cell: NotebookNode, cell_id: str, where: str) -> dict[str, Any]:
    """Return the lesson version of one solution cell: stubbed, without outputs or session state."""
    metadata = {
        key: value
        for key, value in cell.get("metadata", {}).items()
        if key not in _VOLATILE_CELL_METADATA
    }
    kind = cell.cell_type
    tags = list(metadata.get("tags", []))
    if kind == "code" and USES_EXERCISE_TAG in tags and RAISES_TAG not in tags:
        # Run All in JupyterLab stops at the first error unless the cell may raise: a cell
        # that calls an unfinished exercise raises NotImplementedError, and the lesson goes on.
        metadata["tags"] = [*tags, RAISES_TAG]
    if not metadata.get("tags", True):
        del metadata["tags"]
    source = _source(cell)
    if kind in ("code", "markdown"):
        source = stub_source(source, kind, where)
    if kind == "markdown":
        source = rewrite_badges(source)
    lesson = {"cell_type": kind, "id": cell_id, "metadata": metadata, "source": source}
    if kind == "code":
        lesson.update(execution_count=None, outputs=[])
    elif "attachments" in cell:
        lesson["attachments"] = cell.attachments
    return lesson


def stale_setup_cells(notebook: NotebookNode, lesson: Lesson) -> list[int]:
    """Return the indices of cells tagged `setup` whose source is not the lesson's setup source."""
    expected = setup_cell_source(lesson.number)
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if SETUP_TAG in cell.get("metadata", {}).get("tags", []) and _source(cell) != expected
    ]


def sync_setup_cells(notebook: NotebookNode, lesson: Lesson) -> list[int]:
    """Set every stale `setup` cell of `notebook` to the lesson's setup source (in place).

    Returns the indices of the cells that changed.
    """
    stale = stale_setup_cells(notebook, lesson)
    for index in stale:
        notebook.cells[index].source = setup_cell_source(lesson.number)
    return stale


def _cell_ids(cells: Sequence[NotebookNode]) -> list[str]:
    """Return one unique, stable id per cell: the solution's own id, or `cell-<position>`."""
    ids: list[str] = []
    for position, cell in enumerate(cells, start=1):
        base = str(cell.get("id") or f"cell-{position}")[:56]
        candidate, suffix = base, 1
        while candidate in ids:
            suffix += 1
            candidate = f"{base}-{suffix}"
        ids.append(candidate)
    return ids


def make_lesson(solution: NotebookNode, lesson: Lesson) -> NotebookNode:
    """Return the student notebook of `lesson` generated from its `solution` notebook.

    Drops cells tagged `solution-only`, stubs solution blocks, sets `setup` cells to the course's
    setup source, clears outputs, keeps the solution's cell ids, and records the content hash in
    `metadata.rnncourse`. `solution` itself is not changed.
    """
    solution = nbformat.from_dict(json.loads(json.dumps(solution)))
    sync_setup_cells(solution, lesson)
    name = lesson.filename
    cells = []
    ids = _cell_ids(solution.cells)
    for index, (cell, cell_id) in enumerate(zip(solution.cells, ids, strict=True)):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        where = f"solutions/{name}, cell {index + 1} (id {cell_id})"
        cells.append(_lesson_cell(cell, cell_id, where))
    add_nbgrader_metadata(cells)
    metadata = {
        "kernelspec": dict(_KERNELSPEC),
        "language_info": {"name": "python"},
        METADATA_KEY: {
            "lesson": lesson.number,
            "generated_from": f"solutions/{name}",
            "content_sha256": content_hash(cells),
            "cell_sha256": [cell_hash(cell) for cell in cells],
            "note": "Generated by `python -m rnncourse.build lessons`: edit the solution instead.",
        },
    }
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}
    return nbformat.from_dict(notebook)


_CHECK_CALL = re.compile(r"\bchecks\.([A-Za-z_]\w*)\s*\(")
_DEF = re.compile(r"^def\s+([A-Za-z_]\w*)", re.MULTILINE)


def nbgrader_metadata(kind: str, grade_id: str) -> dict[str, Any]:
    """Return nbgrader's cell metadata (schema 3) for an `exercise` or a `check` cell.

    An exercise is an "autograded answer" cell (solution, editable); a check is a "read-only"
    cell, not an nbgrader test: nbgrader gives a test cell its points whenever it does not raise,
    and a check prints its verdict instead of raising (`python -m rnncourse.grade` scores them).
    """
    return {
        "grade": False,
        "grade_id": grade_id,
        "locked": kind == CHECK_TAG,
        "schema_version": NBGRADER_SCHEMA_VERSION,
        "solution": kind == EXERCISE_TAG,
    }


def add_nbgrader_metadata(cells: Sequence[dict[str, Any]]) -> None:
    """Give every `exercise` and `check` code cell of a lesson its nbgrader metadata (in place).

    A check cell's grade id is `check-<name>` for the first `checks.<name>(` it calls; an exercise
    cell's is the name of the check that follows it before the next exercise (else its first
    `def`, else its cell id).
    Ids are unique within the lesson and use only the characters nbgrader allows.
    """
    used: set[str] = set()

    def unique(text: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]", "-", text) or "cell"
        candidate, suffix = base, 1
        while candidate in used:
            suffix += 1
            candidate = f"{base}-{suffix}"
        used.add(candidate)
        return candidate

    for index, cell in enumerate(cells):
        tags = cell["metadata"].get("tags", [])
        if cell["cell_type"] != "code":
            continue
        if CHECK_TAG in tags:
            found = _CHECK_CALL.search(_source(cell))
            grade_id = unique(f"check-{found.group(1)}" if found else str(cell["id"]))
            cell["metadata"]["nbgrader"] = nbgrader_metadata(CHECK_TAG, grade_id)
        elif EXERCISE_TAG in tags:
            name = _DEF.search(_source(cell))
            for later in cells[index + 1 :]:
                later_tags = later["metadata"].get("tags", [])
                if later["cell_type"] != "code" or not {CHECK_TAG, EXERCISE_TAG} & set(later_tags):
                    continue
                if CHECK_TAG in later_tags:
                    name = _CHECK_CALL.search(_source(later)) or name
                break
            grade_id = unique(name.group(1) if name else str(cell["id"]))
            cell["metadata"]["nbgrader"] = nbgrader_metadata(EXERCISE_TAG, grade_id)


def render_lesson(lesson: Lesson, root: Path) -> str:
    """Return the exact text of the student notebook generated from the lesson's solution."""
    return notebook_text(make_lesson(read_notebook(lesson.solution_path(root)), lesson))


# --- protecting learners' work ------------------------------------------------------------------


def learner_changes(existing_text: str, generated: NotebookNode) -> list[str] | None:
    """Return the changes a learner made to a lesson file's cells, or None when it has none.

    Changes are measured against the hashes the file recorded when it was generated; a file without
    them (hand-made) is compared with `generated`. Outputs never count; an unreadable file does.
    """
    try:
        existing = nbformat.reader.reads(existing_text)
        cells = existing.cells
    except (ValueError, AttributeError, nbformat.reader.NotJSONError):
        return ["the file is not a readable notebook"]
    record = existing.get("metadata", {}).get(METADATA_KEY, {})
    current = content_hash(cells)
    recorded = record.get("content_sha256")
    if current in (recorded, generated.metadata[METADATA_KEY]["content_sha256"]):
        return None
    reference = record.get("cell_sha256") if recorded else None
    if not isinstance(reference, list):
        reference = [cell_hash(cell) for cell in generated.cells]
    return describe_changes(reference, cells) or ["the cells differ from the generated lesson"]


def describe_changes(reference: Sequence[str], cells: Sequence[dict[str, Any]]) -> list[str]:
    """Return one line per edited, added or removed cell (numbered from 1) against `reference`."""
    current = [cell_hash(cell) for cell in cells]
    matcher = difflib.SequenceMatcher(None, list(reference), current, autojunk=False)
    changes = []
    for tag, first, last, new_first, new_last in matcher.get_opcodes():
        if tag == "equal":
            continue
        verb = "edited" if tag == "replace" else "added"
        for index in range(new_first, new_last):
            changes.append(f"cell {index + 1} {verb}: {_first_line(cells[index])}")
        removed = (last - first) - (new_last - new_first)
        if removed > 0:
            changes.append(f"{removed} cell(s) removed before cell {new_last + 1}")
    return changes


def _first_line(cell: dict[str, Any]) -> str:
    """Return the first non-blank line of the cell's source, shortened, for messages."""
    lines = [line.strip() for line in _source(cell).splitlines() if line.strip()]
    text = lines[0] if lines else "(empty)"
    return text if len(text) <= 60 else text[:57] + "..."


def backup_path(path: Path) -> Path:
    """Return a free backup name for `path`: `<name>.bak`, else `<name>.<timestamp>.bak`."""
    candidate = path.with_name(path.name + ".bak")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    counter = 1
    while candidate.exists():
        suffix = stamp if counter == 1 else f"{stamp}-{counter}"
        candidate = path.with_name(f"{path.name}.{suffix}.bak")
        counter += 1
    return candidate


def _refusal(path: Path, number: str, changes: list[str]) -> str:
    """Return the message shown when a lesson with a learner's work is not overwritten."""
    keep = path.with_name(path.stem + ".mine.ipynb")
    lines = [f"not overwritten: {show(path)} has your work in it (cells numbered from 1):"]
    lines += [f"  - {change}" for change in changes]
    lines += [
        f"  to keep your work and get the new lesson: mv {show(path)} {show(keep)}",
        "    (then run the command again; *.mine.ipynb files are never touched)",
        f"  to replace it anyway: python -m rnncourse.build lessons {number} --force"
        f"  (your version is first saved as {show(backup_path(path))})",
    ]
    return "\n".join(lines)


# --- the lessons command ------------------------------------------------------------------------


@dataclass
class LessonOutcome:
    """What `build_lessons` did with one lesson file.

    `status` is "written", "unchanged" or "refused"; `message` is the line(s) to show; `backup` is
    where a learner's version was saved before `--force` overwrote it.
    """

    path: Path
    status: str
    message: str
    backup: Path | None = None


def build_one_lesson(lesson: Lesson, root: Path, force: bool = False) -> LessonOutcome:
    """Generate the lesson's student notebook under `root` and return what was done.

    A lesson whose cells a learner changed is refused unless `force`, which backs it up first.
    """
    generated = make_lesson(read_notebook(lesson.solution_path(root)), lesson)
    text = notebook_text(generated)
    lesson_path = lesson.lesson_path(root)
    if not lesson_path.exists():
        write_text(lesson_path, text)
        return LessonOutcome(lesson_path, "written", f"wrote {show(lesson_path)}")
    existing = lesson_path.read_text(encoding="utf-8", errors="replace")
    if existing == text:
        return LessonOutcome(lesson_path, "unchanged", f"up to date: {show(lesson_path)}")
    changes = learner_changes(existing, generated)
    backup = None
    if changes is not None:
        if not force:
            return LessonOutcome(
                lesson_path, "refused", _refusal(lesson_path, lesson.number, changes)
            )
        backup = backup_path(lesson_path)
        shutil.copy2(lesson_path, backup)
    write_text(lesson_path, text)
    message = f"wrote {show(lesson_path)}"
    if backup is not None:
        message += f" (the previous version, with your changes, is saved as {show(backup)})"
    return LessonOutcome(lesson_path, "written", message, backup)


def build_lessons(
    root: Path, numbers: Iterable[str] | None = None, force: bool = False
) -> list[LessonOutcome]:
    """Generate the chosen lessons' student notebooks under `root`; return one outcome each.

    Every notebook is processed even when one is refused; raises BuildError for a broken solution.
    """
    return [build_one_lesson(item, root, force) for item in chosen_lessons(root, numbers)]


def check_lessons(root: Path, numbers: Iterable[str] | None = None) -> tuple[list[str], int]:
    """Return (problems, number of solutions checked): one line per stale student notebook.

    A lesson is stale when it is missing or differs from what generation gives; a solution whose
    `setup` cell is not the course's setup source is reported too. Writes nothing.
    """
    chosen = chosen_lessons(root, numbers)
    problems = []
    for item in chosen:
        solution, lesson = item.solution_path(root), item.lesson_path(root)
        for index in stale_setup_cells(read_notebook(solution), item):
            problems.append(
                f"setup cell: {show(solution)} cell {index + 1} is not the course's setup cell "
                f"(`python -m rnncourse.build setup {item.number}` updates it and keeps its "
                f"outputs; `python -m rnncourse.build execute {item.number}` reruns it too)"
            )
        if not lesson.exists():
            problems.append(f"missing: {show(lesson)} (from {show(solution)})")
        elif lesson.read_text(encoding="utf-8", errors="replace") != render_lesson(item, root):
            problems.append(f"differs: {show(lesson)} is not what {show(solution)} generates")
    return problems, len(chosen)


# --- the README's lesson table ------------------------------------------------------------------


def _cell_text(text: str) -> str:
    """Return `text` safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def lesson_table(root: Path) -> str:
    """Return the Markdown table of the lessons whose solution notebook exists under `root`."""
    rows = [
        "| # | Lesson | What you learn | Time | Lesson notebook | Solution |",
        "|---|---|---|---|---|---|",
    ]
    for item in chosen_lessons(root):
        lesson_link = (
            f"{colab_badge('lessons', item.filename)} [{item.filename}](lessons/{item.filename})"
        )
        cells = [
            item.number,
            _cell_text(item.title),
            _cell_text(item.learn),
            f"{item.minutes} min",
            lesson_link,
            colab_badge("solutions", item.filename),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def updated_readme(
    readme: str,
    table: str,
    name: str = "README.md",
    markers: tuple[str, str] = (README_START, README_END),
) -> str:
    """Return `readme` with `table` between the `markers` lines; BuildError if they are missing."""
    first, last = markers
    start, end = readme.find(first), readme.find(last)
    if start < 0 or end < 0 or end < start or readme.count(first) != 1:
        raise BuildError(
            f"{name} needs exactly one `{first}` line followed by one `{last}` line where the "
            "generated table goes"
        )
    head = readme[: start + len(first)]
    return f"{head}\n{table}\n{readme[end:]}"


def build_readme(root: Path, check: bool = False) -> bool:
    """Regenerate the lesson table in `root/README.md` (with `check`, write nothing); return True
    when the table was (or, with `check`, is) stale. BuildError if the README is missing."""
    path = root / "README.md"
    if not path.exists():
        raise BuildError(f"no README.md in {root}")
    current = path.read_text(encoding="utf-8")
    regenerated = updated_readme(current, lesson_table(root), show(path))
    if current != regenerated and not check:
        write_text(path, regenerated)
    return current != regenerated


# --- executing solutions ------------------------------------------------------------------------


def output_warnings(notebook: NotebookNode) -> list[str]:
    """Return one line per cell whose outputs have a stderr stream or mention "Warning"."""
    found = []
    for index, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []):
            text = _output_text(output)
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {index} writes to stderr: {text.strip()[:80]!r}")
            elif "Warning" in text:
                found.append(f"cell {index} output mentions a Warning: {text.strip()[:80]!r}")
    return found


def _output_text(output: dict[str, Any]) -> str:
    """Return the plain text of one output (a stream's text or a result's text/plain)."""
    text = output.get("text") or output.get("data", {}).get("text/plain", "")
    return text if isinstance(text, str) else "".join(text)


def execute_solutions(
    root: Path, numbers: Iterable[str] | None = None, mode: str = "full", timeout: int = 600
) -> list[Lesson]:
    """Execute the chosen solutions in place one by one and return the lessons that ran cleanly.

    Cells tagged `setup` are first set to the course's setup source; `timeout` is per cell, in
    seconds. Progress, timings and output warnings are printed, errors go to stderr, and a
    solution whose run fails is left as it was (see `rnncourse.notebooks.run`).
    """
    done = []
    for item in chosen_lessons(root, numbers):
        path = item.solution_path(root)
        print(f"executing {show(path)} ({mode} mode) ...")
        notebook = read_notebook(path)
        sync_setup_cells(notebook, item)
        run = notebooks.run(path, mode, notebook=notebook, timeout=timeout, write=True)
        if run.error:
            failed = f"cell {run.error.cell} failed ({run.error.name})"
            print(f"error: {show(path)}: {failed}:\n{run.error.detail}", file=sys.stderr)
            continue
        print(f"executed {show(path)} in {run.seconds:.1f} s")
        for warning in output_warnings(run.notebook):
            print(f"warning: {show(path)} {warning} (committed outputs must have none)")
        done.append(item)
    return done


# --- quiz outputs and setup cells of the solutions, without running them ------------------------

_QUIZ_CELL = re.compile(r'\s*quiz\.show\(\s*"(\d+)"\s*,\s*"(pre|post)"\s*\)\s*;?\s*')


def quiz_cells(notebook: NotebookNode) -> list[tuple[int, str, str]]:
    """Return (cell index, lesson, part) of each code cell whose whole source is one
    `quiz.show("NN", "pre"|"post")` call, in notebook order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        match = _QUIZ_CELL.fullmatch(_source(cell)) if cell.cell_type == "code" else None
        if match:
            found.append((index, match.group(1), match.group(2)))
    return found


def refresh_quiz_outputs(notebook: NotebookNode, root: Path) -> list[int]:
    """Give every quiz cell of `notebook` the outputs a fresh kernel shows for it (in place),
    from the banks under `root`.

    The n-th show of one quiz in the notebook gets the n-th show's element ids, as in a kernel
    that runs the notebook from the top. Returns the indices of the cells whose outputs changed.
    """
    shown: dict[tuple[str, str], int] = {}
    changed = []
    for index, number, part in quiz_cells(notebook):
        try:
            bank = read_bank(select([number])[0].quiz_path(root))
        except QuizBankError as error:
            raise BuildError(
                f"cell {index + 1} shows a quiz that cannot be read: {error}"
            ) from None
        count = shown[bank.lesson, part] = shown.get((bank.lesson, part), -1) + 1
        outputs = [
            nbformat.v4.new_output("display_data", data=bundle, metadata={})
            for bundle in quiz_outputs(bank, part, count)
        ]
        cell = notebook.cells[index]
        if json.dumps(cell.outputs, sort_keys=True) != json.dumps(outputs, sort_keys=True):
            cell.outputs = outputs
            changed.append(index)
    return changed


def update_solutions(
    root: Path, numbers: Iterable[str] | None, what: str, check: bool = False
) -> list[str]:
    """Refresh the quiz outputs (`what="quizzes"`) or the setup cells' source (`what="setup"`)
    of the chosen solutions without running them; with `check`, write nothing.

    Returns one line per notebook that changed (or, with `check`, is stale), naming its cells
    (numbered from 1).
    """
    lines = []
    for item in chosen_lessons(root, numbers):
        path = item.solution_path(root)
        notebook = read_notebook(path)
        if what == "quizzes":
            try:
                changed = refresh_quiz_outputs(notebook, root)
            except BuildError as error:
                raise BuildError(f"{show(path)}: {error}") from None
        else:
            changed = sync_setup_cells(notebook, item)
        if not changed:
            continue
        cells = ", ".join(str(index + 1) for index in changed)
        noun = "quiz outputs" if what == "quizzes" else "setup cell source"
        if not check:
            write_text(path, notebook_text(notebook))
        lines.append(f"{'stale' if check else 'updated'} {noun}: {show(path)} cell(s) {cells}")
    return lines


# --- command line -------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    """Return the argument parser of `python -m rnncourse.build`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, help="course checkout (default: this one)")
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lessons = commands.add_parser("lessons", parents=[common], help="generate lessons/")
    lessons.add_argument("numbers", nargs="*", metavar="NN", help="lesson numbers (default all)")
    readme = commands.add_parser("readme", parents=[common], help="regenerate the README table")
    run = commands.add_parser("execute", parents=[common], help="run solution notebooks")
    run.add_argument("numbers", nargs="*", metavar="NN", help="lesson numbers (default all)")
    run.add_argument("--mode", choices=("full", "fast"), default="full")
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    for name, text in (
        ("quizzes", "rewrite the solutions' quiz outputs from the banks, without running them"),
        ("setup", "set the solutions' setup cells to the course's, keeping their outputs"),
    ):
        refresh = commands.add_parser(name, parents=[common], help=text)
        refresh.add_argument(
            "numbers", nargs="*", metavar="NN", help="lesson numbers (default all)"
        )
        refresh.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    every = commands.add_parser("all", parents=[common], help="lessons, then readme")
    for sub in (lessons, every):
        sub.add_argument("--force", action="store_true", help="overwrite edited lessons (backup)")
    for sub in (lessons, readme, every):
        sub.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    return parser


def _root(option: Path | None) -> Path:
    """Return the course root: `--root` when given, else the checkout (or RNNCOURSE_ROOT)."""
    if option is not None:
        return option
    from rnncourse.paths import course_root

    return course_root()


def _run_lessons(root: Path, numbers: list[str] | None, force: bool, check: bool) -> int:
    """Run (or check) lesson generation, print what happened, and return the exit status."""
    if check:
        problems, count = check_lessons(root, numbers)
        for problem in problems:
            print(problem)
        if problems:
            print("lessons/ is stale: run `python -m rnncourse.build lessons`")
            return 1
        print(f"lessons/ is up to date ({count} notebooks)")
        return 0
    outcomes = build_lessons(root, numbers, force)
    for outcome in outcomes:
        print(
            outcome.message,
            file=sys.stderr if outcome.status == "refused" else sys.stdout,
        )
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def _run_readme(root: Path, check: bool) -> int:
    """Run (or check) the README table, print what happened, and return the exit status."""
    stale = build_readme(root, check)
    if check and stale:
        print("README.md lesson table is stale: run `python -m rnncourse.build readme`")
        return 1
    print("wrote README.md lesson table" if stale else "README.md lesson table is up to date")
    return 0


def _run_execute(root: Path, numbers: list[str] | None, mode: str, timeout: int) -> int:
    """Execute solutions, regenerate the lessons of those that ran, and return the exit status."""
    chosen = chosen_lessons(root, numbers)
    done = [item.number for item in execute_solutions(root, numbers, mode, timeout)]
    status = 0 if len(done) == len(chosen) else 1
    if done:
        status = max(status, _run_lessons(root, done, force=False, check=False))
    return status


def _run_update(root: Path, numbers: list[str] | None, what: str, check: bool) -> int:
    """Run (or check) `update_solutions`, print what happened, and return the exit status."""
    lines = update_solutions(root, numbers, what, check)
    for line in lines:
        print(line)
    if check and lines:
        print(f"solutions/ is stale: run `python -m rnncourse.build {what}`")
        return 1
    if not lines:
        print(f"solutions/ {what}: up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (0 success, 1 stale/refused/failed)."""
    args = _parser().parse_args(argv)
    try:
        root = _root(args.root)
        numbers = getattr(args, "numbers", None) or None
        if args.command == "lessons":
            return _run_lessons(root, numbers, args.force, args.check)
        if args.command == "readme":
            return _run_readme(root, args.check)
        if args.command == "execute":
            return _run_execute(root, numbers, args.mode, args.timeout)
        if args.command in ("quizzes", "setup"):
            return _run_update(root, numbers, args.command, args.check)
        lessons_status = _run_lessons(root, None, args.force, args.check)
        return max(lessons_status, _run_readme(root, args.check))
    except (BuildError, UnknownLessonError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
