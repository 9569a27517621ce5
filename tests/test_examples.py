"""The example scripts run as a user runs them: build, describe and train at small scale."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(
    p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_") and p.name != "transfer_chain_0009.py"
)


def _run(*argv, timeout=600):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SDL_VIDEODRIVER": "dummy"}
    return subprocess.run(
        [sys.executable, *argv], cwd=EXAMPLES, capture_output=True, text=True, env=env, timeout=timeout
    )


def test_there_is_an_example_per_line():
    from charles_core import plugins

    lines = {plugins.lines.get(name).line for name in plugins.lines.names()}
    assert {f"{line}.py" for line in lines} == set(SCRIPTS)


def test_an_example_builds_and_trains_on_the_simulator(tmp_path):
    pytest.importorskip("gymnasium")
    process = _run(
        "charles_pilotnet.py",
        "--input-size",
        "61x64",
        "--no-summary",
        "--train-batches",
        "2",
        "--capacity",
        "24",
        "--run-root",
        str(tmp_path),
    )
    assert process.returncode == 0, process.stderr[-2000:]
    assert "total params:" in process.stdout and '"batch": 2' in process.stdout
