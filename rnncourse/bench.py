"""Benchmark the solution notebooks: wall time, peak memory and reported metrics against budgets.

    python -m rnncourse.bench [--mode fast|full] [--json FILE] [NN ...] [--solutions DIR]
                              [--timeout S]

Each notebook runs in a fresh `python3` kernel (cwd: the notebook's folder; environment:
`rnncourse.env.kernel_environment(mode)` plus RNNCOURSE_METRICS, the file that
`rnncourse.env.report_metric` appends to). The notebook on disk is never written. The budgets are
those of section 9 of the course guide; a row over budget is marked OVER, a notebook that raises is
marked FAILED, and the command then exits 1 after printing everything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from rnncourse.env import MODES, kernel_environment
from rnncourse.paths import solutions_dir

KERNEL_NAME = "python3"
MB = 1_000_000  # memory is reported in MB of 10**6 bytes, as the guide's "2.5 GB"
SAMPLE_INTERVAL_S = 0.1
MIN_CELL_TIMEOUT_S = 60.0

# Budgets of the course guide, section 9.
NOTEBOOK_SECONDS: dict[str, float] = {"fast": 60.0, "full": 600.0}
COURSE_SECONDS: dict[str, float | None] = {"fast": 600.0, "full": None}
PEAK_MB = 2500.0
# Per-lesson wall-time overrides, by mode, for a lesson whose issue grants more time,
# e.g. {"full": {"06": 1500.0}}.
LESSON_SECONDS: dict[str, dict[str, float]] = {"fast": {}, "full": {"06": 1500.0}}

OK = "ok"
OVER = "OVER"
FAILED = "FAILED"

_NOTEBOOK_NAME = re.compile(r"^(\d{2})_.*\.ipynb$")


@dataclass(frozen=True)
class Budgets:
    """Limits a run is judged against: seconds per notebook and for the course, peak MB."""

    notebook_seconds: float
    course_seconds: float | None
    peak_mb: float
    lesson_seconds: dict[str, float] = field(default_factory=dict)

    def seconds_for(self, lesson: str) -> float:
        """Return the wall-time budget of one lesson (its override, else the notebook budget)."""
        return self.lesson_seconds.get(lesson, self.notebook_seconds)

    def as_dict(self) -> dict[str, Any]:
        """Return the budgets as a JSON-ready dict."""
        return {
            "notebook_seconds": self.notebook_seconds,
            "course_seconds": self.course_seconds,
            "peak_mb": self.peak_mb,
            "lesson_seconds": dict(self.lesson_seconds),
        }


def budgets_for(mode: str) -> Budgets:
    """Return the course guide's budgets for run mode "fast" or "full"."""
    if mode not in MODES:
        raise ValueError(f"run mode {mode!r} is not one of {MODES}")
    return Budgets(
        notebook_seconds=NOTEBOOK_SECONDS[mode],
        course_seconds=COURSE_SECONDS[mode],
        peak_mb=PEAK_MB,
        lesson_seconds=dict(LESSON_SECONDS.get(mode, {})),
    )


@dataclass(frozen=True)
class NotebookResult:
    """One notebook's measurements and, once judged, its status ("ok", "OVER" or "FAILED")."""

    name: str
    seconds: float
    peak_mb: float
    metrics: dict[str, float]
    error_cell: int | None = None
    error_name: str | None = None
    error_message: str = ""
    status: str = OK
    over: tuple[str, ...] = ()

    @property
    def lesson(self) -> str:
        """Return the lesson number, the two digits the file name starts with."""
        return self.name[:2]

    @property
    def failed(self) -> bool:
        """Return True when the notebook raised (or its kernel died or timed out)."""
        return self.error_name is not None


@dataclass(frozen=True)
class BenchReport:
    """A whole benchmark run: mode, machine, budgets and one judged result per notebook."""

    mode: str
    machine: dict[str, Any]
    budgets: Budgets
    results: tuple[NotebookResult, ...]

    @property
    def total_seconds(self) -> float:
        """Return the summed wall time of all notebooks, kernel starts included."""
        return sum(result.seconds for result in self.results)

    @property
    def course_over(self) -> bool:
        """Return True when the whole run exceeds the course budget (if the mode has one)."""
        limit = self.budgets.course_seconds
        return limit is not None and self.total_seconds > limit

    @property
    def exit_code(self) -> int:
        """Return 0 when every notebook and the total are within budget, else 1."""
        bad = any(result.status != OK for result in self.results)
        return 1 if bad or self.course_over else 0


class UnknownLessonError(LookupError):
    """Raised when a requested lesson has no solution notebook; the message names those that do."""


# --- memory -----------------------------------------------------------------------------------


