"""Lesson 06 checks `sample_with_temperature` and `generate`, through their public behaviour.

Correct alternatives pass (inverse CDF, searchsorted, Gumbel-max, rng.choice, rng.multinomial,
TensorFlow, float32 and float64, loops; several generation loops, long primes), the statistical
test never rejects a correct sampler over many seeds, each catalogued mistake fails with its own
hint, bad return values (None, NaN, inf, lists, tensors) get one line and False, and no warning
escapes a check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks, course
from rnncourse.env import import_tensorflow

#: A RuntimeWarning that escapes a check (the learner's or the check's own arithmetic) fails.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PASS_SAMPLER = "✅ sample_with_temperature"
FAIL_SAMPLER = "❌ sample_with_temperature"


def softmax_rows(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def validate(temperature):
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")


# --------------------------------------------------------------------------- correct samplers


def sample_ok(logits, temperature, rng):
    """Inverse CDF, vectorised in float64: count the cumulative probabilities below u."""
    logits = np.asarray(logits, dtype=np.float64)
    validate(temperature)
    if temperature == 0:
        index = np.argmax(logits, axis=-1)
    else:
        p = softmax_rows(logits / temperature)
        u = rng.random(p.shape[:-1] + (1,))
        index = np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), p.shape[-1] - 1)
    return int(index) if np.ndim(index) == 0 else index


def sample_float32(logits, temperature, rng):
    """Vectorised and float32 throughout, in place on its own copy."""
    validate(temperature)
    if temperature == 0:
        index = np.argmax(logits, axis=-1)
        return int(index) if np.ndim(index) == 0 else index
    scaled = np.asarray(logits, dtype=np.float32) / np.float32(temperature)
    scaled -= scaled.max(axis=-1, keepdims=True)
    e = np.exp(scaled)
    cdf = np.cumsum(e / e.sum(axis=-1, keepdims=True), axis=-1)
    u = rng.random(cdf.shape[:-1] + (1,), dtype=np.float32)
    index = np.minimum((cdf < u).sum(axis=-1), cdf.shape[-1] - 1)
    return int(index) if np.ndim(index) == 0 else index.astype(np.int64)


def sample_searchsorted(logits, temperature, rng):
    """Inverse CDF with np.searchsorted, one row at a time."""
    validate(temperature)
    rows = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    if temperature == 0:
        out = rows.argmax(axis=-1)
    else:
        out = []
        for row in rows:
            cdf = np.cumsum(softmax_rows(row / temperature))
            out.append(
                min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), len(row) - 1)
            )
        out = np.array(out)
    return int(out[0]) if np.ndim(logits) == 1 else out


def sample_gumbel(logits, temperature, rng):
    """The Gumbel-max trick: argmax(s / τ + Gumbel noise) is a sample of softmax(s / τ)."""
    if np.isnan(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature}")
    if temperature == 0:
        return np.argmax(logits, axis=-1)
    return np.argmax(logits / temperature + rng.gumbel(size=np.shape(logits)), axis=-1)


def sample_choice(logits, temperature, rng):
    """rng.choice on each row, in a Python loop."""
    validate(temperature)
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 1:
        return int(sample_choice(logits[None], temperature, rng)[0])
    if temperature == 0:
        return logits.argmax(axis=-1)
    p = softmax_rows(logits / temperature)
    return np.array([rng.choice(p.shape[-1], p=row) for row in p])


def sample_multinomial(logits, temperature, rng):
    """rng.multinomial(1, p) per row, with a tiny τ standing for τ = 0 (any tied maximum)."""
    validate(temperature)
    rows = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    p = softmax_rows(rows / max(temperature, 1e-12))
    out = np.array([int(np.argmax(rng.multinomial(1, row))) for row in p])
    return int(out[0]) if np.ndim(logits) == 1 else out


def sample_python(logits, temperature, rng):
    """Pure Python loops with math.exp; τ = 0 picks the LAST of the tied maxima."""
    validate(temperature)
    rows = [logits.tolist()] if np.ndim(logits) == 1 else logits.tolist()
    out = []
    for row in rows:
        if temperature == 0:
            best = max(row)
            out.append(max(i for i, s in enumerate(row) if s == best))
            continue
        top = max(row) / temperature
        weights = [math.exp(s / temperature - top) for s in row]
        u, total = rng.random() * sum(weights), 0.0
        index = len(row) - 1
        for i, w in enumerate(weights):
            total += w
            if u < total:
                index = i
                break
        out.append(index)
    return out[0] if np.ndim(logits) == 1 else np.array(out)


def sample_tf(logits, temperature, rng):
    """tf.random.stateless_categorical, seeded from rng so that a seed reproduces the draws."""
    tf = import_tensorflow()
    validate(temperature)
    rows = np.atleast_2d(np.asarray(logits, dtype=np.float32))
    if temperature == 0:
        out = tf.argmax(rows, axis=-1).numpy()
    else:
        seed = rng.integers(0, 2**31 - 1, size=2)
        out = tf.random.stateless_categorical(rows / temperature, 1, seed=seed).numpy()[:, 0]
    return int(out[0]) if np.ndim(logits) == 1 else out


def lesson_solution(name):
    """The function `name` as the lesson's solution notebook defines it in its exercise cell."""
    import nbformat

    nb = nbformat.read(course.lesson(6).solution_path(), as_version=4)
    (cell,) = [
        c
        for c in nb.cells
        if "exercise" in c.metadata.get("tags", []) and f"def {name}(" in c.source
    ]
    namespace = {"np": np}
    exec(compile(cell.source, f"<solution {name}>", "exec"), namespace)
    return namespace[name]


