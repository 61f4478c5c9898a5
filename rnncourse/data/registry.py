"""The dataset registry (data/datasets.yaml): what each dataset is, where it comes from, its hash.

`entries()` reads the file once and validates it against its JSON Schema (registry_schema.json,
shipped in this package); `get(name)` returns one `DatasetEntry`. Tests and
maintainers build their own entries (`entry.replace(urls=...)`) to point a loader elsewhere.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from rnncourse.env import mode
from rnncourse.paths import data_dir

SCHEMA_FILE = "registry_schema.json"


class RegistryError(ValueError):
    """The registry file is malformed: one line per problem, naming the file, entry and field."""


@dataclasses.dataclass(frozen=True)
class Sizes:
    """A loader's default size per run mode; None means "all of it"."""

    fast: int | None
    full: int | None

    def for_mode(self, run_mode: str | None = None) -> int | None:
        """Return the size of `run_mode` ("fast" or "full"; None: the current RNNCOURSE_MODE)."""
        return self.fast if mode(run_mode) == "fast" else self.full


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


@functools.cache
def schema() -> dict[str, Any]:
    """Return the registry's JSON Schema (registry_schema.json, shipped in this package)."""
    text = importlib.resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def problems(raw: Any) -> list[str]:
    """Return one line per schema problem of the parsed registry `raw`; [] if none.

    Each line names the entry and the field: "tiny: sha256 must be 64 lowercase hex digits".
    """
    validator = jsonschema.Draft202012Validator(schema())
    found = []
    for error in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))):
        path = list(map(str, error.absolute_path))
        entry = path[:1] == ["datasets"] and len(path) > 1
        where, field = (path[1], ".".join(path[2:])) if entry else ("registry", ".".join(path))
        found.append(f"{where}: {_message(error, field)}")
    return list(dict.fromkeys(found))  # a rule broken twice (two missing fields) is one line


def _message(error: jsonschema.ValidationError, field: str) -> str:
    """Return what is wrong, in the schema's own words where it has them (`message`)."""
    custom = error.schema.get("message", "") if isinstance(error.schema, dict) else ""
    inside = f"{field}: " if field else ""
    if error.validator == "required":
        missing = ", ".join(repr(key) for key in error.validator_value if key not in error.instance)
        return f"{inside}missing {missing}" + (f" ({custom})" if custom else "")
    if error.validator == "additionalProperties":
        known = error.schema["properties"]
        extra = ", ".join(repr(key) for key in error.instance if key not in known)
        return f"{inside}unknown field {extra}; allowed: {', '.join(known)}"
    if custom:
        return f"{field} {custom}" if field else custom
    return inside + error.message


def _entry(name: str, raw: dict[str, Any]) -> DatasetEntry:
    """Build the entry from its schema-valid fields (text stripped, lists made tuples)."""
    fields = {key: value.strip() if isinstance(value, str) else value for key, value in raw.items()}
    fields.update(sizes=Sizes(**raw["sizes"]), urls=tuple(raw.get("urls", ())))
    if "offline_default" in raw:
        off = {
            key: value.strip() for key, value in raw["offline_default"].items() if key != "sizes"
        }
        fields["offline_default"] = OfflineDefault(
            **off, sizes=Sizes(**raw["offline_default"]["sizes"])
        )
    return DatasetEntry(name=name, **fields)


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, DatasetEntry]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"no dataset registry at {path}") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path.name} is not valid YAML: {exc}") from None
    found = problems(raw)
    if found:
        raise RegistryError("\n".join(f"{path.name}: {problem}" for problem in found))
    return {name: _entry(name, value) for name, value in raw["datasets"].items()}


def entries(path: Path | str | None = None) -> dict[str, DatasetEntry]:
    """Return every registry entry by name, read from `path` (default: data/datasets.yaml).

    Raises RegistryError naming the file, the entry and the field when the file is malformed.
    """
    return dict(_load(Path(path) if path is not None else registry_path()))


def get(name: str, path: Path | str | None = None) -> DatasetEntry:
    """Return the registry entry called `name`; ValueError naming the valid names otherwise."""
    known = entries(path)
    if name not in known:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(known)}")
    return known[name]
