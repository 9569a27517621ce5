"""The driving score: route completion times infraction penalties, as on the CARLA leaderboard."""

from __future__ import annotations

import math

import attrs

from charles_core.errors import ConfigError, DataError


def _factor(instance, attribute, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ConfigError(f"DrivingScore.{attribute.name} must be a factor in (0, 1]; got {value!r}")


@attrs.frozen
class DrivingScore:
    """``score = 100 x route_completion x off_road_factor ** off_road_seconds x unstuck_factor ** unstucks``.

    As the CARLA leaderboard's driving score, it multiplies how much of the
    route was driven by one penalty factor per infraction, so infractions cost
    a share of the score rather than a fixed amount, and a car that completes
    the lap cleanly scores 100.

    Args:
        off_road_factor: the score is multiplied by this for every second with all
            four wheels off the road (0.95: 10 s on the grass cost 40% of it).
        unstuck_factor: the score is multiplied by this for every time the car had
            to be moved back onto the track (0.7, near CARLA's 0.65 for hitting
            a static object).
    """

    off_road_factor: float = attrs.field(default=0.95, validator=_factor)
    unstuck_factor: float = attrs.field(default=0.7, validator=_factor)

    def penalty(self, off_road_seconds: float, unstucks: int) -> float:
        """The infraction penalty in (0, 1]: 1 for a clean drive."""
        if not math.isfinite(off_road_seconds) or off_road_seconds < 0 or unstucks < 0:
            raise DataError(f"off-road seconds and unstucks are non-negative; got {off_road_seconds}, {unstucks}")
        return self.off_road_factor**off_road_seconds * self.unstuck_factor**unstucks

    def score(self, route_completion: float, off_road_seconds: float, unstucks: int) -> float:
        """The driving score in [0, 100].

        Args:
            route_completion: share of the track's tiles visited, in [0, 1].
            off_road_seconds: seconds with no wheel on the road.
            unstucks: times the car was moved back onto the track.
        """
        if not 0 <= route_completion <= 1:
            raise DataError(f"route completion is a share in [0, 1]; got {route_completion}")
        return 100.0 * route_completion * self.penalty(off_road_seconds, unstucks)

    def to_dict(self) -> dict:
        return {
            "formula": "100 * route_completion * off_road_factor ** off_road_seconds * unstuck_factor ** unstucks",
            "off_road_factor": self.off_road_factor,
            "unstuck_factor": self.unstuck_factor,
        }
