"""Lesson 05 checks: the references pass (and agree with Keras), correct alternatives pass, each
catalogued mistake fails with its own hint, the fake models behave as the check assumes, bad
return values get a line and False, stubs get "not implemented yet", and a check returns a bool."""

from __future__ import annotations

import math

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson05
from rnncourse.env import import_tensorflow

tf = import_tensorflow()  # before keras: hides TensorFlow's load-time messages
import keras  # noqa: E402

ops = keras.ops


def hint_of(table, name):
    return dict(table)[name]


# --------------------------------------------------------------------------- masked_mean


def masked_mean_ok(x, mask):
    m = ops.expand_dims(ops.cast(mask, x.dtype), -1)  # (B, T, 1)
    total = ops.sum(x * m, axis=1)  # (B, D)
    count = ops.sum(m, axis=1)  # (B, 1)
    return total / ops.maximum(count, 1.0)


def masked_mean_divide_no_nan(x, mask):
    m = ops.cast(mask, "float32")[:, :, None]
    x = ops.cast(x, "float32")
    return ops.divide_no_nan(ops.sum(x * m, axis=1), ops.sum(m, axis=1))


def masked_mean_where_einsum(x, mask):
    m = ops.cast(ops.cast(mask, "bool"), x.dtype)
    total = ops.einsum("btd,bt->bd", x, m)
    count = ops.sum(m, axis=1, keepdims=True)
    return ops.where(count > 0, total / ops.maximum(count, 1), ops.zeros_like(total))


@pytest.mark.parametrize(
    "fn",
    [masked_mean_ok, masked_mean_divide_no_nan, masked_mean_where_einsum],
    ids=lambda f: f.__name__,
)
def test_correct_masked_mean_alternatives_pass(fn, capsys):
    ok, out = run(checks.masked_mean, fn, capsys)
    assert ok is True and out.startswith("✅ masked_mean"), out


def test_converting_to_numpy_fails_inside_a_model(capsys):
    def converts(x, mask):
        return ops.convert_to_numpy(masked_mean_ok(x, mask))

    ok, out = run(checks.masked_mean, converts, capsys)
    assert ok is False and lesson05.MASKED_MEAN_GRAPH in out, out
    assert "inside tf.function" in out and "convert_to_numpy" in out, out


def test_the_reference_is_what_keras_averaging_with_a_mask_computes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    mask = lesson05._post_mask([6, 2, 4, 1], 6)
    theirs = ops.convert_to_numpy(keras.layers.GlobalAveragePooling1D()(x, mask=mask))
    np.testing.assert_allclose(lesson05._masked_mean(x, mask), theirs, atol=1e-6)
    empty = lesson05._masked_mean(x, lesson05._post_mask([0, 3, 0, 6], 6))
    assert np.all(empty[[0, 2]] == 0) and np.isfinite(empty).all()


