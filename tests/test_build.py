"""rnncourse.build on synthetic courses in tmp_path (notebooks named after the course's lessons):
stubbing, lesson files, learners' work, the README table, the command line and execution."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rnncourse import build
from rnncourse.course import LESSONS, UnknownLessonError, colab_url, setup_cell_source

FIRST, SECOND, THIRD, FOURTH = (item.filename for item in LESSONS[:4])
SOLUTION_URL = "https://colab.research.google.com/github/someone/old-name/blob/dev/solutions/"

EXERCISE = """import numpy as np


def rnn_step(x, h, W_xh, W_hh, b):
    \"\"\"One step.\"\"\"
    ### BEGIN SOLUTION
    pre = x @ W_xh + h @ W_hh + b
    return np.tanh(pre)
    ### END SOLUTION


def helper():
    return 1


class Model:
    def forward(self, x):
        ### BEGIN SOLUTION
        return x
        ### END SOLUTION

answer = 42"""


def solution_notebook() -> nbformat.NotebookNode:
    """Return a small solution notebook: badge, exercise, check, solution-only cell, answer."""
    code = new_code_cell(EXERCISE, id="exercise", execution_count=3)
    code.outputs = [new_output("stream", name="stdout", text="done\n")]
    check = new_code_cell("check(rnn_step)", id="check", metadata={"tags": ["nbval-ignore-output"]})
    check.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    notebook = new_notebook(
        cells=[
            new_markdown_cell(f"# Title\n[![Open In Colab](x.svg)]({SOLUTION_URL}{FIRST})", id="t"),
            code,
            check,
            new_code_cell("print('secret')", id="hidden", metadata={"tags": ["solution-only"]}),
            new_code_cell(
                "rnn_step(1, 2, 3, 4, 5)", id="uses", metadata={"tags": ["uses-exercise"]}
            ),
            new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", id="why"),
        ],
        metadata={"widgets": {"state": {}}, "kernelspec": {"name": "venv", "display_name": "v"}},
    )
    return notebook


def write(path: Path, notebook: nbformat.NotebookNode) -> Path:
    """Write `notebook` to `path` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """Return a course root with two solutions, a README with markers and an empty lessons/."""
    write(tmp_path / "solutions" / FIRST, solution_notebook())
    second = new_notebook(cells=[new_code_cell("x = 1", id="only")])
    write(tmp_path / "solutions" / SECOND, second)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes").mkdir()
    readme = "# Course\n\n<!-- lessons:start -->\nold table\n<!-- lessons:end -->\n\nMore.\n"
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    return tmp_path


def lesson_of(course: Path, name: str = FIRST) -> nbformat.NotebookNode:
    """Return the generated lesson `name` of `course`, read back from disk."""
    return nbformat.read(course / "lessons" / name, as_version=4)


def sources(notebook: nbformat.NotebookNode) -> list[str]:
    """Return the sources of the notebook's cells."""
    return [cell.source for cell in notebook.cells]


# --- stubbing -----------------------------------------------------------------------------------


def test_stub_keeps_indentation_code_outside_and_every_block() -> None:
    stubbed = build.stub_source(EXERCISE)
    assert "np.tanh" not in stubbed and "return x\n" not in stubbed
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()\n" in stubbed
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()\n" in stubbed
    assert stubbed.count("raise NotImplementedError()") == 2
    assert "def helper():\n    return 1" in stubbed and '"""One step."""' in stubbed
    assert stubbed.startswith("import numpy as np") and stubbed.endswith("answer = 42")


def test_stub_markdown_and_untouched_source() -> None:
    text = "Q?\n### BEGIN SOLUTION\nA.\n### END SOLUTION\n"
    assert build.stub_source(text, "markdown") == "Q?\nYOUR ANSWER HERE\n"
    assert build.stub_source("x = 1\ny = 2") == "x = 1\ny = 2"


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    ],
)
def test_unbalanced_markers_name_notebook_and_cell(course: Path, source: str) -> None:
    notebook = new_notebook(cells=[new_code_cell("ok = 1", id="a"), new_code_cell(source, id="b")])
    write(course / "solutions" / THIRD, notebook)
    with pytest.raises(build.BuildError, match=rf"solutions/{THIRD}, cell 2 \(id b\)"):
        build.build_lessons(course, [LESSONS[2].number])
    assert not (course / "lessons" / THIRD).exists()


# --- generated lessons --------------------------------------------------------------------------


