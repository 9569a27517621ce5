"""Balancing_v3 (lines 0003 on): per-output sets as in v2, samples keep all labels.

The bins and the filling are v2's (see ``balancing_v2``); the difference is
what the sets train: every label of every sample (``label_mode = "all"``), so
all outputs learn from the same frames. The other outputs' labels are then
slightly imbalanced inside each buffer (Balancing_v4 addresses that).

Example:

```python
balancer = BalancerV3(("throttle", "steering"))
```
"""

from __future__ import annotations

import attrs

from charles_core.data.balancer import LABELS_ALL
from charles_core.data.balancing_v2 import BalancerV2, BalancerV2Config


@attrs.frozen
class BalancerV3Config(BalancerV2Config):
    """Settings of Balancing_v3: the same as v2's (``bins``, ``keep``)."""


class BalancerV3(BalancerV2):
    """Balancing_v3: v2's per-output sets; every sample keeps all its labels.

    Args:
        outputs: output names; one buffer per output.
        config: a :class:`BalancerV3Config`.

    Example:
        >>> BalancerV3(("throttle", "steering")).label_mode
        'all'
    """

    name = "v3"
    label_mode = LABELS_ALL
    config_class = BalancerV3Config
