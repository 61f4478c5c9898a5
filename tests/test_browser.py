"""A learner's JupyterLab in a real browser: headless Chromium driven by Playwright.

JupyterLab runs with `make lab`'s settings (jupyter/overrides.json) on 127.0.0.1 with a token
and a free port, in fast mode and offline, serving copies of lesson 01 and its solution. The
browser is the system's Chromium (Debian's `chromium` package; RNNCOURSE_CHROMIUM names another
one): this test never downloads a browser, and it is skipped, saying why, where there is none.

- Lesson 01, from a fresh workspace: Run All reaches the end, every check cell says "not
  implemented yet", the only tracebacks are NotImplementedError in `uses-exercise` cells, both
  quizzes render; a wrong and a right answer are clicked, a numeric answer is typed, and the
  feedback is read (and its size, alignment and the contrast of code in a chosen answer).
- The solution, untrusted (its JavaScript does not run): the quizzes' questions are readable
  text, their answers folded away.
- On both pages: no page error, no console error or warning, and no request leaves 127.0.0.1
  (the Colab badge image, the one outside resource of a notebook, gets a local stand-in).
- The static site (`rnncourse.site`, served by http.server, and opened as files): on every page
  each cell stays one block, MathJax typesets every formula from the site's own copy, the
  quizzes are interactive and every picture loads; lesson 01's warm-up is answered as in
  JupyterLab, and lesson 06's coloured text shows. No page error, no console error or warning,
  and no request leaves the site, not even for the badge.

Screenshots and the console log are written to build/test-artifacts/browser/ (or
$RNNCOURSE_ARTIFACTS/browser/).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from rnncourse import course, quiz, site
from rnncourse.env import kernel_environment
from rnncourse.quiz.outputs import text_id

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
LESSON = course.lesson("01")
ARTIFACTS = Path(os.environ.get("RNNCOURSE_ARTIFACTS") or ROOT / "build" / "test-artifacts")
SERVER_SECONDS = 120  # JupyterLab answering its API
PAGE_MS = 120_000  # a page, its notebook and every cell attached
RUN_ALL_SECONDS = (
    600  # Run All of lesson 01 in fast mode: about 30 s alone, more beside other tests
)
IDLE_SECONDS = 3.0  # idle: the kernel idle and no prompt showing `*`, this long without a break
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20">'
    '<rect width="117" height="20" fill="#555"/></svg>'
)
CELLS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell')).map(cell => {
  const area = cell.querySelector('.jp-OutputArea');
  const text = area ? Array.from(area.querySelectorAll('.jp-OutputArea-output'))
    .map(o => Array.from(o.childNodes).filter(n => n.nodeName !== 'STYLE')
      .map(n => n.textContent).join('')).join('\\n') : '';
  return {
    prompt: (cell.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
    text: text,
    stderr: Array.from(cell.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    )).map(node => node.textContent),
    quizzes: cell.querySelectorAll('.Quiz').length,
  };
})"""
STARRED_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt'))
  .filter(prompt => prompt.textContent.includes('*')).length"""


def chromium() -> str | None:
    """Return the browser to drive: $RNNCOURSE_CHROMIUM, else Debian's Chromium, else Google
    Chrome or a Chromium on the PATH (not a snap's: its confinement hides Playwright's files)."""
    named = os.environ.get("RNNCOURSE_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    for found in ("/usr/bin/chromium", shutil.which("google-chrome"), shutil.which("chromium")):
        if found and Path(found).exists() and not found.startswith("/snap/"):
            return found
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: where it is, its token, and the folder it serves."""

    url: str
    token: str
    root: Path

    def api(self, path: str) -> Any:
        """Return the JSON answer of GET `path` of the server's REST API."""
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def open_url(self, workspace: str, path: str) -> str:
        """Return the URL that opens `path` in a fresh workspace named `workspace`."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"


@pytest.fixture(scope="module")
def browser_path() -> str:
    pytest.importorskip(
        "playwright.sync_api", reason="Playwright's Python package is not installed (see .ci/run)"
    )
    found = chromium()
    if found is None:
        pytest.skip(
            "no Chromium: install Debian's `chromium` (apt-get install chromium) or set "
            "RNNCOURSE_CHROMIUM; this test never downloads a browser"
        )
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, browser_path: str) -> Iterator[Lab]:
    """JupyterLab with `make lab`'s settings, fast mode and offline, on copies of lesson 01."""
    pytest.importorskip("jupyterlab")
    base = tmp_path_factory.mktemp("lab")
    served = base / "course"
    for notebook in (LESSON.lesson_path(), LESSON.solution_path()):
        target = served / notebook.parent.name / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
    settings = base / "app-settings"
    settings.mkdir()
    shutil.copyfile(ROOT / "jupyter" / "overrides.json", settings / "overrides.json")
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
        f"--LabApp.app_settings_dir={settings}",  # where `make lab` installs overrides.json
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--NotebookNotary.db_file=:memory:",  # nothing is trusted that this session did not run
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {
        **kernel_environment("fast"),
        "RNNCOURSE_OFFLINE": "1",
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
    }
    log = (base / "server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=served)
    running = Lab(f"http://127.0.0.1:{port}", token, served)
    try:
        deadline = time.monotonic() + SERVER_SECONDS
        while True:
            try:
                running.api("/api/status")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"jupyter lab exited: {(base / 'server.log').read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within {SERVER_SECONDS} s")
                time.sleep(0.5)
        yield running
    finally:
        server.terminate()  # the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()
        folder = ARTIFACTS / "browser"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / "server.log", folder / "jupyterlab-server.log")


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=browser_path, headless=True)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page with what it printed to its console, its errors and requests to elsewhere."""

    page: Any
    console: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _watching(
    browser: Any, base_url: str, name: str, badge_stand_in: bool = True
) -> Iterator[Watched]:
    """A fresh browser page that may load only from `base_url` (and, with `badge_stand_in`, the
    Colab badge's picture, answered locally); its console log is saved as an artefact named
    `name` afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    seen = Watched(context.new_page())

    def on_console(message: Any) -> None:
        line = f"{message.type}: {message.text}"
        seen.console.append(line)
        if message.type in ("error", "warning", "assert"):
            seen.problems.append(f"console {line}")

    def route(handle: Any) -> None:
        url = handle.request.url
        if url.startswith(base_url + "/"):
            handle.continue_()
        elif (
            badge_stand_in and url == course.COLAB_BADGE_IMG
        ):  # a picture link: offline it just would not load
            handle.fulfill(status=200, content_type="image/svg+xml", body=BADGE_SVG)
        else:
            seen.outside.append(url)
            handle.abort()

    seen.page.on("console", on_console)

    def on_error(error: Any) -> None:
        seen.console.append(f"page error: {error}")
        seen.problems.append(f"page error: {error}")

    seen.page.on("pageerror", on_error)
    context.route("**/*", route)
    try:
        yield seen
    finally:
        folder = ARTIFACTS / "browser"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.console.txt").write_text("\n".join(seen.console) + "\n")
        context.close()


@pytest.fixture
def watched(browser: Any, lab: Lab, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A fresh browser page on `lab`; afterwards its console log is saved as an artefact."""
    with _watching(browser, lab.url, request.node.name) as seen:
        yield seen


def _open(watched: Watched, lab: Lab, workspace: str, path: Path) -> nbformat.NotebookNode:
    """Open the served copy of `path` in a fresh workspace; wait until every cell is attached
    and the kernel is idle; return the notebook as stored."""
    relative = f"{path.parent.name}/{path.name}"
    notebook = nbformat.read(lab.root / relative, as_version=4)
    page = watched.page
    page.goto(lab.open_url(workspace, relative), timeout=PAGE_MS)
    page.wait_for_function(
        f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length === "
        f"{len(notebook.cells)}",
        timeout=PAGE_MS,
    )
    _wait_idle(watched, lab, PAGE_MS / 1000, relative)
    return notebook


def _wait_idle(watched: Watched, lab: Lab, limit: float, path: str) -> None:
    """Wait until the notebook's kernel is idle and no prompt shows `*`, IDLE_SECONDS on end."""
    deadline, since, state = time.monotonic() + limit, None, "no session yet"
    while time.monotonic() < deadline:
        sessions = [s for s in lab.api("/api/sessions") if s["path"] == path]
        state = sessions[0]["kernel"]["execution_state"] if sessions else "no session yet"
        starred = watched.page.evaluate(STARRED_JS)
        if state == "idle" and starred == 0:
            since = since or time.monotonic()
            if time.monotonic() - since >= IDLE_SECONDS:
                return
        else:
            since = None
        time.sleep(0.5)
    pytest.fail(f"{path}: not idle after {limit:.0f} s (kernel {state})")


def _screenshot(target: Any, name: str) -> None:
    folder = ARTIFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(folder / f"{name}.png"))


def _words(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def _quiz_cell(notebook: nbformat.NotebookNode, part: str) -> int:
    return next(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.source.strip() == f'quiz.show("{LESSON.number}", "{part}")'
    )


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _over(top: tuple[float, ...], below: tuple[float, ...]) -> tuple[float, float, float]:
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], below[:3], strict=True))


