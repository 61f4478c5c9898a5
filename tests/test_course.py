"""The course description: one repository URL, lesson lookup, the shared setup cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnncourse import course

ROOT = Path(__file__).resolve().parent.parent


def test_lesson_lookup_accepts_short_numbers_and_names_valid_ones():
    assert course.lesson("1").filename == "01_simple_rnn_cell.ipynb"
    with pytest.raises(ValueError, match="01"):
        course.lesson("99")


def test_badges_and_setup_cell_use_the_one_repository_url():
    url = course.repo_url()
    assert url == f"https://github.com/{course.REPO}"
    assert f"github/{course.REPO}/blob/{course.BRANCH}/lessons/x.ipynb" in course.colab_badge(
        "lessons", "x.ipynb"
    )
    source = course.setup_cell_source("01")
    assert url in source and 'setup_lesson("01")' in source
    assert "pip install" in source and "tensorflow" not in source.lower()


def test_repository_url_is_written_nowhere_else_in_the_package():
    """Only course.py spells the repository; everything else derives from it."""
    pattern = re.compile(re.escape(course.REPO))
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "rnncourse").rglob("*.py")
        if path.name != "course.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
