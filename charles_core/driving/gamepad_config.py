"""Settings of the virtual Xbox 360 pad: one dead-zone translation per axis.

Example:

```python
from charles_core.driving.dead_zone import DeadZone
from charles_core.driving.gamepad_config import GamepadConfig
config = GamepadConfig(steering=DeadZone(inner=0.2))  # a game with a 0.2 stick dead zone
```
"""

from __future__ import annotations

import attrs

from charles_core.driving.dead_zone import DeadZone
from charles_core.errors import ConfigError


def _dead_zone(instance, attribute, value):
    if not isinstance(value, DeadZone):
        raise ConfigError(f"GamepadConfig.{attribute.name} must be a DeadZone; got {value!r}")


@attrs.frozen
class GamepadConfig:
    """How model outputs become Xbox 360 pad values.

    Args:
        steering: translation for the left stick's X axis (steering, negative = left).
        gas: translation for the right trigger (the positive part of throttle,
            or ``acceleration`` on 3-output lines).
        brake: translation for the left trigger (the negative part of throttle,
            or ``braking`` on 3-output lines).

    Defaults are GTA V's (see ``charles_core.driving.dead_zone``).
    """

    steering: DeadZone = attrs.field(factory=DeadZone.gta_v_stick, validator=_dead_zone)
    gas: DeadZone = attrs.field(factory=DeadZone.gta_v_trigger, validator=_dead_zone)
    brake: DeadZone = attrs.field(factory=DeadZone.gta_v_trigger, validator=_dead_zone)
