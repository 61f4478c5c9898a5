"""Lesson 04 checks: the references pass and agree with Keras, correct alternatives pass, each
catalogued mistake fails with its own hint, bad return values get a line and False, stubs get
"not implemented yet", and a check returns a bool."""

from __future__ import annotations

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson04
from rnncourse.env import import_tensorflow


def _merge(a, b, merge_mode):
    if merge_mode == "concat":
        return np.concatenate([a, b], axis=-1)
    return {"sum": a + b, "ave": (a + b) / 2, "mul": a * b}[merge_mode]


def bidirectional_ok(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
    rows = []
    for b, n in enumerate(lengths):
        real = x[b, :n]
        h_fw = forward_rnn(real)
        h_bw = backward_rnn(real[::-1])[::-1]
        if return_sequences:
            merged = _merge(h_fw, h_bw, merge_mode)
            padded = np.zeros((x.shape[1], merged.shape[-1]))
            padded[:n] = merged
            rows.append(padded)
        else:
            rows.append(_merge(h_fw[-1], h_bw[0], merge_mode))
    return np.stack(rows)


# --------------------------------------------------------------------------- correct alternatives


def bidirectional_batched(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
    """Whole-batch calls: reverse each sequence's real part in place of a loop over the RNN."""
    lengths = np.asarray(lengths)
    steps = x.shape[1]
    idx = np.arange(steps)[None, :]
    rev = np.where(idx < lengths[:, None], lengths[:, None] - 1 - idx, idx)  # real part reversed
    x_rev = np.take_along_axis(x, rev[:, :, None], axis=1)
    h_fw = forward_rnn(x)  # causal: padding after the real steps cannot reach them
    h_bw = np.take_along_axis(backward_rnn(x_rev), rev[:, :, None], axis=1)
    mask = (idx < lengths[:, None])[:, :, None]
    if return_sequences:
        return np.where(mask, _merge(h_fw, h_bw, merge_mode), 0.0)
    last = h_fw[np.arange(len(lengths)), lengths - 1]
    return _merge(last, h_bw[:, 0], merge_mode)


def bidirectional_float32_flip(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
    """np.flip, explicit float32 results, the merge written out per mode."""
    out = []
    for seq, n in zip(x, list(lengths), strict=True):
        fw = forward_rnn(seq[:n])
        bw = np.flip(backward_rnn(np.flip(seq[:n], axis=0)), axis=0)
        if merge_mode == "concat":
            merged = np.hstack([fw, bw])
        elif merge_mode == "sum":
            merged = np.add(fw, bw)
        elif merge_mode == "ave":
            merged = np.mean(np.stack([fw, bw]), axis=0)
        else:
            merged = np.multiply(fw, bw)
        if return_sequences:
            out.append(np.pad(merged, ((0, seq.shape[0] - n), (0, 0))).astype(np.float32))
        else:
            last = np.concatenate([fw[n - 1], bw[0]]) if merge_mode == "concat" else merged[0]
            if merge_mode != "concat":
                last = _merge(fw[n - 1], bw[0], merge_mode)
            out.append(last.astype(np.float32))
    return np.array(out)


@pytest.mark.parametrize(
    "fn",
    [bidirectional_ok, bidirectional_batched, bidirectional_float32_flip],
    ids=lambda f: f.__name__,
)
def test_correct_bidirectional_alternatives_pass(fn, capsys):
    ok, out = run(checks.bidirectional, fn, capsys)
    assert ok is True and out.startswith("✅ bidirectional"), out


# --------------------------------------------------------------------------- the catalogue


def _mistake(**options):
    def wrong(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
        return lesson04._bidirectional(
            x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences, **options
        ).astype(np.float32)

    return wrong


@pytest.mark.parametrize(
    ("options", "hint"), lesson04.BIDIRECTIONAL_MISTAKES, ids=lambda v: str(v)[:40]
)
def test_each_bidirectional_mistake_gets_its_own_hint(options, hint, capsys):
    ok, out = run(checks.bidirectional, _mistake(**options), capsys)
    assert ok is False and hint in out, out


def test_the_named_mistakes_of_the_issue_are_in_the_catalogue():
    texts = " ".join(hint for _, hint in lesson04.BIDIRECTIONAL_MISTAKES)
    for phrase in (
        "not reversed back",
        "padding was reversed together with the tokens",
        "backward state is taken at the wrong end",
        "concatenated in the wrong order",
    ):
        assert phrase in texts


def test_a_wrong_merge_is_named(capsys):
    def ave_as_sum(x, lengths, f, b, merge_mode, return_sequences):
        mode = "sum" if merge_mode == "ave" else merge_mode
        return bidirectional_ok(x, lengths, f, b, mode, return_sequences)

    ok, out = run(checks.bidirectional, ave_as_sum, capsys)
    assert ok is False and "computes 'sum' for merge_mode='ave'" in out, out


def test_garbage_in_padded_positions_is_named(capsys):
    def garbage(x, lengths, f, b, merge_mode, return_sequences):
        out = bidirectional_ok(x, lengths, f, b, merge_mode, return_sequences)
        if return_sequences:
            out = out + 0.5 * (out == 0)
        return out

    ok, out = run(checks.bidirectional, garbage, capsys)
    assert ok is False and "padded positions are not zero" in out, out


def test_a_wrong_width_names_the_merge(capsys):
    ok, out = run(
        checks.bidirectional,
        lambda x, lengths, f, b, m, rs: bidirectional_ok(x, lengths, f, b, "concat", rs),
        capsys,
    )
    assert ok is False and "elementwise: width H" in out, out


def test_sequences_returned_when_one_vector_was_asked_for(capsys):
    ok, out = run(
        checks.bidirectional,
        lambda x, lengths, f, b, m, rs: bidirectional_ok(x, lengths, f, b, m, True),
        capsys,
    )
    assert ok is False and "return_sequences=False returns one vector per sequence" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda *a: None, "None"),
        (lambda *a: [[0.0]], "Python list"),
        (lambda *a: np.full((4, 7, 10), np.nan), "NaN"),
        (lambda x, *a: x, "shape"),
    ],
)
def test_bad_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.bidirectional, bad, capsys)
    assert ok is False and expected in out, out


