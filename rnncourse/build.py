"""Build the course from solutions/: student lessons, the README's lesson table, executed outputs.

    python -m rnncourse.build lessons [NN ...] [--force] [--check]
    python -m rnncourse.build readme [--check]
    python -m rnncourse.build execute [NN ...] [--mode full|fast] [--timeout SECONDS]
    python -m rnncourse.build all [--force] [--check]

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
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from rnncourse.course import LESSONS, colab_badge, colab_url, setup_cell_source

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
SOLUTION_ONLY_TAG = "solution-only"
#: The setup cell, kept equal to `rnncourse.course.setup_cell_source` in every notebook.
SETUP_TAG = "setup"
README_START = "<!-- lessons:start -->"
README_END = "<!-- lessons:end -->"
METADATA_KEY = "rnncourse"

#: Lesson and solution files are `NN_slug.ipynb`; other names (`01_x.mine.ipynb`) are left alone.
NOTEBOOK_NAME = re.compile(r"^(\d{2})_[A-Za-z0-9_-]+\.ipynb$")
_COLAB_SOLUTION_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^/\s()]+/[^/\s()]+/blob/[^/\s()]+"
    r"/solutions/([^/\s()\"'<>]+\.ipynb)"
)
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Cell metadata that records a session (timing, scroll state, Colab's output ids), not content.
_VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "colab", "outputId")
_TIMING_CELL_METADATA = ("execution", "ExecuteTime")


class BuildError(Exception):
    """A problem in the course's files that the build cannot work around (the message says what)."""


# --- reading and writing ------------------------------------------------------------------------


def read_notebook(path: Path) -> NotebookNode:
    """Return the notebook at `path` as nbformat v4, without inventing ids for cells lacking one.

    Raises BuildError naming the file when it is not a readable notebook.
    """
    try:
        notebook = nbformat.reader.reads(path.read_text(encoding="utf-8"))
        if notebook.nbformat != 4:
            notebook = nbformat.convert(notebook, 4)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as error:
        raise BuildError(f"{show(path)} is not a readable notebook: {error}") from error
    return notebook


def notebook_text(notebook: NotebookNode) -> str:
    """Return the bytes (as text) written for `notebook`: `nbformat.writes` plus a final newline."""
    return nbformat.writes(notebook) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp creates the file private (0600); give it the usual mode of a new file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def show(path: Path) -> str:
    """Return `path` as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def solution_paths(root: Path, numbers: Iterable[str] | None = None) -> list[Path]:
    """Return the solution notebooks `root/solutions/NN_*.ipynb`, sorted, limited to `numbers`.

    Raises BuildError when solutions/ is missing or a requested number has no solution notebook.
    """
    folder = root / "solutions"
    if not folder.is_dir():
        raise BuildError(f"no solutions/ folder in {root}")
    found = sorted(path for path in folder.iterdir() if NOTEBOOK_NAME.match(path.name))
    if numbers is None:
        return found
    chosen = []
    for number in numbers:
        key = str(number).zfill(2)
        matches = [path for path in found if path.name[:2] == key]
        if not matches:
            raise BuildError(f"no solution notebook for lesson {key} in {show(folder)}")
        chosen.extend(path for path in matches if path not in chosen)
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
    if not metadata.get("tags", True):
        del metadata["tags"]
    kind = cell.cell_type
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


def setup_source(name: str) -> str | None:
    """Return the setup-cell source of the notebook `name` (`NN_*.ipynb`); None for unknown NN."""
    try:
        return setup_cell_source(name[:2])
    except ValueError:
        return None


def stale_setup_cells(notebook: NotebookNode, name: str) -> list[int]:
    """Return the indices of cells tagged `setup` whose source is not the course's setup source."""
    expected = setup_source(name)
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if expected is not None
        and SETUP_TAG in cell.get("metadata", {}).get("tags", [])
        and _source(cell) != expected
    ]


def sync_setup_cells(notebook: NotebookNode, name: str) -> list[int]:
    """Set every stale `setup` cell of `notebook` to the course's setup source (in place).

    Returns the indices of the cells that changed.
    """
    stale = stale_setup_cells(notebook, name)
    for index in stale:
        notebook.cells[index].source = setup_source(name)
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


