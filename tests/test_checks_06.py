"""Lesson 06 checks: the references pass (several sampling methods, several loop shapes), each
catalogued mistake fails with its own hint, stubs and wrong types get friendly messages, no NumPy
warning of a wrong function leaks out, and a check returns a bool in well under a second."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from check_support import stub

from rnncourse import checks
from rnncourse.env import import_tensorflow


def run(check, fn, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from a learner's function must not escape
        result = check(fn)
    captured = capsys.readouterr()
    out = captured.out
    assert out.count("\n") == 1, f"a check prints exactly one line, got: {out!r}"
    assert captured.err == "", f"nothing on stderr, got: {captured.err!r}"
    assert "Traceback" not in out
    return result, out


# --------------------------------------------------------------------------- sampling references


def softmax_rows(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample_ok(logits, temperature, rng):
    """Inverse CDF: one uniform number per row, the first index whose cumulative p exceeds it."""
    logits = np.asarray(logits, dtype=np.float64)
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        index = np.argmax(logits, axis=-1)
    else:
        p = softmax_rows(logits / temperature)
        u = rng.random(p.shape[:-1] + (1,))
        index = np.minimum((np.cumsum(p, axis=-1) < u).sum(axis=-1), p.shape[-1] - 1)
    return int(index) if np.ndim(index) == 0 else index


def sample_gumbel(logits, temperature, rng):
    """The Gumbel-max trick: argmax(logits / T + Gumbel noise) is a sample of softmax(logits / T)."""
    if np.isnan(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature}")
    if temperature == 0:
        return np.argmax(logits, axis=-1)
    return np.argmax(logits / temperature + rng.gumbel(size=np.shape(logits)), axis=-1)


def sample_choice(logits, temperature, rng):
    """rng.choice on each row, in a Python loop."""
    if not temperature >= 0:
        raise ValueError("temperature must be >= 0")
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 1:
        return int(sample_choice(logits[None], temperature, rng)[0])
    if temperature == 0:
        return logits.argmax(axis=-1)
    p = softmax_rows(logits / temperature)
    return np.array([rng.choice(p.shape[-1], p=row) for row in p])


REFERENCES = {"inverse CDF": sample_ok, "Gumbel-max": sample_gumbel, "rng.choice": sample_choice}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_sampling_references_pass(name, capsys):
    ok, out = run(checks.sample_with_temperature, REFERENCES[name], capsys)
    assert ok is True and out.startswith("✅ sample_with_temperature"), out


def test_the_success_line_is_the_same_for_every_method(capsys):
    lines = {run(checks.sample_with_temperature, f, capsys)[1] for f in REFERENCES.values()}
    assert len(lines) == 1, "nbval compares the check's output: it must not depend on the draws"


def test_the_statistical_tolerance_never_fails_a_correct_sampler_on_other_seeds(monkeypatch):
    """The seeds are fixed in the check; with other seeds a correct sampler still passes."""
    from rnncourse.checks import lesson06

    rows = np.stack([lesson06._LOGITS, lesson06._LOGITS[::-1]])
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        for temperature in (0.5, 1.0, 2.0):
            samples = sample_ok(lesson06._batch(), temperature, rng)
            freqs = lesson06._frequencies(samples)
            assert lesson06._fits(freqs, softmax_rows(rows / temperature), lesson06._HALF)


def test_the_catalogued_distributions_are_far_from_the_right_one():
    from rnncourse.checks import lesson06

    rows = np.stack([lesson06._LOGITS, lesson06._LOGITS[::-1]])
    right = softmax_rows(rows / 1.0)
    for temperature in (0.5, 2.0):
        for distribution, _ in lesson06._DISTRIBUTION_MISTAKES[:2]:
            gap = np.abs(distribution(rows, temperature) - softmax_rows(rows / temperature)).max()
            assert gap > 0.2
    for distribution, _ in lesson06._DISTRIBUTION_MISTAKES[2:]:
        assert np.abs(distribution(rows, 1.0) - right).max() > 0.2


# --------------------------------------------------------------------------- sampling mistakes


def make_sampler(
    transform="divide",
    stable=True,
    zero="argmax",
    validate="full",
    draw="inverse",
    batch="rows",
):
    """A sampler with switches that reproduce the catalogued mistakes."""

    def sampler(logits, temperature, rng):
        logits = np.asarray(logits, dtype=np.float64)
        if validate == "full" and not temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if validate == "less than" and temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if validate == "assert":
            assert temperature >= 0, "temperature must be >= 0"
        if validate == "zero too" and not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        if zero == "argmax" and temperature == 0:
            index = np.argmax(logits, axis=-1)
            return int(index) if logits.ndim == 1 else index
        if zero == "python division":
            scale = 1.0 / temperature
        else:
            scale = None
        if transform == "divide":
            z = logits * scale if scale is not None else logits / temperature
        elif transform == "ignore":
            z = logits
        elif transform == "multiply":
            z = logits * temperature
        if transform == "probabilities":
            p = logits / logits.sum(axis=-1, keepdims=True)
        elif transform == "raw probabilities":
            p = logits
        else:
            if stable:
                z = z - z.max(axis=-1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=-1, keepdims=True)
        if batch == "one row":
            return int(rng.choice(len(p), p=p))
        if draw == "argmax":
            index = np.argmax(p, axis=-1)
        elif draw == "choice":
            index = np.array([rng.choice(p.shape[-1], p=row) for row in np.atleast_2d(p)])
            index = index.reshape(p.shape[:-1])
        else:
            shape = p.shape[:-1] + (1,)
            u = {
                "inverse": lambda: rng.random(shape),
                "global": lambda: np.random.random(shape),
                "fresh": lambda: np.random.default_rng().random(shape),
                "fixed": lambda: np.random.default_rng(0).random(shape),
                "shared": lambda: rng.random(),
            }[draw]()
            index = (np.cumsum(p, axis=-1) < u).sum(axis=-1)
            index = np.minimum(index, p.shape[-1] - 1)
        if logits.ndim == 1:
            return int(index)
        if batch == "column":
            return index[:, None]
        if batch == "list":
            return index.tolist()
        if batch == "float":
            return index.astype(np.float64)
        return index

    return sampler


def argmax_without_axis(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits)
    return sample_ok(logits, temperature, rng)


SAMPLING_MISTAKES = {
    "argmax without axis at T = 0": (argmax_without_axis, "use np.argmax(logits, axis=-1)"),
    "temperature ignored": (make_sampler(transform="ignore"), "the temperature has no effect"),
    "logits multiplied by T": (
        make_sampler(transform="multiply"),
        "multiplied the logits by the temperature",
    ),
    "no max subtracted": (make_sampler(stable=False), "Subtract the maximum of each row"),
    "no max subtracted, rng.choice": (
        make_sampler(stable=False, draw="choice"),
        "Subtract the maximum of each row",
    ),
    "always argmax": (make_sampler(draw="argmax"), "always return the most likely index"),
    "T = 0 divides by zero": (make_sampler(zero="none"), "handle temperature == 0 separately"),
    "T = 0 ZeroDivisionError": (
        make_sampler(zero="python division"),
        "Your function raised ZeroDivisionError",
    ),
    "T = 0 rejected": (make_sampler(validate="zero too"), "temperature 0 is allowed"),
    "negative T accepted": (make_sampler(validate="none"), "a negative temperature was accepted"),
    "nan slips through": (make_sampler(validate="less than"), "NaN fails every comparison"),
    "nan slips through to rng.choice": (
        make_sampler(validate="less than", draw="choice"),
        "NumPy raised ValueError",
    ),
    "assert instead of ValueError": (make_sampler(validate="assert"), "asserts are skipped"),
    "global np.random": (make_sampler(draw="global"), "not reproducible"),
    "fresh generator": (make_sampler(draw="fresh"), "not reproducible"),
    "generator with a fixed seed": (make_sampler(draw="fixed"), "same samples for different seeds"),
    "logits as probabilities": (
        make_sampler(transform="probabilities"),
        "the logits are not probabilities",
    ),
    "logits passed to rng.choice": (
        make_sampler(transform="raw probabilities", batch="one row"),
        "must sum to 1 in every row. Logits are unnormalised scores",
    ),
    "one row only": (make_sampler(batch="one row"), "sample each row"),
    "returns (B, 1)": (make_sampler(batch="column"), "drop the extra axis"),
    "returns a list": (make_sampler(batch="list"), "is a Python list"),
    "returns floats": (make_sampler(batch="float"), "return integer indices"),
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
}


@pytest.mark.parametrize("name", sorted(SAMPLING_MISTAKES))
def test_sampling_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = SAMPLING_MISTAKES[name]
    ok, out = run(checks.sample_with_temperature, wrong, capsys)
    assert ok is False and out.startswith("❌ sample_with_temperature"), out
    assert hint in out, out


def test_sampling_catalogue_hints_are_distinct():
    from rnncourse.checks import lesson06

    hints = [
        lesson06._TEMPERATURE_IGNORED,
        lesson06._TEMPERATURE_MULTIPLIED,
        lesson06._ALWAYS_ARGMAX,
        lesson06._LOGITS_AS_PROBABILITIES,
        lesson06._OVERFLOW,
        lesson06._SHARED_RANDOM,
        lesson06._ZERO_TEMPERATURE,
        lesson06._ZERO_IS_ALLOWED,
        lesson06._NEGATIVE_ACCEPTED,
        lesson06._NAN_ACCEPTED,
        lesson06._NOT_REPRODUCIBLE,
        lesson06._RNG_IGNORED,
    ]
    assert len(set(hints)) == len(hints) >= 6


def test_an_unknown_sampling_mistake_names_the_frequencies(capsys):
    def squared(logits, temperature, rng):  # a wrong distribution that is in no catalogue
        if temperature == 0:
            return sample_ok(logits, 0, rng)
        return sample_ok(np.asarray(logits) ** 2 / 4, temperature, rng)

    ok, out = run(checks.sample_with_temperature, squared, capsys)
    assert not ok and "do not follow softmax(logits / temperature)" in out
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
    def wrong_1d(logits, temperature, rng):
        logits = np.asarray(logits)
        if logits.ndim == 1 and temperature > 0:
            return int(rng.integers(len(logits)))  # uniform
        return sample_ok(logits, temperature, rng)

    ok, out = run(checks.sample_with_temperature, wrong_1d, capsys)
    assert not ok and "check the code path for a single row" in out


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


GENERATE_REFERENCES = {
    "n_chars calls": generate_ok,
    "n_chars + 1 calls, array result": generate_extra_call,
    "prime one by one, tuple result": generate_prime_one_by_one,
}


@pytest.mark.parametrize("name", sorted(GENERATE_REFERENCES))
def test_generate_references_pass(name, capsys):
    ok, out = run(checks.generate, GENERATE_REFERENCES[name], capsys)
    assert ok is True and out.startswith("✅ generate"), out


def test_generate_works_with_a_real_sampler_and_a_keras_model():
    """The reference loop with the reference sampler on a stateful-free Keras GRU model."""
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

    rng = np.random.default_rng(0)
    out = generate_ok(step, [1, 2, 3], 5, lambda row: sample_ok(row, 0.0, rng))
    assert len(out) == 5 and all(isinstance(i, int) and 0 <= i < vocab for i in out)
    history = [1, 2, 3]
    for next_id in out:  # carrying the state gives what re-reading the whole text gives
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
):
    """A generation loop with switches that reproduce the catalogued mistakes."""

    def loop(step, prime_ids, n_chars, sample):
        prime = list(np.asarray(prime_ids).tolist())
        first = {
            "batch": np.array([prime]),
            "flat": np.array(prime),
            "column": np.array(prime)[:, None],
        }[ids_shape]
        logits, states = step(first, None)
        prime_states = states
        generated = []
        for _ in range(n_chars):
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
            if reread:
                logits, states = step(np.array([prime + generated]), None)
            else:
                carried = {"latest": states, "none": None, "prime": prime_states}[carry]
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


GENERATE_MISTAKES = {
    "re-reads the context": (generate_variant(reread=True), "O(n²)"),
    "re-reads with the states": (reread_with_states, "O(n²)"),
    "state not carried": (generate_variant(carry="none"), "state not carried"),
    "prime's states every time": (
        generate_variant(carry="prime"),
        "got the states returned by the prime",
    ),
    "feeds back the argmax": (generate_variant(feed="argmax"), "fed back the argmax"),
    "feeds the prime's last id": (
        generate_variant(feed="prime last"),
        "fed the last id of the prime again",
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
}


@pytest.mark.parametrize("name", sorted(GENERATE_MISTAKES))
def test_generate_mistakes_get_their_own_hint(name, capsys):
    wrong, hint = GENERATE_MISTAKES[name]
    ok, out = run(checks.generate, wrong, capsys)
    assert ok is False and out.startswith("❌ generate"), out
    assert hint in out, out


def test_generate_catalogue_hints_are_distinct():
    from rnncourse.checks import lesson06

    hints = [
        lesson06._REREAD,
        lesson06._NOT_CARRIED,
        lesson06._PRIME_STATE_AGAIN,
        lesson06._OLD_STATE,
        lesson06._FED_ARGMAX,
        lesson06._FED_PRIME_LAST,
        lesson06._FIRST_POSITION,
        lesson06._WITH_PRIME,
        lesson06._BATCH_OF_ONE,
        lesson06._BATCH_OF_COLUMNS,
        lesson06._ONE_POSITION,
    ]
    assert len(set(hints)) == len(hints) >= 5


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


# --------------------------------------------------------------------------- common behaviour

ALL_CHECKS = [checks.sample_with_temperature, checks.generate]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stub_says_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False
    assert "not implemented yet" in out


def test_a_stub_that_calls_step_first_is_still_not_implemented(capsys):
    def half_done(step, prime_ids, n_chars, sample):
        step(np.array([prime_ids]), None)
        raise NotImplementedError()

    ok, out = run(checks.generate, half_done, capsys)
    assert not ok and "not implemented yet" in out


def test_wrong_types_get_friendly_messages(capsys):
    tf = import_tensorflow()
    cases = [
        (checks.sample_with_temperature, lambda *a: None, "`return`"),
        (checks.sample_with_temperature, lambda lg, t, r: [1], "is a Python list"),
        (checks.sample_with_temperature, lambda lg, t, r: 1.5, "not a float or a probability"),
        (checks.sample_with_temperature, lambda lg, t, r: "b", "has type str"),
        (checks.sample_with_temperature, lambda lg, t, r: softmax_rows(lg), "(the probabilities?)"),
        (checks.sample_with_temperature, lambda lg, t, r: tf.constant(1), "TensorFlow tensor"),
        (checks.sample_with_temperature, lambda lg, t, r: 7, "not an index in range(V)"),
        (checks.sample_with_temperature, "sample_with_temperature", "pass the function itself"),
        (checks.generate, lambda *a: None, "`return`"),
        (checks.generate, lambda *a: 3, "generate returned int"),
        (checks.generate, lambda *a: [1.5] * a[2], "among the ids"),
        (checks.generate, lambda step, p, n, s: step("abc", None), "(a single number)"),
        (checks.generate, lambda step, p, n, s: step(np.array([[1.0]]), None), "dtype float64"),
        (checks.generate, lambda step, p, n, s: step(np.array([[99]]), None), "range(V)"),
        (checks.generate, lambda step, p, n, s: s(np.zeros(11)), "before step"),
        (checks.generate, "generate", "pass the function itself"),
    ]
    for check, fn, hint in cases:
        ok, out = run(check, fn, capsys)
        assert ok is False and hint in out, out


def test_checks_document_the_signature():
    doc = checks.sample_with_temperature.__doc__
    assert "sample_with_temperature(logits, temperature, rng) -> int | np.ndarray" in doc
    assert "generate(step, prime_ids, n_chars, sample) -> list[int]" in checks.generate.__doc__
    assert "step(ids, states) -> (logits, states)" in checks.generate.__doc__


def test_checks_are_exported():
    from rnncourse.checks import lesson06

    assert set(lesson06.__all__) <= set(checks.__all__)
    assert checks.sample_with_temperature is lesson06.sample_with_temperature


def test_checks_run_fast(capsys):
    timings = {}
    for check, fn in (
        (checks.sample_with_temperature, sample_ok),
        (checks.sample_with_temperature, sample_choice),  # a Python loop over 20,000 rows
        (checks.generate, generate_ok),
    ):
        start = time.perf_counter()
        assert check(fn) is True
        timings[(check.__name__, fn.__name__)] = time.perf_counter() - start
    capsys.readouterr()
    assert all(seconds < 5.0 for seconds in timings.values()), timings
