"""Benchmark the solution notebooks: wall time, peak memory, the slowest check cell and the
metrics each notebook reports, judged against the budgets in `rnncourse.course`.

    python -m rnncourse.bench [NN ...] [--mode fast|full] [--json FILE] [--timeout S] [--root DIR]
    python -m rnncourse.bench --readme [--root DIR]

Each notebook runs in a fresh kernel through `rnncourse.notebooks.run` (the notebook on disk is
never written), with RNNCOURSE_METRICS set to the file that `rnncourse.env.report_metric`
appends to. A row over budget is marked OVER, a notebook that raises FAILED, and the command then
exits 1 after printing everything. `--readme` runs every lesson in fast and then in full mode and
writes the table between the README's `<!-- bench:start -->` and `<!-- bench:end -->` lines.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import psutil

from rnncourse import course, notebooks, paths
from rnncourse.build import BuildError, chosen_lessons, show, updated_readme
from rnncourse.course import Lesson, UnknownLessonError
from rnncourse.env import MODES
from rnncourse.env import mode as run_mode
from rnncourse.notebooks import CellError, write_text

MB = 1_000_000  # memory is reported in MB of 10**6 bytes, as the guide's "2.5 GB"
SAMPLE_INTERVAL_S = 0.1
MIN_CELL_TIMEOUT_S = 60.0
CHECK_TAG = "check"
README_MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")

OK = "ok"
OVER = "OVER"
FAILED = "FAILED"


@dataclass(frozen=True)
class Budgets:
    """Limits a run is judged against: seconds per lesson, for the course, peak MB, check cell."""

    lesson_seconds: dict[str, float]
    course_seconds: float | None
    peak_mb: float = course.PEAK_MB
    check_seconds: float = course.CHECK_SECONDS


def budgets_for(mode: str) -> Budgets:
    """Return the course's budgets for run mode "fast" or "full" (each lesson's from its entry)."""
    mode = run_mode(mode)
    return Budgets(
        lesson_seconds={item.number: item.seconds(mode) for item in course.LESSONS},
        course_seconds=course.COURSE_SECONDS[mode],
    )


@dataclass(frozen=True)
class NotebookResult:
    """One notebook's measurements and, once judged, its status ("ok", "OVER" or "FAILED").

    `check_seconds` is the slowest cell tagged `check` (cell number `check_cell`, from 1).
    """

    lesson: str
    name: str
    seconds: float
    peak_mb: float
    metrics: dict[str, float]
    check_seconds: float | None = None
    check_cell: int | None = None
    error: CellError | None = None
    status: str = OK
    over: tuple[str, ...] = ()


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
        peak = getattr(psutil.Process(pid).memory_info(), "peak_wset", None)
    except psutil.Error:
        return 0
    if peak:
        return int(peak)
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


# --- running and judging ------------------------------------------------------------------------


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


def run_notebook(
    lesson: Lesson,
    mode: str = "fast",
    *,
    root: Path | None = None,
    timeout: float | None = None,
    interval: float = SAMPLE_INTERVAL_S,
) -> NotebookResult:
    """Execute the lesson's solution in a fresh kernel and return its (unjudged) result.

    `timeout` is the per-cell limit in seconds (None: no limit). The file is never written.
    """
    path = lesson.solution_path(root)
    samplers: list[PeakMemorySampler] = []

    def watch(kernel_pid: Callable[[], int | None]) -> PeakMemorySampler:
        samplers.append(PeakMemorySampler(kernel_pid, interval))
        return samplers[-1]

    with tempfile.TemporaryDirectory(prefix="rnncourse-bench-") as scratch:
        metrics_file = Path(scratch) / "metrics.jsonl"
        extra = {"RNNCOURSE_METRICS": str(metrics_file)}
        done = notebooks.run(path, mode, timeout=timeout, env=extra, watch=watch)
        metrics = read_metrics(metrics_file)
    checks = {
        number: seconds
        for number, seconds in done.cell_seconds.items()
        if CHECK_TAG in done.notebook.cells[number - 1].get("metadata", {}).get("tags", [])
    }
    slowest = max(checks, key=checks.__getitem__, default=None)
    return NotebookResult(
        lesson=lesson.number,
        name=path.name,
        seconds=done.seconds,
        peak_mb=samplers[0].peak_bytes / MB,
        metrics=metrics,
        check_seconds=checks[slowest] if slowest is not None else None,
        check_cell=slowest,
        error=done.error,
    )


def judge(result: NotebookResult, budgets: Budgets) -> NotebookResult:
    """Return a copy of `result` with its status ("ok", "OVER" or "FAILED") and reasons set."""
    over = []
    limit = budgets.lesson_seconds[result.lesson]
    if result.seconds > limit:
        over.append(f"{result.seconds:.1f} s > {limit:g} s")
    if result.peak_mb > budgets.peak_mb:
        over.append(f"{result.peak_mb:.0f} MB > {budgets.peak_mb:g} MB")
    if result.check_seconds is not None and result.check_seconds > budgets.check_seconds:
        over.append(
            f"check cell {result.check_cell}: {result.check_seconds:.2f} s > "
            f"{budgets.check_seconds:g} s"
        )
    status = FAILED if result.error else OVER if over else OK
    return replace(result, status=status, over=tuple(over))


def run_bench(
    lessons: Sequence[Lesson],
    mode: str = "fast",
    *,
    root: Path | None = None,
    budgets: Budgets | None = None,
    timeout: float | None = None,
    progress: TextIO | None = None,
) -> BenchReport:
    """Run each lesson's solution in its own kernel, judge it against `budgets` (default: the
    mode's) and return the `BenchReport`. `progress`, if given, gets one line per notebook.

    The per-cell limit is `timeout`, else twice the lesson's budget (at least 60 s)."""
    chosen = budgets if budgets is not None else budgets_for(mode)
    results = []
    for index, item in enumerate(lessons, start=1):
        if progress is not None:
            print(
                f"[{index}/{len(lessons)}] {item.filename} ({mode}) ...", file=progress, flush=True
            )
        limit = timeout or max(2 * chosen.lesson_seconds[item.number], MIN_CELL_TIMEOUT_S)
        results.append(judge(run_notebook(item, mode, root=root, timeout=limit), chosen))
    return BenchReport(mode=mode, machine=machine_info(), budgets=chosen, results=tuple(results))


