"""A LineConfig as plain JSON and back: exact for every registered line, strict on anything else."""

import json

import attrs
import pytest

from charles_core.errors import ConfigError
from charles_core.lines.line_json import MAX_DEPTH, line_from_dict, line_from_json, line_to_dict, line_to_json
from charles_core.lines.output_spec import OutputSpec
from charles_core.lines.transfer_step import TransferStep
from charles_core.models import get_line, list_lines


@pytest.mark.parametrize("name", list_lines())
def test_every_registered_line_round_trips_exactly(name):
    line = get_line(name)
    text = line_to_json(line)
    back = line_from_json(text)
    assert back == line
    assert line_to_json(back) == text
    json.loads(text)  # plain JSON: no pickles, no Python objects
    for field in attrs.fields(type(line)):  # tuples come back as tuples, not lists
        assert type(getattr(back, field.name)) is type(getattr(line, field.name)), field.name


def test_overrides_survive():
    line = get_line("charles_pilotnet_v1", backbone="mobilenet_v2")
    line = attrs.evolve(
        line,
        input_size=(48, 64),
        buffer_capacity=100,
        common_layers=(32, 8),
        outputs=(OutputSpec("steering", kind="classification", bins=(-1.0, 0.0, 1.0)),),
        transfer=(TransferStep("all", "scratch"), TransferStep("backbone", "checkpoint", True, "x_v1", 5)),
    )
    back = line_from_json(line_to_json(line))
    assert back == line and back.backbone == "mobilenet_v2" and back.outputs[0].bins == (-1.0, 0.0, 1.0)


def test_history_lines_keep_their_history():
    line = get_line("charles_pilotnet_v2")
    assert line.history is not None
    data = line_to_dict(line)
    assert data["history"]["steps"] == line.history.steps
    assert line_from_dict(data).history == line.history


def test_missing_fields_take_their_defaults():
    data = line_to_dict(get_line("charles_pilotnet_v1"))
    del data["summary"], data["outcome"]  # what an older writer would not have written
    assert line_from_dict(data).summary == ""


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(colour="red"), "does not know: \\['colour'\\]"),
        (lambda d: d.update(frames="1"), "line.frames must be an integer"),
        (lambda d: d.update(frames=True), "line.frames must be an integer"),
        (lambda d: d.update(input_size=[72]), "line.input_size must hold 2 values"),
        (lambda d: d.update(input_size=[72, -1]), "not a valid LineConfig"),
        (lambda d: d.update(outputs={"name": "steering"}), "line.outputs must be a list"),
        (lambda d: d["outputs"][0].update(kind="nonsense"), "outputs\\[0\\]"),
        (lambda d: d.update(balancing="v9"), "balancing"),
        (lambda d: d.update(history=[1, 2]), "line.history must be an object"),
    ],
)
def test_bad_data_is_a_config_error_naming_the_field(change, message):
    data = line_to_dict(get_line("charles_pilotnet_v1"))
    change(data)
    with pytest.raises(ConfigError, match=message):
        line_from_dict(data)


def test_bad_text_is_a_config_error():
    with pytest.raises(ConfigError, match="not valid JSON"):
        line_from_json("{")
    with pytest.raises(ConfigError, match="nested deeper"):
        line_from_json("[" * 60_000 + "]" * 60_000)
    with pytest.raises(ConfigError, match="not UTF-8"):
        line_from_json(b"\xff\xfe")
    with pytest.raises(ConfigError, match="must be an object"):
        line_from_json("[]")
    assert MAX_DEPTH >= 4  # a line needs 4 levels (line, history / outputs, lists)


def test_only_line_configs_are_written():
    with pytest.raises(ConfigError, match="takes a LineConfig"):
        line_to_dict({"name": "x_v1"})
