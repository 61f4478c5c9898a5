"""The outputs of a quiz cell: the questions as static HTML, and jupyterquiz's interactive quiz.

`quiz_outputs` returns two display_data bundles, what `rnncourse.quiz.show` displays and what
`python -m rnncourse.build quizzes` writes into the solutions without running them:

1. text/html: the course's CSS, the questions as plain HTML (numbered, with lettered choices and
   each answer folded in a closed <details>), then jupyterquiz's container; text/plain: the
   questions as terminal text. This is what shows where JavaScript does not run (an untrusted
   notebook in JupyterLab, GitHub): readable, with the answers out of sight.
2. application/javascript: jupyterquiz's script, run with a MathJax it can use or none (JupyterLab
   4's MathJax has no `typeset`: jupyterquiz raised a TypeError on every render and click, then
   loaded MathJax from a CDN), then a few lines that hide the static questions once the
   interactive ones are on the page.

Every id is derived from the lesson, the part and a count, so the outputs are the same bytes in
every fresh kernel (nbval can compare, the build can regenerate them).
"""

from __future__ import annotations

import html
import random
import re
from typing import Any

from rnncourse.quiz.bank import HOW_TO_ANSWER, PART_NAMES, Bank, Question, letter
from rnncourse.quiz.notebook import as_text, to_html, to_jupyterquiz

MAX_WIDTH = 720
#: How the static questions' element is found by the script and the CSS.
TEXT_CLASS = "rnncourse-quiz-text"

#: jupyterquiz reads the global `MathJax` and, for MathJax 3 without `typeset` (JupyterLab 4),
#: raises or fetches MathJax from a CDN. Its script runs inside a function whose `MathJax`
#: parameter is the page's MathJax when jupyterquiz can use it (version 2 with its Hub, version 3
#: with its own `typeset`), else undefined: the quiz then typesets nothing (the banks hold no
#: LaTeX) and asks the network for nothing.
MATHJAX_GUARD = """\
(function (mj) {
  if (!mj || typeof mj.version !== "string") return undefined;
  if (mj.version[0] === "2" && mj.Hub) return mj;
  var own = Object.prototype.hasOwnProperty.call(mj, "typeset");
  if (mj.version[0] === "3" && own && typeof mj.typeset === "function") return mj;
  return undefined;
})(window.MathJax)"""

#: Hides the static questions once jupyterquiz has put its own beside them (polls 10 s at most;
#: where it never renders, the static questions stay).
HIDE_TEXT = """\
(function hide(tries) {
  var text = document.getElementById("%(text_id)s");
  if (text && text.parentNode && text.parentNode.querySelector(".Quiz")) {
    text.style.display = "none";
  } else if (tries > 0) {
    setTimeout(function () { hide(tries - 1); }, 100);
  }
})(100);"""

#: Readable code in every answer (jupyterquiz's selected answers have white text, and its code
#: a light grey background), feedback in the page's normal size, left-aligned. The id selector
#: outranks jupyterquiz's class selectors wherever its stylesheet sits.
CSS = """\
#%(text_id)s ~ div .MCButton code,
#%(text_id)s ~ div .Feedback code {
  color: inherit;
  background-color: rgba(0, 0, 0, 0.15);
  padding: 0 0.25em;
  border-radius: 3px;
}
#%(text_id)s ~ div .Feedback {
  font-size: var(--jp-content-font-size1, 14px);
  line-height: 1.5;
  text-align: left;
  margin: 0.4em 0.2em 0.6em;
}"""


def text_id(lesson: str, part: str, count: int = 0) -> str:
    """Return the id of the static questions' element of the `count`-th show of a quiz."""
    return f"rnncourse-quiz-{lesson}-{part}-{count}"


