"""The translation task of lesson 08: English number words to digits, generated offline.

`spell(1_000_006, ...)` writes a number in words the way people do, in one of several styles
("one million and six", "a million, six", "one million six"); `translation_splits` draws
train/validation/test pairs from a seed so that no number of the test split (nor of the
validation split) is seen in training, whatever its spelling. Numbers are drawn with a number of
digits spread evenly up to `max_digits`, so long inputs are as common as short ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ("", "thousand", "million", "billion")
MAX_DIGITS = 3 * len(SCALES)  #: 12: numbers up to 999,999,999,999


@dataclass(frozen=True)
class Style:
    """How a number is written: each field is one habit of English writers.

    british: "and" after "hundred" and before a last group under 100 ("one thousand and six").
    hyphen: "forty-two" rather than "forty two".
    commas: a comma after each scale word that more words follow ("one million, six"), except
    before the "and" of a British last group ("one million and six").
    article: "a" instead of a leading "one" before a scale word ("a hundred", "a million").
    """

    british: bool = False
    hyphen: bool = True
    commas: bool = False
    article: bool = False


def _under_hundred(n: int, style: Style) -> list[str]:
    if n < 20:
        return [ONES[n]]
    tens, ones = divmod(n, 10)
    if not ones:
        return [TENS[tens]]
    return [f"{TENS[tens]}-{ONES[ones]}"] if style.hyphen else [TENS[tens], ONES[ones]]


def _under_thousand(n: int, style: Style) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [ONES[hundreds], "hundred"] if hundreds else []
    if rest:
        words += (["and"] if hundreds and style.british else []) + _under_hundred(rest, style)
    return words


def spell(number: int, style: Style = Style()) -> str:
    """Return `number` (0 <= number < 10**12) written in English words in the given style."""
    if (
        isinstance(number, bool)
        or not isinstance(number, int | np.integer)
        or not 0 <= number < 10**MAX_DIGITS
    ):
        raise ValueError(f"number must be an integer in [0, 10**{MAX_DIGITS}), got {number!r}")
    number = int(number)
    if number == 0:
        return ONES[0]
    groups = []  # (value of the group, its scale index), most significant first
    for scale in reversed(range(len(SCALES))):
        value = number // 1000**scale % 1000
        if value:
            groups.append((value, scale))
    parts: list[str] = []
    for index, (value, scale) in enumerate(groups):
        words = _under_thousand(value, style)
        if index and value < 100 and style.british and not scale:
            words = ["and", *words]  # "one thousand and six"
        if scale:
            words.append(SCALES[scale])
        parts.append(" ".join(words))
    text = parts[0]
    for part in parts[1:]:  # no comma before the "and" of a last small group
        text += (", " if style.commas and not part.startswith("and ") else " ") + part
    if (
        style.article
        and text.startswith("one ")
        and text.split()[1].strip(",")
        in (
            "hundred",
            *SCALES[1:],
        )
    ):
        text = "a" + text[3:]
    return text


def random_style(rng: np.random.Generator) -> Style:
    """Return a style drawn from `rng`: each habit independently, with the frequencies below."""
    british, hyphen, commas, article = rng.random(4) < (0.5, 0.7, 0.3, 0.2)
    return Style(bool(british), bool(hyphen), bool(commas), bool(article))


def tokens(text: str) -> list[str]:
    """Return the words of `text`, lower-cased, with each hyphen and comma as a token of its own."""
    return re.findall(r"[a-z]+|[-,]", text.lower())


def random_numbers(
    count: int, rng: np.random.Generator, max_digits: int = MAX_DIGITS
) -> np.ndarray:
    """Return `count` distinct integers whose number of digits is spread evenly over
    1..max_digits (the 1- and 2-digit numbers are few, so those lengths run out first)."""
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    if not 1 <= max_digits <= MAX_DIGITS:
        raise ValueError(f"max_digits must be in 1..{MAX_DIGITS}, got {max_digits}")
    capacity = 10**max_digits
    if count > capacity:
        raise ValueError(f"only {capacity} distinct numbers have up to {max_digits} digits")
    chosen: set[int] = set()
    while len(chosen) < count:
        digits = rng.integers(1, max_digits + 1, size=2 * (count - len(chosen)) + 16)
        low = np.where(digits == 1, 0, 10 ** (digits - 1).astype(np.int64))
        high = 10 ** digits.astype(np.int64)
        for value in rng.integers(low, high):
            chosen.add(int(value))
            if len(chosen) == count:
                break
    values = np.array(sorted(chosen), dtype=np.int64)
    rng.shuffle(values)
    return values


def translation_splits(
    sizes: dict[str, int], max_digits: int = MAX_DIGITS, seed: int = 0
) -> dict[str, list[tuple[str, str]]]:
    """Return {split: [(words, digits), ...]} with len(result[split]) == sizes[split].

    `words` is the number spelled in a random style, `digits` its decimal form ("1000006").
    Every number appears in one split only, so validation and test inputs are unseen in
    training; the same sizes, max_digits and seed give the same pairs.
    """
    if any(
        isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0 for n in sizes.values()
    ):
        raise ValueError(f"split sizes must be non-negative integers, got {sizes}")
    rng = np.random.default_rng(seed)
    values = random_numbers(sum(sizes.values()), rng, max_digits)
    result: dict[str, list[tuple[str, str]]] = {}
    start = 0
    for split, size in sizes.items():
        size = int(size)
        chunk = values[start : start + size]
        start += size
        result[split] = [(spell(int(v), random_style(rng)), str(int(v))) for v in chunk]
    return result
