"""Read, write and run notebooks: the one way build, bench and the tests execute a notebook.

`run` executes a notebook top to bottom in a fresh `python3` kernel started in the notebook's
folder, with the run mode's environment (`rnncourse.env.kernel_environment`), a per-cell timeout,
the kernel's own stderr kept out of the terminal, the seconds of every code cell, optionally the
outputs written back to the file, and a `watch` hook that is given the kernel's pid (the bench's
memory sampler).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from rnncourse.env import kernel_environment

KERNEL_NAME = "python3"
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TIMING_METADATA = ("execution", "ExecuteTime")

#: `watch(kernel_pid)` returns a context manager entered while the cells run; `kernel_pid()`
#: returns the kernel's process id, or None before the kernel has started.
Watch = Callable[[Callable[[], int | None]], contextlib.AbstractContextManager[Any]]


def read_notebook(path: Path) -> NotebookNode:
    """Return the notebook at `path` as nbformat v4, without inventing ids for cells lacking one.

    Raises ValueError naming the file when it is not a readable notebook.
    """
    try:
        notebook = nbformat.reader.reads(Path(path).read_text(encoding="utf-8"))
        if notebook.nbformat != 4:
            notebook = nbformat.convert(notebook, 4)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as error:
        raise ValueError(f"{path} is not a readable notebook: {error}") from error
    return notebook


def notebook_text(notebook: NotebookNode) -> str:
    """Return the text written for `notebook`: `nbformat.writes` plus a final newline."""
    return nbformat.writes(notebook) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        umask = os.umask(0)  # mkstemp makes the file private (0600): give it the usual mode
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class CellError:
    """Why a run stopped: the cell (numbered from 1), the error's name and message, and the
    traceback (or the kernel's last words) as text."""

    cell: int
    name: str
    message: str
    detail: str = ""


@dataclass
class Run:
    """What `run` did: the executed notebook, wall seconds (kernel start included), the seconds
    of each executed code cell by cell number (from 1), and the error that stopped it, if any."""

    notebook: NotebookNode
    seconds: float
    cell_seconds: dict[int, float] = field(default_factory=dict)
    error: CellError | None = None


def run(
    path: Path,
    mode: str | None = None,
    *,
    notebook: NotebookNode | None = None,
    timeout: float | None = 600,
    allow_errors: bool = False,
    write: bool = False,
    env: Mapping[str, str] | None = None,
    watch: Watch | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> Run:
    """Execute the notebook at `path` (or `notebook`, run as if it were there) and return the `Run`.

    `mode` is the run mode (None: the current one); `timeout` is per cell in seconds (None: no
    limit); `allow_errors` runs on past cells that raise (their error outputs are kept);
    `env` adds variables to the kernel's environment. With `write`, a run without error writes
    the outputs back to `path`, keeping the notebook's metadata as it was and no timings.
    `client_options` are passed on to nbclient's `NotebookClient` (for example
    `interrupt_on_timeout`, or hooks other than `on_cell_execute` and `on_cell_executed`).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path = Path(path)
    notebook = notebook if notebook is not None else read_notebook(path)
    metadata = json.loads(json.dumps(notebook.metadata))  # the kernel's language_info is volatile
    cell_seconds: dict[int, float] = {}
    current = [0, 0.0]  # the code cell being run (numbered from 1) and when it started

    def started(cell: Any, cell_index: int) -> None:
        current[:] = [cell_index + 1, time.perf_counter()]

    def finished(cell: Any, cell_index: int, execute_reply: Any) -> None:
        cell_seconds[cell_index + 1] = time.perf_counter() - current[1]

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=allow_errors,
        record_timing=False,
        on_cell_execute=started,
        on_cell_executed=finished,
        resources={"metadata": {"path": str(path.resolve().parent)}},
        **dict(client_options or {}),
    )
    kernel_env = {**kernel_environment(mode), **(env or {})}
    error = None
    started = time.perf_counter()
    watching = watch(lambda: _pid(client)) if watch else contextlib.nullcontext()
    with tempfile.TemporaryFile() as kernel_stderr, watching:
        try:
            client.execute(env=kernel_env, stderr=kernel_stderr)
        except CellExecutionError as failure:
            detail = _ANSI_ESCAPE.sub("", str(failure)).strip()
            error = CellError(current[0], failure.ename, failure.evalue, detail)
        except CellTimeoutError as failure:
            error = CellError(current[0], type(failure).__name__, str(failure), str(failure))
        except Exception as failure:  # a dead kernel, or one that would not start
            kernel_stderr.seek(0)
            tail = kernel_stderr.read().decode("utf-8", "replace")[-500:].strip()
            message = f"{failure} {tail}".strip()
            error = CellError(current[0], type(failure).__name__, message, message)
    seconds = time.perf_counter() - started
    if write and error is None:
        for cell in notebook.cells:
            for key in _TIMING_METADATA:
                cell.get("metadata", {}).pop(key, None)
        notebook.metadata = nbformat.from_dict(metadata)
        write_text(path, notebook_text(notebook))
    return Run(notebook, seconds, cell_seconds, error)


def _pid(client: Any) -> int | None:
    """Return the pid of the client's kernel process, or None while it has none."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    return pid if isinstance(pid, int) else None
