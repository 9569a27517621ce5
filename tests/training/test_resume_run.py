"""`charles train --resume` continues the run: same directory, its buffers reopened, stale partial files gone."""

import json
import os
import re
import time

import numpy as np
import pytest
from PIL import Image

from charles_core import cli
from charles_core.training.checkpoint_info import CheckpointInfo
from charles_core.training.checkpoints import list_checkpoints


def _run(capsys, argv):
    code = cli.main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    return out, json.loads(out.strip().splitlines()[-1])


def test_resume_reuses_the_run_directory_and_its_buffers(tmp_path, capsys):
    pytest.importorskip("gymnasium")
    runs = tmp_path / "runs"
    common = [
        "--input-size",
        "61x64",
        "--batch-per-buffer",
        "4",
        "--no-progress",
        "--run-root",
        str(runs),
        "--checkpoint-every",
        "2",
        "--keep-buffers",
    ]
    # the buffers kept, as a killed run leaves them
    _, first = _run(capsys, ["train", "charles_pilotnet_v1", "--batches", "2", "--capacity", "24", *common])
    run_dir = next(runs.iterdir())
    checkpoints = run_dir / "checkpoints"
    partial = checkpoints / ".partial-killed.keras"
    partial.write_bytes(b"half a checkpoint")
    os.utime(partial, (time.time() - 60, time.time() - 60))  # from the killed run, not one being written
    # neither the line nor --capacity named: both come from the checkpoint
    out, second = _run(capsys, ["train", "--resume", first["checkpoint"], "--batches", "2", *common])
    found = re.search(r"reopened .*buffers: (\d+) samples found", out)
    # found before any new sample was collected: what the first run left (training draws without reuse)
    assert found and 0 < int(found[1]) <= 2 * 24
    assert f"run directory: {run_dir} (resumed)" in out
    assert [p.name for p in runs.iterdir()] == [run_dir.name]  # no second run directory
    assert not partial.exists()
    assert second["batch"] == 4 and second["line"] == "charles_pilotnet_v1"
    assert [b for b, _ in list_checkpoints(checkpoints)] == [2, 4]
    info = CheckpointInfo.read(second["checkpoint"])
    assert info.batch == 4 and info.input_size == (61, 64) and info.line.buffer_capacity == 24


@pytest.mark.slow
def test_a_backbone_override_drives_convcams_and_resumes_without_naming_the_line(tmp_path, capsys):
    """The issue's case: `--backbone mobilenet_v2`, then drive, convcam and resume from the checkpoint alone."""
    pytest.importorskip("gymnasium")
    runs = tmp_path / "runs"
    _, trained = _run(
        capsys,
        [
            "train",
            "charles_pilotnet_v1",
            "--backbone",
            "mobilenet_v2",
            "--input-size",
            "48x64",
            "--batches",
            "2",
            "--capacity",
            "12",
            "--batch-per-buffer",
            "2",
            "--no-progress",
            "--run-root",
            str(runs),
        ],
    )
    checkpoint = trained["checkpoint"]
    assert CheckpointInfo.read(checkpoint).line.backbone == "mobilenet_v2"

    _, drove = _run(
        capsys,
        [
            "drive",
            "--checkpoint",
            checkpoint,
            "--seeds",
            "3",
            "--max-steps",
            "50",
            "--json",
            "--rate-hz",
            "0",
            "--runtime",
            "keras",
        ],
    )
    assert drove["line"] == "charles_pilotnet_v1" and set(drove["per_seed"]) == {"3"}

    frame = tmp_path / "f.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)).save(frame)
    assert (
        cli.main(["convcam", "--checkpoint", checkpoint, "--frame", str(frame), "--output", str(tmp_path / "cam.png")])
        == 0
    )
    assert (tmp_path / "cam.png").stat().st_size > 0

    _, resumed = _run(capsys, ["train", "--resume", checkpoint, "--batches", "2", "--no-progress"])
    assert resumed["batch"] == 4
    assert CheckpointInfo.read(resumed["checkpoint"]).line.backbone == "mobilenet_v2"

    assert cli.main(["drive", "charles_pilotnet_v2", "--checkpoint", checkpoint]) == 2
    assert "belongs to line charles_pilotnet_v1, not charles_pilotnet_v2" in capsys.readouterr().err