def make_lesson(solution: NotebookNode, name: str) -> NotebookNode:
    """Return the lesson generated from `solution` (`name` is its file name, used in messages).

    Drops cells tagged `solution-only`, stubs solution blocks, sets `setup` cells to the course's
    setup source, clears outputs, keeps the solution's cell ids, and records the content hash in
    `metadata.rnncourse`. `solution` itself is not changed.
    """
    solution = nbformat.from_dict(json.loads(json.dumps(solution)))
    sync_setup_cells(solution, name)
    cells = []
    ids = _cell_ids(solution.cells)
    for index, (cell, cell_id) in enumerate(zip(solution.cells, ids, strict=True)):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        where = f"solutions/{name}, cell {index + 1} (id {cell_id})"
        cells.append(_lesson_cell(cell, cell_id, where))
    metadata = {
        "kernelspec": dict(_KERNELSPEC),
        "language_info": {"name": "python"},
        METADATA_KEY: {
            "generated_from": f"solutions/{name}",
            "content_sha256": content_hash(cells),
            "cell_sha256": [cell_hash(cell) for cell in cells],
            "note": "Generated by `python -m rnncourse.build lessons`: edit the solution instead.",
        },
    }
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": cells}
    return nbformat.from_dict(notebook)


def render_lesson(solution_path: Path) -> str:
    """Return the exact text of the lesson generated from the solution notebook at the path."""
    return notebook_text(make_lesson(read_notebook(solution_path), solution_path.name))


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


def _refusal(path: Path, changes: list[str]) -> str:
    """Return the message shown when a lesson with a learner's work is not overwritten."""
    keep = path.with_name(path.stem + ".mine.ipynb")
    lines = [f"not overwritten: {show(path)} has your work in it (cells numbered from 1):"]
    lines += [f"  - {change}" for change in changes]
    lines += [
        f"  to keep your work and get the new lesson: mv {show(path)} {show(keep)}",
        "    (then run the command again; *.mine.ipynb files are never touched)",
        f"  to replace it anyway: python -m rnncourse.build lessons {path.name[:2]} --force"
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


def build_one_lesson(solution_path: Path, lesson_path: Path, force: bool = False) -> LessonOutcome:
    """Generate one lesson file from its solution and return what was done.

    A lesson whose cells a learner changed is refused unless `force`, which backs it up first.
    """
    generated = make_lesson(read_notebook(solution_path), solution_path.name)
    text = notebook_text(generated)
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
            return LessonOutcome(lesson_path, "refused", _refusal(lesson_path, changes))
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
    """Generate `root/lessons/NN_*.ipynb` from `root/solutions/` and return one outcome per file.

    Every notebook is processed even when one is refused; raises BuildError for a broken solution.
    """
    return [
        build_one_lesson(path, root / "lessons" / path.name, force)
        for path in solution_paths(root, numbers)
    ]


def check_lessons(root: Path, numbers: Iterable[str] | None = None) -> tuple[list[str], int]:
    """Return (problems, number of solutions checked): one line per stale file in `root/lessons/`.

    A lesson is stale when it is missing, differs from what generation gives, or (when all lessons
    are checked) has no solution; a solution whose `setup` cell is not the course's setup source
    is reported too. Writes nothing.
    """
    solutions = solution_paths(root, numbers)
    problems = []
    for solution in solutions:
        for index in stale_setup_cells(read_notebook(solution), solution.name):
            problems.append(
                f"setup cell: {show(solution)} cell {index + 1} is not the course's setup cell "
                f"(`python -m rnncourse.build execute {solution.name[:2]}` updates and reruns it)"
            )
        lesson = root / "lessons" / solution.name
        if not lesson.exists():
            problems.append(f"missing: {show(lesson)} (from {show(solution)})")
        elif lesson.read_text(encoding="utf-8", errors="replace") != render_lesson(solution):
            problems.append(f"differs: {show(lesson)} is not what {show(solution)} generates")
    folder = root / "lessons"
    if numbers is None and folder.is_dir():
        names = {path.name for path in solutions}
        for lesson in sorted(folder.iterdir()):
            if NOTEBOOK_NAME.match(lesson.name) and lesson.name not in names:
                problems.append(f"extra: {show(lesson)} has no solutions/{lesson.name}")
    return problems, len(solutions)


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
    for item in LESSONS:
        if not (root / "solutions" / item.filename).exists():
            continue
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


def updated_readme(readme: str, table: str, name: str = "README.md") -> str:
    """Return `readme` with `table` between the lessons markers; BuildError if they are missing."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < 0 or end < start or readme.count(README_START) != 1:
        raise BuildError(
            f"{name} needs exactly one `{README_START}` line followed by one `{README_END}` "
            "line where the lesson table goes"
        )
    head = readme[: start + len(README_START)]
    return f"{head}\n{table}\n{readme[end:]}"


def readme_texts(root: Path) -> tuple[str, str]:
    """Return (current, regenerated) text of `root/README.md`; BuildError if it is missing."""
    path = root / "README.md"
    if not path.exists():
        raise BuildError(f"no README.md in {root}")
    current = path.read_text(encoding="utf-8")
    return current, updated_readme(current, lesson_table(root), show(path))


def build_readme(root: Path) -> bool:
    """Regenerate the lesson table in `root/README.md`; return True when the file changed."""
    current, regenerated = readme_texts(root)
    if current == regenerated:
        return False
    write_text(root / "README.md", regenerated)
    return True


def readme_is_current(root: Path) -> bool:
    """Return True when `root/README.md`'s lesson table is what `build_readme` would write."""
    current, regenerated = readme_texts(root)
    return current == regenerated


# --- executing solutions ------------------------------------------------------------------------


@dataclass
class ExecutionResult:
    """What `execute_notebook` did: wall seconds, warnings about outputs, and the error if any."""

    path: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


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


def strip_timing(notebook: NotebookNode) -> None:
    """Remove execution-timing metadata from every cell of `notebook` (in place)."""
    for cell in notebook.cells:
        for key in _TIMING_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)


