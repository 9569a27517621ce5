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

    def __init__(self, session, owns_session: bool = False, wait_for_step: bool = False, wait_timeout_s: float = 1.0):
        if session is None or not callable(getattr(session, "read", None)):
            raise ConfigError(
                "the 'sim' frame source needs session=<CarRacingSession>; create one with "
                "charles_core.plugins.environments.get('car_racing').factory()"
            )
        self.session = session
        self.owns_session = bool(owns_session)
        self.wait_for_step = bool(wait_for_step)
        self.wait_timeout_s = float(wait_timeout_s)
        self._last_frame_number = None

    def read(self) -> np.ndarray:
        """The session's current frame, RGB uint8 ``(height, width, 3)``.

        With ``wait_for_step`` (the player's capture thread), each call after
        the first waits until the simulator has stepped, so every frame handed
        out is new, as a screen capture of a running game would be; after
        ``wait_timeout_s`` without a step it returns the current frame.
        """
        changed = getattr(self.session, "changed", None)
        if not self.wait_for_step or changed is None:
            return self.session.read()
        with changed:
            if self._last_frame_number is not None:
                changed.wait_for(
                    lambda: self.session.frame_number != self._last_frame_number, timeout=self.wait_timeout_s
                )
            self._last_frame_number = self.session.frame_number
            return self.session.read()

    def close(self) -> None:
        if self.owns_session:
            self.session.close()
