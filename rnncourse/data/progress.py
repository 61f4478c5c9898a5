"""A download progress bar that never writes to stderr (course notebooks must have no stderr).

The bar goes to stdout, and only where someone watches: a terminal or a Jupyter/Colab kernel.
Elsewhere (pipes, CI logs, pytest) it is a no-op, so logs hold only the loaders' one-line reports.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Bar(Protocol):
    """What the downloader needs from a progress bar."""

    def update(self, n: int) -> Any: ...

    def close(self) -> Any: ...


class _NoBar:
    def update(self, n: int) -> None:
        """Ignore progress."""

    def close(self) -> None:
        """Nothing to close."""


def in_notebook() -> bool:
    """Return True inside a Jupyter or Colab kernel (an IPython shell that is not a terminal)."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    return type(shell).__name__ in ("ZMQInteractiveShell", "Shell")


def wanted(progress: bool | None) -> bool:
    """Return whether to show a bar: `progress` if given, else stdout is a terminal or notebook."""
    if progress is not None:
        return progress
    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty or in_notebook()


def bar(total: int | None, label: str, progress: bool | None = None) -> Bar:
    """Return a byte-counting progress bar on stdout, or a no-op bar when none is wanted."""
    if not wanted(progress):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=label,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stdout,
        leave=False,
        mininterval=0.5,
        ascii=True,
    )
