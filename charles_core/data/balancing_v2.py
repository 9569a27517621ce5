"""Balancing_v2: each output balanced on its own; sets carry only that output's label.

Every output has its own set of 0.1-wide bins (``DEFAULT_V2_BINS``): 12 for
[0, 1] outputs (``0.0``, ten ranges, ``1.0``) and 21 for [-1, 1] outputs (ten
negative ranges, ``0.0``, ten positive ranges; -1.0 and 1.0 fall in the
outermost ranges). Each incoming sample is offered to every output's set and
fills the slot of its bin there if that slot is empty, so one frame may go
to several buffers. A completed set goes to the buffer named after its
output.

"Carries only that output's label": samples stay whole, and the balancer's
``label_mode`` is ``"own"``; ``BufferSet(label_mode="own")`` then masks, in
each batch, every label except the one of the buffer a sample came from
(``mask_<output>`` arrays), which is what model_0002's helper models train on.

Example:

```python
balancer = BalancerV2(("acceleration", "braking", "steering"))
balancer.set_sizes  # {'acceleration': 12, 'braking': 12, 'steering': 21}
```
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from charles_core.data.balancer import LABELS_OWN, Balancer, resolve_bins
from charles_core.data.balancing_v1 import KEEP_CHOICES, _bins_mapping
from charles_core.data.bins import DEFAULT_V2_BINS, BinSpec
from charles_core.data.sample import Sample, label


@attrs.frozen
class BalancerV2Config:
    """Settings of Balancing_v2 (and v3).

    Args:
        bins: output name -> BinSpec overriding the spec's 0.1-wide bins.
        keep: which sample a filled slot keeps: the ``"first"`` one or the ``"latest"``.
    """

    bins: dict[str, BinSpec] = attrs.field(factory=dict, converter=_bins_mapping)
    keep: str = attrs.field(default="first", validator=attrs.validators.in_(KEEP_CHOICES))


class BalancerV2(Balancer):
    """Balancing_v2: one set per output, one sample per bin of that output.

    Args:
        outputs: output names; one buffer per output.
        config: a :class:`BalancerV2Config`.

    Example:
        >>> BalancerV2(("throttle", "steering")).set_sizes
        {'throttle': 21, 'steering': 21}
    """

    name = "v2"
    label_mode = LABELS_OWN
    config_class = BalancerV2Config

    def __init__(self, outputs: Iterable[str], config: BalancerV2Config | None = None):
        super().__init__(outputs)
        self.config = config or self.config_class()
        self.bins = resolve_bins(self.outputs, self.config.bins, DEFAULT_V2_BINS)
        self.set_sizes = {o: self.bins[o].count for o in self.outputs}
        self._slots: dict[str, dict[int, Sample]] = {o: {} for o in self.outputs}

    @classmethod
    def from_options(cls, outputs: Iterable[str], **options):
        """Registry factory: ``BalancerV2.from_options(outputs, keep="latest")``."""
        return cls(outputs, cls.config_class(**options))

    @property
    def buffer_names(self) -> tuple[str, ...]:
        return self.outputs

    def _add(self, sample: Sample) -> None:
        for output in self.outputs:
            slots = self._slots[output]
            key = self.bins[output].index(label(sample, output))
            if key in slots:
                self.discarded += 1
                if self.config.keep == "first":
                    continue
            slots[key] = sample
            if len(slots) == self.set_sizes[output]:
                self._slots[output] = {}
                self._emit(output, [slots[k] for k in sorted(slots)])

    def progress(self) -> dict[str, tuple[int, int]]:
        return {o: (len(self._slots[o]), self.set_sizes[o]) for o in self.outputs}
