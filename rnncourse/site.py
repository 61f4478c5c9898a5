"""The course as a static website, built from the solution notebooks with their committed outputs.

`python -m rnncourse.site [NN ...] [--out DIR]` (`make site`) writes into DIR (default
`build/site/`):

- `index.html`: the lesson table of `rnncourse.course.LESSONS`: number, title (a link to its
  page), what you learn, time, and the Colab badge that opens the student notebook;
- `NN_slug.html`: one page per solution notebook, converted by nbconvert's JupyterLab template
  with every output kept (figures, lesson 06's coloured text, the quizzes, whose JavaScript runs
  in the page: they are interactive there), with links to the home page and the neighbouring
  lessons at the top and the bottom;
- `static/`: MathJax 2, copied from the pinned `jupyter-server-mathjax` package, and the Colab
  badge as a local picture.

No page asks the network for anything: require.js, the CDN's MathJax and mermaid are left out of
the template and the badge image is local; the only addresses outside the site are links (Colab,
GitHub). The site is plain files: open `index.html`, or serve the folder (GitHub Pages does).
"""

from __future__ import annotations

import argparse
import html
import importlib.resources
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnncourse import course, paths
from rnncourse.build import BuildError, chosen_lessons, rewrite_badges, show
from rnncourse.course import Lesson, UnknownLessonError
from rnncourse.notebooks import write_text

#: Where `make site` writes the site, relative to the checkout.
SITE_DIR = Path("build") / "site"
#: The site's own files, relative to its folder.
STATIC = "static"
MATHJAX_DIR = f"{STATIC}/mathjax"
BADGE_FILE = f"{STATIC}/colab-badge.svg"
#: The file that marks a folder as a site built here, which the next build may replace.
MARKER = ".rnncourse-site"
#: MathJax 2's combined configuration shipped by jupyter-server-mathjax (the classic Notebook's).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"

#: MathJax 2 measures its fonts against a blank font that it loads from `about:blank`, which the
#: browser refuses over http and reports as a console error; a local font that no system has
#: is the same missing font without the request.
NO_FONT = "rnncourse-no-such-font"

