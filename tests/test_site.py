"""The static course site (`make site`, `python -m rnncourse.site`), read as files.

The site of every lesson is built once from the committed solutions. Its pages must load nothing
from elsewhere (every script, style sheet, picture and font is in the folder or inline), keep the
solutions' outputs (figures, lesson 06's coloured text, both quizzes with their script), link
the home page to every lesson and every lesson to its neighbours, and open the student notebook
in Colab. tests/test_browser.py opens the site in Chromium.
"""

from __future__ import annotations

import html
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml

from rnncourse import course, site

ROOT = Path(__file__).resolve().parents[1]


class _Refs(HTMLParser):
    """What a page asks the browser to load (`loads`: src of any tag, href of <link>), the links
    it offers (`links`: href of <a>), and the text of its <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.title = ""
        self._in_title = False
        self._rel = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if "src" in values:
            self.loads.append(values["src"])
        if tag == "link" and "href" in values:
            self.loads.append(values["href"])
        if tag == "a" and "href" in values:
            self.links.append((values["href"], values.get("rel", "")))
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def _refs(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[site.Page]]:
    out = tmp_path_factory.mktemp("site") / "site"
    return out, site.build_site(ROOT, out)


def test_the_home_page_lists_every_lesson_with_its_page_and_colab_badge(
    built: tuple[Path, list[site.Page]],
) -> None:
    out, pages = built
    assert pages[0].lesson is None and pages[0].path == out / "index.html"
    assert [page.lesson for page in pages[1:]] == list(course.LESSONS)
    home = (out / "index.html").read_text(encoding="utf-8")
    links = [href for href, _ in _refs(out / "index.html").links]
    for lesson in course.LESSONS:
        assert site.page_name(lesson) in links
        assert (out / site.page_name(lesson)).is_file()
        assert course.colab_url("lessons", lesson.filename) in links
        assert html.escape(lesson.title) in home
    assert not any("/solutions/" in href for href in links), "Colab opens the student notebooks"


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_a_lesson_page_loads_only_its_own_files_and_keeps_every_output(
    built: tuple[Path, list[site.Page]], lesson: course.Lesson
) -> None:
    out, _ = built
    path = out / site.page_name(lesson)
    text = path.read_text(encoding="utf-8")
    refs = _refs(path)
    assert refs.title.startswith(f"Lesson {lesson.number}: {lesson.title}")
    for address in refs.loads:
        parts = urlsplit(address)
        if parts.scheme == "data":
            continue
        assert not parts.scheme and not parts.netloc, f"{path.name} loads {address}"
        assert (out / parts.path).is_file(), f"{path.name} loads {address}, which is missing"
    assert f"{site.MATHJAX_DIR}/MathJax.js?config={site.MATHJAX_CONFIG}" in refs.loads
    assert not re.search(r"@import|url\(\s*['\"]?https?:", text), "a style sheet fetches"
    colab = [href for href, _ in refs.links if urlsplit(href).netloc.startswith("colab.")]
    assert colab and set(colab) == {course.colab_url("lessons", lesson.filename)}, colab

    solution = nbformat.read(lesson.solution_path(ROOT), as_version=4)
    outputs = [output for cell in solution.cells for output in cell.get("outputs", [])]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert text.count('src="data:image/png;base64,') == len(figures) > 0
    for output in figures[:3]:
        assert output["data"]["image/png"].strip()[:200] in text
    for part in ("pre", "post"):
        assert text.count(f'id="rnncourse-quiz-{lesson.number}-{part}-0"') == 1
        assert text.count(f'getElementById("rnncourse-quiz-{lesson.number}-{part}-0")') == 1


def test_lesson_06s_coloured_text_is_on_its_page_as_the_notebook_has_it(
    built: tuple[Path, list[site.Page]],
) -> None:
    out, _ = built
    lesson = course.lesson("06")
    text = (out / site.page_name(lesson)).read_text(encoding="utf-8")
    solution = nbformat.read(lesson.solution_path(ROOT), as_version=4)
    coloured = [
        output["data"]["text/html"]
        for cell in solution.cells
        for output in cell.get("outputs", [])
        if "background" in output.get("data", {}).get("text/html", "")
        and "rnncourse-quiz" not in output["data"]["text/html"]
    ]
    assert coloured, "lesson 06 shows coloured text"
    page = _coloured_spans(text)
    for fragment in coloured:
        spans = _coloured_spans(fragment)
        assert len(spans) > 100 and spans in page, "every character with its colour, in order"


def _coloured_spans(html: str) -> str:
    """Return the coloured characters of `html` as one string of (background, text) pairs, so
    that the same spans can be found in a page that writes `<br>` as `<br/>` and `&nbsp;` as the
    character itself."""
    pairs = re.findall(r'<span style="(background:[^"]+)">([^<]*)', html)
    return "".join(f"\x00{style}\x01{unescape(chars)}" for style, chars in pairs)


def test_every_lesson_page_links_home_and_to_its_neighbours(
    built: tuple[Path, list[site.Page]],
) -> None:
    out, _ = built
    names = [site.page_name(lesson) for lesson in course.LESSONS]
    for index, name in enumerate(names):
        links = _refs(out / name).links
        assert links.count(("index.html", "")) == 2, "home, at the top and the bottom"
        expected_prev = [(names[index - 1], "prev")] * 2 if index else []
        expected_next = [(names[index + 1], "next")] * 2 if index + 1 < len(names) else []
        assert [link for link in links if link[1] == "prev"] == expected_prev
        assert [link for link in links if link[1] == "next"] == expected_next


def test_the_site_ships_mathjax_and_the_badge_picture(
    built: tuple[Path, list[site.Page]],
) -> None:
    out, _ = built
    config = site.MATHJAX_CONFIG.split(",")[0]
    assert (out / site.MATHJAX_DIR / "MathJax.js").is_file()
    assert (out / site.MATHJAX_DIR / "config" / f"{config}.js").is_file()
    assert (out / site.MATHJAX_DIR / "extensions" / "Safe.js").is_file()
    assert (out / site.MATHJAX_DIR / "fonts" / "HTML-CSS" / "STIX-Web").is_dir()
    badge = (out / site.BADGE_FILE).read_text(encoding="utf-8")
    assert badge.startswith("<svg") and "Open in Colab" in badge


def test_a_markdown_badge_opens_the_lesson_in_colab_with_the_local_picture() -> None:
    source = "# Lesson 01\n" + course.colab_badge("solutions", "01_simple_rnn_cell.ipynb")
    shown = site.site_markdown(source)
    assert shown == "# Lesson 01\n" + (
        f"[![Open In Colab]({site.BADGE_FILE})]"
        f"({course.colab_url('lessons', '01_simple_rnn_cell.ipynb')})"
    )


def test_the_command_builds_the_chosen_lessons_and_replaces_its_old_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert site.main(["01", "06", "--out", str(out)]) == 0
    (out / "stale.html").write_text("from an older build")
    assert site.main(["01", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    assert "site: 2 pages" in printed.out
    assert sorted(p.name for p in out.iterdir()) == [
        site.MARKER,
        "01_simple_rnn_cell.html",
        "index.html",
        "static",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no folder left behind"
    page = (out / "01_simple_rnn_cell.html").read_text(encoding="utf-8")
    assert 'rel="next"' not in page and 'rel="prev"' not in page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "1 lesson, from" in home and "06_char_generation.html" not in home


@pytest.mark.parametrize("kind", ["a checkout", "a file"])
def test_the_command_refuses_to_replace_what_it_did_not_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = tmp_path / "mine"
    if kind == "a file":
        out.write_text("notes")
    else:
        (out / ".git").mkdir(parents=True)
        (out / "README.md").write_text("my work")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    assert site.main(["01", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {out} is not a site that this command built")
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before, "nothing touched"


def test_the_command_names_the_valid_lessons_for_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert site.main(["42", "--out", str(tmp_path / "site")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: unknown lesson '42'") and "01" in error
    assert not (tmp_path / "site").exists()


def test_github_publishes_what_make_site_builds_after_the_tests_pass_on_main() -> None:
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    build, publish = jobs["site"], jobs["pages"]
    assert build["needs"] == "cpu-fast", "only a tested commit is published"
    condition = build["if"]
    assert (
        "github.ref == 'refs/heads/main'" in condition
        and "github.event_name == 'push'" in condition
    )
    assert f"github.repository == '{course.REPO}'" in condition, "not from forks"
    assert any(step.get("run") == "make site" for step in build["steps"])
    upload = next(
        s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact")
    )
    assert Path(upload["with"]["path"]) == site.SITE_DIR
    assert "permissions" not in build, "the build job gets no write permission"
    assert publish["needs"] == "site"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in publish["steps"])
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^site: .*\n\t\$\(BIN\)/python -m rnncourse\.site\n", makefile, re.M)
