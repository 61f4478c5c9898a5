"""The Colab setup cell in a real kernel that believes it is on Colab, with no network.

A stand-in `google.colab` module sits on the kernel's path (google/colab/__init__.py and no
google/__init__.py: `google` is a namespace package that protobuf, and so TensorFlow, shares),
and the kernel imports it before any cell, as Colab's does. The cell clones a local repository
holding this working tree's package (a file:// URL, so `--depth 1` applies), and its
`python -m pip install -e` reaches a stand-in pip on the same path that records the call and
checks the clone is a course checkout, instead of installing into the shared environment (the
Makefile's `pip install -e .` installs the same project for real). Failures must be one line.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from rnncourse import course, notebooks

ROOT = Path(__file__).resolve().parents[1]
LESSON = course.lesson("01")
#: The top-level entries of the working tree that a clone needs to run a lesson's first cells.
CLONED = ("rnncourse", "quizzes", "data", "lessons", "pyproject.toml", "README.md")

FAKE_PIP = '''\
"""Stand-in pip: records `python -m pip ARGS`, checks the target is a course checkout."""
import json, os, sys
from pathlib import Path

target = Path(sys.argv[-1])
record = {"argv": sys.argv[1:], "python": sys.executable,
          "project": (target / "pyproject.toml").is_file()
          and 'name = "rnncourse"' in (target / "pyproject.toml").read_text()}
with open(os.environ["RNNCOURSE_FAKE_PIP_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
sys.exit(0 if record["project"] else 1)
'''

#: What a fresh Colab runtime is like before the first cell: google.colab imported, and no
#: rnncourse installed (the tests' own editable install is hidden from this kernel).
COLAB_KERNEL = """\
import importlib.util
import sys

import google.colab

sys.meta_path[:] = [f for f in sys.meta_path if not f.__module__.startswith("__editable__")]
assert importlib.util.find_spec("rnncourse") is None, "rnncourse is installed other than editable"
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=rnn-course tests", "-c", "user.email=tests@example.invalid"]
    return subprocess.run(
        ["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding this working tree's package, banks and lessons (one commit)."""
    folder = tmp_path_factory.mktemp("origin")
    listed = _git("ls-files", "--cached", "--others", "--exclude-standard", cwd=ROOT).splitlines()
    for name in listed:
        if name.split("/")[0] in CLONED and (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    _git("init", "-q", "-b", "main", cwd=folder)
    _git("add", "-A", cwd=folder)
    _git("commit", "-q", "-m", "the course", cwd=folder)
    return folder


@pytest.fixture
def colab(tmp_path: Path) -> dict[str, Path]:
    """The stand-ins' folder (google.colab, pip), the pip log, and Colab's /content."""
    fake = tmp_path / "fake"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab."""\n')
    (fake / "pip").mkdir()
    (fake / "pip" / "__init__.py").write_text("")
    (fake / "pip" / "__main__.py").write_text(FAKE_PIP)
    assert not (fake / "google" / "__init__.py").exists()  # a namespace, as protobuf needs
    content = tmp_path / "content"
    content.mkdir()
    return {"fake": fake, "log": tmp_path / "pip.log", "content": content}


def _environment(colab: dict[str, Path], **extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(colab["fake"]), os.environ.get("PYTHONPATH")) if p)
    return {
        "PYTHONPATH": path,
        "RNNCOURSE_FAKE_PIP_LOG": str(colab["log"]),
        "RNNCOURSE_ROOT": "",  # the package finds its checkout beside itself, as on Colab
        "RNNCOURSE_OFFLINE": "1",
        **extra,
    }


def _lesson_start(setup: str, upto: int) -> nbformat.NotebookNode:
    """Lesson 01's cells up to index `upto`, its setup cell replaced by `setup`, and a fresh
    Colab runtime's state first."""
    lesson = nbformat.read(LESSON.lesson_path(), as_version=4)
    cells = [nbformat.v4.new_code_cell(COLAB_KERNEL)]
    for cell in lesson.cells[: upto + 1]:
        if "setup" in cell.metadata.get("tags", []):
            assert cell.source == course.setup_cell_source(LESSON.number)
            cell = nbformat.v4.new_code_cell(setup, metadata={"tags": ["setup"]})
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells, metadata=lesson.metadata)


def _pip_calls(colab: dict[str, Path]) -> list[dict]:
    log = colab["log"]
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _streams(cell: nbformat.NotebookNode, name: str) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def test_on_colab_the_setup_cell_clones_installs_and_the_lesson_runs(
    origin: Path, colab: dict[str, Path]
) -> None:
    checkout = colab["content"] / "rnn-course"
    setup = course.setup_cell_source(LESSON.number, url=f"file://{origin}", checkout=str(checkout))
    notebook = _lesson_start(setup, upto=7)  # setup, imports, warm-up quiz, the first figure
    setup_index = next(
        i for i, c in enumerate(notebook.cells) if "setup" in c.metadata.get("tags", [])
    )
    notebook.cells.insert(setup_index + 1, nbformat.v4.new_code_cell(setup))  # run twice
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import google.protobuf, rnncourse\n"
            "print(rnncourse.__file__)\nprint(course.on_colab, course.mode)"
        )
    )
    done = notebooks.run(
        colab["content"] / "lesson.ipynb",
        "fast",
        notebook=notebook,
        timeout=300,
        env=_environment(colab),
    )
    assert done.error is None, done.error.detail
    cells = done.notebook.cells
    assert (checkout / "pyproject.toml").is_file()
    assert _git("rev-parse", "HEAD", cwd=checkout) == _git("rev-parse", "HEAD", cwd=origin)
    assert _git("rev-parse", "--is-shallow-repository", cwd=checkout) == "true"
    calls = _pip_calls(colab)
    assert len(calls) == 1, f"pip runs once, not again on the second run: {calls}"
    assert calls[0]["argv"] == ["install", "-q", "-e", str(checkout)]
    assert calls[0]["project"], "pip ran on the clone, a course checkout"
    kernel_python = _streams(cells[-1], "stdout").splitlines()
    for cell in (cells[setup_index], cells[setup_index + 1]):
        assert _streams(cell, "stderr") == "", "the setup cell writes nothing to stderr"
        assert [o.output_type for o in cell.outputs] == ["stream"]
        line = _streams(cell, "stdout")
        assert line.startswith("rnn-course lesson 01 | mode: fast | seed 42 | TensorFlow ")
        assert line.count("\n") == 1 and "restart" not in line
    assert kernel_python[0] == str(checkout / "rnncourse" / "__init__.py"), "from the clone"
    assert kernel_python[1:] == ["True fast"]
    quiz = next(c for c in cells if c.source == 'quiz.show("01", "pre")')
    assert [sorted(o.data) for o in quiz.outputs] == [
        ["text/html", "text/plain"],
        ["application/javascript", "text/plain"],
    ]
    for cell in (c for c in cells if c.cell_type == "code"):
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
        assert _streams(cell, "stderr") == "", cell.source[:80]