def tree_rss_bytes(pid: int) -> int:
    """Return the summed RSS of process `pid` and all its descendants in bytes (0 if it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:  # exited between listing and reading
            continue
    return total


def own_peak_bytes(pid: int) -> int:
    """Return the peak RSS the OS recorded for process `pid` in bytes, or 0 where none is kept.

    psutil reports it on Windows (`peak_wset`); on Linux it is VmHWM in /proc/PID/status.
    """
    try:
        info = psutil.Process(pid).memory_info()
    except psutil.Error:
        return 0
    peak = getattr(info, "peak_wset", None)
    if peak:
        return int(peak)
    return _linux_high_water_mark(pid)


def _linux_high_water_mark(pid: int) -> int:
    """Return VmHWM of process `pid` in bytes, or 0 when /proc does not report it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakMemorySampler:
    """Background thread that records the peak memory of a process tree while in a `with` block.

    `pid_source` is called at each sample and returns the root pid, or None while there is none
    yet. Each sample takes the RSS of the root plus its descendants, and the root's own recorded
    peak where the OS keeps one (it catches spikes shorter than the sampling interval).
    """

    def __init__(
        self, pid_source: Callable[[], int | None], interval: float = SAMPLE_INTERVAL_S
    ) -> None:
        self._pid_source = pid_source
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)
        self.peak_bytes = 0

    def __enter__(self) -> PeakMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        """Return the peak seen so far in MB."""
        return self.peak_bytes / MB

    def sample(self) -> int:
        """Take one sample, update `peak_bytes` and return the bytes measured now (0 if no pid)."""
        pid = self._pid_source()
        if pid is None:
            return 0
        now = max(tree_rss_bytes(pid), own_peak_bytes(pid))
        self.peak_bytes = max(self.peak_bytes, now)
        return now

    def _run(self) -> None:
        """Sample until stopped."""
        self.sample()
        while not self._stop.wait(self._interval):
            self.sample()


# --- running one notebook -----------------------------------------------------------------------


def read_metrics(path: Path) -> dict[str, float]:
    """Return the metrics in a RNNCOURSE_METRICS file as {name: value} (the last value of a name
    wins); lines that are not {"name", "value"} JSON are skipped, a missing file gives {}."""
    if not path.exists():
        return {}
    metrics: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            metrics[str(record["name"])] = float(record["value"])
        except (ValueError, KeyError, TypeError):
            continue
    return metrics


