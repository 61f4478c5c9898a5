"""The one index of the course: its repository and its lessons, each with its files and budgets.

`LESSONS` is the only list of lessons: build, bench, the quizzes, the checks package and the
tests iterate it or call `lesson(n)`. Adding a lesson is one `Lesson(...)` entry here plus the
lesson's own files (see the README's Contributing section). The repository URL is set here once;
badges, the Colab setup cell and the README's lesson table are generated from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rnncourse import env, paths

#: GitHub "owner/name" of the course repository, and the branch that badges point at.
REPO = "rnn-course/rnn-course"
BRANCH = "main"
#: Where the Colab setup cell clones the repository.
COLAB_CHECKOUT = "/content/rnn-course"
COLAB_BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"

# Budgets of the course guide, section 9, on a 2-core CPU: wall seconds per notebook and mode
# (a lesson's entry may grant more), for the whole course, peak memory, and one check cell.
NOTEBOOK_SECONDS = {"fast": 60.0, "full": 600.0}
COURSE_SECONDS: dict[str, float | None] = {"fast": 600.0, "full": None}
PEAK_MB = 2500.0
CHECK_SECONDS = 1.0


class UnknownLessonError(LookupError):
    """A lesson number that is not in `LESSONS`; the message lists the valid numbers."""


@dataclass(frozen=True)
class Lesson:
    """One lesson: its number and slug name its files, the rest feeds the README and the bench.

    `shows` is the README's "full mode shows" sentence, a `str.format` template over the metrics
    the notebook reports with `rnncourse.env.report_metric`.
    """

    number: str
    slug: str
    title: str
    learn: str
    minutes: int
    shows: str = ""
    fast_seconds: float = NOTEBOOK_SECONDS["fast"]
    full_seconds: float = NOTEBOOK_SECONDS["full"]

    @property
    def filename(self) -> str:
        """Return the notebook's file name, e.g. `01_simple_rnn_cell.ipynb`."""
        return f"{self.number}_{self.slug}.ipynb"

    def solution_path(self, root: Path | None = None) -> Path:
        """Return `solutions/NN_slug.ipynb` under `root` (default: the course checkout)."""
        return (root or paths.course_root()) / "solutions" / self.filename

    def lesson_path(self, root: Path | None = None) -> Path:
        """Return the generated student notebook `lessons/NN_slug.ipynb` under `root`."""
        return (root or paths.course_root()) / "lessons" / self.filename

    def quiz_path(self, root: Path | None = None) -> Path:
        """Return the quiz bank `quizzes/NN_slug.yaml` under `root`."""
        return (root or paths.course_root()) / "quizzes" / f"{self.number}_{self.slug}.yaml"

    @property
    def checks_module(self) -> str:
        """Return the name of the module holding this lesson's checks."""
        return f"rnncourse.checks.lesson{self.number}"

    def seconds(self, mode: str) -> float:
        """Return this notebook's wall-time budget in run mode `mode` ("fast" or "full")."""
        return self.fast_seconds if env.mode(mode) == "fast" else self.full_seconds


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "01",
        "simple_rnn_cell",
        "The simple RNN cell",
        "sequence patterns, the recurrence in NumPy and in Keras, parameter counts, "
        "activations, a first trained RNN",
        75,
        shows="counting task validation accuracy {counting_val_accuracy:.1%}",
    ),
    Lesson(
        "02",
        "bptt_vanishing_gradients",
        "Backpropagation through time",
        "BPTT by hand, Jacobian products and the spectral radius, vanishing and exploding "
        "gradients measured, gradient clipping, where a SimpleRNN stops learning",
        90,
        shows="SimpleRNN accuracy T=5 {accuracy_small_init_T5:.0%}, T=100 "
        "{accuracy_small_init_T100:.0%} (chance 25%); unclipped loss non-finite from step "
        "{first_nonfinite_step_unclipped:.0f}; global_clipnorm validation MSE "
        "{final_val_mse_global_clipnorm:.3f} against {baseline_val_mse_adding:.3f} for the mean",
    ),
    Lesson(
        "03",
        "lstm_gru",
        "LSTM gates and GRU",
        "LSTM and GRU cells from scratch and matched to Keras, the cell-state gradient path, "
        "gates at work, long-range memory compared with SimpleRNN",
        90,
        shows="accuracy at T = 100 with Keras defaults: SimpleRNN "
        "{accuracy_longest_simple_rnn:.0%}, LSTM {accuracy_longest_lstm:.0%}, GRU "
        "{accuracy_longest_gru:.0%}; with chrono gate biases: LSTM "
        "{accuracy_longest_lstm_chrono:.0%}, GRU {accuracy_longest_gru_chrono:.0%}",
    ),
    Lesson(
        "04",
        "bidirectional_stacked",
        "Bidirectional and multi-layer RNNs",
        "tagging Python source character by character, a bidirectional layer built by hand and "
        "matched to Keras, masks and padding, stacked layers and where depth stops paying",
        90,
        shows="test accuracy: unidirectional LSTM {test_accuracy_uni:.1%}, bidirectional "
        "{test_accuracy_bi:.1%} (majority baseline {majority_baseline:.1%}, lookup baseline "
        "{lookup_baseline:.1%})",
    ),
    Lesson(
        "05",
        "sequence_classification",
        "Sequence classification on real text",
        "IMDB reviews: TextVectorization, vocabulary and length chosen from measurements, "
        "padding and masking proven, TF-IDF and averaged-embedding baselines first, LSTM, "
        "bidirectional and stacked, WordPiece with tensorflow-text, error analysis",
        120,
        shows="test accuracy: best RNN {test_accuracy_best_rnn:.1%}, TF-IDF bigrams "
        "{test_accuracy_tfidf:.1%}",
    ),
    Lesson(
        "06",
        "char_generation",
        "Character-level text generation",
        "char-rnn on Shakespeare: a temperature sampler, shifted windows in NumPy and tf.data, "
        "training to a time budget, bits per character and perplexity, the recipe credited one "
        "change at a time, O(1) stateful generation and where its time goes, hidden units "
        "tested against an untrained control, tf.distribute",
        120,
        shows="validation loss {val_loss_nats:.3f} nats ({val_bits_per_char:.3f} bpc) at "
        "{train_chars_per_s:,.0f} training chars/s; generation "
        "{generation_chars_per_s_carried:,.0f} chars/s carried in Keras, "
        "{generation_chars_per_s_numpy:,.0f} with the NumPy step, "
        "{generation_chars_per_s_rereading:.0f} re-reading",
        full_seconds=1500.0,  # the main run, the opt-in comparison runs and the unit search
    ),
    Lesson(
        "07",
        "word_language_model",
        "Word-level language models and perplexity",
        "words, <eos> and <unk>, the vocabulary chosen from its coverage, perplexity, unigram, "
        "add-k bigram and interpolated trigram baselines, an LSTM language model with truncated "
        "BPTT, carried state, dropout and tied embeddings, each measured, temperature, top-k and "
        "top-p generation, WordPiece for unknown words",
        120,
        shows="validation perplexity: LSTM {val_perplexity_lstm:.1f}, interpolated trigram "
        "{val_perplexity_trigram:.1f}; test: LSTM {test_perplexity_lstm:.1f}, trigram "
        "{test_perplexity_trigram:.1f}",
    ),
    Lesson(
        "08",
        "encoder_decoder",
        "Encoder-decoder models and attention",
        "number words to digits: teacher forcing, the greedy inference loop, exact match against "
        "per-character accuracy, the bottleneck measured against input length, a bidirectional "
        "encoder, dot-product attention written as a layer with its heat maps, beam search",
        120,
        shows="exact match on the longest test inputs: attention "
        "{test_exact_longest_attention:.0%}, bidirectional {test_exact_longest_bidirectional:.0%}, "
        "plain {test_exact_longest_plain:.0%}",
    ),
    Lesson(
        "09",
        "time_series",
        "Time-series forecasting",
        "real weather, temperature and stock series split in time order, normalisation fitted on "
        "training data, windows with timeseries_dataset_from_array, persistence, seasonal, "
        "moving-average and linear baselines first, SimpleRNN, LSTM and GRU forecasters, direct "
        "and autoregressive multi-step forecasts, a random walk, anomaly detection",
        120,
        shows="next-day maximum temperature, test MAE: best RNN {test_mae_best_rnn:.2f} °C, "
        "linear {test_mae_linear:.2f} °C, persistence {test_mae_persistence:.2f} °C",
    ),
    Lesson(
        "10",
        "parallel_recurrence",
        "After RNNs: attention and recurrences that train in parallel",
        "the cost of one step after another measured against a causal Transformer, generation "
        "cost and memory with and without a key/value cache, minGRU as a loop and as a "
        "log-space parallel scan, a training race for the same time on Shakespeare, where "
        "attention, recurrence and the hybrids stand",
        90,
        shows="validation loss after {race_seconds:.0f} s of training: GRU {val_loss_gru:.3f}, "
        "minGRU {val_loss_mingru:.3f}, Transformer {val_loss_transformer:.3f} nats per character; "
        "scan vs loop training step at T = 1024: {scan_speedup_1024:.1f}x",
        full_seconds=1500.0,  # the training race of three models on three seeds
    ),
)


