"""Plugin points that hold: environments, balancers and commands come from their registries."""

import attrs
import pytest

from charles_core import hookimpl, plugins
from charles_core.errors import ConfigError
from charles_core.registry import ComponentSpec


class _CountingEnvironment:
    """A second environment: CarRacing under another name, counting the sessions it opens."""

    opened = 0

    @hookimpl
    def charles_register_environments(self, register):
        register(ComponentSpec(name="counting_track", factory=self.open, description="test environment"))

    @classmethod
    def open(cls, **options):
        from charles_core.sim.car_racing_session import CarRacingSession

        cls.opened += 1
        return CarRacingSession(**options)


@pytest.fixture
def counting_environment():
    _CountingEnvironment.opened = 0
    plugins.register_plugin(_CountingEnvironment(), name="counting-environment")
    yield _CountingEnvironment
    plugins.unregister_plugin("counting-environment")


def test_the_simulator_drives_a_registered_environment(counting_environment):
    from charles_core.driving.drive import drive_simulator
    from charles_core.models import create_model

    model = create_model("charles_pilotnet_v1", input_size=(61, 64), seed=0, load_sources=False)
    result = drive_simulator(
        model, [0], rate_hz=0, max_steps=20, runtime="keras", status=lambda status: None, environment="counting_track"
    )
    assert counting_environment.opened == 1
    assert set(result["per_seed"]) == {0}


def test_the_collector_takes_its_cars_from_the_environment_registry(counting_environment, tmp_path):
    from charles_core.collect.data_pipeline import make_balancer, make_buffers, make_sim_collector
    from charles_core.models import get_line

    line = get_line("charles_pilotnet_v1")
    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, tmp_path / "buffers", (61, 64), balancer, capacity=8)
    collector = make_sim_collector(
        line, (61, 64), balancer, buffers, seeds=[100_000], cars=3, environment="counting_track"
    )
    collector.step()
    assert counting_environment.opened == 3
    collector.close()
    buffers.close()


def test_an_unknown_environment_names_the_registered_ones():
    from charles_core.sim.environments import open_environment

    with pytest.raises(Exception, match="car_racing"):
        open_environment("no_such_track")


class _CopyBalancer:
    @hookimpl
    def charles_register_balancers(self, register):
        from charles_core.data.balancing_v3 import BalancerV3

        register(ComponentSpec(name="v3_copy", factory=BalancerV3.from_options))


def test_a_line_names_a_plugin_balancer_and_an_unknown_one_is_refused():
    from charles_core.collect.data_pipeline import make_balancer
    from charles_core.models import get_line

    line = get_line("charles_pilotnet_v1")
    with pytest.raises(ConfigError, match="registered balancer"):
        attrs.evolve(line, balancing="v3_copy")
    plugins.register_plugin(_CopyBalancer(), name="copy-balancer")
    try:
        copied = attrs.evolve(line, balancing="v3_copy")
        balancer = make_balancer(copied, bins="coarse")
        assert balancer.buffer_names == make_balancer(line, bins="coarse").buffer_names
    finally:
        plugins.unregister_plugin("copy-balancer")


class _HelloCommand:
    def __init__(self, name):
        self.name = name

    @hookimpl
    def charles_register_commands(self, register):
        def add(commands):
            sub = commands.add_parser(self.name, help="say hello")
            sub.add_argument("--to", default="world")
            sub.set_defaults(func=lambda args: print(f"hello {args.to}") or 0)

        register(ComponentSpec(name=f"hello-{self.name}", factory=add))


def test_a_plugin_adds_a_charles_command(capsys):
    from charles_core.cli.commands import main

    plugins.register_plugin(_HelloCommand("hello"), name="hello-command")
    try:
        assert main(["hello", "--to", "Charles"]) == 0
        assert capsys.readouterr().out.strip() == "hello Charles"
    finally:
        plugins.unregister_plugin("hello-command")


def test_a_plugin_command_that_clashes_is_one_line_and_exit_2(capsys):
    from charles_core.cli.commands import main

    plugins.register_plugin(_HelloCommand("train"), name="clashing-command")
    try:
        assert main(["lines"]) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("charles: error:") and "clashing-command" in error and "\n" not in error
    finally:
        plugins.unregister_plugin("clashing-command")
