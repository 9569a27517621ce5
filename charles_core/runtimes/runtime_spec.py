"""What a runtime plugin registers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


def _always() -> bool:
    return True


@attrs.frozen
class RuntimeSpec:
    """A batch-1 inference runtime the player can drive with.

    Args:
        name: what users select it by (``charles drive --runtime NAME``).
        factory: ``factory(model)`` returns a predictor with ``predict(inputs) -> outputs`` (one
            unbatched sample in, a dict of output name to array out), ``load_weights(path)`` and a
            ``model`` attribute.
        available: returns whether the runtime can run here (its optional package is installed);
            ``runtime="auto"`` times only the available ones.
        description: one line shown by ``charles runtimes``.

    Example:

    ```python
    from charles_core.runtimes.runtime_spec import RuntimeSpec
    spec = RuntimeSpec(name="keras", factory=lambda model: model)
    spec.available()  # True
    ```
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    factory: Callable[[Any], Any] = attrs.field(validator=attrs.validators.is_callable())
    available: Callable[[], bool] = attrs.field(default=_always, validator=attrs.validators.is_callable())
    description: str = ""