def test_lesson_content(course: Path) -> None:
    outcomes = build.build_lessons(course)
    assert [outcome.status for outcome in outcomes] == ["written", "written"]
    lesson = lesson_of(course)
    assert [cell.id for cell in lesson.cells] == ["t", "exercise", "check", "uses", "why"]
    assert not any("secret" in source for source in sources(lesson))
    exercise, check = lesson.cells[1], lesson.cells[2]
    assert exercise.outputs == [] and exercise.execution_count is None
    assert "raise NotImplementedError()" in exercise.source
    assert check.metadata == {"tags": ["nbval-ignore-output"]}
    # Run All goes past a cell that calls an unfinished exercise; the solution keeps its tags.
    assert lesson.cells[3].metadata.tags == ["uses-exercise", "raises-exception"]
    assert solution_notebook().cells[4].metadata.tags == ["uses-exercise"]
    assert lesson.cells[4].source == "Why?\n\nYOUR ANSWER HERE"
    assert set(lesson.metadata) == {"kernelspec", "language_info", "rnncourse"}
    assert lesson.metadata.language_info == {"name": "python"}
    assert lesson.metadata.kernelspec.name == "python3"
    assert lesson.metadata.rnncourse.content_sha256 == build.content_hash(lesson.cells)


def test_badge_points_at_lessons(course: Path) -> None:
    build.build_lessons(course, ["1"])
    title = lesson_of(course).cells[0].source
    assert f"]({colab_url('lessons', FIRST)})" in title
    assert "/solutions/" not in title


def test_regeneration_gives_identical_bytes(course: Path) -> None:
    build.build_lessons(course)
    path = course / "lessons" / FIRST
    first = path.read_bytes()
    assert first.endswith(b"}\n")
    outcomes = build.build_lessons(course)
    assert [outcome.status for outcome in outcomes] == ["unchanged", "unchanged"]
    path.unlink()
    build.build_lessons(course)
    assert path.read_bytes() == first


def test_solution_without_cell_ids_gets_stable_ids(course: Path) -> None:
    notebook = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    notebook.nbformat_minor = 4
    for cell in notebook.cells:
        del cell["id"]
    write(course / "solutions" / FOURTH, notebook)
    build.build_lessons(course, [LESSONS[3].number])
    first = (course / "lessons" / FOURTH).read_bytes()
    (course / "lessons" / FOURTH).unlink()
    build.build_lessons(course, [LESSONS[3].number])
    assert (course / "lessons" / FOURTH).read_bytes() == first
    assert [cell.id for cell in lesson_of(course, FOURTH).cells] == ["cell-1", "cell-2"]


def test_unknown_or_missing_lesson_is_named(course: Path, capsys: pytest.CaptureFixture) -> None:
    valid = ", ".join(item.number for item in LESSONS)
    with pytest.raises(
        UnknownLessonError, match=f"unknown lesson '99'; the course has lessons {valid}"
    ):
        build.build_lessons(course, ["99"])
    assert build.main(["lessons", "99", "--root", str(course)]) == 1
    assert "the course has lessons" in capsys.readouterr().err
    with pytest.raises(build.BuildError, match=f"{THIRD} is missing"):
        build.build_lessons(course, [LESSONS[2].number])


# --- --check ------------------------------------------------------------------------------------


def test_check_reports_missing_and_differing(course: Path) -> None:
    problems, count = build.check_lessons(course)
    assert count == 2 and len(problems) == 2 and all("missing" in p for p in problems)
    build.build_lessons(course)
    assert build.check_lessons(course) == ([], 2)
    lesson = course / "lessons" / SECOND
    lesson.write_text(lesson.read_text().replace("x = 1", "x = 2"))
    (course / "lessons" / SECOND.replace(".ipynb", ".mine.ipynb")).write_text("{}")  # ignored
    problems, _ = build.check_lessons(course)
    assert len(problems) == 1
    assert "differs" in problems[0] and SECOND in problems[0]
    assert build.check_lessons(course, ["1"]) == ([], 1)


def test_check_writes_nothing(course: Path) -> None:
    assert build.main(["lessons", "--check", "--root", str(course)]) == 1
    assert list((course / "lessons").iterdir()) == []


# --- learners' work -----------------------------------------------------------------------------


