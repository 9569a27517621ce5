"""The interface every balancer implements, and the shared bookkeeping.

A balancer is fed samples one by one and sorts them into *sets* (one sample
per bin); each completed set is handed out, per buffer name, by
:meth:`Balancer.take_ready`. The trainer puts what it receives into the
:class:`~charles_core.data.buffer_set.BufferSet` buffer of the same name.

Example:

```text
from charles_core.data.balancing_v3 import BalancerV3

balancer = BalancerV3(("throttle", "steering"))
for sample in stream:
    balancer.add(sample)
    for buffer_name, samples in balancer.take_ready().items():
        for s in samples:
            buffers.add(buffer_name, s)
```
"""

from __future__ import annotations

import abc
from collections.abc import Iterable

from charles_core.common.signals import check_output_names
from charles_core.data.bins import BinSpec
from charles_core.data.sample import Sample
from charles_core.errors import ConfigError, DataError

#: every label in a buffer trains (v1, v3, v4)
LABELS_ALL = "all"
#: a buffer's samples train only that buffer's output (v2)
LABELS_OWN = "own"


class Balancer(abc.ABC):
    """Base class: ``add`` samples, ``take_ready`` balanced sets per buffer.

    Args:
        outputs: the model's output names, e.g. ``("throttle", "steering")``.

    Attributes:
        name: the registry name (``"v1"`` .. ``"v4"``).
        label_mode: :data:`LABELS_ALL` or :data:`LABELS_OWN`; pass it to
            ``BufferSet(label_mode=...)`` so batches mask the labels a buffer
            must not train.
        buffer_names: the buffers this balancer fills (one per output, except v1).
    """

    name: str = ""
    label_mode: str = LABELS_ALL

    def __init__(self, outputs: Iterable[str]):
        self.outputs = check_output_names(outputs)
        self._ready: dict[str, list[Sample]] = {}
        self.seen = 0
        self.discarded = 0  # samples that landed in an already filled slot and were dropped
        self.sets_completed: dict[str, int] = {}

    @property
    @abc.abstractmethod
    def buffer_names(self) -> tuple[str, ...]:
        """Names of the buffers this balancer fills."""

    def add(self, sample: Sample) -> None:
        """Sort one sample into the sets being filled."""
        if not isinstance(sample, Sample):
            raise DataError(f"{type(self).__name__}.add expects a Sample; got {type(sample).__name__}")
        self.seen += 1
        self._add(sample)

    def extend(self, samples: Iterable[Sample]) -> None:
        """:meth:`add` every sample of ``samples``."""
        for sample in samples:
            self.add(sample)

    @abc.abstractmethod
    def _add(self, sample: Sample) -> None: ...

    @abc.abstractmethod
    def progress(self) -> dict[str, tuple[int, int]]:
        """Per buffer name: ``(filled slots, slots per set)`` of the set being filled."""

    def _emit(self, buffer_name: str, samples: list[Sample]) -> None:
        self._ready.setdefault(buffer_name, []).extend(samples)
        self.sets_completed[buffer_name] = self.sets_completed.get(buffer_name, 0) + 1

    def take_ready(self) -> dict[str, list[Sample]]:
        """Samples of completed sets, per buffer name (every name present, lists may be empty).

        What is returned is handed over: the next call returns only newer sets.
        """
        ready = {name: self._ready.pop(name, []) for name in self.buffer_names}
        return ready

    def stats(self) -> dict:
        """Counters for logs: samples seen, dropped, sets completed, progress."""
        return {
            "balancer": self.name,
            "seen": self.seen,
            "discarded": self.discarded,
            "sets_completed": dict(self.sets_completed),
            "progress": self.progress(),
        }


def resolve_bins(
    outputs: tuple[str, ...], overrides: dict[str, BinSpec], defaults: dict[str, BinSpec]
) -> dict[str, BinSpec]:
    """Per-output bins: the spec's defaults, replaced where ``overrides`` names the output."""
    unknown = set(overrides) - set(outputs)
    if unknown:
        raise ConfigError(f"bins given for {sorted(unknown)}, which are not among the outputs {list(outputs)}")
    return {o: overrides.get(o, defaults[o]) for o in outputs}
