"""The built-in simulator plugin: environment ``car_racing``, frame source and controller ``sim``.

Importing this module needs neither gymnasium nor box2d; the factories import
them when called (and raise MissingDependencyError if they are missing).

Example:

```python
from charles_core import plugins
session = plugins.environments.get("car_racing").factory(seed=0)
source = plugins.frame_sources.get("sim").factory(session=session)
controller = plugins.controllers.get("sim").factory(session=session)
controller.apply({"steering": 0.0, "throttle": 0.5}); frame = source.read()
```
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


def create_car_racing_session(**options):
    """Factory of the ``car_racing`` environment: a :class:`CarRacingSession` (options = its config fields)."""
    from charles_core.sim.car_racing_session import CarRacingSession

    return CarRacingSession(**options)


def create_sim_frame_source(session=None, **options):
    """Factory of the ``sim`` frame source; ``session=`` is the shared CarRacingSession."""
    from charles_core.sim.sim_frame_source import SimFrameSource

    return SimFrameSource(session=session, **options)


def create_sim_controller(session=None, **options):
    """Factory of the ``sim`` controller; ``session=`` is the shared CarRacingSession."""
    from charles_core.sim.sim_controller import SimController

    return SimController(session=session, **options)


@hookimpl
def charles_register_environments(register):
    register(
        ComponentSpec(
            name="car_racing",
            factory=create_car_racing_session,
            description="gymnasium CarRacing-v3 (Box2D) driven with Charles's steering/throttle",
        )
    )


@hookimpl
def charles_register_frame_sources(register):
    register(
        ComponentSpec(
            name="sim",
            factory=create_sim_frame_source,
            description="frames of a shared car_racing session (session=...)",
        )
    )


@hookimpl
def charles_register_controllers(register):
    register(
        ComponentSpec(
            name="sim",
            factory=create_sim_controller,
            description="applies controls to a shared car_racing session (session=...)",
        )
    )