SAMPLERS = {
    "inverse CDF, float64": sample_ok,
    "inverse CDF, float32": sample_float32,
    "searchsorted, loop": sample_searchsorted,
    "Gumbel-max": sample_gumbel,
    "rng.choice, loop": sample_choice,
    "rng.multinomial, tiny τ for 0": sample_multinomial,
    "pure Python, last tie at τ = 0": sample_python,
    "tf.random.stateless_categorical": sample_tf,
}


def assert_course_notation(out):
    """COURSE_GUIDE section 6: scores s, ŷ = softmax(s / τ), temperature τ; z is the GRU gate."""
    assert " z " not in out and "z =" not in out and "(z" not in out, out
    assert "T =" not in out and "T >" not in out and "T <" not in out, out


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_correct_samplers_pass(name, capsys):
    ok, out = run(checks.sample_with_temperature, SAMPLERS[name], capsys)
    assert ok is True and out.startswith(PASS_SAMPLER), out
    assert "ŷ = softmax(s / τ)" in out
    assert_course_notation(out)


def test_the_lessons_solution_passes_and_the_line_does_not_depend_on_the_draws(capsys):
    lines = set()
    for fn in (lesson_solution("sample_with_temperature"), sample_gumbel, sample_choice):
        ok, out = run(checks.sample_with_temperature, fn, capsys)
        assert ok is True, out
        lines.add(out)
    assert len(lines) == 1, "nbval compares the check's output: it must not depend on the draws"


def salted(method, salt):
    """`method` drawing from a stream derived from the check's rng and `salt`: still
    reproducible for a given rng, but every salt sees different random numbers."""

    def sampler(logits, temperature, rng):
        stream = np.random.default_rng([salt, int(rng.integers(2**62))])
        return method(logits, temperature, stream)

    return sampler


def test_the_statistical_test_does_not_reject_a_correct_sampler_on_50_seeds(capsys):
    failures = []
    for salt in range(50):
        method = (sample_ok, sample_gumbel)[salt % 2]
        ok, out = run(checks.sample_with_temperature, salted(method, salt), capsys)
        if not ok:
            failures.append((salt, out))
    assert failures == []


# --------------------------------------------------------------------------- wrong samplers


