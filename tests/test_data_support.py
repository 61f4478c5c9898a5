"""Builders of the data tests' files (no tests here): tar and zip archives, a small aclImdb.

The shared fixtures (data cache, local HTTP server, shared data) are in conftest.py.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

from rnncourse.data import registry
from rnncourse.data.registry import DatasetEntry


def sha256(data: bytes) -> str:
    """Return the hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def entry_for(name: str, body: bytes, urls: list[str]) -> DatasetEntry:
    """Return the registry entry `name` pointed at `urls` and at the hash and size of `body`."""
    return registry.get(name).replace(urls=urls, sha256=sha256(body), size_bytes=len(body))


@dataclasses.dataclass
class Member:
    """One member of a test tar archive."""

    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""


def make_tar(members: list[Member]) -> bytes:
    """Return a tar.gz holding `members`, exactly as named (unsafe names included)."""
    buffer = io.BytesIO()
    # gzip with a fixed mtime: the same members always give the same bytes (and sha256)
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w") as tar,
    ):
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type, info.linkname = member.kind, member.linkname
            info.size = len(member.data) if member.kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(member.data) if info.size else None)
    return buffer.getvalue()


def make_zip(files: dict[str, str]) -> bytes:
    """Return a zip archive holding `files` (name -> UTF-8 text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def fake_imdb(movies: int = 60, test_reviews: int = 8) -> bytes:
    """Return a small aclImdb-shaped tar.gz: each train movie has one pos and one neg review.

    Review texts say their split, label and movie ("train pos movie 7 review 7"); an unlabelled
    unsup/ folder and a vocabulary file are there to be left out by the extraction.
    """
    members = [Member("aclImdb/", kind=tarfile.DIRTYPE), Member("aclImdb/README", b"readme")]
    for sub in ("pos", "neg"):
        urls = "".join(f"http://www.imdb.com/title/tt{i:07d}/usercomments\n" for i in range(movies))
        members.append(Member(f"aclImdb/train/urls_{sub}.txt", urls.encode()))
        for i in range(movies):
            text = f"train {sub} movie {i} review {i} <br />"
            members.append(
                Member(f"aclImdb/train/{sub}/{i}_{7 if sub == 'pos' else 2}.txt", text.encode())
            )
        for i in range(test_reviews):
            members.append(Member(f"aclImdb/test/{sub}/{i}_8.txt", f"test {sub} {i}".encode()))
    members.append(Member("aclImdb/train/unsup/0_0.txt", b"unlabelled"))
    members.append(Member("aclImdb/imdb.vocab", b"the\nand\n"))
    return make_tar(members)


def leftovers(folder: Path) -> list[str]:
    """Return the names of every file and folder under `folder` (sorted, relative)."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
