"""Tests of `python -m rnncourse.grade` and of the nbgrader metadata of the generated lessons.

Most kernel runs use small synthetic notebooks that carry lesson 01's metadata and define only the
exercise functions (right, wrong or hostile): they are graded together once per session
(`hostile`). One test grades a real, solved lesson 01 notebook end to end. Both grade one notebook
at a time (`jobs=1`), so that under `pytest -n 2` at most two kernels share the machine; the
grading of two notebooks at once is what `python -m rnncourse.grade` does by default.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnncourse import build, notebooks
from rnncourse import grade as grade_cli
from rnncourse.course import LESSONS, lesson
from rnncourse.grading import grader, integrity, report, submissions, transport
from rnncourse.grading.grader import ExerciseResult, Options, SubmissionResult
from rnncourse.grading.sandbox import Limits, limits_supported
from rnncourse.paths import course_root

LESSON_01 = lesson("01")
CHECKS_01 = ["rnn_step", "rnn_forward", "build_counting_model", "counting_model"]
META_01 = {"rnncourse": {"lesson": "01"}}
MEMORY_MB = 1024


def solution_source(name: str, number: str = "01") -> str:
    """Return the reference solution of the exercise defining `name`, markers removed."""
    for cell in notebooks.read_notebook(lesson(number).solution_path()).cells:
        if "exercise" in cell.metadata.get("tags", []) and f"def {name}(" in cell.source:
            lines = cell.source.splitlines()
            return "\n".join(line for line in lines if not line.strip().startswith("### "))
    raise LookupError(name)


def synthetic(*sources: str, metadata: dict | None = None) -> nbformat.NotebookNode:
    """Return a notebook of code cells (after `import numpy as np`) with lesson 01's metadata."""
    cells = [new_code_cell(source) for source in ("import numpy as np", *sources)]
    return new_notebook(cells=cells, metadata=META_01 if metadata is None else metadata)


def write(path: Path, notebook: nbformat.NotebookNode) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def by_name(result: SubmissionResult) -> dict[str, ExerciseResult]:
    return {item.exercise: item for item in result.exercises}


WRONG_STEP = "def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n    return h_prev"
WRONG_FORWARD = (
    "def rnn_forward(x, h0, W_xh, W_hh, b_h):\n"
    "    return np.zeros((x.shape[0], x.shape[1], h0.shape[1])), h0"
)
SWALLOW_INTERRUPTS = """\
import time
while True:
    try:
        time.sleep(0.2)
    except KeyboardInterrupt:
        pass"""
FAKE_CHECKS = """\
class Fake:
    def __getattr__(self, name):
        return lambda *args: print(f"✅ {name}: correct") or True

checks = Fake()
import rnncourse.checks
import rnncourse.checks.lesson01
rnncourse.checks.rnn_step = rnncourse.checks.lesson01.rnn_step = lambda fn: True
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None"""
PATCH_WHILE_CHECKED = """\
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    np.allclose = lambda *args, **kwargs: True  # every comparison would now pass
    print("✅ rnn_step: correct")
    return h_prev"""
PRINTS_SUCCESS = """\
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    print("✅ rnn_step: correct on 6 cases")
    return h_prev"""