def make_sampler(
    transform="divide",
    stabilise="row max",
    zero="argmax",
    validate_t="full",
    draw="inverse",
    batch="rows",
    mask="keep",
    dtype=np.float64,
    axis=-1,
):
    """A sampler with switches that reproduce the catalogued mistakes (the default is right)."""

    def sampler(logits, temperature, rng):
        if validate_t == "full" and not temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if validate_t == "less than" and temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if validate_t == "assert":
            assert temperature >= 0, "temperature must be >= 0"
        if validate_t == "zero too" and not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        if transform == "in place":
            scores = logits
        else:
            scores = np.asarray(logits, dtype=dtype)
        if mask == "replace":
            scores = np.where(np.isfinite(scores), scores, 0.0)
        if zero == "argmax" and temperature == 0:
            index = np.argmax(scores, axis=-1)
            return int(index) if scores.ndim == 1 else index
        if transform in ("divide", "in place"):
            if zero == "python division":
                x = scores * (1.0 / temperature)
            elif transform == "in place":
                scores /= temperature
                x = scores
            else:
                x = scores / temperature
        elif transform == "ignore":
            x = scores
        elif transform == "multiply":
            x = scores * temperature
        if transform == "probabilities":
            p = scores / scores.sum(axis=-1, keepdims=True)
        elif transform == "raw probabilities":
            p = scores
        else:
            if stabilise == "row max":
                x = x - x.max(axis=-1, keepdims=True)
            elif stabilise == "batch max":
                x = x - x.max()
            elif stabilise == "mean":
                x = x - x.mean(axis=-1, keepdims=True)
            e = np.exp(x)
            p = e / e.sum(axis=axis, keepdims=True) if draw != "unnormalised" else e
        if batch == "one row":
            return int(rng.choice(len(p), p=p))
        if draw == "argmax":
            index = np.argmax(p, axis=-1)
        elif draw in ("choice", "uniform", "choice 66", "choice 5"):
            rows = np.atleast_2d(p)
            size = {"choice 66": 66, "choice 5": 5}.get(draw, rows.shape[-1])
            probs = {"uniform": lambda row: None}.get(draw, lambda row: row)
            index = np.array([rng.choice(size, p=probs(row)) for row in rows])
            index = index.reshape(p.shape[:-1])
        else:
            shape = p.shape[:-1] + (1,)
            u = {
                "global": lambda: np.random.random(shape),
                "fresh": lambda: np.random.default_rng().random(shape),
                "fixed": lambda: np.random.default_rng(0).random(shape),
                "shared": lambda: rng.random(),
            }.get(draw, lambda: rng.random(shape))()
            cdf = np.cumsum(p, axis=0 if draw == "cumsum axis 0" else -1)
            index = (cdf < u).sum(axis=-1)
            if draw == "plus one":
                index = index + 1
            index = np.minimum(index, p.shape[-1] - 1)
        if scores.ndim == 1:
            return int(index)
        if batch == "column":
            return index[:, None]
        if batch == "list":
            return index.tolist()
        if batch == "float":
            return index.astype(np.float64)
        return index

    return sampler


def per_path(one_row, batch):
    """A sampler that takes `one_row` for logits (V,) and `batch` for (B, V)."""

    def sampler(logits, temperature, rng):
        return (one_row if np.ndim(logits) == 1 else batch)(logits, temperature, rng)

    return sampler


def argmax_without_axis(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits)
    return sample_ok(logits, temperature, rng)


def argmax_for_constant_rows(logits, temperature, rng):
    """Right, except that a row of equal scores always gives its first index."""
    if temperature > 0 and np.all(np.asarray(logits) == np.asarray(logits)[..., :1]):
        index = np.zeros(np.shape(logits)[:-1], dtype=np.int64)
        return int(index) if np.ndim(logits) == 1 else index
    return sample_ok(logits, temperature, rng)


def small_temperature_is_argmax(logits, temperature, rng):
    return sample_ok(logits, 0.0 if temperature < 0.15 else temperature, rng)


def scribbles_on_module_arrays(logits, temperature, rng):
    """Right, but writes over every writable array it can reach in the checks' module."""
    from rnncourse.checks import lesson06

    for value in vars(lesson06).values():
        if isinstance(value, np.ndarray) and value.flags.writeable:
            value[...] = 0
    return sample_ok(logits, temperature, rng)


