"""Lesson 08 checks: the references pass, correct alternatives pass (loops, vectorised, int32 and
float64 numbers, lists of columns, early stopping or not in the greedy loop), each catalogued
mistake fails with its own hint, the cases have the properties the hints rely on, bad return
values get a line and False, inputs changed in place are reported, stubs get "not implemented
yet", and every check runs in well under a second."""

from __future__ import annotations

import time
from itertools import zip_longest

import numpy as np
import pytest
from check_support import run, stub

from rnncourse import checks
from rnncourse.checks import lesson08
from rnncourse.checks._core import close
from rnncourse.env import import_tensorflow

#: A RuntimeWarning that escapes a check (the learner's or the check's own arithmetic) fails.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def hint_of(table, name):
    return dict(table)[name]


# --------------------------------------------------------------------------- teacher_forcing


def tf_ok(targets, start_id, end_id):
    batch, steps = targets.shape
    lengths = (targets != 0).sum(axis=1)
    decoder_inputs = np.concatenate([np.full((batch, 1), start_id, targets.dtype), targets], 1)
    decoder_targets = np.concatenate([targets, np.zeros((batch, 1), targets.dtype)], 1)
    decoder_targets[np.arange(batch), lengths] = end_id
    return decoder_inputs, decoder_targets


def tf_loops(targets, start_id, end_id):
    inputs, outputs = [], []
    for row in targets.tolist():
        tokens = [t for t in row if t != 0]
        inputs.append([start_id, *row])
        outputs.append(tokens + [end_id] + [0] * (len(row) - len(tokens)))
    return np.array(inputs), np.array(outputs)


def tf_pad_int32(targets, start_id, end_id):
    inputs = np.pad(targets, ((0, 0), (1, 0)), constant_values=start_id).astype(np.int32)
    outputs = np.pad(targets, ((0, 0), (0, 1))).astype(np.int32)
    for i, n in enumerate(np.count_nonzero(targets, axis=1)):
        outputs[i, n] = end_id
    return inputs, outputs


def tf_insert_where(targets, start_id, end_id):
    inputs = np.insert(targets, 0, start_id, axis=1)
    padded = np.hstack([targets, np.zeros((len(targets), 1), dtype=targets.dtype)])
    lengths = (targets > 0).sum(1, keepdims=True)
    columns = np.arange(padded.shape[1])[None, :]
    return inputs, np.where(columns == lengths, end_id, padded)


def tf_list_of_two(targets, start_id, end_id):
    return list(tf_ok(targets, start_id, end_id))


def tf_no_shift(targets, start_id, end_id):
    _, outputs = tf_ok(targets, start_id, end_id)
    return np.pad(targets, ((0, 0), (0, 1))), outputs


def tf_lm_shift(targets, start_id, end_id):
    _, outputs = tf_ok(targets, start_id, end_id)
    inputs = np.pad(targets, ((0, 0), (0, 1)))
    return inputs, np.pad(outputs[:, 1:], ((0, 0), (0, 1)))


def tf_end_in_inputs(targets, start_id, end_id):
    inputs, outputs = tf_ok(targets, start_id, end_id)
    inputs = inputs.copy()
    for i, n in enumerate((targets != 0).sum(1)):
        if n + 1 < inputs.shape[1]:
            inputs[i, n + 1] = end_id
    return inputs, outputs


def tf_start_in_targets(targets, start_id, end_id):
    inputs, _ = tf_ok(targets, start_id, end_id)
    outputs = inputs.copy()
    for i, n in enumerate((targets != 0).sum(1)):
        if n + 1 < outputs.shape[1]:
            outputs[i, n + 1] = end_id
    return inputs, outputs


def tf_end_at_last_column(targets, start_id, end_id):
    inputs, _ = tf_ok(targets, start_id, end_id)
    return inputs, np.pad(targets, ((0, 0), (0, 1)), constant_values=end_id)


def tf_argmax_length(targets, start_id, end_id):
    inputs, _ = tf_ok(targets, start_id, end_id)
    outputs = np.pad(targets, ((0, 0), (0, 1)))
    outputs[np.arange(len(targets)), np.argmax(targets == 0, axis=1)] = end_id
    return inputs, outputs


def tf_copy(targets, start_id, end_id):
    _, outputs = tf_ok(targets, start_id, end_id)
    return outputs, outputs.copy()


def tf_swapped(targets, start_id, end_id):
    inputs, outputs = tf_ok(targets, start_id, end_id)
    return outputs, inputs


def tf_overwrite(targets, start_id, end_id):
    outputs = targets.copy()
    outputs[np.arange(len(targets)), (targets != 0).sum(1) - 1] = end_id
    inputs = np.concatenate([np.full((len(targets), 1), start_id), targets[:, :-1]], 1)
    return inputs, outputs


def tf_hard_start(targets, start_id, end_id):
    return tf_ok(targets, 1, end_id)


def tf_hard_end(targets, start_id, end_id):
    return tf_ok(targets, start_id, 2)


def tf_hard_both(targets, start_id, end_id):
    return tf_ok(targets, 1, 2)


