"""Grade submissions: each notebook runs in a limited sandbox, then the checks run in another.

For one submission (`grade_submission`): read the file once (it is never written), identify the
lesson, copy the notebook into a fresh temporary folder with one cell appended that exports the
names the lesson's checks need (`transport.export`), run it there (`execute`, in a child process
with a wall-clock timeout and resource limits, offline, in the chosen run mode), and, when the
export exists, call the checks on it in a second fresh child (`checker`). A run that a cell ended
(the kernel died, or the run had to be killed) is repeated once with that cell skipped, so the
other exercises are still graded.

`grade` does this for many submissions, `jobs` at a time, and stops when the course package's own
files change on disk meanwhile (a notebook that rewrote them would make every later grade a lie).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from rnncourse import env as course_env
from rnncourse import notebooks, paths
from rnncourse.course import LESSONS, Lesson
from rnncourse.grading import checker, execute, sandbox
from rnncourse.grading.sandbox import Limits
from rnncourse.grading.submissions import CheckCall, Submission, identify, lesson_checks

NOT_IMPLEMENTED = "NotImplementedError"
EXPORT_FILE = "exported.pickle"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Options:
    """How to grade. `timeout` (wall seconds per notebook run) and `cell_timeout` default to
    4 x the lesson's budget + 60 s and 2 x the budget; `check_timeout` is per check."""

    mode: str = "fast"
    timeout: float | None = None
    cell_timeout: float | None = None
    check_timeout: float = 60.0
    limits: Limits = field(default_factory=Limits)
    jobs: int = 2
    root: Path | None = None

    def run_timeout(self, lesson: Lesson) -> float:
        """Return the wall-clock seconds one run of a notebook of `lesson` may take."""
        return self.timeout or 4 * lesson.seconds(self.mode) + 60

    def per_cell(self, lesson: Lesson) -> float:
        """Return the seconds after which one cell of `lesson` is interrupted."""
        return self.cell_timeout or 2 * lesson.seconds(self.mode)


@dataclass
class ExerciseResult:
    """The verdict of one check: passed or not, and its one line (or why it was not graded)."""

    exercise: str
    passed: bool
    message: str


@dataclass
class SubmissionResult:
    """The grade of one notebook: its lesson (None if it is none), one result per check, the
    one-line reason when something could not be graded or went wrong, and the wall seconds."""

    path: Path
    learner: str
    lesson: str | None
    exercises: list[ExerciseResult] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    run_seconds: float = 0.0  # of which running the notebook (every attempt)
    check_seconds: float = 0.0  # and calling the checks

    @property
    def score(self) -> int:
        """Return the number of checks passed."""
        return sum(result.passed for result in self.exercises)

    @property
    def total(self) -> int:
        """Return the number of checks of the lesson (0 when the notebook is not a lesson)."""
        return len(self.exercises)


class PackageChanged(Exception):
    """The course package's files changed on disk while a notebook was graded."""


# --- the course package's fingerprint -------------------------------------------------------------


