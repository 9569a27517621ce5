"""Checkpoints carry their line config and are checked by what is inside, not by their name."""

import json
import os
import shutil
import time
import zipfile

import attrs
import pytest

from charles_core import cli
from charles_core.driving.drive import checkpoint_line, load_line_model
from charles_core.errors import ConfigError, StorageError
from charles_core.models import create_model, get_line
from charles_core.training.checkpoint_info import CONFIG_ENTRY, CheckpointInfo
from charles_core.training.checkpoints import (
    load_line_checkpoint,
    remove_partial_files,
    resume_target,
    run_dir_of_checkpoint,
    save_checkpoint,
)

SIZE = (61, 64)
LINE = "model_0003_xception_v1"  # built on pilotnet: an override the registry does not know


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A checkpoint written by save_checkpoint, and one written the old way (model.save alone)."""
    directory = tmp_path_factory.mktemp("run") / "checkpoints"
    model = create_model(LINE, input_size=SIZE, backbone="pilotnet")
    path = save_checkpoint(model, directory, LINE, 7)
    old = tmp_path_factory.mktemp("old") / f"{LINE}-batch5.keras"  # unpadded, as older tools named them
    model.save(old)
    return path, old


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("charles: error: "), err
    return err[0]


def test_the_config_is_stored_inside(saved):
    path, _ = saved
    assert path.name == f"{LINE}-batch00000007.keras"
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read(CONFIG_ENTRY))
    assert data["line_id"] == LINE and data["input_size"] == list(SIZE) and data["batch"] == 7
    assert data["line"]["backbone"] == "pilotnet" and data["frames"] == 1 and data["history_steps"] is None
    info = CheckpointInfo.read(path)
    assert info.line == get_line(LINE, "pilotnet") and info.input_size == SIZE and info.batch == 7
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".partial-")]


def test_loading_takes_the_line_from_inside(saved):
    path, _ = saved
    model = load_line_model(path)
    assert model.charles_line == get_line(LINE, "pilotnet")  # not the registry's xception
    assert model.charles_checkpoint.batch == 7
    assert checkpoint_line(path) == LINE
    assert load_line_model(path, LINE).charles_line.backbone == "pilotnet"


def test_what_is_asked_must_match_what_is_inside(saved):
    path, _ = saved
    with pytest.raises(ConfigError, match=f"belongs to line {LINE}, not charles_pilotnet_v1"):
        load_line_model(path, "charles_pilotnet_v1")
    with pytest.raises(ConfigError, match="trained on backbone 'pilotnet', not 'xception'"):
        load_line_checkpoint(path, backbone="xception")
    with pytest.raises(ConfigError, match="trained at input size 61x64, not 72x96"):
        load_line_checkpoint(path, input_size=(72, 96))
    with pytest.raises(ConfigError, match="other settings than asked: backbone='pilotnet'"):
        load_line_checkpoint(path, line=get_line(LINE))
    line, run_dir = resume_target(path, line=LINE, input_size=SIZE)
    assert line.backbone == "pilotnet" and run_dir == path.parent.parent


def test_a_renamed_checkpoint_of_another_line_is_refused(saved, tmp_path):
    path, old = saved
    renamed = tmp_path / "charles_pilotnet_v1-batch00000007.keras"
    shutil.copy(path, renamed)
    with pytest.raises(ConfigError, match=f"belongs to line {LINE}, not charles_pilotnet_v1"):
        load_line_model(renamed, "charles_pilotnet_v1")
    assert load_line_model(renamed).charles_line.name == LINE  # what is inside wins over the name
    renamed_old = tmp_path / "charles_pilotnet_v1-batch5.keras"
    shutil.copy(old, renamed_old)
    with pytest.raises(ConfigError, match=f"named as line charles_pilotnet_v1 but holds a model named '{LINE}'"):
        load_line_model(renamed_old)


def test_checkpoints_written_before_still_load(saved):
    _, old = saved
    assert CheckpointInfo.read(old) is None
    model = load_line_model(old, backbone="pilotnet")  # the backbone they were trained on is named again
    assert model.charles_checkpoint is None and model.charles_line == get_line(LINE, "pilotnet")
    assert checkpoint_line(old) == LINE
    with pytest.raises(ConfigError, match="trained at input size 61x64, not 72x96"):
        load_line_checkpoint(old, backbone="pilotnet", input_size=(72, 96))


def test_a_foreign_keras_model_is_a_storage_error(tmp_path):
    import keras

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs), name="someone_elses")
    model.save(tmp_path / "model.keras")
    with pytest.raises(StorageError, match="a Keras model but not a charles_core checkpoint"):
        load_line_model(tmp_path / "model.keras")
    model.save(tmp_path / "charles_pilotnet_v1-batch3.keras")  # a recognisable name does not make it one
    with pytest.raises(ConfigError, match="holds a model named 'someone_elses'"):
        load_line_model(tmp_path / "charles_pilotnet_v1-batch3.keras")


def test_files_that_are_not_checkpoints(saved, tmp_path):
    path, _ = saved
    cases = {
        "missing": (tmp_path / "missing.keras", "does not exist"),
        "text": (tmp_path / "text.keras", "corrupt or unreadable: not a complete zip archive"),
        "truncated": (tmp_path / "truncated.keras", "corrupt or unreadable: not a complete zip archive"),
        "directory": (tmp_path / "directory.keras", "not a regular file"),
        "fifo": (tmp_path / "fifo.keras", "not a regular file"),  # never opened: it would block
        "suffix": (tmp_path / "model.h5", "not a .keras file"),
        "other zip": (tmp_path / "other.keras", "a zip archive but not a Keras model"),
    }
    (tmp_path / "text.keras").write_text("hello")
    (tmp_path / "truncated.keras").write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    (tmp_path / "directory.keras").mkdir()
    os.mkfifo(tmp_path / "fifo.keras")
    (tmp_path / "model.h5").write_bytes(b"")
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as archive:
        archive.writestr("readme.txt", "hi")
    for file, message in cases.values():
        with pytest.raises(StorageError, match=message):
            load_line_model(file)


def _with_config(source, target, edit):
    """A copy of ``source`` whose stored config went through ``edit(dict) -> dict | str``."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as copy:
        for item in archive.infolist():
            data = archive.read(item)
            if item.filename == CONFIG_ENTRY:
                data = edit(json.loads(data))
                data = data if isinstance(data, str) else json.dumps(data)
            copy.writestr(item, data)
    return target


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: {**d, "line_id": "charles_pilotnet_v1"}, "its line_id 'charles_pilotnet_v1' contradicts"),
        (lambda d: {**d, "version": 99}, "version 99"),
        (lambda d: {**d, "format": "other"}, "not a charles-checkpoint-config"),
        (lambda d: {**d, "line": {**d["line"], "colour": 1}}, "does not know"),
        (lambda d: "{not json", "not valid JSON"),
        (lambda d: "[" * 100 + "]" * 100, "nested deeper"),
        (lambda d: {**d, "input_size": [72, 96]}, "frame size is \\(61, 64\\), not \\(72, 96\\)"),
        (
            lambda d: {
                **d,
                "line": {**d["line"], "name": "charles_pilotnet_v1", "line": "charles_pilotnet"},
                "line_id": "charles_pilotnet_v1",
            },
            "the model is named",
        ),
    ],
)
def test_a_tampered_config_is_a_storage_error(saved, tmp_path, edit, message):
    path, _ = saved
    target = _with_config(path, tmp_path / path.name, edit)
    with pytest.raises(StorageError, match=message):
        load_line_model(target)


