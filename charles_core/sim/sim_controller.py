"""The ``"sim"`` controller: applies Charles's controls to a shared CarRacingSession."""

from __future__ import annotations

from collections.abc import Mapping

from charles_core.errors import ConfigError


class SimController:
    """Steps a :class:`~charles_core.sim.car_racing_session.CarRacingSession` once per ``apply``.

    Args:
        session: the shared session (also given to the ``"sim"`` frame source).
        owns_session: close the session when the controller is closed.

    Example:

    ```python
    from charles_core.sim.car_racing_session import CarRacingSession
    from charles_core.sim.sim_controller import SimController
    controller = SimController(session=CarRacingSession(seed=0))
    reward, done = controller.apply({"steering": 0.0, "throttle": 1.0})
    ```
    """

    def __init__(self, session, owns_session: bool = False):
        if session is None or not callable(getattr(session, "apply", None)):
            raise ConfigError(
                "the 'sim' controller needs session=<CarRacingSession>; create one with "
                "charles_core.plugins.environments.get('car_racing').factory()"
            )
        self.session = session
        self.owns_session = bool(owns_session)

    def apply(self, controls: Mapping) -> tuple[float, bool]:
        """Apply ``{"steering": s, "throttle": t}`` for one step; returns ``(reward, done)``.

        Raises:
            DataError: a control is missing, NaN or out of range (named in the message).
        """
        return self.session.apply(controls)

    def close(self) -> None:
        if self.owns_session:
            self.session.close()
