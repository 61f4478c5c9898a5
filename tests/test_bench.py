"""Tests of `python -m rnncourse.bench` on tiny synthetic notebooks named after the course's
lessons (5 kernel runs in all).

Nothing here asserts on timings: memory, metrics, statuses, exit codes and the README table only.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnncourse import bench, course

SMALL, BIG, FAILS = course.LESSONS[:3]

SMALL_CELLS = [
    "import os\nfrom rnncourse.env import report_metric",
    "report_metric('val_loss', 1.52)\nreport_metric('chars_per_s', 41000)",
    # cwd is the notebook's folder and the run mode reaches the kernel
    f"report_metric('in_folder', float(os.path.exists({SMALL.filename!r})))\n"
    "report_metric('fast', float(os.environ['RNNCOURSE_MODE'] == 'fast'))\n"
    "report_metric('counting_val_accuracy', 0.995)",
    "import time\ntime.sleep(0.05)\nprint('check passed')",  # tagged `check` below
]
BIG_CELLS = [
    "import time\nimport numpy as np",
    "big = np.ones(200_000_000 // 8)  # 200 MB, every page touched\ntime.sleep(0.5)",
    "del big",
]
FAILS_CELLS = ["x = 1", "raise ValueError('boom')", "print('never reached')"]


def write_notebook(root: Path, lesson: course.Lesson, cells: list[str]) -> Path:
    """Write the lesson's solution: one Markdown cell then `cells` (the last of SMALL's is a
    check); return its path."""
    notebook = new_notebook(cells=[new_markdown_cell(f"# {lesson.title}")])
    notebook.cells += [new_code_cell(source) for source in cells]
    if lesson is SMALL:
        notebook.cells[-1].metadata["tags"] = ["check"]
    path = lesson.solution_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course root holding the small, big-array and failing notebooks."""
    folder = tmp_path_factory.mktemp("course")
    write_notebook(folder, SMALL, SMALL_CELLS)
    write_notebook(folder, BIG, BIG_CELLS)
    write_notebook(folder, FAILS, FAILS_CELLS)
    return folder


def run_main(*argv: str) -> tuple[int, str]:
    """Run `bench.main(argv)`; return its exit status and what it printed to stdout."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = bench.main(list(argv))
    return code, stdout.getvalue()


@pytest.fixture(scope="module")
def cli_run(root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the command once over the three notebooks (3 kernels); return what it produced."""
    before = {path.name: path.read_bytes() for path in root.rglob("*.ipynb")}
    json_file = tmp_path_factory.mktemp("out") / "bench.json"
    code, table = run_main("--root", str(root), "--json", str(json_file))
    return {
        "code": code,
        "table": table,
        "json": json.loads(json_file.read_text(encoding="utf-8")),
        "before": before,
        "after": {path.name: path.read_bytes() for path in root.rglob("*.ipynb")},
    }


def by_name(report: dict) -> dict[str, dict]:
    """Return the JSON report's notebook records keyed by file name."""
    return {record["name"]: record for record in report["notebooks"]}


# --- one command run over three notebooks -------------------------------------------------------


def test_table_and_json_list_every_notebook(cli_run: dict) -> None:
    table, report = cli_run["table"], cli_run["json"]
    assert table.startswith("machine: ")
    for lesson in (SMALL, BIG, FAILS):
        assert lesson.filename in table
    assert "total" in table
    records = by_name(report)
    assert set(records) == {SMALL.filename, BIG.filename, FAILS.filename}
    assert all(record["seconds"] > 0 for record in records.values())
    assert report["mode"] == "fast"
    assert set(report["machine"]) >= {"cpus", "gpu", "python", "tensorflow", "platform"}
    assert report["budgets"]["lesson_seconds"][SMALL.number] == SMALL.seconds("fast") == 60
    assert report["budgets"]["peak_mb"] == 2500