def test_save_needs_the_models_line(tmp_path):
    model = create_model("charles_pilotnet_v1", input_size=SIZE)
    del model.charles_line
    with pytest.raises(ConfigError, match="no charles_line"):
        save_checkpoint(model, tmp_path, "charles_pilotnet_v1", 1)
    model.charles_line = get_line("charles_pilotnet_v1")
    with pytest.raises(ConfigError, match="cannot be named after line model_0003_xception_v1"):
        save_checkpoint(model, tmp_path, LINE, 1)
    assert not list(tmp_path.iterdir())


def test_partial_files_and_run_directories(tmp_path):
    checkpoints = tmp_path / "run" / "checkpoints"
    checkpoints.mkdir(parents=True)
    stale = [checkpoints / ".partial-abc.keras", checkpoints / ".partial-def.keras"]
    for path in stale:
        path.write_bytes(b"half")
        os.utime(path, (time.time() - 60, time.time() - 60))
    (checkpoints / ".partial-now.keras").write_bytes(b"being written")  # maybe another trainer's
    (checkpoints / "keep.txt").write_text("x")
    assert remove_partial_files(checkpoints) == stale
    assert sorted(p.name for p in checkpoints.iterdir()) == [".partial-now.keras", "keep.txt"]
    assert remove_partial_files(checkpoints, min_age_s=0) == [checkpoints / ".partial-now.keras"]
    assert remove_partial_files(tmp_path / "nowhere") == []
    assert run_dir_of_checkpoint(checkpoints / f"{LINE}-batch1.keras") == tmp_path / "run"
    assert run_dir_of_checkpoint(tmp_path / f"{LINE}-batch1.keras") is None


