import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("strategy_child.py")


@pytest.mark.parametrize("strategy", ["mirrored", "multi_worker"])
def test_training_under_a_distribution_strategy_with_two_logical_cpus(strategy, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if strategy == "multi_worker":
        # one worker whose two local devices replicate: TF_CONFIG names only this process
        env["TF_CONFIG"] = json.dumps({"cluster": {"worker": ["localhost:0"]}, "task": {"type": "worker", "index": 0}})
    process = subprocess.run(
        [sys.executable, str(CHILD), strategy], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])
    assert result["batch"] == 3
    assert all(value == value for value in result["losses"].values())  # finite, not NaN
    if strategy == "mirrored":  # one replica per logical CPU, the batch split between them
        assert result["strategy"] == "MirroredStrategy" and result["replicas"] == 2
    else:  # a one-worker cluster from TF_CONFIG; on CPUs each worker runs one replica
        assert result["multi_worker"] and result["replicas"] >= 1
