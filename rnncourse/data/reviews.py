"""`imdb()`: raw-text movie reviews labelled negative/positive, or labelled names offline.

The archive (84 MB) is downloaded once, verified, and its labelled reviews are extracted safely
into the cache (aclImdb_v1/aclImdb/...); later calls read that folder. Validation is carved from
the training set by movie (via train/urls_*.txt) with a fixed seed, so no movie has reviews in
both train and validation; test is the official test set.
"""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import numpy as np

from rnncourse.data import packaged, registry, settings
from rnncourse.data.archive import UnsafeArchiveError, read_manifest, safe_extract
from rnncourse.data.containers import LabelledTexts
from rnncourse.data.fetch import DataUnavailable, announce, fetch_verified, offline_reason
from rnncourse.data.registry import DatasetEntry
from rnncourse.data.splits import (
    SPLITS,
    assign,
    check_size,
    resolve_size,
    seeded_order,
    split_items,
)

CLASS_NAMES = ("negative", "positive")
NAME_CLASSES = ("female", "male")
VAL_SHARE = 0.10  # of the training movies
_KEEP = re.compile(
    r"aclImdb/(?:(?:train|test)/(?:pos|neg)/\d+_\d+\.txt|train/urls_(?:pos|neg)\.txt|README)"
)
_REVIEW = re.compile(r"(\d+)_\d+\.txt")


def extracted_folder(entry: DatasetEntry) -> Path:
    """Return the cache folder holding the extracted reviews of `entry` (it may not exist)."""
    return settings.cache_dir() / entry.file.removesuffix(".tar.gz")


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder / "aclImdb"))


def extraction_complete(folder: Path, entry: DatasetEntry) -> bool:
    """Return True if `folder` holds a full extraction of `entry`'s archive (manifest and count)."""
    manifest = read_manifest(folder)
    return bool(
        manifest
        and manifest.get("archive_sha256") == entry.sha256
        and manifest.get("files") == _count_files(folder)
    )


def prepare(entry: DatasetEntry) -> tuple[Path, str]:
    """Return (folder, how): the extracted reviews, downloading and extracting when needed."""
    folder = extracted_folder(entry)
    if extraction_complete(folder, entry):
        return folder, "cached"
    redo = ", replacing an incomplete extracted folder" if folder.exists() else ""
    archive, how = fetch_verified(entry)
    try:
        safe_extract(
            archive,
            folder,
            include=lambda name: _KEEP.fullmatch(name) is not None,
            manifest={"archive_sha256": entry.sha256},
        )
    except (UnsafeArchiveError, tarfile.TarError, OSError) as exc:
        raise DataUnavailable(f"the archive could not be extracted: {exc}") from exc
    return folder, f"{how}, extracted{redo}"


def _review_index(folder: Path) -> dict[str, list[tuple[str, int]]]:
    """Return {split: [(path relative to aclImdb/, label), ...]} in a fixed seeded order."""
    root = folder / "aclImdb"
    found: dict[str, list[tuple[str, int]]] = {split: [] for split in SPLITS}
    try:
        for part in ("train", "test"):
            for label, sub in enumerate(("neg", "pos")):
                urls = []
                if part == "train":
                    urls = (root / "train" / f"urls_{sub}.txt").read_text().splitlines()
                for name in os.listdir(root / part / sub):
                    match = _REVIEW.fullmatch(name)
                    if not match:
                        continue
                    split = "test"
                    if part == "train":
                        movie = urls[int(match[1])]
                        split = assign(movie, (1 - VAL_SHARE, VAL_SHARE, 0.0))
                    found[split].append((f"{part}/{sub}/{name}", label))
    except (OSError, IndexError) as exc:
        raise DataUnavailable(
            f"the extracted reviews are not in the expected layout: {exc}"
        ) from exc
    labels = {rel: label for items in found.values() for rel, label in items}
    return {
        split: [(rel, labels[rel]) for rel in seeded_order(rel for rel, _ in found[split])]
        for split in SPLITS
    }


def _result(
    entry: DatasetEntry,
    name: str,
    classes: tuple[str, ...],
    parts: dict[str, tuple[list[str], np.ndarray]],
    source: str,
    offline: bool,
) -> LabelledTexts:
    announce(source)
    return LabelledTexts(
        name=name,
        dataset=entry.name,
        source=source,
        class_names=classes,
        train=parts["train"],
        val=parts["val"],
        test=parts["test"],
        offline_default=offline,
    )


def _sizes(parts: dict[str, tuple[list[str], np.ndarray]], unit: str) -> str:
    return " / ".join(f"{split} {len(parts[split][0]):,}" for split in SPLITS) + f" {unit}"


def _reviews(entry: DatasetEntry, folder: Path, how: str, limit: int | None) -> LabelledTexts:
    parts = {}
    for split, items in _review_index(folder).items():
        chosen = items[:limit]
        try:
            texts = [
                (folder / "aclImdb" / rel).read_text(encoding="utf-8", errors="replace")
                for rel, _ in chosen
            ]
        except OSError as exc:
            raise DataUnavailable(f"an extracted review could not be read: {exc}") from exc
        parts[split] = (texts, np.array([label for _, label in chosen], dtype=np.int64))
    source = f"{entry.title} ({how}): {_sizes(parts, 'reviews')}"
    return _result(entry, entry.title, CLASS_NAMES, parts, source, False)


def _names(entry: DatasetEntry, limit: int | None, reason: str) -> LabelledTexts:
    labels = packaged.census_names_by_sex()
    parts = {}
    for split, keys in split_items(labels).items():
        chosen = keys[:limit]
        parts[split] = (chosen, np.array([labels[key] for key in chosen], dtype=np.int64))
    title = entry.offline_default.title if entry.offline_default else "labelled names"
    source = (
        f"offline default instead of {entry.title}: {title}, "
        f"{_sizes(parts, 'names')}, because {reason}"
    )
    return _result(entry, title, NAME_CLASSES, parts, source, True)


def imdb(
    offline: bool | None = None,
    max_examples: int | None = None,
    *,
    entry: DatasetEntry | None = None,
) -> LabelledTexts:
    """Return the IMDB reviews as LabelledTexts: each split is (list of review texts, labels).

    Labels are 0 (negative) and 1 (positive), `class_names` ("negative", "positive"); texts are
    raw, with their `<br />` tags. Offline default: first names labelled 0 (female) or 1 (male),
    `class_names` ("female", "male"). `max_examples` caps each split (None: the run mode's size
    from the registry, 1,000 in fast mode, all in full mode); a smaller cap gives a prefix of
    the same fixed seeded order. The first call downloads 84 MB and extracts it (a minute or
    so); later calls read the extracted folder. `offline` None reads RNNCOURSE_OFFLINE; `entry`
    replaces the registry entry (tests). Prints one line naming the source.
    """
    check_size(max_examples, "max_examples")
    entry = entry or registry.get("imdb")
    reason = offline_reason(entry, offline)
    if reason is None:
        try:
            folder, how = prepare(entry)
            limit = resolve_size(max_examples, "max_examples", entry.sizes)
            return _reviews(entry, folder, how, limit)
        except DataUnavailable as exc:
            reason = str(exc)
    sizes = entry.offline_default.sizes if entry.offline_default else entry.sizes
    return _names(entry, resolve_size(max_examples, "max_examples", sizes), reason)
