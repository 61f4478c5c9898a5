"""Text corpora: `shakespeare()` for character-level models, `english_prose()` for word-level ones."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from rnncourse.data import packaged, registry
from rnncourse.data.containers import TextCorpus
from rnncourse.data.fetch import DataUnavailable, announce, fetch_verified, offline_reason
from rnncourse.data.registry import DatasetEntry, OfflineDefault
from rnncourse.data.splits import (
    SPLITS,
    TEXT_FRACTIONS,
    check_size,
    resolve_size,
    shrink,
    split_by_position,
)


def _sizes(parts: Sequence[str]) -> str:
    return (
        " / ".join(f"{split} {len(part):,}" for split, part in zip(SPLITS, parts, strict=True))
        + " chars"
    )


def _corpus(
    entry: DatasetEntry, title: str, parts: Sequence[str], source: str, offline: bool
) -> TextCorpus:
    """Build the TextCorpus, print its source line and return it."""
    train, val, test = parts
    announce(source)
    return TextCorpus(
        name=title,
        dataset=entry.name,
        source=source,
        train=train,
        val=val,
        test=test,
        vocabulary=tuple(sorted(set(train) | set(val) | set(test))),
        offline_default=offline,
    )


def _real(entry: DatasetEntry, how: str, parts: Sequence[str]) -> TextCorpus:
    return _corpus(entry, entry.title, parts, f"{entry.title} ({how}): {_sizes(parts)}", False)


def _fallback(entry: DatasetEntry, title: str, parts: Sequence[str], reason: str) -> TextCorpus:
    source = f"offline default instead of {entry.title}: {title}, {_sizes(parts)}, because {reason}"
    return _corpus(entry, title, parts, source, True)


def _default(entry: DatasetEntry) -> OfflineDefault:
    if entry.offline_default is None:
        raise ValueError(f"registry entry {entry.name!r} has no offline_default")
    return entry.offline_default


def shakespeare(
    offline: bool | None = None, max_chars: int | None = None, *, entry: DatasetEntry | None = None
) -> TextCorpus:
    """Return tiny-shakespeare as a TextCorpus (train/val/test str, split 90/5/5 by position).

    Offline default: the standard library's Python source, split by module. `max_chars` caps
    the three splits together (None: the run mode's size from the registry: all 1,115,394
    characters in full mode, 100,000 in fast mode; the offline default has 1,115,394 in full
    mode). `offline` None reads RNNCOURSE_OFFLINE; `entry` replaces the registry entry (tests
    point it at a local server). Prints one line naming the source.
    """
    check_size(max_chars, "max_chars")
    entry = entry or registry.get("shakespeare")
    reason = offline_reason(entry, offline)
    if reason is None:
        try:
            path, how = fetch_verified(entry)
            text = path.read_bytes().decode("utf-8")
            limit = resolve_size(max_chars, "max_chars", entry.sizes)
            return _real(entry, how, shrink(split_by_position(text), limit))
        except DataUnavailable as exc:
            reason = str(exc)
    default = _default(entry)
    limit = resolve_size(max_chars, "max_chars", default.sizes) or default.sizes.full or 1_115_394
    quotas = {
        split: int(limit * share) for split, share in zip(SPLITS, TEXT_FRACTIONS, strict=True)
    }
    texts, modules = packaged.stdlib_source(quotas)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    title = f"{default.title}, {modules} modules of Python {version}"
    return _fallback(entry, title, [texts[split] for split in SPLITS], reason)


def _read_members(path: Path, members: dict[str, str]) -> list[str]:
    """Return the text of the archive members holding train, val and test."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [archive.read(members[split]).decode("utf-8") for split in SPLITS]
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise DataUnavailable(f"the archive could not be read: {exc}") from exc


def english_prose(
    offline: bool | None = None, max_chars: int | None = None, *, entry: DatasetEntry | None = None
) -> TextCorpus:
    """Return WikiText-2 (raw) as a TextCorpus with its official train/val/test split.

    Offline default: the English text of Python's help topics (pydoc_data.topics), split
    90/5/5 by position. `max_chars` caps the three splits together, each cut to the same
    fraction (None: the run mode's size from the registry, 200,000 in fast mode, all in full
    mode). `offline` and `entry` as in `shakespeare`. Prints one line naming the source.
    """
    check_size(max_chars, "max_chars")
    entry = entry or registry.get("english_prose")
    reason = offline_reason(entry, offline)
    if reason is None:
        try:
            path, how = fetch_verified(entry)
            parts = _read_members(path, entry.members)
            limit = resolve_size(max_chars, "max_chars", entry.sizes)
            return _real(entry, how, shrink(parts, limit))
        except DataUnavailable as exc:
            reason = str(exc)
    default = _default(entry)
    limit = resolve_size(max_chars, "max_chars", default.sizes)
    parts = shrink(split_by_position(packaged.pydoc_topics_text()), limit)
    return _fallback(entry, default.title, parts, reason)
