import argparse
import json

import numpy as np
import pytest

from charles_core.cli.data_commands import add_data_commands
from charles_core.data.recorded_dataset import (
    LABELS_DTYPE,
    RecordedDataset,
    RecordedDatasetWriter,
    inspect_dataset,
)
from charles_core.errors import DataError, StorageError
from tests.data.data_samples import SHAPE, check_sample_matches, sample_for


def record(path, n=20, labels_format="npy"):
    with RecordedDatasetWriter(path, SHAPE[:2], labels_format=labels_format) as writer:
        for i in range(n):
            writer.append(sample_for(i))
    return path


@pytest.mark.parametrize("fmt", ["npy", "csv"])
def test_round_trip(tmp_path, fmt):
    path = record(tmp_path / "rec", labels_format=fmt)
    dataset = RecordedDataset(path, verify_frames=True)
    assert len(dataset) == 20 and dataset.frame_shape == SHAPE and dataset.has_checksums
    assert [check_sample_matches(s) for s in dataset] == list(range(20))
    assert dataset.frames.shape == (20, *SHAPE) and not dataset.frames.flags.writeable
    arrays = dataset.label_arrays()
    assert np.allclose(arrays["braking"], np.maximum(-arrays["throttle"], 0))
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["count"] == 20 and manifest["labels_file"] == f"labels.{fmt}"


def test_writer_checks(tmp_path):
    with RecordedDatasetWriter(tmp_path / "w", SHAPE[:2]) as writer:
        with pytest.raises(DataError, match="shape"):
            writer.append(sample_for(0, shape=(6, 8, 3)))
        writer.append(sample_for(5))
        with pytest.raises(DataError, match="back in time"):
            writer.append(sample_for(4))
    with pytest.raises(StorageError, match="already holds"):
        RecordedDatasetWriter(tmp_path / "w", SHAPE[:2])
    with pytest.raises(DataError, match="labels_format"):
        RecordedDatasetWriter(tmp_path / "x", SHAPE[:2], labels_format="parquet")


def rewrite_manifest(path, **changes):
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    (path / "manifest.json").write_text(json.dumps(manifest))


def save_labels(path, labels):
    np.save(path / "labels.npy", labels, allow_pickle=False)


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda p: (p / "manifest.json").unlink(), ["manifest.json", "not found"]),
        (lambda p: (p / "manifest.json").write_text("{oops"), ["manifest.json", "cannot read"]),
        (lambda p: rewrite_manifest(p, format="zip"), ["manifest.json", "format"]),
        (lambda p: rewrite_manifest(p, version=9), ["manifest.json", "version"]),
        (lambda p: rewrite_manifest(p, count=-1), ["manifest.json", "count"]),
        (lambda p: rewrite_manifest(p, frame_width="16"), ["manifest.json", "frame_width"]),
        (lambda p: rewrite_manifest(p, labels_file="../labels.npy"), ["manifest.json", "labels_file"]),
        (lambda p: rewrite_manifest(p, labels_file="labels.txt"), ["manifest.json", ".npy or .csv"]),
        (lambda p: rewrite_manifest(p, count=21), ["frames.u8", "truncated"]),
        (lambda p: (p / "frames.u8").write_bytes((p / "frames.u8").read_bytes()[:-7]), ["frames.u8", "truncated"]),
        (lambda p: (p / "frames.u8").unlink(), ["frames.u8", "cannot read"]),
        (lambda p: (p / "labels.npy").write_bytes(b"\x93NUMPY garbage"), ["labels.npy", "cannot read"]),
        (
            lambda p: (p / "labels.npy").write_bytes((p / "labels.npy").read_bytes()[:-40]),
            ["labels.npy", "cannot read"],
        ),
        (lambda p: np.save(p / "labels.npy", np.array([{"a": 1}] * 20, dtype=object)), ["labels.npy"]),
        (lambda p: save_labels(p, np.zeros(20, np.float32)), ["labels.npy", "fields"]),
        (lambda p: save_labels(p, np.zeros(19, LABELS_DTYPE)), ["labels.npy", "19 rows"]),
        (lambda p: save_labels(p, _labels_with(p, "throttle", 3, np.nan)), ["labels.npy", "row 3", "throttle"]),
        (lambda p: save_labels(p, _labels_with(p, "steering", 4, 1.5)), ["labels.npy", "row 4", "steering"]),
        (lambda p: save_labels(p, _labels_with(p, "speed", 5, -1.0)), ["labels.npy", "row 5", "speed"]),
        (lambda p: save_labels(p, _labels_with(p, "timestamp", 6, 0.5)), ["labels.npy", "back in time at row 6"]),
    ],
)
def test_damaged_recordings_raise_storage_error_naming_the_file(tmp_path, damage, words):
    path = record(tmp_path / "rec")
    damage(path)
    with pytest.raises(StorageError) as info:
        RecordedDataset(path)
    for word in words:
        assert word in str(info.value)