TF_LEARNERS = [
    (tf_no_shift, "no shift", "not shifted"),
    (tf_lm_shift, "lm shift", "language model's windows"),
    (tf_end_in_inputs, "end in inputs", "decoder never reads end_id"),
    (tf_start_in_targets, "start in targets", "decoder_targets begin with start_id"),
    (tf_end_at_last_column, "end at last column", "in the last column for every row"),
    (tf_argmax_length, "argmax length", "np.argmax(row == 0) is 0"),
    (tf_copy, "copy", "decoder_inputs equal decoder_targets"),
    (tf_swapped, "swapped", "are swapped"),
    (tf_overwrite, "overwrite", "overwrote each row's last real token"),
]


@pytest.mark.parametrize(
    ("fn", "name", "words"), TF_LEARNERS, ids=lambda v: getattr(v, "__name__", v)
)
def test_each_teacher_forcing_mistake_gets_its_own_hint(fn, name, words, capsys):
    ok, out = run(checks.teacher_forcing, fn, capsys)
    hint = hint_of(lesson08.TEACHER_FORCING_MISTAKES, name)
    assert ok is False and hint in out and words in hint, out
    others = [h for n, h in lesson08.TEACHER_FORCING_MISTAKES if n != name]
    assert not any(other in out for other in others), out


def test_the_teacher_forcing_catalogue_is_covered():
    names = {name for _, name, _ in TF_LEARNERS} | {"hard-coded start", "hard-coded end"}
    assert names == {name for name, _ in lesson08.TEACHER_FORCING_MISTAKES}


def test_each_teacher_forcing_mistake_differs_from_the_reference_in_some_case():
    for name, _ in lesson08.TEACHER_FORCING_MISTAKES:
        if name.startswith("hard-coded"):
            continue
        assert any(
            not all(
                a.shape == b.shape and np.array_equal(a, b)
                for a, b in zip(
                    lesson08._teacher_forcing(t, s, e, name),
                    lesson08._teacher_forcing(t, s, e),
                    strict=True,
                )
            )
            for _, t, s, e in lesson08._teacher_forcing_cases()
        ), name


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (tf_hard_start, "decoder_inputs start with 1, but start_id is 5 here"),
        (tf_hard_end, "hold 2 after each row's tokens, but end_id is 7 here"),
        (tf_hard_both, "decoder_inputs start with 1, but start_id is 5 here"),
    ],
    ids=["start", "end", "both"],
)
def test_hard_coded_start_and_end_ids_are_named(fn, words, capsys):
    ok, out = run(checks.teacher_forcing, fn, capsys)
    assert ok is False and words in out and "start_id = 5, end_id = 7" in out, out


def test_the_teacher_forcing_cases_have_what_the_hints_need():
    cases = lesson08._teacher_forcing_cases()
    for _, targets, start_id, end_id in cases:
        lengths = (targets != 0).sum(1)
        assert lengths.min() >= 1
        for row, n in zip(targets, lengths, strict=True):
            assert (row[:n] != 0).all() and (row[n:] == 0).all(), "L tokens, then pads"
        assert start_id not in targets and end_id not in targets
    full = [(t != 0).all(axis=1).any() for _, t, _, _ in cases]
    short = [(t == 0).any(axis=1).any() for _, t, _, _ in cases]
    assert full[0] and short[0], "the first case has full rows and short rows"
    assert any((s, e) != (1, 2) for _, _, s, e in cases)
    assert any(t.shape[0] == 1 for _, t, _, _ in cases)
    assert any(t.shape[1] == 1 for _, t, _, _ in cases)
    targets, start_id, end_id = cases[1][1:]
    assert not {1, 2} & set(targets.ravel().tolist()), "hard-coded ids cannot match by chance"


def test_a_float_result_is_named(capsys):
    def floats(targets, start_id, end_id):
        inputs, outputs = tf_ok(targets, start_id, end_id)
        return inputs.astype(float), outputs

    ok, out = run(checks.teacher_forcing, floats, capsys)
    assert ok is False and "decoder_inputs has dtype float64; token ids are integers" in out, out


def test_a_result_with_start_and_end_in_one_array_gets_the_shape(capsys):
    def too_wide(targets, start_id, end_id):
        inputs, outputs = tf_ok(targets, start_id, end_id)
        return np.pad(inputs, ((0, 0), (0, 1))), outputs

    ok, out = run(checks.teacher_forcing, too_wide, capsys)
    assert ok is False and "decoder_inputs has shape (3, 7) but expected (3, 6)" in out, out
    assert "both are (B, T + 1)" in out


def test_an_end_without_room_for_a_full_row_gets_advice(capsys):
    def no_room(targets, start_id, end_id):
        outputs = targets.copy()
        outputs[np.arange(len(targets)), (targets != 0).sum(1)] = end_id
        return tf_ok(targets, start_id, end_id)[0], outputs

    ok, out = run(checks.teacher_forcing, no_room, capsys)
    assert ok is False and "IndexError" in out and "column T" in out, out
    assert "line" in out and "of your code" in out, "the learner's line is named"


def test_writing_end_into_the_targets_in_place_is_reported(capsys):
    def in_place(targets, start_id, end_id):
        inputs = np.concatenate([np.full((len(targets), 1), start_id), targets], 1)
        targets[targets == 0] = end_id  # marks the pads, in place
        return inputs, tf_ok(np.where(targets == end_id, 0, targets), start_id, end_id)[1]

    ok, out = run(checks.teacher_forcing, in_place, capsys)
    assert ok is False and "changed its input `targets` in place" in out, out