def test_big_array_raises_the_peak_memory(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    assert records[SMALL.filename]["peak_mb"] > 10
    assert records[BIG.filename]["peak_mb"] > records[SMALL.filename]["peak_mb"] + 150


def test_metrics_and_the_check_cell_are_measured(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    small = records[SMALL.filename]
    assert small["metrics"] == {
        "val_loss": 1.52,
        "chars_per_s": 41000.0,
        "in_folder": 1.0,
        "fast": 1.0,
        "counting_val_accuracy": 0.995,
    }
    assert records[BIG.filename]["metrics"] == {}
    assert "val_loss=1.52, chars_per_s=41000" in cli_run["table"]
    assert small["check_cell"] == 5 and small["check_seconds"] >= 0.05
    assert records[BIG.filename]["check_seconds"] is None


def test_failing_notebook_is_failed_with_cell_and_error(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    failed = records[FAILS.filename]
    assert failed["status"] == "FAILED"
    assert failed["error"] == {"cell": 3, "name": "ValueError", "message": "boom"}
    assert "FAILED (cell 3: ValueError)" in cli_run["table"]
    assert records[SMALL.filename]["status"] == records[BIG.filename]["status"] == "ok"
    assert cli_run["code"] == 1


def test_notebooks_on_disk_are_unchanged(cli_run: dict) -> None:
    assert cli_run["after"] == cli_run["before"]


# --- budgets -----------------------------------------------------------------------------------


def result(lesson: course.Lesson, seconds: float = 1.0, **fields) -> bench.NotebookResult:
    """Return an unjudged result of `lesson` with 100 MB peak and no metrics."""
    return bench.NotebookResult(lesson.number, lesson.filename, seconds, 100.0, {}, **fields)


def test_judge_marks_each_budget() -> None:
    char_rnn = course.lesson("06")
    full = bench.budgets_for("full")
    assert bench.judge(result(SMALL, 700.0), full).status == "OVER"
    assert bench.judge(result(char_rnn, 700.0), full).status == "ok", "06 has 25 minutes"
    tiny = bench.Budgets(full.lesson_seconds, None, peak_mb=50, check_seconds=0.5)
    heavy = bench.judge(result(SMALL, check_seconds=0.8, check_cell=7), tiny)
    assert heavy.status == "OVER"
    assert heavy.over == ("100 MB > 50 MB", "check cell 7: 0.80 s > 0.5 s")
    error = bench.CellError(3, "KeyError", "'x'")
    assert bench.judge(result(SMALL, error=error), full).status == "FAILED"


def test_course_budget_is_judged_on_the_total() -> None:
    fast = bench.budgets_for("fast")
    lessons = [item for item in course.LESSONS for _ in range(3)][:11]
    results = tuple(bench.judge(result(item, 59.0), fast) for item in lessons)
    report = bench.BenchReport("fast", bench.machine_info(), fast, results)
    assert all(item.status == "ok" for item in results)
    assert report.course_over and report.exit_code == 1
    assert "OVER (649.0 s > 600 s)" in bench.format_report(report)
    assert bench.report_json(report)["total_status"] == "OVER"
    assert bench.budgets_for("full").course_seconds is None


# --- the README table --------------------------------------------------------------------------


def test_readme_table_is_written_from_one_run_in_both_modes(tmp_path: Path) -> None:
    write_notebook(tmp_path, SMALL, SMALL_CELLS)
    readme = tmp_path / "README.md"
    readme.write_text("# C\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nEnd.\n")
    json_file = tmp_path / "bench.json"
    code, _ = run_main("--readme", "--root", str(tmp_path), "--json", str(json_file))
    assert code == 0
    text = readme.read_text()
    assert text.startswith("# C\n\n<!-- bench:start -->\nWritten by `python -m rnncourse.bench")
    assert text.endswith("<!-- bench:end -->\n\nEnd.\n") and "old" not in text
    row = next(line for line in text.splitlines() if line.startswith(f"| {SMALL.filename} |"))
    assert row.endswith("| counting task validation accuracy 99.5% |")
    assert "| **total** |" in text
    reports = json.loads(json_file.read_text())
    assert [report["mode"] for report in reports] == ["fast", "full"]
    assert [by_name(r)[SMALL.filename]["metrics"]["fast"] for r in reports] == [1.0, 0.0]


def test_readme_table_says_when_a_metric_is_missing() -> None:
    fast = bench.BenchReport(
        "fast", bench.machine_info(), bench.budgets_for("fast"), (result(SMALL),)
    )
    full = bench.BenchReport("full", fast.machine, bench.budgets_for("full"), (result(SMALL),))
    table = bench.readme_table(fast, full, today=datetime.date(2026, 1, 2))
    assert "on 2026-01-02:" in table
    assert "(metric 'counting_val_accuracy' was not reported)" in table


# --- selection and command line ------------------------------------------------------------------


def test_unknown_lesson_exits_2_naming_the_valid_ones(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.bench", "42", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    valid = ", ".join(item.number for item in course.LESSONS)
    assert done.returncode == 2
    assert f"unknown lesson '42'; the course has lessons {valid}" in done.stderr


def test_nothing_to_run_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--root", str(tmp_path)]) == 2
    assert "no solution notebooks" in capsys.readouterr().err
    assert bench.main(["--readme", "01"]) == 2
    assert "--readme runs every lesson" in capsys.readouterr().err


def test_read_metrics_keeps_the_last_value_and_skips_junk(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text(
        '{"name": "loss", "value": 2.0}\nnot json\n{"name": "acc"}\n{"name": "loss", "value": 1.5}\n',
        encoding="utf-8",
    )
    assert bench.read_metrics(path) == {"loss": 1.5}
    assert bench.read_metrics(tmp_path / "missing.jsonl") == {}
    assert bench.format_metrics({"val_loss": 1.523456, "chars_per_s": 41000.4}) == (
        "val_loss=1.523, chars_per_s=41000"
    )
