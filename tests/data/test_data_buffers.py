import json
import os
import warnings

import numpy as np
import pytest

from charles_core.data.buffer_set import BufferSet
from charles_core.data.sample_store import FRAMES_FILE, RECORDS_FILE, SampleStore, StorageWarning
from charles_core.errors import ConfigError, DataError, StorageError
from tests.data.data_samples import SHAPE, check_sample_matches, sample_for

OUTPUTS = ("throttle", "steering")


def filled(tmp_path, capacity=10, n=None, **settings):
    buffers = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE[:2], capacity=capacity, **settings)
    n = capacity if n is None else n
    for i in range(n):
        for b, name in enumerate(OUTPUTS):
            buffers.add(name, sample_for(2 * i + b))
    return buffers


def test_equal_draws_remove_samples_and_never_reuse(tmp_path):
    buffers = filled(tmp_path, capacity=12)
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(3):
        batch = buffers.draw(4, rng)
        assert batch["frames"].shape == (8, *SHAPE) and batch["frames"].dtype == np.uint8
        assert batch["buffer"].tolist() == [0] * 4 + [1] * 4
        ids = batch["timestamp"].astype(int)
        assert all(i % 2 == 0 for i in ids[:4]) and all(i % 2 == 1 for i in ids[4:])
        for row, ident in enumerate(ids):
            assert np.array_equal(batch["frames"][row], sample_for(ident).frame)
            assert batch["throttle"][row] == pytest.approx(sample_for(ident).throttle, abs=1e-6)
        assert not seen & set(ids)
        seen |= set(ids)
    assert buffers.counts() == {"throttle": 0, "steering": 0} and len(seen) == 24
    with pytest.raises(DataError, match="only"):
        buffers.draw(1, rng)
    with pytest.raises(DataError, match="positive"):
        buffers.draw(0, rng)


def test_derived_labels_and_masks(tmp_path):
    buffers = filled(tmp_path, capacity=4)
    batch = buffers.draw(4, np.random.default_rng(0))
    assert np.allclose(batch["acceleration"], np.maximum(batch["throttle"], 0))
    assert np.allclose(batch["braking"], np.maximum(-batch["throttle"], 0))
    for name in ("throttle", "steering", "acceleration", "braking"):
        assert batch[f"mask_{name}"].tolist() == [1.0] * 8
    buffers.close()
    own = BufferSet(tmp_path / "own", ("acceleration", "braking", "steering"), SHAPE, capacity=2, label_mode="own")
    for i in range(2):
        for name in own.outputs:
            own.add(name, sample_for(i))
    batch = own.draw(2, np.random.default_rng(0))
    assert batch["mask_acceleration"].tolist() == [1, 1, 0, 0, 0, 0]
    assert batch["mask_braking"].tolist() == [0, 0, 1, 1, 0, 0]
    assert batch["mask_steering"].tolist() == [0, 0, 0, 0, 1, 1]
    assert batch["mask_throttle"].tolist() == [0] * 6
    with pytest.raises(ConfigError, match="own"):
        BufferSet(tmp_path / "all", ("all",), SHAPE, capacity=2, label_mode="own")


def test_ready_and_pause_thresholds(tmp_path):
    buffers = filled(tmp_path, capacity=10, n=9)
    assert not buffers.ready and not buffers.can_train
    assert buffers.fill_levels() == {"throttle": 0.9, "steering": 0.9}
    buffers.add("throttle", sample_for(100))
    assert not buffers.ready  # steering still at 90%
    buffers.add("steering", sample_for(101))
    assert buffers.ready and buffers.can_train
    rng = np.random.default_rng(0)
    buffers.draw(1, rng)  # 90%: still training
    assert not buffers.ready and buffers.can_train
    buffers.draw(1, rng)  # 80%: pause
    assert not buffers.can_train
    buffers.add("throttle", sample_for(102))
    buffers.add("steering", sample_for(103))  # back to 90%: stays paused until full again
    assert not buffers.can_train
    buffers.add("throttle", sample_for(104))
    buffers.add("steering", sample_for(105))
    assert buffers.ready and buffers.can_train


def test_when_full_rotates_or_drops(tmp_path):
    buffers = BufferSet(tmp_path / "r", ("steering",), SHAPE, capacity=3)
    for i in range(5):
        assert buffers.add("steering", sample_for(i))
    assert sorted(int(s.timestamp) for s in buffers.samples("steering")) == [2, 3, 4]
    dropping = BufferSet(tmp_path / "d", ("steering",), SHAPE, capacity=3, when_full="drop")
    assert [dropping.add("steering", sample_for(i)) for i in range(5)] == [True, True, True, False, False]
    assert sorted(int(s.timestamp) for s in dropping.samples("steering")) == [0, 1, 2]


