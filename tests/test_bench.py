"""Tests of `python -m rnncourse.bench` on tiny synthetic notebooks (4 kernel runs in all).

Nothing here asserts on timings: memory, metrics, statuses and exit codes only.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnncourse import bench

SMALL = "01_small.ipynb"
BIG = "02_big.ipynb"
FAILS = "03_fails.ipynb"

SMALL_CELLS = [
    "import os\nfrom rnncourse.env import report_metric",
    "report_metric('val_loss', 1.52)\nreport_metric('chars_per_s', 41000)",
    # cwd is the notebook's folder and the run mode reaches the kernel
    f"report_metric('in_folder', float(os.path.exists({SMALL!r})))\n"
    "report_metric('fast', float(os.environ['RNNCOURSE_MODE'] == 'fast'))",
]
BIG_CELLS = [
    "import time\nimport numpy as np",
    "big = np.ones(200_000_000 // 8)  # 200 MB, every page touched\ntime.sleep(0.5)",
    "del big",
]
FAILS_CELLS = ["x = 1", "raise ValueError('boom')", "print('never reached')"]


def write_notebook(folder: Path, name: str, cells: list[str]) -> Path:
    """Write a notebook of one Markdown cell then `cells` as code; return its path."""
    notebook = new_notebook(cells=[new_markdown_cell(f"# {name}")])
    notebook.cells += [new_code_cell(source) for source in cells]
    path = folder / name
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def solutions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A solutions folder holding the small, big-array and failing notebooks."""
    folder = tmp_path_factory.mktemp("solutions")
    write_notebook(folder, SMALL, SMALL_CELLS)
    write_notebook(folder, BIG, BIG_CELLS)
    write_notebook(folder, FAILS, FAILS_CELLS)
    return folder


@pytest.fixture(scope="module")
def cli_run(solutions: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the command once over the three notebooks (3 kernels); return what it produced."""
    before = {path.name: path.read_bytes() for path in solutions.glob("*.ipynb")}
    json_file = tmp_path_factory.mktemp("out") / "bench.json"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = bench.main(["--solutions", str(solutions), "--json", str(json_file)])
    return {
        "code": code,
        "table": stdout.getvalue(),
        "json": json.loads(json_file.read_text(encoding="utf-8")),
        "before": before,
        "after": {path.name: path.read_bytes() for path in solutions.glob("*.ipynb")},
    }


def by_name(report: dict) -> dict[str, dict]:
    """Return the JSON report's notebook records keyed by file name."""
    return {record["name"]: record for record in report["notebooks"]}


# --- one command run over three notebooks -------------------------------------------------------


def test_table_and_json_list_every_notebook(cli_run: dict) -> None:
    table, report = cli_run["table"], cli_run["json"]
    assert table.startswith("machine: ")
    for name in (SMALL, BIG, FAILS):
        assert name in table
    assert "total" in table
    records = by_name(report)
    assert set(records) == {SMALL, BIG, FAILS}
    assert all(record["seconds"] > 0 for record in records.values())
    assert report["total_seconds"] > 0
    assert report["mode"] == "fast"
    assert set(report["machine"]) >= {"cpus", "python", "tensorflow", "platform"}
    assert report["budgets"]["notebook_seconds"] == 60
    assert report["budgets"]["peak_mb"] == 2500


def test_big_array_raises_the_peak_memory(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    assert records[SMALL]["peak_mb"] > 10
    assert records[BIG]["peak_mb"] > records[SMALL]["peak_mb"] + 150


def test_metrics_are_collected(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    assert records[SMALL]["metrics"] == {
        "val_loss": 1.52,
        "chars_per_s": 41000.0,
        "in_folder": 1.0,
        "fast": 1.0,
    }
    assert records[BIG]["metrics"] == {}
    assert "val_loss=1.52, chars_per_s=41000" in cli_run["table"]


def test_failing_notebook_is_failed_with_cell_and_error(cli_run: dict) -> None:
    records = by_name(cli_run["json"])
    assert records[FAILS]["status"] == "FAILED"
    assert records[FAILS]["error"]["cell"] == 2
    assert records[FAILS]["error"]["name"] == "ValueError"
    assert "FAILED (cell 2: ValueError)" in cli_run["table"]
    assert records[SMALL]["status"] == records[BIG]["status"] == "ok"
    assert cli_run["code"] == 1


def test_notebooks_on_disk_are_unchanged(cli_run: dict) -> None:
    assert cli_run["after"] == cli_run["before"]


# --- budgets -----------------------------------------------------------------------------------


def test_tiny_memory_budget_marks_over_and_exits_1(
    solutions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = bench.Budgets(notebook_seconds=60, course_seconds=600, peak_mb=1)
    code = bench.main(["1", "--solutions", str(solutions)], budgets=tiny)
    out = capsys.readouterr().out
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith(SMALL))
    assert "OVER" in row and "MB > 1 MB" in row
    assert BIG not in out


def test_judge_marks_each_budget() -> None:
    result = bench.NotebookResult(name="06_x.ipynb", seconds=700.0, peak_mb=100.0, metrics={})
    full = bench.Budgets(notebook_seconds=600, course_seconds=None, peak_mb=2500)
    assert bench.judge(result, full).status == "OVER"
    overridden = bench.Budgets(600, None, 2500, lesson_seconds={"06": 1500})
    assert bench.judge(result, overridden).status == "ok"
    heavy = bench.judge(result, bench.Budgets(1500, None, peak_mb=50))
    assert heavy.status == "OVER" and heavy.over == ("100 MB > 50 MB",)
    failed = bench.judge(bench.NotebookResult("01_y.ipynb", 1.0, 1.0, {}, 3, "KeyError"), full)
    assert failed.status == "FAILED"


def test_course_budget_is_judged_on_the_total() -> None:
    fast = bench.budgets_for("fast")
    results = tuple(
        bench.judge(bench.NotebookResult(f"{n:02d}_x.ipynb", 59.0, 100.0, {}), fast)
        for n in range(1, 12)
    )
    report = bench.BenchReport("fast", bench.machine_info(), fast, results)
    assert all(result.status == "ok" for result in results)
    assert report.course_over and report.exit_code == 1
    assert "OVER (649.0 s > 600 s)" in bench.format_report(report)
    assert bench.report_json(report)["total_status"] == "OVER"
    assert bench.budgets_for("full").course_seconds is None


# --- selection, metrics file, command line -----------------------------------------------------


def test_unknown_lesson_exits_2_naming_the_available(
    solutions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["07", "--solutions", str(solutions)]) == 2
    err = capsys.readouterr().err
    assert "07" in err and "01, 02, 03" in err


def test_unknown_lesson_from_the_command_line(solutions: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.bench", "42", "--solutions", str(solutions)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "42" in done.stderr and "available lessons: 01, 02, 03" in done.stderr


def test_find_notebooks_accepts_lesson_spellings(solutions: Path) -> None:
    names = [path.name for path in bench.find_notebooks(solutions, ["3", "01", "02_big"])]
    assert names == [SMALL, BIG, FAILS]
    assert [path.name for path in bench.find_notebooks(solutions)] == [SMALL, BIG, FAILS]


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
