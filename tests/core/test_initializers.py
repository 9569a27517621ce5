import h5py
import numpy as np
import pytest

from charles_core import plugins
from charles_core.errors import ConfigError, StorageError, WeightsNotFoundError
from charles_core.lines.transfer_step import TransferStep
from charles_core.models import create_model
from charles_core.models.parts import count_params, part_layers

SIZE = (61, 64)


def _weights(layers):
    return [w.copy() for layer in layers for w in layer.get_weights()]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_scratch_is_reproducible_from_its_seed():
    a = create_model("charles_pilotnet_v1", input_size=SIZE, seed=3)
    b = create_model("charles_pilotnet_v1", input_size=SIZE, seed=3)
    c = create_model("charles_pilotnet_v1", input_size=SIZE, seed=4)
    assert _same(_weights(a.layers), _weights(b.layers))
    assert not _same(_weights(a.layers), _weights(c.layers))


def test_scratch_reinitialises_only_its_part():
    model = create_model("charles_pilotnet_v1", input_size=SIZE, seed=1)
    head_before = _weights(part_layers(model, "head"))
    backbone_before = _weights(part_layers(model, "backbone"))
    plugins.initializers.get("scratch").apply(model, part="backbone", line=model.charles_line, source=None, seed=99)
    assert _same(head_before, _weights(part_layers(model, "head")))
    assert not _same(backbone_before, _weights(part_layers(model, "backbone")))


def test_freeze_makes_the_part_non_trainable():
    steps = (TransferStep("all", "scratch"), TransferStep("backbone", "scratch", freeze=True))
    model = create_model("charles_pilotnet_v1", input_size=SIZE, transfer=steps)
    trainable, frozen = count_params(model.layers)
    backbone_params = sum(layer.count_params() for layer in part_layers(model, "backbone"))
    assert frozen == backbone_params > 0
    assert trainable == model.count_params() - backbone_params


def _write_legacy_h5(model, path):
    """Write weights the way the Keras application files are stored (legacy HDF5)."""
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)


@pytest.fixture
def mobilenet_weights(tmp_path):
    """A made-up 'ImageNet' file for mobilenet_v2: random weights, real file format."""
    spec = plugins.backbones.get("mobilenet_v2")
    reference = spec.build((32, 32, 3))
    rng = np.random.default_rng(0)
    reference.set_weights([rng.normal(size=w.shape).astype("float32") for w in reference.get_weights()])
    path = tmp_path / spec.imagenet_weights_file
    _write_legacy_h5(reference, path)
    return path, reference


def test_imagenet_loads_a_local_file_into_the_backbone(mobilenet_weights):
    path, reference = mobilenet_weights
    steps = (TransferStep("all", "scratch"), TransferStep("backbone", "imagenet", freeze=True))
    model = create_model(
        "model_0003_xception_v1",
        backbone="mobilenet_v2",
        input_size=(40, 48),
        transfer=steps,
        sources={"backbone": str(path)},
    )
    assert _same(_weights([model.get_layer("backbone")]), reference.get_weights())
    assert not model.get_layer("backbone").trainable


def test_imagenet_reads_the_keras_cache(mobilenet_weights, tmp_path, monkeypatch):
    path, reference = mobilenet_weights
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    path.rename(tmp_path / "models" / path.name)
    steps = (TransferStep("backbone", "imagenet"),)
    model = create_model("model_0003_xception_v1", backbone="mobilenet_v2", input_size=(32, 32), transfer=steps)
    assert _same(_weights([model.get_layer("backbone")]), reference.get_weights())


def test_imagenet_into_stacked_frames_repeats_the_first_kernel(mobilenet_weights):
    import attrs

    path, reference = mobilenet_weights
    line = attrs.evolve(plugins.lines.get("model_0006_inceptionresnetv2_v2"), backbone="mobilenet_v2")
    model = create_model(
        line, input_size=(32, 32), transfer=(TransferStep("backbone", "imagenet"),), sources={"backbone": str(path)}
    )
    first_reference = reference.layers[1].get_weights()[0]
    first_stacked = model.get_layer("backbone").layers[1].get_weights()[0]
    assert first_stacked.shape[2] == 9
    np.testing.assert_allclose(first_stacked[:, :, 3:6], first_reference / 3, rtol=1e-6)


def test_imagenet_without_a_file_says_where_to_put_one(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsNotFoundError) as error:
        create_model("model_0005_inceptionresnetv2_v1", input_size=(75, 75))
    message = str(error.value)
    assert "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert "never downloads" in message and str(tmp_path / "models") in message


def test_imagenet_rejects_a_corrupt_file(tmp_path):
    path = tmp_path / "broken.h5"
    path.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(StorageError, match="could not load ImageNet weights"):
        create_model(
            "model_0003_xception_v1",
            backbone="mobilenet_v2",
            input_size=(32, 32),
            transfer=(TransferStep("backbone", "imagenet"),),
            sources={"backbone": str(path)},
        )


@pytest.fixture
def pilotnet_checkpoint(tmp_path):
    source = create_model("charles_pilotnet_v1", input_size=SIZE, seed=11)
    path = tmp_path / "charles_pilotnet_v1-batch000100.keras"
    source.save(path)
    return path, source


def test_checkpoint_copies_one_part_by_name_and_freezes_it(pilotnet_checkpoint):
    import attrs

    path, source = pilotnet_checkpoint
    # another line: same backbone, different head widths
    line = attrs.evolve(plugins.lines.get("charles_pilotnet_v1"), name="other_v1", common_layers=(32, 32))
    steps = (TransferStep("all", "scratch"), TransferStep("backbone", "checkpoint", freeze=True))
    model = create_model(line, input_size=SIZE, transfer=steps, sources={"backbone": str(path)}, seed=5)
    assert _same(_weights([model.get_layer("backbone")]), _weights([source.get_layer("backbone")]))
    assert not model.get_layer("backbone").trainable
    assert model.get_layer("common_dense_1").trainable


def test_checkpoint_with_another_architecture_names_the_layer(pilotnet_checkpoint):
    path, _ = pilotnet_checkpoint
    steps = (TransferStep("head", "checkpoint"),)
    with pytest.raises(ConfigError, match="common_dense_0"):
        create_model(
            "model_0004_inceptionresnetv2_v3",
            backbone="pilotnet",
            input_size=SIZE,
            transfer=steps,
            sources={"head": str(path)},
        )


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip"])
def test_corrupt_checkpoints_are_reported(tmp_path, content):
    path = tmp_path / "bad.keras"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="corrupt or unreadable"):
        create_model(
            "charles_pilotnet_v1",
            input_size=SIZE,
            transfer=(TransferStep("backbone", "checkpoint"),),
            sources={"backbone": str(path)},
        )


def test_checkpoint_must_exist_and_be_a_keras_file(tmp_path):
    steps = (TransferStep("backbone", "checkpoint"),)
    with pytest.raises(StorageError, match="does not exist"):
        create_model(
            "charles_pilotnet_v1", input_size=SIZE, transfer=steps, sources={"backbone": str(tmp_path / "x.keras")}
        )
    pickle_like = tmp_path / "model.pkl"
    pickle_like.write_bytes(b"\x80\x04")
    with pytest.raises(StorageError, match="not a .keras file"):
        create_model("charles_pilotnet_v1", input_size=SIZE, transfer=steps, sources={"backbone": str(pickle_like)})
