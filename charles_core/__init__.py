"""charles_core: behaviour-cloning drivers in the style of Charles.

Heavy modules (TensorFlow, Keras) load on first use, so ``import charles_core``
stays fast and works where only the data or driving parts are needed.

Example:

```python
import charles_core
model = charles_core.create_model("model_0003_xception_v1", input_size=(90, 160))
```
"""

from __future__ import annotations

import importlib

from charles_core.errors import (
    CharlesError,
    ConfigError,
    DataError,
    MissingDependencyError,
    RegistryError,
    StorageError,
    WeightsNotFoundError,
)
from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first access)
_LAZY = {
    "BackboneSpec": "charles_core.models.backbones.backbone_spec",
    "InitializerSpec": "charles_core.models.initializers.initializer_spec",
    "LineConfig": "charles_core.lines.line_config",
    "OutputSpec": "charles_core.lines.output_spec",
    "HistorySpec": "charles_core.lines.line_config",
    "create_model": "charles_core.models",
    "get_line": "charles_core.models",
    "list_lines": "charles_core.models",
    "list_backbones": "charles_core.models",
    "list_initializers": "charles_core.models",
}

__all__ = [
    "CharlesError",
    "ComponentSpec",
    "ConfigError",
    "DataError",
    "MissingDependencyError",
    "RegistryError",
    "StorageError",
    "WeightsNotFoundError",
    "hookimpl",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'charles_core' has no attribute {name!r}")
