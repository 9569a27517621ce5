"""Value bins for balancing: exact-value bins and open ranges.

A :class:`BinSpec` is a sorted list of ``edges`` spanning the output's range
plus a list of ``exact`` values that get a bin of their own. The bins, in
order of value, are the exact values and the ranges between consecutive
edges. How a value is sorted:

* within ``exact_tolerance`` of an exact value -> that exact bin (controllers
  report exactly 0.0 in the dead zone and exactly +-1.0 at full deflection;
  the spec gives these their own bins);
* otherwise the range that contains it. A value on an interior edge goes to
  the range on the side *away from zero*: ``0.2`` is in ``[0.2, 0.8)`` and
  ``-0.2`` in ``(-0.8, -0.2]``, so positive and negative values bin
  symmetrically by magnitude;
* a domain end that is not an exact value (v2's -1.0 and 1.0 for steering)
  falls in the outermost range.

Example:

```python
from charles_core.data.bins import V1_PEDAL_BINS
V1_PEDAL_BINS.labels()   # ['0.0', '(0, 0.2)', '(0.2, 0.8)', '(0.8, 1)', '1.0']
V1_PEDAL_BINS.index(0.5)  # 2
```
"""

from __future__ import annotations

import attrs
import numpy as np

from charles_core.errors import ConfigError


def _to_floats(value) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


def _check_edges(instance, attribute, edges):
    if len(edges) < 2:
        raise ConfigError(f"BinSpec.edges needs at least 2 values (the range's ends); got {edges}")
    if any(b <= a for a, b in zip(edges, edges[1:])):
        raise ConfigError(f"BinSpec.edges must be strictly increasing; got {edges}")


def _check_exact(instance, attribute, exact):
    low, high = instance.edges[0], instance.edges[-1]
    for value in exact:
        if not low <= value <= high:
            raise ConfigError(f"BinSpec.exact value {value} lies outside the edges' range [{low}, {high}]")
    if len(set(exact)) != len(exact):
        raise ConfigError(f"BinSpec.exact names a value twice: {exact}")


@attrs.frozen
class BinSpec:
    """Bins over one output's range.

    Args:
        edges: strictly increasing range boundaries, first and last being the
            output's range ends.
        exact: values with a bin of their own (e.g. ``0.0`` and ``1.0``).
        exact_tolerance: how close a value must be to an exact value to count
            as it (float noise from controllers).

    Example:
        >>> BinSpec(edges=(0, 0.5, 1), exact=(0.0,)).count
        3
    """

    edges: tuple[float, ...] = attrs.field(converter=_to_floats, validator=_check_edges)
    exact: tuple[float, ...] = attrs.field(default=(), converter=_to_floats, validator=_check_exact)
    exact_tolerance: float = attrs.field(default=1e-6, converter=float)
    # cached bin positions (exact, range) -> position in value order; derived, not compared
    _exact_pos: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _range_pos: np.ndarray = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        exact_pos, range_pos = self._position_table()
        object.__setattr__(self, "_exact_pos", tuple(exact_pos[i] for i in range(len(self.exact))))
        object.__setattr__(self, "_range_pos", np.array([range_pos[i] for i in range(len(self.edges) - 1)]))

    @property
    def count(self) -> int:
        """Number of bins: one per exact value plus one per range."""
        return len(self.exact) + len(self.edges) - 1

    def _order(self) -> list[tuple[float, str, int]]:
        # (sort key, kind, index): exact values sit at their value, ranges at their midpoint
        items = [(v, "exact", i) for i, v in enumerate(self.exact)]
        items += [((a + b) / 2, "range", i) for i, (a, b) in enumerate(zip(self.edges, self.edges[1:]))]
        return sorted(items)

    def labels(self) -> list[str]:
        """Human-readable bin names in order of value, e.g. ``'0.0'`` and ``'(0, 0.2)'``."""
        names = []
        for _, kind, i in self._order():
            if kind == "exact":
                names.append(f"{self.exact[i]:.1f}")
            else:
                names.append(f"({self.edges[i]:g}, {self.edges[i + 1]:g})")
        return names

    def _position_table(self) -> tuple[dict[int, int], dict[int, int]]:
        exact_pos, range_pos = {}, {}
        for pos, (_, kind, i) in enumerate(self._order()):
            (exact_pos if kind == "exact" else range_pos)[i] = pos
        return exact_pos, range_pos

    def index(self, value: float) -> int:
        """The bin (0 .. count-1, in order of value) that ``value`` falls in."""
        return int(self.indices(np.asarray([value], dtype=np.float64))[0])

    def indices(self, values) -> np.ndarray:
        """Vectorised :meth:`index` for an array of values."""
        values = np.asarray(values, dtype=np.float64).ravel()
        edges = np.asarray(self.edges)
        n_ranges = len(edges) - 1
        # ranges are [lo, hi) for values >= 0 and (lo, hi] for negative values: away from zero
        right = np.searchsorted(edges, values, side="right") - 1
        left = np.searchsorted(edges, values, side="left") - 1
        range_index = np.clip(np.where(values >= 0, right, left), 0, n_ranges - 1)
        result = self._range_pos[range_index]
        for position, exact_value in zip(self._exact_pos, self.exact):
            result = np.where(np.abs(values - exact_value) <= self.exact_tolerance, position, result)
        return result.astype(np.int64)

    def histogram(self, values) -> np.ndarray:
        """Counts per bin (length :attr:`count`)."""
        return np.bincount(self.indices(values), minlength=self.count)