def test_the_reference_works_in_a_keras_model_as_the_lesson_uses_it():
    class MaskedMean(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            return masked_mean_ok(inputs, mask)

        def compute_mask(self, inputs, mask=None):
            return None

    inputs = keras.Input((None,), dtype="int32")
    hidden = keras.layers.Embedding(30, 4, mask_zero=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(MaskedMean()(hidden)))
    ids = np.array([[5, 3, 0, 0], [7, 0, 0, 0]])
    padded = np.pad(ids, ((0, 0), (0, 6)))
    np.testing.assert_allclose(
        model.predict(ids, verbose=0), model.predict(padded, verbose=0), atol=1e-6
    )


# the catalogue, written as a learner would write each mistake


def averages_the_padding(x, mask):
    return ops.mean(x, axis=1)


def divides_by_padded_length(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    return ops.sum(x * m, axis=1) / x.shape[1]


def divides_by_batch_count(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    return ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m), 1.0)


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (averages_the_padding, "padding"),
        (divides_by_padded_length, "padded length"),
        (divides_by_batch_count, "batch count"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_each_masked_mean_value_mistake_gets_its_own_hint(fn, name, capsys):
    ok, out = run(checks.masked_mean, fn, capsys)
    assert ok is False and hint_of(lesson05.MASKED_MEAN_MISTAKES, name) in out, out


def test_the_catalogue_covers_every_value_mistake_of_the_reference():
    names = {name for name, _ in lesson05.MASKED_MEAN_MISTAKES}
    assert names == {"padding", "padded length", "batch count"}
    x, mask = lesson05._masked_mean_cases()[0][1:3]
    for name in names:  # each mistake is distinguishable from the reference
        assert not np.allclose(lesson05._masked_mean(x, mask, name), lesson05._masked_mean(x, mask))


def nan_for_an_empty_row(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    return ops.sum(x * m, axis=1) / ops.sum(m, axis=1)


def test_nan_for_an_all_padding_row_is_named(capsys):
    ok, out = run(checks.masked_mean, nan_for_an_empty_row, capsys)
    assert ok is False and lesson05.MASKED_MEAN_NAN in out, out
    assert "all-padding row" in out


def numpy_methods(x, mask):
    m = mask.astype(x.dtype)[:, :, None]
    return (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1)


def numpy_functions(x, mask):
    m = np.asarray(mask, dtype=np.float64)[:, :, None]
    return np.sum(x * m, axis=1) / np.maximum(np.sum(m, axis=1), 1)


def calls_numpy_method(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    count = ops.convert_to_numpy(ops.sum(m, axis=1)) if hasattr(m, "numpy") else m.sum(axis=1)
    return ops.sum(x * m, axis=1) / np.maximum(count, 1)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (numpy_methods, lesson05.MASKED_MEAN_KERAS_OPS),
        (numpy_functions, lesson05.MASKED_MEAN_GRAPH),
        (calls_numpy_method, lesson05.MASKED_MEAN_GRAPH),
    ],
    ids=lambda v: getattr(v, "__name__", "hint"),
)
def test_a_numpy_only_implementation_is_told_to_use_keras_ops(fn, hint, capsys):
    ok, out = run(checks.masked_mean, fn, capsys)
    assert ok is False and hint in out, out
    assert "not implemented yet" not in out
    assert "your function raised" in out and "line" in out, "the learner's line is named"


def mask_not_broadcast(x, mask):
    m = ops.cast(mask, x.dtype)
    return ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)


def count_without_keepdims(x, mask):
    m = ops.cast(mask, x.dtype)
    return ops.sum(x * m[:, :, None], axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)


def test_a_mask_not_broadcast_over_d_is_named(capsys):
    ok, out = run(checks.masked_mean, mask_not_broadcast, capsys)
    assert ok is False and lesson05.MASKED_MEAN_BROADCAST in out, out
    assert "{{" not in out and "[Op:" not in out, "TensorFlow's node prefix is dropped"


def test_a_count_without_keepdims_is_named(capsys):
    ok, out = run(checks.masked_mean, count_without_keepdims, capsys)
    assert ok is False and lesson05.MASKED_MEAN_KEEPDIMS in out, out


def test_a_numpy_mask_not_broadcast_is_named_too(capsys):
    def numpy_no_broadcast(x, mask):
        return (x * mask).sum(axis=1)

    ok, out = run(checks.masked_mean, numpy_no_broadcast, capsys)
    assert ok is False and lesson05.MASKED_MEAN_BROADCAST in out, out


def mean_over_features(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    return ops.mean(x * m, axis=-1)


def mean_over_batch(x, mask):
    m = ops.cast(mask, x.dtype)[:, :, None]
    return ops.sum(x * m, axis=0) / ops.maximum(ops.sum(m, axis=0), 1.0)


def keeps_the_step_axis(x, mask):
    return ops.expand_dims(masked_mean_ok(x, mask), 1)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (mean_over_features, "you averaged over the features D"),
        (mean_over_batch, "you averaged over the batch (axis 0)"),
        (keeps_the_step_axis, "keepdims=True kept the step axis"),
    ],
    ids=lambda v: getattr(v, "__name__", "hint"),
)
def test_a_wrong_axis_is_named(fn, expected, capsys):
    ok, out = run(checks.masked_mean, fn, capsys)
    assert ok is False and expected in out and "but expected (5, 3)" in out, out


def test_float64_and_int_masks_are_handled(capsys):
    def float32_only(x, mask):  # tf refuses float64 * float32: fails on the float64 case
        m = tf.cast(mask, tf.float32)[:, :, None]
        x = tf.convert_to_tensor(x)
        return tf.reduce_sum(x * m, axis=1) / tf.maximum(tf.reduce_sum(m, axis=1), 1.0)

    ok, out = run(checks.masked_mean, float32_only, capsys)
    assert ok is False and "float64 values near 1e4" in out, out


