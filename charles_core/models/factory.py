"""The factory: ``create_model(line_id, ...)`` and registry lookups.

Example:

```python
import charles_core
model = charles_core.create_model("model_0003_xception_v1", input_size=(90, 160))
sorted(model.output_names)  # ['steering', 'throttle']
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from charles_core import plugins
from charles_core.errors import ConfigError
from charles_core.lines.line_config import LineConfig
from charles_core.lines.transfer_step import TransferStep


def get_line(name: str | LineConfig, backbone: str | None = None) -> LineConfig:
    """The registered line ``name`` (or a config as is), optionally on another backbone."""
    line = name if isinstance(name, LineConfig) else plugins.lines.get(name)
    if backbone is not None and backbone != line.backbone:
        plugins.backbones.get(backbone)  # a clear error for unknown names
        line = attrs.evolve(line, backbone=backbone)
    return line


def list_lines() -> list[str]:
    return plugins.lines.names()


def list_backbones() -> list[str]:
    return plugins.backbones.names()


def list_initializers() -> list[str]:
    return plugins.initializers.names()


def apply_transfer(
    model,
    line: LineConfig,
    steps: Sequence[TransferStep],
    sources: Mapping[str, str] | None = None,
    seed: int = 0,
    load_sources: bool = True,
) -> list[str]:
    """Run a transfer recipe on a built model; returns what was done, step by step.

    Args:
        model: the built model of ``line``.
        line: its config.
        steps: the recipe, in order.
        sources: part -> file for steps that load one (checkpoint, imagenet).
        seed: the run's seed (scratch).
        load_sources: when False, steps whose file is not given are skipped
            (their freezing still applies): enough for summaries and plots.
    """
    from charles_core.models.parts import part_layers

    sources = dict(sources or {})
    done = []
    for step in steps:
        spec = plugins.initializers.get(step.initializer)
        source = sources.get(step.part)
        if source is None and step.needs_source:
            if load_sources:
                origin = f" ({step.source_line} at batch {step.source_batch:,})" if step.source_line else ""
                raise ConfigError(
                    f"line {line.name} loads its {step.part} from a checkpoint{origin}: name the file "
                    f"with --source {step.part}=PATH.keras (sources={{'{step.part}': PATH}})"
                )
            done.append(f"{step.describe()} [not loaded: no source given]")
        elif step.initializer == "imagenet" and source is None and not load_sources:
            done.append(f"{step.describe()} [not loaded: no weights file given]")
        else:
            spec.apply(model, part=step.part, line=line, source=source, seed=seed)
            done.append(step.describe())
        if step.freeze:
            for layer in part_layers(model, step.part):
                layer.trainable = False
    return done


def create_model(
    line: str | LineConfig,
    *,
    input_size: tuple[int, int] | None = None,
    backbone: str | None = None,
    transfer: Sequence[TransferStep] | None = None,
    sources: Mapping[str, str] | None = None,
    seed: int = 0,
    load_sources: bool = True,
):
    """Build a model line, initialised by its transfer recipe.

    Args:
        line: a registered line id (``charles lines``) or a ``LineConfig``.
        input_size: ``(height, width)``; default the line's native 270x480.
            Any size down to the backbone's minimum side works.
        backbone: build the line on another registered backbone.
        transfer: replace the line's recipe (``TransferStep``s, in order).
        sources: part -> file for recipe steps that load one.
        seed: seed for random initialisation.
        load_sources: False skips loading steps whose file is not given.

    Returns:
        A ``keras.Model`` with the line's inputs and named outputs; its
        ``charles_line`` attribute holds the ``LineConfig`` used and
        ``charles_transfer`` what the recipe did.
    """
    import keras

    from charles_core.models.model_builder import build_line_model

    config = get_line(line, backbone)
    keras.utils.set_random_seed(int(seed))
    model = build_line_model(config, input_size)
    steps = config.transfer if transfer is None else tuple(transfer)
    model.charles_line = config
    model.charles_transfer = apply_transfer(model, config, steps, sources, seed, load_sources)
    return model