def _steps(low: float, high: float, n: int) -> tuple[float, ...]:
    return tuple(round(v, 10) for v in np.linspace(low, high, n + 1))


#: Balancing_v1 acceleration / braking bins: 0.0, (0,0.2), (0.2,0.8), (0.8,1.0), 1.0
V1_PEDAL_BINS = BinSpec(edges=(0.0, 0.2, 0.8, 1.0), exact=(0.0, 1.0))
#: Balancing_v1 steering bins: -1.0, (-1,-0.6), (-0.6,-0.2), (-0.2,0), 0.0, (0,0.2), (0.2,0.6), (0.6,1.0), 1.0
V1_STEERING_BINS = BinSpec(edges=(-1.0, -0.6, -0.2, 0.0, 0.2, 0.6, 1.0), exact=(-1.0, 0.0, 1.0))
#: Balancing_v1 for the combined throttle (not in the spec, which predates it): the
#: braking bins mirrored onto the negative side and joined to the acceleration bins at
#: the shared 0.0 -> -1.0, (-1,-0.8), (-0.8,-0.2), (-0.2,0), 0.0, (0,0.2), (0.2,0.8), (0.8,1), 1.0
V1_THROTTLE_BINS = BinSpec(edges=(-1.0, -0.8, -0.2, 0.0, 0.2, 0.8, 1.0), exact=(-1.0, 0.0, 1.0))
#: Balancing_v2/v3: [0, 1] outputs -> 0.0, ten 0.1-wide ranges, 1.0 (12 bins)
V2_UNIT_BINS = BinSpec(edges=_steps(0.0, 1.0, 10), exact=(0.0, 1.0))
#: Balancing_v2/v3: [-1, 1] outputs -> ten negative 0.1-wide ranges, 0.0, ten positive (21 bins)
V2_SIGNED_BINS = BinSpec(edges=_steps(-1.0, 1.0, 20), exact=(0.0,))

DEFAULT_V1_BINS = {
    "acceleration": V1_PEDAL_BINS,
    "braking": V1_PEDAL_BINS,
    "steering": V1_STEERING_BINS,
    "throttle": V1_THROTTLE_BINS,
}
DEFAULT_V2_BINS = {
    "acceleration": V2_UNIT_BINS,
    "braking": V2_UNIT_BINS,
    "steering": V2_SIGNED_BINS,
    "throttle": V2_SIGNED_BINS,
}


def imbalance(values, bins: BinSpec) -> float:
    """How far ``values`` are from filling ``bins`` evenly: total variation distance in [0, 1].

    0 means every bin holds the same share; values near 1 mean nearly
    everything sits in one bin.

    Example:
        >>> imbalance([0.0, 1.0], BinSpec(edges=(0, 1), exact=(0.0, 1.0)))  # 2 of 3 bins used
        0.3333333333333333
    """
    counts = bins.histogram(values).astype(np.float64)
    if counts.sum() == 0:
        return 0.0
    share = counts / counts.sum()
    return float(0.5 * np.abs(share - 1.0 / bins.count).sum())
