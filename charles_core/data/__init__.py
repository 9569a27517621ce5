"""The data layer: samples, balancers, crash-safe buffers, recorded datasets.

NumPy only; matplotlib loads when a plot is drawn. See ``docs/data.md``.

Example:

```python
from charles_core.data import BufferSet, Sample, BalancerV3
```
"""

from charles_core.common.signals import split_throttle
from charles_core.data.balancer import LABELS_ALL, LABELS_OWN, Balancer
from charles_core.data.balancing_v1 import BalancerV1, BalancerV1Config
from charles_core.data.balancing_v2 import BalancerV2, BalancerV2Config
from charles_core.data.balancing_v3 import BalancerV3, BalancerV3Config
from charles_core.data.balancing_v4 import BalancerV4, BalancerV4Config
from charles_core.data.bins import BinSpec, imbalance
from charles_core.data.buffer_set import BufferSet, BufferSetConfig
from charles_core.data.recorded_dataset import RecordedDataset, RecordedDatasetWriter, inspect_dataset
from charles_core.data.sample import Sample, label
from charles_core.data.sample_store import SampleStore, StorageWarning


def plot_label_histograms(*args, **kwargs):
    """See :func:`charles_core.data.plots.plot_label_histograms` (imports matplotlib on use)."""
    from charles_core.data.plots import plot_label_histograms as plot

    return plot(*args, **kwargs)


__all__ = [
    "LABELS_ALL",
    "LABELS_OWN",
    "Balancer",
    "BalancerV1",
    "BalancerV1Config",
    "BalancerV2",
    "BalancerV2Config",
    "BalancerV3",
    "BalancerV3Config",
    "BalancerV4",
    "BalancerV4Config",
    "BinSpec",
    "BufferSet",
    "BufferSetConfig",
    "RecordedDataset",
    "RecordedDatasetWriter",
    "Sample",
    "SampleStore",
    "StorageWarning",
    "imbalance",
    "inspect_dataset",
    "label",
    "plot_label_histograms",
    "split_throttle",
]
