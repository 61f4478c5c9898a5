"""Run one grading step in a separate, limited process: the parent's side and the child's start.

`run_child(role, config, ...)` starts `python -I -B` on this package, hands it `config` as JSON on
stdin, and waits at most `timeout` wall-clock seconds; on timeout it kills the child and every
process below it (the notebook's kernel included). The child first applies the resource limits
(Linux: address space for data, file size, no core dumps), then runs the role's `main(config)`:
`execute` (run the learner's notebook) or `checker` (call the checks). Its stdout and stderr go to
files that the parent reads afterwards.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

MB = 1024 * 1024
ROLES = {"execute": "rnncourse.grading.execute", "checker": "rnncourse.grading.checker"}
#: The folder that holds the `rnncourse` package: the child imports this very copy.
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
_BOOT = (
    "import sys; sys.path.insert(0, {parent!r}); "
    "from rnncourse.grading import sandbox; sys.exit(sandbox.child_main())"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of a grading process: memory (MB of data), size of a written file (MB)."""

    memory_mb: int | None = 4096
    file_mb: int | None = 1024


@dataclass
class ChildResult:
    """How a child ended: exit status (None when killed on timeout), its output, wall seconds."""

    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    seconds: float

    def stderr_tail(self, limit: int = 300) -> str:
        """Return the last non-blank line of the child's stderr, shortened to `limit` characters."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1][-limit:] if lines else ""


def limits_supported() -> bool:
    """Return True where `Limits` are enforced (Linux, through `resource.setrlimit`)."""
    return sys.platform.startswith("linux")


def run_child(
    role: str,
    config: Mapping[str, Any],
    *,
    folder: Path,
    cwd: Path,
    timeout: float,
    limits: Limits,
    env: Mapping[str, str] | None = None,
) -> ChildResult:
    """Run `role` with `config` in a limited child process in `cwd` and return how it ended.

    `folder` receives the child's stdout and stderr files; `env` replaces its environment
    (default: this process's). The child, and everything it started, is killed after `timeout`
    seconds.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {sorted(ROLES)}")
    folder.mkdir(parents=True, exist_ok=True)
    out_path, err_path = folder / f"{role}.stdout", folder / f"{role}.stderr"
    message = json.dumps({"role": role, "limits": vars(limits), "config": dict(config)})
    command = [sys.executable, "-I", "-B", "-c", _BOOT.format(parent=_PACKAGE_PARENT)]
    started = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,  # its own process group: killed as one
        )
        timed_out = False
        try:
            assert process.stdin is not None
            process.stdin.write(message.encode("utf-8"))
            process.stdin.close()
        except OSError:  # the child died before reading its orders
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_tree(process.pid)
            process.wait()
    seconds = time.perf_counter() - started
    return ChildResult(
        None if timed_out else process.returncode,
        timed_out,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
        seconds,
    )


def kill_tree(pid: int) -> None:
    """Kill the process `pid`, its process group and every process below it (found by parent)."""
    try:
        root = psutil.Process(pid)
        processes = [*root.children(recursive=True), root]
    except psutil.Error:
        processes = []
    killpg = getattr(os, "killpg", None)  # POSIX only
    if killpg is not None:
        try:
            killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(processes, timeout=5)


def apply_limits(limits: Mapping[str, Any]) -> None:
    """Set this process's resource limits (inherited by everything it starts); Linux only."""
    if not limits_supported():
        return
    import resource

    memory, files = limits.get("memory_mb"), limits.get("file_mb")
    if memory:
        resource.setrlimit(resource.RLIMIT_DATA, (int(memory) * MB, int(memory) * MB))
    if files:
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(files) * MB, int(files) * MB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_main() -> int:
    """Entry point of a child: read the orders on stdin, apply the limits, run the role."""
    orders = json.loads(sys.stdin.read())
    apply_limits(orders["limits"])
    module = importlib.import_module(ROLES[orders["role"]])
    try:
        return int(module.main(orders["config"]) or 0)
    finally:
        # Nothing the learner's code started outlives this step.
        try:
            for process in psutil.Process().children(recursive=True):
                try:
                    process.kill()
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
