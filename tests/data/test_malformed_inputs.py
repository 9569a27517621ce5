"""The malformed-input table of the data layer: one row per case and file type.

Each row damages a valid recording or buffer set the way a careless program or
an attacker would, then asserts that:

* opening it raises a named error (the exception type, through the API);
* ``charles data check`` and ``charles data inspect`` exit 2 with one-line
  ``charles: error:`` messages, without a traceback, and never hang;
* nothing is written: every file in the directory (and outside it, for the
  symlink rows) keeps its bytes and mtime, and no file appears or vanishes;
* nothing is lost: where the damage can be undone, the set's samples are all
  still there afterwards.

Rows marked ``write`` also check that opening the damaged set for *writing*
(what training does) refuses instead of wiping or following a link.
"""

import hashlib
import json
import os
import pathlib
import shutil
import signal

import numpy as np
import pytest

from charles_core import cli
from charles_core.data.buffer_set import BufferSet
from charles_core.data.recorded_dataset import LABELS_DTYPE, RecordedDataset, RecordedDatasetWriter
from charles_core.errors import ConfigError, StorageError
from tests.data.data_samples import SHAPE, check_sample_matches, sample_for

OUTPUTS = ("throttle", "steering")
CAPACITY = 6


@pytest.fixture(autouse=True)
def _no_hang():
    """A hang (a FIFO read, a huge allocation) fails the test instead of blocking the suite."""

    def expire(*_):
        raise TimeoutError("the command hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def make_recording(path, labels_format="npy", n=20):
    with RecordedDatasetWriter(path, SHAPE[:2], labels_format=labels_format) as writer:
        for i in range(n):
            writer.append(sample_for(i))
    return path


def make_buffers(path):
    with BufferSet(path, OUTPUTS, SHAPE[:2], capacity=CAPACITY) as buffers:
        for i in range(CAPACITY):
            for b, name in enumerate(OUTPUTS):
                buffers.add(name, sample_for(2 * i + b))
    return path


def snapshot(root) -> dict:
    """Path -> (kind, sha256 or link target, mtime) of everything under ``root``, links not followed."""
    state = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if os.path.islink(path):
                state[path] = ("link", os.readlink(path), info.st_mtime_ns)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    state[path] = ("file", hashlib.sha256(f.read()).hexdigest(), info.st_mtime_ns)
            else:
                state[path] = ("other", None, info.st_mtime_ns if os.path.isdir(path) and not dirs else None)
    return state


# -- damage --------------------------------------------------------------------------------------------


def edit_json(path, **changes):
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def fifo(path):
    path.unlink()
    os.mkfifo(path)


def npy_claiming_rows(path, rows):
    """A .npy whose header claims ``rows`` rows but holds only a few bytes of data."""
    from numpy.lib import format as npy_format

    with open(path, "wb") as f:
        npy_format.write_array_header_1_0(
            f, {"descr": npy_format.dtype_to_descr(LABELS_DTYPE), "fortran_order": False, "shape": (rows,)}
        )
        f.write(b"\0" * 64)


def long_csv_field(path):
    text = path.read_text().splitlines()
    fields = text[1].split(",")
    fields[1] = "0." + "1" * (130 * 1024)  # over csv's 128 KiB field limit
    text[1] = ",".join(fields)
    path.write_text("\n".join(text) + "\n")


def symlink_frames_outside(root, store):
    """Move a store's frames file outside the set and leave a symlink to it."""
    outside = root / "outside"
    outside.mkdir()
    target = outside / "frames.u8"
    shutil.move(store / "frames.u8", target)
    os.symlink(target, store / "frames.u8")


def unsymlink_frames(root, store):
    (store / "frames.u8").unlink()
    shutil.move(root / "outside" / "frames.u8", store / "frames.u8")


def hide_layout(root, store):
    shutil.move(store / "layout.json", root / "saved-layout.json")


def restore_layout(root, store):
    shutil.move(root / "saved-layout.json", store / "layout.json")


def huge_capacity_everywhere(root, data, capacity=10**7):
    edit_json(data / "buffers.json", capacity=capacity)
    for name in OUTPUTS:
        edit_json(data / name / "layout.json", capacity=capacity)


# rows: (id, kind, damage(root, data) , write-mode must refuse too, repair(root, data) or None, words)
REC, BUF = "recording", "buffers"
CASES = [
    # recording manifest
    ("manifest-fifo", REC, lambda r, d: fifo(d / "manifest.json"), False, None, ["manifest.json", "FIFO"]),
    (
        "manifest-nested",
        REC,
        lambda r, d: (d / "manifest.json").write_text("[" * 200_000 + "]" * 200_000),
        False,
        None,
        ["manifest.json", "nested"],
    ),
    (
        "manifest-nested-dict",
        REC,
        lambda r, d: (d / "manifest.json").write_text('{"a":' * 40 + "1" + "}" * 40),
        False,
        None,
        ["manifest.json", "nested"],
    ),
    (
        "manifest-huge",
        REC,
        lambda r, d: (d / "manifest.json").write_text(" " * (2 << 20) + "{}"),
        False,
        None,
        ["manifest.json", "larger than"],
    ),
    (
        "manifest-a-directory",
        REC,
        lambda r, d: ((d / "manifest.json").unlink(), (d / "manifest.json").mkdir()),
        False,
        None,
        ["manifest.json", "directory"],
    ),
    (
        "manifest-device",
        REC,
        lambda r, d: ((d / "manifest.json").unlink(), os.symlink("/dev/zero", d / "manifest.json")),
        False,
        None,
        ["manifest.json", "device"],
    ),
    (
        "manifest-frame-overflow",
        REC,
        lambda r, d: edit_json(d / "manifest.json", frame_height=2**62, frame_width=2**62),
        False,
        None,
        ["manifest.json", "frame_height"],
    ),
    (
        "manifest-size-overflows-int64",
        REC,
        lambda r, d: edit_json(d / "manifest.json", frame_height=65_535, frame_width=65_535, count=2**40),
        False,
        None,
        ["manifest.json", "count"],
    ),
    (
        "manifest-largest-sizes",
        REC,
        lambda r, d: edit_json(d / "manifest.json", frame_height=65_535, frame_width=65_535, count=10**7),
        False,
        None,
        ["frames.u8", "truncated"],
    ),
    (
        "manifest-not-an-object",
        REC,
        lambda r, d: (d / "manifest.json").write_text("[1, 2]"),
        False,
        None,
        ["manifest.json", "object"],
    ),
    (
        "manifest-giant-int",
        REC,
        lambda r, d: (d / "manifest.json").write_text('{"count": ' + "9" * 5000 + "}"),
        False,
        None,
        ["manifest.json"],
    ),
    # labels (npy)
    (
        "npy-claims-1e11-rows",
        REC,
        lambda r, d: npy_claiming_rows(d / "labels.npy", 10**11),
        False,
        None,
        ["labels.npy", "header claims"],
    ),
    ("npy-fifo", REC, lambda r, d: fifo(d / "labels.npy"), False, None, ["labels.npy", "FIFO"]),
    (
        "npy-pickle",
        REC,
        lambda r, d: np.save(d / "labels.npy", np.array([{"a": 1}] * 20, dtype=object)),
        False,
        None,
        ["labels.npy", "pickles"],
    ),
    (
        "npy-not-npy",
        REC,
        lambda r, d: (d / "labels.npy").write_bytes(b"\x93NUMPY\x09\x00" + b"\xff" * 50),
        False,
        None,
        ["labels.npy", "cannot read"],
    ),
    # frames file
    ("frames-fifo", REC, lambda r, d: fifo(d / "frames.u8"), False, None, ["frames.u8", "FIFO"]),
    ("frames-truncated", REC, lambda r, d: os.truncate(d / "frames.u8", 100), False, None, ["frames.u8", "truncated"]),
    (
        "frames-a-directory",
        REC,
        lambda r, d: ((d / "frames.u8").unlink(), (d / "frames.u8").mkdir()),
        False,
        None,
        ["frames.u8", "directory"],
    ),
    # buffer set
    (
        "set-without-store-layout",
        BUF,
        lambda r, d: hide_layout(r, d / "steering"),
        True,
        lambda r, d: restore_layout(r, d / "steering"),
        ["layout.json"],
    ),
    (
        "set-frames-symlink-outside",
        BUF,
        lambda r, d: symlink_frames_outside(r, d / "steering"),
        True,
        lambda r, d: unsymlink_frames(r, d / "steering"),
        ["frames.u8", "symlink"],
    ),
    ("set-store-deleted", BUF, lambda r, d: shutil.rmtree(d / "steering"), False, None, ["steering", "missing"]),
    (
        "set-huge-capacity",
        BUF,
        lambda r, d: edit_json(d / "buffers.json", capacity=10**9),
        True,
        lambda r, d: edit_json(d / "buffers.json", capacity=CAPACITY),
        ["capacity"],
    ),
    ("set-huge-capacity-everywhere", BUF, huge_capacity_everywhere, False, None, ["frames.u8", "bytes"]),
    (
        "set-capacity-over-the-bound",
        BUF,
        lambda r, d: huge_capacity_everywhere(r, d, 10**9),
        False,
        None,
        ["buffers.json", "capacity must be an integer in [1, 10,000,000]"],
    ),
    (
        "set-records-truncated",
        BUF,
        lambda r, d: os.truncate(d / "steering" / "records.bin", 50),
        False,
        None,
        ["records.bin", "bytes"],
    ),
    ("set-file-fifo", BUF, lambda r, d: fifo(d / "buffers.json"), False, None, ["buffers.json", "FIFO"]),
    (
        "set-file-nested",
        BUF,
        lambda r, d: (d / "buffers.json").write_text('{"a":' * 50_000 + "}" * 50_000),
        False,
        None,
        ["buffers.json", "nested"],
    ),
    (
        "set-bad-frame-shape",
        BUF,
        lambda r, d: edit_json(d / "buffers.json", frame_shape=[-1, 16, 3]),
        False,
        None,
        ["buffers.json", "frame_shape"],
    ),
    (
        "set-huge-history",
        BUF,
        lambda r, d: edit_json(d / "buffers.json", history={"steering": [10**12]}),
        False,
        None,
        ["buffers.json", "history"],
    ),
    (
        "set-capacity-string",
        BUF,
        lambda r, d: edit_json(d / "buffers.json", capacity="many"),
        False,
        None,
        ["buffers.json", "capacity"],
    ),
    (
        "set-store-is-a-file",
        BUF,
        lambda r, d: (shutil.rmtree(d / "steering"), (d / "steering").write_text("x")),
        True,
        None,
        ["steering", "not a directory"],
    ),
    (
        "set-store-layout-fifo",
        BUF,
        lambda r, d: fifo(d / "steering" / "layout.json"),
        False,
        None,
        ["layout.json", "FIFO"],
    ),
]
CSV_CASES = [
    ("csv-field-over-128k", REC, lambda r, d: long_csv_field(d / "labels.csv"), False, None, ["labels.csv", "field"]),
    (
        "csv-too-large",
        REC,
        lambda r, d: (d / "labels.csv").write_text("x" * (4 << 20)),
        False,
        None,
        ["labels.csv", "bytes"],
    ),
    ("csv-fifo", REC, lambda r, d: fifo(d / "labels.csv"), False, None, ["labels.csv", "FIFO"]),
    (
        "csv-extra-rows",
        REC,
        lambda r, d: (d / "labels.csv").write_text((d / "labels.csv").read_text() + "1e9,0,0,0,0,0,0\n" * 3),
        False,
        None,
        ["labels.csv", "more than 20 rows"],
    ),
    (
        "csv-bad-crc",
        REC,
        lambda r, d: (d / "labels.csv").write_text(
            (d / "labels.csv").read_text().replace("\n", "\n", 1)[:-1] + "9" * 400 + "\n"
        ),
        False,
        None,
        ["labels.csv", "frame_crc32"],
    ),
]


def _all_readable(data):
    """Every sample of the restored set, opened for writing as training does."""
    with BufferSet(data, OUTPUTS, SHAPE[:2], capacity=CAPACITY) as buffers:
        assert buffers.counts() == {name: CAPACITY for name in OUTPUTS}
        for name in OUTPUTS:
            assert len([check_sample_matches(s) for s in buffers.samples(name)]) == CAPACITY


@pytest.mark.parametrize("case", CASES + CSV_CASES, ids=[c[0] for c in CASES + CSV_CASES])
def test_malformed_input_is_refused_without_writing(tmp_path, capsys, case):
    name, kind, damage, write_refuses, repair, words = case
    data = tmp_path / "data"
    if kind == REC:
        make_recording(data, labels_format="csv" if name.startswith("csv") else "npy")
    else:
        make_buffers(data)
    damage(tmp_path, data)
    before = snapshot(tmp_path)

    with pytest.raises(StorageError) as info:
        RecordedDataset(data) if kind == REC else BufferSet.open_existing(data)
    assert all(word in str(info.value) for word in words), str(info.value)
    assert "\n" not in str(info.value)

    for command in (
        ["data", "check", str(data)],
        ["data", "check", str(data), "--verify", "--json"],
        ["data", "inspect", str(data)],
        ["data", "inspect", str(data), "--verify"],
    ):
        code = cli.main(command)
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert code == 2, (command, captured)
        assert lines and all(line.startswith("charles: error: ") for line in lines), captured.err
        assert "Traceback" not in captured.err
        if command[1] == "inspect":
            assert len(lines) == 1

    if write_refuses:  # what training does: refuses too (ConfigError when the settings differ)
        with pytest.raises((StorageError, ConfigError)) as info:
            BufferSet(data, OUTPUTS, SHAPE[:2], capacity=CAPACITY)
        assert "\n" not in str(info.value)
    assert snapshot(tmp_path) == before, "a refused input changed files on disk"
    if repair is not None:
        repair(tmp_path, data)
        _all_readable(data)


def test_inspect_and_check_of_a_valid_set_write_nothing(tmp_path, capsys):
    data = make_buffers(tmp_path / "data")
    before = snapshot(tmp_path)
    assert cli.main(["data", "inspect", str(data), "--verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["corrupt"] == {"throttle": 0, "steering": 0}
    assert cli.main(["data", "check", str(data), "--verify", "--no-progress"]) == 0
    assert "OK" in capsys.readouterr().out
    assert snapshot(tmp_path) == before
    _all_readable(data)


def test_check_lists_each_problem_class_and_leaves_corrupt_slots_on_disk(tmp_path, capsys):
    data = make_buffers(tmp_path / "data")
    with open(data / "steering" / "frames.u8", "r+b") as f:  # two frames damaged, one record torn
        for slot in (0, 3):
            f.seek(slot * int(np.prod(SHAPE)) + 5)
            f.write(b"\xff\xfe")
    with open(data / "throttle" / "records.bin", "r+b") as f:
        f.seek(20)
        f.write(b"\x01\x02\x03")
    before = snapshot(tmp_path)
    assert cli.main(["data", "check", str(data), "--verify", "--no-progress"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert "buffer steering: 2 corrupt frame(s)" in lines[1] or "buffer steering: 2 corrupt frame(s)" in lines[0]
    assert any("buffer throttle: 1 corrupt record(s)" in line for line in lines)
    assert cli.main(["data", "check", str(data), "--json"]) == 2  # without --verify: the record only
    report = json.loads(capsys.readouterr().out)
    assert len(report["problems"]) == 1 and not report["frames_verified"]
    assert snapshot(tmp_path) == before


def test_check_recording_verifies_every_frame_and_label(tmp_path, capsys):
    data = make_recording(tmp_path / "rec")
    assert cli.main(["data", "check", str(data), "--verify", "--no-progress"]) == 0
    assert "every frame verified" in capsys.readouterr().out
    labels = np.load(data / "labels.npy")
    labels["throttle"][[2, 7]] = np.nan
    labels["steering"][4] = 3.0
    np.save(data / "labels.npy", labels)
    with open(data / "frames.u8", "r+b") as f:
        f.seek(int(np.prod(SHAPE)) * 9)
        f.write(b"\x00\x01\x02")
    before = snapshot(tmp_path)
    assert cli.main(["data", "check", str(data), "--verify", "--no-progress"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3, lines
    assert "row 2 has a non-finite throttle" in lines[0] and "(2 rows in all)" in lines[0]
    assert "row 4 has steering=3.0" in lines[1]
    assert "1 of 20 frames fail their checksum (first: frame 9)" in lines[2]
    assert snapshot(tmp_path) == before


def test_check_of_something_else_is_one_line(tmp_path, capsys):
    assert cli.main(["data", "check", str(tmp_path)]) == 2
    assert "neither a recording" in capsys.readouterr().err
    assert cli.main(["data", "check", str(tmp_path / "nothing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_the_writers_empty_recording_opens_and_checks(tmp_path, capsys):
    for fmt in ("npy", "csv"):
        data = make_recording(tmp_path / fmt, labels_format=fmt, n=0)
        dataset = RecordedDataset(data, verify_frames=True)
        assert len(dataset) == 0 and list(dataset) == []
        assert cli.main(["data", "check", str(data), "--verify"]) == 0
        assert cli.main(["data", "inspect", str(data), "--json"]) == 0
        assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["count"] == 0


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path):
    data = make_recording(tmp_path / "rec", labels_format="csv")
    (data / "labels.csv").write_bytes(b"\xef\xbb\xbf" + (data / "labels.csv").read_bytes())
    dataset = RecordedDataset(data, verify_frames=True)
    assert [check_sample_matches(s) for s in dataset] == list(range(20))


def test_a_file_in_the_way_of_a_writer_is_one_line(tmp_path):
    (tmp_path / "rec").write_text("x")
    with pytest.raises(StorageError, match="exists and is not a directory"):
        RecordedDatasetWriter(tmp_path / "rec", SHAPE[:2])
    with pytest.raises(StorageError, match="exists and is not a directory"):
        BufferSet(tmp_path / "rec", OUTPUTS, SHAPE[:2], capacity=CAPACITY)


def test_writers_refuse_symlinks(tmp_path):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"keep me")
    (tmp_path / "rec").mkdir()
    os.symlink(outside, tmp_path / "rec" / "frames.u8")
    with pytest.raises(StorageError, match="symlink"):
        RecordedDatasetWriter(tmp_path / "rec", SHAPE[:2])
    store = tmp_path / "set" / "steering"
    store.mkdir(parents=True)
    os.symlink(outside, store / "frames.u8")
    with pytest.raises(StorageError, match="symlink"):
        BufferSet(tmp_path / "set", OUTPUTS, SHAPE[:2], capacity=CAPACITY)
    assert outside.read_bytes() == b"keep me"


def test_a_set_in_use_by_a_trainer_is_not_read(tmp_path, capsys):
    data = make_buffers(tmp_path / "data")
    with BufferSet(data, OUTPUTS, SHAPE[:2], capacity=CAPACITY):  # the writer holds the lock
        assert cli.main(["data", "check", str(data)]) == 2
        assert "open in another process" in capsys.readouterr().err
    assert cli.main(["data", "check", str(data)]) == 0


def test_check_finds_out_of_range_history_in_a_buffer(tmp_path, capsys):
    import zlib

    from charles_core.data.sample_store import record_dtype

    data = tmp_path / "data"
    history = {"steering": np.zeros(4, np.float32)}
    with BufferSet(data, OUTPUTS, SHAPE[:2], capacity=2, history_shapes={"steering": (4,)}) as buffers:
        buffers.add("steering", sample_for(1, history=history))
    path = data / "steering" / "records.bin"
    records = np.fromfile(path, record_dtype({"steering": (4,)}))
    records["history_steering"][0, 2] = 7.0  # a writer outside charles_core, checksum recomputed
    records["record_crc"][0] = zlib.crc32(records[0:1].tobytes()[:-4])
    records.tofile(path)
    assert cli.main(["data", "check", str(data)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1 sample(s) with a non-finite or out-of-range steering history" in err[0]


def test_a_csv_longer_than_one_read_chunk_is_read_whole(tmp_path):
    data = make_recording(tmp_path / "rec", labels_format="csv", n=9000)  # the label array grows twice
    dataset = RecordedDataset(data)
    assert len(dataset) == 9000 and dataset.labels["timestamp"].tolist() == list(range(9000))
    assert check_sample_matches(dataset[8999]) == 8999


@pytest.mark.parametrize(
    "plot, words", [("h.txt", "ending in .png"), ("no/such/dir/h.png", "does not exist"), (".", "ending in .png")]
)
def test_a_bad_plot_path_is_refused_before_reading(tmp_path, capsys, plot, words):
    data = make_recording(tmp_path / "rec")
    before = snapshot(tmp_path)
    assert cli.main(["data", "inspect", str(data), "--plot", str(tmp_path / plot)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert snapshot(tmp_path) == before


def test_docs_errors_md_shows_the_real_messages(tmp_path, capsys):
    """Every row of the table above appears, word for word, in docs/errors.md."""
    docs = (pathlib.Path(__file__).parents[2] / "docs" / "errors.md").read_text()
    missing = []
    for name, kind, damage, _, _, _ in CASES + CSV_CASES:
        root = tmp_path / name
        data = root / "data"
        if kind == REC:
            make_recording(data, labels_format="csv" if name.startswith("csv") else "npy")
        else:
            make_buffers(data)
        damage(root, data)
        assert cli.main(["data", "check", str(data)]) == 2
        message = capsys.readouterr().err.strip().replace(f"{data}/", "REC/" if kind == REC else "SET/")
        if f"`{message}`" not in docs:
            missing.append(f"{name}: {message}")
    assert not missing, "docs/errors.md lacks:\n" + "\n".join(missing)
