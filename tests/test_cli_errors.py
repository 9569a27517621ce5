"""The malformed-input table for CLI arguments (docs/errors.md, "CLI arguments").

Each row is a command a user could type with one bad value. Every one must end
with exit code 2, exactly one ``error:`` line naming the problem, no
traceback, and nothing written: the working directory (where the default
``charles_runs`` would go) and the given ``--run-root`` stay as they were.
"""

from __future__ import annotations

import errno
import os

import pytest

from charles_core import cli

LINE = "charles_pilotnet_v1"

# (id, argv, words the error line must contain). "RUNS" is replaced by a run root inside tmp_path,
# "FILE" by an existing regular file, "EMPTY" by an existing empty directory.
CASES = [
    ("train-data-missing", ["train", LINE, "--data", "/no/such/dir"], "not a directory"),
    ("train-data-not-recording", ["train", LINE, "--data", "EMPTY"], "manifest.json"),
    ("train-capacity-0", ["train", LINE, "--capacity", "0"], "--capacity: must be a positive integer"),
    ("train-capacity-negative", ["train", LINE, "--capacity", "-1"], "--capacity: must be a positive integer"),
    ("train-capacity-text", ["train", LINE, "--capacity", "lots"], "--capacity: must be a positive integer"),
    ("train-capacity-over-disk", ["train", LINE, "--capacity", "1000000000", "--batch-per-buffer", "1"], "GiB free"),
    ("train-batch-over-capacity", ["train", LINE, "--capacity", "20"], "more than a buffer holds"),
    ("train-checkpoint-every-0", ["train", LINE, "--checkpoint-every", "0"], "--checkpoint-every: must be a positive"),
    ("train-batch-per-buffer-0", ["train", LINE, "--batch-per-buffer", "0"], "--batch-per-buffer: must be a positive"),
    ("train-seeds-empty", ["train", LINE, "--seeds", ""], "at least one"),
    ("train-seeds-hole", ["train", LINE, "--seeds", "1,,2"], "empty seed"),
    ("train-seeds-negative", ["train", LINE, "--seeds", "-3"], "--seeds: must be comma-separated integers"),
    ("train-seed-huge", ["train", LINE, "--seed", str(2**40)], "--seed: must be an integer from 0"),
    ("train-run-root-file", ["train", LINE, "--run-root", "FILE"], "is not a directory"),
    ("train-batches-0", ["train", LINE, "--batches", "0"], "--batches: must be a positive integer"),
    ("train-minutes-negative", ["train", LINE, "--minutes", "-1"], "--minutes: must be a positive number"),
    ("train-minutes-nan", ["train", LINE, "--minutes", "nan"], "--minutes: must be a positive number"),
    ("train-size-huge", ["train", LINE, "--input-size", "4000x4000"], "too large"),
    ("train-size-zero", ["train", LINE, "--input-size", "0x10"], "must be positive"),
    ("train-size-text", ["train", LINE, "--input-size", "big"], "HEIGHTxWIDTH"),
    ("train-size-below-backbone", ["train", LINE, "--input-size", "50x50"], "minimum side"),
    ("train-resume-missing", ["train", "--resume", "nope.keras"], "does not exist"),
    ("train-source-missing", ["train", LINE, "--source", "backbone=nope.keras"], "no such file"),
    ("train-source-malformed", ["train", LINE, "--source", "nope"], "PART=PATH"),
    ("train-no-line", ["train"], "name the line"),
    ("train-unknown-line", ["train", "charles_pilotnet_v9"], "unknown line"),
    ("quickstart-minutes-0", ["quickstart", "--minutes", "0"], "--minutes: must be a positive number"),
    ("quickstart-capacity-0", ["quickstart", "--capacity", "0"], "--capacity: must be a positive integer"),
    ("quickstart-path-unknown", ["quickstart", "--path", "ray"], "--path: invalid choice: 'ray'"),
    ("summary-size-4000", ["summary", LINE, "--input-size", "4000x4000"], "too large"),
    ("summary-size-100000", ["summary", LINE, "--input-size", "100000x100000"], "too large"),
    ("summary-size-below-backbone", ["summary", LINE, "--input-size", "50x50"], "minimum side"),
    ("summary-unknown-line", ["summary", "charles_pilotnet_v9"], "unknown line"),
    ("summary-source-malformed", ["summary", LINE, "--source", "x"], "PART=PATH"),
    ("plot-into-missing-dir", ["plot", LINE, "/no/such/dir/plot.png"], "does not exist"),
    ("drive-checkpoint-missing", ["drive", "--checkpoint", "nope.keras"], "does not exist"),
    ("drive-seeds-empty", ["drive", "--checkpoint", "FILE", "--seeds", ""], "at least one"),
    ("drive-port-0", ["drive", "--checkpoint", "FILE", "--link-port", "0"], "TCP port"),
    ("drive-port-huge", ["drive", "--checkpoint", "FILE", "--link-port", "70000"], "TCP port"),
    ("drive-rate-negative", ["drive", "--checkpoint", "FILE", "--rate-hz", "-1"], "--rate-hz: must be a number >= 0"),
    ("drive-max-steps-0", ["drive", "--checkpoint", "FILE", "--max-steps", "0"], "--max-steps: must be a positive"),
    ("drive-region-short", ["drive", "--checkpoint", "FILE", "--region", "1,2,3"], "LEFT,TOP,WIDTH,HEIGHT"),
    ("drive-link-wait-0", ["drive", "--checkpoint", "FILE", "--link-wait", "0"], "--link-wait: must be a positive"),
    ("convcam-frame-missing", ["convcam", "--checkpoint", "FILE", "--frame", "nope.png"], "does not exist"),
    ("eval-checkpoint-missing", ["eval", "--checkpoint", "nope.keras"], "does not exist"),
    ("eval-tracks-0", ["eval", "--checkpoint", "FILE", "--tracks", "0"], "positive integer"),
    (
        "eval-max-steps-0",
        ["eval", "--checkpoint", "FILE", "--max-steps", "0"],
        "argument --max-steps: must be a positive integer",
    ),
    (
        "eval-npc-speed-negative",
        ["eval", "--checkpoint", "FILE", "--npc-speed", "-1"],
        "argument --npc-speed: must be a positive number",
    ),
    ("data-inspect-missing", ["data", "inspect", "/no/such/dir"], "is not a directory"),
    ("data-check-missing", ["data", "check", "/no/such/dir"], "is not a directory"),
    ("bench-buffers-capacity-0", ["bench", "buffers", "--capacity", "0"], "--capacity: must be a positive"),
    ("bench-buffers-size-huge", ["bench", "buffers", "--frame-size", "9999x9999"], "too large"),
    ("bench-train-batches-0", ["bench", "train", LINE, "--batches", "0"], "--batches: must be a positive"),
    ("bench-drive-warmup-negative", ["bench", "drive", LINE, "--warmup", "-1"], "--warmup: must be an integer >= 0"),
    ("bench-capture-frames-0", ["bench", "capture", "--frames", "0"], "--frames: must be a positive"),
    ("live-pause-fill-above-1", ["live", "--pause-fill", "1.5"], "--pause-fill: must be a number in (0, 1]"),
    ("quickstart-select-from-0", ["quickstart", "--select-from", "0"], "--select-from: must be a positive"),
    (
        "quickstart-weight-average-1",
        ["quickstart", "--weight-average", "1"],
        "--weight-average: must be a number in [0, 1) (0: off)",
    ),
    ("train-weight-average-nan", ["train", LINE, "--weight-average", "nan"], "--weight-average: must be a number"),
    (
        "eval-traction-control-0",
        ["eval", "--checkpoint", "x.keras", "--traction-control", "0"],
        "--traction-control: must be a positive number or 'off'",
    ),
]