def fill_in(path: Path) -> bytes:
    """Edit the exercise cell of the lesson at `path` as a learner would; return the new bytes."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = notebook.cells[1].source.replace(
        "raise NotImplementedError()", "return x  # mine", 1
    )
    notebook.cells.append(new_code_cell("print('my experiment')"))
    nbformat.write(notebook, path)
    return path.read_bytes()


def change_solution(course: Path) -> None:
    """Change the first solution so that its lesson must be regenerated."""
    path = course / "solutions" / FIRST
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].source += "\nprint('new check')"
    nbformat.write(notebook, path)


def test_edited_lesson_is_not_overwritten(course: Path, capsys: pytest.CaptureFixture) -> None:
    build.build_lessons(course)
    path = course / "lessons" / FIRST
    edited = fill_in(path)
    change_solution(course)
    (course / "lessons" / SECOND).unlink()
    assert build.main(["lessons", "--root", str(course)]) == 1
    assert path.read_bytes() == edited
    assert (course / "lessons" / SECOND).exists()  # the others are still processed
    message = capsys.readouterr().err
    assert FIRST in message and "cell 2 edited" in message and "cell 6 added" in message
    assert "--force" in message and "mv " in message and ".mine.ipynb" in message
    [outcome] = build.build_lessons(course, ["01"])
    assert outcome.status == "refused" and outcome.path == path


def test_outputs_alone_are_not_work(course: Path) -> None:
    build.build_lessons(course)
    path = course / "lessons" / FIRST
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].outputs = [new_output("stream", name="stdout", text="ok\n")]
    notebook.cells[2].execution_count = 1
    notebook.metadata["colab"] = {"provenance": []}
    nbformat.write(notebook, path)
    change_solution(course)
    [outcome, _] = build.build_lessons(course)
    assert outcome.status == "written" and outcome.backup is None
    assert lesson_of(course).cells[2].outputs == []


def test_force_keeps_a_backup_of_the_learners_version(course: Path) -> None:
    build.build_lessons(course)
    path = course / "lessons" / FIRST
    edited = fill_in(path)
    change_solution(course)
    [outcome] = build.build_lessons(course, ["01"], force=True)
    assert outcome.status == "written"
    assert outcome.backup == path.with_name(FIRST + ".bak")
    assert outcome.backup.read_bytes() == edited
    assert str(outcome.backup.name) in outcome.message
    assert "my experiment" not in path.read_text()
    second = fill_in(path)
    [again] = build.build_lessons(course, ["01"], force=True)
    assert again.backup is not None and again.backup.name != outcome.backup.name
    assert again.backup.read_bytes() == second and outcome.backup.read_bytes() == edited


def test_hand_made_lesson_counts_as_work_unless_identical(course: Path) -> None:
    build.build_lessons(course, ["02"])
    path = course / "lessons" / SECOND
    generated = nbformat.read(path, as_version=4)
    del generated.metadata["rnncourse"]
    nbformat.write(generated, path)
    assert build.build_lessons(course, ["02"])[0].status == "written"
    write(path, new_notebook(cells=[new_code_cell("x = 1  # my own")]))
    before = path.read_bytes()
    [outcome] = build.build_lessons(course, ["02"])
    assert outcome.status == "refused" and "cell 1 edited" in outcome.message
    assert path.read_bytes() == before


def test_unreadable_lesson_is_not_overwritten(course: Path) -> None:
    path = course / "lessons" / SECOND
    path.write_text("{ half a notebook")
    [outcome] = build.build_lessons(course, ["02"])
    assert outcome.status == "refused" and "not a readable notebook" in outcome.message
    assert path.read_text() == "{ half a notebook"


# --- README -------------------------------------------------------------------------------------


def test_readme_table(course: Path) -> None:
    assert build.build_readme(course, check=True) is True
    assert "old table" in (course / "README.md").read_text(), "--check writes nothing"
    assert build.build_readme(course) is True
    text = (course / "README.md").read_text()
    assert text.startswith("# Course\n\n<!-- lessons:start -->\n| # | Lesson |")
    assert text.endswith("<!-- lessons:end -->\n\nMore.\n") and "old table" not in text
    row = next(line for line in text.splitlines() if line.startswith("| 01 |"))
    assert LESSONS[0].title in row and f"{LESSONS[0].minutes} min" in row
    assert colab_url("lessons", FIRST) in row and colab_url("solutions", FIRST) in row
    assert f"(lessons/{FIRST})" in row
    assert build.build_readme(course, check=True) is False and build.build_readme(course) is False


def test_readme_lists_only_lessons_with_a_solution(course: Path) -> None:
    (course / "solutions" / FIRST).unlink()
    build.build_readme(course)
    assert "| 01 |" not in (course / "README.md").read_text()


def test_readme_without_markers(course: Path) -> None:
    (course / "README.md").write_text("# Course\n<!-- lessons:start -->\n")
    with pytest.raises(build.BuildError, match="lessons:end"):
        build.build_readme(course)
    assert build.main(["readme", "--check", "--root", str(course)]) == 1


def test_all_check_combines_lessons_and_readme(course: Path) -> None:
    assert build.main(["all", "--check", "--root", str(course)]) == 1
    assert build.main(["all", "--root", str(course)]) == 0
    assert build.main(["all", "--check", "--root", str(course)]) == 0
    (course / "README.md").write_text((course / "README.md").read_text().replace("| 01 |", "| 1 |"))
    assert build.main(["all", "--check", "--root", str(course)]) == 1


# --- the command line in a subprocess -----------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m rnncourse.build ARGS` and return the finished process."""
    command = [sys.executable, "-m", "rnncourse.build", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_cli_lessons_check(course: Path) -> None:
    stale = run_cli("lessons", "--check", "--root", str(course))
    assert stale.returncode == 1 and "missing" in stale.stdout and FIRST in stale.stdout
    assert run_cli("lessons", "--root", str(course)).returncode == 0
    fresh = run_cli("lessons", "--check", env={**os.environ, "RNNCOURSE_ROOT": str(course)})
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stdout.strip() == "lessons/ is up to date (2 notebooks)"


# --- execute ------------------------------------------------------------------------------------


def test_execute_runs_in_place_and_regenerates_lessons(tmp_path: Path) -> None:
    cells = [
        new_code_cell("print(1 + 1)", id="sum", metadata={"tags": ["keep"], "execution": {}}),
        new_code_cell("import os\nprint(os.environ['RNNCOURSE_MODE'], os.getcwd())", id="env"),
    ]
    path = write(tmp_path / "solutions" / FIRST, new_notebook(cells=cells))
    assert build.main(["execute", "--mode", "fast", "--root", str(tmp_path)]) == 0
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].outputs[0].text == "2\n"
    assert notebook.cells[0].metadata == {"tags": ["keep"]}
    assert "version" not in notebook.metadata.get("language_info", {})
    assert notebook.cells[1].outputs[0].text.split() == ["fast", str(path.parent)]
    assert (tmp_path / "lessons" / FIRST).exists()


