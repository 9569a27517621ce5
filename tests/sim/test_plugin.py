import subprocess
import sys

import numpy as np
import pytest

import charles_core.sim.plugin as sim_plugin
from charles_core import plugins
from charles_core.errors import ConfigError
from charles_core.sim.car_racing_session import CarRacingSession
from charles_core.sim.sim_controller import SimController
from charles_core.sim.sim_frame_source import SimFrameSource


@pytest.fixture
def registered():
    """The global registries with the simulator plugin in them (whether or not it is a default yet)."""
    manager = plugins.get_plugin_manager()
    if not manager.is_registered(sim_plugin):
        plugins.register_plugin(sim_plugin, name="charles_core.sim.plugin")
    return plugins


def test_the_plugin_registers_the_environment_source_and_controller(registered):
    assert "car_racing" in registered.environments
    assert "sim" in registered.frame_sources
    assert "sim" in registered.controllers


def test_sim_source_and_controller_share_one_session_through_the_registry(registered):
    session = registered.environments.get("car_racing").factory(seed=0, frame_size=(60, 80), settle_steps=0)
    assert isinstance(session, CarRacingSession)
    source = registered.frame_sources.get("sim").factory(session=session)
    controller = registered.controllers.get("sim").factory(session=session, owns_session=True)
    assert isinstance(source, SimFrameSource) and isinstance(controller, SimController)
    first = source.read().copy()
    assert first.shape == (60, 80, 3) and first.dtype == np.uint8
    for _ in range(25):
        reward, done = controller.apply({"steering": 0.0, "throttle": 1.0})
    assert session.steps == 25 and not done
    assert not np.array_equal(first, source.read())  # the source sees what the controller did
    source.close()  # does not own the session
    assert source.read().shape == (60, 80, 3)
    controller.close()  # owns it
    with pytest.raises(Exception, match="closed"):
        source.read()


@pytest.mark.parametrize("kind", ["frame_sources", "controllers"])
def test_sim_source_and_controller_need_a_session(registered, kind):
    with pytest.raises(ConfigError, match="session="):
        getattr(registered, kind).get("sim").factory()


def test_the_plugin_imports_without_gymnasium_and_says_how_to_install_it():
    # A child interpreter where importing gymnasium fails, as on a machine without it.
    code = (
        "import sys; sys.modules['gymnasium'] = None\n"
        "import charles_core.sim.plugin as p\n"
        "from charles_core.errors import MissingDependencyError\n"
        "try:\n"
        "    p.create_car_racing_session()\n"
        "except MissingDependencyError as error:\n"
        "    print('MISSING', error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "MISSING" in result.stdout and "pip install 'charles-core[sim]'" in result.stdout