#: The "Open in Colab" badge, drawn here (the original is a picture on colab.research.google.com).
BADGE_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" \
aria-label="Open in Colab">
<rect width="117" height="20" rx="3" fill="#555"/>
<rect x="26" width="91" height="20" rx="3" fill="#f9ab00"/>
<rect x="26" width="6" height="20" fill="#f9ab00"/>
<circle cx="10" cy="10" r="4.5" fill="none" stroke="#f9ab00" stroke-width="2.2"/>
<circle cx="17" cy="10" r="4.5" fill="none" stroke="#e8710a" stroke-width="2.2"/>
<text x="72" y="14" fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" \
text-anchor="middle">Open in Colab</text>
</svg>
"""

#: The navigation bar's look, on the lesson pages and the home page.
NAV_CSS = """\
nav.rnncourse-nav {
  display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap;
  max-width: 1100px; margin: 0.5em auto; padding: 0.6em 1em;
  font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 15px;
  border-bottom: 1px solid #ddd;
}
nav.rnncourse-nav a { text-decoration: none; color: #1a5fb4; }
nav.rnncourse-nav a:hover { text-decoration: underline; }
nav.rnncourse-nav .rnncourse-home { font-weight: bold; }
nav.rnncourse-nav .rnncourse-solution { color: #555; margin-right: auto; }
"""

#: nbconvert's JupyterLab page without the scripts it would fetch from CDNs (require.js, MathJax,
#: mermaid), MathJax 2 from the site's own copy instead, and the navigation bar.
TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  "HTML-CSS": {
    availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
    styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('{{ resources.no_font }}')"}}
  },
  messageStyle: "none",
  showMathMenu: false
});
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style type="text/css">
{{ resources.nav_css }}
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.nav }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.nav }}
{{ super() }}
{% endblock body_footer %}
"""
TEMPLATE_FILE = "rnncourse-site.html.j2"


@dataclass(frozen=True)
class Page:
    """One written page: the lesson it shows (None for the home page) and where it is."""

    lesson: Lesson | None
    path: Path


def page_name(lesson: Lesson) -> str:
    """Return the file name of `lesson`'s page, e.g. `01_simple_rnn_cell.html`."""
    return f"{lesson.number}_{lesson.slug}.html"


def nav_html(lessons: Sequence[Lesson], index: int) -> str:
    """Return the navigation bar of the page of `lessons[index]`: home, what the page is (the
    solution) with the Colab link to the exercises, previous, next."""
    here = lessons[index]
    colab = html.escape(course.colab_url("lessons", here.filename))
    links = [
        '<a class="rnncourse-home" href="index.html">rnn-course: all lessons</a>',
        f'<span class="rnncourse-solution">the solution of lesson {here.number}, with its '
        f'outputs; <a class="rnncourse-colab" href="{colab}">do its exercises in Colab</a></span>',
    ]
    if index > 0:
        before = lessons[index - 1]
        links.append(
            f'<a rel="prev" href="{page_name(before)}">&larr; {before.number} '
            f"{html.escape(before.title)}</a>"
        )
    if index + 1 < len(lessons):
        after = lessons[index + 1]
        links.append(
            f'<a rel="next" href="{page_name(after)}">{after.number} '
            f"{html.escape(after.title)} &rarr;</a>"
        )
    return '<nav class="rnncourse-nav">' + " ".join(links) + "</nav>"


def site_markdown(source: str) -> str:
    """Return a markdown cell's `source` as the site shows it: Colab badges open the student
    notebook (lessons/), and their picture is the site's own."""
    return rewrite_badges(source).replace(course.COLAB_BADGE_IMG, BADGE_FILE)


def site_notebook(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of `solution` ready to convert: its markdown cells through `site_markdown`,
    every output kept."""
    notebook = nbformat.from_dict(solution)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = site_markdown(cell.source)
    return notebook


def _exporter() -> object:
    """Return nbconvert's HTML exporter with the site's template (JupyterLab's, light theme) and
    the site's MathJax."""
    try:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter
    except ModuleNotFoundError as missing:
        raise BuildError(
            f"the site needs nbconvert (pinned in requirements.txt; {missing}): run `make venv`"
        ) from missing

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_FILE: TEMPLATE})],
        template_file=TEMPLATE_FILE,
        theme="light",
        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
    )
    exporter.log.setLevel(logging.ERROR)  # e.g. "Alternative text is missing", on every figure
    return exporter


def lesson_page(lesson: Lesson, lessons: Sequence[Lesson], root: Path) -> str:
    """Return the HTML page of `lesson`'s solution notebook under `root`, `lessons` being the
    site's lessons in order (for the navigation bar)."""
    solution = nbformat.read(lesson.solution_path(root), as_version=4)
    resources = {
        "metadata": {"name": f"Lesson {lesson.number}: {lesson.title} - rnn-course"},
        "nav": nav_html(lessons, list(lessons).index(lesson)),
        "nav_css": NAV_CSS,
        "no_font": NO_FONT,
    }
    body, _ = _exporter().from_notebook_node(site_notebook(solution), resources=resources)
    return body


HOME_CSS = """\
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; }
main { max-width: 1100px; margin: 0 auto; padding: 0 1em 2em; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.45em 0.6em; border-bottom: 1px solid #ddd; }
th { background: #f4f4f4; }
td.time { white-space: nowrap; }
a { color: #1a5fb4; }
code { background: #f0f0f0; padding: 0 0.25em; border-radius: 3px; }
"""