def _contrast(one: tuple[float, ...], two: tuple[float, ...]) -> float:
    """Return the WCAG contrast ratio of two sRGB colours (0-255)."""

    def luminance(rgb: tuple[float, ...]) -> float:
        linear = [
            (c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb[:3]
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: The colours that decide whether text in an element is readable: its colour, and its own
#: background over the first opaque background among its ancestors.
COLOURS_JS = """element => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const background = getComputedStyle(node).backgroundColor;
    layers.push(background);
    if (!background.startsWith('rgba') || background.endsWith(', 1)')) break;
  }
  return {color: getComputedStyle(element).color, layers: layers};
}"""


def _text_contrast(element: Any) -> float:
    found = element.evaluate(COLOURS_JS)
    background: tuple[float, ...] = (255.0, 255.0, 255.0)
    for layer in reversed(found["layers"]):
        background = _over(_rgba(layer), background)
    return _contrast(_rgba(found["color"]), background)


def _answer_the_warm_up(page: Any, warm_up: Any, bank: quiz.Bank) -> None:
    """Answer lesson 01's warm-up quiz, shown in `warm_up`, as a learner: a wrong and then the
    right choice, the feedback read (its size, alignment and the contrast of code in a chosen
    answer too), a wrong and then the right number typed."""
    first, second, third = (warm_up.locator(".Quiz").nth(i) for i in range(3))
    assert [q.type for q in bank.part("pre")] == ["single_choice", "multiple_choice", "numeric"]
    feedback = first.locator(".Feedback")
    first.locator('label.MCButton[data-correct="false"]').first.click()
    assert _words(feedback.text_content()).startswith("Not quite.")
    first.locator('label.MCButton[data-correct="true"]').click()
    assert _words(feedback.text_content()).startswith("Correct.")
    assert _words(bank.part("pre")[0].explanation)[:60] in _words(feedback.text_content())
    style = feedback.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).textAlign]")
    print(f"feedback: font-size {style[0]}, text-align {style[1]}")
    assert float(style[0].rstrip("px")) <= 15 and style[1] == "left", style

    for correct in ("false", "true"):  # code inside a chosen answer stays readable
        label = second.locator(f'label.MCButton[data-correct="{correct}"]:has(code)').first
        label.click()
        page.wait_for_timeout(1200)  # jupyterquiz colours a chosen answer in 0.6 to 0.8 s
        ratio = _text_contrast(label.locator("code").first)
        print(f"code in a chosen answer (correct={correct}): contrast {ratio:.2f}")
        assert ratio >= 4.5, f"code in a chosen answer (correct={correct}): contrast {ratio:.2f}"

    numeric = bank.part("pre")[2]
    answer = third.locator("input.Input-text")
    answer.press_sequentially(str(int(numeric.mistakes[0].value)))
    answer.press("Enter")
    said = _words(third.locator(".Feedback").text_content())
    assert said.startswith("Not quite.") and _words(numeric.mistakes[0].hint) in said, said
    answer.press_sequentially(str(int(numeric.value)))
    answer.press("Enter")
    assert _words(third.locator(".Feedback").text_content()).startswith("Correct.")


