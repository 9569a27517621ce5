"""The game's NPC driving as a stream of samples: screen frames and game-link telemetry, in sync.

The game's script sends one telemetry line per game frame with the NPC's ``controls``,
``speed`` and ``purpose`` (game-link protocol version 2, docs/driving.md). For each new line
the stream grabs the screen at once and pairs the two, keeping the pair only when the line
carried every field a sample needs and was at most ``max_skew_s`` old when the frame was
grabbed: a frame and its labels are strictly in sync, or the pair is dropped and counted
(``stats()``). Lines that arrived while a frame was being grabbed are skipped (counted too):
the stream takes the newest, never a backlog.

Example:

```text
link = SocketGameLink(token=token, port=8765)
stream = GameStream(ScreenFrameSource(output_size=(270, 480)), link)
stream.wait_for_game(60)
sample = stream.read(timeout_s=1.0)   # a Sample, or None when no new line arrived in time
```
"""

from __future__ import annotations

import collections
import math
import time

from charles_core.common.signals import combine_pedals
from charles_core.data.sample import Sample
from charles_core.driving.socket_game_link import GameLinkError
from charles_core.errors import ConfigError

NEEDS = ("controls", "speed", "purpose")
INCOMPLETE = "incomplete"  # a line without every field a sample needs
OUT_OF_SYNC = "out of sync"  # the frame was grabbed more than max_skew_s after the line arrived
SKIPPED = "skipped"  # lines that arrived while a frame was being grabbed (the newest is taken)
NEGATIVE_SPEED = "negative speed"  # a sample's speed is a magnitude; the script sent a signed one


def throttle_of(controls) -> float:
    """The combined throttle of the game's controls: ``throttle``, or ``acceleration - braking``."""
    if "throttle" in controls:
        return float(controls["throttle"])
    return combine_pedals(controls["acceleration"], controls["braking"])


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"game collector: {name} must be a positive number of seconds; got {value!r}")
    return float(value)


class GameStream:
    """Frames from a frame source paired with the game link's telemetry, one sample per telemetry line.

    Args:
        source: a frame source (``read() -> RGB uint8 frame``, ``close()``): the screen.
        link: a game link with ``next_telemetry(after, timeout_s)`` and ``wait_for_game``
            (``SocketGameLink``, protocol version 2).
        max_skew_s: the most time between a line's arrival and the frame's grab (50 ms: one and
            a half frames at 30 Hz).
        max_quiet_s: a script silent this long is an error (``GameLinkError``), not a wait.
        close_link: close the link with the stream.

    Raises:
        ConfigError: bad settings.
    """

    def __init__(self, source, link, max_skew_s: float = 0.05, max_quiet_s: float = 10.0, close_link: bool = True):
        self.source, self.link = source, link
        self.max_skew_s = _positive("max_skew_s", max_skew_s)
        self.max_quiet_s = _positive("max_quiet_s", max_quiet_s)
        self.close_link = close_link
        self.finished = False  # the game never runs out
        self.count = 0
        self._dropped: collections.Counter = collections.Counter()
        self._last_number = 0
        self._last_heard = time.monotonic()
        self._started = time.monotonic()

    def wait_for_game(self, timeout_s: float = 60.0) -> None:
        """Wait until the script is connected and has sent controls, speed and purpose (``GameLinkError``)."""
        self.link.wait_for_game(timeout_s, needs=NEEDS)
        self._last_heard = time.monotonic()

    def stats(self) -> dict:
        """``{"samples", "dropped": {reason: count}}``."""
        return {"samples": self.count, "dropped": dict(self._dropped)}

    def read(self, timeout_s: float = 1.0) -> Sample | None:
        """The next in-sync sample, or ``None`` when no usable line arrived within ``timeout_s``.

        Raises:
            GameLinkError: the script has been silent for more than ``max_quiet_s``.
        """
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._check_quiet()
                return None
            try:
                number, fields, received_at = self.link.next_telemetry(self._last_number, timeout_s=left)
            except GameLinkError:
                if getattr(self.link, "closed", False):
                    raise
                self._check_quiet()
                return None
            grabbed_at = time.monotonic()  # the screen is grabbed first, then converted and resized
            frame = self.source.read()
            if self._last_number:  # lines from before the first read were never waited for
                self._dropped[SKIPPED] += number - self._last_number - 1
            self._last_number, self._last_heard = number, received_at
            if not all(name in fields for name in NEEDS):
                self._dropped[INCOMPLETE] += 1
                continue
            if grabbed_at - received_at > self.max_skew_s:
                self._dropped[OUT_OF_SYNC] += 1
                continue
            if fields["speed"] < 0:
                self._dropped[NEGATIVE_SPEED] += 1
                continue
            controls = fields["controls"]
            self.count += 1
            return Sample(
                frame=frame,
                throttle=throttle_of(controls),
                steering=controls["steering"],
                speed=fields["speed"],
                purpose=fields["purpose"],
                timestamp=received_at - self._started,
            )

    def _check_quiet(self) -> None:
        quiet = time.monotonic() - self._last_heard
        if quiet > self.max_quiet_s:
            raise GameLinkError(
                f"the game script sent no telemetry for {quiet:.1f} s (limit {self.max_quiet_s:g} s): "
                "is it still running? (game collector)"
            )

    def close(self) -> None:
        try:
            self.source.close()
        finally:
            if self.close_link:
                self.link.close()