OVERFLOW = "Subtract the maximum of each row"
SAMPLING_MISTAKES = {
    # the temperature
    "temperature ignored": (make_sampler(transform="ignore"), "the temperature has no effect"),
    "temperature ignored on the batch path": (
        per_path(sample_ok, make_sampler(transform="ignore")),
        "for a batch (B, V), the temperature has no effect",
    ),
    "temperature ignored on the single-row path": (
        per_path(make_sampler(transform="ignore"), sample_ok),
        "the path generate uses, the temperature has no effect",
    ),
    "scores multiplied by τ": (
        make_sampler(transform="multiply"),
        "multiplied the scores by the temperature",
    ),
    "small τ treated as 0": (small_temperature_is_argmax, "at τ = 0.1 the samples do not follow"),
    # the softmax
    "no max subtracted": (make_sampler(stabilise="none"), OVERFLOW),
    "no max subtracted, float32": (make_sampler(stabilise="none", dtype=np.float32), OVERFLOW),
    "no max subtracted, rng.choice": (make_sampler(stabilise="none", draw="choice"), OVERFLOW),
    "no max on the single-row path only": (
        per_path(make_sampler(stabilise="none"), sample_ok),
        "for one row of logits (V,)",
    ),
    "max of the whole batch": (make_sampler(stabilise="batch max"), "each row's own maximum"),
    "max of the whole batch, rng.choice": (
        make_sampler(stabilise="batch max", draw="choice"),
        "each row's own maximum",
    ),
    "mean subtracted": (make_sampler(stabilise="mean"), "subtracting the mean or the minimum"),
    "-inf replaced by 0": (make_sampler(mask="replace"), "a masked character"),
    "not normalised": (make_sampler(draw="unnormalised"), "your probabilities do not sum to 1"),
    "sum over the batch axis, rng.choice": (
        make_sampler(axis=0, draw="choice"),
        "not on a batch (B, V): sample each row, in a loop over the rows or along axis=-1",
    ),
    "cumulative sum over the batch axis": (
        make_sampler(draw="cumsum axis 0"),
        "so the batch path mixes the rows",
    ),
    "scores as probabilities": (
        make_sampler(transform="probabilities"),
        "the scores are not probabilities",
    ),
    "scores passed to rng.choice": (
        make_sampler(transform="raw probabilities", batch="one row"),
        "must sum to 1 in every row",
    ),
    # the draw
    "always argmax": (make_sampler(draw="argmax"), "always return the most likely index"),
    "argmax on the single-row path": (
        per_path(make_sampler(draw="argmax"), sample_ok),
        "your batches are right, but for one row of logits (V,), the path generate uses, you "
        "always return the most likely index",
    ),
    "rng.choice without p": (make_sampler(draw="uniform"), "every index is drawn equally often"),
    "inverse CDF one too high": (make_sampler(draw="plus one"), "your indices are one too high"),
    "a tie always gives its first index": (argmax_for_constant_rows, "equal scores (a tie)"),
    "V hard-coded as the lesson's 66": (make_sampler(draw="choice 66"), "V = logits.shape[-1]"),
    "V hard-coded as 5": (make_sampler(draw="choice 5"), "V = logits.shape[-1]"),
    "one random number for all rows": (
        make_sampler(draw="shared"),
        "every row used the same random number",
    ),
    "the same Gumbel noise for all rows": (
        lambda logits, t, rng: (
            sample_gumbel(logits, t, rng)
            if t == 0 or np.ndim(logits) == 1
            else np.argmax(logits / t + rng.gumbel(size=np.shape(logits)[-1]), axis=-1)
        ),
        "every row used the same random number",
    ),
    "global np.random": (make_sampler(draw="global"), "not reproducible"),
    "fresh generator": (make_sampler(draw="fresh"), "not reproducible"),
    "generator with a fixed seed": (make_sampler(draw="fixed"), "same samples for different seeds"),
    # the input
    "divides the logits in place": (
        make_sampler(transform="in place"),
        "changed its input `logits` in place",
    ),
    # τ = 0 and invalid τ
    "argmax without axis at τ = 0": (argmax_without_axis, "use np.argmax(logits, axis=-1)"),
    "τ = 0 divides by zero": (make_sampler(zero="none"), "handle temperature == 0 separately"),
    "τ = 0 ZeroDivisionError": (
        make_sampler(zero="python division"),
        "Your function raised ZeroDivisionError",
    ),
    "τ = 0 rejected": (make_sampler(validate_t="zero too"), "temperature 0 is allowed"),
    "negative τ accepted": (make_sampler(validate_t="none"), "a negative temperature was accepted"),
    "nan slips through": (make_sampler(validate_t="less than"), "NaN fails every comparison"),
    "nan slips through to rng.choice": (
        make_sampler(validate_t="less than", draw="choice"),
        "NumPy raised ValueError",
    ),
    "assert instead of ValueError": (make_sampler(validate_t="assert"), "asserts are skipped"),
    # the result
    "one row only": (make_sampler(batch="one row"), "sample each row"),
    "returns (B, 1)": (make_sampler(batch="column"), "drop the extra axis"),
    "returns a list": (make_sampler(batch="list"), "is a Python list"),
    "returns floats": (make_sampler(batch="float"), "return integer indices"),
    "a batch of one row gives an int": (
        lambda lg, t, r: (
            int(sample_ok(lg, t, r)[0]) if np.shape(lg)[0] == 1 else sample_ok(lg, t, r)
        ),
        "a batch of one row still gets an integer NumPy array of shape (B,) = (1,)",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLING_MISTAKES))
def test_sampling_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = SAMPLING_MISTAKES[name]
    ok, out = run(checks.sample_with_temperature, wrong, capsys)
    assert ok is False and out.startswith(FAIL_SAMPLER), out
    assert hint in out, out
    assert_course_notation(out)


def test_the_default_switches_make_a_correct_sampler(capsys):
    """The mistakes above differ from a correct sampler by their switch alone."""
    ok, out = run(checks.sample_with_temperature, make_sampler(), capsys)
    assert ok is True, out


def test_an_unknown_sampling_mistake_names_the_frequencies(capsys):
    def squared(logits, temperature, rng):  # a wrong distribution that is in no catalogue
        if temperature == 0:
            return sample_ok(logits, 0, rng)
        return sample_ok(np.asarray(logits) ** 2 / 4, temperature, rng)

    ok, out = run(checks.sample_with_temperature, squared, capsys)
    assert not ok and "the samples do not follow ŷ = softmax(s / τ)" in out
    assert "was drawn" in out and "expected" in out