def hostile_notebooks(folder: Path, probe: Path) -> dict[str, Path]:
    """Write the synthetic submissions under `folder` (one learner folder each)."""
    step, forward = solution_source("rnn_step"), solution_source("rnn_forward")
    lesson_stubs = [
        cell.source
        for cell in notebooks.read_notebook(LESSON_01.lesson_path()).cells
        if "exercise" in cell.metadata.get("tags", [])
    ]
    probe_cell = f"""\
import json, os
try:
    import resource
    limit = resource.getrlimit(resource.RLIMIT_DATA)[0]
except ImportError:
    limit = None
seen = {{
    "offline": os.environ.get("RNNCOURSE_OFFLINE"),
    "mode": os.environ.get("RNNCOURSE_MODE"),
    "cwd": os.getcwd(),
    "data_limit": limit,
}}
with open({str(probe)!r}, "w") as stream:
    json.dump(seen, stream)"""
    books = {
        # right answers, no check cells at all (a learner deleted them)
        "right": synthetic(step, forward),
        "unfinished": synthetic(*lesson_stubs),
        "renamed": synthetic(step.replace("def rnn_step(", "def my_rnn_step("), forward),
        "raises": synthetic("1 / 0", step, "raise ValueError('learner bug')", forward),
        "sleeps": synthetic(step, "import time\ntime.sleep(600)", forward),
        "swallows": synthetic(step, SWALLOW_INTERRUPTS, WRONG_FORWARD),
        "memory": synthetic(step, f"hog = bytearray({3 * MEMORY_MB} * 2**20)", forward),
        "dies": synthetic(step, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", forward),
        # wrong answers behind a fake `checks`, patched checks module and numpy, edited check cell
        "tampers": synthetic(WRONG_STEP, FAKE_CHECKS, "checks.rnn_step(rnn_step)", WRONG_FORWARD),
        "patches": synthetic(PATCH_WHILE_CHECKED, WRONG_FORWARD),
        "prints": synthetic(PRINTS_SUCCESS, forward),
        "probe": synthetic(step, probe_cell),
        "setupcell": synthetic('setup_lesson = print\nsetup_lesson("01")', step, metadata={}),
    }
    paths = {name: write(folder / name / "submission.ipynb", book) for name, book in books.items()}
    broken = folder / "broken" / "01_simple_rnn_cell.ipynb"
    broken.parent.mkdir()
    broken.write_text('{"cells": [ this is not JSON', encoding="utf-8")
    paths["broken"] = broken
    paths["stranger"] = write(folder / "stranger" / "notes.ipynb", synthetic("x = 1", metadata={}))
    return paths


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade every synthetic submission once (one at a time) and return what happened."""
    folder = tmp_path_factory.mktemp("submitted")
    probe = tmp_path_factory.mktemp("probe") / "seen.json"
    paths = hostile_notebooks(folder, probe)
    files = [path for path in folder.rglob("*") if path.is_file()]
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}
    found, missing = submissions.find_submissions([folder])
    options = Options(
        cell_timeout=8, timeout=30, check_timeout=30, limits=Limits(memory_mb=MEMORY_MB), jobs=1
    )
    with pytest.MonkeyPatch.context() as patch:
        # someone editing the checkout meanwhile must not stop this run (tested on its own below)
        patch.setattr(grader, "fingerprint", dict)
        results, stopped = grader.grade(found, options)
    return {
        "folder": folder,
        "paths": paths,
        "before": before,
        "missing": missing,
        "stopped": stopped,
        "probe": json.loads(probe.read_text(encoding="utf-8")) if probe.exists() else None,
        "results": {result.learner: result for result in results},
    }


# --- the hostile and broken submissions (one kernel run each, shared) --------------------------


def test_every_submission_gets_a_result_and_grading_goes_on(hostile: dict) -> None:
    assert hostile["stopped"] == "" and hostile["missing"] == []
    assert set(hostile["results"]) == set(hostile["paths"])
    for name, result in hostile["results"].items():
        if name not in ("broken", "stranger"):
            assert [item.exercise for item in result.exercises] == CHECKS_01, name


def test_right_answers_pass_without_any_check_cell(hostile: dict) -> None:
    result = hostile["results"]["right"]
    verdicts = by_name(result)
    assert verdicts["rnn_step"].passed and verdicts["rnn_forward"].passed
    assert verdicts["rnn_step"].message.startswith("✅ rnn_step:")
    assert not verdicts["build_counting_model"].passed
    assert "build_counting_model not defined" in verdicts["build_counting_model"].message
    assert (result.score, result.total) == (2, 4)


def test_unfinished_lesson_is_not_implemented_yet(hostile: dict) -> None:
    result = hostile["results"]["unfinished"]
    assert result.score == 0
    for name in ("rnn_step", "rnn_forward", "build_counting_model"):
        assert "not implemented yet" in by_name(result)[name].message
    assert result.reason == ""  # NotImplementedError is the normal state of an unfinished lesson


def test_renamed_function_scores_zero_with_a_reason(hostile: dict) -> None:
    verdicts = by_name(hostile["results"]["renamed"])
    assert not verdicts["rnn_step"].passed
    assert verdicts["rnn_step"].message == (
        "not graded: rnn_step not defined in the notebook (was it renamed or deleted?)"
    )
    # rnn_forward calls rnn_step, which no longer exists under that name
    assert not verdicts["rnn_forward"].passed and "NameError" in verdicts["rnn_forward"].message


def test_cells_that_raise_do_not_stop_the_rest(hostile: dict) -> None:
    result = hostile["results"]["raises"]
    assert by_name(result)["rnn_step"].passed and by_name(result)["rnn_forward"].passed
    assert result.reason.startswith("cell 2 raised ZeroDivisionError")
    assert "(and 1 more cell raised)" in result.reason


def test_sleeping_cell_is_interrupted_and_the_rest_runs(hostile: dict) -> None:
    result = hostile["results"]["sleeps"]
    assert result.score == 2
    assert "cell 3: the cell ran longer than 8 s and was interrupted" in result.reason


def test_cell_that_ignores_interrupts_is_killed_skipped_and_rerun(hostile: dict) -> None:
    result = hostile["results"]["swallows"]
    assert by_name(result)["rnn_step"].passed and not by_name(result)["rnn_forward"].passed
    assert "cell 3" in result.reason.split(";")[0]  # killed at the wall-clock limit, or stuck
    assert "cell 3 was skipped and the rest rerun" in result.reason


@pytest.mark.skipif(not limits_supported(), reason="memory limits are enforced on Linux only")
def test_memory_limit_stops_a_huge_allocation(hostile: dict) -> None:
    result = hostile["results"]["memory"]
    assert result.score == 2
    assert result.reason.startswith("cell 3 raised MemoryError")


def test_kernel_that_dies_is_restarted_without_the_cell(hostile: dict) -> None:
    result = hostile["results"]["dies"]
    assert result.score == 2
    assert "kernel died in cell 3" in result.reason and "cell 3 was skipped" in result.reason


def test_fake_checks_and_patched_numpy_in_the_notebook_change_nothing(hostile: dict) -> None:
    result = hostile["results"]["tampers"]
    verdicts = by_name(result)
    assert result.score == 0
    assert verdicts["rnn_step"].message.startswith("❌ rnn_step:")
    assert "wrong values" in verdicts["rnn_forward"].message


def test_patching_numpy_while_checked_is_not_graded_and_undone(hostile: dict) -> None:
    verdicts = by_name(hostile["results"]["patches"])
    assert not verdicts["rnn_step"].passed
    assert "numpy.allclose was replaced" in verdicts["rnn_step"].message
    # restored before the next check: the wrong rnn_forward is judged with the real np.allclose
    assert not verdicts["rnn_forward"].passed and "wrong values" in verdicts["rnn_forward"].message


def test_printed_success_is_not_a_pass(hostile: dict) -> None:
    verdicts = by_name(hostile["results"]["prints"])
    assert not verdicts["rnn_step"].passed
    assert verdicts["rnn_step"].message.startswith("❌ rnn_step:")


def test_kernel_runs_offline_fast_limited_in_a_temporary_folder(hostile: dict) -> None:
    seen = hostile["probe"]
    assert seen is not None and seen["offline"] == "1" and seen["mode"] == "fast"
    work = Path(seen["cwd"])
    assert not work.exists(), "the temporary folder is removed after grading"
    assert hostile["folder"] not in work.parents
    if limits_supported():
        assert seen["data_limit"] == MEMORY_MB * 2**20


def test_lesson_told_by_setup_cell_when_metadata_is_gone(hostile: dict) -> None:
    result = hostile["results"]["setupcell"]
    assert result.lesson == "01" and by_name(result)["rnn_step"].passed


def test_unreadable_and_foreign_notebooks_get_zero_and_a_reason(hostile: dict) -> None:
    broken, stranger = hostile["results"]["broken"], hostile["results"]["stranger"]
    assert (broken.score, broken.total, broken.lesson) == (0, 0, None)
    assert broken.reason.startswith("not a readable notebook: Notebook does not appear to be JSON")
    assert stranger.lesson is None and stranger.reason.startswith("not a lesson of this course")


def test_submissions_are_never_modified_and_nothing_is_added(hostile: dict) -> None:
    after = {p for p in hostile["folder"].rglob("*") if p.is_file()}
    assert after == set(hostile["before"])
    for path, (data, mtime) in hostile["before"].items():
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


def test_reports_of_the_hostile_batch_have_no_traceback(hostile: dict) -> None:
    results = list(hostile["results"].values())
    text = "\n".join(report.format_submission(result) for result in results)
    text += report.format_summary(results)
    assert "Traceback" not in text and 'File "' not in text
    for result in results:
        assert "\n" not in result.reason
        assert all("\n" not in item.message for item in result.exercises)


# --- a real lesson notebook, end to end -------------------------------------------------------


def test_real_lesson_01_solved_graded_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grader, "fingerprint", dict)  # edits of the checkout meanwhile: see below
    lesson_notebook = notebooks.read_notebook(LESSON_01.lesson_path())
    for cell in lesson_notebook.cells:
        if "exercise" in cell.metadata.get("tags", []):
            name = cell.source.split("def ", 1)[1].split("(", 1)[0]
            cell.source = solution_source(name)
    submitted = write(
        tmp_path / "submitted" / "alice" / "lesson01" / LESSON_01.filename, lesson_notebook
    )
    original = submitted.read_bytes()
    csv_path, json_path = tmp_path / "grades.csv", tmp_path / "grades.json"
    status = grade_cli.main(
        [
            str(tmp_path / "submitted"),
            "--jobs",
            "1",
            "--csv",
            str(csv_path),
            "--json",
            str(json_path),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "alice" in out and "| lesson 01 | 4/4 |" in out
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert len(rows) == 1 and rows[0]["learner"] == "alice"
    assert rows[0]["lesson 01 score"] == "4" and rows[0]["01 counting_model"] == "1"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["learners"]["alice"]["score"] == 4
    assert [item["passed"] for item in data["submissions"][0]["exercises"]] == [True] * 4
    assert submitted.read_bytes() == original  # the submission is untouched


# --- the command line without kernels -----------------------------------------------------------


def test_cli_with_nothing_to_grade_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert grade_cli.main([str(tmp_path)]) == 2
    assert "no notebooks" in capsys.readouterr().err


def test_cli_broken_inputs_exit_0_with_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.ipynb").write_text("not json", encoding="utf-8")
    (tmp_path / "b.ipynb").write_text('{"cells": 5}', encoding="utf-8")
    (tmp_path / "c.ipynb").write_text("[]", encoding="utf-8")
    write(tmp_path / "d.ipynb", synthetic("x = 1", metadata={}))
    json_path = tmp_path / "out" / "grades.json"
    json_path.parent.mkdir()
    status = grade_cli.main([str(tmp_path), str(tmp_path / "missing"), "--json", str(json_path)])
    captured = capsys.readouterr()
    assert status == 0
    assert "Traceback" not in captured.out + captured.err
    assert "warning: " in captured.err and "missing: no such file or folder" in captured.err
    reasons = [item["reason"] for item in json.loads(json_path.read_text())["submissions"]]
    assert [reason.split(":")[0] for reason in reasons] == ["not a readable notebook"] * 3 + [
        "not a lesson of this course"
    ]


# --- finding and identifying submissions --------------------------------------------------------


def test_find_submissions_skips_hidden_folders_and_names_learners(tmp_path: Path) -> None:
    nb = synthetic("x = 1")
    write(tmp_path / "sub" / "alice" / "01_simple_rnn_cell.ipynb", nb)
    write(tmp_path / "sub" / "alice" / ".ipynb_checkpoints" / "x-checkpoint.ipynb", nb)
    write(tmp_path / "sub" / "bob_01_simple_rnn_cell.ipynb", nb)
    write(tmp_path / "lessons" / "01_simple_rnn_cell.ipynb", nb)
    found, missing = submissions.find_submissions(
        [tmp_path / "sub", tmp_path / "lessons", tmp_path / "nope"]
    )
    assert [(s.path.relative_to(tmp_path).as_posix(), s.learner) for s in found] == [
        ("sub/alice/01_simple_rnn_cell.ipynb", "alice"),
        ("sub/bob_01_simple_rnn_cell.ipynb", "bob"),
        ("lessons/01_simple_rnn_cell.ipynb", "lessons"),
    ]
    assert missing == [f"{tmp_path / 'nope'}: no such file or folder"]


def test_identify_reads_metadata_then_setup_cell_then_file_name() -> None:
    first = synthetic("x = 1", metadata={"rnncourse": {"lesson": "03"}})
    assert submissions.identify(first, "01_simple_rnn_cell.ipynb") == (lesson("03"), "metadata")
    generated = {"rnncourse": {"generated_from": "solutions/02_bptt_vanishing_gradients.ipynb"}}
    assert submissions.identify(synthetic(metadata=generated), "x.ipynb")[0] == lesson("02")
    setup = synthetic('course = setup_lesson("06")', metadata={})
    assert submissions.identify(setup, "x.ipynb") == (lesson("06"), "setup cell")
    assert submissions.identify(synthetic(metadata={}), "me_03_lstm_gru.ipynb")[0] == lesson("03")
    unknown = submissions.identify(synthetic(metadata={"rnncourse": {"lesson": "99"}}), "x.ipynb")
    assert unknown[0] is None and unknown[1].startswith("not a lesson of this course")


def test_lesson_checks_come_from_the_course_copy_of_the_lesson() -> None:
    calls = submissions.lesson_checks(LESSON_01, course_root())
    assert [call.check for call in calls] == CHECKS_01
    assert calls[-1].args == ("counter", "x_val", "y_val")
    assert calls[-1].names == ("counter", "x_val", "y_val")
    cells = [new_code_cell("!pip list\nchecks.f(g[0], h)\nchecks.f(other)"), new_code_cell("(")]
    assert submissions.check_calls(cells) == [submissions.CheckCall("f", ("g[0]", "h"), ("g", "h"))]


# --- carrying functions out of the kernel -------------------------------------------------------


EXPORTER = """\
import linecache
import sys
import numpy as np
from rnncourse.grading import transport

linecache.getlines(__file__)  # IPython keeps every cell's source in linecache
W = np.arange(6.0).reshape(2, 3)

def helper(x):
    return np.tanh(x @ W)

def step(x, scale=2.0):
    return helper(x) * scale

def even(n):
    return True if n == 0 else odd(n - 1)

def odd(n):
    return False if n == 0 else even(n - 1)

def make(k):
    def inner(x):
        return x + k
    return inner

add3 = make(3)

def fails():
    return undefined_name

class Thing:
    pass

transport.export(None, ["step", "even", "add3", "fails", "Thing", "W", "absent"], sys.argv[1])
"""


def test_transport_carries_functions_by_value_into_a_fresh_process(tmp_path: Path) -> None:
    script, exported = tmp_path / "exporter.py", tmp_path / "exported.pickle"
    script.write_text(EXPORTER, encoding="utf-8")
    subprocess.run([sys.executable, str(script), str(exported)], check=True, cwd=tmp_path)
    script.unlink()  # the rebuilt functions must not need the file they came from
    values, problems = transport.load(exported)
    assert problems == {
        "Thing": "could not be carried to the grader (PicklingError: the class Thing is defined in "
        "the notebook; the grader carries functions, not classes)",
        "absent": "not defined in the notebook",
    }
    x = np.ones((1, 2))
    assert np.allclose(values["step"](x), 2 * np.tanh(x @ np.arange(6.0).reshape(2, 3)))
    assert values["step"].__defaults__ == (2.0,) and values["step"].__module__ == "__main__"
    assert values["even"](10) is True and values["add3"](1) == 4
    np.testing.assert_array_equal(values["W"], np.arange(6.0).reshape(2, 3))
    with pytest.raises(NameError) as raised:
        values["fails"]()
    import traceback

    last = traceback.extract_tb(raised.value.__traceback__)[-1]
    assert last.line == "return undefined_name"  # the source line travelled with the code


def test_transport_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    path.write_bytes(b"not a pickle")
    with pytest.raises(transport.TransportError, match="cannot be read"):
        transport.load(path)


# --- noticing tampering -------------------------------------------------------------------------


def test_snapshot_notices_and_undoes_a_patched_numpy_and_a_new_thread() -> None:
    snapshot = integrity.Snapshot.take()
    original = np.allclose
    assert snapshot.changes() == []
    np.allclose = lambda *args, **kwargs: True
    try:
        assert snapshot.changes() == ["numpy.allclose was replaced"]
    finally:
        snapshot.restore()
    assert np.allclose is original and snapshot.changes() == []
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="sneaky")
    thread.start()
    try:
        assert snapshot.changes() == ["a thread was started and is still running (sneaky)"]
    finally:
        release.set()
        thread.join()


def test_grading_stops_when_the_course_files_change(monkeypatch: pytest.MonkeyPatch) -> None:
    prints = iter([{"a": "1"}, {"a": "1"}, {"a": "2"}])
    monkeypatch.setattr(grader, "fingerprint", lambda: next(prints))

    def fake(submission, options, root=None):
        result = SubmissionResult(submission.path, submission.learner, "01")
        result.exercises = [ExerciseResult("rnn_step", True, "✅ rnn_step: ok")]
        return result

    monkeypatch.setattr(grader, "grade_submission", fake)
    items = [
        submissions.Submission(Path(f"{name}.ipynb"), name) for name in ("first", "second", "third")
    ]
    results, stopped = grader.grade(items, Options(jobs=1))
    assert results[0].score == 1
    assert results[1].score == 0 and results[1].reason.startswith("the course's installed files")
    assert results[2].reason.startswith("not graded: grading stopped")
    assert stopped.startswith("the course's installed files changed on disk")


def test_two_at_a_time_keeps_the_order_of_the_submissions(monkeypatch: pytest.MonkeyPatch) -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def fake(submission, options, root=None):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threading.Event().wait(0.3 if submission.learner == "slow" else 0.05)
        with lock:
            running[0] -= 1
        return SubmissionResult(submission.path, submission.learner, "01")

    monkeypatch.setattr(grader, "grade_submission", fake)
    monkeypatch.setattr(grader, "fingerprint", dict)
    names = ["slow", "b", "c", "d"]
    finished: list[str] = []
    items = [submissions.Submission(Path(f"{name}.ipynb"), name) for name in names]
    results, _ = grader.grade(items, Options(jobs=2), lambda i, r: finished.append(r.learner))
    assert [result.learner for result in results] == names
    assert most[0] == 2 and finished[-1] == "slow"


def test_fingerprint_sees_changed_removed_and_new_compiled_files(tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "old.py").write_text("y = 1\n", encoding="utf-8")
    before = grader.fingerprint(tmp_path)
    (tmp_path / "checks.py").write_text("x = 2\n", encoding="utf-8")
    (tmp_path / "old.py").unlink()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "checks.cpython-311.pyc").write_bytes(b"forged")
    (tmp_path / "new_module.py").write_text("z = 1\n", encoding="utf-8")  # imported by nothing
    assert grader.changed_files(before, grader.fingerprint(tmp_path)) == [
        str(tmp_path / "__pycache__" / "checks.cpython-311.pyc"),
        str(tmp_path / "checks.py"),
        str(tmp_path / "old.py"),
    ]


# --- reports ------------------------------------------------------------------------------------


def made_up(
    learner: str, number: str, passed: list[bool], path: str = "x.ipynb"
) -> SubmissionResult:
    names = CHECKS_01 if number == "01" else ["lstm_step", "gru_step"]
    result = SubmissionResult(Path(path), learner, number)
    result.exercises = [
        ExerciseResult(n, p, "✅" if p else "❌") for n, p in zip(names, passed, strict=False)
    ]
    return result


def test_summary_keeps_each_learners_best_submission() -> None:
    stranger = SubmissionResult(Path("notes.ipynb"), "carol", None, reason="not a lesson")
    results = [
        made_up("alice", "01", [True, False, False, False]),
        made_up("alice", "01", [True, True, True, False]),
        made_up("bob", "03", [True, True]),
        stranger,
    ]
    text = report.format_summary(results)
    lines = text.splitlines()
    assert lines[1].split() == [
        "learner",
        *[f"01.{name}" for name in CHECKS_01],
        "03.lstm_step",
        "03.gru_step",
        "score",
    ]
    assert lines[2].split() == ["alice", "✓", "✓", "✓", "✗", "-", "-", "3/4"]
    assert lines[3].split() == ["bob", "-", "-", "-", "-", "✓", "✓", "2/2"]
    assert lines[4].split()[:2] == ["carol", "-"] and "(+1 not a lesson)" in lines[4]
    rows = list(csv.DictReader(io.StringIO(report.csv_text(results))))
    assert [row["learner"] for row in rows] == ["alice", "bob", "carol"]
    assert rows[0]["01 build_counting_model"] == "1" and rows[0]["03 gru_step"] == ""
    assert (rows[0]["lesson 01 score"], rows[0]["lesson 01 out of"]) == ("3", "4")
    assert (rows[1]["total score"], rows[1]["total out of"]) == ("2", "2")
    data = report.json_data(results, "fast")
    assert data["learners"]["alice"]["lessons"]["01"]["passed"] == CHECKS_01[:3]
    assert len(data["submissions"]) == 4


# --- nbgrader metadata of the generated lessons -------------------------------------------------

#: nbgrader's cell metadata schema, version 3, as documented by nbgrader
#: (nbgrader/nbgraderformat/v3.json: required keys, types, the grade_id pattern, no other keys).
NBGRADER_V3 = {
    "type": "object",
    "properties": {
        "schema_version": {"type": "integer", "minimum": 3, "maximum": 3},
        "grade": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "solution": {"type": "boolean"},
        "task": {"type": "boolean"},
        "grade_id": {"type": "string", "pattern": "^[a-zA-Z0-9_\\-]*$"},
        "points": {"type": "number", "minimum": 0},
        "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
        "cell_type": {"type": "string", "enum": ["raw", "code", "markdown"]},
    },
    "required": ["schema_version", "grade", "locked", "solution"],
    "additionalProperties": False,
}


def nbgrader_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Return what nbgrader's validator would reject: the schema, then its notebook rules."""
    problems, ids = [], set()
    for index, cell in enumerate(notebook.cells, start=1):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        try:
            jsonschema.validate(meta, NBGRADER_V3)
        except jsonschema.ValidationError as error:
            problems.append(f"cell {index}: {error.message}")
            continue
        if meta["grade"] or meta["solution"] or meta["locked"]:
            if not meta.get("grade_id"):
                problems.append(f"cell {index}: no grade_id")
            elif meta["grade_id"] in ids:
                problems.append(f"cell {index}: duplicate grade id {meta['grade_id']}")
            ids.add(meta.get("grade_id"))
        if meta["grade"] and "points" not in meta:
            problems.append(f"cell {index}: a grade cell without points")
        if cell.cell_type == "markdown" and meta["grade"] != meta["solution"]:
            problems.append(f"cell {index}: a markdown cell must be both grade and solution")
    return problems


@pytest.mark.parametrize(
    "item", [i for i in LESSONS if i.lesson_path().exists()], ids=lambda i: i.number
)
def test_lessons_carry_valid_nbgrader_metadata(item) -> None:
    notebook = notebooks.read_notebook(item.lesson_path())
    assert nbgrader_problems(notebook) == []
    assert notebook.metadata.rnncourse.lesson == item.number
    checked = [
        call.check
        for call in submissions.check_calls(
            [c for c in notebook.cells if "check" in c.metadata.get("tags", [])]
        )
    ]
    exercises, check_ids = [], []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        meta = cell.metadata.get("nbgrader")
        if "exercise" in tags:
            assert meta["solution"] and not meta["locked"] and not meta["grade"]
            exercises.append(meta["grade_id"])
        elif "check" in tags:
            assert meta["locked"] and not meta["solution"] and not meta["grade"]
            check_ids.append(meta["grade_id"])
        else:
            assert meta is None
    assert check_ids == [f"check-{name}" for name in checked]
    assert exercises == checked  # each exercise is named after the check that follows it
    try:
        from nbgrader.nbgraderformat import MetadataValidator
    except ImportError:
        return
    MetadataValidator().validate_nb(notebook)  # nbgrader's own validation, where installed


def test_nbgrader_ids_are_unique_and_fall_back_to_def_and_cell_id() -> None:
    def cell(source: str, tags: list[str], cell_id: str) -> dict:
        return {"cell_type": "code", "id": cell_id, "metadata": {"tags": tags}, "source": source}

    cells = [
        cell("def helper(x):\n    return x", ["exercise"], "a1"),
        cell("def answer(x):\n    return x", ["exercise"], "a2"),
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "text"},
        cell("checks.answer(answer);", ["check"], "c1"),
        cell("checks.answer(answer)", ["check"], "c2"),
        cell("print('no check call')", ["check"], "odd id!"),
        cell("x = 1", ["uses-exercise"], "u"),
    ]
    build.add_nbgrader_metadata(cells)
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells]
    assert ids == ["helper", "answer", None, "check-answer", "check-answer-2", "odd-id-", None]
    notebook = nbformat.from_dict(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    )
    assert nbgrader_problems(notebook) == []


