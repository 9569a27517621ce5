"""The live status line of the player: raw predictions, controller values, FPS, PPS, weights.

Example:

```text
status.format()
# 'model_0004_inceptionresnetv2_v3 @ batch 211250 | steering +0.120 throttle +0.800 |
#  left_stick_x +0.340 right_trigger +0.826 left_trigger +0.000 | FPS 30.0 PPS 29.8'
```
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs


@attrs.frozen
class PlayerStatus:
    """A snapshot of the player, emitted a few times per second.

    Args:
        step: predictions made so far.
        predictions: raw model outputs of the latest step (name -> float).
        controller_values: what the controller sent (``apply``'s return value), or {}.
        fps: frames captured per second (recent window).
        pps: predictions per second (recent window).
        line_id: the line of the loaded weights, or None when unknown.
        batch: the batch of the loaded weights, or None when unknown.
        swaps: weight swaps so far.
        unstucks: unstucks so far.
    """

    step: int
    predictions: Mapping[str, float]
    controller_values: Mapping[str, float]
    fps: float
    pps: float
    line_id: str | None
    batch: int | None
    swaps: int
    unstucks: int

    def format(self) -> str:
        """One console line."""
        weights = f"{self.line_id} @ batch {self.batch}" if self.line_id is not None else "weights: unknown"
        raw = " ".join(f"{name} {value:+.3f}" for name, value in self.predictions.items())
        sent = " ".join(f"{name} {value:+.3f}" for name, value in self.controller_values.items()) or "-"
        return (
            f"{weights} | {raw} | {sent} | FPS {self.fps:5.1f} PPS {self.pps:5.1f} | "
            f"swaps {self.swaps} unstucks {self.unstucks}"
        )