def test_one_row_sampled_for_all_rows_is_explained(capsys):
    def first_row_only(logits, temperature, rng):
        logits = np.asarray(logits)
        if logits.ndim == 1 or temperature == 0:
            return sample_ok(logits, temperature, rng)
        return sample_ok(np.broadcast_to(logits[:1], logits.shape), temperature, rng)

    ok, out = run(checks.sample_with_temperature, first_row_only, capsys)
    assert not ok and "Each row must be sampled from its own logits" in out


def test_a_wrong_single_row_path_is_found(capsys):
    def uniform_1d(logits, temperature, rng):
        logits = np.asarray(logits)
        if logits.ndim == 1 and temperature > 0:
            return int(rng.integers(len(logits)))
        return sample_ok(logits, temperature, rng)

    ok, out = run(checks.sample_with_temperature, uniform_1d, capsys)
    assert not ok and "your batches are right, but for one row of logits (V,)" in out


def test_a_learner_cannot_change_the_checks_inputs(capsys):
    """No module-level array to scribble on: the check passes and prints the same line."""
    first = run(checks.sample_with_temperature, sample_ok, capsys)
    scribbled = run(checks.sample_with_temperature, scribbles_on_module_arrays, capsys)
    again = run(checks.sample_with_temperature, sample_ok, capsys)
    assert first == scribbled == again and first[0] is True


def test_a_mutating_sampler_does_not_spoil_the_next_check(capsys):
    ok, out = run(checks.sample_with_temperature, make_sampler(transform="in place"), capsys)
    assert not ok and "in place" in out
    ok, out = run(checks.sample_with_temperature, sample_ok, capsys)
    assert ok, out


def test_bad_results_get_one_line_and_false(capsys):
    tf = import_tensorflow()
    right = sample_ok

    def batch_returns(value):
        return lambda lg, t, r: right(lg, t, r) if np.ndim(lg) == 1 else value(lg)

    cases = [
        (lambda *a: None, "`return`"),
        (lambda lg, t, r: [1], "is a Python list"),
        (lambda lg, t, r: 1.5, "not a float or a probability"),
        (lambda lg, t, r: math.nan, "float nan"),
        (lambda lg, t, r: np.float64(np.inf), "float64 inf"),
        (lambda lg, t, r: "b", "has type str"),
        (lambda lg, t, r: {"index": 1}, "has type dict"),
        (lambda lg, t, r: softmax_rows(lg), "(the probabilities?)"),
        (lambda lg, t, r: tf.constant(1), "TensorFlow tensor"),
        (lambda lg, t, r: 7, "not an index in range(V)"),
        (lambda lg, t, r: -1, "not an index in range(V)"),
        (batch_returns(lambda lg: None), "`return`"),
        (batch_returns(lambda lg: np.full(len(lg), np.nan)), "has dtype float64"),
        (batch_returns(lambda lg: np.full(len(lg), np.inf)), "has dtype float64"),
        (batch_returns(lambda lg: tf.zeros(len(lg), tf.int64)), "TensorFlow tensor"),
        (batch_returns(lambda lg: np.zeros((len(lg), 2), np.int64)), "has shape"),
        (batch_returns(lambda lg: np.full(len(lg), 5)), "holds 5, not an index"),
        (batch_returns(lambda lg: np.zeros(len(lg), dtype=object)), "has dtype object"),
        (batch_returns(lambda lg: (i for i in range(len(lg)))), "has type generator"),
        (batch_returns(lambda lg: 3), "is a single number"),
        ("sample_with_temperature", "pass the function itself"),
    ]
    for fn, hint in cases:
        ok, out = run(checks.sample_with_temperature, fn, capsys)
        assert ok is False and hint in out, (hint, out)


def test_a_raising_sampler_is_told_its_line(capsys):
    def broken(logits, temperature, rng):
        validate(temperature)
        probabilities = softmax_rows(logits)
        return probabilities[len(probabilities) + 10]  # IndexError on this line

    ok, out = run(checks.sample_with_temperature, broken, capsys)
    assert not ok and "IndexError" in out and "probabilities[len(probabilities) + 10]" in out


# --------------------------------------------------------------------------- generate references


def generate_ok(step, prime_ids, n_chars, sample):
    """n_chars calls of step: the prime, then every sampled id but the last."""
    if n_chars == 0:
        return []
    logits, states = step(np.array([prime_ids]), None)
    generated = []
    for i in range(n_chars):
        next_id = sample(logits[0, -1])
        generated.append(int(next_id))
        if i < n_chars - 1:
            logits, states = step(np.array([[next_id]]), states)
    return generated