def _one_failure_line(colab: dict[str, Path], url: str, **extra: str) -> tuple[str, float]:
    """Run the setup cell on Colab with `url`; return its one line of output and the seconds."""
    checkout = colab["content"] / "rnn-course"
    setup = course.setup_cell_source(LESSON.number, url=url, checkout=str(checkout))
    notebook = _lesson_start(setup, upto=3)
    started = time.monotonic()
    done = notebooks.run(
        colab["content"] / "lesson.ipynb",
        "fast",
        notebook=notebook,
        timeout=90,
        env=_environment(colab, **extra),
    )
    seconds = time.monotonic() - started
    assert done.error is not None and done.error.name == "UsageError", done.error
    cell = next(c for c in done.notebook.cells if "setup" in c.metadata.get("tags", []))
    assert [o.output_type for o in cell.outputs] == ["stream"], cell.outputs
    text = _streams(cell, "stderr")
    assert text.count("\n") == 1 and text.endswith("\n"), f"one line, got {text!r}"
    assert _pip_calls(colab) == [], "nothing is installed from a clone that failed"
    assert not (checkout / "pyproject.toml").exists()
    return text.strip(), seconds


def test_a_repository_that_does_not_exist_fails_with_one_line(
    colab: dict[str, Path], tmp_path: Path
) -> None:
    url = f"file://{tmp_path / 'no-such-repository'}"
    line, _ = _one_failure_line(colab, url)
    assert line.startswith(f"UsageError: Could not download the course from {url}: ")
    assert "that the address opens in a browser, then run this cell again" in line
    assert "does not appear to be a git repository" in line, "git's reason is named"


class _AskForPassword(BaseHTTPRequestHandler):
    """What GitHub answers for a repository that does not exist: 401, asking for credentials."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture
def password_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AskForPassword)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/rnn-course/no-such-repository"
    server.shutdown()
    server.server_close()


def test_a_repository_that_asks_for_a_password_fails_at_once(
    colab: dict[str, Path], tmp_path: Path, password_server: str
) -> None:
    """A credential prompt nobody answers (here: askpass programs that wait 30 s) is never
    started: the cell fails within seconds, naming the URL."""
    waiting = tmp_path / "askpass"
    waiting.write_text("#!/bin/sh\nsleep 30\n")
    waiting.chmod(waiting.stat().st_mode | stat.S_IXUSR)
    line, seconds = _one_failure_line(
        colab,
        password_server,
        GIT_ASKPASS=str(waiting),
        SSH_ASKPASS=str(waiting),
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
    )
    assert line.startswith(f"UsageError: Could not download the course from {password_server}: ")
    assert "terminal prompts disabled" in line
    assert seconds < 25, f"the cell took {seconds:.0f} s: something waited for a password"
