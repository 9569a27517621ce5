import math

import numpy as np
import pytest

from charles_core.errors import CharlesError, ConfigError, DataError
from charles_core.sim.car_racing_session import CarRacingSession
from charles_core.sim.track_geometry import ROAD_HALF_WIDTH, nearest_index, relative_bearing
from charles_core.sim.wheel_slip import rear_wheel_slip

STRAIGHT_GAS = {"steering": 0.0, "throttle": 1.0}


def drive(session, controls, steps):
    for _ in range(steps):
        session.apply(controls)


def test_frames_are_rgb_uint8_at_the_default_size(session):
    frame = session.read()
    assert frame.shape == (96, 96, 3)
    assert frame.dtype == np.uint8
    assert frame.flags["C_CONTIGUOUS"]
    assert frame.std() > 0  # a drawn picture, not a blank buffer


def test_frames_follow_the_requested_size_and_change_as_the_car_moves():
    with CarRacingSession(seed=1, frame_size=(90, 160), settle_steps=0) as session:
        first = session.read().copy()
        assert first.shape == (90, 160, 3)
        drive(session, STRAIGHT_GAS, 30)
        assert not np.array_equal(first, session.read())


def test_the_indicator_bar_is_cropped_by_default():
    # CarRacing draws a black bar over the bottom eighth of its render.
    with CarRacingSession(seed=0, crop_indicators=False, settle_steps=0) as uncropped:
        bottom = uncropped.read()[-8:]
        assert bottom.mean() < 40
    with CarRacingSession(seed=0, settle_steps=0) as cropped:
        assert cropped.read()[-8:].mean() > 60  # road and grass reach the bottom edge


def test_apply_steps_once_and_keeps_the_episode_reward(session):
    rewards = []
    for _ in range(20):
        reward, done = session.apply(STRAIGHT_GAS)
        assert isinstance(reward, float) and done is False
        rewards.append(reward)
    assert session.steps == 20
    assert session.episode_reward == pytest.approx(sum(rewards))
    assert session.tiles_visited > 0  # driving straight off the start visits tiles


def test_gas_makes_speed_and_brake_takes_it_away(session):
    assert session.speed == pytest.approx(0.0, abs=1e-3)
    drive(session, STRAIGHT_GAS, 60)
    fast = session.speed
    assert fast > 20.0
    drive(session, {"steering": 0.0, "throttle": -0.8}, 40)
    assert session.speed < fast / 2


def _largest_rear_wheel_slip(traction_control):
    with CarRacingSession(seed=0, settle_steps=0, frame_size=(16, 16), traction_control=traction_control) as session:
        slips = []
        for _ in range(60):
            session.apply(STRAIGHT_GAS)
            slips.append(rear_wheel_slip(session.env.car))
        return max(slips), session.speed


def test_traction_control_keeps_the_rear_wheels_from_spinning_under_full_gas():
    # Full gas from standstill: CarRacing's own car spins its rear wheels at 3x the
    # limit; the car's traction control holds the slip near the limit and still gains speed.
    raw_slip, _ = _largest_rear_wheel_slip(None)
    controlled_slip, speed = _largest_rear_wheel_slip(10.0)
    assert raw_slip > 25.0
    assert controlled_slip < 13.0
    assert speed > 20.0


def test_the_car_has_traction_control_by_default(session):
    assert session.config.traction_control == 10.0


def test_episode_ends_at_max_steps_and_refuses_more_controls():
    with CarRacingSession(seed=0, max_steps=5, settle_steps=0) as session:
        done_flags = [session.apply(STRAIGHT_GAS)[1] for _ in range(5)]
        assert done_flags == [False] * 4 + [True]
        assert session.done
        with pytest.raises(CharlesError, match="reset"):
            session.apply(STRAIGHT_GAS)
        session.reset()
        assert not session.done and session.steps == 0 and session.episode_reward == 0.0


def test_bad_controls_raise_naming_the_field_and_do_not_step(session):
    with pytest.raises(DataError, match="'throttle'"):
        session.apply({"steering": 0.0, "throttle": float("nan")})
    with pytest.raises(DataError, match="'steering'"):
        session.apply({"steering": -2.0, "throttle": 0.5})
    assert session.steps == 0


def test_reset_with_the_same_seed_gives_the_same_track(session):
    points = session.track_points.copy()
    session.reset(seed=3)
    assert len(session.track_points) != len(points) or not np.allclose(session.track_points, points)
    session.reset(seed=0)
    np.testing.assert_array_equal(session.track_points, points)
    assert session.seed == 0


def test_teleport_lands_on_the_track_at_rest_facing_along_it(session):
    drive(session, STRAIGHT_GAS, 40)
    assert session.speed > 10
    index = session.teleport_random(np.random.default_rng(7))
    points = session.track_points
    assert 0 <= index < len(points)
    assert session.track_index == index
    assert np.hypot(*(points[index] - np.asarray(session.position))) < 0.5
    assert nearest_index(points, session.position) == index
    assert session.speed < 0.5
    next_point = points[(index + 1) % len(points)]
    assert abs(relative_bearing(session.position, session.heading, next_point)) < 0.05
    # Parked with no gas it stays put: a real standstill, not a moving car re-placed.
    drive(session, {"steering": 0.0, "throttle": 0.0}, 10)
    assert session.speed < 0.5
    assert np.hypot(*(points[index] - np.asarray(session.position))) < ROAD_HALF_WIDTH


def test_teleport_is_reproducible_from_an_int_seed(session):
    assert session.teleport_random(11) == session.teleport_random(11)


def test_purpose_is_finite_and_in_range(session):
    for step in range(120):
        purpose = session.purpose()
        assert purpose.shape == (2,) and purpose.dtype == np.float32
        assert np.all(np.isfinite(purpose))
        assert 0.0 <= purpose[0] <= 1.0 and -1.0 <= purpose[1] <= 1.0
        session.apply({"steering": 0.6 * math.sin(step / 10), "throttle": 0.7})


def test_purpose_points_ahead_on_a_fresh_track(session):
    distance, direction = session.purpose()
    assert 0.3 < distance <= 0.55  # about 0.5 on a straight, less where the road bends
    assert abs(direction) < 0.25  # the car starts facing along the track


def test_purpose_direction_says_which_way_to_steer(session):
    # Turn left (hull angle grows) away from the road: the target ends up to the right (positive).
    start = session.heading
    while session.heading - start < 0.8:
        session.apply({"steering": -1.0, "throttle": 0.3})
        assert session.steps < 300, "the car never turned left"
    assert session.purpose()[1] > 0.1
    session.reset()
    start = session.heading
    while start - session.heading < 0.8:
        session.apply({"steering": 1.0, "throttle": 0.3})
        assert session.steps < 300, "the car never turned right"
    assert session.purpose()[1] < -0.1


@pytest.mark.parametrize(
    "options",
    [
        {"frame_size": (4, 96)},
        {"frame_size": "96x96"},
        {"max_steps": 0},
        {"purpose_tiles_ahead": 0},
        {"lap_complete_percent": 1.5},
        {"traction_control": 0.0},
        {"traction_control": -5.0},
        {"frame_sise": (96, 96)},
    ],
)
def test_bad_options_raise_config_error(options):
    with pytest.raises(ConfigError):
        CarRacingSession(**options)


def test_a_closed_session_says_so():
    session = CarRacingSession(seed=0, settle_steps=0)
    session.close()
    session.close()
    with pytest.raises(CharlesError, match="closed"):
        session.read()
