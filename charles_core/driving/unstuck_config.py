"""Settings of the unstuck check.

Example:

```python
from charles_core.driving.unstuck_config import UnstuckConfig
config = UnstuckConfig(check_interval_s=5.0, min_distance=3.0)
```
"""

from __future__ import annotations

import attrs

from charles_core.common.validators import positive as _positive


@attrs.frozen
class UnstuckConfig:
    """When is the car stuck?

    Args:
        check_interval_s: every this many seconds, compare the car's position
            with where it was at the previous check.
        min_distance: the car must have moved at least this far (straight
            line, in the position source's units: metres in GTA V, world units
            in the simulator) since the previous check, or it is stuck.
            The default, 5 m in 5 s (3.6 km/h on average), only catches a car
            that is really not going anywhere: pinned against a wall, upside
            down, wedged between traffic.
    """

    check_interval_s: float = attrs.field(default=5.0, validator=_positive, converter=float)
    min_distance: float = attrs.field(default=5.0, validator=_positive, converter=float)