def test_an_unknown_teacher_forcing_mistake_names_the_row(capsys):
    def last_input_dropped(targets, start_id, end_id):
        inputs, outputs = tf_ok(targets, start_id, end_id)
        inputs = inputs.copy()
        inputs[0, 1] = 0
        return inputs, outputs

    def end_twice(targets, start_id, end_id):
        inputs, outputs = tf_ok(targets, start_id, end_id)
        return inputs, np.where(outputs == 0, end_id, outputs)

    ok, out = run(checks.teacher_forcing, last_input_dropped, capsys)
    assert ok is False and "decoder_inputs row 0 is [1, 0, 4, 5, 0, 0]" in out, out
    ok, out = run(checks.teacher_forcing, end_twice, capsys)
    assert ok is False and "decoder_targets row 0 is [3, 4, 5, 2, 2, 2]" in out, out
    assert "end_id = 2 at position 3" in out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda t, s, e: None, "returned None"),
        (lambda t, s, e: tf_ok(t, s, e)[0], "returned one ndarray"),
        (lambda t, s, e: (*tf_ok(t, s, e), 0), "returned 3 values"),
        (lambda t, s, e: (None, tf_ok(t, s, e)[1]), "decoder_inputs is None"),
        (lambda t, s, e: tuple(a.tolist() for a in tf_ok(t, s, e)), "Python list"),
        (
            lambda t, s, e: tuple(import_tensorflow().constant(a) for a in tf_ok(t, s, e)),
            "TensorFlow tensor",
        ),
        (lambda t, s, e: (tf_ok(t, s, e)[0], np.full((len(t), t.shape[1] + 1), np.nan)), "NaN"),
        (lambda t, s, e: (tf_ok(t, s, e)[0] > 0, tf_ok(t, s, e)[1]), "dtype bool"),
        (lambda t, s, e: 1 / 0, "ZeroDivisionError"),
        (lambda t, s, e: "start", "returned one str"),
    ],
)
def test_bad_teacher_forcing_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.teacher_forcing, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- greedy_decode


