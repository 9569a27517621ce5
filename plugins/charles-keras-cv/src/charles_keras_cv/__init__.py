"""charles-keras-cv: keras-cv backbones for charles_core, registered as ``kcv_*``.

Installing the package is enough: it names this module in the ``charles_core``
entry-point group, so ``charles backbones`` lists its backbones and any line
can use one (``create_model(line, backbone="kcv_resnet18_v2")``).

Example:

```python
import charles_core
model = charles_core.create_model(
    "model_0003_xception_v1", backbone="kcv_mobilenet_v3_small", input_size=(66, 200)
)
```
"""

from charles_core import hookimpl
from charles_keras_cv.backbones import ARCHITECTURES, KCV_BACKBONES, build_kcv

__version__ = "0.1.0"
__all__ = ["ARCHITECTURES", "KCV_BACKBONES", "build_kcv", "charles_register_backbones"]


@hookimpl
def charles_register_backbones(register):
    """Register every ``kcv_*`` backbone (see ``charles_keras_cv.backbones``)."""
    for spec in KCV_BACKBONES.values():
        register(spec)
