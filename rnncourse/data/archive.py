"""Safe extraction of tar archives with Python's own extraction filter, refusing links outright.

Each member goes through tarfile's "data" filter (nothing outside the target, no devices, FIFOs
or absolute links; safe permissions) and a filter of ours that also refuses every link and every
absolute name (rather than stripping its leading "/") and skips what the caller did not ask for.
One unsafe member refuses the whole archive (UnsafeArchiveError): such members have no place in a
dataset. Extraction goes to a temporary sibling folder, renamed onto the target only when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

MANIFEST = ".rnncourse-extracted.json"


class UnsafeArchiveError(ValueError):
    """The archive holds a member that could write outside its folder or is not a plain file."""


def safe_extract(
    archive: Path | str,
    target: Path | str,
    *,
    include: Callable[[str], bool] | None = None,
    manifest: dict[str, Any] | None = None,
) -> int:
    """Extract the files of `archive` (tar, tar.gz, tar.bz2, tar.xz) that `include` accepts.

    `include` gets each member's name without "./" or doubled slashes (None: every file).
    Writes them under `target`, replacing it as a whole once the extraction succeeds, plus a
    manifest file holding `manifest`. Returns the number of files written. Raises
    UnsafeArchiveError (or tarfile.TarError for a damaged archive) and then leaves `target`
    untouched and nothing else written.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    written: list[str] = []

    def checked(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        name = member.name
        if member.issym() or member.islnk():
            raise UnsafeArchiveError(f"link {name!r} -> {member.linkname!r}")
        if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
            raise UnsafeArchiveError(f"absolute path {name!r}")
        member = tarfile.data_filter(member, dest)  # FilterError: outside, device, FIFO
        name = PurePosixPath(name).as_posix()  # "./a//b" -> "a/b"
        if member.isdir() or (include is not None and not include(name)):
            return None
        written.append(name)
        return member

    try:
        with tarfile.open(archive, mode="r:*") as tar:
            tar.extractall(staging, filter=checked)
        Path(staging, MANIFEST).write_text(json.dumps({**(manifest or {}), "files": len(written)}))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except (UnsafeArchiveError, tarfile.FilterError) as exc:
        raise UnsafeArchiveError(f"refusing {Path(archive).name}: {exc}") from exc
    except (EOFError, zlib.error) as exc:  # a damaged compressed stream
        raise tarfile.ReadError(f"damaged archive {Path(archive).name}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(written)


def read_manifest(folder: Path | str) -> dict[str, Any] | None:
    """Return the manifest of a folder written by `safe_extract` (None if absent or unreadable)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
