"""The checkpoint file naming scheme shared by the trainer and the player.

    <line_id>-batch<N>.weights.h5     weights only (Keras ``save_weights``)
    <line_id>-batch<N>.keras          a whole model (Keras ``save``)

``line_id`` is the registered line name with its version, e.g.
``model_0004_inceptionresnetv2_v3``; ``N`` is the number of training batches
done, without padding (``-batch752000``). Writers must write to a temporary
name that does not match (``*.tmp``) and ``os.replace`` it into place, so a
reader never sees half a file.

Example:

```python
from charles_core.driving.checkpoint_name import CheckpointName
name = CheckpointName.parse("model_0004_inceptionresnetv2_v3-batch211250.weights.h5")
name.line_id, name.batch            # ('model_0004_inceptionresnetv2_v3', 211250)
CheckpointName("model_0003_xception_v1", 500).filename()  # 'model_0003_xception_v1-batch500.weights.h5'
```
"""

from __future__ import annotations

import os
import re

import attrs

from charles_core.errors import ConfigError

WEIGHTS_SUFFIX = ".weights.h5"
MODEL_SUFFIX = ".keras"
SUFFIXES = (WEIGHTS_SUFFIX, MODEL_SUFFIX)

_LINE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_FILENAME = re.compile(r"^(?P<line_id>[A-Za-z0-9_][A-Za-z0-9_.\-]*?)-batch(?P<batch>\d+)(?P<suffix>\.weights\.h5|\.keras)$")


def _line_id(instance, attribute, value):
    if not isinstance(value, str) or not _LINE_ID.fullmatch(value):
        raise ConfigError(f"line_id must be letters, digits, '_', '.', '-' (e.g. model_0004_inceptionresnetv2_v3); got {value!r}")


def _batch(instance, attribute, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"batch must be an integer >= 0; got {value!r}")


def _suffix(instance, attribute, value):
    if value not in SUFFIXES:
        raise ConfigError(f"suffix must be one of {SUFFIXES}; got {value!r}")


@attrs.frozen(order=False)
class CheckpointName:
    """A parsed checkpoint file name.

    Args:
        line_id: line name with version (``model_0004_inceptionresnetv2_v3``).
        batch: training batches done when it was saved.
        suffix: ``".weights.h5"`` (weights only) or ``".keras"`` (whole model).
    """

    line_id: str = attrs.field(validator=_line_id)
    batch: int = attrs.field(validator=_batch)
    suffix: str = attrs.field(default=WEIGHTS_SUFFIX, validator=_suffix)

    def filename(self) -> str:
        """``<line_id>-batch<N><suffix>``."""
        return f"{self.line_id}-batch{self.batch}{self.suffix}"

    @classmethod
    def parse(cls, filename: str | os.PathLike) -> "CheckpointName":
        """Parse a file name (a path's directory part is ignored); ConfigError if it does not match."""
        name = cls.try_parse(filename)
        if name is None:
            raise ConfigError(
                f"{os.fspath(filename)!r} is not a checkpoint name; expected "
                "<line_id>-batch<N>.weights.h5 or <line_id>-batch<N>.keras"
            )
        return name

    @classmethod
    def try_parse(cls, filename: str | os.PathLike) -> "CheckpointName | None":
        """Like ``parse`` but None for names that do not match."""
        match = _FILENAME.match(os.path.basename(os.fspath(filename)))
        if match is None:
            return None
        return cls(match["line_id"], int(match["batch"]), match["suffix"])

    def __str__(self) -> str:
        return f"{self.line_id} @ batch {self.batch}"
