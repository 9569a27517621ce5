"""The ``"sim"`` frame source: frames from a shared CarRacingSession."""

from __future__ import annotations

import numpy as np

from charles_core.errors import ConfigError


class SimFrameSource:
    """Hands out the current frame of a :class:`~charles_core.sim.car_racing_session.CarRacingSession`.

    The source does not step the simulator: the ``"sim"`` controller does,
    so the player's read -> predict -> apply loop sees each frame once.

    Args:
        session: the shared session (also given to the ``"sim"`` controller).
        owns_session: close the session when the source is closed.

    Example:

    ```python
    from charles_core.sim.car_racing_session import CarRacingSession
    from charles_core.sim.sim_frame_source import SimFrameSource
    source = SimFrameSource(session=CarRacingSession(seed=0))
    source.read().shape  # (96, 96, 3)
    ```
    """

    def __init__(self, session, owns_session: bool = False):
        if session is None or not callable(getattr(session, "read", None)):
            raise ConfigError(
                "the 'sim' frame source needs session=<CarRacingSession>; create one with "
                "charles_core.plugins.environments.get('car_racing').factory()"
            )
        self.session = session
        self.owns_session = bool(owns_session)

    def read(self) -> np.ndarray:
        """The session's current frame, RGB uint8 ``(height, width, 3)``."""
        return self.session.read()

    def close(self) -> None:
        if self.owns_session:
            self.session.close()
