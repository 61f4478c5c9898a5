"""`imdb()`: raw-text movie reviews labelled negative/positive, or labelled names offline.

The archive (84 MB) is downloaded once, verified by its sha256, and its labelled reviews are
extracted safely into the cache (aclImdb_v1/aclImdb/...); later calls read that folder. A copy of
the reviews obtained otherwise (the official archive, or a repack of its labelled reviews such as
the course's shared aclImdb_labelled.tar.gz) is installed into the same folder by
`install_imdb(path)`, i.e. `python -m rnncourse.data fetch imdb --from PATH`; it is accepted
because its contents pass a layout check (the download's sha256 check is not involved).

A damaged or half-extracted folder (no manifest, files missing or added, a review unreadable) is
extracted again from the cached download, or installed again from the file it came from, or
downloaded again; when none of these is possible, `imdb()` returns the offline default and says
why. Validation is carved from the training set by movie (via train/urls_*.txt) with a fixed
seed, so no movie has reviews in both train and validation; test is the official test set.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from rnncourse.data import fetch, packaged, registry, settings
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
REVIEWS_PER_FOLDER = 12_500  # in each of train/pos, train/neg, test/pos, test/neg of aclImdb v1
BY_HAND = "installed by hand, layout checked"  # the manifest's "origin" of `install_imdb`
_KEEP = re.compile(
    r"aclImdb/(?:(?:train|test)/(?:pos|neg)/\d+_\d+\.txt|train/urls_(?:pos|neg)\.txt|README)"
)
_REVIEW = re.compile(r"(\d+)_\d+\.txt")


def extracted_folder(entry: DatasetEntry) -> Path:
    """Return the cache folder holding the extracted reviews of `entry` (it may not exist)."""
    return settings.cache_dir() / entry.file.removesuffix(".tar.gz")


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder / "aclImdb"))


def _manifest(folder: Path) -> dict[str, Any] | None:
    manifest = read_manifest(folder)
    return manifest if isinstance(manifest, dict) else None


def _stands_for(manifest: dict[str, Any]) -> object:
    """Return the registry sha256 that an extracted folder stands for.

    `entry_sha256` (written since files can be installed by hand); older manifests only have
    `archive_sha256`, which was then always the registry's.
    """
    return manifest.get("entry_sha256", manifest.get("archive_sha256"))


def folder_problem(folder: Path, entry: DatasetEntry) -> str | None:
    """Return what keeps `folder` from being a full extraction of `entry`'s reviews, or None.

    "" when the folder does not exist; otherwise a short phrase ("its manifest is missing or
    unreadable", "it holds 49,999 files instead of 50,003", ...).
    """
    if not folder.exists():
        return ""
    manifest = _manifest(folder)
    if manifest is None:
        return "its manifest is missing or unreadable"
    if _stands_for(manifest) != entry.sha256:
        return "it was extracted from another version of the archive"
    found = _count_files(folder)
    if manifest.get("files") != found:
        return f"it holds {found:,} files instead of {manifest.get('files')}"
    return None


def extraction_complete(folder: Path, entry: DatasetEntry) -> bool:
    """Return True if `folder` holds a full extraction of `entry`'s archive (manifest and count)."""
    return folder_problem(folder, entry) is None


def _keep(name: str) -> bool:
    return _KEEP.fullmatch(name) is not None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _origin(folder: Path, entry: DatasetEntry) -> str:
    """Return ", installed from NAME" for a folder installed by hand ("" for a download)."""
    manifest = _manifest(folder) or {}
    if manifest.get("origin") == BY_HAND:
        return f", installed from {manifest.get('archive_name')}"
    return ""


def prepare(entry: DatasetEntry, *, damaged: str | None = None) -> tuple[Path, str]:
    """Return (folder, how): the extracted reviews, (re-)extracting or downloading when needed.

    `damaged` names a fault found while reading a folder that looked complete (a review that
    cannot be read): it is then replaced. A faulty folder is rebuilt from the cached download
    if there is one, else from the file it was installed from (when that file is unchanged),
    else from a new download. Raises DataUnavailable with the reason when none of these works.
    """
    folder = extracted_folder(entry)
    problem = folder_problem(folder, entry) if damaged is None else damaged
    if problem is None:
        return folder, f"cached{_origin(folder, entry)}"
    state = "incomplete" if damaged is None else "damaged"
    article = "an" if damaged is None else "a"
    redo = f", replacing {article} {state} extracted folder" if problem else ""
    source = _recorded_source(folder, entry)
    if source is not None and fetch.check(entry, full_hash=False) != fetch.OK:
        try:
            install_imdb(source, entry)
            return folder, f"re-installed from {source.name}{redo}"
        except (ValueError, OSError):
            pass  # the file changed since; try the download
    try:
        archive, how = fetch_verified(entry)
        try:
            safe_extract(
                archive,
                folder,
                include=_keep,
                manifest=_download_manifest(entry),
            )
        except (UnsafeArchiveError, tarfile.TarError, OSError) as exc:
            raise DataUnavailable(f"the archive could not be extracted: {exc}") from exc
    except DataUnavailable as exc:
        if problem:
            raise DataUnavailable(
                f"the extracted folder {folder.name} is {state} ({problem}) and {exc}"
            ) from exc
        raise
    return folder, f"{how}, extracted{redo}"


def _download_manifest(entry: DatasetEntry) -> dict[str, Any]:
    return {
        "dataset": entry.name,
        "entry_sha256": entry.sha256,
        "archive_sha256": entry.sha256,
        "archive_name": entry.file,
        "origin": "downloaded, sha256 verified",
    }


def _recorded_source(folder: Path, entry: DatasetEntry) -> Path | None:
    """Return the file a by-hand folder was installed from, if it is there and unchanged."""
    manifest = _manifest(folder) if folder.exists() else None
    if not manifest or manifest.get("origin") != BY_HAND or _stands_for(manifest) != entry.sha256:
        return None
    path = Path(str(manifest.get("archive_path")))
    try:
        same = path.is_file() and _sha256(path) == manifest.get("archive_sha256")
    except OSError:
        return None
    return path if same else None


def layout_problems(root: Path) -> list[str]:
    """Return what an extracted folder `root` lacks of the aclImdb layout ([] when nothing).

    Each of aclImdb/{train,test}/{neg,pos}/ must hold REVIEWS_PER_FOLDER reviews named
    ID_RATING.txt, and aclImdb/train/urls_{neg,pos}.txt must give a movie for every train ID.
    """
    problems = []
    top = root / "aclImdb"
    train_ids: dict[str, list[int]] = {}
    for part in ("train", "test"):
        for sub in ("neg", "pos"):
            where = f"aclImdb/{part}/{sub}/"
            if not (top / part / sub).is_dir():
                problems.append(f"{where} is missing")
                continue
            ids = [
                int(match[1])
                for name in os.listdir(top / part / sub)
                if (match := _REVIEW.fullmatch(name))
            ]
            if len(ids) != REVIEWS_PER_FOLDER:
                problems.append(f"{where} holds {len(ids):,} reviews, not {REVIEWS_PER_FOLDER:,}")
            if part == "train":
                train_ids[sub] = ids
    for sub in ("neg", "pos"):
        urls = top / "train" / f"urls_{sub}.txt"
        if not urls.is_file():
            problems.append(f"aclImdb/train/urls_{sub}.txt is missing")
        elif train_ids.get(sub) and len(urls.read_text().splitlines()) <= max(train_ids[sub]):
            problems.append(f"aclImdb/train/urls_{sub}.txt lists too few movies")
    return problems


def install_imdb(archive_path: Path | str, entry: DatasetEntry | None = None) -> str:
    """Install the labelled IMDB reviews from a local tar archive; return what was done.

    The archive may be the official aclImdb_v1.tar.gz or any repack of its labelled reviews in
    the same layout (e.g. the course's shared aclImdb_labelled.tar.gz). It is extracted safely
    (no links, absolute names or `..`), keeping what `imdb()` reads, into a temporary folder of
    the cache; it replaces `extracted_folder(entry)` only if it passes `layout_problems`. Its
    manifest records the file's name, path and sha256. If the file is the registry's own archive
    (same sha256), it is also kept in the cache as the verified download.

    Raises FileNotFoundError when there is no such file, ValueError (UnsafeArchiveError for an
    unsafe member) naming what is wrong or missing, and leaves the cache untouched then.
    """
    entry = entry or registry.get("imdb")
    path = Path(archive_path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    digest = _sha256(path)
    folder = extracted_folder(entry)
    created = not folder.parent.exists()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".new"))
    manifest = {
        "dataset": entry.name,
        "entry_sha256": entry.sha256,
        "archive_sha256": digest,
        "archive_name": path.name,
        "archive_path": str(path),
        "origin": BY_HAND,
    }
    try:
        try:
            count = safe_extract(path, staging, include=_keep, manifest=manifest)
        except tarfile.TarError as exc:
            raise ValueError(f"{path.name} is not a readable tar archive: {exc}") from exc
        problems = layout_problems(staging)
        if problems:
            raise ValueError(
                f"{path.name} does not hold the IMDB reviews in the aclImdb layout: "
                + "; ".join(problems)
            )
        replaced = folder_problem(folder, entry)
        note = {None: ", replacing a complete one", "": ""}.get(
            replaced, f", replacing a damaged one ({replaced})"
        )
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            try:
                folder.parent.rmdir()  # the cache folder this call created, if still empty
            except OSError:
                pass
        raise
    kept = ""
    if digest == entry.sha256 and fetch.check(entry) != fetch.OK:
        copy_into_place(path, fetch.cache_path(entry))
        kept = f"; kept as the verified download {entry.file}"
    return (
        f"installed {count:,} files from {path.name} (sha256 {digest[:12]}..., layout checked) "
        f"into {folder}{note}{kept}"
    )


