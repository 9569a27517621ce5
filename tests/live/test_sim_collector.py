"""The built-in ``sim`` collector: registered through the hook, balanced samples per buffer."""

import pytest

from charles_core import plugins
from charles_core.errors import ConfigError, RegistryError

pytest.importorskip("gymnasium")


def _line():
    return plugins.lines.get("charles_pilotnet_v1")


def test_sim_collector_is_registered_through_the_hook():
    entry = plugins.collectors.get("sim")
    assert callable(entry.factory)
    with pytest.raises(RegistryError):
        plugins.collectors.get("no_such_collector")


def test_sim_collector_returns_balanced_samples_for_the_trainers_buffers():
    from charles_core.collect.data_pipeline import make_balancer

    line = _line()
    collector = plugins.collectors.get("sim").factory(line, (48, 64), seed=3, cars=2, max_steps_per_call=400)
    try:
        assert collector.buffer_names == make_balancer(line, bins="coarse").buffer_names
        got = {}
        for _ in range(3):
            for name, samples in collector.collect(16).items():
                got.setdefault(name, []).extend(samples)
        assert set(got) <= set(collector.buffer_names)
        assert sum(len(samples) for samples in got.values()) > 0
        frame = next(iter(got.values()))[0].frame
        assert frame.shape == (48 * line.frames, 64, 3)
        assert collector.finished is False
        assert collector.steps <= 3 * 400
    finally:
        collector.close()


def test_sim_collector_refuses_bad_options():
    with pytest.raises(ConfigError, match="cars"):
        plugins.collectors.get("sim").factory(_line(), (48, 64), seed=0, cars=0)


def test_sim_collector_takes_the_quickstarts_perturbation_settings():
    """Given ones reach the collector (the live quickstart passes its own); left out, CollectorConfig's defaults."""
    from charles_core.collect.collector import CollectorConfig

    factory = plugins.collectors.get("sim").factory
    given = factory(_line(), (48, 64), cars=1, perturb_probability=0.0, perturb_steps=9, takeover_distance=4.0)
    default = factory(_line(), (48, 64), cars=1)
    try:
        config = given._collector.config
        assert (config.perturb_probability, config.perturb_steps, config.takeover_distance) == (0.0, 9, 4.0)
        assert config.perturb_steering == CollectorConfig().perturb_steering  # not given: the default
        assert default._collector.config.perturb_probability == CollectorConfig().perturb_probability
    finally:
        given.close()
        default.close()
    with pytest.raises(ConfigError, match="perturb_min_steps"):
        factory(_line(), (48, 64), cars=1, perturb_steps=2, perturb_min_steps=3)