def test_bidirectional_learner_errors_are_explained(capsys):
    def crashes(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
        return forward_rnn(x[0].T)  # the wrong axis

    ok, out = run(checks.bidirectional, crashes, capsys)
    assert ok is False and "your function raised ValueError" in out and "x[0].T" in out, out


def test_inputs_changed_in_place_are_reported(capsys):
    def mutates(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences):
        x[:, 0] = 0.0
        return bidirectional_ok(x, lengths, forward_rnn, backward_rnn, merge_mode, return_sequences)

    ok, out = run(checks.bidirectional, mutates, capsys)
    assert ok is False and "changed its input `x` in place" in out, out


def test_stubs_are_not_implemented_yet(capsys):
    for check in (checks.bidirectional, checks.stack_summary):
        ok, out = run(check, stub, capsys)
        assert ok is False and "not implemented yet" in out, out


def test_not_a_function(capsys):
    ok, out = run(checks.stack_summary, 42, capsys)
    assert ok is False and "pass the function itself" in out


# --------------------------------------------------------------------------- against Keras


def _keras():
    import_tensorflow()
    import keras

    return keras


@pytest.mark.parametrize("merge_mode", lesson04.MERGE_MODES)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_the_reference_is_what_keras_bidirectional_computes(merge_mode, return_sequences):
    keras = _keras()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    lengths = np.array([6, 2, 4])
    mask = np.arange(6)[None] < lengths[:, None]
    layer = keras.layers.Bidirectional(
        keras.layers.SimpleRNN(5, return_sequences=return_sequences), merge_mode=merge_mode
    )
    theirs = np.asarray(layer(x, mask=mask))
    directions = []
    for sub in (layer.forward_layer, layer.backward_layer):
        W_x, W_h, b = (w.astype(np.float64) for w in sub.get_weights())
        b = b + 0.3  # the layer's bias is zero; the NumPy version must not rely on it

        def rnn(seq, W_x=W_x, W_h=W_h, b=b):
            h, states = np.zeros(W_h.shape[0]), []
            for x_t in seq:
                h = np.tanh(x_t @ W_x + h @ W_h + b)
                states.append(h)
            return np.array(states)

        sub.set_weights([W_x, W_h, b])
        directions.append(rnn)
    theirs = np.asarray(layer(x, mask=mask))
    ours = bidirectional_ok(x, lengths, *directions, merge_mode, return_sequences)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert np.allclose(
        lesson04._bidirectional(x, lengths, *directions, merge_mode, return_sequences),
        theirs,
        atol=1e-5,
    )


def test_the_stack_reference_is_what_keras_counts():
    keras = _keras()
    for D_in, layers, batch, steps in lesson04.STACKS:
        model = keras.Sequential([keras.Input((steps, D_in))])
        for spec in layers:
            inner = getattr(keras.layers, spec["cell"])(
                spec["units"], return_sequences=spec.get("return_sequences", True)
            )
            if spec.get("bidirectional"):
                inner = keras.layers.Bidirectional(inner, merge_mode=spec["merge_mode"])
            model.add(inner)
        expected = lesson04._summary(D_in, layers, batch, steps)
        for layer, (shape, params) in zip(model.layers, expected, strict=True):
            assert (batch, *layer.output.shape[1:]) == shape
            assert layer.count_params() == params


# --------------------------------------------------------------------------- stack_summary

GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def stack_ok(D, layers, batch, steps):
    rows = []
    for spec in layers:
        H = spec["units"]
        biases = 2 if spec["cell"] == "GRU" else 1
        params = GATES[spec["cell"]] * H * (D + H + biases)
        if spec.get("bidirectional"):
            params *= 2
        width = 2 * H if spec.get("bidirectional") and spec["merge_mode"] == "concat" else H
        shape = (batch, steps, width) if spec.get("return_sequences", True) else (batch, width)
        rows.append((shape, params))
        D = width
    return rows


def stack_lists_and_numpy(D, layers, batch, steps):
    """Lists instead of tuples, NumPy integers, the formula written as weights + biases."""
    out = []
    for spec in layers:
        H = spec["units"]
        k = GATES[spec["cell"]]
        weights = k * H * (D + H)
        biases = k * H * (2 if spec["cell"] == "GRU" else 1)
        directions = 2 if spec.get("bidirectional") else 1
        width = H * (2 if directions == 2 and spec.get("merge_mode") == "concat" else 1)
        shape = [batch, steps, width] if spec.get("return_sequences", True) else [batch, width]
        out.append([list(map(np.int64, shape)), np.int64(directions * (weights + biases))])
        D = width
    return out


@pytest.mark.parametrize("fn", [stack_ok, stack_lists_and_numpy], ids=lambda f: f.__name__)
def test_correct_stack_alternatives_pass(fn, capsys):
    ok, out = run(checks.stack_summary, fn, capsys)
    assert ok is True and out.startswith("✅ stack_summary"), out


@pytest.mark.parametrize(("options", "hint"), lesson04.STACK_MISTAKES, ids=lambda v: str(v)[:30])
def test_each_stack_mistake_gets_its_own_hint(options, hint, capsys):
    def wrong(D, layers, batch, steps):
        return lesson04._summary(D, layers, batch, steps, **options)

    ok, out = run(checks.stack_summary, wrong, capsys)
    assert ok is False and hint in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda *a: None, "None"),
        (lambda *a: 3, "one (shape, params) pair per layer"),
        (lambda *a: [((1, 2), 3)], "3 for this stack"),
        (lambda *a: [((64, 80, 64), 2.5)] * 3, "not a whole number"),
        (lambda *a: [("shape", 1)] * 3, "tuple of ints"),
    ],
)
def test_bad_stack_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.stack_summary, bad, capsys)
    assert ok is False and expected in out, out


def test_an_uncatalogued_stack_error_names_the_layer(capsys):
    def off_by_one(D, layers, batch, steps):
        rows = stack_ok(D, layers, batch, steps)
        shape, params = rows[1]
        return [rows[0], (shape, params + 1), *rows[2:]]

    ok, out = run(checks.stack_summary, off_by_one, capsys)
    assert ok is False and "layer 1, GRU(24" in out and "expected" in out, out