def _swap(new: Path, folder: Path) -> None:
    """Put folder `new` in the place of `folder` (renames; the old one is deleted afterwards)."""
    old = None
    if folder.exists() or folder.is_symlink():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".old"))
        os.replace(folder, old / folder.name)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def copy_into_place(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a hidden partial file, so `target` is always complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


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
    except (OSError, IndexError, UnicodeError) as exc:
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


def _read(entry: DatasetEntry, limit: int | None) -> LabelledTexts:
    """Prepare the folder and read it; a folder that looked complete but fails is rebuilt once."""
    folder, how = prepare(entry)
    if not how.startswith("cached"):
        return _reviews(entry, folder, how, limit)
    try:
        return _reviews(entry, folder, how, limit)
    except DataUnavailable as exc:
        folder, how = prepare(entry, damaged=str(exc))
    return _reviews(entry, folder, how, limit)


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
    raw, as in the files (with their `<br />` tags; an empty file gives ""). Offline default:
    first names labelled 0 (female) or 1 (male), `class_names` ("female", "male").
    `max_examples` caps each split (None: the run mode's size from the registry, 1,000 in fast
    mode, all in full mode); a smaller cap gives a prefix of the same fixed seeded order. The
    first call downloads 84 MB and extracts it (a minute or so; `python -m rnncourse.data fetch
    imdb --from PATH` installs a local copy instead); later calls read the extracted folder, and
    rebuild it if it is damaged. `offline` None reads RNNCOURSE_OFFLINE; `entry` replaces the
    registry entry (tests). Prints one line naming the source.
    """
    check_size(max_examples, "max_examples")
    entry = entry or registry.get("imdb")
    reason = offline_reason(entry, offline)
    if reason is None:
        try:
            return _read(entry, resolve_size(max_examples, "max_examples", entry.sizes))
        except DataUnavailable as exc:
            reason = str(exc)
    elif "exists" not in reason and extraction_complete(extracted_folder(entry), entry):
        reason += f" (an extracted {entry.title} is cached: pass offline=False to use it)"
    sizes = entry.offline_default.sizes if entry.offline_default else entry.sizes
    return _names(entry, resolve_size(max_examples, "max_examples", sizes), reason)
