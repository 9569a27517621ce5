import os
import time

import pytest

from charles_core.driving.checkpoint_watcher import CheckpointWatcher
from charles_core.errors import StorageError
from charles_core.training.checkpoints import CheckpointName, checkpoint_name, parse_checkpoint_name

LINE = "model_0004_inceptionresnetv2_v3"


def test_names_round_trip():
    name = CheckpointName(LINE, 211250)
    assert name.filename() == f"{LINE}-batch00211250.keras"  # what the trainer writes: padded .keras
    assert checkpoint_name(LINE, 211250) == name.filename()
    assert CheckpointName.parse(f"/runs/x/{name.filename()}") == name
    keras = CheckpointName.parse("model_0003_xception_v1-batch500.keras")  # unpadded: older tools
    assert (keras.line_id, keras.batch, keras.suffix) == ("model_0003_xception_v1", 500, ".keras")
    assert str(keras) == "model_0003_xception_v1 @ batch 500"
    weights = CheckpointName.parse(f"{LINE}-batch7.weights.h5")
    assert (weights.batch, weights.suffix, weights.filename()) == (7, ".weights.h5", f"{LINE}-batch00000007.weights.h5")
    assert parse_checkpoint_name(f"{LINE}-batch7.keras") == (LINE, 7)


@pytest.mark.parametrize(
    "bad", ["model-batch.weights.h5", "model-batch5.h5", "model_batch5.keras", "-batch5.keras", "m-batch5.keras.tmp"]
)
def test_non_matching_names(bad):
    assert CheckpointName.try_parse(bad) is None
    with pytest.raises(StorageError, match="batch<N>"):
        CheckpointName.parse(bad)
    with pytest.raises(StorageError, match="batch<N>"):
        parse_checkpoint_name(bad)


def test_a_weights_file_is_not_a_trainer_checkpoint():
    with pytest.raises(StorageError, match="batch<N>.keras"):
        parse_checkpoint_name(f"{LINE}-batch7.weights.h5")


def _touch(directory, filename, age_s=10.0):
    path = directory / filename
    path.write_bytes(b"weights")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_poll_offers_the_newest_once(tmp_path):
    watcher = CheckpointWatcher(tmp_path / "missing-yet", line_id=LINE)
    assert watcher.poll() is None
    watcher = CheckpointWatcher(tmp_path, line_id=LINE)
    assert watcher.poll() is None
    _touch(tmp_path, f"{LINE}-batch100.weights.h5")
    _touch(tmp_path, f"{LINE}-batch900.weights.h5")
    _touch(tmp_path, f"{LINE}-batch900.keras")
    _touch(tmp_path, "model_0003_xception_v1-batch5000.weights.h5")  # another line
    _touch(tmp_path, f"{LINE}-batch99999.weights.h5.tmp")  # being written
    assert watcher.poll() == tmp_path / f"{LINE}-batch900.weights.h5"
    assert watcher.current == CheckpointName(LINE, 900, ".weights.h5")
    assert watcher.poll() is None  # nothing newer
    _touch(tmp_path, f"{LINE}-batch500.weights.h5")
    assert watcher.poll() is None  # older than what runs
    _touch(tmp_path, f"{LINE}-batch1200.keras")
    assert watcher.poll() == tmp_path / f"{LINE}-batch1200.keras"


def test_files_still_being_written_wait_to_settle(tmp_path):
    now = [time.time()]
    watcher = CheckpointWatcher(tmp_path, settle_s=2.0, clock=lambda: now[0])
    path = _touch(tmp_path, f"{LINE}-batch10.weights.h5", age_s=0.0)
    assert watcher.poll() is None
    now[0] += 3.0
    assert watcher.poll() == path


def test_mark_loaded_skips_what_already_runs(tmp_path):
    _touch(tmp_path, f"{LINE}-batch10.weights.h5")
    watcher = CheckpointWatcher(tmp_path)
    watcher.mark_loaded(tmp_path / f"{LINE}-batch10.weights.h5")
    assert watcher.poll() is None
    assert watcher.latest() == tmp_path / f"{LINE}-batch10.weights.h5"


def test_the_trainers_zero_padded_names_and_temp_files():
    # charles_core.training.checkpoints writes <line>-batch00000500.keras via a .partial-*.keras temp file
    assert CheckpointName.parse("model_0003_xception_v1-batch00000500.keras").batch == 500
    assert CheckpointName.try_parse(".partial-abc123.keras") is None
