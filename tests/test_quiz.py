"""Quiz banks: every bank is valid, the validator names the question and the fix, the jupyterquiz
conversion, `show` in and out of a notebook, and the terminal quiz (in-process and as a process).

The Keras recomputation of numeric answers lives in test_quiz_keras.py.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

from rnncourse import course, notebooks, quiz
from rnncourse.env import in_notebook
from rnncourse.quiz import notebook, validate
from rnncourse.quiz.__main__ import main
from rnncourse.quiz.outputs import quiz_outputs
from rnncourse.quiz.terminal import InvalidAnswer, grade, parse_answer, run_quiz

BANKS = [item.quiz_path() for item in course.LESSONS]
FIRST = course.LESSONS[0]
BANK_NAME = FIRST.quiz_path().name  # test banks stand in for the first lesson's
VALID = ", ".join(item.number for item in course.LESSONS)


# --------------------------------------------------------------------------- helpers


def choice_q(ident: str, part: str = "post", kind: str = "single_choice", **extra) -> dict:
    """A valid choice question (b correct) that a test can break."""
    item = {
        "id": ident,
        "part": part,
        "type": kind,
        "question": f"Question {ident}?",
        "choices": [{"text": "one"}, {"text": "two", "correct": True}, {"text": "three"}],
        "explanation": f"Because of {ident}.",
    }
    item.update(extra)
    return item


def numeric_q(ident: str, part: str = "post", **extra) -> dict:
    """A valid numeric question (answer 42) that a test can break."""
    item = {
        "id": ident,
        "part": part,
        "type": "numeric",
        "question": f"How many {ident}?",
        "value": 42,
        "explanation": f"Six times seven for {ident}.",
    }
    item.update(extra)
    return item


def bank_data(*questions: dict, lesson: str = FIRST.number) -> dict:
    """A bank with a pre question, then `questions` (as post questions unless they say)."""
    return {"lesson": lesson, "questions": [choice_q("warm", part="pre"), *questions]}


def write_bank(folder: Path, data: dict | str, name: str = BANK_NAME) -> Path:
    """Write a bank (data, or raw YAML text) into folder/quizzes and return its path."""
    (folder / "quizzes").mkdir(exist_ok=True)
    path = folder / "quizzes" / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def course_dir(tmp_path, monkeypatch):
    """A course checkout without banks in tmp_path (RNNCOURSE_ROOT points at it)."""
    (tmp_path / "quizzes").mkdir()
    monkeypatch.setenv("RNNCOURSE_ROOT", str(tmp_path))
    return tmp_path


def problems_of(tmp_path: Path, data: dict | str) -> list[str]:
    """Return the problems QuizBankError reports for the bank `data`; fail if it is accepted."""
    path = write_bank(tmp_path, data)
    with pytest.raises(quiz.QuizBankError) as caught:
        quiz.read_bank(path)
    message = str(caught.value)
    assert BANK_NAME in message, "the error names the file"
    return caught.value.problems


class Script:
    """An input_fn that replays answers (then raises `end`) and records every prompt."""

    def __init__(self, answers: list[str], end: type[BaseException] = EOFError) -> None:
        self.answers = list(answers)
        self.end = end
        self.prompts = 0

    def __call__(self, prompt: str) -> str:
        self.prompts += 1
        if not self.answers:
            raise self.end()
        return self.answers.pop(0)


def right_answer(question: quiz.Question) -> str:
    """Return what a learner types to answer `question` correctly."""
    if question.type == "numeric":
        low, high = question.bounds
        return repr((low + high) / 2)
    return ", ".join(question.correct_letters)


# --------------------------------------------------------------------------- the banks


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(validate.schema())


def test_quiz_banks_exist():
    assert BANKS, "quizzes/ holds no NN_*.yaml bank"


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_every_bank_passes_the_schema_and_the_rules(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(validate.schema()).validate(data)
    bank = quiz.read_bank(path)
    assert bank.lesson == path.name[:2]


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_every_bank_follows_the_course_guide(path):
    bank = quiz.read_bank(path)
    assert 2 <= len(bank.part("pre")) <= 3, "the warm-up has 2 to 3 questions"
    for question in bank.questions:
        assert len(question.explanation) >= 100, f"{question.id}: the explanation should teach"
    singles = [q.correct_letters[0] for q in bank.questions if q.type == "single_choice"]
    assert len(set(singles)) > 1 or len(singles) < 2, "correct answers vary in position"


def test_lesson_01_bank_has_the_questions_the_issue_asks_for():
    bank = quiz.load_bank("01")
    pre, post = bank.part("pre"), bank.part("post")
    assert len(pre) in (2, 3) and len(post) in (9, 10)
    types = {q.type for q in post}
    assert types == {"single_choice", "multiple_choice", "numeric"}
    verified = [q for q in bank.questions if q.type == "numeric" and q.verify]
    assert len(verified) >= 3
    by_id = {q.id: q for q in bank.questions}
    assert by_id["simple-rnn-params"].accepts(1376)
    assert by_id["simple-rnn-params-long-series"].accepts(4224)
    assert by_id["return-sequences-size"].accepts(2560)


def test_load_bank_accepts_the_lesson_number_in_several_forms():
    assert quiz.load_bank(1).lesson == quiz.load_bank("1").lesson == quiz.load_bank("01").lesson


def test_unknown_lesson_names_the_valid_ones():
    with pytest.raises(course.UnknownLessonError) as caught:
        quiz.load_bank("99")
    assert str(caught.value) == f"unknown lesson '99'; the course has lessons {VALID}"


# --------------------------------------------------------------------------- the validator


def ranged_q(ident: str, low: float, high: float, **extra) -> dict:
    """A valid numeric question that accepts [low, high]."""
    item = {k: v for k, v in numeric_q(ident).items() if k != "value"}
    item.update(range=[low, high], **extra)
    return item


def test_a_valid_test_bank_is_accepted(tmp_path):
    many = [{"text": "x", "correct": True}, {"text": "y", "correct": True}, {"text": "z"}]
    data = bank_data(
        choice_q("single"),
        choice_q("many", kind="multiple_choice", choices=many),
        numeric_q("exact"),
        numeric_q("tolerant", value=0.25, tolerance=0.01),
        ranged_q("ranged", 1, 2),
    )
    bank = quiz.read_bank(write_bank(tmp_path, data))
    ids = [q.id for q in bank.part("all")]
    assert ids == ["warm", "single", "many", "exact", "tolerant", "ranged"]
    assert bank.questions[1].correct_letters == ("b",)
    assert bank.questions[2].correct_letters == ("a", "b")
    assert bank.questions[3].accepts(42) and not bank.questions[3].accepts(42.001)
    assert bank.questions[4].accepts(0.26) and not bank.questions[4].accepts(0.2)
    assert bank.questions[5].accepts(1) and bank.questions[5].accepts(2)
    assert not bank.questions[5].accepts(2.01)


BROKEN = {
    "single choice with no correct answer": (
        choice_q("q-two", choices=[{"text": "a"}, {"text": "b"}]),
        "a single_choice question needs exactly one correct choice, found 0",
    ),
    "single choice with two correct answers": (
        choice_q(
            "q-two",
            choices=[{"text": "a", "correct": True}, {"text": "b"}, {"text": "c", "correct": True}],
        ),
        "exactly one correct choice, found 2 (a, c)",
    ),
    "multiple choice with no correct answer": (
        choice_q("q-two", kind="multiple_choice", choices=[{"text": "a"}, {"text": "b"}]),
        "a multiple_choice question needs at least one correct choice, found 0",
    ),
    "missing explanation": (
        {k: v for k, v in choice_q("q-two").items() if k != "explanation"},
        "missing `explanation`: every question needs one",
    ),
    "blank explanation": (choice_q("q-two", explanation="  "), "`explanation` must not be empty"),
    "missing pre/post marker": (
        {k: v for k, v in choice_q("q-two").items() if k != "part"},
        "missing `part`: mark it `part: pre`",
    ),
    "wrong pre/post marker": (choice_q("q-two", part="during"), "`part` is 'during'; use one of"),
    "numeric without value or range": (
        {k: v for k, v in numeric_q("q-two").items() if k != "value"},
        "a numeric question needs exactly one of `value`",
    ),
    "numeric with both value and range": (
        numeric_q("q-two", range=[1, 2]),
        "a numeric question needs exactly one of `value`",
    ),
    "range with tolerance": (
        ranged_q("q-two", 1, 2, tolerance=1),
        "a numeric question needs exactly one of `value`",
    ),
    "reversed range": (ranged_q("q-two", 2, 1), "range [2, 1] is empty"),
    "negative tolerance": (numeric_q("q-two", tolerance=-1), "`tolerance`"),
    "mistake that is the right answer": (
        numeric_q("q-two", mistakes=[{"value": 42, "hint": "no"}]),
        "mistake 42 lies inside the accepted answer",
    ),
    "typo in a key": (choice_q("q-two", explaination="x"), "unknown key 'explaination'"),
    "choices on a numeric question": (
        numeric_q("q-two", choices=[{"text": "a", "correct": True}, {"text": "b"}]),
        "unknown key 'choices'",
    ),
    "one choice only": (
        choice_q("q-two", choices=[{"text": "a", "correct": True}]),
        "`choices`",
    ),
    "same choice twice": (
        choice_q("q-two", choices=[{"text": "a", "correct": True}, {"text": "A"}]),
        "choices a and b have the same text",
    ),
    "unknown type": (choice_q("q-two", kind="essay"), "`type` is 'essay'"),
    "dollar sign": (choice_q("q-two", question="Is $x$ a vector?"), "`$` in the question"),
    "unknown verify kind": (
        numeric_q("q-two", verify={"kind": "bogus_params", "units": 3}),
        "`verify.kind` is 'bogus_params'",
    ),
    "verify without its fields": (
        numeric_q("q-two", verify={"kind": "simple_rnn_params", "units": 3}),
        "verify: missing `input_dim`",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_validator_names_the_question_and_the_problem(case, tmp_path):
    question, expected = BROKEN[case]
    found = problems_of(tmp_path, bank_data(question))
    assert len(found) == 1, found
    assert found[0].startswith("question 2 ('q-two')"), found[0]
    assert expected in found[0], found[0]


def test_the_validator_reports_every_problem_at_once(tmp_path):
    data = bank_data(
        choice_q("first", choices=[{"text": "a"}, {"text": "b"}]),
        {k: v for k, v in numeric_q("second").items() if k != "explanation"},
        choice_q("first"),
    )
    found = problems_of(tmp_path, data)
    assert any(p.startswith("question 2 ('first')") for p in found)
    assert any(p.startswith("question 3 ('second')") and "explanation" in p for p in found)
    assert "id 'first' is used by questions 2 and 4" in found


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.update(lesson="98"),
            f"lesson is '98' but the file name says lesson '{FIRST.number}'",
        ),
        (lambda d: d.update(lesson=7), "`lesson` must be of type string, got 7 (quote it"),
        (lambda d: d.update(questions=[choice_q("only")]), "no question has `part: pre`"),
        (lambda d: d.update(questions=[choice_q("only", part="pre")]), "`part: post`"),
        (lambda d: d.update(title="Mine"), "unknown key 'title'"),  # the lesson's entry has it
    ],
    ids=["lesson mismatch", "unquoted lesson", "no warm-up", "no quiz", "own title"],
)
def test_the_validator_checks_the_bank_as_a_whole(change, expected, tmp_path):
    data = bank_data(choice_q("q-two"))
    change(data)
    found = problems_of(tmp_path, data)
    assert any(expected in p for p in found), found


def test_a_bank_of_a_lesson_the_course_lacks_is_refused(tmp_path):
    path = write_bank(tmp_path, bank_data(choice_q("q-two"), lesson="99"), name="99_extra.yaml")
    with pytest.raises(quiz.QuizBankError) as caught:
        quiz.read_bank(path)
    assert caught.value.problems == [
        f"unknown lesson '99'; the course has lessons {VALID} (rnncourse.course.LESSONS): "
        "add its entry first"
    ]


def test_broken_yaml_is_reported_with_the_file_name(tmp_path):
    found = problems_of(tmp_path, "lesson: '01'\nquestions:\n  - id: x\n    text: a: b\n")
    assert found[0].startswith("not valid YAML")


# --------------------------------------------------------------------------- jupyterquiz


def test_single_choice_becomes_a_jupyterquiz_multiple_choice(tmp_path):
    question = choice_q("q", question="Shape of `x @ W` when a < b?", code="y = x @ W  # <W>")
    bank = quiz.read_bank(write_bank(tmp_path, bank_data(question)))
    expl = "Because of q."
    assert quiz.to_jupyterquiz(bank.questions[1]) == {
        "question": "Shape of <code>x @ W</code> when a &lt; b?",
        "type": "multiple_choice",
        "code": "y = x @ W  # &lt;W&gt;",
        "answers": [
            {"answer": "one", "correct": False, "feedback": f"<b>Not quite.</b> {expl}"},
            {"answer": "two", "correct": True, "feedback": f"<b>Correct.</b> {expl}"},
            {"answer": "three", "correct": False, "feedback": f"<b>Not quite.</b> {expl}"},
        ],
    }


def test_multiple_choice_becomes_a_jupyterquiz_many_choice(tmp_path):
    question = choice_q(
        "q",
        kind="multiple_choice",
        choices=[{"text": "x", "correct": True}, {"text": "y"}, {"text": "z", "correct": True}],
    )
    bank = quiz.read_bank(write_bank(tmp_path, bank_data(question)))
    item = quiz.to_jupyterquiz(bank.questions[1])
    yes, no = (
        "<b>Yes, this one is correct.</b> Because of q.",
        "<b>No, this one is not correct.</b> Because of q.",
    )
    assert item["type"] == "many_choice"
    assert item["answers"] == [
        {"answer": "x", "correct": True, "feedback": yes},
        {"answer": "y", "correct": False, "feedback": no},
        {"answer": "z", "correct": True, "feedback": yes},
    ]


def test_numeric_value_becomes_value_mistakes_and_default(tmp_path):
    question = numeric_q("q", mistakes=[{"value": 40, "hint": "Off by `2`."}])
    bank = quiz.read_bank(write_bank(tmp_path, bank_data(question)))
    expl = "Six times seven for q."
    assert quiz.to_jupyterquiz(bank.questions[1]) == {
        "question": "How many q?",
        "type": "numeric",
        "answers": [
            {
                "type": "value",
                "value": 42.0,
                "correct": True,
                "feedback": f"<b>Correct.</b> {expl}",
            },
            {
                "type": "value",
                "value": 40.0,
                "correct": False,
                "feedback": f"<b>Not quite.</b> Off by <code>2</code>. {expl}",
            },
            {"type": "default", "feedback": f"<b>Not quite.</b> {expl}"},
        ],
    }


def test_numeric_tolerance_and_range_include_both_ends(tmp_path):
    tolerant = numeric_q("tol", value=0.25, tolerance=0.01)
    ranged = ranged_q("rng", 1, 2)
    bank = quiz.read_bank(write_bank(tmp_path, bank_data(tolerant, ranged)))
    for question, (low, high) in zip(bank.questions[1:], [(0.24, 0.26), (1, 2)], strict=True):
        correct = quiz.to_jupyterquiz(question)["answers"][0]
        assert correct["type"] == "range" and correct["correct"] is True
        # jupyterquiz accepts low <= x < high: the upper end is nudged up by one float step
        assert correct["range"][0] == pytest.approx(low)
        assert correct["range"][1] == math.nextafter(question.bounds[1], math.inf)
        assert correct["range"][1] > high - 1e-12


def test_every_answer_of_lesson_01_carries_the_explanation():
    bank = quiz.load_bank("01")
    for part, count in (("pre", 3), ("post", 10)):
        items = quiz.quiz_dicts("01", part)
        assert len(items) == len(bank.part(part)) == count
        for question, item in zip(bank.part(part), items, strict=True):
            assert item["type"] == notebook.JQ_TYPES[question.type]
            explanation = notebook.to_html(question.explanation)
            assert all(explanation in a["feedback"] for a in item["answers"])
            assert all("$" not in a["feedback"] for a in item["answers"])
            if question.type == "numeric":
                assert item["answers"][-1]["type"] == "default"
            else:
                assert sum(a["correct"] for a in item["answers"]) == len(question.correct_letters)
    json.dumps(quiz.quiz_dicts("01", "all"))  # what jupyterquiz embeds must be JSON


# --------------------------------------------------------------------------- show()


def test_show_outside_a_notebook_prints_the_questions_without_answers():
    lines: list[str] = []
    quiz.show("01", "pre", interactive=False, print_fn=lines.append)
    text = "\n".join(lines)
    bank = quiz.load_bank("01")
    assert text.startswith("Lesson 01 warm-up: The simple RNN cell (3 questions)")
    for question in bank.part("pre"):
        assert " ".join(question.text.split())[:40] in " ".join(text.split())
    assert "  a) (10, 64)" in text
    assert "Why:" not in text and bank.part("pre")[0].explanation[:30] not in text
    assert "python -m rnncourse.quiz 01" in text


def test_show_detects_that_pytest_is_not_a_notebook(capsys):
    assert in_notebook() is False
    quiz.show("01", "post")
    assert "Question 10 of 10" in capsys.readouterr().out


def test_show_rejects_an_unknown_part():
    with pytest.raises(ValueError, match="unknown quiz part 'middle'"):
        quiz.show("01", "middle", interactive=False)


def test_show_in_a_notebook_embeds_the_questions_and_keeps_random_state(monkeypatch):
    import IPython.display

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append((obj, raw)))
    random.seed(123)
    before = random.getstate()
    quiz.show("01", "pre", interactive=True)
    quiz.show("01", "pre", interactive=True)
    assert random.getstate() == before, "showing a quiz leaves the global random state alone"
    assert all(raw for _, raw in shown), "mime bundles, displayed as they are"
    page_1, js_1, page_2, _ = (obj for obj, _ in shown)
    div = re.compile(r'<div id="([A-Za-z]+)" data-shufflequestions')
    first_id, second_id = (div.search(page["text/html"]).group(1) for page in (page_1, page_2))
    assert first_id != second_id, "a second display of the same quiz gets its own element"
    assert 'id="rnncourse-quiz-01-pre-0"' in page_1["text/html"]
    assert 'id="rnncourse-quiz-01-pre-1"' in page_2["text/html"]
    embedded = f"var questions{first_id}=" + json.dumps(quiz.quiz_dicts("01", "pre"))
    assert embedded in js_1["application/javascript"], "the questions are embedded, not fetched"
    # the same output in a fresh process: see the two kernels of the next test


def test_show_in_a_real_kernel_has_no_stderr_and_a_stable_output(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    source = [
        "import random\nrandom.seed(5)\nexpected = random.random()\nrandom.seed(5)",
        'from rnncourse import quiz\nquiz.show("01", "pre")',
        'quiz.show("01", "post")\nprint(random.random() == expected)',
    ]
    runs = []
    for _ in range(2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in source])
        done = notebooks.run(tmp_path / "quiz.ipynb", notebook=nb, timeout=120)
        assert done.error is None, done.error
        runs.append([cell.outputs for cell in done.notebook.cells])
    outputs = [out for cell in runs[0] for out in cell]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert runs[0][2][-1]["text"] == "True\n", "the global random state is left as it was"
    kinds = [sorted(o.get("data", {})) for o in runs[0][1]]
    assert kinds == [["text/html", "text/plain"], ["application/javascript", "text/plain"]]
    assert "var questions" in runs[0][1][1]["data"]["application/javascript"]
    assert runs[0] == runs[1], "two fresh kernels give identical quiz outputs (nbval can compare)"
    bank = quiz.load_bank("01")
    for cell, part in ((1, "pre"), (2, "post")):
        shown = [dict(o.data) for o in runs[0][cell] if o.output_type == "display_data"]
        assert shown == quiz_outputs(bank, part), "what `build quizzes` writes is what runs show"


# --------------------------------------------------------------------------- terminal quiz


@pytest.fixture
def small_bank(course_dir):
    """A warm-up choice, a single choice (b), a multiple choice (a, c), a numeric 42."""
    data = bank_data(
        choice_q("single"),
        choice_q(
            "many",
            kind="multiple_choice",
            choices=[{"text": "x", "correct": True}, {"text": "y"}, {"text": "z", "correct": True}],
        ),
        numeric_q("number", mistakes=[{"value": 24, "hint": "Digits swapped."}]),
    )
    write_bank(course_dir, data)
    return quiz.load_bank(FIRST.number)


@pytest.mark.parametrize(
    ("kind", "raw", "parsed"),
    [
        ("single_choice", "B", "b"),
        ("single_choice", " c) ", "c"),
        ("multiple_choice", "c, a", ("a", "c")),
        ("multiple_choice", "a c a", ("a", "c")),
        ("numeric", "1376", 1376.0),
        ("numeric", "2.5e-1", 0.25),
        ("numeric", "1/4", 0.25),
    ],
)
def test_answers_are_read(kind, raw, parsed, small_bank):
    question = next(q for q in small_bank.questions if q.type == kind)
    assert parse_answer(question, raw) == parsed


@pytest.mark.parametrize(
    ("kind", "raw", "why"),
    [
        ("single_choice", "", "no answer given: type a letter from a to c"),
        ("single_choice", "d", "'d' is not one of the choices: choose from a to c"),
        ("single_choice", "a b", "this question has one answer"),
        ("single_choice", "2", "'2' is not a choice"),
        ("multiple_choice", "ac", "separated by commas or spaces"),
        ("multiple_choice", "a, q", "'q' is not one of the choices"),
        ("numeric", "forty", "'forty' is not a number"),
        ("numeric", "1,376", "without thousands separators"),
        ("numeric", "nan", "not a finite number"),
        ("numeric", "1/0", "is not a number"),
        ("numeric", "", "no answer given: type a number"),
    ],
)
def test_unreadable_answers_say_why(kind, raw, why, small_bank):
    question = next(q for q in small_bank.questions if q.type == kind)
    with pytest.raises(InvalidAnswer, match=re.escape(why)):
        parse_answer(question, raw)


def test_grading_names_the_missed_and_the_wrong_choices(small_bank):
    many = small_bank.questions[2]
    assert grade(many, ("a", "c")) == (True, "Correct.")
    correct, verdict = grade(many, ("a", "b"))
    assert not correct
    assert verdict == "Not quite: the correct set is a, c (you missed c; b is not correct)."
    number = small_bank.questions[3]
    assert grade(number, 24.0) == (False, "Not quite: the answer is 42. Digits swapped.")


def test_a_scripted_session_is_scored(small_bank):
    out: list[str] = []
    # warm-up wrong (a), single right (b), many half right (a), numeric right (42.0)
    script = Script(["a", "b", "a", "42.0"])
    result = run_quiz(small_bank, "all", input_fn=script, print_fn=out.append)
    text = "\n".join(out)
    assert result.stopped is None and result.exit_code == 0
    assert (result.score.points, result.score.answered, result.total) == (2, 4, 4)
    assert text.count("Why: ") == 4
    assert "Why: Because of warm." in text and "Why: Six times seven for number." in text
    assert "Not quite: the answer is b) two." in text
    assert out[-1] == "\nScore: 2/4 (50%); warm-up 0/1, end-of-lesson quiz 2/3."


def test_a_part_asks_only_its_questions(small_bank):
    out: list[str] = []
    result = run_quiz(small_bank, "pre", input_fn=Script(["b"]), print_fn=out.append)
    assert (result.score.points, result.total) == (1, 1)
    assert out[-1] == "\nScore: 1/1 (100%)."


def test_bad_input_is_explained_and_asked_again(small_bank):
    out: list[str] = []
    script = Script(["", "z", "b", "b c", "b", "a,c", "many", "1,2", "42"])
    result = run_quiz(small_bank, input_fn=script, print_fn=out.append)
    assert script.prompts == 9, "each bad answer costs one more prompt, not a question"
    assert result.score.points == 4 and result.exit_code == 0
    retries = [line for line in out if line.endswith("Try again.")]
    assert retries == [
        "  no answer given: type a letter from a to c. Try again.",
        "  'z' is not one of the choices: choose from a to c. Try again.",
        "  this question has one answer: type a single letter from a to c. Try again.",
        "  'many' is not a number: type e.g. 42, 0.25 or 1/4. Try again.",
        "  '1,2' is not a number: type digits without thousands separators, and a point for "
        "decimals (1376 or 0.25). Try again.",
    ]


@pytest.mark.parametrize(("end", "code"), [(EOFError, 1), (KeyboardInterrupt, 130)])
def test_ctrl_d_or_ctrl_c_says_goodbye_with_the_score_so_far(end, code, small_bank):
    out: list[str] = []
    result = run_quiz(small_bank, input_fn=Script(["b", "a"], end=end), print_fn=out.append)
    assert result.exit_code == code
    assert (result.score.points, result.score.answered) == (1, 2)
    assert out[-1] == (
        "\n\nQuiz stopped after 2 of 4 questions. Score so far: 1/2 (50%); "
        "warm-up 1/1, end-of-lesson quiz 0/1. Goodbye!"
    )


def test_the_whole_lesson_01_quiz_answered_right_scores_full_marks():
    bank = quiz.load_bank("01")
    answers = [right_answer(q) for q in bank.part("all")]
    out: list[str] = []
    result = run_quiz(bank, input_fn=Script(answers), print_fn=out.append)
    assert result.score.points == result.total == 13
    assert out[-1] == "\nScore: 13/13 (100%); warm-up 3/3, end-of-lesson quiz 10/10."


# --------------------------------------------------------------------------- command line


def test_main_with_an_unknown_lesson_exits_2_naming_the_lessons():
    errors: list[str] = []
    assert main(["42"], error_fn=errors.append, input_fn=Script([])) == 2
    assert errors == [f"unknown lesson '42'; the course has lessons {VALID}"]


def test_main_without_a_lesson_exits_2():
    errors: list[str] = []
    assert main([], error_fn=errors.append) == 2
    assert "--list" in errors[0]


def test_main_lists_the_banks():
    out: list[str] = []
    assert main(["--list"], print_fn=out.append) == 0
    assert out[0] == (
        "01  The simple RNN cell  (3 warm-up + 10 quiz questions)  quizzes/01_simple_rnn_cell.yaml"
    )
    assert len(out) == len(course.LESSONS)


def test_main_reports_a_broken_bank(course_dir):
    write_bank(course_dir, bank_data(choice_q("bad", choices=[{"text": "a"}, {"text": "b"}])))
    errors: list[str] = []
    assert main([FIRST.number], error_fn=errors.append) == 1
    assert f"quizzes/{BANK_NAME} has 1 problem" in errors[0]
    assert "question 2 ('bad'): a single_choice question needs exactly one" in errors[0]
    out: list[str] = []
    assert main(["--list"], print_fn=out.append) == 1


def test_main_runs_one_part(small_bank):
    out: list[str] = []
    assert (
        main(["1", "--part", "post"], input_fn=Script(["b", "a c", "42"]), print_fn=out.append) == 0
    )
    assert out[-1] == "\nScore: 3/3 (100%)."


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run `python -m rnncourse.quiz ARGS` with `stdin` piped in."""
    return subprocess.run(
        [sys.executable, "-m", "rnncourse.quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_cli_full_session_with_piped_answers():
    bank = quiz.load_bank("01")
    answers = [right_answer(q) for q in bank.part("all")]
    answers.insert(0, "zzz")  # one bad answer first: asked again
    done = run_cli("01", stdin="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "'zzz' is not a choice" in done.stdout
    assert done.stdout.rstrip().endswith(
        "Score: 13/13 (100%); warm-up 3/3, end-of-lesson quiz 10/10."
    )


def test_cli_end_of_input_is_a_clean_goodbye():
    done = run_cli("01", "--part", "post", stdin="b\n")
    assert done.returncode == 1
    assert done.stderr == "", "no traceback"
    assert "Quiz stopped after 1 of 10 questions. Score so far: 0/1 (0%). Goodbye!" in done.stdout


def test_cli_unknown_lesson_exits_2_with_the_message():
    done = run_cli("42")
    assert done.returncode == 2
    assert f"unknown lesson '42'; the course has lessons {VALID}" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_bad_part_is_an_argument_error():
    done = run_cli("01", "--part", "middle")
    assert done.returncode == 2
    assert "invalid choice: 'middle'" in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_cli_ctrl_c_is_a_clean_goodbye():
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnncourse.quiz", "01"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(b"c\n")
        proc.stdin.flush()
        seen = b""
        deadline = time.monotonic() + 60
        while seen.count(b"> ") < 2 and time.monotonic() < deadline:  # waiting on question 2
            seen += os.read(proc.stdout.fileno(), 4096)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert b"Traceback" not in err and err == b""
    assert b"Quiz stopped after 1 of 13 questions. Score so far: 1/1" in seen + out
