"""What the course is made of: the repository it lives in and its lessons.

This module is the one place where the repository URL is set. Badges, the Colab setup cell and the
README's lesson table are generated from it by `python -m rnncourse.build`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: GitHub "owner/name" of the course repository, and the branch that badges point at.
REPO = "rnn-course/rnn-course"
BRANCH = "main"


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course (the notebook file is `<number>_<slug>.ipynb`)."""

    number: str
    slug: str
    title: str
    learn: str
    minutes: int

    @property
    def filename(self) -> str:
        """Return the notebook's file name, e.g. `01_simple_rnn_cell.ipynb`."""
        return f"{self.number}_{self.slug}.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "01",
        "simple_rnn_cell",
        "The simple RNN cell",
        "sequence patterns, the recurrence in NumPy and in Keras, parameter counts, "
        "activations, a first trained RNN",
        75,
    ),
    Lesson(
        "02",
        "bptt_vanishing_gradients",
        "Backpropagation through time",
        "BPTT by hand, Jacobian products and the spectral radius, vanishing and exploding "
        "gradients measured, gradient clipping, where a SimpleRNN stops learning",
        90,
    ),
    Lesson(
        "03",
        "lstm_gru",
        "LSTM gates and GRU",
        "LSTM and GRU cells from scratch and matched to Keras, the cell-state gradient path, "
        "gates at work, long-range memory compared with SimpleRNN",
        90,
    ),
    Lesson(
        "06",
        "char_generation",
        "Character-level text generation",
        "char-rnn on Shakespeare: a tf.data pipeline, training to a time budget, bits per "
        "character, temperature sampling, O(1) stateful generation, neurons that track quotes "
        "and lines, tf.distribute",
        120,
    ),
)


def repo_url() -> str:
    """Return the https URL of the course repository on GitHub."""
    return f"https://github.com/{REPO}"


def pip_url() -> str:
    """Return the pip requirement that installs the course package from GitHub (used on Colab)."""
    return f"rnncourse @ git+{repo_url()}"


def colab_url(folder: str, filename: str) -> str:
    """Return the Colab URL that opens `folder/filename` of the repository's main branch."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{folder}/{filename}"


COLAB_BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"


def colab_badge(folder: str, filename: str) -> str:
    """Return the Markdown of an "Open in Colab" badge for `folder/filename`."""
    return f"[![Open In Colab]({COLAB_BADGE_IMG})]({colab_url(folder, filename)})"


def lesson(number: str) -> Lesson:
    """Return the lesson numbered `number` ("01"); raise ValueError naming the valid numbers."""
    key = str(number).zfill(2)
    for item in LESSONS:
        if item.number == key:
            return item
    valid = ", ".join(item.number for item in LESSONS)
    raise ValueError(f"unknown lesson {number!r}; the course has lessons {valid}")


#: Where the Colab setup cell clones the repository.
COLAB_CHECKOUT = "/content/rnn-course"


def setup_cell_source(number: str) -> str:
    """Return the source of the setup cell of lesson `number`, the same in every lesson.

    On Colab it clones the repository (URL from `repo_url()`) and installs the helper package,
    never TensorFlow; everywhere it calls `setup_lesson`. `python -m rnncourse.build` keeps the
    cell tagged `setup` of every notebook equal to this text.
    """
    key = lesson(number).number
    return (
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:  # on Colab: fetch the course, install its helper package\n'
        f"    !test -d {COLAB_CHECKOUT} || git clone -q --depth 1 {repo_url()} {COLAB_CHECKOUT}\n"
        f"    %pip install -q -e {COLAB_CHECKOUT}\n"
        f'    sys.path.insert(0, "{COLAB_CHECKOUT}")\n'
        "\n"
        "from rnncourse import setup_lesson\n"
        "\n"
        f'course = setup_lesson("{key}")'
    )