def test_execute_failure_names_cell_and_keeps_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cells = [new_code_cell("x = 1"), new_code_cell("import sys\nprint('Warning', file=sys.stderr)")]
    cells.append(new_code_cell("1 / 0"))
    path = write(tmp_path / "solutions" / FIRST, new_notebook(cells=cells))
    before = path.read_bytes()
    assert (
        build.main(["execute", "--root", str(tmp_path), "--mode", "fast", "--timeout", "60"]) == 1
    )
    error = capsys.readouterr().err
    assert f"{FIRST}: cell 3 failed (ZeroDivisionError)" in error and "1 / 0" in error
    assert path.read_bytes() == before
    assert not (tmp_path / "lessons" / FIRST).exists()


def test_output_warnings() -> None:
    cell = new_code_cell("x")
    cell.outputs = [new_output("stream", name="stderr", text="oops\n")]
    other = new_code_cell("y")
    other.outputs = [new_output("execute_result", data={"text/plain": "UserWarning: hm"})]
    warnings = build.output_warnings(new_notebook(cells=[cell, other, new_code_cell("z")]))
    assert len(warnings) == 2 and "cell 1" in warnings[0] and "cell 2" in warnings[1]


# --- the setup cell -----------------------------------------------------------------------------


def test_setup_cell_follows_the_course(course: Path) -> None:
    path = course / "solutions" / FIRST
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(
        1, new_code_cell("import old_setup", id="setup", metadata={"tags": ["setup"]})
    )
    nbformat.write(notebook, path)
    build.build_lessons(course)
    assert lesson_of(course).cells[1].source == setup_cell_source("01")
    assert nbformat.read(path, as_version=4).cells[1].source == "import old_setup"
    problems, _ = build.check_lessons(course)
    assert problems == [
        f"setup cell: {path} cell 2 is not the course's setup cell "
        "(`python -m rnncourse.build setup 01` updates it and keeps its outputs; "
        "`python -m rnncourse.build execute 01` reruns it too)"
    ]
    assert build.sync_setup_cells(notebook, LESSONS[0]) == [1]
    assert build.stale_setup_cells(notebook, LESSONS[0]) == []