def test_a_learner_runs_lesson_01_in_jupyterlab(watched: Watched, lab: Lab) -> None:
    page = watched.page
    notebook = _open(watched, lab, "browser-test-lesson", LESSON.lesson_path())
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.get_by_text("Run All Cells", exact=True).click()
    started = time.monotonic()
    _wait_idle(watched, lab, RUN_ALL_SECONDS, f"lessons/{LESSON.filename}")
    print(f"Run All of lesson {LESSON.number}: idle after {time.monotonic() - started:.0f} s")
    cells = page.evaluate(CELLS_JS)
    assert len(cells) == len(notebook.cells)
    for index, (cell, shown) in enumerate(zip(notebook.cells, cells, strict=True)):
        if cell.cell_type != "code":
            continue
        where = f"cell {index + 1} ({cell.source.strip().splitlines()[0][:50]!r})"
        tags = cell.metadata.get("tags", [])
        assert re.fullmatch(r"\[\d+\]:", shown["prompt"]), f"{where} did not run: {shown}"
        if "check" in tags:
            assert "not implemented yet" in shown["text"], f"{where} shows {shown['text']!r}"
        for error in shown["stderr"]:
            assert "uses-exercise" in tags, f"{where} shows an error or stderr: {error[:300]}"
            assert "NotImplementedError" in error, f"{where}: {error[:300]}"
    bank = quiz.load_bank(LESSON.number)
    for part in ("pre", "post"):
        cell = page.locator(".jp-Notebook .jp-Cell").nth(_quiz_cell(notebook, part))
        assert cell.locator(".Quiz").count() == len(bank.part(part)), f"the {part} quiz"
        assert not cell.locator(".rnncourse-quiz-text").is_visible(), "the text gives way"
    _screenshot(page, "lesson-01-after-run-all")

    warm_up = page.locator(".jp-Notebook .jp-Cell").nth(_quiz_cell(notebook, "pre"))
    _answer_the_warm_up(page, warm_up, bank)
    _screenshot(warm_up, "lesson-01-warm-up-answered")

    assert watched.problems == [], "\n".join(watched.problems)
    assert watched.outside == [], f"requests left 127.0.0.1: {watched.outside}"