def test_history_arrays_in_batches(tmp_path):
    shapes = {"steering": (5,), "purpose": (5, 2)}
    history = {"steering": np.linspace(-1, 1, 5), "purpose": np.ones((5, 2))}
    buffers = BufferSet(tmp_path / "h", ("steering",), SHAPE, capacity=2, history_shapes=shapes)
    buffers.add("steering", sample_for(1, history=history))
    buffers.add("steering", sample_for(2, history=history))
    with pytest.raises(DataError, match="history"):
        buffers.add("steering", sample_for(3))
    with pytest.raises(DataError, match="shape"):
        buffers.add("steering", sample_for(3, history={"steering": np.zeros(4), "purpose": np.ones((5, 2))}))
    reopened_first = next(iter(buffers.samples("steering")))
    assert np.allclose(reopened_first.history["steering"], history["steering"])
    batch = buffers.draw(2, np.random.default_rng(0))
    assert batch["history_steering"].shape == (2, 5) and batch["history_purpose"].shape == (2, 5, 2)
    assert np.allclose(batch["history_steering"][0], history["steering"])


def test_add_errors(tmp_path):
    buffers = BufferSet(tmp_path / "e", OUTPUTS, SHAPE, capacity=2)
    with pytest.raises(DataError, match=r"\(24, 16, 3\)"):
        buffers.add("steering", sample_for(1, shape=(24, 16, 3)))
    with pytest.raises(DataError, match="no buffer 'gear'"):
        buffers.add("gear", sample_for(1))
    with pytest.raises(DataError, match="Sample"):
        buffers.add("steering", np.zeros(SHAPE, np.uint8))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(outputs=()), ConfigError),
        (dict(outputs=("a", "a")), ConfigError),
        (dict(outputs=("../x",)), ConfigError),
        (dict(frame_shape=(12, 16, 4)), ConfigError),
        (dict(capacity=0), ValueError),
        (dict(pause_fraction=1.5), ConfigError),
        (dict(label_mode="some"), ValueError),
        (dict(when_full="grow"), ValueError),
        (dict(history_shapes={"gear": (3,)}), ConfigError),
        (dict(history_shapes={"purpose": (3,)}), ConfigError),
    ],
)
def test_settings_validated(tmp_path, kwargs, error):
    args = dict(directory=tmp_path / "s", outputs=OUTPUTS, frame_shape=SHAPE, capacity=4)
    args.update(kwargs)
    with pytest.raises(error):
        BufferSet(**args)


def test_reopen_keeps_samples_and_checks_settings(tmp_path):
    buffers = filled(tmp_path, capacity=6, n=4)
    buffers.draw(1, np.random.default_rng(0))
    before = {name: sorted(int(s.timestamp) for s in buffers.samples(name)) for name in OUTPUTS}
    with pytest.raises(StorageError, match="another process"):
        BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=6)
    buffers.close()
    reopened = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=6)
    assert {name: sorted(int(s.timestamp) for s in reopened.samples(name)) for name in OUTPUTS} == before
    for name in OUTPUTS:
        for sample in reopened.samples(name):
            check_sample_matches(sample)
    reopened.add("steering", sample_for(99))  # seq continues: rotation order survives reopening
    reopened.close()
    with pytest.raises(ConfigError, match="capacity"):
        BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=7)
    with pytest.raises(ConfigError, match="buffers"):
        BufferSet(tmp_path / "buf", ("steering",), SHAPE, capacity=6)
    (tmp_path / "buf" / "buffers.json").write_text("{not json")
    with pytest.raises(StorageError, match="buffers.json"):
        BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=6)


def corrupt(path, offset, data=b"\xff\x00\xff"):
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(len(data))
        f.seek(offset)
        f.write(bytes(b ^ 0x5A for b in old))


