"""`python -m rnncourse.data list | fetch NAME... | verify`: the registry and the cache, by hand.

- list: every dataset with its description, licence, size, URLs, sha256 and offline default.
- fetch: download (and for archives, extract) ahead of time, e.g. before a class goes offline.
- verify: re-hash every cached download; exit status 1 if any is corrupt (--fix removes them).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from rnncourse.data import fetch, registry, settings
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
            from rnncourse.data.reviews import extracted_folder, extraction_complete

            folder = extracted_folder(entry)
            if folder.exists():
                ok = extraction_complete(folder, entry)
                corrupt += not ok
                state = "complete" if ok else "INCOMPLETE: it is re-extracted on next use"
                print(f"  {entry.name}: extracted folder {folder.name} {state}")
    return 1 if corrupt else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 failure or corrupt cache)."""
    parser = argparse.ArgumentParser(prog="python -m rnncourse.data", description=__doc__)
    parser.add_argument("--registry", type=Path, help="registry file (default: data/datasets.yaml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="print the registry and what is cached")
    fetch = commands.add_parser("fetch", help="download datasets ahead of time")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="dataset names")
    fetch.add_argument("--all", action="store_true", help="every dataset of the registry")
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
    return _fetch(known, wanted)
