"""`python -m rnncourse.data list | fetch NAME... [--from FILE] | verify`: the cache by hand.

- list: every dataset with its description, licence, size, URLs, sha256 and offline default.
- fetch: download (and for archives, extract) ahead of time, e.g. before a class goes offline.
- fetch NAME --from FILE: install a copy obtained otherwise, with no network (also offline).
  For imdb, FILE is the official aclImdb_v1.tar.gz or a repack of its labelled reviews in the
  same layout (e.g. ../shared/data/aclImdb_labelled.tar.gz): accepted if its contents pass the
  layout check, then extracted where `data.imdb()` reads. Any other download must be an exact
  copy (the registry's sha256) and is copied into the cache.
- verify: re-hash every cached download; exit status 1 if any is corrupt (--fix removes them).

The cache is RNNCOURSE_DATA_CACHE (default: the per-user cache folder), e.g.
  RNNCOURSE_DATA_CACHE=/tmp/c python -m rnncourse.data fetch imdb --from aclImdb_labelled.tar.gz
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from rnncourse.data import fetch, registry, reviews, settings
from rnncourse.data.fetch import DataUnavailable, fetch_verified
from rnncourse.data.registry import DatasetEntry


def _wrap(label: str, text: str) -> str:
    return textwrap.fill(
        text,
        width=98,
        initial_indent=f"  {label}",
        subsequent_indent=" " * (2 + len(label)),
        break_on_hyphens=False,
    )


def _size(value: int | None, unit: str) -> str:
    return "all" if value is None else f"{value:,} {unit}"


def _describe(entry: DatasetEntry) -> list[str]:
    lines = [f"{entry.name}: {entry.title}", _wrap("", entry.description)]
    lines.append(_wrap("licence: ", entry.licence))
    sizes = entry.sizes
    unit = entry.size_unit
    lines.append(f"  loader size: fast {_size(sizes.fast, unit)}, full {_size(sizes.full, unit)}")
    if entry.downloadable:
        state = fetch.check(entry, full_hash=False)
        cached = "in cache" if state == fetch.OK else "not in cache"
        lines.append(f"  download: {entry.file}, {entry.size_bytes:,} bytes ({cached})")
        lines.append(f"  sha256: {entry.sha256}")
        lines.extend(f"  mirror {i}: {url}" for i, url in enumerate(entry.urls, 1))
    else:
        lines.append(f"  ships with: the {entry.package} package ({entry.file}); no download")
    if entry.offline_default:
        off = entry.offline_default
        lines.append(_wrap("offline default: ", f"{off.title}. {off.description}"))
        lines.append(_wrap("offline licence: ", off.licence))
    else:
        lines.append("  offline default: itself (needs no network)")
    return lines


def _list(known: dict[str, DatasetEntry]) -> int:
    offline = "yes" if settings.offline_from_env() else "no"
    print(f"data cache: {settings.cache_dir()} (set {settings.CACHE_ENV} to move it)")
    print(f"offline: {offline} ({settings.OFFLINE_ENV}=1 forces the offline defaults)\n")
    for entry in known.values():
        print("\n".join(_describe(entry)) + "\n")
    return 0


def _fetch_one(entry: DatasetEntry) -> str:
    """Download (and extract) one entry; return what was done. Raises DataUnavailable."""
    if not entry.downloadable:
        return f"nothing to download: it ships with the {entry.package} package"
    if entry.archive == "tar.gz":
        from rnncourse.data.reviews import prepare

        folder, how = prepare(entry)
        return f"{how} -> {folder}"
    path, how = fetch_verified(entry)
    return f"{how} -> {path} (sha256 verified)"


def _copy_verified(entry: DatasetEntry, source: Path) -> str:
    """Copy `source` into the cache as `entry`'s download if it has the registry's sha256."""
    digest = hashlib.sha256()
    with source.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != entry.sha256:
        raise ValueError(
            f"{source.name} is not {entry.file}: sha256 {digest.hexdigest()[:12]}... "
            f"instead of {entry.sha256[:12]}..."
        )
    target = fetch.cache_path(entry)
    reviews.copy_into_place(source, target)
    return f"copied {source.name} (sha256 verified) -> {target}"


def _install(entry: DatasetEntry, source: Path) -> int:
    """Install `entry` from the local file `source` (no network); return the exit status."""
    try:
        if not entry.downloadable:
            done = f"nothing to install: it ships with the {entry.package} package"
        elif entry.archive == "tar.gz":
            from rnncourse.data.reviews import install_imdb

            done = install_imdb(source, entry)
        else:
            done = _copy_verified(entry, source)
    except (DataUnavailable, ValueError, OSError) as exc:
        print(f"{entry.name}: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"{entry.name}: {done}", flush=True)
    return 0


def _fetch(known: dict[str, DatasetEntry], wanted: Sequence[str]) -> int:
    if settings.offline_from_env():
        print(f"fetch needs the network: unset {settings.OFFLINE_ENV}", file=sys.stderr)
        return 1
    failed = 0
    for name in wanted:
        try:
            print(f"{name}: {_fetch_one(known[name])}", flush=True)
        except DataUnavailable as exc:
            failed += 1
            print(f"{name}: FAILED: {exc}", file=sys.stderr, flush=True)
    return 1 if failed else 0


def _verify(known: dict[str, DatasetEntry], fix: bool) -> int:
    print(f"data cache: {settings.cache_dir()}")
    corrupt = 0
    for entry in known.values():
        if not entry.downloadable:
            print(f"  {entry.name}: ships with the {entry.package} package (nothing cached)")
            continue
        state = fetch.check(entry)
        if state == fetch.OK:
            print(f"  {entry.name}: ok, {entry.file} sha256 verified")
        elif state == fetch.MISSING:
            print(f"  {entry.name}: not cached ({entry.file})")
        else:
            corrupt += 1
            action = "removed" if fix else "replaced on next use (or run verify --fix)"
            if fix:
                fetch.cache_path(entry).unlink(missing_ok=True)
            print(f"  {entry.name}: CORRUPT {entry.file}: {state}; {action}")
        if entry.archive == "tar.gz":
            from rnncourse.data.archive import read_manifest
            from rnncourse.data.reviews import BY_HAND, extracted_folder, extraction_complete

            folder = extracted_folder(entry)
            if folder.exists():
                ok = extraction_complete(folder, entry)
                corrupt += not ok
                state = "complete" if ok else "INCOMPLETE: it is re-extracted on next use"
                manifest = read_manifest(folder)
                if ok and isinstance(manifest, dict) and manifest.get("origin") == BY_HAND:
                    sha = str(manifest.get("archive_sha256"))[:12]
                    state += f" (installed from {manifest.get('archive_name')}, sha256 {sha}...)"
                print(f"  {entry.name}: extracted folder {folder.name} {state}")
    return 1 if corrupt else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 failure or corrupt cache)."""
    parser = argparse.ArgumentParser(prog="python -m rnncourse.data", description=__doc__)
    parser.add_argument("--registry", type=Path, help="registry file (default: data/datasets.yaml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="print the registry and what is cached")
    fetch = commands.add_parser(
        "fetch",
        help="download datasets ahead of time, or install one from a local file (--from)",
        description="Download datasets into the cache, or install one from a local file.",
    )
    fetch.add_argument("names", nargs="*", metavar="NAME", help="dataset names")
    fetch.add_argument("--all", action="store_true", help="every dataset of the registry")
    fetch.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FILE",
        help="install the one NAME from FILE, no network: for imdb the official archive or a "
        "repack of its labelled reviews (layout checked); otherwise an exact copy (sha256)",
    )
    verify = commands.add_parser("verify", help="re-hash the cached downloads")
    verify.add_argument("--fix", action="store_true", help="remove corrupt cache entries")
    args = parser.parse_args(argv)
    known = registry.entries(args.registry)
    if args.command == "list":
        return _list(known)
    if args.command == "verify":
        return _verify(known, args.fix)
    wanted = list(known) if args.all else args.names
    unknown = [name for name in wanted if name not in known]
    if unknown or not wanted:
        problem = f"unknown dataset(s) {unknown}" if unknown else "name a dataset or pass --all"
        parser.error(f"{problem}; choose from: {', '.join(known)}")
    if args.source is not None:
        if args.all or len(wanted) != 1:
            parser.error("--from installs one dataset: name it, e.g. fetch imdb --from FILE")
        return _install(known[wanted[0]], args.source)
    return _fetch(known, wanted)