def _labels_with(path, field, row, value):
    labels = np.load(path / "labels.npy", allow_pickle=False)
    labels[field][row] = value
    return labels


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda text: text.replace("timestamp,", "time,", 1), ["labels.csv", "lacks columns", "timestamp"]),
        (lambda text: text.replace("\n", "\n1.0,abc,0,0,0,0,0\n", 1), ["labels.csv", "line 2"]),
        (lambda text: "", ["labels.csv", "empty"]),
    ],
)
def test_damaged_csv_labels(tmp_path, damage, words):
    path = record(tmp_path / "rec", labels_format="csv")
    csv_path = path / "labels.csv"
    csv_path.write_text(damage(csv_path.read_text()))
    with pytest.raises(StorageError) as info:
        RecordedDataset(path)
    for word in words:
        assert word in str(info.value)


def test_corrupt_frame_detected_by_checksum(tmp_path):
    path = record(tmp_path / "rec")
    data = bytearray((path / "frames.u8").read_bytes())
    data[7 * int(np.prod(SHAPE)) + 3] ^= 0xFF
    (path / "frames.u8").write_bytes(bytes(data))
    dataset = RecordedDataset(path)  # sizes fine: frames are checked as they are read
    check_sample_matches(dataset[6])
    with pytest.raises(StorageError, match=r"frames\.u8: frame 7 is corrupt"):
        dataset[7]
    with pytest.raises(StorageError, match="frame 7"):
        RecordedDataset(path, verify_frames=True)
    with pytest.raises(IndexError):
        dataset.frame(20)


def test_user_produced_recording_without_checksums(tmp_path):
    path = tmp_path / "own"
    path.mkdir()
    frames = np.stack([sample_for(i).frame for i in range(3)])
    frames.tofile(path / "frames.u8")
    (path / "labels.csv").write_text(
        "timestamp,throttle,steering,speed,purpose_distance,purpose_direction\n"
        "0.0,1.0,0.0,5,10,0\n0.033,-0.5,0.25,5.5,9.8,0\n0.066,0.0,-1.0,6,9.6,0.1\n"
    )
    (path / "manifest.json").write_text(
        json.dumps(
            {
                "format": "charles-recording",
                "version": 1,
                "frame_height": SHAPE[0],
                "frame_width": SHAPE[1],
                "count": 3,
                "frames_file": "frames.u8",
                "labels_file": "labels.csv",
            }
        )
    )
    dataset = RecordedDataset(path, verify_frames=True)
    assert not dataset.has_checksums and dataset[1].throttle == -0.5
    assert np.array_equal(dataset[2].frame, frames[2])


def test_inspect_counts_and_cli(tmp_path, capsys):
    path = record(tmp_path / "rec", n=30)
    summary = inspect_dataset(path)
    assert summary["count"] == 30 and summary["frame_shape"] == list(SHAPE)
    assert summary["duration_s"] == pytest.approx(29.0)
    throttle = summary["outputs"]["throttle"]
    assert len(throttle["bins"]) == 21 and sum(throttle["counts"]) == 30
    assert len(summary["outputs"]["braking"]["counts"]) == 12
    expected = np.array([sample_for(i).throttle for i in range(30)])
    assert throttle["min"] == pytest.approx(expected.min())
    assert throttle["max"] == pytest.approx(expected.max(), abs=1e-6)

    parser = argparse.ArgumentParser(prog="charles")
    add_data_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["data", "inspect", str(path), "--json", "--plot", str(tmp_path / "h.png")])
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["count"] == 30 and (tmp_path / "h.png").stat().st_size > 1000
    args = parser.parse_args(["data", "inspect", str(path)])
    assert args.func(args) == 0 and "30 frames" in capsys.readouterr().out
    args = parser.parse_args(["data", "inspect", str(tmp_path / "missing")])
    with pytest.raises(StorageError, match="not a directory"):  # the charles CLI prints it, exit 2
        args.func(args)
    (path / "manifest.json").unlink()
    args = parser.parse_args(["data", "inspect", str(path)])
    with pytest.raises(StorageError, match="manifest.json"):
        args.func(args)
