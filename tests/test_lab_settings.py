"""The JupyterLab settings that `make lab` installs: no news pop-up over the lessons and no update
check (a network request), applied by a real JupyterLab server; `make lab` tries the real data."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "jupyter" / "overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _schema(plugin: str) -> dict:
    package, name = plugin.split(":")
    path = SCHEMAS / package / f"{name}.json"
    if not path.exists():
        pytest.skip(f"JupyterLab's schema of {plugin} is not installed at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_override_is_a_valid_setting_of_the_installed_jupyterlab() -> None:
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    assert overrides, "jupyter/overrides.json sets nothing"
    for plugin, values in overrides.items():
        schema = _schema(plugin)
        unknown = set(values) - set(schema["properties"])
        assert not unknown, f"{plugin} has no setting {sorted(unknown)}"
        jsonschema.validate(values, {**schema, "additionalProperties": False})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_jupyterlab_server_serves_the_course_defaults(tmp_path: Path) -> None:
    pytest.importorskip("jupyterlab")
    settings = tmp_path / "settings"
    settings.mkdir()
    shutil.copy(OVERRIDES, settings / "overrides.json")
    port, token = _free_port(), secrets.token_hex(8)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        f"--LabApp.app_settings_dir={settings}",
        "--allow-root",
    ]
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path
    )
    url = f"http://127.0.0.1:{port}/lab/api/settings/{NOTIFICATION}?token={token}"
    try:
        deadline, reply = time.monotonic() + 90, None
        while reply is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    reply = json.load(response)
            except OSError:
                assert server.poll() is None, "jupyter lab exited before it served its settings"
                assert time.monotonic() < deadline, "jupyter lab did not answer within 90 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    properties = reply["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"  # "Never": no news pop-up
    assert properties["checkForUpdates"]["default"] is False
    assert reply["settings"] == {}  # a default, which a learner's own setting still overrides


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_installs_the_settings_and_leaves_the_network_to_the_data_layer() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RNNCOURSE_OFFLINE"}
    plan = subprocess.run(
        ["make", "-n", "lab"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "jupyter/overrides.json .venv/share/jupyter/lab/settings/overrides.json" in plan
    assert "RNNCOURSE_OFFLINE" not in plan
    data = subprocess.run(
        ["make", "-n", "data"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "-m rnncourse.data fetch --all" in data
