"""Grade learners' lesson notebooks with the course's own checks.

    python -m rnncourse.grade PATH [PATH ...] [--mode fast|full] [--jobs N] [--csv FILE]
                              [--json FILE] [--timeout S] [--cell-timeout S] [--check-timeout S]
                              [--memory MB] [--root DIR]

PATH is a lesson notebook or a folder searched for them: one folder per learner
(`submitted/alice/01_simple_rnn_cell.ipynb`) or a flat folder of submissions. Each notebook's
lesson is told from its metadata (then its setup cell, then its file name); a copy runs in a fresh
kernel in a temporary folder (fast mode unless `--mode full`), offline, with a wall-clock timeout
and a memory limit; then every check of that lesson is called by the grader, in a separate fresh
process, on the learner's functions taken from the kernel. Printed output and the notebook's own
`checks` are never trusted. Run on `lessons/` of your own checkout, it is your progress report.

The submitted files are never modified and nothing is written next to them; `--csv` and `--json`
write the results where you say. Grading executes learners' code: for a class, run it in a
container. The exit status is 0 whenever grading ran, whatever the scores; 1 when grading stopped
because the course's files changed on disk; 2 when there was nothing to grade.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rnncourse.env import MODES
from rnncourse.grading import report
from rnncourse.grading.grader import Options, SubmissionResult, grade
from rnncourse.grading.sandbox import Limits, limits_supported
from rnncourse.grading.submissions import find_submissions


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the parsed command line of `python -m rnncourse.grade`."""
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.grade",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notebooks or folders")
    parser.add_argument("--mode", choices=MODES, default="fast", help="run mode (default fast)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at once (default 2)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write the gradebook CSV here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write all results as JSON here")
    parser.add_argument(
        "--timeout",
        type=float,
        help="wall seconds per notebook run (default 4 x the lesson's budget + 60)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        help="seconds after which a cell is interrupted (default 2 x the lesson's budget)",
    )
    parser.add_argument(
        "--check-timeout", type=float, default=60.0, help="seconds per check (default 60)"
    )
    parser.add_argument(
        "--memory", type=int, default=4096, metavar="MB", help="memory limit (default 4096 MB)"
    )
    parser.add_argument("--root", type=Path, help="course checkout (default: this one)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (0 graded, 1 stopped, 2 nothing to do)."""
    args = parse_args(argv)
    submissions, missing = find_submissions(args.paths)
    for line in missing:
        print(f"warning: {line}", file=sys.stderr)
    if not submissions:
        print("error: no notebooks (*.ipynb) found to grade", file=sys.stderr)
        return 2
    if not limits_supported():
        print("warning: memory limits are enforced on Linux only", file=sys.stderr)
    options = Options(
        mode=args.mode,
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        check_timeout=args.check_timeout,
        limits=Limits(memory_mb=args.memory),
        jobs=args.jobs,
        root=args.root,
    )
    count = len(submissions)

    def progress(index: int, result: SubmissionResult) -> None:
        if not args.quiet:
            score = f"{result.score}/{result.total}" if result.lesson else "not a lesson"
            print(
                f"[{index + 1}/{count}] {result.learner}: {result.path.name}: {score} "
                f"({result.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    if not args.quiet:
        print(
            f"grading {count} notebook{'s' if count != 1 else ''} in {args.mode} mode, "
            f"{max(1, args.jobs)} at a time",
            file=sys.stderr,
            flush=True,
        )
    results, stopped = grade(submissions, options, progress)
    for result in results:
        print(report.format_submission(result))
        print()
    print(report.format_summary(results))
    if args.csv:
        args.csv.write_text(report.csv_text(results), encoding="utf-8")
    if args.json:
        args.json.write_text(report.json_text(results, args.mode), encoding="utf-8")
    if stopped:
        print(f"error: grading stopped: {stopped}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
