"""Opening a driving environment by name, from the ``environments`` registry."""

from __future__ import annotations

from charles_core import plugins

#: The built-in environment: gymnasium's CarRacing with Charles's controls (``charles_core/sim/plugin.py``).
DEFAULT_ENVIRONMENT = "car_racing"


def open_environment(name: str = DEFAULT_ENVIRONMENT, **options):
    """A new session of the registered environment ``name`` (``charles environments`` lists them).

    Every environment takes ``seed``, ``max_steps``, ``frame_size`` and
    ``action_repeat`` options and behaves like
    :class:`~charles_core.sim.car_racing_session.CarRacingSession`: ``reset(seed)``,
    ``read()``, ``apply(controls)``, ``done``, ``episode_reward``, ``speed``,
    ``purpose()``, ``close()`` and use as a context manager.

    Args:
        name: the environment's registered name.
        options: passed to its factory.

    Example:

    ```python
    from charles_core.sim.environments import open_environment
    with open_environment("car_racing", seed=0, action_repeat=2) as session:
        frame = session.read()
    ```
    """
    return plugins.environments.get(name).factory(**options)
