"""Where the data cache lives and whether the network may be used (the two environment knobs).

- RNNCOURSE_DATA_CACHE: the cache folder. Default: /content/rnncourse_data on Colab, otherwise the
  per-user cache folder of platformdirs ($XDG_CACHE_HOME/rnncourse or ~/.cache/rnncourse on Linux,
  ~/Library/Caches/rnncourse on macOS, %LOCALAPPDATA%\\rnncourse\\Cache on Windows).
- RNNCOURSE_OFFLINE=1: loaders return their offline defaults without trying the network.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

CACHE_ENV = "RNNCOURSE_DATA_CACHE"
OFFLINE_ENV = "RNNCOURSE_OFFLINE"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def on_colab() -> bool:
    """Return True when running inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def cache_dir() -> Path:
    """Return the data cache folder (not created here): RNNCOURSE_DATA_CACHE or the default."""
    override = os.environ.get(CACHE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    if on_colab():
        return Path("/content/rnncourse_data")
    return platformdirs.user_cache_path("rnncourse", appauthor=False)


def offline_from_env() -> bool:
    """Return True when RNNCOURSE_OFFLINE asks for the offline defaults.

    Accepts 1/true/yes/on and 0/false/no/off (any case, empty means off); raises ValueError for
    anything else, naming the valid values.
    """
    value = os.environ.get(OFFLINE_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{OFFLINE_ENV}={value!r} is not understood; use one of {_TRUE} (offline) "
        f"or {_FALSE[:-1]} (online)"
    )


def check_offline(offline: object) -> bool | None:
    """Return a loader's `offline` argument if it is True, False or None; TypeError otherwise."""
    if offline is not None and not isinstance(offline, bool):
        raise TypeError(f"offline must be True, False or None, not {offline!r}")
    return offline


def offline_reason(offline: bool | None) -> str | None:
    """Return why the offline default must be used, or None when the network may be tried.

    `offline` is a loader's argument: True or False decides; None reads RNNCOURSE_OFFLINE.
    """
    if check_offline(offline) is None:
        return f"{OFFLINE_ENV}=1" if offline_from_env() else None
    return "offline=True was passed" if offline else None