def fingerprint(package: Path = _PACKAGE_DIR) -> dict[str, str]:
    """Return a digest of every file of the course package (contents) and of NumPy and Keras
    (size and modification time), by path."""
    digests: dict[str, str] = {}
    for path in sorted(package.rglob("*")):
        if path.is_file():
            digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    for name in ("numpy", "keras"):
        spec = importlib.util.find_spec(name)  # located, not imported (Keras would load TF)
        if spec is None or not spec.submodule_search_locations:
            continue
        for path in sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*")):
            try:
                info = path.stat()
            except OSError:
                continue
            digests[str(path)] = f"{info.st_size}:{info.st_mtime_ns}"
    return digests


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Return the paths whose digest differs between two fingerprints: changed and removed files,
    and added compiled files (Python would load a new `.pyc` instead of its source)."""
    return sorted(
        path
        for path in before.keys() | after.keys()
        if before.get(path) != after.get(path) and (path in before or path.endswith(".pyc"))
    )


# --- one submission ---------------------------------------------------------------------------------


def _readable(path: Path) -> nbformat.NotebookNode:
    """Return the notebook at `path`, valid for nbformat (cells lacking an id get one); raise
    ValueError with a one-line reason otherwise."""
    try:
        notebook = notebooks.read_notebook(path)
    except ValueError as error:
        cause = error.__cause__ or error
        raise ValueError(str(cause).splitlines()[0][:200] if str(cause) else "unreadable") from None
    except Exception as error:  # JSON that is no notebook: nbformat fails in its own ways
        raise ValueError(f"not a notebook ({type(error).__name__}: {error})"[:200]) from None
    try:
        if notebook.get("nbformat_minor", 0) >= 5:
            for cell in notebook.get("cells", []):
                if isinstance(cell, dict) and not cell.get("id"):
                    cell["id"] = secrets.token_hex(4)
        nbformat.validate(notebook)
    except (nbformat.ValidationError, AttributeError, KeyError, TypeError) as error:
        first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ValueError(f"not a valid notebook ({first})") from None
    return notebook


def _not_graded(calls: Sequence[CheckCall], why: str) -> list[ExerciseResult]:
    return [ExerciseResult(call.check, False, f"not graded: {why}") for call in calls]


def _export_cell(names: Sequence[str], target: Path) -> nbformat.NotebookNode:
    # An import statement and the calling frame's globals: a notebook that rebound `globals`
    # or `__import__` still gets its functions collected.
    source = (
        "import rnncourse.grading.transport as _rnncourse_grader\n"
        f"_rnncourse_grader.export(None, {list(names)!r}, {str(target)!r})"
    )
    return nbformat.v4.new_code_cell(source, id=f"grader-{secrets.token_hex(4)}")


def _read_progress(path: Path) -> list[dict[str, Any]]:
    events = []
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                events.append(event)
    except OSError:
        pass
    return events


def _kernel_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RNNCOURSE_OFFLINE="1",
        RNNCOURSE_METRICS="",
        PYTHONDONTWRITEBYTECODE="1",
        TMPDIR=str(work / "tmp"),
    )
    course_env.quiet_environment(env)
    return env


@dataclass
class _Attempt:
    exported: bool
    raised: list[tuple[int, str, str]]
    culprit: int | None
    why: str
    seconds: float = 0.0


def _run_notebook(
    notebook: nbformat.NotebookNode,
    lesson: Lesson,
    names: Sequence[str],
    folder: Path,
    options: Options,
    attempt: int,
) -> _Attempt:
    """Run `notebook` once in a fresh work folder under `folder`; return what came of it."""
    work = folder / f"run{attempt}"
    (work / "tmp").mkdir(parents=True)
    export_path = folder / f"{attempt}-{EXPORT_FILE}"
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    copy.cells.append(_export_cell(names, export_path))
    export_cell = len(copy.cells)
    notebook_path = work / "submission.ipynb"
    notebooks.write_text(notebook_path, notebooks.notebook_text(copy))
    progress, status_path = folder / f"{attempt}-progress.jsonl", folder / f"{attempt}-status.json"
    config = {
        "notebook": str(notebook_path),
        "mode": options.mode,
        "cell_timeout": options.per_cell(lesson),
        "progress": str(progress),
        "status": str(status_path),
        "env": {"RNNCOURSE_OFFLINE": "1", "RNNCOURSE_METRICS": ""},
    }
    wall = options.run_timeout(lesson)
    child = sandbox.run_child(
        "execute",
        config,
        folder=folder / f"logs{attempt}",
        cwd=work,
        timeout=wall,
        limits=options.limits,
        env=_kernel_env(work),
    )
    events = _read_progress(progress)
    raised = [
        (int(event["cell"]), str(event.get("ename", "")), str(event.get("evalue", "")))
        for event in events
        if event.get("event") == "error" and event.get("cell") != export_cell
    ]
    exported = export_path.exists()
    if exported:
        export_path.rename(folder / EXPORT_FILE)
        return _Attempt(True, raised, None, "", child.seconds)
    started = [int(event["cell"]) for event in events if event.get("event") == "start"]
    timeouts = [cell for cell, name, _ in raised if name == execute.TIMEOUT_ERROR]
    status: dict[str, Any] = {}
    try:
        status = json.loads(status_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    error = status.get("error") if isinstance(status, dict) else None
    if child.timed_out:
        culprit = timeouts[0] if timeouts else (started[-1] if started else None)
        why = f"the notebook did not finish within {wall:g} s"
        if culprit:
            why += f" (cell {culprit} was running)"
    elif isinstance(error, dict):
        culprit = int(error.get("cell") or 0) or None
        why = f"the kernel stopped at cell {culprit}: {error.get('name')}"
        if error.get("name") in ("DeadKernelError", "RuntimeError"):
            why = f"the kernel died in cell {culprit} (out of memory, or the code ended it)"
    elif timeouts:  # interrupted, but it would not stop: nothing after it could run
        culprit = timeouts[0]
        why = f"cell {culprit} kept running after it was interrupted"
    elif child.returncode:
        culprit = started[-1] if started else None
        tail = child.stderr_tail()
        why = f"running the notebook failed ({tail or f'exit status {child.returncode}'})"
    else:
        culprit = None
        problem = next((value for cell, _, value in raised if cell == export_cell), "")
        why = "collecting your functions after the notebook failed" + (
            f" ({problem})" if problem else ""
        )
    if culprit == export_cell:
        culprit = None
    return _Attempt(False, raised, culprit, why, child.seconds)


def _raised_summary(raised: Sequence[tuple[int, str, str]]) -> str:
    """Return one line about the cells that raised (NotImplementedError is the unfinished norm)."""
    shown = [(cell, name, value) for cell, name, value in raised if name != NOT_IMPLEMENTED]
    if not shown:
        return ""
    cell, name, value = shown[0]
    if name == execute.TIMEOUT_ERROR:
        text = f"cell {cell}: {value}"
    else:
        text = f"cell {cell} raised {name}" + (f": {value.splitlines()[0][:120]}" if value else "")
    if len(shown) > 1:
        text += f" (and {len(shown) - 1} more cell{'s' if len(shown) > 2 else ''} raised)"
    return text


def _run_checks(
    lesson: Lesson, calls: Sequence[CheckCall], folder: Path, options: Options
) -> tuple[list[ExerciseResult], str, float]:
    """Call the lesson's checks on the exported values in a fresh child; return the results, a
    reason line when some could not be graded, and the child's wall seconds."""
    nonce = secrets.token_hex(16)
    work = folder / "checks"
    (work / "tmp").mkdir(parents=True)
    config = {
        "nonce": nonce,
        "payload": str(folder / EXPORT_FILE),
        "checks_module": lesson.checks_module,
        "calls": [{"check": c.check, "args": list(c.args), "names": list(c.names)} for c in calls],
        "check_timeout": options.check_timeout,
    }
    wall = 120 + options.check_timeout * (len(calls) + 1)
    child = sandbox.run_child(
        "checker",
        config,
        folder=folder / "logs-checks",
        cwd=work,
        timeout=wall,
        limits=options.limits,
        env=_kernel_env(work),
    )
    records = []
    for line in child.stdout.splitlines():
        if line.startswith(nonce):
            try:
                records.append(json.loads(line[len(nonce) :]))
            except ValueError:
                continue
    fatal = next((r for r in records if r.get("type") == checker.RECORD_FATAL), None)
    if fatal is not None:
        message = str(fatal.get("message", "the checks could not run"))
        return _not_graded(calls, message), message, child.seconds
    found = {str(r.get("check")): r for r in records if r.get("type") == checker.RECORD_CHECK}
    done = any(r.get("type") == checker.RECORD_DONE for r in records)
    if done:
        reason = ""
    elif child.timed_out:
        reason = f"the checks did not finish within {wall:g} s"
    else:
        reason = f"the checks stopped early ({child.stderr_tail() or f'exit {child.returncode}'})"
    results = []
    for call in calls:
        record = found.get(call.check)
        if record is None:
            results.append(ExerciseResult(call.check, False, f"not graded: {reason}"))
        else:
            passed = record.get("passed") is True
            results.append(ExerciseResult(call.check, passed, str(record.get("message", ""))))
    return results, reason, child.seconds