# --- machine and output ------------------------------------------------------------------------


def _gpu() -> str:
    """Return the names of the NVIDIA GPUs `nvidia-smi` lists, or "no GPU"."""
    try:
        listed = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "no GPU"
    return ", ".join(name.strip() for name in listed.splitlines() if name.strip()) or "no GPU"


def machine_info() -> dict[str, Any]:
    """Return {cpus, gpu, python, tensorflow, platform} of this machine (TF is not imported)."""
    try:
        tensorflow = metadata.version("tensorflow")
    except metadata.PackageNotFoundError:
        tensorflow = "not installed"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": cpus or 1,
        "gpu": _gpu(),
        "python": platform.python_version(),
        "tensorflow": tensorflow,
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
    if result.error:
        return f"FAILED (cell {result.error.cell}: {result.error.name})"
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


def format_report(report: BenchReport) -> str:
    """Return the printed report: machine line, table with a total row, and a summary line."""
    machine, budgets = report.machine, report.budgets
    course_limit = f", course <= {budgets.course_seconds:g} s" if budgets.course_seconds else ""
    header = (
        f"machine: {machine['cpus']} CPUs, {machine['gpu']}, Python {machine['python']}, "
        f"TensorFlow {machine['tensorflow']}, {machine['platform']} | mode: {report.mode} | "
        f"budgets: seconds per notebook as listed in rnncourse.course{course_limit}, "
        f"<= {budgets.peak_mb:g} MB peak, <= {budgets.check_seconds:g} s per check cell"
    )
    rows = [["notebook", "seconds", "peak MB", "check s", "budget", "metrics"]]
    for result in report.results:
        rows.append(
            [
                result.name,
                f"{result.seconds:.1f}",
                f"{result.peak_mb:.0f}",
                "-" if result.check_seconds is None else f"{result.check_seconds:.2f}",
                _status_text(result),
                format_metrics(result.metrics),
            ]
        )
    peak = max((result.peak_mb for result in report.results), default=0.0)
    total = ["total", f"{report.total_seconds:.1f}", f"{peak:.0f}", "", _total_status(report), ""]
    rows.append(total)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        " | ".join(
            cell.rjust(width) if column in (1, 2, 3) else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    counts = {s: sum(r.status == s for r in report.results) for s in (OK, OVER, FAILED)}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    verdict = "all within budget" if report.exit_code == 0 else "NOT within budget"
    return "\n".join([header, "", *lines, "", f"{summary}: {verdict}"])


def report_json(report: BenchReport) -> dict[str, Any]:
    """Return the report as the JSON document `--json` writes."""
    notebooks_json = []
    for result in report.results:
        error = result.error
        notebooks_json.append(
            {
                "name": result.name,
                "seconds": round(result.seconds, 3),
                "peak_mb": round(result.peak_mb, 1),
                "check_seconds": result.check_seconds,
                "check_cell": result.check_cell,
                "metrics": dict(result.metrics),
                "status": result.status,
                "over": list(result.over),
                "error": error
                and {"cell": error.cell, "name": error.name, "message": error.message},
            }
        )
    return {
        "mode": report.mode,
        "machine": dict(report.machine),
        "notebooks": notebooks_json,
        "total_seconds": round(report.total_seconds, 3),
        "total_status": OVER if report.course_over else OK,
        "budgets": dataclasses.asdict(report.budgets),
    }


# --- the README's table ---------------------------------------------------------------------------


def shows(lesson: Lesson, metrics: dict[str, float]) -> str:
    """Return the lesson's "full mode shows" sentence filled with `metrics` ("" without one)."""
    try:
        return lesson.shows.format(**metrics)
    except KeyError as missing:
        return f"(metric {missing} was not reported)"


def readme_table(fast: BenchReport, full: BenchReport, today: datetime.date | None = None) -> str:
    """Return the README's benchmark block: machine, budgets and one row per notebook."""
    machine = fast.machine
    lines = [
        f"Written by `python -m rnncourse.bench --readme` on {today or datetime.date.today()}: "
        f"{machine['cpus']} CPU cores, {machine['gpu']}, Python {machine['python']}, TensorFlow "
        f"{machine['tensorflow']}; wall time includes the kernel start.",
        "",
        "| notebook | fast: s | fast: peak MB | full: s | full: peak MB | slowest check: s "
        "| full mode shows |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for quick, slow in zip(fast.results, full.results, strict=True):
        checks = [value for value in (quick.check_seconds, slow.check_seconds) if value is not None]
        cells = [
            quick.name,
            f"{quick.seconds:.0f}",
            f"{quick.peak_mb:.0f}",
            f"{slow.seconds:.0f}",
            f"{slow.peak_mb:.0f}",
            f"{max(checks):.2f}" if checks else "-",
            shows(course.lesson(slow.lesson), slow.metrics).replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"| **total** | **{fast.total_seconds:.0f}** | | **{full.total_seconds:.0f}** | | | |"
    )
    return "\n".join(lines)


def write_readme(root: Path, block: str) -> Path:
    """Write `block` between the bench markers of `root/README.md` and return the path."""
    path = root / "README.md"
    text = updated_readme(path.read_text(encoding="utf-8"), block, show(path), README_MARKERS)
    write_text(path, text)
    return path


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the parsed command-line arguments of `python -m rnncourse.bench`."""
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.bench",
        description="Run the solution notebooks and check them against the course's budgets.",
    )
    parser.add_argument("lessons", nargs="*", metavar="NN", help="lesson numbers (default: all)")
    parser.add_argument("--mode", choices=MODES, default="fast", help="run mode (default: fast)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--root", type=Path, help="course checkout (default: this one)")
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="per-cell time limit in seconds (default: twice the notebook's budget, >= 60 s)",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="run every lesson in fast and full mode and write the README's benchmark table",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, budgets: Budgets | None = None) -> int:
    """Run the benchmark command and return its exit status: 0 all within budget, 1 a notebook
    OVER budget or FAILED, 2 nothing to run (unknown lesson, no notebooks, no checkout).

    `budgets` replaces the mode's budgets (for tests and experiments)."""
    args = parse_args(argv)
    try:
        root = args.root or paths.course_root()
        if args.readme and args.lessons:
            raise BuildError("--readme runs every lesson: give no lesson numbers")
        lessons = chosen_lessons(root, args.lessons)
        if not lessons:
            raise BuildError(f"no solution notebooks of the course's lessons in {root}")
    except (BuildError, UnknownLessonError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    modes = MODES if args.readme else (args.mode,)
    reports = []
    for mode in modes:
        reports.append(
            run_bench(
                lessons, mode, root=root, budgets=budgets, timeout=args.timeout, progress=sys.stderr
            )
        )
        print(format_report(reports[-1]))
    if args.json:
        document = [report_json(r) for r in reports] if args.readme else report_json(reports[0])
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if args.readme:
        if any(result.error for report in reports for result in report.results):
            print("error: a notebook FAILED; README.md is left as it was", file=sys.stderr)
            return 1
        print(f"wrote the benchmark table in {show(write_readme(root, readme_table(*reports)))}")
    return max(report.exit_code for report in reports)


if __name__ == "__main__":
    raise SystemExit(main())
