import numpy as np
import pytest

from charles_core import plugins
from charles_core.collect.collector import Collector, CollectorConfig, mirrored
from charles_core.collect.data_pipeline import make_balancer, make_buffers
from charles_core.data.sample import Sample


def test_mirrored_sample_flips_frame_steering_and_direction():
    frame = np.zeros((4, 6, 3), np.uint8)
    frame[:, 0] = 255
    sample = Sample(frame, throttle=0.5, steering=-0.3, speed=3.0, purpose=(0.5, 0.2))
    mirror = mirrored(sample)
    assert (mirror.frame[:, -1] == 255).all() and (mirror.frame[:, 0] == 0).all()
    assert mirror.steering == pytest.approx(0.3) and mirror.throttle == 0.5
    np.testing.assert_allclose(mirror.purpose, [0.5, -0.2])


def test_collector_records_the_npc_in_sync_into_balanced_buffers(tmp_path):
    pytest.importorskip("gymnasium")
    from charles_core.sim.car_racing_session import CarRacingSession
    from charles_core.sim.expert_driver import ExpertDriver

    line = plugins.lines.get("charles_pilotnet_v1")
    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, tmp_path / "b", (64, 64), balancer, capacity=30)
    driver = ExpertDriver()
    chosen = []

    class Recording:
        def act(self, session):
            controls = driver.act(session)
            chosen.append(controls)
            return controls

    with CarRacingSession(seed=3, action_repeat=2) as session:
        collector = Collector(
            session,
            Recording(),
            line,
            (64, 64),
            balancer,
            buffers,
            CollectorConfig(seeds=(3,), mirror=True, perturb_probability=0.0),
        )
        for _ in range(150):
            collector.step()
    assert collector.steps == 150 == len(chosen)
    counts = buffers.counts()
    assert all(0 < c <= 30 for c in counts.values())
    labels = {round(c["steering"], 5) for c in chosen} | {round(-c["steering"], 5) for c in chosen}
    stored = [s for name in buffers.outputs for s in buffers.samples(name)]
    assert all(s.frame.shape == (2 * 64, 64, 3) for s in stored)  # the line's 2 frames, oldest on top
    assert all(round(s.steering, 5) in labels for s in stored)  # labels are the NPC's own choices


def test_a_pilot_drives_while_the_npc_labels(tmp_path):
    pytest.importorskip("gymnasium")
    from charles_core.sim.car_racing_session import CarRacingSession
    from charles_core.sim.expert_driver import ExpertDriver

    line = plugins.lines.get("model_0003_xception_v1")
    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, tmp_path / "b", (64, 64), balancer, capacity=50)
    driver = ExpertDriver()
    labels, executed = [], []

    class Npc:
        def act(self, session):
            labels.append(driver.act(session))
            return labels[-1]

    class Pilot:
        resets = 0

        def reset(self):
            Pilot.resets += 1

        def __call__(self, session):
            executed.append({"throttle": 0.2, "steering": 0.9})
            return executed[-1]

    with CarRacingSession(seed=3, action_repeat=2) as one, CarRacingSession(seed=4, action_repeat=2) as two:
        collector = Collector(
            [one, two], Npc(), line, (64, 64), None, buffers, CollectorConfig(seeds=(3, 4), perturb_probability=0.0)
        )
        collector.set_pilots([Pilot()])  # the first car only
        for _ in range(40):
            collector.step()
    assert Pilot.resets >= 1 and len(executed) == 20 and len(labels) == 40  # cars take turns
    stored = {round(s.steering, 5) for s in buffers.samples("steering")}
    assert stored <= {round(c["steering"], 5) for c in labels}  # labels are the NPC's, never the pilot's
    assert 0.9 not in stored


class _Perturbed:
    """A collector stripped to its perturbation state (no simulator)."""

    def __init__(self, config):
        self.collector = Collector.__new__(Collector)
        self.collector.config = config
        self.collector.rng = np.random.default_rng(0)

        class Car:
            perturbation = (0, 0.0)
            takeover = False

        self.car = Car()

    def offsets(self, steps):
        return [
            self.collector._executed(self.car, {"steering": 0.0, "throttle": 0.5})["steering"] for _ in range(steps)
        ]


def test_perturbations_keep_to_their_lengths_and_offset_range():
    config = CollectorConfig(
        perturb_probability=0.2, perturb_steps=5, perturb_min_steps=2, perturb_steering=0.3, perturb_min_steering=0.1
    )
    offsets = _Perturbed(config).offsets(3000)
    nonzero = np.array([o for o in offsets if o != 0.0])
    assert len(nonzero) > 300
    assert np.all((np.abs(nonzero) >= 0.1 - 1e-9) & (np.abs(nonzero) <= 0.3 + 1e-9))
    assert (nonzero > 0).any() and (nonzero < 0).any()
    runs, length = [], 0
    for value, before in zip(offsets, [0.0] + offsets[:-1]):
        if value != 0.0 and value == before:
            length += 1
        else:
            if length:
                runs.append(length)
            length = 1 if value != 0.0 else 0
    assert min(runs) >= 2 and max(runs) <= 5
    assert len(set(runs)) > 1  # lengths vary between the shortest and the longest


def test_no_perturbation_probability_executes_the_npc_controls():
    assert set(_Perturbed(CollectorConfig(perturb_probability=0.0)).offsets(500)) == {0.0}


@pytest.mark.parametrize(
    "options", [dict(perturb_min_steps=7, perturb_steps=6), dict(perturb_min_steering=0.7, perturb_steering=0.6)]
)
def test_a_minimum_above_its_maximum_is_a_config_error(options):
    from charles_core.errors import ConfigError

    with pytest.raises(ConfigError, match="must not exceed"):
        CollectorConfig(**options)


def test_far_off_the_road_the_npc_takes_over_from_a_perturbation_until_the_car_is_back():
    perturbed = _Perturbed(
        CollectorConfig(perturb_probability=1.0, perturb_steps=50, perturb_min_steering=0.5, takeover_distance=8.0)
    )

    class Session:
        track_points = np.array([[0.0, 0.0], [0.0, 10.0]])
        track_index = 0
        position = (2.0, 0.0)

    perturbed.car.session = Session()
    collector, car, npc = perturbed.collector, perturbed.car, {"steering": 0.0, "throttle": 0.5}

    def executed(off_centre):
        Session.position = (off_centre, 0.0)
        collector._update_takeover(car)
        return collector._executed(car, npc)["steering"]

    assert executed(2.0) != 0.0  # near the road: perturbed
    assert executed(9.0) == 0.0 and car.takeover  # far out: the NPC's own controls
    assert executed(5.0) == 0.0  # still beyond half the distance: the NPC keeps driving
    assert executed(3.0) != 0.0 and not car.takeover  # back near the centre: perturbations again