def execute_notebook(path: Path, mode: str = "full", timeout: int = 600) -> ExecutionResult:
    """Execute the notebook at `path` in place and return the result; on error, leave it as it was.

    The kernel is `python3`, started in the notebook's folder with `kernel_environment(mode)`;
    `timeout` is per cell, in seconds. Cells tagged `setup` are first set to the course's setup
    source; the notebook's metadata is kept as it was (no kernel versions, no timings).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from rnncourse.env import kernel_environment

    notebook = nbformat.read(path, as_version=4)
    metadata = json.loads(json.dumps(notebook.metadata))  # the kernel's language_info is volatile
    sync_setup_cells(notebook, path.name)
    current = [0]

    def on_cell_start(cell: NotebookNode, cell_index: int) -> None:
        current[0] = cell_index

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        on_cell_start=on_cell_start,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute(env=kernel_environment(mode))
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        seconds = time.perf_counter() - started
        detail = _ANSI_ESCAPE.sub("", str(error)).strip()
        message = f"{show(path)}: cell {current[0] + 1} failed ({type(error).__name__}):\n{detail}"
        return ExecutionResult(path, seconds, error=message)
    seconds = time.perf_counter() - started
    strip_timing(notebook)
    notebook.metadata = nbformat.from_dict(metadata)
    write_text(path, notebook_text(notebook))
    return ExecutionResult(path, seconds, warnings=output_warnings(notebook))


def execute_solutions(
    root: Path,
    numbers: Iterable[str] | None = None,
    mode: str = "full",
    timeout: int = 600,
    report: Callable[[str], None] = print,
    report_error: Callable[[str], None] | None = None,
) -> list[ExecutionResult]:
    """Execute the chosen solution notebooks one by one, reporting each; return their results.

    Progress, timings and warnings go to `report`; errors to `report_error` (default: stderr).
    """
    if report_error is None:
        report_error = _print_error
    results = []
    for path in solution_paths(root, numbers):
        report(f"executing {show(path)} ({mode} mode) ...")
        result = execute_notebook(path, mode, timeout)
        results.append(result)
        if result.error:
            report_error(f"error: {result.error}")
            continue
        report(f"executed {show(path)} in {result.seconds:.1f} s")
        for warning in result.warnings:
            report(f"warning: {show(path)} {warning} (committed outputs must have none)")
    return results


def _print_error(line: str) -> None:
    """Print `line` to stderr."""
    print(line, file=sys.stderr)


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
        print(outcome.message, file=sys.stderr if outcome.status == "refused" else sys.stdout)
    return 1 if any(outcome.status == "refused" for outcome in outcomes) else 0


def _run_readme(root: Path, check: bool) -> int:
    """Run (or check) the README table, print what happened, and return the exit status."""
    if check:
        if readme_is_current(root):
            print("README.md lesson table is up to date")
            return 0
        print("README.md lesson table is stale: run `python -m rnncourse.build readme`")
        return 1
    changed = build_readme(root)
    print("wrote README.md lesson table" if changed else "README.md lesson table is up to date")
    return 0


def _run_execute(root: Path, numbers: list[str] | None, mode: str, timeout: int) -> int:
    """Execute solutions, regenerate the lessons of those that ran, and return the exit status."""
    results = execute_solutions(root, numbers, mode, timeout)
    done = [result.path.name[:2] for result in results if result.error is None]
    status = 0 if len(done) == len(results) else 1
    if done:
        status = max(status, _run_lessons(root, done, force=False, check=False))
    return status


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
        lessons_status = _run_lessons(root, None, args.force, args.check)
        return max(lessons_status, _run_readme(root, args.check))
    except (BuildError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