def _kernel_pid(client: NotebookClient) -> int | None:
    """Return the pid of the client's kernel process, or None while it has none."""
    provisioner = getattr(client.km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    pid = getattr(process, "pid", None)
    return pid if isinstance(pid, int) else None


class _CellTracker:
    """nbclient `on_cell_start` hook remembering the index of the cell being executed."""

    def __init__(self) -> None:
        self.index: int | None = None

    def __call__(self, cell: Any, cell_index: int) -> None:
        self.index = cell_index


def _execute(client: NotebookClient, env: dict[str, str], log: Path) -> tuple[str, str] | None:
    """Run every cell with the kernel's stderr sent to `log`; return None on success, else
    (error name, message). When the kernel itself fails, the message ends with the log's tail."""
    try:
        with log.open("wb") as stderr:
            client.execute(env=env, stderr=stderr)
    except CellExecutionError as error:
        return error.ename, error.evalue
    except CellTimeoutError as error:
        return type(error).__name__, str(error)
    except Exception as error:  # dead kernel, kernel that would not start
        tail = log.read_text(encoding="utf-8", errors="replace")[-500:].strip()
        return type(error).__name__, f"{error} {tail}".strip()
    return None


def run_notebook(
    path: Path,
    mode: str = "fast",
    *,
    timeout: float | None = None,
    interval: float = SAMPLE_INTERVAL_S,
) -> NotebookResult:
    """Execute one notebook in a fresh kernel and return its (unjudged) `NotebookResult`.

    `timeout` is nbclient's per-cell limit in seconds (None: no limit). The notebook is read,
    executed in memory and never written back. The kernel's own stderr (ipykernel's start-up
    warnings) is kept out of the terminal; its tail goes into the message if the kernel fails.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    tracker = _CellTracker()
    with tempfile.TemporaryDirectory(prefix="rnncourse-bench-") as scratch:
        metrics_file = Path(scratch) / "metrics.jsonl"
        env = kernel_environment(mode)
        env["RNNCOURSE_METRICS"] = str(metrics_file)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(path.resolve().parent)}},
            on_cell_start=tracker,
        )
        start = time.perf_counter()
        with PeakMemorySampler(lambda: _kernel_pid(client), interval) as sampler:
            error = _execute(client, env, Path(scratch) / "kernel-stderr.log")
        seconds = time.perf_counter() - start
        metrics = read_metrics(metrics_file)
    return NotebookResult(
        name=path.name,
        seconds=seconds,
        peak_mb=sampler.peak_mb,
        metrics=metrics,
        error_cell=tracker.index if error else None,
        error_name=error[0] if error else None,
        error_message=error[1][:800] if error else "",
    )


# --- judging and running the course ------------------------------------------------------------


def judge(result: NotebookResult, budgets: Budgets) -> NotebookResult:
    """Return a copy of `result` with its status ("ok", "OVER" or "FAILED") and reasons set."""
    over = []
    limit = budgets.seconds_for(result.lesson)
    if result.seconds > limit:
        over.append(f"{result.seconds:.1f} s > {limit:g} s")
    if result.peak_mb > budgets.peak_mb:
        over.append(f"{result.peak_mb:.0f} MB > {budgets.peak_mb:g} MB")
    status = FAILED if result.failed else OVER if over else OK
    return replace(result, status=status, over=tuple(over))


def find_notebooks(folder: Path, lessons: Sequence[str] = ()) -> list[Path]:
    """Return the solution notebooks NN_*.ipynb in `folder`: all of them, or those of `lessons`.

    Lessons may be written "1", "01" or "01_name"; raises UnknownLessonError naming the available
    lessons when one has no notebook.
    """
    available: dict[str, Path] = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        match = _NOTEBOOK_NAME.match(path.name)
        if match:
            available.setdefault(match.group(1), path)
    if not lessons:
        return list(available.values())
    wanted = sorted({_lesson_number(lesson) for lesson in lessons})
    missing = [lesson for lesson in wanted if lesson not in available]
    if missing:
        names = ", ".join(available) or "none"
        raise UnknownLessonError(
            f"no solution notebook for lesson {', '.join(missing)} in {folder}; "
            f"available lessons: {names}"
        )
    return [available[lesson] for lesson in wanted]


def _lesson_number(text: str) -> str:
    """Return the two-digit lesson number in "1", "01", "01_name" or "01_name.ipynb"."""
    head = str(text).split("_", 1)[0].strip()
    return head.zfill(2) if head.isdigit() else head


def _cell_timeout(timeout: float | None, budgets: Budgets, lesson: str) -> float:
    """Return the per-cell limit: `timeout`, else twice the lesson's budget (at least 60 s)."""
    if timeout is not None:
        return timeout
    return max(2 * budgets.seconds_for(lesson), MIN_CELL_TIMEOUT_S)


def run_bench(
    notebooks: Sequence[Path],
    mode: str = "fast",
    *,
    budgets: Budgets | None = None,
    timeout: float | None = None,
    progress: TextIO | None = None,
) -> BenchReport:
    """Run each notebook in its own kernel, judge it against `budgets` (default: the mode's)
    and return the `BenchReport`. `progress`, if given, gets one line per notebook."""
    chosen = budgets if budgets is not None else budgets_for(mode)
    results = []
    for index, path in enumerate(notebooks, start=1):
        if progress is not None:
            print(f"[{index}/{len(notebooks)}] {Path(path).name} ...", file=progress, flush=True)
        limit = _cell_timeout(timeout, chosen, Path(path).name[:2])
        results.append(judge(run_notebook(path, mode, timeout=limit), chosen))
    return BenchReport(mode=mode, machine=machine_info(), budgets=chosen, results=tuple(results))


# --- machine and output ------------------------------------------------------------------------


def _package_version(name: str) -> str:
    """Return an installed distribution's version without importing it, or "not installed"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_count() -> int:
    """Return the number of CPUs this process may use (affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_info() -> dict[str, Any]:
    """Return {cpus, python, tensorflow, platform} describing this machine (TF is not imported)."""
    return {
        "cpus": _cpu_count(),
        "python": platform.python_version(),
        "tensorflow": _package_version("tensorflow"),
        "platform": platform.platform(),
    }


def format_value(value: float) -> str:
    """Return a metric value written compactly: 41000 -> "41000", 1.523456 -> "1.523"."""
    if math.isfinite(value) and abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.4g}"


def format_metrics(metrics: dict[str, float]) -> str:
    """Return metrics as "name=value, name=value" in the order they were first reported."""
    return ", ".join(f"{name}={format_value(value)}" for name, value in metrics.items())


def _status_text(result: NotebookResult) -> str:
    """Return the budget column of one row: "ok", "OVER (reasons)" or "FAILED (cell N: Error)"."""
    if result.failed:
        return f"FAILED (cell {result.error_cell}: {result.error_name})"
    if result.over:
        return f"OVER ({'; '.join(result.over)})"
    return OK


def _total_status(report: BenchReport) -> str:
    """Return the budget column of the total row, judged against the course budget."""
    limit = report.budgets.course_seconds
    if limit is None:
        return "-"
    if report.course_over:
        return f"OVER ({report.total_seconds:.1f} s > {limit:g} s)"
    return f"ok (<= {limit:g} s)"


def machine_line(report: BenchReport) -> str:
    """Return the line printed above the table: machine, mode and budgets."""
    machine, budgets = report.machine, report.budgets
    course = f", course <= {budgets.course_seconds:g} s" if budgets.course_seconds else ""
    return (
        f"machine: {machine['cpus']} CPUs, Python {machine['python']}, "
        f"TensorFlow {machine['tensorflow']}, {machine['platform']} | mode: {report.mode} | "
        f"budgets: <= {budgets.notebook_seconds:g} s per notebook{course}, "
        f"<= {budgets.peak_mb:g} MB peak"
    )


def _render_rows(rows: list[list[str]]) -> list[str]:
    """Return table lines with aligned columns; numeric columns (1 and 2) right-aligned."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if column in (1, 2) else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(" | ".join(cells).rstrip())
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


def format_report(report: BenchReport) -> str:
    """Return the printed report: machine line, table with a total row, and a summary line."""
    rows = [["notebook", "seconds", "peak MB", "budget", "metrics"]]
    for result in report.results:
        rows.append(
            [
                result.name,
                f"{result.seconds:.1f}",
                f"{result.peak_mb:.0f}",
                _status_text(result),
                format_metrics(result.metrics),
            ]
        )
    peak = max((result.peak_mb for result in report.results), default=0.0)
    rows.append(["total", f"{report.total_seconds:.1f}", f"{peak:.0f}", _total_status(report), ""])
    counts = {s: sum(r.status == s for r in report.results) for s in (OK, OVER, FAILED)}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    verdict = "all within budget" if report.exit_code == 0 else "NOT within budget"
    return "\n".join([machine_line(report), "", *_render_rows(rows), "", f"{summary}: {verdict}"])


def _result_json(result: NotebookResult) -> dict[str, Any]:
    """Return one notebook's JSON record."""
    error = None
    if result.failed:
        error = {
            "cell": result.error_cell,
            "name": result.error_name,
            "message": result.error_message,
        }
    return {
        "name": result.name,
        "seconds": round(result.seconds, 3),
        "peak_mb": round(result.peak_mb, 1),
        "metrics": dict(result.metrics),
        "status": result.status,
        "over": list(result.over),
        "error": error,
    }


def report_json(report: BenchReport) -> dict[str, Any]:
    """Return the report as the JSON document `--json` writes."""
    return {
        "mode": report.mode,
        "machine": dict(report.machine),
        "notebooks": [_result_json(result) for result in report.results],
        "total_seconds": round(report.total_seconds, 3),
        "total_status": OVER if report.course_over else OK,
        "budgets": report.budgets.as_dict(),
    }


def write_json(report: BenchReport, path: Path) -> Path:
    """Write the report's JSON to `path` (creating its folder) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report_json(report), indent=2) + "\n", encoding="utf-8")
    return path


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the parsed command-line arguments of `python -m rnncourse.bench`."""
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.bench",
        description="Run the solution notebooks and check wall time and peak memory budgets.",
    )
    parser.add_argument("lessons", nargs="*", metavar="NN", help="lesson numbers (default: all)")
    parser.add_argument("--mode", choices=MODES, default="fast", help="run mode (default: fast)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument(
        "--solutions", metavar="DIR", help="folder of the notebooks (default: solutions/)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="per-cell time limit in seconds (default: twice the notebook's budget, >= 60 s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, budgets: Budgets | None = None) -> int:
    """Run the benchmark command and return its exit status: 0 all within budget, 1 a notebook
    OVER budget or FAILED, 2 nothing to run (unknown lesson, no notebooks, no checkout).

    `budgets` replaces the mode's budgets (for tests and experiments)."""
    args = parse_args(argv)
    try:
        folder = Path(args.solutions) if args.solutions else solutions_dir()
        notebooks = find_notebooks(folder, args.lessons)
    except (UnknownLessonError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not notebooks:
        print(f"error: no solution notebooks (NN_*.ipynb) in {folder}", file=sys.stderr)
        return 2
    report = run_bench(
        notebooks, args.mode, budgets=budgets, timeout=args.timeout, progress=sys.stderr
    )
    print(format_report(report))
    if args.json:
        write_json(report, Path(args.json))
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
