"""Balancing_v1: one sample per combination of every output's bins.

With the spec's bins a 3-output set holds 5 x 5 x 9 = 225 samples
(acceleration x braking x steering). For the 2-output set (throttle,
steering) the throttle bins are the braking bins mirrored onto the negative
side and joined to the acceleration bins at 0.0 (9 bins, see
``charles_core.data.bins.V1_THROTTLE_BINS``): 9 x 9 = 81 samples.

v1 fills a single set, so it feeds a single buffer (``buffer_name``, default
``"all"``) whose samples train every output. The original team found the
result badly skewed: some combinations (hard braking at full throttle) hardly
ever occur, so sets complete rarely.

Example:

```python
balancer = BalancerV1(("acceleration", "braking", "steering"))
balancer.set_size  # 225
```
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import attrs

from charles_core.data.balancer import LABELS_ALL, Balancer, resolve_bins
from charles_core.data.bins import DEFAULT_V1_BINS, BinSpec
from charles_core.data.sample import Sample, label
from charles_core.errors import ConfigError

KEEP_CHOICES = ("first", "latest")


def _bins_mapping(value) -> dict[str, BinSpec]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, BinSpec) for v in value.values()):
        raise ConfigError(f"bins must map output name -> BinSpec; got {value!r}")
    return dict(value)


@attrs.frozen
class BalancerV1Config:
    """Settings of Balancing_v1.

    Args:
        bins: output name -> BinSpec overriding the spec's bins (``DEFAULT_V1_BINS``).
        buffer_name: name of the single buffer the sets go to.
        keep: which sample a filled slot keeps: the ``"first"`` one or the ``"latest"``.
        skip_impossible: leave out combinations with both pedals pressed (acceleration
            and braking bins both above 0.0). Samples derive the pedals from one
            throttle value, so those never occur and a 225-slot set could never
            complete; skipping them leaves 9 x 9 = 81 slots. Off by default: the
            spec's 225.
    """

    bins: dict[str, BinSpec] = attrs.field(factory=dict, converter=_bins_mapping)
    buffer_name: str = attrs.field(default="all", validator=attrs.validators.instance_of(str))
    keep: str = attrs.field(default="first", validator=attrs.validators.in_(KEEP_CHOICES))
    skip_impossible: bool = False


class BalancerV1(Balancer):
    """Balancing_v1: a set is one sample per combination of all outputs' bins.

    Args:
        outputs: output names, e.g. ``("acceleration", "braking", "steering")``.
        config: a :class:`BalancerV1Config` (defaults: the spec's bins).

    Example:
        >>> BalancerV1(("throttle", "steering")).set_size
        81
    """

    name = "v1"
    label_mode = LABELS_ALL

    def __init__(self, outputs: Iterable[str], config: BalancerV1Config | None = None):
        super().__init__(outputs)
        self.config = config or BalancerV1Config()
        self.bins = resolve_bins(self.outputs, self.config.bins, DEFAULT_V1_BINS)
        self._combinations = list(itertools.product(*(range(self.bins[o].count) for o in self.outputs)))
        if self.config.skip_impossible and {"acceleration", "braking"} <= set(self.outputs):
            a, b = self.outputs.index("acceleration"), self.outputs.index("braking")
            zero_a = self.bins["acceleration"].index(0.0)
            zero_b = self.bins["braking"].index(0.0)
            self._combinations = [c for c in self._combinations if c[a] == zero_a or c[b] == zero_b]
        self.set_size = len(self._combinations)
        self._slots: dict[tuple[int, ...], Sample] = {}

    @classmethod
    def from_options(cls, outputs: Iterable[str], **options) -> BalancerV1:
        """Registry factory: ``BalancerV1.from_options(outputs, keep="latest")``."""
        return cls(outputs, BalancerV1Config(**options))

    @property
    def buffer_names(self) -> tuple[str, ...]:
        return (self.config.buffer_name,)

    def combinations(self) -> list[tuple[int, ...]]:
        """Every bin combination (slot key) of a set, in order."""
        return list(self._combinations)

    def _add(self, sample: Sample) -> None:
        key = tuple(self.bins[o].index(label(sample, o)) for o in self.outputs)
        if key in self._slots:
            self.discarded += 1  # "latest" drops the older sample, "first" the new one
            if self.config.keep == "first":
                return
        self._slots[key] = sample
        if len(self._slots) == self.set_size:
            samples = [self._slots[k] for k in sorted(self._slots)]
            self._slots = {}
            self._emit(self.config.buffer_name, samples)

    def progress(self) -> dict[str, tuple[int, int]]:
        return {self.config.buffer_name: (len(self._slots), self.set_size)}
