"""The outputs of a quiz cell: readable questions where JavaScript does not run (answers folded
away), jupyterquiz's script behind a MathJax guard, the course's CSS, and every quiz cell of the
committed notebooks ignored by nbval. The browser test (test_browser.py) runs them in JupyterLab.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rnncourse import build, course, quiz
from rnncourse.quiz import outputs

BANK = quiz.load_bank("01")


class _Text(HTMLParser):
    """The text of an HTML fragment: what shows, and what sits in closed <details> or <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []
        self.folded: list[str] = []
        self.tags: list[str] = []
        self.depth = {"details": 0, "style": 0, "script": 0}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag in self.depth:
            self.depth[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.depth:
            self.depth[tag] -= 1

    def handle_data(self, data: str) -> None:
        if self.depth["style"] or self.depth["script"]:
            return
        (self.folded if self.depth["details"] else self.shown).append(data)


def _text_of(fragment: str) -> _Text:
    parser = _Text()
    parser.feed(fragment)
    return parser


def _words(text: str) -> str:
    return " ".join(text.replace("`", "").split())


@pytest.mark.parametrize("part", ["pre", "post"])
def test_the_static_questions_are_readable_and_fold_the_answers(part: str) -> None:
    page, script = outputs.quiz_outputs(BANK, part)
    assert set(page) == {"text/html", "text/plain"} and set(script) == {
        "application/javascript",
        "text/plain",
    }
    static = page["text/html"].split('<div id="', 2)
    fallback = '<div id="' + static[1]  # the course's element, before jupyterquiz's container
    text = _text_of(fallback)
    shown, folded = _words("".join(text.shown)), _words("".join(text.folded))
    assert "script" not in text.tags and "http" not in page["text/html"]
    questions = BANK.part(part)
    assert f"Lesson 01 {'warm-up' if part == 'pre' else 'end-of-lesson quiz'}" in shown
    assert f"({len(questions)} questions)" in shown and "python -m rnncourse.quiz 01" in shown
    for question in questions:
        assert _words(question.text) in shown
        for index, choice in enumerate(question.choices):
            assert f"{chr(97 + index)}) {_words(choice.text)}" in shown
        answer = ", ".join(question.correct_letters) or question.answer_text()
        assert f"Answer: {answer}." in folded, "each answer is there, one click away"
        assert _words(question.explanation)[:60] in folded
        assert _words(question.explanation)[:60] not in shown, "no answer shows unasked"
    assert "Answer:" not in shown
    assert text.tags.count("details") == len(questions) == text.tags.count("summary")
    assert page["text/plain"] == quiz.as_text(BANK, part), "text where HTML is not rendered"
    assert script["text/plain"] == "", "no '<IPython.core.display.Javascript object>' line"


def test_the_static_questions_come_first_and_the_css_targets_jupyterquiz_beside_them() -> None:
    html = outputs.quiz_outputs(BANK, "post", 2)[0]["text/html"]
    ours = html.index('<div id="rnncourse-quiz-01-post-2" class="rnncourse-quiz-text">')
    theirs = html.index("data-shufflequestions")
    assert html.index("<style>") < ours < theirs
    css = html[: html.index("</style>")]
    assert "#rnncourse-quiz-01-post-2 ~ div .Feedback {" in css
    assert "text-align: left;" in css and "font-size: var(--jp-content-font-size1, 14px);" in css
    assert "#rnncourse-quiz-01-post-2 ~ div .MCButton code," in css and "color: inherit;" in css


class _Elements(HTMLParser):
    """Every element of an HTML fragment that is left open, and closing tags without an opening."""

    VOID = {"br", "img", "input", "hr", "meta", "link", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.stray.append(tag)


@pytest.mark.parametrize("part", ["pre", "post"])
def test_the_html_closes_every_element_it_opens(part: str) -> None:
    """A page of the whole notebook (the course site) would put what follows inside the quiz."""
    parser = _Elements()
    parser.feed(outputs.quiz_outputs(BANK, part)[0]["text/html"])
    parser.close()
    assert parser.open == [] and parser.stray == []


def test_the_script_runs_jupyterquiz_behind_the_mathjax_guard_and_then_hides_the_text() -> None:
    script = outputs.quiz_outputs(BANK, "pre")[1]["application/javascript"]
    assert script.startswith("(function (MathJax) {\nvar questions")
    assert script.endswith(f"}})({outputs.MATHJAX_GUARD});\n")
    div = re.search(r'<div id="([A-Za-z]+)"', outputs.quiz_outputs(BANK, "pre")[0]["text/html"])
    embedded = f"var questions{div.group(1)}=" + json.dumps(quiz.quiz_dicts("01", "pre"))
    assert embedded in script and 'getElementById("rnncourse-quiz-01-pre-0")' in script
    # jupyterquiz's only URL is the CDN MathJax of its "MathJax 3 without typeset" branch, which
    # the guard makes unreachable (the browser test records every request the page makes)
    urls = set(re.findall(r"https?://[^'\"\s]+", script))
    assert urls <= {"https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"}, urls


def _node() -> str:
    found = shutil.which("node")
    if found:
        return found
    try:
        from playwright._impl._driver import compute_driver_executable
    except ImportError:
        pytest.skip("no JavaScript engine: neither `node` nor Playwright's driver is installed")
    return str(compute_driver_executable()[0])


GUARD_CASES = {
    "none": ("undefined", "none"),
    "jupyterlab4": ('{version: "3.2.2"}', "none"),  # JupyterLab 4's MathJax: no typeset
    "config-only": ("{tex: {inlineMath: []}}", "none"),  # a configuration before MathJax loads
    "mathjax3": ('{version: "3.2.2", typeset: function () {}}', "same"),
    "mathjax3-inherited": ('Object.create({typeset: function () {}, version: "3.2"})', "none"),
    "mathjax2": ('{version: "2.7.9", Hub: {Queue: function () {}}}', "same"),
    "mathjax4": ('{version: "4.0.0", typeset: function () {}}', "none"),
}


@pytest.mark.parametrize("case", GUARD_CASES, ids=str)
def test_jupyterquiz_sees_a_mathjax_only_when_it_can_use_it(case: str) -> None:
    page_mathjax, expected = GUARD_CASES[case]
    program = (
        f"var window = {{MathJax: {page_mathjax}}};\n"
        f"var got = {outputs.MATHJAX_GUARD};\n"
        'console.log(got === undefined ? "none" : got === window.MathJax ? "same" : "other");\n'
    )
    result = subprocess.run(
        [_node(), "-e", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    "path",
    [item.solution_path() for item in course.LESSONS if item.solution_path().exists()]
    + [item.lesson_path() for item in course.LESSONS if item.lesson_path().exists()],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_every_quiz_cell_is_ignored_by_nbval_and_shows_both_parts(path: Path) -> None:
    notebook = build.read_notebook(path)
    found = build.quiz_cells(notebook)
    assert sorted(part for _, _, part in found) == ["post", "pre"]
    for index, number, _ in found:
        assert number == notebook.metadata.get("rnncourse", {}).get("lesson", path.name[:2])
        tags = notebook.cells[index].metadata.get("tags", [])
        assert "nbval-ignore-output" in tags, f"cell {index + 1}: the quiz shuffles in the browser"
