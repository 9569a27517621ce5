"""Built-in balancers, registered as ``"v1"`` .. ``"v4"``.

Add ``"charles_core.data.plugin"`` to ``charles_core.plugins.DEFAULT_PLUGINS``.

Example:

```python
from charles_core import plugins
balancer = plugins.balancers.get("v3").factory(("throttle", "steering"))
```
"""

from __future__ import annotations

from charles_core.data.balancing_v1 import BalancerV1
from charles_core.data.balancing_v2 import BalancerV2
from charles_core.data.balancing_v3 import BalancerV3
from charles_core.data.balancing_v4 import BalancerV4
from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


@hookimpl
def charles_register_balancers(register):
    """Register the four balancing schemes of the spec (v4 being this project's design)."""
    register(
        ComponentSpec("v1", BalancerV1.from_options, "one sample per combination of all outputs' bins (5x5x9=225)")
    )
    register(ComponentSpec("v2", BalancerV2.from_options, "per-output 0.1-wide bins; a set trains only its output"))
    register(ComponentSpec("v3", BalancerV3.from_options, "per-output 0.1-wide bins; samples keep all labels"))
    register(
        ComponentSpec("v4", BalancerV4.from_options, "as v3, choosing samples that also balance the other outputs")
    )