def test_an_untrusted_solution_shows_its_quizzes_as_readable_text(
    watched: Watched, lab: Lab
) -> None:
    page = watched.page
    notebook = _open(watched, lab, "browser-test-solution", LESSON.solution_path())
    bank = quiz.load_bank(LESSON.number)
    assert page.locator(".jp-Notebook .Quiz").count() == 0, "untrusted: no JavaScript ran"
    body = page.locator("body").text_content()
    assert "<IPython.core.display" not in body
    for part in ("pre", "post"):
        cell = page.locator(".jp-Notebook .jp-Cell").nth(_quiz_cell(notebook, part))
        text = cell.locator(".rnncourse-quiz-text")
        text.scroll_into_view_if_needed()
        assert text.is_visible() and text.bounding_box()["height"] > 100
        shown = _words(text.inner_text())  # what shows: the folded answers are not in it
        for question in bank.part(part):
            assert _words(question.text) in shown
            assert _words(question.explanation)[:60] not in shown, "an answer shows unasked"
        summaries = text.locator("details > summary")
        assert summaries.count() == len(bank.part(part)) == text.locator("details").count()
        assert text.locator("details[open]").count() == 0
        size = float(text.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
        assert size >= 12 and _text_contrast(text.locator("li p").first) >= 4.5
        _screenshot(text, f"solution-01-untrusted-{part}")
    first = page.locator(".jp-Notebook .jp-Cell").nth(_quiz_cell(notebook, "pre"))
    first.locator("details > summary").first.click()  # a learner asks for one answer
    assert "Answer: " in _words(first.locator("details").first.inner_text())
    assert watched.problems == [], "\n".join(watched.problems)
    assert watched.outside == [], f"requests left 127.0.0.1: {watched.outside}"


# --- the static site (`make site`) ---------------------------------------------------------------


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the server quiet (it would log every request to stderr)."""


@dataclass
class Site:
    """The course's site: where it is served, and its folder."""

    url: str
    folder: Path


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory, browser_path: str) -> Iterator[Site]:
    """The whole site, built by `rnncourse.site` and served on 127.0.0.1 by http.server."""
    out = tmp_path_factory.mktemp("site") / "site"
    site.build_site(ROOT, out)
    handler = functools.partial(_QuietFiles, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", out)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


#: The text of every rendered markdown cell that still holds a `$` once MathJax has typeset it
#: (code, MathJax's output and the TeX it keeps in <script> elements left out): untypeset TeX.
UNTYPESET_JS = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(node => {
  const copy = node.cloneNode(true);
  copy.querySelectorAll('code, pre, script, [class^="MathJax"], [class*=" MathJax"]')
    .forEach(element => element.remove());
  return copy.textContent;
}).filter(text => text.includes('$')).map(text => text.trim().slice(0, 120))"""
BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(image => !(image.complete && image.naturalWidth > 0)).map(image => image.src.slice(0, 80))"""


def _check_lesson_page(page: Any, lesson: course.Lesson) -> str:
    """Wait until `lesson`'s page, open in `page`, has rendered its quizzes and its formulas;
    assert that every cell is one block of the page (no output swallowed the cells after it),
    no formula is left untypeset or failed, the static questions gave way to the interactive
    ones and every picture loaded. Return a line that says what the page showed."""
    notebook = nbformat.read(lesson.solution_path(ROOT), as_version=4)
    questions = len(quiz.load_bank(lesson.number).questions)
    page.wait_for_function(
        f"() => document.querySelectorAll('.Quiz').length === {questions}", timeout=PAGE_MS
    )
    page.wait_for_function(
        "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && "
        "document.querySelectorAll('.MathJax, .MathJax_Display').length > 0",
        timeout=PAGE_MS,
    )
    cells = page.locator("main > .jp-Cell").count()
    assert cells == len(notebook.cells), f"{lesson.filename}: {cells} top-level cells"
    assert page.locator(".MathJax_Error, .noError, merror").count() == 0, "TeX that failed"
    assert page.evaluate(UNTYPESET_JS) == [], "TeX left as text"
    for text in page.locator(".rnncourse-quiz-text").all():
        assert not text.is_visible(), "the static questions give way to the interactive ones"
    assert page.evaluate(BROKEN_IMAGES_JS) == [], "pictures that did not load"
    formulas = page.locator(".MathJax, .MathJax_Display").count()
    return f"{lesson.number}: {cells} cells, {formulas} formulas, {questions} questions"


def test_every_page_of_the_site_renders_offline(
    browser: Any, built_site: Site, request: pytest.FixtureRequest
) -> None:
    with _watching(browser, built_site.url, request.node.name, badge_stand_in=False) as watched:
        page = watched.page
        page.goto(built_site.url + "/index.html", timeout=PAGE_MS)
        assert page.locator("tbody tr").count() == len(course.LESSONS)
        _screenshot(page, "site-home")
        for lesson in course.LESSONS:
            page.goto(f"{built_site.url}/{site.page_name(lesson)}", timeout=PAGE_MS)
            print("site page", _check_lesson_page(page, lesson))
        assert watched.problems == [], "\n".join(watched.problems)
        assert watched.outside == [], f"requests left the site: {watched.outside}"


def test_a_learner_answers_a_quiz_on_the_site_and_reads_lesson_06s_colours(
    browser: Any, built_site: Site, request: pytest.FixtureRequest
) -> None:
    with _watching(browser, built_site.url, request.node.name, badge_stand_in=False) as watched:
        page = watched.page
        page.goto(built_site.url + "/index.html", timeout=PAGE_MS)
        page.get_by_role("link", name=LESSON.title, exact=True).click()
        page.wait_for_url(f"**/{site.page_name(LESSON)}", timeout=PAGE_MS)
        _check_lesson_page(page, LESSON)
        bank = quiz.load_bank(LESSON.number)
        warm_up = page.locator(".jp-Cell", has=page.locator(f"#{text_id(LESSON.number, 'pre')}"))
        assert warm_up.locator(".Quiz").count() == len(bank.part("pre"))
        _answer_the_warm_up(page, warm_up, bank)
        _screenshot(warm_up, "site-lesson-01-warm-up-answered")

        page.locator('a[rel="next"]').first.click()
        page.wait_for_url(f"**/{site.page_name(course.LESSONS[1])}", timeout=PAGE_MS)
        generation = course.lesson("06")
        page.locator(".rnncourse-home").first.click()
        page.get_by_role("link", name=generation.title, exact=True).click()
        page.wait_for_url(f"**/{site.page_name(generation)}", timeout=PAGE_MS)
        _check_lesson_page(page, generation)
        coloured = page.locator(".jp-OutputArea-output span[style*='background']")
        assert coloured.count() > 500, "lesson 06's coloured characters"
        first = coloured.first
        first.scroll_into_view_if_needed()
        assert first.is_visible()
        assert first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        _screenshot(
            first.locator("xpath=ancestor::div[contains(@class, 'jp-Cell')][1]"), "site-06-colours"
        )

        assert watched.problems == [], "\n".join(watched.problems)
        assert watched.outside == [], f"requests left the site: {watched.outside}"


def test_the_site_opened_as_files_works_too(
    browser: Any, built_site: Site, request: pytest.FixtureRequest
) -> None:
    """Offline without a web server: index.html opened from the folder (file://)."""
    home = (built_site.folder / "index.html").as_uri()
    with _watching(
        browser, home.rsplit("/", 1)[0], request.node.name, badge_stand_in=False
    ) as watched:
        page = watched.page
        page.goto(home, timeout=PAGE_MS)
        page.get_by_role("link", name=LESSON.title, exact=True).click()
        page.wait_for_url(f"**/{site.page_name(LESSON)}", timeout=PAGE_MS)
        print("site page as a file", _check_lesson_page(page, LESSON))
        assert watched.problems == [], "\n".join(watched.problems)
        assert watched.outside == [], f"requests left the folder: {watched.outside}"
