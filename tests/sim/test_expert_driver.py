import numpy as np
import pytest

from charles_core.errors import ConfigError
from charles_core.sim.car_racing_session import CarRacingSession
from charles_core.sim.evaluate import ConstantPolicy, evaluate
from charles_core.sim.expert_driver import ExpertDriver
from charles_core.sim.track_geometry import ROAD_HALF_WIDTH
from charles_core.sim.wheel_slip import rear_wheel_slip

NPC_REWARD_BAR = 800.0


def test_expert_stays_on_the_road_and_collects_tiles(session):
    driver = ExpertDriver()
    furthest_off_centre = 0.0
    for _ in range(300):
        controls = driver.act(session)
        assert set(controls) == {"steering", "throttle"}
        assert -1.0 <= controls["steering"] <= 1.0 and -1.0 <= controls["throttle"] <= 1.0
        session.apply(controls)
        centre = session.track_points[session.track_index]
        furthest_off_centre = max(furthest_off_centre, float(np.hypot(*(centre - np.asarray(session.position)))))
    assert furthest_off_centre < ROAD_HALF_WIDTH
    # 300 steps of 1/50 s: a driver keeping up ~50 units/s covers ~85 tiles of 3.5 units.
    assert session.tiles_visited > 80
    assert session.episode_reward > 200


def test_expert_gets_back_after_an_unstuck_teleport(session):
    driver = ExpertDriver()
    session.teleport_random(5)
    start_tiles = session.tiles_visited
    for _ in range(150):
        session.apply(driver.act(session))
    assert session.tiles_visited - start_tiles > 25


def test_noise_varies_the_controls_and_zero_noise_is_deterministic(session):
    plain = [ExpertDriver().act(session) for _ in range(2)]
    assert plain[0] == plain[1]
    noisy = ExpertDriver(steering_noise=0.1, throttle_noise=0.1, seed=3)
    assert noisy.act(session) != noisy.act(session)


@pytest.mark.parametrize(
    "options", [{"max_brake": 0.95}, {"lateral_acceleration": 0.0}, {"steering_noise": -0.1}, {"speed": 3}]
)
def test_bad_expert_options_raise_config_error(options):
    with pytest.raises(ConfigError):
        ExpertDriver(**options)


@pytest.mark.slow
def test_expert_mean_reward_over_five_tracks_clears_the_bar():
    seeds = [0, 1, 2, 3, 4]
    npc = evaluate(ExpertDriver(), seeds, max_steps=1000)
    print("NPC per-seed rewards:", npc["per_seed"], "mean", npc["mean"])
    assert npc["mean"] >= NPC_REWARD_BAR, npc
    assert all(npc["lap_finished"].values()), npc


def test_constant_policy_is_far_below_the_expert_on_a_short_run():
    expert = evaluate(ExpertDriver(), [0], max_steps=200)
    constant = evaluate(ConstantPolicy(), [0], max_steps=200)
    assert expert["mean"] > constant["mean"] + 50


def _npc_throttle_while_the_rear_wheels_spin(traction_control):
    driver = ExpertDriver()
    throttles = []
    with CarRacingSession(seed=0, settle_steps=0, frame_size=(16, 16), traction_control=traction_control) as session:
        for _ in range(60):
            if rear_wheel_slip(session.env.car) > driver.config.max_wheel_slip:
                throttles.append(driver.act(session)["throttle"])
            session.apply({"steering": 0.0, "throttle": 1.0})
    return throttles


def test_the_npc_cuts_its_gas_on_wheel_spin_only_on_a_car_without_traction_control():
    # Its own cut reads a wheel slip the camera does not show: on a car with traction
    # control its label is the gas it wants, and the car does the cutting.
    own_cut = _npc_throttle_while_the_rear_wheels_spin(None)
    car_cut = _npc_throttle_while_the_rear_wheels_spin(10.0)
    assert own_cut and car_cut
    assert max(own_cut) <= 0.0
    assert min(car_cut) > 0.5
