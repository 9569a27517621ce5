"""A point estimate with its confidence interval."""

from __future__ import annotations

import math

import attrs

from charles_core.errors import ConfigError


@attrs.frozen
class Interval:
    """An estimate and its ``confidence`` interval ``[low, high]``.

    Args:
        estimate: the statistic on the data itself (e.g. the mean).
        low: lower bound of the interval.
        high: upper bound of the interval.
        confidence: the interval's coverage, e.g. 0.95.
    """

    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    @classmethod
    def wilson(cls, successes: int, trials: int, confidence: float = 0.95) -> Interval:
        """The Wilson score interval of a proportion (lap completion rate).

        Unlike a bootstrap, it stays informative at 0 and 100%: 20 laps out of 20
        give ``[0.84, 1.0]``, not ``[1.0, 1.0]``.

        Args:
            successes: e.g. laps completed.
            trials: e.g. tracks driven (positive).
            confidence: the coverage, in (0, 1).
        """
        from statistics import NormalDist

        if trials <= 0 or not 0 <= successes <= trials:
            raise ConfigError(f"a proportion needs 0 <= successes <= trials, trials > 0; got {successes}/{trials}")
        if not 0 < confidence < 1:
            raise ConfigError(f"confidence must lie in (0, 1); got {confidence}")
        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        share = successes / trials
        denominator = 1 + z * z / trials
        centre = (share + z * z / (2 * trials)) / denominator
        half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / denominator
        # At 0 or all successes the bounds are exactly 0 or 1; rounding would leave 1e-17 there.
        low = 0.0 if successes == 0 else max(0.0, centre - half)
        high = 1.0 if successes == trials else min(1.0, centre + half)
        return cls(share, low, high, confidence)

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def width(self) -> float:
        return self.high - self.low

    def to_dict(self, digits: int = 4) -> dict:
        return {"mean": round(self.estimate, digits), "low": round(self.low, digits), "high": round(self.high, digits)}

    def format(self, digits: int = 1) -> str:
        """``"718.2 [650.1, 790.3]"``."""
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"

    def __str__(self) -> str:
        return self.format()
