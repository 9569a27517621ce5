import math

import numpy as np
import pytest

from charles_core.errors import DataError
from charles_core.sim.controls import action_to_controls, controls_to_action, validate_controls

GRID = (-1.0, -0.73, -0.2, 0.0, 0.05, 0.5, 1.0)


@pytest.mark.parametrize("steering", GRID)
@pytest.mark.parametrize("throttle", GRID)
def test_controls_round_trip_through_the_car_racing_action(steering, throttle):
    action = controls_to_action({"steering": steering, "throttle": throttle})
    assert action.shape == (3,) and action.dtype == np.float64
    assert action[1] == max(throttle, 0.0) and action[2] == max(-throttle, 0.0)
    assert action_to_controls(action) == {"steering": steering, "throttle": throttle}


def test_positive_throttle_is_gas_and_negative_is_brake():
    np.testing.assert_array_equal(controls_to_action({"steering": 0.3, "throttle": 0.8}), [0.3, 0.8, 0.0])
    np.testing.assert_array_equal(controls_to_action({"steering": -0.3, "throttle": -0.4}), [-0.3, 0.0, 0.4])


def test_separate_acceleration_and_braking_of_lines_0001_0002_are_accepted():
    action = controls_to_action({"steering": 0.1, "acceleration": 0.6, "braking": 0.2})
    np.testing.assert_array_equal(action, [0.1, 0.6, 0.2])
    assert validate_controls({"steering": 0.1, "acceleration": 0.6, "braking": 0.2})["throttle"] == pytest.approx(0.4)


def test_an_action_pressing_both_pedals_maps_to_their_difference():
    assert action_to_controls([0.0, 0.7, 0.2])["throttle"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("controls", "field"),
    [
        ({"steering": math.nan, "throttle": 0.0}, "steering"),
        ({"steering": 0.0, "throttle": math.inf}, "throttle"),
        ({"steering": 1.5, "throttle": 0.0}, "steering"),
        ({"steering": 0.0, "throttle": -1.01}, "throttle"),
        ({"steering": 0.0}, "throttle"),
        ({"throttle": 0.2}, "steering"),
        ({"steering": "left", "throttle": 0.2}, "steering"),
        ({"steering": 0.0, "acceleration": 1.2, "braking": 0.0}, "acceleration"),
    ],
)
def test_bad_control_values_raise_a_data_error_naming_the_field(controls, field):
    with pytest.raises(DataError, match=repr(field)):
        controls_to_action(controls)


def test_float32_rounding_just_past_the_range_is_clipped_not_rejected():
    action = controls_to_action({"steering": np.float32(1.0000001), "throttle": -1.0000001})
    np.testing.assert_array_equal(action, [1.0, 0.0, 1.0])


def test_controls_must_be_a_mapping():
    with pytest.raises(DataError, match="mapping"):
        controls_to_action([0.0, 1.0])


@pytest.mark.parametrize("action", [[0.0, 1.0], [0.0, -0.5, 0.0], [0.0, 0.5, math.nan]])
def test_bad_actions_are_rejected(action):
    with pytest.raises(DataError):
        action_to_controls(action)
