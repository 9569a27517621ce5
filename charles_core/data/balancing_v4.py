"""Balancing_v4 (planned by the original team, never built): balance the others too.

Like v3, each output ``o`` gets its own set of one sample per bin (v2's
bins) and every sample keeps all labels. Unlike v3, each bin of ``o`` holds
up to ``candidates_per_bin`` candidate samples instead of one. When every bin
of ``o`` has at least one candidate, the set is built by a greedy choice:

1. keep, for buffer ``o``, a histogram of every *other* output ``p`` over
   ``p``'s bins, counting the samples already sent to that buffer (times
   ``memory_decay`` per completed set, so old sets fade if it is below 1) plus
   the ones already chosen for the set being built;
2. visit ``o``'s bins from the one with the fewest candidates to the one with
   the most (scarce bins have the least freedom, so they choose first);
3. in each bin take the candidate whose other-output bins are the least
   filled, i.e. minimising ``sum_p hist_p[bin_p(candidate)] / total_p``;
   ties go to the oldest candidate. Adding a sample to a bin holding ``c``
   raises the histogram's sum of squares by ``2c + 1``, so this is the greedy
   step that keeps the other outputs as flat as possible;
4. chosen candidates leave ``o``'s bins; the others stay for the next set.
   A full bin drops its oldest candidate for a new one, keeping data fresh.

Cost: ``O(bins x candidates x outputs)`` per set, negligible next to a frame copy.

Example:

```python
balancer = BalancerV4(("throttle", "steering"), BalancerV4Config(candidates_per_bin=16))
```
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import attrs
import numpy as np

from charles_core.data.balancer import LABELS_ALL, Balancer, resolve_bins
from charles_core.data.balancing_v1 import _bins_mapping
from charles_core.data.bins import DEFAULT_V2_BINS, BinSpec
from charles_core.data.sample import Sample, label


@attrs.frozen
class BalancerV4Config:
    """Settings of Balancing_v4.

    Args:
        bins: output name -> BinSpec overriding the 0.1-wide v2 bins.
        candidates_per_bin: how many candidates a bin holds to choose from (>= 1;
            1 makes v4 behave like v3 with ``keep="latest"``).
        memory_decay: factor in (0, 1] applied to the other outputs' histograms
            after each completed set (1 remembers everything sent to the buffer).
    """

    bins: dict[str, BinSpec] = attrs.field(factory=dict, converter=_bins_mapping)
    candidates_per_bin: int = attrs.field(
        default=8, validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    memory_decay: float = attrs.field(default=1.0, converter=float)

    @memory_decay.validator
    def _check_decay(self, attribute, value):
        if not 0.0 < value <= 1.0:
            from charles_core.errors import ConfigError

            raise ConfigError(f"memory_decay must lie in (0, 1]; got {value}")


class BalancerV4(Balancer):
    """Balancing_v4: per-output sets whose samples also balance the other outputs.

    Args:
        outputs: output names; one buffer per output.
        config: a :class:`BalancerV4Config`.

    Example:
        >>> BalancerV4(("throttle", "steering")).set_sizes
        {'throttle': 21, 'steering': 21}
    """

    name = "v4"
    label_mode = LABELS_ALL

    def __init__(self, outputs: Iterable[str], config: BalancerV4Config | None = None):
        super().__init__(outputs)
        self.config = config or BalancerV4Config()
        self.bins = resolve_bins(self.outputs, self.config.bins, DEFAULT_V2_BINS)
        self.set_sizes = {o: self.bins[o].count for o in self.outputs}
        k = self.config.candidates_per_bin
        # per output, per bin: candidates as (sample, bin index per output)
        self._candidates = {o: [deque(maxlen=k) for _ in range(self.bins[o].count)] for o in self.outputs}
        # per buffer o, per other output p: histogram over p's bins of what buffer o received
        self._sent = {o: {p: np.zeros(self.bins[p].count) for p in self.outputs if p != o} for o in self.outputs}

    @classmethod
    def from_options(cls, outputs: Iterable[str], **options) -> BalancerV4:
        """Registry factory: ``BalancerV4.from_options(outputs, candidates_per_bin=16)``."""
        return cls(outputs, BalancerV4Config(**options))

    @property
    def buffer_names(self) -> tuple[str, ...]:
        return self.outputs

    def _add(self, sample: Sample) -> None:
        keys = {o: self.bins[o].index(label(sample, o)) for o in self.outputs}
        for output in self.outputs:
            candidates = self._candidates[output][keys[output]]
            if len(candidates) == candidates.maxlen:
                self.discarded += 1  # the deque drops its oldest candidate
            candidates.append((sample, keys))
            if all(self._candidates[output]):
                self._build_set(output)

    def _build_set(self, output: str) -> None:
        bins = self._candidates[output]
        sent = self._sent[output]
        counts = {p: hist.copy() for p, hist in sent.items()}
        chosen: dict[int, Sample] = {}
        for b in sorted(range(len(bins)), key=lambda i: (len(bins[i]), i)):
            best, best_cost = 0, None
            for i, (_, keys) in enumerate(bins[b]):
                # share of each other output's bin; +1 keeps empty histograms comparable
                cost = sum(counts[p][keys[p]] / (counts[p].sum() + 1.0) for p in counts)
                if best_cost is None or cost < best_cost:  # strict: ties keep the oldest
                    best, best_cost = i, cost
            sample, keys = bins[b][best]
            del bins[b][best]
            for p in counts:
                counts[p][keys[p]] += 1
            chosen[b] = sample
        for p in sent:
            sent[p] = counts[p] * self.config.memory_decay
        self._emit(output, [chosen[b] for b in sorted(chosen)])

    def progress(self) -> dict[str, tuple[int, int]]:
        return {o: (sum(1 for c in self._candidates[o] if c), self.set_sizes[o]) for o in self.outputs}
