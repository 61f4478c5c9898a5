"""The course's plotting style and small figure helpers shared by every lesson."""

from __future__ import annotations

import matplotlib as mpl

STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings (same look in every lesson)."""
    mpl.rcParams.update(STYLE)