def test_where_on_the_mask_is_a_correct_alternative(capsys):
    def with_where(x, mask):  # keras.ops.where reads a 0/1 mask as a condition too
        m = ops.expand_dims(mask, -1)
        total = ops.sum(ops.where(m, x, ops.zeros_like(x)), axis=1)
        count = ops.sum(ops.cast(m, x.dtype), axis=1)
        return total / ops.maximum(count, 1.0)

    ok, out = run(checks.masked_mean, with_where, capsys)
    assert ok is True, out


def test_a_mask_changed_in_place_is_reported(capsys):
    def mutates(x, mask):
        mask[:, 0] = True
        return masked_mean_ok(x, mask)

    ok, out = run(checks.masked_mean, mutates, capsys)
    assert ok is False and "changed its input `mask` in place" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda x, m: None, "None"),
        (lambda x, m: [[0.0]], "Python list"),
        (lambda x, m: np.full((5, 3), np.nan), "NaN"),
        (lambda x, m: np.full((5, 3), np.inf), "infinity"),
        (lambda x, m: "mean", "type str"),
        (lambda x, m: x, "but expected (5, 3): nothing was summed"),
    ],
)
def test_bad_masked_mean_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.masked_mean, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- length_for_coverage


def coverage_ok(lengths, share):
    ordered = np.sort(np.asarray(lengths))
    return ordered[math.ceil(share * len(ordered)) - 1]


def coverage_quantile(lengths, share):
    return int(np.quantile(lengths, share, method="inverted_cdf"))


def coverage_by_counting(lengths, share):
    for candidate in sorted(set(lengths)):
        if sum(n <= candidate for n in lengths) / len(lengths) >= share:
            return candidate
    return max(lengths)


def coverage_cumulative(lengths, share):
    values, counts = np.unique(lengths, return_counts=True)
    return values[np.searchsorted(np.cumsum(counts) / counts.sum(), share)]


@pytest.mark.parametrize(
    "fn",
    [coverage_ok, coverage_quantile, coverage_by_counting, coverage_cumulative],
    ids=lambda f: f.__name__,
)
def test_correct_coverage_alternatives_pass(fn, capsys):
    ok, out = run(checks.length_for_coverage, fn, capsys)
    assert ok is True and out.startswith("✅ length_for_coverage"), out


@pytest.mark.parametrize(("label", "lengths", "share"), lesson05._coverage_cases())
def test_the_coverage_cases_have_one_unambiguous_answer(label, lengths, share):
    values = np.asarray(lengths)
    expected = lesson05._coverage_length(values, share)
    assert expected in values
    assert np.mean(values <= expected) >= share
    assert np.mean(values < expected) < share, "nothing shorter covers the share"
    assert coverage_ok(values, share) == expected == coverage_quantile(values, share)


def test_the_edge_cases_are_the_extremes():
    cases = {label: (np.asarray(v), s) for label, v, s in lesson05._coverage_cases()}
    share_one = next(v for label, (v, s) in cases.items() if s == 1.0)
    tiny = next(v for label, (v, s) in cases.items() if s == 0.001)
    assert lesson05._coverage_length(share_one, 1.0) == share_one.max()
    assert lesson05._coverage_length(tiny, 0.001) == tiny.min()


def coverage_percentage(lengths, share):
    ordered = np.sort(lengths)
    return ordered[max(math.ceil(share / 100 * len(ordered)), 1) - 1]


def coverage_percentile_of_fraction(lengths, share):
    return np.percentile(lengths, share)


def coverage_percentile(lengths, share):
    return np.percentile(lengths, 100 * share)


def coverage_nearest(lengths, share):
    return np.percentile(lengths, 100 * share, method="nearest")


def coverage_off_by_one(lengths, share):
    ordered = np.sort(lengths)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def coverage_unsorted(lengths, share):
    return lengths[math.ceil(share * len(lengths)) - 1]


def coverage_median(lengths, share):
    return int(np.median(lengths))