def test_nbgrader_metadata_test_rejects_bad_metadata() -> None:
    bad = new_notebook(
        cells=[
            new_code_cell("x", metadata={"nbgrader": build.nbgrader_metadata("check", "same")}),
            new_code_cell("y", metadata={"nbgrader": build.nbgrader_metadata("exercise", "same")}),
            new_code_cell("z", metadata={"nbgrader": {"grade": True, "solution": False}}),
            new_markdown_cell(
                "w", metadata={"nbgrader": {**build.nbgrader_metadata("exercise", "m")}}
            ),
        ]
    )
    problems = nbgrader_problems(bad)
    assert problems[0] == "cell 2: duplicate grade id same"
    assert problems[1].startswith("cell 3: ") and "is a required property" in problems[1]
    assert problems[2] == "cell 4: a markdown cell must be both grade and solution"
    assert len(problems) == 3


def test_export_cell_survives_a_rebound_globals(tmp_path: Path) -> None:
    """The cell the grader appends works even when the notebook shadowed `globals`."""
    source = grader._export_cell(["f"], tmp_path / "out.pickle").source
    namespace: dict = {"globals": 5, "f": len}
    exec(compile(source, "<cell>", "exec"), namespace)
    values, problems = transport.load(tmp_path / "out.pickle")
    assert problems == {} and values["f"] is len