def home_page(lessons: Sequence[Lesson]) -> str:
    """Return the home page: what the site is, and the table of `lessons`."""
    rows = []
    for lesson in lessons:
        badge = (
            f'<a href="{html.escape(course.colab_url("lessons", lesson.filename))}">'
            f'<img src="{BADGE_FILE}" alt="Open lesson {lesson.number} in Colab" '
            'width="117" height="20"></a>'
        )
        rows.append(
            "<tr>"
            f"<td>{lesson.number}</td>"
            f'<td><a href="{page_name(lesson)}">{html.escape(lesson.title)}</a></td>'
            f"<td>{html.escape(lesson.learn)}</td>"
            f'<td class="time">{lesson.minutes} min</td>'
            f"<td>{badge}</td>"
            "</tr>"
        )
    repo = html.escape(course.repo_url())
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>rnn-course: recurrent neural networks in Keras 3</title>
<style>
{HOME_CSS}{NAV_CSS}</style>
</head>
<body>
<nav class="rnncourse-nav"><a class="rnncourse-home" href="index.html">rnn-course: all lessons</a>
<a href="{repo}">the repository on GitHub</a></nav>
<main>
<h1>rnn-course: recurrent neural networks in Keras 3</h1>
<p>{len(lessons)} {"lesson" if len(lessons) == 1 else "lessons"}, from
<i>{html.escape(lessons[0].title)}</i> to <i>{html.escape(lessons[-1].title)}</i>.
Each page below is a lesson's <b>solution</b> notebook with the outputs of its full-mode run:
the figures, the measured numbers and the quizzes, which you can answer on the page.
To do the exercises yourself, open the lesson in Colab (its badge), or clone
<a href="{repo}">the repository</a> and run <code>make lab</code>.</p>
<table>
<thead><tr><th>#</th><th>Lesson</th><th>What you learn</th><th>Time</th><th>Exercises</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
</body>
</html>
"""


def mathjax_source() -> Path:
    """Return the folder of MathJax 2 inside the installed jupyter-server-mathjax package."""
    try:
        folder = importlib.resources.files("jupyter_server_mathjax") / "static"
    except ModuleNotFoundError as missing:
        raise BuildError(
            "the site needs jupyter-server-mathjax (pinned in requirements.txt): run `make venv`"
        ) from missing
    path = Path(str(folder))
    if not (path / "MathJax.js").is_file():
        raise BuildError(f"no MathJax.js in {path}: reinstall jupyter-server-mathjax")
    return path


def build_site(
    root: Path | None = None, out: Path | None = None, numbers: Sequence[str] | None = None
) -> list[Page]:
    """Write the site of the lessons numbered `numbers` (default: all) of the checkout `root`
    into `out` (default `root/build/site`); return the pages written, the home page first.

    The site is built in a new folder beside `out`, which then takes its place: `out` may be new,
    empty or a site built here before (it holds the file MARKER); any other folder is refused
    (BuildError) and left untouched, so `--out .` cannot delete a checkout."""
    root = root or paths.course_root()
    out = (out or root / SITE_DIR).absolute()
    lessons = chosen_lessons(root, numbers)
    if not lessons:
        raise BuildError(f"no solution notebooks of the course's lessons in {root}")
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or (out / MARKER).is_file())):
        raise BuildError(
            f"{out} is not a site that this command built (no {MARKER} in it): it is left as it "
            "is; choose a new or empty folder"
        )
    mathjax = mathjax_source()
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        shutil.copytree(mathjax, building / MATHJAX_DIR)
        write_text(building / BADGE_FILE, BADGE_SVG)
        write_text(building / "index.html", home_page(lessons))
        for lesson in lessons:
            write_text(building / page_name(lesson), lesson_page(lesson, lessons, root))
        write_text(
            building / MARKER, "written by python -m rnncourse.site; replaced by the next build\n"
        )
        building.chmod(0o755)  # mkdtemp makes the folder private; a web server must read it
        if out.exists():
            old = out.with_name(f"{building.name}.old")
            out.rename(old)
            building.rename(out)
            shutil.rmtree(old)
        else:
            building.rename(out)
    finally:
        if building.exists():
            shutil.rmtree(building)
    pages = [Page(None, out / "index.html")]
    return pages + [Page(lesson, out / page_name(lesson)) for lesson in lessons]


def main(argv: Sequence[str] | None = None) -> int:
    """Build the site; return 0, or 2 with one line on stderr when it cannot be built."""
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.site",
        description="Build the course's static website from the solution notebooks.",
    )
    parser.add_argument("lessons", nargs="*", metavar="NN", help="lesson numbers (default: all)")
    parser.add_argument("--out", type=Path, help=f"output folder (default: {SITE_DIR})")
    parser.add_argument("--root", type=Path, help="course checkout (default: this one)")
    args = parser.parse_args(argv)
    try:
        pages = build_site(args.root, args.out, args.lessons)
    except (BuildError, UnknownLessonError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for page in pages:
        size = page.path.stat().st_size / 1e6
        print(f"wrote {show(page.path)} ({size:.1f} MB)")
    home = pages[0].path
    print(f"site: {len(pages)} pages; open {show(home)} or serve {show(home.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