def coverage_mean(lengths, share):
    return np.mean(lengths)


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (coverage_percentage, "percentage"),
        (coverage_percentile_of_fraction, "percentile as fraction"),
        (coverage_percentile, "percentile"),
        (coverage_nearest, "nearest percentile"),
        (coverage_off_by_one, "off by one"),
        (coverage_unsorted, "unsorted"),
        (coverage_median, "median"),
        (coverage_mean, "mean"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_each_coverage_mistake_gets_its_own_hint(fn, name, capsys):
    ok, out = run(checks.length_for_coverage, fn, capsys)
    assert ok is False and hint_of(lesson05.COVERAGE_MISTAKES, name) in out, out


def test_the_coverage_catalogue_is_reproduced_by_the_reference_options():
    for label, lengths, share in lesson05._coverage_cases():
        for fn, name in [
            (coverage_percentage, "percentage"),
            (coverage_percentile, "percentile"),
            (coverage_off_by_one, "off by one"),
            (coverage_unsorted, "unsorted"),
            (coverage_mean, "mean"),
        ]:
            assert float(fn(lengths, share)) == pytest.approx(
                lesson05._coverage_length(lengths, share, name)
            ), (label, name)


def test_an_index_past_the_end_is_explained(capsys):
    def index_error(lengths, share):
        return sorted(lengths)[int(share * len(lengths))]

    ok, out = run(checks.length_for_coverage, index_error, capsys)
    assert ok is False, out
    assert hint_of(lesson05.COVERAGE_MISTAKES, "off by one") in out, out


def test_share_1_index_error_gets_its_advice(capsys):
    def right_but_for_share_1(lengths, share):
        ordered = sorted(lengths)
        return ordered[len(ordered)] if share == 1 else coverage_ok(lengths, share)

    ok, out = run(checks.length_for_coverage, right_but_for_share_1, capsys)
    assert ok is False and "IndexError" in out and "sorted[n - 1]" in out, out


def test_sorting_a_list_in_place_is_reported(capsys):
    def sorts_in_place(lengths, share):
        if isinstance(lengths, list):
            lengths.sort()
        return coverage_ok(lengths, share)

    ok, out = run(checks.length_for_coverage, sorts_in_place, capsys)
    assert ok is False and "changed its input `lengths` in place" in out, out


def test_a_longer_length_than_needed_is_explained(capsys):
    ok, out = run(checks.length_for_coverage, lambda lengths, share: max(lengths), capsys)
    assert ok is False and "return the smallest such L" in out, out


def test_a_length_not_in_the_data_is_named(capsys):
    ok, out = run(
        checks.length_for_coverage, lambda lengths, s: coverage_ok(lengths, s) + 1, capsys
    )
    assert ok is False and "not one of the lengths" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda lengths, share: None, "None"),
        (lambda lengths, share: 123.5, "not a whole number: a length counts tokens"),
        (lambda lengths, share: "long", "type str"),
        (lambda lengths, share: True, "type bool"),
        (lambda lengths, share: [5], "type list"),
        (lambda lengths, share: float("nan"), "finite"),
    ],
)
def test_bad_coverage_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.length_for_coverage, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- is_padding_invariant