def static_html(bank: Bank, part: str, element_id: str) -> str:
    """Return the `part` questions of `bank` as plain HTML: numbered questions, lettered choices,
    each answer and explanation inside a closed <details> element, and how to answer them."""
    questions = bank.part(part)
    label = PART_NAMES.get(part, "quiz")
    head = (
        f"<p><b>Lesson {bank.lesson} {label}: {html.escape(bank.title)}</b> "
        f"({len(questions)} questions)<br>"
        "<i>The questions as text: run this cell to answer them here, or in a terminal with "
        f"<code>python -m rnncourse.quiz {bank.lesson}</code>.</i></p>"
    )
    items = [_question_html(question) for question in questions]
    return (
        f'<div id="{element_id}" class="{TEXT_CLASS}">\n{head}\n<ol>\n'
        + "\n".join(items)
        + "\n</ol>\n</div>\n"
    )


def _question_html(question: Question) -> str:
    """Return one question as an <li>: text, code, choices and the folded answer."""
    how = HOW_TO_ANSWER[question.type]
    parts = [f"<li><p>{to_html(question.text)} <i>({how})</i></p>"]
    if question.code:
        parts.append(f"<pre><code>{html.escape(question.code, quote=False)}</code></pre>")
    if question.choices:
        choices = "".join(
            f"<li>{letter(index)}) {to_html(choice.text)}</li>"
            for index, choice in enumerate(question.choices)
        )
        parts.append(f'<ul style="list-style-type: none">{choices}</ul>')
    if question.choices:
        answer = ", ".join(question.correct_letters)
    else:
        answer = html.escape(question.answer_text())
    parts.append(
        "<details><summary>Show the answer</summary>"
        f"<p><b>Answer: {answer}.</b> {to_html(question.explanation)}</p></details></li>"
    )
    return "\n".join(parts)


def jupyterquiz_parts(items: list[dict[str, Any]], seed: str) -> tuple[str, str]:
    """Return (html, javascript) that jupyterquiz's `display_quiz` shows for `items`.

    They are captured instead of displayed; `display_quiz` names its element with
    `random.choice`, seeded here with `seed`, and Python's global random state is restored. Its
    container element, which jupyterquiz leaves open, is closed.
    """
    from IPython.display import HTML, Javascript
    from jupyterquiz import display_quiz

    namespace = display_quiz.__globals__
    if "display" not in namespace:
        raise RuntimeError("this jupyterquiz does not call IPython's display(): pin jupyterquiz")
    shown: list[Any] = []
    saved_display, saved_state = namespace["display"], random.getstate()
    namespace["display"] = shown.append
    random.seed(seed)
    try:
        display_quiz(items, max_width=MAX_WIDTH)
    finally:
        namespace["display"] = saved_display
        random.setstate(saved_state)
    page = "".join(obj.data for obj in shown if isinstance(obj, HTML))
    script = "".join(obj.data for obj in shown if isinstance(obj, Javascript))
    if not page or not script or len(shown) != 2:
        kinds = [type(obj).__name__ for obj in shown]
        raise RuntimeError(f"jupyterquiz showed {kinds}, not an HTML and a Javascript object")
    # jupyterquiz leaves its container <div> open: a notebook's output area closes it, but in one
    # HTML page of the whole notebook (the course site) everything after the quiz would land in it.
    unclosed = len(re.findall(r"<div\b", page)) - page.count("</div>")
    return page + "</div>" * max(unclosed, 0), script


def quiz_outputs(bank: Bank, part: str, count: int = 0) -> list[dict[str, str]]:
    """Return the two mime bundles of the `count`-th show of `bank`'s `part` quiz in a kernel:
    static questions and jupyterquiz's container (text/html, text/plain), then the script
    (application/javascript, and an empty text/plain where JavaScript does not run)."""
    questions = bank.part(part)
    element_id = text_id(bank.lesson, part, count)
    page, script = jupyterquiz_parts(
        [to_jupyterquiz(question) for question in questions],
        seed=f"rnncourse-quiz-{bank.lesson}-{part}-{count}",
    )
    style = f"<style>\n{CSS % {'text_id': element_id}}\n</style>\n"
    guarded = (
        f"(function (MathJax) {{\n{script}\n{HIDE_TEXT % {'text_id': element_id}}\n}})"
        f"({MATHJAX_GUARD});\n"
    )
    return [
        {
            "text/html": style + static_html(bank, part, element_id) + page,
            "text/plain": as_text(bank, part),
        },
        {"application/javascript": guarded, "text/plain": ""},
    ]
