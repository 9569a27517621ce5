"""evaluate_drivers on the simulator: the NPC and the baseline on the same short tracks."""

import pytest

from charles_core.driving.unstuck_config import UnstuckConfig
from charles_core.errors import ConfigError
from charles_core.evaluation.bootstrap import Bootstrap
from charles_core.evaluation.drivers import evaluate_drivers
from charles_core.sim.evaluate import ConstantPolicy, evaluate
from charles_core.sim.track_split import TRAINING_SEED_START
from charles_core.sim.wheel_slip import rear_wheel_slip

pytest.importorskip("gymnasium")


def test_npc_and_baseline_on_two_tracks():
    from charles_core.sim.expert_driver import ExpertDriver

    report = evaluate_drivers(
        {"npc": ExpertDriver(max_speed=65), "baseline": ConstantPolicy()},
        [3, 4],
        max_steps=150,
        progress=False,
        bootstrap=Bootstrap(resamples=500),
    )
    assert report.seeds == (3, 4) and report.drivers == ("npc", "baseline")
    for name in report.drivers:
        for row in report.tracks[name]:
            assert row.steps == 150 and not row.lap_completed
            assert 0 < row.route_completion < 1
            assert row.score == pytest.approx(report.score.score(row.route_completion, row.off_road_seconds, 0))
    npc, baseline = report.tracks["npc"], report.tracks["baseline"]
    # the NPC stays on the road and gets further; full throttle straight ahead leaves it
    assert all(row.off_road_seconds == 0 for row in npc)
    assert all(row.off_road_seconds > 0 for row in baseline)
    assert all(n.reward > b.reward and n.score > b.score for n, b in zip(npc, baseline))
    assert report.paired("baseline")["reward_ratio"].estimate < 1
    # the same episodes through the plain evaluate(): the metrics agree
    plain = evaluate(ConstantPolicy(), [3, 4], max_steps=150, action_repeat=2)
    assert [row.reward for row in baseline] == pytest.approx([plain["per_seed"][3], plain["per_seed"][4]], abs=0.01)
    assert [row.off_road_seconds for row in baseline] == pytest.approx(
        [plain["off_road_seconds"][3], plain["off_road_seconds"][4]], abs=0.01
    )


def test_the_car_s_traction_control_is_a_setting_recorded_in_the_report():
    def slips_under_full_gas(**options):
        slips = []

        def full_gas(session):
            slips.append(rear_wheel_slip(session.env.car))
            return {"steering": 0.0, "throttle": 1.0}

        report = evaluate_drivers(
            {"full_gas": full_gas},
            [3],
            reference=None,
            max_steps=30,
            progress=False,
            bootstrap=Bootstrap(resamples=200),
            **options,
        )
        return report.settings["traction_control"], max(slips)

    (controlled, controlled_slip), (raw, raw_slip) = (
        slips_under_full_gas(),
        slips_under_full_gas(traction_control=None),
    )
    assert controlled == 10.0 and raw is None
    # from standstill CarRacing's own car spins its rear wheels far more
    assert raw_slip > 2 * controlled_slip


def test_a_parked_car_is_unstuck_counted_and_penalised():
    parked = ConstantPolicy(throttle=0.0)
    report = evaluate_drivers(
        {"parked": parked},
        [3],
        reference=None,
        max_steps=200,
        progress=False,
        unstuck=UnstuckConfig(check_interval_s=1.0, min_distance=1.0),
        bootstrap=Bootstrap(resamples=200),
    )
    row = report.tracks["parked"][0]
    assert row.unstucks >= 2  # 4 s of a parked car, checked every second
    assert row.score == pytest.approx(100 * row.route_completion * 0.7**row.unstucks * 0.95**row.off_road_seconds)


def test_a_policy_reset_is_called_before_each_track():
    class Counting(ConstantPolicy):
        resets = 0

        def reset(self):
            self.resets += 1

    policy = Counting()
    evaluate_drivers(
        {"counting": policy}, [3, 4], reference=None, max_steps=10, progress=False, bootstrap=Bootstrap(resamples=200)
    )
    assert policy.resets == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seeds": [3, TRAINING_SEED_START]}, "training tracks"),
        ({"seeds": [3], "max_steps": 0}, "max_steps"),
        ({"seeds": [3], "reference": "npc"}, "not among"),
    ],
)
def test_bad_calls_are_refused_before_driving(kwargs, message):
    options = {"reference": None, "progress": False, **kwargs}
    with pytest.raises(ConfigError, match=message):
        evaluate_drivers({"baseline": ConstantPolicy()}, **options)


def test_no_driver_is_refused():
    with pytest.raises(ConfigError, match="at least one driver"):
        evaluate_drivers({}, [3])
