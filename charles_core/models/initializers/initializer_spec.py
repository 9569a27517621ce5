"""What a transfer-learning initializer declares."""

from __future__ import annotations

from collections.abc import Callable

import attrs


@attrs.frozen
class InitializerSpec:
    """A registered way to fill the weights of one part of a model.

    Args:
        name: what recipes and users select it by (``"imagenet"``).
        apply: ``apply(model, *, part, line, source, seed)`` fills the weights
            of ``part`` (``"all"``, ``"backbone"``, ``"recurrent"``, ``"head"``)
            of the built ``model`` of ``line``; ``source`` is the file the user
            named, or ``None``. Freezing is done by the caller for every
            initializer alike.
        needs_source: whether ``apply`` requires a file.
        description: one line for ``charles initializers``.

    Example:

    ```python
    from charles_core import InitializerSpec

    def zeros(model, *, part, line, source, seed):
        from charles_core.models.parts import part_layers
        for layer in part_layers(model, part):
            layer.set_weights([w * 0 for w in layer.get_weights()])

    spec = InitializerSpec(name="zeros", apply=zeros, description="all weights zero")
    ```
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    apply: Callable = attrs.field(validator=attrs.validators.is_callable())
    needs_source: bool = False
    description: str = ""
