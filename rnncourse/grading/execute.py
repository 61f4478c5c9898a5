"""The first grading step, in its own limited process: run the learner's notebook in a fresh kernel.

The notebook (a copy, with the grader's export cell appended) runs top to bottom through
`rnncourse.notebooks.run`, going on past cells that raise; a cell that runs longer than the cell
timeout is interrupted and the run goes on. Progress is appended to a file as it happens (one line
per cell started, raising or timing out), so that the parent knows where a run that it had to
kill was; at the end a status file records how the run ended.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rnncourse import notebooks

TIMEOUT_ERROR = "CellTimeoutError"


def main(config: dict[str, Any]) -> int:
    """Run the notebook described by `config` and write its status file; return 0."""
    path = Path(config["notebook"])
    progress = Path(config["progress"])
    cell_timeout = float(config["cell_timeout"])

    def note(line: str) -> None:
        with open(progress, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")

    def on_start(cell: Any, cell_index: int) -> None:
        note(json.dumps({"event": "start", "cell": cell_index + 1}))

    def on_error(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        content = execute_reply.get("content", {})
        note(
            json.dumps(
                {
                    "event": "error",
                    "cell": cell_index + 1,
                    "ename": str(content.get("ename", "")),
                    "evalue": str(content.get("evalue", ""))[:300],
                }
            )
        )

    options = {
        "interrupt_on_timeout": True,
        "error_on_timeout": {
            "ename": TIMEOUT_ERROR,
            "evalue": f"the cell ran longer than {cell_timeout:g} s and was interrupted",
            "traceback": [],
        },
        "on_cell_start": on_start,
        "on_cell_error": on_error,
    }
    notebook = notebooks.read_notebook(path)
    run = notebooks.run(
        path,
        config["mode"],
        notebook=notebook,
        timeout=cell_timeout,
        allow_errors=True,
        env=config.get("env") or {},
        client_options=options,
    )
    error = run.error
    status = {
        "seconds": run.seconds,
        "error": None
        if error is None
        else {"cell": error.cell, "name": error.name, "message": error.message[:300]},
    }
    Path(config["status"]).write_text(json.dumps(status), encoding="utf-8")
    return 0
