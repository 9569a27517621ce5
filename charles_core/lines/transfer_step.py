"""One step of a line's weight-initialisation recipe."""

from __future__ import annotations

import attrs

from charles_core.common.validators import instance_of, one_of

PARTS = ("all", "backbone", "recurrent", "head")


@attrs.frozen
class TransferStep:
    """Initialise one part of a model with a registered initializer.

    Steps apply in order, so ``(all: scratch, backbone: checkpoint)`` starts
    everything at random and then loads the backbone.

    Args:
        part: ``"all"``, ``"backbone"`` (the CNN), ``"recurrent"`` (history /
            LSTM branch) or ``"head"`` (common Dense stack, heads, outputs).
        initializer: a registered initializer name (``"scratch"``,
            ``"imagenet"``, ``"checkpoint"``).
        freeze: make the part non-trainable after loading.
        source_line: for ``checkpoint``: the line id whose checkpoint provides
            the weights (documentation and validation of the source).
        source_batch: for ``checkpoint``: the published batch of that source.
    """

    part: str = attrs.field(validator=one_of(PARTS))
    initializer: str = attrs.field(validator=instance_of(str))
    freeze: bool = False
    source_line: str | None = None
    source_batch: int | None = None

    @property
    def needs_source(self) -> bool:
        return self.initializer == "checkpoint"

    def describe(self) -> str:
        text = f"{self.part}: {self.initializer}"
        if self.source_line:
            text += f" from {self.source_line}"
            if self.source_batch is not None:
                text += f" at batch {self.source_batch:,}"
        return text + (" (frozen)" if self.freeze else "")
