import numpy as np
import pytest

from charles_core.common.signals import check_output_names, split_throttle
from charles_core.data.sample import Sample, label
from charles_core.errors import DataError

FRAME = np.zeros((12, 16, 3), np.uint8)


def make(**overrides):
    fields = dict(frame=FRAME, throttle=0.5, steering=-0.25, speed=3.0, purpose=(10.0, 0.5))
    fields.update(overrides)
    return Sample(**fields)


def test_valid_sample_is_normalised():
    s = make(history={"steering": [0.1, 0.2], "purpose": [[1, 2], [3, 4]]}, timestamp=1)
    assert s.purpose.dtype == np.float32 and s.purpose.shape == (2,)
    assert s.history["purpose"].shape == (2, 2) and s.history["steering"].dtype == np.float32
    assert s.timestamp == 1.0 and isinstance(s.throttle, float)
    assert "(12, 16, 3)" in repr(s) and "array" not in repr(s)
    with pytest.raises(TypeError):  # history is read-only
        s.history["speed"] = np.zeros(2)


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("frame", np.zeros((12, 16), np.uint8), ["frame", "(12, 16)"]),
        ("frame", np.zeros((12, 16, 4), np.uint8), ["frame", "(12, 16, 4)"]),
        ("frame", np.zeros((12, 16, 3), np.float32), ["frame", "float32"]),
        ("throttle", float("nan"), ["throttle", "nan"]),
        ("throttle", float("inf"), ["throttle", "inf"]),
        ("throttle", 1.5, ["throttle", "1.5"]),
        ("throttle", -1.01, ["throttle", "-1.01"]),
        ("throttle", "fast", ["throttle", "fast"]),
        ("steering", 2.0, ["steering", "2.0"]),
        ("steering", None, ["steering", "None"]),
        ("speed", -0.1, ["speed", "-0.1"]),
        ("speed", float("nan"), ["speed", "nan"]),
        ("purpose", (1.0, 2.0, 3.0), ["purpose", "(3,)"]),
        ("purpose", (1.0, float("nan")), ["purpose", "nan"]),
        ("purpose", ("a", "b"), ["purpose", "<U1"]),
        ("timestamp", float("inf"), ["timestamp", "inf"]),
        ("history", [1, 2], ["history", "list"]),
        ("history", {"gear": [1.0]}, ["history", "gear"]),
        ("history", {"steering": [[0.1, 0.2]]}, ["history['steering']", "(1, 2)"]),
        ("history", {"purpose": [1.0, 2.0]}, ["history['purpose']", "(2,)"]),
        ("history", {"steering": []}, ["history['steering']", "(0,)"]),
        ("history", {"speed": [1.0, float("nan")]}, ["history['speed']", "nan"]),
        ("history", {"throttle": [0.5, 1.5]}, ["history['throttle']", "1.5"]),
        ("history", {"speed": [1.0, -2.0]}, ["history['speed']", "-2.0"]),
    ],
)
def test_invalid_fields_raise_data_error_naming_field_and_value(field, value, words):
    with pytest.raises(DataError) as info:
        make(**{field: value})
    for word in words:
        assert word in str(info.value)


def test_label_and_split_throttle():
    braking = make(throttle=-0.4, steering=0.3)
    assert label(braking, "throttle") == pytest.approx(-0.4)
    assert label(braking, "braking") == pytest.approx(0.4)
    assert label(braking, "acceleration") == 0.0
    assert label(braking, "steering") == pytest.approx(0.3)
    assert label(make(throttle=0.7), "acceleration") == pytest.approx(0.7)
    assert label(make(throttle=0.7), "braking") == 0.0
    with pytest.raises(DataError, match="gear"):
        label(braking, "gear")
    acc, brk = split_throttle(np.array([-1.0, 0.0, 0.5], np.float32))
    assert acc.tolist() == [0.0, 0.0, 0.5] and brk.tolist() == [1.0, 0.0, 0.0] and acc.dtype == np.float32


def test_output_names_checked():
    assert check_output_names("steering") == ("steering",)
    with pytest.raises(DataError, match="gas"):
        check_output_names(("gas",))
    with pytest.raises(DataError, match="twice"):
        check_output_names(("steering", "steering"))
    with pytest.raises(DataError, match="at least one"):
        check_output_names(())