def lesson(number: str | int) -> Lesson:
    """Return the lesson numbered `number` ("01", "1" or 1); UnknownLessonError names the valid."""
    key = str(number).strip().zfill(2)
    for item in LESSONS:
        if item.number == key:
            return item
    valid = ", ".join(item.number for item in LESSONS)
    raise UnknownLessonError(f"unknown lesson {str(number)!r}; the course has lessons {valid}")


def select(numbers: Sequence[str | int] | None = None) -> list[Lesson]:
    """Return the lessons numbered `numbers` in course order, or all of them for None or []."""
    if not numbers:
        return list(LESSONS)
    chosen = {lesson(number) for number in numbers}
    return [item for item in LESSONS if item in chosen]


def repo_url() -> str:
    """Return the https URL of the course repository on GitHub."""
    return f"https://github.com/{REPO}"


def colab_url(folder: str, filename: str) -> str:
    """Return the Colab URL that opens `folder/filename` of the repository's main branch."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{folder}/{filename}"


def colab_badge(folder: str, filename: str) -> str:
    """Return the Markdown of an "Open in Colab" badge for `folder/filename`."""
    return f"[![Open In Colab]({COLAB_BADGE_IMG})]({colab_url(folder, filename)})"


def setup_cell_source(
    number: str, *, url: str | None = None, checkout: str = COLAB_CHECKOUT
) -> str:
    """Return the source of the setup cell of lesson `number`, the same in every lesson.

    On Colab it clones the repository (`url`, default `repo_url()`) into `checkout` unless it is
    there, installs the helper package from it unless it is installed (never TensorFlow), and
    stops with one line naming the URL, or the folder, and what to do when either fails; git
    never waits for a password. Everywhere it then calls `setup_lesson`. The keywords exist for
    tests (a local clone); `python -m rnncourse.build` keeps the cell tagged `setup` of every
    notebook equal to the default text.
    """
    key = lesson(number).number
    template = """\
