import pytest

from charles_core.errors import ConfigError, DataError
from charles_core.sim.evaluate import ConstantPolicy, evaluate


def test_evaluate_reports_per_seed_and_mean_rewards():
    seen_frames = []

    def policy(session):
        seen_frames.append(session.read().shape)
        return {"steering": 0.0, "throttle": 0.6}

    result = evaluate(policy, seeds=[0, 1], max_steps=30, frame_size=(48, 64))
    assert set(result["per_seed"]) == {0, 1}
    assert result["steps"] == {0: 30, 1: 30}
    assert result["mean"] == pytest.approx(sum(result["per_seed"].values()) / 2, abs=0.01)
    assert seen_frames and set(seen_frames) == {(48, 64, 3)}
    # 30 steps on the start straight: -0.1 each, plus a few tiles visited.
    assert all(-3.0 < reward < 100.0 for reward in result["per_seed"].values())


def test_evaluate_calls_reset_policy_once_per_episode():
    resets = []
    evaluate(ConstantPolicy(), seeds=[2, 3, 4], max_steps=2, reset_policy=lambda: resets.append(1))
    assert len(resets) == 3


def test_constant_policy_is_straight_full_gas_by_default():
    assert ConstantPolicy()(None) == {"steering": 0.0, "throttle": 1.0}


def test_constant_policy_validates_its_controls():
    with pytest.raises(DataError, match="'throttle'"):
        ConstantPolicy(throttle=2.0)


@pytest.mark.parametrize(("seeds", "max_steps"), [([], 10), ([0], 0), ([0], None)])
def test_evaluate_rejects_empty_seeds_and_unbounded_episodes(seeds, max_steps):
    with pytest.raises(ConfigError):
        evaluate(ConstantPolicy(), seeds=seeds, max_steps=max_steps)