def invariant_ok(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    a, b = np.asarray(model(ids)), np.asarray(model(padded))
    return bool(np.allclose(a, b, rtol=0, atol=atol))


def invariant_concatenate(model, ids, extra=10, atol=1e-5):
    padded = np.concatenate([ids, np.zeros((ids.shape[0], extra))], axis=1)  # float ids
    return np.max(np.abs(np.asarray(model(ids)) - np.asarray(model(padded)))) <= atol


def invariant_keras_ops(model, ids, extra=10, atol=1e-5):
    padded = ops.pad(ops.convert_to_tensor(ids), [[0, 0], [0, extra]])
    difference = ops.abs(ops.convert_to_tensor(model(ids)) - ops.convert_to_tensor(model(padded)))
    return bool(ops.all(difference <= atol))


def invariant_tensor_methods(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return np.abs(model(ids).numpy() - model(padded).numpy()).max() <= atol


def invariant_row_by_row(model, ids, extra=10, atol=1e-5):
    for row in ids:
        one = row[None, :]
        padded = np.hstack([one, np.zeros((1, extra), dtype=ids.dtype)])
        if not np.allclose(model.predict(one), model.predict(padded), rtol=0, atol=atol):
            return False
    return True


@pytest.mark.parametrize(
    "fn",
    [
        invariant_ok,
        invariant_concatenate,
        invariant_keras_ops,
        invariant_tensor_methods,
        invariant_row_by_row,
    ],
    ids=lambda f: f.__name__,
)
def test_correct_padding_invariance_alternatives_pass(fn, capsys):
    ok, out = run(checks.is_padding_invariant, fn, capsys)
    assert ok is True and out.startswith("✅ is_padding_invariant"), out


def _scores(fn, ids, extra):
    a = np.asarray(fn(ids), np.float64).reshape(len(ids), -1)
    b = np.asarray(fn(np.pad(ids, ((0, 0), (0, extra)))), np.float64).reshape(len(ids), -1)
    return np.abs(a - b).max(axis=1)


@pytest.mark.parametrize("case", lesson05._padding_cases(), ids=lambda c: c[0][:40])
def test_the_fake_models_are_what_their_labels_say(case):
    label, fn, ids, options, invariant = case
    extra, atol = options if options else (10, 1e-5)
    per_row = _scores(fn, ids, extra)
    assert (per_row.max() <= atol) == invariant, (label, per_row)
    assert ids.shape[1] > 1 and not (ids[:, 0] == 0).any(), "every review starts with a token"


def test_the_fake_models_have_the_properties_the_hints_rely_on():
    batch = lesson05._ids([5, 2, 8], 8, seed=9)
    front = np.pad(batch, ((0, 0), (10, 0)))
    ones = np.pad(batch, ((0, 0), (0, 10)), constant_values=1)
    tiny = _scores(lesson05._invariant, batch, 10)
    assert 0 < tiny.max() <= 1e-5, "invariant in the last digits only: == fails, atol passes"
    assert _scores(lesson05._mean_all, batch, 10).min() > 0.1
    assert _scores(lesson05._decaying_state, batch, 10).min() > 0.1
    subtle = _scores(lesson05._subtle, batch, 10)
    assert 1e-4 < subtle.min() and subtle.max() < 1e-2 and subtle[0] > 1e-5
    pooled = _scores(lesson05._max_pool, batch, 10)
    assert pooled[0] == 0 and pooled[1] == 0 and pooled[2] > 0.5, "only the full row changes"
    last = lesson05._last_real_state
    assert not np.allclose(last(batch), last(front), atol=1e-3), "front padding moves it"
    unk = lesson05._unknown_share
    assert (batch == 1).any() and not np.allclose(unk(batch), unk(ones), atol=1e-3)
    assert not np.allclose(lesson05._invariant(batch), lesson05._invariant(ones), atol=1e-3)


def test_keras_models_with_and_without_a_mask(capsys):
    keras.utils.set_random_seed(0)

    def gru(mask_zero):
        inputs = keras.Input((None,), dtype="int32")
        hidden = keras.layers.Embedding(50, 8, mask_zero=mask_zero)(inputs)
        return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.GRU(8)(hidden)))

    ids = np.array([[4, 9, 2, 0, 0], [7, 3, 11, 5, 8]])
    assert invariant_ok(gru(True), ids) is True
    assert invariant_ok(gru(False), ids) is False


def always_true_itself(model, ids, extra=10, atol=1e-5):
    return bool(np.allclose(model(ids), model(ids), atol=atol))


def never_calls(model, ids, extra=10, atol=1e-5):
    return True


def pads_at_the_front(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (extra, 0)))
    return bool(np.allclose(model(ids), model(padded), rtol=0, atol=atol))


def loose_tolerance(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return bool(np.allclose(model(ids), model(padded), atol=0.1))


def pads_with_one(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)), constant_values=1)
    return bool(np.allclose(model(ids), model(padded), rtol=0, atol=atol))