def generate_extra_call(step, prime_ids, n_chars, sample):
    """n_chars + 1 calls of step: every sampled id is fed back, the last one too."""
    logits, states = step(np.array([prime_ids]), None)
    generated = []
    for _ in range(n_chars):
        generated.append(sample(logits[0, -1]))
        logits, states = step(np.array([[generated[-1]]]), states)
    return np.array(generated, dtype=np.int64)


def generate_prime_one_by_one(step, prime_ids, n_chars, sample):
    """The prime fed one character at a time, the states carried: also correct."""
    states = None
    for char_id in prime_ids:
        logits, states = step(np.array([[char_id]]), states)
    generated = []
    for _ in range(n_chars):
        generated.append(sample(logits[0, -1]))
        logits, states = step(np.array([[generated[-1]]]), states=states)
    return tuple(generated)


def generate_prime_in_chunks(step, prime_ids, n_chars, sample):
    """The prime in chunks of 3 (int32, via np.asarray), a while loop, keyword states."""
    prime = np.asarray(prime_ids, dtype=np.int32)
    states = None
    for start in range(0, len(prime), 3):
        logits, states = step(prime[None, start : start + 3], states=states)
    generated = []
    while len(generated) < n_chars:
        generated.append(int(sample(logits[0][-1].astype(np.float64))))
        logits, states = step(ids=np.array([[generated[-1]]], np.int64), states=states)
    return generated


def generate_tf_ids(step, prime_ids, n_chars, sample):
    """Ids as TensorFlow tensors, logits[:, -1][0] for the last position."""
    tf = import_tensorflow()
    logits, states = step(tf.constant([list(prime_ids)], tf.int32), None)
    generated = []
    for _ in range(n_chars):
        generated.append(sample(logits[:, -1][0]))
        logits, states = step(tf.constant([[generated[-1]]], tf.int32), states)
    return generated


GENERATE_REFERENCES = {
    "n_chars calls": generate_ok,
    "n_chars + 1 calls, array result": generate_extra_call,
    "prime one by one, tuple result": generate_prime_one_by_one,
    "prime in chunks, while loop": generate_prime_in_chunks,
    "TensorFlow ids": generate_tf_ids,
}


@pytest.mark.parametrize("name", sorted(GENERATE_REFERENCES))
def test_generate_references_pass(name, capsys):
    ok, out = run(checks.generate, GENERATE_REFERENCES[name], capsys)
    assert ok is True and out.startswith("✅ generate"), out


def test_the_lessons_generate_passes(capsys):
    ok, out = run(checks.generate, lesson_solution("generate"), capsys)
    assert ok is True, out


def test_generate_works_with_a_real_sampler_and_a_keras_model():
    """The reference loop and the lesson's sampler on a Keras GRU: carrying the state gives what
    re-reading the whole text gives, so the check's toy model asks for the right loop."""
    import_tensorflow()
    import keras

    vocab, units = 7, 8
    ids_in = keras.Input(shape=(None,), dtype="int32")
    state_in = keras.Input(shape=(units,))
    x = keras.layers.Embedding(vocab, 4)(ids_in)
    seq, state = keras.layers.GRU(units, return_sequences=True, return_state=True)(
        x, initial_state=state_in
    )
    model = keras.Model([ids_in, state_in], [keras.layers.Dense(vocab)(seq), state])

    def step(ids, states):
        states = np.zeros((1, units), "float32") if states is None else states
        logits, new_states = model([ids, states])
        return np.asarray(logits), np.asarray(new_states)

    def full_logits(ids):
        return np.asarray(model([np.array([ids]), np.zeros((1, units), "float32")])[0])[0, -1]

    sampler = lesson_solution("sample_with_temperature")
    rng = np.random.default_rng(0)
    out = generate_ok(step, [1, 2, 3], 5, lambda row: sampler(row, 0.0, rng))
    assert len(out) == 5 and all(isinstance(i, int) and 0 <= i < vocab for i in out)
    history = [1, 2, 3]
    for next_id in out:
        assert next_id == int(np.argmax(full_logits(history)))
        history.append(next_id)


# --------------------------------------------------------------------------- generate mistakes


