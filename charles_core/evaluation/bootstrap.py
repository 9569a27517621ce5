"""Percentile-bootstrap confidence intervals, vectorised, with a fixed RNG seed."""

from __future__ import annotations

import math

import attrs
import numpy as np

from charles_core.errors import ConfigError, DataError
from charles_core.evaluation.interval import Interval


def _resamples(instance, attribute, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 100:
        raise ConfigError(f"Bootstrap.resamples must be an integer of at least 100; got {value!r}")


def _confidence(instance, attribute, value):
    if not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ConfigError(f"Bootstrap.confidence must lie in (0, 1), e.g. 0.95; got {value!r}")


def _values(values, name: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size == 0:
        raise DataError(f"the bootstrap needs at least one value in {name}")
    if not np.all(np.isfinite(array)):
        raise DataError(f"{name} holds NaN or infinite values; every track needs a finite value")
    return array


@attrs.frozen
class Bootstrap:
    """Confidence intervals of means over tracks, and of paired comparisons.

    Each call draws ``resamples`` resamples of the tracks with replacement (the
    same tracks for both drivers in paired calls), computes the statistic on
    each, and takes the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2``
    quantiles (the percentile bootstrap). The generator is seeded with ``seed``
    at every call, so the same data always give the same interval. With one
    track the interval is the value itself: nothing to resample.

    Args:
        resamples: resamples drawn (at least 100; 10,000 keeps the bounds stable to about 1%).
        confidence: the intervals' coverage.
        seed: the resampling generator's seed.

    Example:

    ```text
    boot = Bootstrap()
    boot.mean([920, 910, 300, 915])                 # Interval(estimate=761.25, low=..., high=...)
    boot.ratio_of_means(charles_rewards, npc_rewards)
    ```
    """

    resamples: int = attrs.field(default=10_000, validator=_resamples)
    confidence: float = attrs.field(default=0.95, validator=_confidence)
    seed: int = 0

    def _indices(self, size: int) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.integers(0, size, size=(self.resamples, size))

    def _interval(self, estimate: float, statistics: np.ndarray) -> Interval:
        tail = (1.0 - self.confidence) / 2.0
        low, high = np.quantile(statistics, [tail, 1.0 - tail])
        return Interval(float(estimate), float(low), float(high), self.confidence)

    def mean(self, values) -> Interval:
        """The mean of ``values`` (one per track) and its interval."""
        array = _values(values)
        return self._interval(array.mean(), array[self._indices(array.size)].mean(axis=1))

    def paired_difference(self, values, reference) -> Interval:
        """Mean of ``values - reference`` over the same tracks (paired: track by track)."""
        first, second = self._pair(values, reference)
        return self.mean(first - second)

    def ratio_of_means(self, values, reference) -> Interval | None:
        """``mean(values) / mean(reference)``, resampling the tracks of both jointly.

        Returns:
            The interval, or ``None`` when the reference's mean is not positive
            (a ratio to a zero or negative mean says nothing).
        """
        first, second = self._pair(values, reference)
        if second.mean() <= 0:
            return None
        indices = self._indices(first.size)
        numerators, denominators = first[indices].mean(axis=1), second[indices].mean(axis=1)
        # A resample whose reference mean is not positive has no ratio: it counts as the worst case
        # (-inf), which only widens the lower bound, never hides it.
        safe = np.where(denominators > 0, denominators, 1.0)
        ratios = np.where(denominators > 0, numerators / safe, -math.inf)
        return self._interval(first.mean() / second.mean(), ratios)

    @staticmethod
    def _pair(values, reference) -> tuple[np.ndarray, np.ndarray]:
        first, second = _values(values, "values"), _values(reference, "reference")
        if first.shape != second.shape:
            raise DataError(
                f"paired statistics need one value per track for both drivers; got {first.size} and {second.size}"
            )
        return first, second