def test_cli_errors_are_one_line(saved, tmp_path, capsys):
    path, _ = saved
    frame = tmp_path / "f.png"
    frame.write_bytes(b"")
    assert cli.main(["drive", "charles_pilotnet_v1", "--checkpoint", str(path), "--seeds", "0"]) == 2
    assert f"belongs to line {LINE}, not charles_pilotnet_v1" in _one_error_line(capsys)
    (tmp_path / "junk.keras").write_text("junk")
    assert cli.main(["convcam", "--checkpoint", str(tmp_path / "junk.keras"), "--frame", str(frame)]) == 2
    assert "not a complete zip archive" in _one_error_line(capsys)
    assert (
        cli.main(["train", "--resume", str(path), "--backbone", "mobilenet_v2", "--run-root", str(tmp_path / "runs")])
        == 2
    )
    assert "trained on backbone 'pilotnet', not 'mobilenet_v2'" in _one_error_line(capsys)
    assert not (tmp_path / "runs").exists()  # refused before any run directory or buffer was made
    assert cli.main(["train", "--run-root", str(tmp_path / "runs")]) == 2
    assert "name the line to train" in _one_error_line(capsys)


def test_the_run_settings_travel_in_the_line(saved):
    # charles train stores --capacity / --batch-per-buffer in the line config the checkpoint carries
    path, _ = saved
    line = attrs.evolve(get_line(LINE, "pilotnet"), buffer_capacity=100, batch_per_buffer=4)
    model = create_model(line, input_size=SIZE)
    written = save_checkpoint(model, path.parent.parent / "other", LINE, 1)
    assert CheckpointInfo.read(written).line.buffer_capacity == 100


def test_a_line_that_is_not_registered_loads_from_its_checkpoint(tmp_path):
    line = attrs.evolve(
        get_line("charles_pilotnet_v1"), name="my_own_line_v3", line="my_own_line", version=3, common_layers=(16,)
    )
    model = create_model(line, input_size=SIZE)
    path = save_checkpoint(model, tmp_path, line.name, 2)
    loaded = load_line_model(path, "my_own_line_v3")
    assert loaded.charles_line == line and checkpoint_line(path) == "my_own_line_v3"


def test_a_line_with_auxiliary_outputs_round_trips(tmp_path):
    line = get_line("model_0008_irv2_data_td_v4", backbone="pilotnet")
    assert line.history.has_auxiliary_outputs
    model = create_model(line, input_size=SIZE, load_sources=False)
    path = save_checkpoint(model, tmp_path, line.name, 1)
    assert load_line_model(path).charles_line == line
    old = tmp_path / f"{line.name}-batch1.keras"
    model.save(old)
    assert load_line_model(old, backbone="pilotnet").charles_line == line