def greedy_ok(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    batch = len(sources)
    tokens = np.full(batch, start_id)
    out = np.zeros((batch, max_len), np.int64)
    done = np.zeros(batch, bool)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = np.where(done, 0, tokens)
        done |= tokens == end_id
        if done.all():
            break
    return out


def greedy_no_early_stop(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(sources.shape[0], start_id, dtype=np.int32)
    columns = []
    for _ in range(max_len):
        scores, state = step(tokens, state)
        tokens = scores.argmax(axis=1).astype(np.int32)
        columns.append(tokens)
    out = np.stack(columns, axis=1)
    for row in out:
        ends = np.flatnonzero(row == end_id)
        if len(ends):
            row[ends[0] + 1 :] = 0
    return out


def greedy_feeds_pad_when_done(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.array([start_id] * len(sources))
    out = np.zeros((len(sources), max_len), dtype=int)
    done = np.zeros(len(sources), dtype=bool)
    for t in range(max_len):
        scores, state = step(tokens, state)
        predicted = np.argmax(scores, axis=-1)
        out[~done, t] = predicted[~done]
        done = done | (predicted == end_id)
        tokens = np.where(done, 0, predicted)  # finished rows read pad: harmless
    return out


def greedy_python_lists(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    rows = [[] for _ in range(len(sources))]
    tokens = np.full(len(sources), start_id)
    for _ in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.array([int(np.argmax(s)) for s in scores])
        for row, token in zip(rows, tokens, strict=True):
            if not row or row[-1] != end_id:
                row.append(int(token))
        if all(row and row[-1] == end_id for row in rows):
            break
    return np.array([row + [0] * (max_len - len(row)) for row in rows])


def greedy_softmax_float64(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id, dtype=np.int64)
    out = np.zeros((len(sources), max_len), dtype=np.int64)
    alive = np.ones(len(sources), dtype=bool)
    t = 0
    while t < max_len and alive.any():
        scores, state = step(tokens, state)
        scores = np.asarray(scores, dtype=np.float64)
        probs = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        tokens = probs.argmax(axis=-1)
        out[alive, t] = tokens[alive]
        alive &= tokens != end_id
        t += 1
    return out


def greedy_state_not_carried(encode, step, sources, start_id, end_id, max_len):
    initial = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    done = np.zeros(len(sources), bool)
    for t in range(max_len):
        scores, _ = step(tokens, initial)
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = np.where(done, 0, tokens)
        done |= tokens == end_id
    return out


def greedy_reencodes(encode, step, sources, start_id, end_id, max_len):
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, encode(sources))
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = tokens
    return out


def greedy_first_state(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    first = None
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, new = step(tokens, first if first is not None else state)
        first = first or new
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = tokens
    return out


def greedy_start_every_step(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    start = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(start, state)
        out[:, t] = np.argmax(scores, axis=-1)
    return out


def greedy_ground_truth(encode, step, sources, start_id, end_id, max_len):
    truth = lesson08._toy_truth(sources, end_id)  # as a notebook's global `targets` would be
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        out[:, t] = np.argmax(scores, axis=-1)
        tokens = truth[:, t] if t < truth.shape[1] else np.zeros(len(sources), int)
    return out


def greedy_feeds_sources(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    padded = np.pad(sources, ((0, 0), (0, max_len)))
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        out[:, t] = np.argmax(scores, axis=-1)
        tokens = padded[:, t]
    return out


def greedy_zeros_first(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(out[:, t - 1] if t else out[:, 0], state)
        out[:, t] = np.argmax(scores, axis=-1)
    return out


def greedy_hard_start(encode, step, sources, start_id, end_id, max_len):
    return greedy_ok(encode, step, sources, 1, end_id, max_len)


def greedy_hard_end(encode, step, sources, start_id, end_id, max_len):
    return greedy_ok(encode, step, sources, start_id, 2, max_len)


def greedy_no_stop(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = tokens
    return out


def greedy_done_not_kept(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    previous = np.zeros(len(sources), bool)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = np.where(previous, 0, tokens)
        previous = tokens == end_id  # forgets rows that ended before the previous step
    return out


def greedy_drops_end(encode, step, sources, start_id, end_id, max_len):
    out = greedy_ok(encode, step, sources, start_id, end_id, max_len)
    return np.where(out == end_id, 0, out)


def greedy_with_start_column(encode, step, sources, start_id, end_id, max_len):
    out = greedy_ok(encode, step, sources, start_id, end_id, max_len)
    return np.concatenate([np.full((len(sources), 1), start_id), out], axis=1)


def greedy_start_in_place(encode, step, sources, start_id, end_id, max_len):
    out = greedy_ok(encode, step, sources, start_id, end_id, max_len)
    return np.concatenate([np.full((len(sources), 1), start_id), out[:, :-1]], axis=1)


def greedy_batch_axis(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=0)
        out[:, t] = tokens[: len(sources)]
    return out


def greedy_no_axis(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores)
        out[:, t] = tokens
    return out


def greedy_one_step_short(encode, step, sources, start_id, end_id, max_len):
    out = np.zeros((len(sources), max_len), np.int64)
    if max_len > 1:
        out[:, : max_len - 1] = greedy_ok(encode, step, sources, start_id, end_id, max_len - 1)
    return out


def greedy_one_step_more(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    columns = []
    for _ in range(max_len + 1):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        columns.append(tokens)
    out = np.stack(columns[:max_len], axis=1)
    return lesson08._mask_at(out, end_id)


def greedy_first_row(encode, step, sources, start_id, end_id, max_len):
    return greedy_ok(encode, step, sources, start_id, end_id, max_len)[0]


def greedy_transposed(encode, step, sources, start_id, end_id, max_len):
    return greedy_ok(encode, step, sources, start_id, end_id, max_len).T


def greedy_not_padded(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    columns, done = [], np.zeros(len(sources), bool)
    for _ in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        columns.append(np.where(done, 0, tokens))
        done |= tokens == end_id
        if done.all():
            break
    return np.stack(columns, axis=1)


def greedy_stops_at_first_end(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    done = np.zeros(len(sources), bool)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)
        out[:, t] = np.where(done, 0, tokens)
        done |= tokens == end_id
        if done.any():
            break
    return out


def greedy_column_tokens(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full((len(sources), 1), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1)[:, None]
        out[:, t] = tokens[:, 0]
    return out


def greedy_argument_order(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id)
    scores, state = step(state, tokens)
    return np.zeros((len(sources), max_len), int)


def greedy_history(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    history = np.full((len(sources), 1), start_id)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(history if t else history[:, 0], state)
        out[:, t] = np.argmax(scores, axis=-1)
        history = np.concatenate([history, out[:, t : t + 1]], axis=1)
    return out


def greedy_float_tokens(encode, step, sources, start_id, end_id, max_len):
    state = encode(sources)
    tokens = np.full(len(sources), start_id, dtype=float)
    out = np.zeros((len(sources), max_len), np.int64)
    for t in range(max_len):
        scores, state = step(tokens, state)
        tokens = np.argmax(scores, axis=-1).astype(float)
        out[:, t] = tokens
    return out


def greedy_encodes_first_row(encode, step, sources, start_id, end_id, max_len):
    encode(sources[:1])
    return np.zeros((len(sources), max_len), int)


GREEDY_HINTS = {
    "state not carried": lesson08._NOT_CARRIED.format(call=2),
    "start every step": lesson08._START_EVERY_STEP.format(call=2),
    "ground truth": lesson08._GROUND_TRUTH.format(call=3),
    "after end": "has tokens after its end_id",
    "end dropped": "the end token is missing",
    "start included": lesson08._START_INCLUDED,
    "batch axis": lesson08._BATCH_AXIS.format(vocab=11, batch=4),
    "one step short": "the loop stopped after 5 step(s), but row 1 never predicts end_id",
    "too many steps": lesson08._TOO_MANY_STEPS.format(call=7, max_len=6),
    "first row": "expected (4, 6), one row per source",
    "not padded": "when the loop stops early, the remaining columns are 0",
    "hard-coded start": "the first step was fed 1, but start_id is 5 here",
    "hard-coded end": "you stopped each row at token 2, but end_id is 7 here",
}

GREEDY_LEARNERS = [
    (greedy_state_not_carried, "state not carried"),
    (greedy_reencodes, "state not carried"),
    (greedy_start_every_step, "start every step"),
    (greedy_ground_truth, "ground truth"),
    (greedy_feeds_sources, "ground truth"),
    (greedy_no_stop, "after end"),
    (greedy_done_not_kept, "after end"),
    (greedy_drops_end, "end dropped"),
    (greedy_with_start_column, "start included"),
    (greedy_start_in_place, "start included"),
    (greedy_batch_axis, "batch axis"),
    (greedy_one_step_short, "one step short"),
    (greedy_one_step_more, "too many steps"),
    (greedy_first_row, "first row"),
    (greedy_not_padded, "not padded"),
    (greedy_hard_start, "hard-coded start"),
    (greedy_hard_end, "hard-coded end"),
]


@pytest.mark.parametrize(("fn", "name"), GREEDY_LEARNERS, ids=lambda v: getattr(v, "__name__", v))
def test_each_greedy_mistake_gets_its_own_hint(fn, name, capsys):
    ok, out = run(checks.greedy_decode, fn, capsys)
    assert ok is False and GREEDY_HINTS[name] in out, out
    others = [h for n, h in GREEDY_HINTS.items() if n != name]
    assert not any(other in out for other in others), out


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (greedy_first_state, "step call 3 got the state returned by call 1"),
        (greedy_zeros_first, "the first step was fed [0, 0, 0, 0]; feed start_id = 1"),
        (greedy_no_axis, "step got one number as tokens"),
        (greedy_transposed, "shape (6, 4) but expected (4, 6): one row per source"),
        (greedy_stops_at_first_end, "stopped after 1 step(s), but row 0 predicts end_id only"),
        (greedy_column_tokens, "step got tokens of shape (4, 1); pass a 1-D array"),
        (greedy_argument_order, "step got the state as its first argument"),
        (greedy_history, "step got tokens of shape (4, 2), the tokens of every step so far"),
        (greedy_float_tokens, "step got tokens of dtype float64"),
        (greedy_encodes_first_row, "encode got an array of shape (1, 5) that is not sources"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_other_greedy_misuses_are_named(fn, words, capsys):
    ok, out = run(checks.greedy_decode, fn, capsys)
    assert ok is False and words in out, out


def test_the_ground_truth_hint_says_there_is_none_at_inference(capsys):
    ok, out = run(checks.greedy_decode, greedy_ground_truth, capsys)
    assert ok is False and "At inference there is no ground truth" in out
    assert "own previous prediction" in out, out


def test_the_greedy_cases_have_what_the_hints_need():
    cases = lesson08._greedy_cases()
    for case in cases:
        assert case.batch != lesson08.VOCAB, "argmax over the batch axis shows as a shape"
        for plan in case.plans:
            assert 1 <= len(plan) <= case.max_len
            assert case.end_id in plan or len(plan) == case.max_len, "ends, or runs to max_len"
            assert case.end_id not in plan[:-1], "the plan ends at its first end_id"
            assert 0 not in plan and case.start_id not in plan, "never predicts pad or start"
            assert all(0 < t < lesson08.VOCAB for t in plan)
    first = cases[0]
    ends = first.end_steps()
    assert 1 in ends and None in ends, "a row that ends at once and one that never ends"
    truth = lesson08._toy_truth(first.sources, first.end_id)
    assert any(
        plan[: len(plan) - 1] != truth[i, : len(plan) - 1].tolist()
        for i, plan in enumerate(first.plans)
    ), "the model's predictions differ from the true answer"
    second = cases[1]
    assert (second.start_id, second.end_id) == (5, 7)
    assert any(2 in plan[:-1] for plan in second.plans), "token 2 is ordinary there"
    assert any(c.batch == 1 and c.max_len == 1 for c in cases)
    assert any(all(s is not None and s < c.max_len for s in c.end_steps()) for c in cases)
    assert cases[-1].sources.dtype == np.int32


def test_the_toy_scores_have_no_ties_and_the_reference_follows_the_plans():
    for case in lesson08._greedy_cases():
        toy = lesson08._ToyDecoder(case)
        seen = []

        def step(tokens, state, toy=toy, seen=seen):
            scores, state = toy.step(tokens, state)
            seen.append(scores)
            return scores, state

        out = greedy_no_early_stop(
            toy.encode, step, case.sources, case.start_id, case.end_id, case.max_len
        )
        assert np.array_equal(out, case.expected()), case.label
        assert len(seen) == case.max_len
        for scores in seen:
            assert scores.shape == (case.batch, lesson08.VOCAB) and scores.dtype == np.float32
            top = np.sort(scores, axis=1)
            assert (top[:, -1] - top[:, -2] > 1e-3).all(), "no ties"


def test_the_check_records_the_scores_and_copies_them():
    case = lesson08._greedy_cases()[0]
    toy = lesson08._ToyDecoder(case)
    state = toy.encode(case.sources)
    scores, state = toy.step(np.full(case.batch, case.start_id), state)
    scores[:] = 0  # the learner may change what it got without changing the toy's record
    assert toy.argmaxes[0].tolist() == [plan[0] for plan in case.plans]


def test_changing_sources_in_place_is_reported(capsys):
    def in_place(encode, step, sources, start_id, end_id, max_len):
        out = greedy_ok(encode, step, sources, start_id, end_id, max_len)
        sources[sources == 0] = end_id
        return out

    ok, out = run(checks.greedy_decode, in_place, capsys)
    assert ok is False and "changed its input `sources` in place" in out, out


def test_an_unknown_greedy_mistake_names_the_row(capsys):
    def off_by_one_value(encode, step, sources, start_id, end_id, max_len):
        out = greedy_ok(encode, step, sources, start_id, end_id, max_len)
        out[1, 2] += 1
        return out

    ok, out = run(checks.greedy_decode, off_by_one_value, capsys)
    assert ok is False and "row 1 is [5, 8, 9, 10, 7, 4], expected [5, 8, 8, 10, 7, 4]" in out, out


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda *a: None, "returned None"),
        (lambda *a: greedy_ok(*a).tolist(), "Python list; return a NumPy integer array"),
        (lambda *a: greedy_ok(*a).astype(float), "dtype float64; token ids are integers"),
        (lambda *a: import_tensorflow().constant(greedy_ok(*a)), "TensorFlow tensor"),
        (lambda *a: np.zeros((4, 6), int), "step was never called"),
        (lambda *a: greedy_ok(*a)[:, :, None], "shape (4, 6, 1) but expected (4, 6)"),
        (lambda *a: np.array([greedy_ok(*a)[0], [np.nan] * 6]), "shape (2, 6) but expected (4, 6)"),
        (lambda *a: {"ids": greedy_ok(*a)}, "has type dict"),
    ],
)
def test_bad_greedy_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.greedy_decode, bad, capsys)
    assert ok is False and expected in out, out


def test_a_nan_result_is_named(capsys):
    def nan_row(*args):
        out = greedy_ok(*args).astype(float)
        out[0, 0] = np.nan
        return out

    ok, out = run(checks.greedy_decode, nan_row, capsys)
    assert ok is False and "contains NaN" in out, out


def test_an_exception_in_the_loop_names_the_learners_line(capsys):
    def raises(encode, step, sources, start_id, end_id, max_len):
        state = encode(sources)
        scores, state = step(np.full(len(sources), start_id), state)
        return scores[len(sources)]

    ok, out = run(checks.greedy_decode, raises, capsys)
    assert ok is False and "IndexError" in out and "of your code" in out, out


# --------------------------------------------------------------------------- accuracies


def acc_ok(predicted, expected):
    exact = np.mean([p == e for p, e in zip(predicted, expected, strict=True)])
    right = sum(
        sum(a == b for a, b in zip(p, e, strict=False))
        for p, e in zip(predicted, expected, strict=True)
    )
    total = sum(max(len(p), len(e)) for p, e in zip(predicted, expected, strict=True))
    return float(exact), right / total


def acc_loops(predicted, expected):
    hits = right = total = 0
    for p, e in zip(predicted, expected, strict=True):
        hits += p == e
        for j in range(min(len(p), len(e))):
            right += p[j] == e[j]
        total += max(len(p), len(e))
    return [hits / len(expected), right / total]


def acc_zip_longest(predicted, expected):
    pairs = list(zip(predicted, expected, strict=True))
    chars = [a == b for p, e in pairs for a, b in zip_longest(p, e)]
    return np.array([np.mean([p == e for p, e in pairs]), np.mean(chars)])


def acc_float32(predicted, expected):
    exact, char = acc_ok(predicted, expected)
    return np.float32(exact), np.float32(char)


def acc_padded_arrays(predicted, expected):
    width = max(len(s) for s in [*predicted, *expected])
    p = np.array([list(s.ljust(width, "p")) for s in predicted])
    e = np.array([list(s.ljust(width, "e")) for s in expected])
    lengths = np.maximum([len(s) for s in predicted], [len(s) for s in expected])
    return np.mean(np.array(predicted) == np.array(expected)), (p == e).sum() / lengths.sum()


def acc_expected_length(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    right = sum(
        sum(a == b for a, b in zip(p, e, strict=False))
        for p, e in zip(predicted, expected, strict=True)
    )
    return exact, right / sum(len(e) for e in expected)


def acc_min_length(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    pairs = [
        (a, b) for p, e in zip(predicted, expected, strict=True) for a, b in zip(p, e, strict=False)
    ]
    return exact, sum(a == b for a, b in pairs) / len(pairs)


def acc_mean_per_pair(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    per = [
        sum(a == b for a, b in zip(p, e, strict=False)) / max(len(p), len(e))
        for p, e in zip(predicted, expected, strict=True)
    ]
    return exact, float(np.mean(per))


def acc_prefix(predicted, expected):
    _, char = acc_ok(predicted, expected)
    return float(
        np.mean([p[: len(e)] == e for p, e in zip(predicted, expected, strict=True)])
    ), char


def acc_startswith(predicted, expected):
    _, char = acc_ok(predicted, expected)
    return float(np.mean([p.startswith(e) for p, e in zip(predicted, expected, strict=True)])), char


def acc_numbers(predicted, expected):
    _, char = acc_ok(predicted, expected)
    return float(
        np.mean([p != "" and int(p) == int(e) for p, e in zip(predicted, expected, strict=True)])
    ), char


def acc_int_raises(predicted, expected):
    _, char = acc_ok(predicted, expected)
    return float(
        np.mean([int(p) == int(e) for p, e in zip(predicted, expected, strict=True)])
    ), char


def acc_swapped(predicted, expected):
    exact, char = acc_ok(predicted, expected)
    return char, exact


def acc_percent(predicted, expected):
    exact, char = acc_ok(predicted, expected)
    return 100 * exact, 100 * char


def acc_reversed(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    reversed_pairs = [(p[::-1], e[::-1]) for p, e in zip(predicted, expected, strict=True)]
    return exact, acc_ok(*zip(*reversed_pairs, strict=True))[1]


def acc_zfill(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    right = total = 0
    for p, e in zip(predicted, expected, strict=True):
        width = max(len(p), len(e))
        right += sum(a == b for a, b in zip(p.zfill(width), e.zfill(width), strict=True))
        total += width
    return exact, right / total


def acc_anywhere(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    right = sum(sum(c in e for c in p) for p, e in zip(predicted, expected, strict=True))
    return exact, right / sum(max(len(p), len(e)) for p, e in zip(predicted, expected, strict=True))


def acc_set(predicted, expected):
    exact, _ = acc_ok(predicted, expected)
    right = sum(len(set(p) & set(e)) for p, e in zip(predicted, expected, strict=True))
    return exact, right / sum(max(len(p), len(e)) for p, e in zip(predicted, expected, strict=True))


def acc_ignore_empty(predicted, expected):
    pairs = [(p, e) for p, e in zip(predicted, expected, strict=True) if p]
    if not pairs:
        return 0.0, 0.0
    return acc_ok(*zip(*pairs, strict=True))


def acc_count(predicted, expected):
    _, char = acc_ok(predicted, expected)
    return sum(p == e for p, e in zip(predicted, expected, strict=True)), char


ACC_LEARNERS = [
    (acc_expected_length, lesson08.CHAR_MISTAKES, "expected length", "extra characters"),
    (acc_min_length, lesson08.CHAR_MISTAKES, "min length", "zip(p, e) pairs up"),
    (acc_mean_per_pair, lesson08.CHAR_MISTAKES, "mean per pair", "per-pair accuracies"),
    (acc_reversed, lesson08.CHAR_MISTAKES, "right aligned", "from the RIGHT"),
    (acc_zfill, lesson08.CHAR_MISTAKES, "zfill", "from the RIGHT"),
    (acc_anywhere, lesson08.CHAR_MISTAKES, "anywhere", "ANYWHERE"),
    (acc_set, lesson08.CHAR_MISTAKES, "set", "ANYWHERE"),
    (acc_prefix, lesson08.EXACT_MISTAKES, "prefix", "only BEGINS"),
    (acc_startswith, lesson08.EXACT_MISTAKES, "prefix", "only BEGINS"),
    (acc_numbers, lesson08.EXACT_MISTAKES, "numbers", "as numbers"),
    (acc_ignore_empty, lesson08.EXACT_MISTAKES, "ignore empty", "empty predictions were left out"),
    (acc_count, lesson08.EXACT_MISTAKES, "count", "NUMBER of exact matches"),
]


@pytest.mark.parametrize(
    ("fn", "table", "name", "words"), ACC_LEARNERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_each_accuracies_mistake_gets_its_own_hint(fn, table, name, words, capsys):
    ok, out = run(checks.accuracies, fn, capsys)
    hint = hint_of(table, name)
    assert ok is False and hint in out and words in hint, out
    assert "got (" in out and "expected (" in out, "what was got and expected"
    others = {h for n, h in [*lesson08.EXACT_MISTAKES, *lesson08.CHAR_MISTAKES] if h != hint}
    assert not any(other in out for other in others | {lesson08._SWAPPED_ACC}), out


@pytest.mark.parametrize(
    ("fn", "hint"),
    [(acc_swapped, lesson08._SWAPPED_ACC), (acc_percent, lesson08._PERCENT)],
    ids=["swapped", "percent"],
)
def test_swapped_and_percent_accuracies_are_named(fn, hint, capsys):
    ok, out = run(checks.accuracies, fn, capsys)
    assert ok is False and hint in out and "on 8 pairs" in out, out


def test_every_accuracy_mistake_differs_in_the_first_case_from_every_other():
    _, predicted, expected = lesson08._accuracy_cases()[0]
    ref = lesson08._accuracies(predicted, expected)
    for table, part in ((lesson08.EXACT_MISTAKES, 0), (lesson08.CHAR_MISTAKES, 1)):
        values = {name: lesson08._accuracies(predicted, expected, name)[part] for name, _ in table}
        hints = dict(table)
        for name, value in values.items():
            assert not close(value, ref[part]), name
            for other, other_value in values.items():
                if other != name and hints[other] != hints[name]:
                    assert not close(value, other_value), (name, other)
    assert not close(ref[0], ref[1])


def test_an_int_conversion_of_an_empty_prediction_gets_advice(capsys):
    ok, out = run(checks.accuracies, acc_int_raises, capsys)
    assert ok is False and "ValueError" in out and "compare the strings, p == e" in out, out


def test_indexing_past_a_short_prediction_gets_advice(capsys):
    def index_error(predicted, expected):
        right = sum(
            p[j] == e[j] for p, e in zip(predicted, expected, strict=True) for j in range(len(e))
        )
        return 0.0, right

    ok, out = run(checks.accuracies, index_error, capsys)
    assert ok is False and "IndexError" in out and "j < min(len(p), len(e))" in out, out


def test_sorting_the_predictions_in_place_is_reported(capsys):
    def in_place(predicted, expected):
        result = acc_ok(predicted, expected)
        predicted.sort()
        return result

    ok, out = run(checks.accuracies, in_place, capsys)
    assert ok is False and "changed its input `predicted` in place" in out, out


def test_an_unknown_accuracy_mistake_gives_the_formula(capsys):
    ok, out = run(checks.accuracies, lambda p, e: (acc_ok(p, e)[0], 0.5), capsys)
    assert ok is False and "char_accuracy = 20 / 28" in out, out
    ok, out = run(checks.accuracies, lambda p, e: (0.3, acc_ok(p, e)[1]), capsys)
    assert ok is False and "here 2 of N = 8" in out, out


def test_the_accuracy_cases_have_what_the_hints_need():
    cases = lesson08._accuracy_cases()
    for _, predicted, expected in cases:
        assert len(predicted) == len(expected) >= 1 and all(expected)
    _, predicted, expected = cases[0]
    assert "" in predicted
    assert any(len(p) > len(e) for p, e in zip(predicted, expected, strict=True))
    assert any(0 < len(p) < len(e) for p, e in zip(predicted, expected, strict=True))
    big = cases[-1]
    assert len(big[1]) == 200 and "" in big[1]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (lambda p, e: None, "returned None"),
        (lambda p, e: 0.5, "returned one float"),
        (lambda p, e: (0.5, 0.5, 0.5), "returned 3 values"),
        (lambda p, e: (float("nan"), 0.5), "exact_match is nan"),
        (lambda p, e: (0.25, None), "char_accuracy is None"),
        (lambda p, e: ("0.25", 0.7), "exact_match has type str"),
        (lambda p, e: (np.array([0.25]), 0.7), "array of shape (1,)"),
        (lambda p, e: tuple(import_tensorflow().constant(v) for v in acc_ok(p, e)), "tensor"),
        (lambda p, e: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_bad_accuracies_results_get_a_line_and_false(bad, expected, capsys):
    ok, out = run(checks.accuracies, bad, capsys)
    assert ok is False and expected in out, out


# --------------------------------------------------------------------------- every check

CORRECT = [
    (checks.teacher_forcing, tf_ok),
    (checks.teacher_forcing, tf_loops),
    (checks.teacher_forcing, tf_pad_int32),
    (checks.teacher_forcing, tf_insert_where),
    (checks.teacher_forcing, tf_list_of_two),
    (checks.greedy_decode, greedy_ok),
    (checks.greedy_decode, greedy_no_early_stop),
    (checks.greedy_decode, greedy_feeds_pad_when_done),
    (checks.greedy_decode, greedy_python_lists),
    (checks.greedy_decode, greedy_softmax_float64),
    (checks.accuracies, acc_ok),
    (checks.accuracies, acc_loops),
    (checks.accuracies, acc_zip_longest),
    (checks.accuracies, acc_float32),
    (checks.accuracies, acc_padded_arrays),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT, ids=lambda v: v.__name__)
def test_correct_alternatives_pass(check, fn, capsys):
    ok, out = run(check, fn, capsys)
    assert ok is True and out.startswith(f"✅ {check.__name__}:"), out


ALL_CHECKS = [checks.teacher_forcing, checks.greedy_decode, checks.accuracies]
REFERENCES = {"teacher_forcing": tf_ok, "greedy_decode": greedy_ok, "accuracies": acc_ok}


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stubs_are_not_implemented_yet(check, capsys):
    ok, out = run(check, stub, capsys)
    assert ok is False and "not implemented yet" in out, out


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_each_check_runs_in_well_under_a_second(check, capsys):
    start = time.perf_counter()
    ok, _ = run(check, REFERENCES[check.__name__], capsys)
    assert ok is True and time.perf_counter() - start < 0.5


def test_no_state_is_kept_between_calls(capsys):
    fns = (greedy_ok, greedy_no_stop, greedy_ok, greedy_state_not_carried, greedy_ok)
    assert [run(checks.greedy_decode, fn, capsys)[0] for fn in fns] == [
        True,
        False,
        True,
        False,
        True,
    ]
    fns = (tf_ok, tf_swapped, tf_ok)
    assert [run(checks.teacher_forcing, fn, capsys)[0] for fn in fns] == [True, False, True]


def test_not_a_function(capsys):
    ok, out = run(checks.accuracies, acc_ok(["1"], ["1"]), capsys)
    assert ok is False and "pass the function itself" in out, out


def test_the_lesson_exports_its_checks():
    assert set(lesson08.__all__) == {"accuracies", "greedy_decode", "teacher_forcing"}
    for name in lesson08.__all__:
        assert getattr(checks, name) is getattr(lesson08, name)
