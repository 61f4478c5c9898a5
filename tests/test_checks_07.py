"""Lesson 07 checks: the references pass, correct alternatives pass (loops, dicts, Counter,
np.add.at, dense matrices, float32 and float64, math.exp on numbers), each catalogued mistake
fails with its own hint, the cases have the properties the hints rely on, bad return values get
a line and False, inputs changed in place are reported, and stubs get "not implemented yet"."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import chain

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson07
from rnncourse.checks._core import close
from rnncourse.env import import_tensorflow

#: A RuntimeWarning that escapes a check (the learner's or the check's own arithmetic) fails.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def hint_of(table, name):
    return dict(table)[name]


# --------------------------------------------------------------------------- to_ids


def to_ids_ok(lines, stoi):
    unk, eos = stoi["<unk>"], stoi["<eos>"]
    out = []
    for line in lines:
        out.extend(stoi.get(word, unk) for word in line)
        out.append(eos)
    return np.array(out, dtype=np.int64)


def to_ids_list(lines, stoi):
    return [stoi[w] if w in stoi else stoi["<unk>"] for line in lines for w in [*line, "<eos>"]]


def to_ids_fromiter(lines, stoi):
    words = chain.from_iterable([*line, "<eos>"] for line in lines)
    return np.fromiter((stoi.get(w, stoi["<unk>"]) for w in words), dtype=np.int32)


def to_ids_concatenate(lines, stoi):
    parts = [
        np.array([stoi.get(w, stoi["<unk>"]) for w in line] + [stoi["<eos>"]]) for line in lines
    ]
    return np.concatenate(parts) if parts else np.array([], dtype=np.int64)


def to_ids_tensor(lines, stoi):
    tf = import_tensorflow()
    return tf.constant(to_ids_ok(lines, stoi))


def test_an_empty_float_array_for_no_lines_is_accepted(capsys):
    def float_when_empty(lines, stoi):
        ids = [
            i
            for line in lines
            for i in [stoi.get(w, stoi["<unk>"]) for w in line] + [stoi["<eos>"]]
        ]
        return np.array(ids)  # np.array([]) is float64: harmless for an empty stream

    ok, out = run(checks.to_ids, float_when_empty, capsys)
    assert ok is True, out


def no_eos(lines, stoi):
    return [stoi.get(w, stoi["<unk>"]) for line in lines for w in line]


def eos_before(lines, stoi):
    out = []
    for line in lines:
        out += [stoi["<eos>"]] + [stoi.get(w, stoi["<unk>"]) for w in line]
    return np.array(out)


def drops_unknown(lines, stoi):
    out = []
    for line in lines:
        out += [stoi[w] for w in line if w in stoi] + [stoi["<eos>"]]
    return np.array(out)


def eos_once(lines, stoi):
    return np.array(no_eos(lines, stoi) + [stoi["<eos>"]])


def skips_empty_lines(lines, stoi):
    return to_ids_ok([line for line in lines if line], stoi)


@pytest.mark.parametrize(
    ("fn", "name", "words"),
    [
        (no_eos, "no eos", "end-of-line token <eos> is missing"),
        (eos_before, "eos before", "BEFORE each line"),
        (drops_unknown, "unknown dropped", "were dropped"),
        (eos_once, "eos once", "at the end of the whole stream"),
        (skips_empty_lines, "empty skipped", "an empty line was skipped"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_each_to_ids_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.to_ids, fn, capsys)
    hint = hint_of(lesson07.TO_IDS_MISTAKES, name)
    assert ok is False and hint in out and words in hint, out
    others = [h for n, h in lesson07.TO_IDS_MISTAKES if n != name]
    assert not any(other in out for other in others)


def test_every_to_ids_mistake_is_distinct_in_the_first_case():
    label, lines, stoi = lesson07._to_ids_cases()[0]
    results = [lesson07._to_ids(lines, stoi, name) for name, _ in lesson07.TO_IDS_MISTAKES]
    results.append(lesson07._to_ids(lines, stoi))
    as_tuples = {tuple(r.tolist()) for r in results}
    assert len(as_tuples) == len(results)


def test_a_key_error_names_the_word_and_the_fix(capsys):
    def raises(lines, stoi):
        return [stoi[w] for line in lines for w in line] + [stoi["<eos>"]]

    ok, out = run(checks.to_ids, raises, capsys)
    assert ok is False and "KeyError" in out and "'zebra'" in out, out
    assert lesson07.TO_IDS_KEY_ERROR.format(word="zebra") in out
    assert "line" in out and "of your code" in out, "the learner's line is named"


def test_hard_coded_unk_and_eos_ids_are_named(capsys):
    def unk_zero(lines, stoi):
        return [i for line in lines for i in [stoi.get(w, 0) for w in line] + [stoi["<eos>"]]]

    def eos_one(lines, stoi):
        return [i for line in lines for i in [stoi.get(w, stoi["<unk>"]) for w in line] + [1]]

    ok, out = run(checks.to_ids, unk_zero, capsys)
    assert ok is False and 'got id 0, but here stoi["<unk>"] = 5' in out and "'quokka'" in out
    ok, out = run(checks.to_ids, eos_one, capsys)
    assert ok is False and 'got id 1, but here stoi["<eos>"] = 2' in out, out


def test_an_unknown_to_ids_mistake_names_the_place(capsys):
    def last_word_twice(lines, stoi):
        ids = list(to_ids_ok(lines, stoi))
        return ids[:3] + [ids[2]] + ids[4:]

    ok, out = run(checks.to_ids, last_word_twice, capsys)
    assert ok is False and "at index 3, word 3 ('on') of line 0: got id 4, expected 5" in out


def test_a_wrong_length_says_how_many_ids(capsys):
    ok, out = run(checks.to_ids, lambda lines, stoi: to_ids_ok(lines, stoi)[:-2], capsys)
    assert ok is False and "got 13 ids, expected 15" in out, out


def test_appending_eos_to_the_lines_in_place_is_reported(capsys):
    def appends(lines, stoi):
        for line in lines:
            line.append("<eos>")
        return [stoi.get(w, stoi["<unk>"]) for line in lines for w in line]

    ok, out = run(checks.to_ids, appends, capsys)
    assert ok is False and "changed its input `lines` in place" in out, out


def test_no_lines_gets_advice_on_concatenate(capsys):
    def concatenates(lines, stoi):
        return np.concatenate([to_ids_ok([line], stoi) for line in lines])

    ok, out = run(checks.to_ids, concatenates, capsys)
    assert ok is False and "no lines at all" in out and "nothing to concatenate" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda lines, stoi: None, "None"),
        (lambda lines, stoi: [to_ids_ok([line], stoi).tolist() for line in lines], "ONE flat"),
        (lambda lines, stoi: np.zeros((2, 3), int), "shape (2, 3)"),
        (lambda lines, stoi: 7, "return a 1-D array of ids"),
        (lambda lines, stoi: to_ids_ok(lines, stoi).astype(float), "ids are integers"),
        (lambda lines, stoi: [w for line in lines for w in [*line, "<eos>"]], "holds words"),
        (lambda lines, stoi: "the cat", "is a string"),
        (lambda lines, stoi: np.array([np.nan]), "ids are integers"),
        (lambda lines, stoi: {1, 2}, "shape ()"),
    ],
)
def test_bad_to_ids_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.to_ids, bad, capsys)
    assert ok is False and expected in out, out


def test_the_to_ids_cases_look_ids_up():
    cases = lesson07._to_ids_cases()
    stois = [stoi for _, _, stoi in cases]
    assert any(s["<unk>"] != 0 and s["<eos>"] != 1 for s in stois)
    for _, lines, _ in cases:
        assert all(w == w.lower() for line in lines for w in line), "to_ids does not change case"
        assert "<eos>" not in {w for line in lines for w in line}
    big = cases[2][1]
    assert len(big) == 300 and any(not line for line in big)
    assert {w for line in big for w in line} - set(cases[2][2]), "unknown words in the long text"


# --------------------------------------------------------------------------- perplexity


def perplexity_ok(mean_nll):
    return np.exp(mean_nll)


def perplexity_math_for_numbers(mean_nll):
    if np.ndim(mean_nll) == 0:
        return math.exp(mean_nll)
    return np.exp(mean_nll)


def perplexity_power_of_e(mean_nll):
    return np.power(np.e, mean_nll)


def perplexity_through_bits(mean_nll):
    bits = np.asarray(mean_nll) / np.log(2)
    return 2.0**bits


def perplexity_float32(mean_nll):
    return np.exp(np.asarray(mean_nll, dtype=np.float32))


def test_the_sanity_values_and_large_values():
    assert lesson07._perplexity(math.log(10000)) == pytest.approx(10000)
    assert lesson07._perplexity(0.0) == 1.0
    assert np.isfinite(lesson07._perplexity(50.0)) and lesson07._perplexity(50.0) > 5e21
    labels = [label for label, _ in lesson07._perplexity_cases()]
    assert labels[0].startswith("a uniform model") and labels[1].startswith("a perfect model")


@pytest.mark.parametrize(
    ("fn", "name", "words"),
    [
        (lambda x: 2**x, "base 2", "perplexity = exp(mean nats) = 2^(mean bits)"),
        (lambda x: np.exp(-x), "negative", "the inverse of the perplexity"),
        (lambda x: x, "identity", "you returned the mean NLL itself"),
        (lambda x: 10**x, "base 10", "base-10 logarithm"),
        (lambda x: np.exp(x / np.log(2)), "mixed bases", "and then exponentiated with e"),
        (lambda x: np.log(x), "log", "you took the logarithm of the loss"),
    ],
    ids=["base 2", "negative", "identity", "base 10", "mixed bases", "log"],
)
def test_each_perplexity_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.perplexity, fn, capsys)
    hint = hint_of(lesson07.PERPLEXITY_MISTAKES, name)
    assert ok is False and hint in out and words in hint, out
    assert "V = 10,000" in out and "expected exp(9.21034) = 10000" in out, "what was expected"


def test_a_perfect_model_gets_perplexity_1(capsys):
    def off_by_one(x):
        return np.exp(x) + (1.0 if np.ndim(x) == 0 and x == 0 else 0.0)

    ok, out = run(checks.perplexity, off_by_one, capsys)
    assert ok is False and "a perfect model" in out and lesson07.PERPLEXITY_SANITY in out, out


def test_averaging_an_array_first_is_named(capsys):
    ok, out = run(checks.perplexity, lambda x: np.exp(np.mean(x)), capsys)
    assert ok is False and lesson07.PERPLEXITY_REDUCED in out, out
    ok, out = run(checks.perplexity, lambda x: float(np.exp(np.mean(x))), capsys)
    assert ok is False and lesson07.PERPLEXITY_REDUCED in out, out


def test_math_exp_on_an_array_gets_its_advice(capsys):
    ok, out = run(checks.perplexity, lambda x: math.exp(x), capsys)
    assert ok is False and lesson07.PERPLEXITY_MATH_EXP in out and "TypeError" in out, out


def test_an_exp_in_place_is_reported(capsys):
    def in_place(mean_nll):
        if isinstance(mean_nll, np.ndarray):
            return np.exp(mean_nll, out=mean_nll)
        return math.exp(mean_nll)

    ok, out = run(checks.perplexity, in_place, capsys)
    assert ok is False and "changed its input `mean_nll` in place" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda x: None, "None"),
        (lambda x: float("nan"), "NaN"),
        (lambda x: math.inf, "infinity"),
        (lambda x: [np.exp(x)], "Python list"),
        (lambda x: np.full(3, np.exp(x)), "array of shape (3,)"),
        (lambda x: "ppl", "type str"),
        (lambda x: import_tensorflow().exp(float(x)), "TensorFlow tensor"),
        (lambda x: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_bad_perplexity_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.perplexity, bad, capsys)
    assert ok is False and expected in out, out


def test_a_list_back_for_an_array_is_explained(capsys):
    def listed(x):
        if np.ndim(x) == 0:
            return math.exp(x)
        return [math.exp(v) for v in np.ravel(x)]

    ok, out = run(checks.perplexity, listed, capsys)
    assert ok is False and "Python list; return a NumPy array" in out, out


# --------------------------------------------------------------------------- unigram_nll


def unigram_ok(train_ids, eval_ids, V, k=1.0):
    counts = np.bincount(train_ids, minlength=V)
    p = (counts + k) / (len(train_ids) + k * V)
    return -np.mean(np.log(p[eval_ids]))


def unigram_counter_loop(train_ids, eval_ids, V, k=1.0):
    counts = Counter(train_ids.tolist())
    total = 0.0
    for w in eval_ids.tolist():
        total -= math.log((counts[w] + k) / (len(train_ids) + k * V))
    return total / len(eval_ids)


def unigram_dict_get(train_ids, eval_ids, V, k=1.0):
    counts = {}
    for w in train_ids:
        counts[int(w)] = counts.get(int(w), 0) + 1
    nll = [-np.log((counts.get(int(w), 0) + k) / (len(train_ids) + k * V)) for w in eval_ids]
    return float(np.mean(nll))


def unigram_add_at_float32(train_ids, eval_ids, V, k=1.0):
    counts = np.zeros(V, dtype=np.float32)
    np.add.at(counts, train_ids, 1)
    log_p = np.log(counts + np.float32(k)) - np.log(np.float32(len(train_ids) + k * V))
    return -log_p[eval_ids].mean()


def unigram_unique(train_ids, eval_ids, V, k=1.0):
    words, counts = np.unique(train_ids, return_counts=True)
    full = np.zeros(V)
    full[words] = counts
    return float(np.mean(-np.log((full[eval_ids] + k) / (full.sum() + k * V))))


def unigram_no_smoothing(train_ids, eval_ids, V, k=1.0):
    counts = np.bincount(train_ids, minlength=V)
    return -np.mean(np.log(counts[eval_ids] / len(train_ids)))


def unigram_only_seen(train_ids, eval_ids, V, k=1.0):
    counts = Counter(train_ids.tolist())
    p = {w: (c + k) / (len(train_ids) + k * V) for w, c in counts.items()}
    return -np.mean(np.log([p.get(w, 0.0) for w in eval_ids.tolist()]))


def unigram_seen_types(train_ids, eval_ids, V, k=1.0):
    counts = Counter(train_ids.tolist())
    total = len(train_ids) + k * len(counts)
    p = {w: (c + k) / total for w, c in counts.items()}
    return -np.mean(np.log([p.get(w, 0.0) for w in eval_ids.tolist()]))


def test_normalising_over_the_seen_words_is_told_to_use_v_then_to_smooth_all(capsys):
    ok, out = run(checks.unigram_nll, unigram_seen_types, capsys)
    assert ok is False and hint_of(lesson07.UNIGRAM_MISTAKES, "V from data") in out, out

    def seen_words_but_v(train_ids, eval_ids, V, k=1.0):
        counts = Counter(train_ids.tolist())
        p = {w: (c + k) / (len(train_ids) + k * V) for w, c in counts.items()}
        return -np.mean(np.log([p.get(w, 0.0) for w in eval_ids.tolist()]))

    ok, out = run(checks.unigram_nll, seen_words_but_v, capsys)
    assert ok is False and hint_of(lesson07.UNIGRAM_MISTAKES, "only seen") in out, out


def unigram_denominator_n(train_ids, eval_ids, V, k=1.0):
    counts = np.bincount(train_ids, minlength=V)
    return -np.mean(np.log((counts[eval_ids] + k) / len(train_ids)))


def unigram_bits(train_ids, eval_ids, V, k=1.0):
    counts = np.bincount(train_ids, minlength=V)
    return -np.mean(np.log2((counts[eval_ids] + k) / (len(train_ids) + k * V)))


def unigram_eval_counts(train_ids, eval_ids, V, k=1.0):
    return unigram_ok(eval_ids, eval_ids, V, k)


def unigram_sum(train_ids, eval_ids, V, k=1.0):
    return unigram_ok(train_ids, eval_ids, V, k) * len(eval_ids)


def unigram_perplexity(train_ids, eval_ids, V, k=1.0):
    return np.exp(unigram_ok(train_ids, eval_ids, V, k))


def unigram_k_fixed(train_ids, eval_ids, V, k=1.0):
    return unigram_ok(train_ids, eval_ids, V, 1.0)


def unigram_v_from_data(train_ids, eval_ids, V, k=1.0):
    counts = np.bincount(train_ids, minlength=V)
    size = len(set(train_ids.tolist()))
    return -np.mean(np.log((counts[eval_ids] + k) / (len(train_ids) + k * size)))


UNIGRAM_LEARNERS = [
    (unigram_only_seen, "only seen", "smoothing only the seen words"),
    (unigram_no_smoothing, "no smoothing", "k is not used"),
    (unigram_denominator_n, "denominator N", "do not sum to 1"),
    (unigram_bits, "bits", "reference / ln 2"),
    (unigram_eval_counts, "eval counts", "the counts come from eval_ids"),
    (unigram_sum, "sum", "SUM"),
    (unigram_perplexity, "perplexity", "the perplexity"),
    (unigram_k_fixed, "k ignored", "use the argument k"),
    (unigram_v_from_data, "V from data", "the argument V"),
]


def test_the_unigram_catalogue_is_what_the_learners_compute():
    learners = {fn.__name__: (fn, name) for fn, name, _ in UNIGRAM_LEARNERS}
    for label, train, scored, V, k in lesson07._unigram_cases():
        kk = 1.0 if k is None else k
        for fn, name in learners.values():
            with np.errstate(all="ignore"):
                theirs = float(fn(train, scored, V, kk))
            ours = lesson07._unigram(train, scored, V, kk, name)
            assert theirs == pytest.approx(ours, rel=1e-5) or theirs == ours, (label, name)


def test_the_unigram_cases_have_what_their_labels_say():
    cases = lesson07._unigram_cases()
    first, second = cases[0], cases[1]
    assert set(first[2].tolist()) <= set(first[1].tolist())
    assert len(np.unique(first[1])) < first[3], "V from data differs from V"
    assert {9, 11} <= set(second[2].tolist()) and not {9, 11} & set(second[1].tolist())
    assert cases[2][1].dtype == np.int32 and cases[2][4] == 0.5
    assert set(cases[4][2].tolist()) <= set(cases[4][1].tolist()) and cases[4][4] == 0.0
    assert cases[5][3] == 5000 and len(cases[5][1]) == 50_000
    for _, train, scored, V, _ in cases:
        assert train.max() < V and scored.max() < V and train.min() >= 0


def test_a_dict_without_get_and_a_short_bincount_get_advice(capsys):
    def key_error(train_ids, eval_ids, V, k=1.0):
        counts = dict(Counter(train_ids.tolist()))
        return -np.mean([np.log((counts[w] + k) / (len(train_ids) + k * V)) for w in eval_ids])

    def short_bincount(train_ids, eval_ids, V, k=1.0):
        counts = np.bincount(train_ids)
        return -np.mean(np.log((counts[eval_ids] + k) / (len(train_ids) + k * V)))

    ok, out = run(checks.unigram_nll, key_error, capsys)
    assert ok is False and "KeyError" in out and "counts.get(key, 0)" in out, out
    ok, out = run(checks.unigram_nll, short_bincount, capsys)
    assert ok is False and "IndexError" in out and "minlength=V" in out, out


def test_a_missing_default_k_is_explained(capsys):
    def no_default(train_ids, eval_ids, V, k):
        return unigram_ok(train_ids, eval_ids, V, k)

    ok, out = run(checks.unigram_nll, no_default, capsys)
    assert ok is False and lesson07.UNIGRAM_SIGNATURE in out, out


def test_an_unknown_unigram_mistake_gives_the_formula(capsys):
    ok, out = run(checks.unigram_nll, lambda t, e, V, k=1.0: unigram_ok(t, e, V, k) + 0.3, capsys)
    assert ok is False and "p(w) = (c(w) + k) / (N + k V)" in out and "ln V =" in out, out


def test_counting_into_the_input_is_reported(capsys):
    def in_place(train_ids, eval_ids, V, k=1.0):
        train_ids.sort()
        return unigram_ok(train_ids, eval_ids, V, k)

    ok, out = run(checks.unigram_nll, in_place, capsys)
    assert ok is False and "changed its input `train_ids` in place" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda t, e, V, k=1.0: None, "None"),
        (lambda t, e, V, k=1.0: float("nan"), lesson07.UNIGRAM_NOT_FINITE),
        (lambda t, e, V, k=1.0: [1.0], "Python list"),
        (lambda t, e, V, k=1.0: np.ones(len(e)), "one per token: return their mean"),
        (lambda t, e, V, k=1.0: np.ones((2, 2)), "shape (2, 2)"),
        (lambda t, e, V, k=1.0: import_tensorflow().constant(1.0), "TensorFlow tensor"),
        (lambda t, e, V, k=1.0: "2.3", "type str"),
        (lambda t, e, V, k=1.0: True, "type bool"),
    ],
)
def test_bad_unigram_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.unigram_nll, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- bigram_nll


def bigram_ok(train_ids, eval_ids, V, k=1.0):
    codes, counts = np.unique(
        train_ids[:-1].astype(np.int64) * V + train_ids[1:], return_counts=True
    )
    context = np.bincount(train_ids[:-1], minlength=V)
    query = eval_ids[:-1].astype(np.int64) * V + eval_ids[1:]
    at = np.minimum(np.searchsorted(codes, query), len(codes) - 1)
    pair = np.where(codes[at] == query, counts[at], 0)
    return -np.mean(np.log((pair + k) / (context[eval_ids[:-1]] + k * V)))


def bigram_dense(train_ids, eval_ids, V, k=1.0):
    counts = np.zeros((V, V))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    p = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * V)
    return float(-np.log(p[eval_ids[:-1], eval_ids[1:]]).mean())


def bigram_counter_loop(train_ids, eval_ids, V, k=1.0):
    pairs = Counter(zip(train_ids[:-1].tolist(), train_ids[1:].tolist(), strict=True))
    context = Counter(train_ids[:-1].tolist())
    total = 0.0
    for t in range(1, len(eval_ids)):
        a, b = int(eval_ids[t - 1]), int(eval_ids[t])
        total += -math.log((pairs[(a, b)] + k) / (context[a] + k * V))
    return total / (len(eval_ids) - 1)


def bigram_nested_dict(train_ids, eval_ids, V, k=1.0):
    follows = defaultdict(Counter)
    for a, b in zip(train_ids, train_ids[1:], strict=False):
        follows[int(a)][int(b)] += 1
    nll = []
    for a, b in zip(eval_ids, eval_ids[1:], strict=False):
        row = follows.get(int(a), Counter())
        nll.append(-np.log((row[int(b)] + k) / (sum(row.values()) + k * V)))
    return np.mean(nll)


def bigram_dense_float32(train_ids, eval_ids, V, k=1.0):
    counts = np.zeros((V, V), dtype=np.float32)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), np.float32(1))
    log_p = np.log(counts + np.float32(k)) - np.log(counts.sum(axis=1) + np.float32(k * V))[:, None]
    return -log_p[eval_ids[:-1], eval_ids[1:]].mean()


def test_the_reference_is_the_dense_matrix_estimate():
    for _, train, scored, V, k in lesson07._bigram_cases():
        kk = 1.0 if k is None else k
        assert lesson07._bigram(train, scored, V, kk) == pytest.approx(
            bigram_dense(train, scored, V, kk), rel=1e-12
        )


def _dense_counts(train_ids, V):
    counts = np.zeros((V, V))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    return counts


def bigram_only_seen(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    smoothed = np.where(counts > 0, counts + k, 0.0)
    p = smoothed / (counts.sum(axis=1, keepdims=True) + k * V)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_no_smoothing(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    p = counts / counts.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_denominator(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    p = (counts + k) / counts.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_whole_stream(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    context = np.bincount(train_ids, minlength=V)[:, None]
    p = (counts + k) / (context + k * V)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_transposed(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    p = (counts + k) / (counts.sum(axis=0, keepdims=True) + k * V)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_reversed(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    p = (counts.T + k) / (counts.sum(axis=1)[:, None] + k * V)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


def bigram_bits(train_ids, eval_ids, V, k=1.0):
    return bigram_dense(train_ids, eval_ids, V, k) / math.log(2)


def bigram_unigram(train_ids, eval_ids, V, k=1.0):
    return unigram_ok(train_ids, eval_ids[1:], V, k)


def bigram_unigram_all(train_ids, eval_ids, V, k=1.0):
    return unigram_ok(train_ids, eval_ids, V, k)


def bigram_wrap(train_ids, eval_ids, V, k=1.0):
    counts = np.zeros((V, V))
    np.add.at(counts, (train_ids, np.roll(train_ids, -1)), 1)
    p = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * V)
    return -np.mean(np.log(p[eval_ids, np.roll(eval_ids, -1)]))


def bigram_count(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    p = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * V)
    return -np.sum(np.log(p[eval_ids[:-1], eval_ids[1:]])) / len(eval_ids)


def bigram_eval_counts(train_ids, eval_ids, V, k=1.0):
    return bigram_dense(eval_ids, eval_ids, V, k)


def bigram_sum(train_ids, eval_ids, V, k=1.0):
    return bigram_dense(train_ids, eval_ids, V, k) * (len(eval_ids) - 1)


def bigram_perplexity(train_ids, eval_ids, V, k=1.0):
    return math.exp(bigram_dense(train_ids, eval_ids, V, k))


def bigram_k_fixed(train_ids, eval_ids, V, k=1.0):
    return bigram_dense(train_ids, eval_ids, V)


def bigram_v_from_data(train_ids, eval_ids, V, k=1.0):
    counts = _dense_counts(train_ids, V)
    size = len(np.unique(train_ids))
    p = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * size)
    return -np.mean(np.log(p[eval_ids[:-1], eval_ids[1:]]))


BIGRAM_LEARNERS = [
    (bigram_only_seen, "only seen", "smoothing only the seen pairs"),
    (bigram_no_smoothing, "no smoothing", "c(a, b) / c(a) is the unsmoothed"),
    (bigram_denominator, "denominator", "lacks k V"),
    (bigram_whole_stream, "whole stream", "train_ids[:-1]"),
    (bigram_transposed, "transposed", "p(a | b)"),
    (bigram_reversed, "reversed", "read backwards"),
    (bigram_bits, "bits", "reference / ln 2"),
    (bigram_unigram, "unigram", "UNIGRAM NLL, (c(b) + k)"),
    (bigram_unigram_all, "unigram all", "every token of eval_ids"),
    (bigram_wrap, "wrap", "wrap around the end"),
    (bigram_count, "count", "divided the sum by len(eval_ids)"),
    (bigram_eval_counts, "eval counts", "the counts come from eval_ids"),
    (bigram_sum, "sum", "SUM"),
    (bigram_perplexity, "perplexity", "the perplexity"),
    (bigram_k_fixed, "k ignored", "use the argument k"),
    (bigram_v_from_data, "V from data", "the argument V"),
]


def test_the_bigram_catalogue_is_complete():
    assert {name for name, _ in lesson07.BIGRAM_MISTAKES} == {n for _, n, _ in BIGRAM_LEARNERS}
    assert {name for name, _ in lesson07.UNIGRAM_MISTAKES} >= {"only seen", "bits", "sum"}


def test_the_bigram_cases_have_what_their_labels_say():
    cases = lesson07._bigram_cases()
    train, scored, V = cases[0][1], cases[0][2], cases[0][3]
    seen = set(zip(train[:-1].tolist(), train[1:].tolist(), strict=True))
    assert set(zip(scored[:-1].tolist(), scored[1:].tolist(), strict=True)) <= seen
    assert train[-1] in scored[:-1], "the last training token is a context of eval_ids"
    assert len(np.unique(train)) < V
    train, scored = cases[1][1], cases[1][2]
    assert 7 not in train[:-1] and train[-1] == 7 and 7 in scored[:-1]
    assert 6 in scored and 6 not in train
    seen = set(zip(train[:-1].tolist(), train[1:].tolist(), strict=True))
    assert set(zip(scored[:-1].tolist(), scored[1:].tolist(), strict=True)) - seen
    assert cases[2][1].dtype == np.int32 and cases[2][4] == 0.5
    assert len(cases[3][2]) == 2
    assert cases[4][3] == 1000 and len(cases[4][1]) == 30_000
    for _, train, scored, V, _ in cases:
        assert train.max() < V and scored.max() < V and train.min() >= 0


def test_a_context_that_starts_no_pair_is_smoothed_to_uniform():
    train, V = np.array([0, 1, 0, 2]), 3
    assert lesson07._bigram(train, np.array([2, 0]), V, 1.0) == pytest.approx(math.log(3))
    assert lesson07._bigram(train, np.array([2, 0]), V, 1.0, "whole stream") == pytest.approx(
        math.log(4)
    )


def test_bigram_errors_get_advice(capsys):
    def key_error(train_ids, eval_ids, V, k=1.0):
        pairs = dict(Counter(zip(train_ids[:-1].tolist(), train_ids[1:].tolist(), strict=True)))
        context = Counter(train_ids[:-1].tolist())
        nll = [
            -math.log((pairs[(a, b)] + k) / (context[a] + k * V))
            for a, b in zip(eval_ids[:-1].tolist(), eval_ids[1:].tolist(), strict=True)
        ]
        return sum(nll) / len(nll)

    def past_the_end(train_ids, eval_ids, V, k=1.0):
        return bigram_dense(train_ids, eval_ids, V, k) + eval_ids[len(eval_ids)]

    def zero_division(train_ids, eval_ids, V, k=1.0):
        context = Counter(train_ids[:-1].tolist())
        return sum(1 / context[a] for a in range(V))

    ok, out = run(checks.bigram_nll, key_error, capsys)
    assert ok is False and "KeyError" in out and "A pair of eval_ids" in out, out
    ok, out = run(checks.bigram_nll, past_the_end, capsys)
    assert ok is False and "IndexError" in out and "t <= len(ids) - 2" in out, out
    ok, out = run(checks.bigram_nll, zero_division, capsys)
    assert ok is False and "ZeroDivisionError" in out and "k V in it" in out, out


def test_an_unknown_bigram_mistake_gives_the_formula(capsys):
    ok, out = run(checks.bigram_nll, lambda t, e, V, k=1.0: bigram_ok(t, e, V, k) * 1.1, capsys)
    assert ok is False and "c(a) counted in train_ids[:-1]" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda t, e, V, k=1.0: None, "None"),
        (lambda t, e, V, k=1.0: np.float64("nan"), lesson07.BIGRAM_NOT_FINITE),
        (lambda t, e, V, k=1.0: -math.inf, lesson07.BIGRAM_NOT_FINITE),
        (lambda t, e, V, k=1.0: (1.0, 2.0), "Python tuple"),
        (lambda t, e, V, k=1.0: np.ones(len(e) - 1), "one per prediction: return their mean"),
        (lambda t, e, V, k=1.0: np.array([1.5]), "shape (1,)"),
        (lambda t, e, V, k=1.0: {"nll": 1.0}, "type dict"),
    ],
)
def test_bad_bigram_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.bigram_nll, bad, capsys)
    assert ok is False and expected in out, out


def test_eval_ids_changed_in_place_is_reported(capsys):
    def in_place(train_ids, eval_ids, V, k=1.0):
        eval_ids[0] = 0
        return bigram_ok(train_ids, eval_ids, V, k)

    ok, out = run(checks.bigram_nll, in_place, capsys)
    assert ok is False and "changed its input `eval_ids` in place" in out, out


# --------------------------------------------------------------------------- both baselines

#: (check, its catalogue, learners written with each mistake) of unigram_nll and bigram_nll.
BASELINES = {
    "unigram_nll": (checks.unigram_nll, lesson07.UNIGRAM_MISTAKES, UNIGRAM_LEARNERS),
    "bigram_nll": (checks.bigram_nll, lesson07.BIGRAM_MISTAKES, BIGRAM_LEARNERS),
}


@pytest.mark.parametrize(
    ("check", "fn", "name", "words"),
    [(c, fn, name, words) for c, _, learners in BASELINES.values() for fn, name, words in learners],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_each_baseline_mistake_gets_its_own_hint(check, fn, name, words, capsys):
    table = BASELINES[check.__name__][1]
    ok, out = run(check, fn, capsys)
    hint = hint_of(table, name)
    assert ok is False and hint in out and words in hint, out
    assert "got " in out and "expected " in out and " nats: " in out, "what was got and expected"
    assert not any(other in out for n, other in table if n != name)


@pytest.mark.parametrize(
    ("reference", "cases", "table"),
    [
        (lesson07._unigram, lesson07._unigram_cases(), lesson07.UNIGRAM_MISTAKES),
        (lesson07._bigram, lesson07._bigram_cases(), lesson07.BIGRAM_MISTAKES),
    ],
    ids=["unigram", "bigram"],
)
def test_every_mistake_shows_before_it_is_tried_against_another(reference, cases, table):
    """In the first case that tells a mistake from the reference, no earlier entry of the
    catalogue has the same value (so the first match is that mistake's own hint)."""
    names = [name for name, _ in table]
    for i, name in enumerate(names):
        for label, train, scored, V, k in cases:
            kk = 1.0 if k is None else k
            ref = reference(train, scored, V, kk)
            mine = reference(train, scored, V, kk, name)
            if close(mine, ref):
                continue
            for earlier in names[:i]:
                other = reference(train, scored, V, kk, earlier)
                assert close(other, ref) or not close(other, mine), (name, earlier, label)
            break
        else:
            raise AssertionError(f"no case tells {name!r} from the reference")


# --------------------------------------------------------------------------- every check

CORRECT = [
    (checks.to_ids, to_ids_ok),
    (checks.to_ids, to_ids_list),
    (checks.to_ids, to_ids_fromiter),
    (checks.to_ids, to_ids_concatenate),
    (checks.to_ids, to_ids_tensor),
    (checks.perplexity, perplexity_ok),
    (checks.perplexity, perplexity_math_for_numbers),
    (checks.perplexity, perplexity_power_of_e),
    (checks.perplexity, perplexity_through_bits),
    (checks.perplexity, perplexity_float32),
    (checks.unigram_nll, unigram_ok),
    (checks.unigram_nll, unigram_counter_loop),
    (checks.unigram_nll, unigram_dict_get),
    (checks.unigram_nll, unigram_add_at_float32),
    (checks.unigram_nll, unigram_unique),
    (checks.bigram_nll, bigram_ok),
    (checks.bigram_nll, bigram_dense),
    (checks.bigram_nll, bigram_counter_loop),
    (checks.bigram_nll, bigram_nested_dict),
    (checks.bigram_nll, bigram_dense_float32),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT, ids=lambda v: v.__name__)
def test_correct_alternatives_pass(check, fn, capsys):
    ok, out = run(check, fn, capsys)
    assert ok is True and out.startswith(f"✅ {check.__name__}:"), out


ALL_CHECKS = [checks.to_ids, checks.perplexity, checks.unigram_nll, checks.bigram_nll]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stubs_are_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False and "not implemented yet" in out, out


def test_no_state_is_kept_between_calls(capsys):
    results = [
        run(checks.bigram_nll, fn, capsys)[0]
        for fn in (bigram_ok, bigram_only_seen, bigram_ok, bigram_dense)
    ]
    assert results == [True, False, True, True]
    results = [run(checks.to_ids, fn, capsys)[0] for fn in (to_ids_ok, no_eos, to_ids_ok)]
    assert results == [True, False, True]


def test_not_a_function(capsys):
    ok, out = run(checks.perplexity, perplexity_ok(1.0), capsys)
    assert ok is False and "pass the function itself" in out, out


def test_the_lesson_exports_its_checks():
    assert set(lesson07.__all__) == {"to_ids", "perplexity", "unigram_nll", "bigram_nll"}
    for name in lesson07.__all__:
        assert getattr(checks, name) is getattr(lesson07, name)