def generate_variant(
    reread=False,
    carry="latest",
    feed="sampled",
    position=-1,
    result="generated",
    ids_shape="batch",
    sample_arg="row",
    prime_part=slice(None),
    reset_every=0,
):
    """A generation loop with switches that reproduce the catalogued mistakes."""

    def loop(step, prime_ids, n_chars, sample):
        prime = list(np.asarray(prime_ids).tolist())
        fed_prime = prime[prime_part]
        first = {
            "batch": np.array([fed_prime]),
            "flat": np.array(fed_prime),
            "column": np.array(fed_prime)[:, None],
        }[ids_shape]
        logits, states = step(first, None)
        prime_states = states
        generated = []
        for i in range(n_chars):
            if sample_arg == "row":
                chosen = logits[0, position]
            elif sample_arg == "all":
                chosen = logits
            else:
                chosen = logits[0]
            next_id = sample(chosen)
            generated.append(next_id)
            fed = {
                "sampled": next_id,
                "argmax": int(np.argmax(logits[0, -1])),
                "prime last": prime[-1],
            }[feed]
            if reread == "all":
                logits, states = step(np.array([prime + generated]), None)
            elif reread == "window":
                logits, states = step(np.array([(prime + generated)[-100:]]), None)
            elif reread == "prime":
                logits, states = step(np.array([prime]), states)
                logits, states = step(np.array([[fed]]), states)
            else:
                carried = {"latest": states, "none": None, "prime": prime_states}[carry]
                if reset_every and (i + 1) % reset_every == 0:
                    carried = None
                logits, states = step(np.array([[fed]]), carried)
        return {
            "generated": generated,
            "with prime": prime + generated,
            "one short": generated[:-1],
            "one long": generated + generated[-1:],
            "text": "".join(chr(97 + i) for i in generated),
            "2-D": np.array([generated]),
            "arrays": [np.array([i]) for i in generated],
        }[result]

    return loop


def reread_with_states(step, prime_ids, n_chars, sample):
    logits, states = step(np.array([prime_ids]), None)
    generated = []
    for _ in range(n_chars):
        generated.append(sample(logits[0, -1]))
        logits, states = step(np.array([list(prime_ids) + generated]), states)
    return generated


def greedy_without_sample(step, prime_ids, n_chars, sample):
    logits, states = step(np.array([prime_ids]), None)
    generated = []
    for _ in range(n_chars):
        generated.append(int(np.argmax(logits[0, -1])))
        logits, states = step(np.array([[generated[-1]]]), states)
    return generated


def history_in_the_prime(step, prime_ids, n_chars, sample):
    """Right ids, but the history is kept by appending to the caller's prime list."""
    if not isinstance(prime_ids, list):
        return generate_ok(step, prime_ids, n_chars, sample)
    history = prime_ids
    start = len(history)
    logits, states = step(np.array([history]), None)
    for _ in range(n_chars):
        history.append(int(sample(logits[0, -1])))
        logits, states = step(np.array([history[-1:]]), states)
    return history[start:]


GENERATE_MISTAKES = {
    "re-reads the context": (generate_variant(reread="all"), "O(n²)"),
    "re-reads a window of 100 ids": (generate_variant(reread="window"), "O(n²)"),
    "re-reads with the states": (reread_with_states, "O(n²)"),
    "feeds the prime inside the loop": (
        generate_variant(reread="prime"),
        "fed the whole prime again",
    ),
    "state not carried": (generate_variant(carry="none"), "state not carried"),
    "state reset every 100 characters": (
        generate_variant(reset_every=100),
        "state not carried: call 101 of step",
    ),
    "prime's states every time": (
        generate_variant(carry="prime"),
        "got the states returned by the prime",
    ),
    "feeds back the argmax": (generate_variant(feed="argmax"), "fed back the argmax"),
    "argmax without sample": (greedy_without_sample, "without calling sample"),
    "feeds the prime's last id": (
        generate_variant(feed="prime last"),
        "fed the last id of the prime again",
    ),
    "prime without its last id": (
        generate_variant(prime_part=slice(None, -1)),
        "sample was called after feeding 7 of the 8 prime ids",
    ),
    "prime without its first id": (
        generate_variant(prime_part=slice(1, None)),
        "step was first fed [1, 4, 1, 5, 9, 2, 6], but the prime is",
    ),
    "prime cut to its last 100 ids": (
        generate_variant(prime_part=slice(-100, None)),
        "(100 ids), but the prime is",
    ),
    "samples the first position": (generate_variant(position=0), "logits of the first position"),
    "samples a middle position": (generate_variant(position=-2), "sampled from logits[0, 6]"),
    "returns prime + generated": (
        generate_variant(result="with prime"),
        "you returned the prime followed by the generated ids",
    ),
    "one id short": (generate_variant(result="one short"), "ids but n_chars is 12"),
    "one id too many": (generate_variant(result="one long"), "ids but n_chars is 12"),
    "ids 1-D": (generate_variant(ids_shape="flat"), "pass a batch of one"),
    "ids a column": (generate_variant(ids_shape="column"), "8 sequences of one character each"),
    "whole logits to sample": (generate_variant(sample_arg="all"), "shape (1, 8, 11)"),
    "(L, V) logits to sample": (generate_variant(sample_arg="first"), "logits[0, -1], the scores"),
    "returns the text": (generate_variant(result="text"), "return the ids"),
    "returns a 2-D array": (generate_variant(result="2-D"), "an array of shape (1, 12)"),
    "returns arrays": (generate_variant(result="arrays"), "generated.append(int(next_id))"),
    "appends to the caller's prime": (
        history_in_the_prime,
        "changed its input `prime_ids` in place",
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATE_MISTAKES))
def test_generate_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GENERATE_MISTAKES[name]
    ok, out = run(checks.generate, wrong, capsys)
    assert ok is False and out.startswith("❌ generate"), out
    assert hint in out, out


