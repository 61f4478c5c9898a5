"""Safe extraction of tar archives: regular files and folders only, never outside the target.

An archive with any absolute path, drive letter, `..` component, hard or symbolic link, device,
FIFO or other special member is refused whole (UnsafeArchiveError): such members have no place
in a dataset and suggest tampering. Member names are never handed to tarfile's own extraction;
each file is written by this module under the target folder, checked after resolving. Extraction
goes to a temporary sibling folder that is renamed onto the target only when complete.
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


def member_problem(member: tarfile.TarInfo) -> str | None:
    """Return why `member` is unsafe to extract (None when it is a plain file or folder)."""
    name = member.name
    if member.issym() or member.islnk():
        return f"link {name!r} -> {member.linkname!r}"
    if member.ischr() or member.isblk():
        return f"device {name!r}"
    if member.isfifo():
        return f"FIFO {name!r}"
    if not (member.isreg() or member.isdir()):
        return f"special member {name!r}"
    if not name or "\x00" in name:
        return f"invalid name {name!r}"
    windows = PureWindowsPath(name)
    if name.startswith(("/", "\\")) or windows.drive or windows.root:
        return f"absolute path {name!r}"
    if ".." in name.replace("\\", "/").split("/"):
        return f"parent reference in {name!r}"
    return None


def _inside(root: str, relative: str) -> str:
    """Return root/relative, raising UnsafeArchiveError if it lands outside `root`.

    A second line of defence after `member_problem`: no link is ever created under `root`, so
    normalising the joined path is enough to know where the file lands.
    """
    path = os.path.normpath(os.path.join(root, *relative.split("/")))
    if not path.startswith(root + os.sep):
        raise UnsafeArchiveError(f"member {relative!r} would be written outside {root}")
    return path


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
    root = str(staging.resolve())
    count, folders = 0, set()
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                problem = member_problem(member)
                if problem:
                    raise UnsafeArchiveError(f"refusing {Path(archive).name}: {problem}")
                name = PurePosixPath(member.name).as_posix()  # "./a//b" -> "a/b"
                if member.isdir() or (include is not None and not include(name)):
                    continue
                dest = _inside(root, name)
                folder = os.path.dirname(dest)
                if folder not in folders:
                    os.makedirs(folder, exist_ok=True)
                    folders.add(folder)
                source = tar.extractfile(member)
                if source is None:  # not reachable for a regular file; kept for safety
                    raise UnsafeArchiveError(f"cannot read member {member.name!r}")
                with source, open(dest, "wb") as out:
                    shutil.copyfileobj(source, out)
                count += 1
        Path(root, MANIFEST).write_text(json.dumps({**(manifest or {}), "files": count}))
        if target.exists():
            shutil.rmtree(target)
        os.replace(root, target)
    except (EOFError, zlib.error) as exc:  # a damaged compressed stream
        raise tarfile.ReadError(f"damaged archive {Path(archive).name}: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return count


def read_manifest(folder: Path | str) -> dict[str, Any] | None:
    """Return the manifest of a folder written by `safe_extract` (None if absent or unreadable)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
