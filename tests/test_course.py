"""The course index: every lesson entry has its files, nothing lacks an entry, lookups name the
valid lessons, budgets and the run mode, and the one repository URL that badges and setup use."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from rnncourse import checks, course, env

ROOT = Path(__file__).resolve().parent.parent
VALID = ", ".join(item.number for item in course.LESSONS)


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda item: item.number)
def test_every_lesson_entry_has_its_files_and_checks(lesson: course.Lesson) -> None:
    assert lesson.solution_path().is_file(), f"{lesson.solution_path()} is missing"
    assert lesson.lesson_path().is_file(), "run `python -m rnncourse.build lessons`"
    assert lesson.quiz_path().is_file(), f"{lesson.quiz_path()} is missing"
    module = importlib.import_module(lesson.checks_module)
    assert module.__all__, f"{lesson.checks_module} exports no check"
    for name in module.__all__:
        assert getattr(checks, name) is getattr(module, name), f"checks.{name} is not exported"
        assert name in checks.__all__


@pytest.mark.parametrize("folder", ["solutions", "lessons"])
def test_no_notebook_lacks_an_entry(folder: str) -> None:
    names = {item.filename for item in course.LESSONS}
    found = {path.name for path in (ROOT / folder).glob("*.ipynb")}
    strays = {name for name in found - names if not name.endswith(".mine.ipynb")}
    assert not strays, f"{folder}/ notebooks without an entry in rnncourse.course.LESSONS"


def test_lesson_lookup_accepts_short_numbers_and_names_the_valid_ones() -> None:
    first = course.LESSONS[0]
    assert course.lesson("1") is course.lesson(1) is course.lesson(first.number) is first
    with pytest.raises(course.UnknownLessonError) as caught:
        course.lesson("99")
    assert str(caught.value) == f"unknown lesson '99'; the course has lessons {VALID}"
    assert course.select(["3", "01"]) == [course.lesson(1), course.lesson(3)]
    assert course.select([]) == list(course.LESSONS)


def test_budgets_are_per_lesson_and_mode() -> None:
    assert course.lesson("01").seconds("fast") == 60 and course.lesson("01").seconds("full") == 600
    assert course.lesson("06").seconds("full") == 1500, "lesson 06 has 25 minutes in full mode"
    with pytest.raises(ValueError, match="not a run mode"):
        course.lesson("01").seconds("slow")


def test_the_run_mode_and_the_kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RNNCOURSE_MODE", raising=False)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert env.mode() == "full", "full is the default"
    monkeypatch.setenv("RNNCOURSE_MODE", " Fast ")
    assert env.mode() == "fast" and env.mode("full") == "full"
    kernel = env.kernel_environment("full")
    assert kernel["RNNCOURSE_MODE"] == "full" and kernel["TF_CPP_MIN_LOG_LEVEL"] == "3"
    monkeypatch.setenv("RNNCOURSE_MODE", "turbo")
    with pytest.raises(ValueError, match=r"RNNCOURSE_MODE='turbo' is not a run mode"):
        env.kernel_environment()


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda item: item.number)
def test_badges_open_the_notebook_in_the_repository_the_setup_cell_clones(
    lesson: course.Lesson,
) -> None:
    setup = course.setup_cell_source(lesson.number)
    [cloned] = re.findall(r'url, checkout = "https://github\.com/([^"]+)", ', setup)
    assert '["git", "clone", "-q", "--depth", "1", url, checkout]' in setup
    assert "tensorflow" not in setup.lower(), "Colab's TensorFlow is never reinstalled"
    for folder, path in (("solutions", lesson.solution_path()), ("lessons", lesson.lesson_path())):
        notebook = nbformat.read(path, as_version=4)
        links = re.findall(
            r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/[^/]+/([^)]+)\)",
            notebook.cells[0].source,
        )
        assert links == [(cloned, f"{folder}/{lesson.filename}")], links


def test_repository_url_is_written_nowhere_else_in_the_package() -> None:
    """Only course.py spells the repository; everything else derives from it."""
    pattern = re.compile(re.escape(course.REPO))
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "rnncourse").rglob("*.py")
        if path.name != "course.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_setup_cell_never_prompts_never_prints_pips_restart_note_and_has_no_test_hooks() -> (
    None
):
    """The kernel runs of tests/test_colab_setup.py show the behaviour; this pins the text."""
    setup = course.setup_cell_source("01")
    assert 'GIT_TERMINAL_PROMPT="0"' in setup and 'GIT_ASKPASS=""' in setup
    assert "%pip" not in setup and "\n    !" not in setup, "pip's restart note comes with %pip"
    assert setup.index("git") < setup.index('"pip", "install"'), "clone, then install"
    assert "environ.get" not in setup and "RNNCOURSE" not in setup, "no test hooks on Colab"
    local = course.setup_cell_source("01", url="file:///tmp/origin", checkout="/tmp/content/c")
    assert local == setup.replace(course.repo_url(), "file:///tmp/origin").replace(
        course.COLAB_CHECKOUT, "/tmp/content/c"
    )
    compile(setup, "setup", "exec")  # plain Python: no IPython syntax