def test_generate_default_switches_make_a_correct_loop(capsys):
    ok, out = run(checks.generate, generate_variant(), capsys)
    assert ok is True, out


def test_generate_more_misuses_are_explained(capsys):
    def older_states(step, prime_ids, n_chars, sample):
        logits, s0 = step(np.array([prime_ids]), None)
        history = [s0]
        out = []
        for _ in range(n_chars):
            out.append(sample(logits[0, -1]))
            carried = history[-2] if len(history) > 2 else history[-1]  # one call behind
            logits, s = step(np.array([[out[-1]]]), carried)
            history.append(s)
        return out

    def softmaxed(step, prime_ids, n_chars, sample):
        logits, states = step(np.array([prime_ids]), None)
        return [sample(softmax_rows(logits[0, -1])) for _ in range(n_chars)]

    def stale(step, prime_ids, n_chars, sample):
        logits, states = step(np.array([prime_ids]), None)
        out = []
        for _ in range(n_chars):
            out.append(sample(logits[0, -1]))
            _, states = step(np.array([[out[-1]]]), states)  # logits never updated
        return out

    def twice(step, prime_ids, n_chars, sample):
        logits, states = step(np.array([prime_ids]), None)
        return [sample(logits[0, -1]) for _ in range(n_chars)]

    def zeros_state(step, prime_ids, n_chars, sample):
        return generate_ok(
            lambda ids, s: step(ids, np.zeros((1, 4)) if s is None else s),
            prime_ids,
            n_chars,
            sample,
        )

    cases = {
        older_states: "the states of an earlier call",
        softmaxed: "pass the raw logits of the last position",
        stale: "logits of an earlier step call",
        twice: "sample was called twice on the same logits",
        zeros_state: "must pass states=None",
    }
    for fn, hint in cases.items():
        ok, out = run(checks.generate, fn, capsys)
        assert not ok and hint in out, out


def test_generate_bad_results_get_one_line_and_false(capsys):
    cases = [
        (lambda *a: None, "`return`"),
        (lambda *a: 3, "generate returned int"),
        (lambda *a: [1.5] * a[2], "among the ids"),
        (lambda *a: [math.nan] * a[2], "nan (float) among the ids"),
        (lambda *a: np.full(a[2], np.inf), "inf (float) among the ids"),
        (lambda *a: {"ids": []}, "generate returned dict"),
        (lambda step, p, n, s: step("abc", None), "(a single number)"),
        (lambda step, p, n, s: step(np.array([[1.0]]), None), "dtype float64"),
        (lambda step, p, n, s: step(np.array([[99]]), None), "range(V)"),
        (lambda step, p, n, s: s(np.zeros(11)), "before step"),
        ("generate", "pass the function itself"),
    ]
    for fn, hint in cases:
        ok, out = run(checks.generate, fn, capsys)
        assert ok is False and hint in out, (hint, out)


def test_a_raising_generate_is_told_its_line(capsys):
    def broken(step, prime_ids, n_chars, sample):
        logits, states = step(np.array([prime_ids]), None)
        return [int(logits[0, -1, 99])]  # IndexError on this line

    ok, out = run(checks.generate, broken, capsys)
    assert not ok and "IndexError" in out and "logits[0, -1, 99]" in out


# --------------------------------------------------------------------------- common behaviour


@pytest.mark.parametrize(
    "check", [checks.sample_with_temperature, checks.generate], ids=lambda c: c.__name__
)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out


def test_half_done_functions_are_still_not_implemented(capsys):
    def half_done_generate(step, prime_ids, n_chars, sample):
        step(np.array([prime_ids]), None)
        raise NotImplementedError()

    def half_done_sampler(logits, temperature, rng):
        if np.ndim(logits) == 1:
            return sample_ok(logits, temperature, rng)
        raise NotImplementedError()

    for check, fn in (
        (checks.generate, half_done_generate),
        (checks.sample_with_temperature, half_done_sampler),
    ):
        ok, out = run(check, fn, capsys)
        assert not ok and "not implemented yet" in out
