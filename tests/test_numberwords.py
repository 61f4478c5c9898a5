"""The number-words task of lesson 08: an independent parser reads back what `spell` writes in
every style, each style flag does what its docstring says, exact strings for hand-picked numbers,
`tokens`, and `translation_splits` (sizes, seeds, disjoint splits, digit counts spread evenly,
errors for bad arguments)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import numpy as np
import pytest

from rnncourse.numberwords import (
    MAX_DIGITS,
    Style,
    random_numbers,
    random_style,
    spell,
    tokens,
    translation_splits,
)

# --------------------------------------------------------------------------- an independent parser

_UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_TENS_RE = "|".join(_TENS)
_DIGIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"


def parse(text: str) -> int:
    """Return the number that English words such as "a million, forty-two" name.

    Written without the module under test: its own word lists and grammar (a group is [units
    "hundred"] [tens] [units], each scale word smaller than the one before); raises ValueError on
    anything else.
    """
    words = re.findall(r"[a-z]+", text.lower())
    if words == ["zero"]:
        return 0
    total, group, hundreds_seen, previous_scale = 0, 0, False, 10**12
    for index, word in enumerate(words):
        if word == "and":
            continue
        if word == "a":
            if index != 0:
                raise ValueError(f"'a' only starts a number: {text!r}")
            group = 1
        elif word in _UNITS and word != "zero":
            if group % 10 or (group % 100 and group % 100 < 20):
                raise ValueError(f"two unit words in a row: {text!r}")
            group += _UNITS[word]
        elif word in _TENS:
            if group % 100:
                raise ValueError(f"tens after units: {text!r}")
            group += _TENS[word]
        elif word == "hundred":
            if not 1 <= group <= 9 or hundreds_seen:
                raise ValueError(f"'hundred' after {group}: {text!r}")
            group, hundreds_seen = group * 100, True
        elif word in _SCALES:
            scale = _SCALES[word]
            if not 1 <= group <= 999 or scale >= previous_scale:
                raise ValueError(f"{word!r} after {group}: {text!r}")
            total, group, hundreds_seen, previous_scale = total + group * scale, 0, False, scale
        else:
            raise ValueError(f"unknown word {word!r} in {text!r}")
    return total + group


def test_the_parser_itself():
    assert parse("zero") == 0
    assert parse("eleven") == 11
    assert parse("a hundred and one") == 101
    assert parse("two million, forty-two") == 2_000_042
    assert parse("three hundred and six thousand, forty-two") == 306_042
    for bad in ["one two", "ten one", "forty fifty", "hundred", "twenty hundred", "a a", "a five"]:
        with pytest.raises(ValueError):
            parse(bad)
    with pytest.raises(ValueError):
        parse("one thousand one million")


ALL_STYLES = [Style(*flags) for flags in itertools.product([False, True], repeat=4)]


def _sample(seed: int, count: int) -> list[int]:
    """Numbers of every length 1..12 and the edges of each scale."""
    rng = np.random.default_rng(seed)
    edges = [0, 1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 110, 119, 120, 999, 1000, 1001, 1099]
    edges += [10**k + d for k in (3, 6, 9) for d in (0, 1, 99, 100, 101, 10**k - 1)]
    edges += [10**12 - 1, 999_000_000_000, 1_000_000_000 + 1_000, 100_100_100_100]
    return edges + [int(v) for v in random_numbers(count, rng)]


@pytest.mark.parametrize("style", ALL_STYLES, ids=repr)
def test_every_style_reads_back_as_the_same_number(style):
    for n in _sample(seed=ALL_STYLES.index(style), count=400):
        text = spell(n, style)
        assert parse(text) == n, (n, style, text)


# --------------------------------------------------------------------------- each style flag


def _groups(n: int) -> list[int]:
    """The nonzero groups of three digits of n, most significant first."""
    return [g for g in (n // 1000**k % 1000 for k in (3, 2, 1, 0)) if g]


@pytest.mark.parametrize("style", ALL_STYLES, ids=repr)
def test_each_flag_does_what_it_says(style):
    for n in _sample(seed=7, count=300):
        text = spell(n, style)
        words = re.findall(r"[a-z]+", text)
        assert text == text.strip() and "  " not in text and text.islower()
        # hyphen: "forty-two" rather than "forty two", and never elsewhere
        joined = re.findall(rf"\b({_TENS_RE})-({_DIGIT_WORDS})\b", text)
        spaced = re.search(rf"\b({_TENS_RE}) ({_DIGIT_WORDS})\b", text)
        if style.hyphen:
            assert not spaced, text
        else:
            assert "-" not in text, text
        assert text.count("-") == len(joined), text
        # british: "and" after "hundred" within a group, and before a last group under 100
        groups = _groups(n)
        ands = sum(g >= 100 and g % 100 > 0 for g in groups)
        ands += n >= 1000 and 0 < n % 1000 < 100
        assert words.count("and") == (ands if style.british else 0), text
        # commas: after each scale word that more words follow (none before a british "and")
        commas = max(len(groups) - 1, 0) - (style.british and n >= 1000 and 0 < n % 1000 < 100)
        assert text.count(",") == (commas if style.commas else 0), text
        assert all(re.match(r"(thousand|million|billion)$", w) for w in re.findall(r"(\w+),", text))
        # article: "a" replaces a leading "one" before "hundred" or a scale word, nowhere else
        plain = spell(n, Style(style.british, style.hyphen, style.commas, article=False))
        leading_one = re.match(r"one,? (hundred|thousand|million|billion)\b", plain) is not None
        if style.article and leading_one:
            assert text == "a" + plain[3:], (plain, text)
        else:
            assert text == plain and "a" not in words, (plain, text)


# --------------------------------------------------------------------------- exact strings


@pytest.mark.parametrize(
    ("n", "style", "text"),
    [
        (0, Style(), "zero"),
        (0, Style(True, False, True, True), "zero"),
        (15, Style(), "fifteen"),
        (42, Style(), "forty-two"),
        (42, Style(hyphen=False), "forty two"),
        (100, Style(), "one hundred"),
        (100, Style(article=True), "a hundred"),
        (101, Style(), "one hundred one"),
        (101, Style(british=True), "one hundred and one"),
        (1006, Style(british=True), "one thousand and six"),
        (1006, Style(), "one thousand six"),
        (1_000_006, Style(commas=True, article=True), "a million, six"),
        (1_000_006, Style(british=True, commas=True, article=True), "a million and six"),
        (1_000_006, Style(), "one million six"),
        (2_000_042, Style(commas=True), "two million, forty-two"),
        (306_042, Style(british=True, commas=True), "three hundred and six thousand and forty-two"),
        (306_042, Style(commas=True), "three hundred six thousand, forty-two"),
        (
            999_999_999_999,
            Style(),
            "nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred "
            "ninety-nine thousand nine hundred ninety-nine",
        ),
        (
            999_999_999_999,
            Style(british=True, hyphen=False, commas=True),
            "nine hundred and ninety nine billion, nine hundred and ninety nine million, nine "
            "hundred and ninety nine thousand, nine hundred and ninety nine",
        ),
    ],
)
def test_hand_picked_spellings(n, style, text):
    assert spell(n, style) == text


def test_spell_accepts_numpy_integers_and_defaults_to_the_plain_style():
    assert spell(np.int64(42)) == spell(42) == spell(42, Style()) == "forty-two"
    assert spell(np.int32(1_000)) == "one thousand"


@pytest.mark.parametrize("bad", [-1, 10**12, 2.5, 7.0, "7", None])
def test_spell_rejects_what_is_not_an_integer_in_range(bad):
    with pytest.raises(ValueError, match="number must be an integer"):
        spell(bad)


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("forty-two", ["forty", "-", "two"]),
        ("a million, six", ["a", "million", ",", "six"]),
        (
            "Three hundred and six thousand, forty-two",
            ["three", "hundred", "and", "six", "thousand", ",", "forty", "-", "two"],
        ),
        ("  one   hundred  ", ["one", "hundred"]),
        ("", []),
    ],
)
def test_tokens_split_words_hyphens_and_commas(text, expected):
    assert tokens(text) == expected


def test_tokens_round_trip_the_spellings():
    for n in _sample(seed=3, count=200):
        for style in ALL_STYLES:
            text = spell(n, style)
            toks = tokens(text)
            assert re.sub(r" ?([-,]) ?", r"\1", " ".join(toks)).replace(",", ", ") == text


# --------------------------------------------------------------------------- translation_splits

SIZES = {"train": 2400, "val": 300, "test": 300}


@pytest.fixture(scope="module")
def splits():
    return translation_splits(SIZES, seed=0)


def test_splits_have_the_requested_sizes_and_valid_pairs(splits):
    assert list(splits) == list(SIZES)
    assert {name: len(pairs) for name, pairs in splits.items()} == SIZES
    vocabulary = set()
    for pairs in splits.values():
        for words, digits in pairs:
            assert re.fullmatch(r"0|[1-9][0-9]{0,11}", digits), digits
            assert parse(words) == int(digits), (words, digits)
            vocabulary |= set(tokens(words))
    assert vocabulary <= {*_UNITS, *_TENS, *_SCALES, "hundred", "and", "a", "-", ","}


def test_splits_do_not_share_numbers(splits):
    numbers = {name: {int(d) for _, d in pairs} for name, pairs in splits.items()}
    assert all(len(numbers[name]) == SIZES[name] for name in SIZES), "distinct within a split"
    assert not numbers["train"] & numbers["val"]
    assert not numbers["train"] & numbers["test"]
    assert not numbers["val"] & numbers["test"]


def test_splits_are_deterministic_per_seed(splits):
    assert translation_splits(SIZES, seed=0) == splits
    other = translation_splits(SIZES, seed=1)
    assert other != splits
    assert {d for _, d in other["test"]} != {d for _, d in splits["test"]}


def test_the_styles_vary_within_a_split(splits):
    words = [w for w, _ in splits["train"]]
    assert any("-" in w for w in words) and any(" and " in w for w in words)
    assert any("," in w for w in words) and any(w.startswith("a ") for w in words)
    assert any(re.search(rf"\b({_TENS_RE}) ({_DIGIT_WORDS})\b", w) for w in words)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digit_counts_are_spread_evenly(seed):
    result = translation_splits(SIZES, seed=seed)
    lengths = Counter(len(d) for pairs in result.values() for _, d in pairs)
    assert set(lengths) == set(range(1, MAX_DIGITS + 1))
    assert lengths[1] <= 10 and lengths[2] <= 90, "only 10 and 90 such numbers exist"
    long = [lengths[k] for k in range(4, MAX_DIGITS + 1)]
    mean = np.mean(long)
    assert min(long) > 0.75 * mean and max(long) < 1.25 * mean, lengths
    assert 0.6 * mean < lengths[3] < 1.25 * mean, lengths  # 900 numbers: a few repeats drop out


def test_max_digits_bounds_the_numbers_and_spreads_them():
    result = translation_splits({"train": 500, "test": 100}, max_digits=4, seed=5)
    lengths = Counter(len(d) for pairs in result.values() for _, d in pairs)
    assert set(lengths) == {1, 2, 3, 4}
    assert lengths[3] > 150 and lengths[4] > 150
    small = translation_splits({"all": 10}, max_digits=1, seed=0)["all"]
    assert sorted(int(d) for _, d in small) == list(range(10)), "every 1-digit number, once"


def test_random_numbers_are_distinct_and_reproducible():
    values = random_numbers(1000, np.random.default_rng(3))
    assert values.dtype == np.int64 and len(values) == len(set(values.tolist())) == 1000
    assert values.min() >= 0 and values.max() < 10**MAX_DIGITS
    assert np.array_equal(values, random_numbers(1000, np.random.default_rng(3)))
    assert len(random_numbers(0, np.random.default_rng(3))) == 0


def test_random_style_draws_each_habit_with_its_frequency():
    rng = np.random.default_rng(0)
    styles = [random_style(rng) for _ in range(4000)]
    for field, share in (("british", 0.5), ("hyphen", 0.7), ("commas", 0.3), ("article", 0.2)):
        assert abs(np.mean([getattr(s, field) for s in styles]) - share) < 0.03, field
    assert len(set(styles)) == 16


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: translation_splits({"train": -1}), "non-negative integers"),
        (lambda: translation_splits({"train": 2.5}), "non-negative integers"),
        (lambda: translation_splits({"train": 6, "test": 5}, max_digits=1), "only 10 distinct"),
        (lambda: translation_splits({"train": 5}, max_digits=0), "max_digits must be in 1..12"),
        (lambda: translation_splits({"train": 5}, max_digits=13), "max_digits must be in 1..12"),
        (lambda: random_numbers(101, np.random.default_rng(0), 2), "only 100 distinct"),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