def grade_submission(
    submission: Submission, options: Options, root: Path | None = None
) -> SubmissionResult:
    """Grade one notebook and return its result; never raises for anything the notebook holds."""
    started = time.perf_counter()
    try:
        return _grade_submission(submission, options, root)
    except Exception as error:  # a grader bug must not end the run or show a traceback
        result = SubmissionResult(submission.path, submission.learner, None)
        result.reason = f"the grader failed on this notebook ({type(error).__name__}: {error})"
        result.seconds = time.perf_counter() - started
        return result


def _grade_submission(
    submission: Submission, options: Options, root: Path | None
) -> SubmissionResult:
    started = time.perf_counter()
    result = SubmissionResult(submission.path, submission.learner, None)
    root = root or options.root or paths.course_root()
    with tempfile.TemporaryDirectory(
        prefix="rnncourse-grade-", ignore_cleanup_errors=True
    ) as scratch:
        folder = Path(scratch)
        copy_path = folder / "submitted.ipynb"
        try:
            copy_path.write_bytes(submission.path.read_bytes())
            notebook = _readable(copy_path)
        except (OSError, ValueError) as error:
            result.reason = f"not a readable notebook: {error}"
            result.seconds = time.perf_counter() - started
            return result
        lesson, how = identify(notebook, submission.path.name)
        if lesson is None:
            result.reason = how
            result.seconds = time.perf_counter() - started
            return result
        result.lesson = lesson.number
        try:
            calls = lesson_checks(lesson, root)
        except (FileNotFoundError, ValueError) as error:
            result.reason = str(error)
            result.seconds = time.perf_counter() - started
            return result
        names = sorted({name for call in calls for name in call.names})
        notes = []
        attempt = _run_notebook(notebook, lesson, names, folder, options, 1)
        result.run_seconds = attempt.seconds
        if not attempt.exported and attempt.culprit:
            notes.append(f"{attempt.why}; cell {attempt.culprit} was skipped and the rest rerun")
            skipped = nbformat.from_dict(json.loads(json.dumps(notebook)))
            cell = skipped.cells[attempt.culprit - 1]
            cell.source = f"# cell {attempt.culprit} skipped by the grader: {attempt.why}"
            attempt = _run_notebook(skipped, lesson, names, folder, options, 2)
            result.run_seconds += attempt.seconds
        if attempt.exported:
            result.exercises, check_reason, result.check_seconds = _run_checks(
                lesson, calls, folder, options
            )
            notes += [_raised_summary(attempt.raised), check_reason]
        else:
            result.exercises = _not_graded(calls, attempt.why)
            notes.append(attempt.why)
        result.reason = "; ".join(note for note in notes if note)
    result.seconds = time.perf_counter() - started
    return result