def first_row_of_the_scores(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return bool(np.allclose(model(ids)[0], model(padded)[0], rtol=0, atol=atol))


def first_row_of_the_ids(model, ids, extra=10, atol=1e-5):
    first = ids[:1]
    return bool(np.allclose(model(first), model(np.pad(first, ((0, 0), (0, extra)))), atol=atol))


def compares_shapes(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return model(ids).shape == model(padded).shape


def exact_equality(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return bool(np.array_equal(model(ids), model(padded)))


def ignores_atol(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, extra)))
    return bool(np.allclose(model(ids), model(padded)))


def ignores_extra(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, ((0, 0), (0, 10)))
    return bool(np.allclose(model(ids), model(padded), rtol=0, atol=atol))


def pads_both_axes(model, ids, extra=10, atol=1e-5):
    padded = np.pad(ids, (0, extra))
    return bool(np.allclose(model(ids), model(padded)[: len(ids)], rtol=0, atol=atol))


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (always_true_itself, lesson05.PADDING_ALWAYS_TRUE),
        (never_calls, lesson05.PADDING_NEVER_CALLED),
        (pads_at_the_front, lesson05.PADDING_FRONT),
        (loose_tolerance, "the tolerance is too loose"),
        (pads_with_one, "the padding is 1, not 0"),
        (first_row_of_the_scores, lesson05.PADDING_FIRST_ROW),
        (first_row_of_the_ids, lesson05.PADDING_FIRST_ROW),
        (compares_shapes, "equal shapes are not equal scores"),
        (exact_equality, "not with == or np.array_equal"),
        (ignores_atol, "within atol = 0.01: use the argument `atol`"),
        (ignores_extra, "10 columns were appended, not extra = 3"),
        (pads_both_axes, lesson05.PADDING_ROWS),
    ],
    ids=lambda v: getattr(v, "__name__", "hint"),
)
def test_each_padding_mistake_gets_its_own_hint(fn, expected, capsys):
    ok, out = run(checks.is_padding_invariant, fn, capsys)
    assert ok is False and expected in out, out


def test_the_hints_say_what_was_got_and_expected(capsys):
    ok, out = run(checks.is_padding_invariant, compares_shapes, capsys)
    assert "your function returned True" in out and "differ by up to" in out, out
    assert "a mean over all positions" in out, "the hint names the case"


def test_padding_ids_in_place_is_reported(capsys):
    def mutates(model, ids, extra=10, atol=1e-5):
        ids[:, -1] = 0
        return invariant_ok(model, ids, extra, atol)

    ok, out = run(checks.is_padding_invariant, mutates, capsys)
    assert ok is False and "changed its input `ids` in place" in out, out


def test_missing_defaults_are_explained(capsys):
    def no_defaults(model, ids, extra, atol):
        return invariant_ok(model, ids, extra, atol)

    ok, out = run(checks.is_padding_invariant, no_defaults, capsys)
    assert ok is False and "extra=10, atol=1e-5" in out, out


def test_padding_with_minus_one_is_explained(capsys):
    def minus_one(model, ids, extra=10, atol=1e-5):
        padded = np.pad(ids, ((0, 0), (0, extra)), constant_values=-1)
        return bool(np.allclose(model(ids), model(padded), atol=atol))

    ok, out = run(checks.is_padding_invariant, minus_one, capsys)
    assert ok is False and "token ids run from 0 (the padding)" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda model, ids, extra=10, atol=1e-5: None, "None"),
        (
            lambda model, ids, extra=10, atol=1e-5: model(ids) == model(ids),
            "return one True or False for the whole batch",
        ),
        (lambda model, ids, extra=10, atol=1e-5: 1, "return True or False"),
        (lambda model, ids, extra=10, atol=1e-5: tf.constant(True), "return a Python bool"),
    ],
)
def test_bad_padding_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.is_padding_invariant, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- every check


@pytest.mark.parametrize(
    "check", [checks.masked_mean, checks.length_for_coverage, checks.is_padding_invariant]
)
def test_stubs_are_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False and "not implemented yet" in out, out


def test_no_state_is_kept_between_calls(capsys):
    results = [
        run(checks.masked_mean, fn, capsys)[0]
        for fn in (masked_mean_ok, averages_the_padding, masked_mean_ok, masked_mean_ok)
    ]
    assert results == [True, False, True, True]
    results = [
        run(checks.is_padding_invariant, fn, capsys)[0]
        for fn in (invariant_ok, pads_at_the_front, invariant_ok)
    ]
    assert results == [True, False, True]


def test_not_a_function(capsys):
    ok, out = run(checks.masked_mean, masked_mean_ok(np.ones((1, 2, 3)), np.ones((1, 2))), capsys)
    assert ok is False and "pass the function itself" in out, out


def test_the_lesson_exports_its_checks():
    assert set(lesson05.__all__) == {"masked_mean", "length_for_coverage", "is_padding_invariant"}
    for name in lesson05.__all__:
        assert getattr(checks, name) is getattr(lesson05, name)