def _snapshot(root) -> dict:
    return {
        os.path.join(d, f): os.stat(os.path.join(d, f)).st_size
        for d, dirs, files in os.walk(root)
        for f in files + dirs
    }


def run_cli(argv, capsys) -> tuple[int, str, str]:
    """``charles argv`` in this process: exit code, stdout, stderr (argparse exits through SystemExit)."""
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, words", [pytest.param(a, w, id=i) for i, a, w in CASES])
def test_a_bad_argument_is_one_line_exit_2_and_writes_nothing(argv, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("not a directory, not a checkpoint")
    (tmp_path / "empty").mkdir()
    runs = tmp_path / "runs"
    runs.mkdir()
    names = {"FILE": str(tmp_path / "file"), "EMPTY": str(tmp_path / "empty")}
    argv = [names.get(a, a) for a in argv]
    if argv[0] in ("train", "quickstart") and "--run-root" not in argv:
        argv += ["--run-root", str(runs)]
    before = _snapshot(tmp_path)
    code, _, err = run_cli(argv, capsys)
    errors = [line for line in err.splitlines() if "error:" in line]
    assert code == 2, err
    assert len(errors) == 1 and words in errors[0], err
    assert "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_a_failed_start_removes_the_run_directory_it_made(tmp_path, monkeypatch, capsys):
    from charles_core.cli import train_commands as training_cli

    def fail_after_making_the_run_dir(args, started):
        from charles_core.collect.data_pipeline import default_run_dir

        started.append(default_run_dir(args.run_root, LINE))
        (started[0] / "buffers").mkdir()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(training_cli, "_train", fail_after_making_the_run_dir)
    code, _, err = run_cli(["train", LINE, "--run-root", str(tmp_path / "runs")], capsys)
    assert code == 2 and err.startswith("charles: error: no space left") and "GiB free" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()  # the run root it created is gone too


def test_two_runs_started_in_the_same_second_get_their_own_directories(tmp_path, monkeypatch):
    import time

    from charles_core.collect.data_pipeline import default_run_dir

    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "20260101-000000")
    first, second, third = (default_run_dir(tmp_path, LINE) for _ in range(3))
    assert len({first, second, third}) == 3 and all(p.is_dir() for p in (first, second, third))
    assert second.name == f"{LINE}-20260101-000000-2"


def test_a_run_root_that_is_a_file_is_a_storage_error(tmp_path):
    from charles_core.collect.data_pipeline import default_run_dir
    from charles_core.errors import StorageError

    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="not a directory"):
        default_run_dir(tmp_path / "file", LINE)


def test_every_row_is_in_docs_errors_md():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text()
    table = text[text.index("### CLI arguments") :]
    missing = [
        ident
        for ident, argv, _ in CASES
        if "`charles " + " ".join(a if a and " " not in a else repr(a) for a in argv) + "`" not in table
    ]
    assert not missing, f"docs/errors.md's CLI table lacks {missing}"