def test_setup_command_sets_the_source_and_keeps_the_outputs(course: Path) -> None:
    path = course / "solutions" / FIRST
    notebook = nbformat.read(path, as_version=4)
    old = new_code_cell("import old_setup", id="setup", metadata={"tags": ["setup"]})
    old.execution_count = 1
    old.outputs = [new_output("stream", name="stdout", text="rnn-course lesson 01 | mode: full\n")]
    notebook.cells.insert(1, old)
    build.write_text(path, build.notebook_text(notebook))
    assert build.main(["setup", "--check", "--root", str(course)]) == 1
    assert nbformat.read(path, as_version=4).cells[1].source == "import old_setup"
    assert build.main(["setup", "01", "--root", str(course)]) == 0
    notebook.cells[1].source = setup_cell_source("01")
    assert path.read_text(encoding="utf-8") == build.notebook_text(notebook), (
        "only the setup cell's source changed; its outputs and every other byte are kept"
    )
    assert build.main(["setup", "--check", "--root", str(course)]) == 0
    assert build.check_lessons(course)[0][0].startswith("missing:"), "no setup cell problem left"


# --- quiz outputs -------------------------------------------------------------------------------


def quiz_course(course: Path) -> tuple[Path, nbformat.NotebookNode]:
    """Give `course` the real lesson 01 bank and a solution with quiz cells; return both."""
    bank = LESSONS[0].quiz_path()
    (course / "quizzes" / bank.name).write_text(bank.read_text(encoding="utf-8"))
    stale = [new_output("display_data", data={"text/plain": "<IPython.core.display.HTML object>"})]
    cells = [
        new_code_cell("from rnncourse import quiz", id="imp", execution_count=1),
        new_code_cell('quiz.show("01", "pre")', id="pre", execution_count=2),
        new_code_cell("print('kept')", id="keep", execution_count=3),
        new_code_cell('quiz.show("01", "post")', id="post", execution_count=4),
        new_code_cell('quiz.show("01", "pre")', id="again", execution_count=5),
        new_code_cell('x = 1\nquiz.show("01", "post")', id="mixed", execution_count=6),
    ]
    for cell in cells[1:]:
        cell.outputs = list(stale)
    cells[2].outputs = [new_output("stream", name="stdout", text="kept\n")]
    notebook = new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    path = course / "solutions" / FIRST
    build.write_text(path, build.notebook_text(notebook))
    return path, notebook


def test_quizzes_command_replaces_only_the_quiz_cells_outputs(course: Path) -> None:
    from rnncourse.quiz.bank import read_bank
    from rnncourse.quiz.outputs import quiz_outputs

    path, notebook = quiz_course(course)
    assert [index for index, _, _ in build.quiz_cells(notebook)] == [1, 3, 4]
    assert build.main(["quizzes", "--check", "--root", str(course)]) == 1
    assert build.main(["quizzes", "--root", str(course)]) == 0
    bank = read_bank(course / "quizzes" / LESSONS[0].quiz_path().name)
    for index, part, count in ((1, "pre", 0), (3, "post", 0), (4, "pre", 1)):
        notebook.cells[index].outputs = [
            new_output("display_data", data=bundle, metadata={})
            for bundle in quiz_outputs(bank, part, count)
        ]
    text = path.read_text(encoding="utf-8")
    assert text == build.notebook_text(notebook), "every byte outside the quiz outputs is kept"
    shown = nbformat.read(path, as_version=4).cells
    assert 'id="rnncourse-quiz-01-pre-1"' in shown[4].outputs[0].data["text/html"]
    assert shown[5].outputs[0].data["text/plain"].startswith("<IPython"), "not a quiz cell"
    assert build.main(["quizzes", "--check", "--root", str(course)]) == 0
    assert build.update_solutions(course, None, "quizzes") == [], "a second run changes nothing"


def test_quizzes_command_names_a_broken_bank(course: Path, capsys: pytest.CaptureFixture) -> None:
    quiz_course(course)
    (course / "quizzes" / LESSONS[0].quiz_path().name).write_text("lesson: [", encoding="utf-8")
    assert build.main(["quizzes", "--root", str(course)]) == 1
    error = capsys.readouterr().err
    assert FIRST in error and "cell 2 shows a quiz that cannot be read" in error
    assert "not valid YAML" in error


@pytest.mark.parametrize(
    "lesson", [item for item in LESSONS if item.solution_path().exists()], ids=lambda i: i.number
)
def test_committed_quiz_outputs_are_what_the_banks_give(lesson) -> None:
    """The solutions show the quizzes of today's banks: `python -m rnncourse.build quizzes NN`
    rewrites them without running the notebook."""
    root = LESSONS[0].solution_path().parents[1]
    assert build.update_solutions(root, [lesson.number], "quizzes", check=True) == []
