"""The dataset registry (data/datasets.yaml): what each dataset is, where it comes from, its hash.

`entries()` reads and validates the file once; `get(name)` returns one `DatasetEntry`. Tests and
maintainers build their own entries (`entry.replace(urls=...)`) to point a loader elsewhere.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from rnncourse.env import mode
from rnncourse.paths import data_dir

KINDS = ("download", "package")
ARCHIVES = ("none", "tar.gz", "zip")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class RegistryError(ValueError):
    """The registry file is malformed (the message names the file, the entry and the field)."""


@dataclasses.dataclass(frozen=True)
class Sizes:
    """A loader's default size per run mode; None means "all of it"."""

    fast: int | None
    full: int | None

    def for_mode(self, run_mode: str | None = None) -> int | None:
        """Return the size of `run_mode` ("fast" or "full"; None: the current RNNCOURSE_MODE)."""
        return self.fast if (run_mode or mode()) == "fast" else self.full


@dataclasses.dataclass(frozen=True)
class OfflineDefault:
    """What a loader returns when the download is impossible or not allowed."""

    title: str
    description: str
    licence: str
    sizes: Sizes


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    """One dataset of the registry. `kind` is "download" (fetched from `urls`) or "package"."""

    name: str
    title: str
    description: str
    licence: str
    homepage: str
    kind: str
    file: str
    size_unit: str
    sizes: Sizes
    archive: str = "none"
    size_bytes: int | None = None
    sha256: str | None = None
    urls: tuple[str, ...] = ()
    package: str | None = None
    members: dict[str, str] = dataclasses.field(default_factory=dict)
    offline_default: OfflineDefault | None = None

    def replace(self, **changes: Any) -> DatasetEntry:
        """Return a copy with some fields changed (e.g. `urls=("http://127.0.0.1:8000/f",)`)."""
        if "urls" in changes:
            changes["urls"] = tuple(changes["urls"])
        return dataclasses.replace(self, **changes)

    @property
    def downloadable(self) -> bool:
        """True for entries fetched from the network (kind "download")."""
        return self.kind == "download"


def registry_path() -> Path:
    """Return the path of the course's registry file, data/datasets.yaml."""
    return data_dir() / "datasets.yaml"


def _sizes(raw: Any, where: str) -> Sizes:
    if not isinstance(raw, dict) or set(raw) != {"fast", "full"}:
        raise RegistryError(f"{where}: sizes must map exactly fast and full to a number or null")
    for key, value in raw.items():
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise RegistryError(f"{where}: sizes.{key} must be a positive integer or null")
    return Sizes(fast=raw["fast"], full=raw["full"])


def _require(raw: dict[str, Any], key: str, where: str) -> Any:
    if raw.get(key) in (None, ""):
        raise RegistryError(f"{where}: missing field {key!r}")
    return raw[key]


def _entry(name: str, raw: Any, where: str) -> DatasetEntry:
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: an entry must be a mapping of fields")
    text = {
        key: str(_require(raw, key, where)).strip()
        for key in ("title", "description", "licence", "homepage", "kind", "file", "size_unit")
    }
    if text["kind"] not in KINDS:
        raise RegistryError(f"{where}: kind {text['kind']!r} is not one of {KINDS}")
    archive = str(raw.get("archive", "none"))
    if archive not in ARCHIVES:
        raise RegistryError(f"{where}: archive {archive!r} is not one of {ARCHIVES}")
    offline = None
    if raw.get("offline_default") is not None:
        off = raw["offline_default"]
        sub = f"{where}.offline_default"
        offline = OfflineDefault(
            title=str(_require(off, "title", sub)).strip(),
            description=str(_require(off, "description", sub)).strip(),
            licence=str(_require(off, "licence", sub)).strip(),
            sizes=_sizes(off.get("sizes"), sub),
        )
    entry = DatasetEntry(
        name=name,
        **text,
        sizes=_sizes(raw.get("sizes"), where),
        archive=archive,
        size_bytes=raw.get("size_bytes"),
        sha256=raw.get("sha256"),
        urls=tuple(raw.get("urls") or ()),
        package=raw.get("package"),
        members=dict(raw.get("members") or {}),
        offline_default=offline,
    )
    if entry.downloadable:
        if not entry.urls:
            raise RegistryError(f"{where}: a download needs at least one URL in urls")
        if not _SHA256.match(str(entry.sha256 or "")):
            raise RegistryError(f"{where}: sha256 must be 64 lowercase hex digits")
        if not isinstance(entry.size_bytes, int) or entry.size_bytes <= 0:
            raise RegistryError(f"{where}: size_bytes must be a positive integer")
        if entry.offline_default is None:
            raise RegistryError(f"{where}: a download needs an offline_default")
    elif not entry.package:
        raise RegistryError(f"{where}: a package entry must name its package")
    return entry


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, DatasetEntry]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"no dataset registry at {path}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("datasets"), dict):
        raise RegistryError(f"{path}: expected a top-level 'datasets' mapping")
    return {
        name: _entry(name, value, f"{path.name}: {name}") for name, value in raw["datasets"].items()
    }


def entries(path: Path | str | None = None) -> dict[str, DatasetEntry]:
    """Return every registry entry by name, read from `path` (default: data/datasets.yaml).

    Raises RegistryError naming the file, the entry and the field when the file is malformed.
    """
    return dict(_load(Path(path) if path is not None else registry_path()))


def names(path: Path | str | None = None) -> tuple[str, ...]:
    """Return the dataset names of the registry, in file order."""
    return tuple(entries(path))


def get(name: str, path: Path | str | None = None) -> DatasetEntry:
    """Return the registry entry called `name`; ValueError naming the valid names otherwise."""
    known = entries(path)
    if name not in known:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(known)}")
    return known[name]