def test_corrupt_frame_is_reported_and_skipped_when_drawn(tmp_path):
    buffers = filled(tmp_path, capacity=4)
    store_dir = tmp_path / "buf" / "steering"
    buffers.close()
    frame_bytes = int(np.prod(SHAPE))
    corrupt(store_dir / FRAMES_FILE, 2 * frame_bytes + 17)
    buffers = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=4)
    with pytest.warns(StorageWarning, match=r"frames\.u8: slot 2 frame is corrupt"):
        batch = buffers.draw(3, np.random.default_rng(0))  # 3 of 4, corrupt one may come up: redrawn
        if buffers.counts()["steering"] == 1:  # the corrupt slot was not drawn: draw it now
            buffers.draw(1, np.random.default_rng(0))
    ids = batch["timestamp"].astype(int)
    assert 2 * 2 + 1 not in ids  # the sample in slot 2 of "steering" had id 5
    for row, ident in enumerate(ids):
        assert np.array_equal(batch["frames"][row], sample_for(ident).frame)


def test_corrupt_record_and_truncated_files_reported_on_open(tmp_path, caplog):
    buffers = filled(tmp_path, capacity=5)
    record_bytes = buffers._stores["steering"].dtype.itemsize
    buffers.close()
    corrupt(tmp_path / "buf" / "steering" / RECORDS_FILE, 1 * record_bytes + 21)
    frame_bytes = int(np.prod(SHAPE))
    os.truncate(tmp_path / "buf" / "throttle" / FRAMES_FILE, 3 * frame_bytes + 10)
    with pytest.warns(StorageWarning) as record:
        buffers = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=5)
    messages = [str(w.message) for w in record]
    assert any("records.bin: slot 1 has a corrupt record" in m for m in messages)
    assert any("throttle" in m and "frames.u8 is truncated" in m and "slots 3..4" in m for m in messages)
    assert buffers.counts() == {"throttle": 3, "steering": 4}
    assert "slot 1" in caplog.text
    for name in OUTPUTS:
        for sample in buffers.samples(name):
            check_sample_matches(sample)
    # reported once: the bad slots were emptied on disk, and the files were restored to full size
    buffers.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error", StorageWarning)
        reopened = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=5)
    assert reopened.counts() == {"throttle": 3, "steering": 4}
    assert reopened.add("throttle", sample_for(50)) and reopened.add("throttle", sample_for(52))
    assert reopened.add("steering", sample_for(51))
    assert reopened.ready


def test_verify_frames_on_open(tmp_path):
    buffers = filled(tmp_path, capacity=3)
    buffers.close()
    corrupt(tmp_path / "buf" / "throttle" / FRAMES_FILE, 5)
    with pytest.warns(StorageWarning, match="slot 0 frame is corrupt"):
        buffers = BufferSet(tmp_path / "buf", OUTPUTS, SHAPE, capacity=3, verify_frames_on_open=True)
    assert buffers.counts() == {"throttle": 2, "steering": 3}
    assert buffers.verify() == {"throttle": 0, "steering": 0}


def test_store_layout_file(tmp_path):
    store = SampleStore(tmp_path / "s", SHAPE, capacity=3, history_shapes={"speed": (4,)})
    layout = json.loads((tmp_path / "s" / "layout.json").read_text())
    assert layout["capacity"] == 3 and layout["frame_shape"] == list(SHAPE) and layout["history"] == {"speed": [4]}
    assert (tmp_path / "s" / FRAMES_FILE).stat().st_size == 3 * int(np.prod(SHAPE))
    assert (tmp_path / "s" / RECORDS_FILE).stat().st_size == 3 * store.dtype.itemsize
    store.close()
    (tmp_path / "s" / "layout.json").write_text('{"format": "other"}')
    with pytest.raises(StorageError, match="layout.json"):
        SampleStore(tmp_path / "s", SHAPE, capacity=3, history_shapes={"speed": (4,)})


def test_a_disk_too_small_for_the_frames_is_a_clear_error_that_leaves_no_files(tmp_path, monkeypatch):
    import errno

    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    with pytest.raises(StorageError, match=r"not enough disk space .* GiB are free there"):
        SampleStore(tmp_path / "store", SHAPE, capacity=4)
    assert not (tmp_path / "store" / FRAMES_FILE).exists() and not (tmp_path / "store" / RECORDS_FILE).exists()


def test_a_filesystem_without_fallocate_gets_a_sparse_store(tmp_path, monkeypatch):
    import errno

    def unsupported(fd, offset, length):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "posix_fallocate", unsupported)
    store = SampleStore(tmp_path / "store", SHAPE, capacity=4)
    store.add(sample_for(1))
    assert len(store) == 1 and os.path.getsize(tmp_path / "store" / FRAMES_FILE) == 4 * int(np.prod(SHAPE))
