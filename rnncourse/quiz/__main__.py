"""`python -m rnncourse.quiz 01 [--part pre|post|all]` asks a lesson's quiz in the terminal.

`python -m rnncourse.quiz --list` lists the quiz banks. Exit status: 0 after the last question,
1 when input ends early (Ctrl-D) or a bank is broken, 2 for an unknown lesson or bad arguments,
130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from rnncourse.course import LESSONS, UnknownLessonError
from rnncourse.quiz.bank import QuizBankError, load_bank, read_bank
from rnncourse.quiz.terminal import InputFn, PrintFn, run_quiz


def _parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.quiz",
        description="Take a lesson's quiz in the terminal: answers are checked and explained.",
    )
    parser.add_argument("lesson", nargs="?", help="lesson number, e.g. 01 (or 1)")
    parser.add_argument(
        "--part",
        choices=("pre", "post", "all"),
        default="all",
        help="pre: warm-up questions, post: end-of-lesson quiz, all: both (default)",
    )
    parser.add_argument("--list", action="store_true", help="list the quiz banks and exit")
    return parser


def list_banks(print_fn: PrintFn = print) -> int:
    """Print one line per quiz bank (lesson, title, question counts, file); return 0, or 1 if a
    bank is broken (its problems are printed instead of its line)."""
    status = 0
    for item in LESSONS:
        path = item.quiz_path()
        try:
            bank = read_bank(path)
        except QuizBankError as error:
            print_fn(str(error))
            status = 1
            continue
        counts = f"{len(bank.part('pre'))} warm-up + {len(bank.part('post'))} quiz questions"
        print_fn(f"{item.number}  {bank.title}  ({counts})  quizzes/{path.name}")
    return status


def main(
    argv: Sequence[str] | None = None,
    *,
    input_fn: InputFn = input,
    print_fn: PrintFn = print,
    error_fn: Callable[[str], Any] | None = None,
) -> int:
    """Run the command line `argv` (default sys.argv[1:]) and return the exit status."""
    if error_fn is None:

        def error_fn(message: str) -> None:
            print(message, file=sys.stderr)

    args = _parser().parse_args(argv)
    if args.list:
        return list_banks(print_fn)
    if args.lesson is None:
        error_fn("which lesson? e.g. `python -m rnncourse.quiz 01`; `--list` shows the quizzes")
        return 2
    try:
        bank = load_bank(args.lesson)
    except UnknownLessonError as error:
        error_fn(str(error))
        return 2
    except QuizBankError as error:
        error_fn(str(error))
        return 1
    try:
        return run_quiz(bank, args.part, input_fn=input_fn, print_fn=print_fn).exit_code
    except KeyboardInterrupt:  # between two questions' inputs
        print_fn("\nGoodbye!")
        return 130


if __name__ == "__main__":
    sys.exit(main())