# --- many submissions -------------------------------------------------------------------------------


def grade(
    submissions: Sequence[Submission],
    options: Options,
    on_result: Callable[[int, SubmissionResult], None] | None = None,
) -> tuple[list[SubmissionResult], str]:
    """Grade `submissions`, `options.jobs` at a time; return the results in the given order and
    "" or the line saying why grading stopped early (the course package changed on disk)."""
    root = options.root or paths.course_root()
    for item in LESSONS:  # read the course's lessons before any learner's code has run
        try:
            lesson_checks(item, root)
        except (FileNotFoundError, ValueError):
            pass
    before = fingerprint()
    stop = threading.Event()
    stopped: list[str] = []
    lock = threading.Lock()

    def one(index: int, submission: Submission) -> SubmissionResult:
        if stop.is_set():
            result = SubmissionResult(submission.path, submission.learner, None)
            result.reason = f"not graded: grading stopped ({stopped[0]})"
        else:
            result = grade_submission(submission, options, root)
            changed = changed_files(before, fingerprint())
            if changed:
                with lock:
                    if not stopped:
                        stopped.append(
                            f"the course's installed files changed on disk while {submission.path} "
                            f"was graded: {changed[0]} (and {len(changed) - 1} more); reinstall "
                            "them and grade again in a container"
                        )
                stop.set()
                for item in result.exercises:
                    item.passed = False
                    item.message = "not graded: the course's files changed on disk meanwhile"
                result.reason = stopped[0]
        if on_result is not None:
            with lock:
                on_result(index, result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = [pool.submit(one, index, item) for index, item in enumerate(submissions)]
        results = [future.result() for future in futures]
    return results, (stopped[0] if stopped else "")