import sys

if "google.colab" in sys.modules:  # on Colab: fetch the course and install its helper package
    import importlib.util
    import os
    import subprocess

    from IPython.core.error import UsageError

    url, checkout = "{url}", "{checkout}"

    def run_or_stop(command, failure, **env):
        \"\"\"Run `command` quietly; if it fails, stop this cell with one line: `failure`,
        then git's or pip's first error line.\"\"\"
        done = subprocess.run(command, env={{**os.environ, **env}}, capture_output=True, text=True)
        if done.returncode:
            lines = done.stderr.strip().splitlines() or [f"exit status {{done.returncode}}"]
            why = next((x for x in lines if x.lower().startswith(("fatal:", "error:"))), lines[0])
            raise UsageError(f"{{failure}} ({{why}})")

    if not os.path.exists(f"{{checkout}}/pyproject.toml"):
        run_or_stop(  # with no prompt, a missing repository fails at once: no password wait
            ["git", "clone", "-q", "--depth", "1", url, checkout],
            f"Could not download the course from {{url}}: check that this runtime is online and "
            "that the address opens in a browser, then run this cell again",
            GIT_TERMINAL_PROMPT="0",
            GIT_ASKPASS="",
        )
    if importlib.util.find_spec("rnncourse") is None:  # not installed in this runtime yet
        run_or_stop(
            [sys.executable, "-m", "pip", "install", "-q", "-e", checkout],
            f"Could not install the course's package from {{checkout}}: run this cell again",
        )
    sys.path.insert(0, checkout)

from rnncourse import setup_lesson

course = setup_lesson("{key}")"""
    return template.format(url=url or repo_url(), checkout=checkout, key=key)
