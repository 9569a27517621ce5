"""`charles train` as a user runs it: simulator or recorded data -> balancer -> buffers -> trainer."""

import json

import numpy as np
import pytest

from charles_core import cli
from charles_core.data.recorded_dataset import RecordedDatasetWriter
from charles_core.data.sample import Sample
from charles_core.training.checkpoints import list_checkpoints


def _last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_on_the_simulator_then_resume(tmp_path, capsys):
    pytest.importorskip("gymnasium")
    common = [
        "--input-size",
        "61x64",
        "--capacity",
        "24",
        "--batch-per-buffer",
        "4",
        "--no-progress",
        "--run-root",
        str(tmp_path),
        "--checkpoint-every",
        "2",
    ]
    assert cli.main(["train", "charles_pilotnet_v1", "--batches", "3", *common]) == 0
    first = _last_json(capsys)
    assert first["batch"] == 3 and first["checkpoint"].endswith("charles_pilotnet_v1-batch00000003.keras")
    assert {"throttle_loss", "steering_loss"} <= set(first["losses"])
    assert cli.main(["train", "charles_pilotnet_v1", "--batches", "2", "--resume", first["checkpoint"], *common]) == 0
    second = _last_json(capsys)
    assert second["batch"] == 5


def test_train_on_a_recording(tmp_path, capsys):
    rng = np.random.default_rng(0)
    writer = RecordedDatasetWriter(tmp_path / "recording", (40, 48))
    for index in range(400):
        writer.append(
            Sample(
                rng.integers(0, 256, (40, 48, 3), dtype=np.uint8),
                throttle=float(rng.uniform(-1, 1)),
                steering=float(rng.uniform(-1, 1)),
                speed=5.0,
                timestamp=index / 30,
            )
        )
    writer.close()
    code = cli.main(
        [
            "train",
            "charles_pilotnet_v1",
            "--data",
            str(tmp_path / "recording"),
            "--input-size",
            "61x64",
            "--capacity",
            "21",
            "--batch-per-buffer",
            "2",
            "--batches",
            "2",
            "--bins",
            "coarse",
            "--no-progress",
            "--run-root",
            str(tmp_path / "runs"),
        ]
    )
    result = _last_json(capsys)
    assert code == 0 and result["batch"] == 2
    run_dirs = list((tmp_path / "runs").iterdir())
    assert [b for b, _ in list_checkpoints(run_dirs[0] / "checkpoints")] == [2]


def test_a_used_up_recording_is_a_clear_error(tmp_path, capsys):
    rng = np.random.default_rng(0)
    writer = RecordedDatasetWriter(tmp_path / "small", (40, 48))
    for _ in range(5):
        writer.append(Sample(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8), throttle=0.5, steering=0.0))
    writer.close()
    code = cli.main(
        [
            "train",
            "charles_pilotnet_v1",
            "--data",
            str(tmp_path / "small"),
            "--input-size",
            "61x64",
            "--capacity",
            "21",
            "--batch-per-buffer",
            "2",
            "--batches",
            "1",
            "--no-progress",
            "--run-root",
            str(tmp_path / "runs"),
        ]
    )
    err = capsys.readouterr().err  # checked before filling: 5 equal samples never fill the spec bins
    assert code == 2 and "never fill" in err and "--bins coarse" in err and len(err.strip().splitlines()) == 1
