"""Convcam: a backbone's last convolutional layer, every kernel's map tiled into one image.

As shown on the Charles streams: for InceptionResNetV2 the ``conv_7b_ac``
output (a small map per kernel times 1,536 kernels) becomes one grid of
grey tiles; with two backbones (lines 0010, 0011) each gets its own colour.

Example:

```text
from charles_core.models.convcam import Convcam
cam = Convcam(model)
image = cam.render(frame)   # RGB uint8
```
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from charles_core import plugins
from charles_core.common.frames import resize_frame
from charles_core.errors import ConfigError

#: tile colours per backbone (RGB multipliers): white for one, orange and cyan for two
COLOURS = ((1.0, 1.0, 1.0), (1.0, 0.55, 0.1), (0.1, 0.8, 1.0))


def tile_maps(maps: np.ndarray, columns: int | None = None, gap: int = 1) -> np.ndarray:
    """``(h, w, kernels)`` activations -> one 2-D image in [0, 1], each kernel normalised on its own."""
    height, width, kernels = maps.shape
    columns = columns or math.ceil(math.sqrt(kernels * height / width))
    rows = math.ceil(kernels / columns)
    low = maps.min(axis=(0, 1), keepdims=True)
    span = maps.max(axis=(0, 1), keepdims=True) - low
    normalised = np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.0)
    image = np.zeros((rows * (height + gap) - gap, columns * (width + gap) - gap), np.float32)
    for kernel in range(kernels):
        row, column = divmod(kernel, columns)
        top, left = row * (height + gap), column * (width + gap)
        image[top : top + height, left : left + width] = normalised[..., kernel]
    return image


class Convcam:
    """Renders the last convolutional layer of every backbone of a line's model.

    Args:
        model: a model built by ``create_model`` or loaded from a checkpoint
            (``charles_line`` attached).
        tile_scale: pixels per activation in the output image.
    """

    def __init__(self, model, tile_scale: int = 4):
        import keras

        from charles_core.models.backbones.frame_preprocessing import FramePreprocessing
        from charles_core.models.parts import backbone_models

        self.line = model.charles_line
        spec = plugins.backbones.get(self.line.backbone)
        self.tile_scale = tile_scale
        self.preprocess = FramePreprocessing(spec.preprocessing)
        self.input_size = tuple(next(t for t in model.inputs if t.name in ("frame", "frames")).shape[-3:-1])
        self.cameras = []
        for backbone in backbone_models(model):
            try:
                layer = backbone.get_layer(spec.last_conv_layer)
            except ValueError:
                raise ConfigError(
                    f"backbone {spec.name!r} declares last conv layer {spec.last_conv_layer!r}, "
                    f"which {backbone.name} does not have"
                ) from None
            self.cameras.append((backbone.name, keras.Model(backbone.inputs[0], layer.output)))
        if not self.cameras:
            raise ConfigError(f"model {model.name} has no backbone to show")

    def maps(self, frame: np.ndarray) -> dict[str, np.ndarray]:
        """Activations ``(h, w, kernels)`` per backbone for one RGB frame (the newest frame)."""
        frame = resize_frame(frame, self.input_size).astype(np.float32)
        channels = self.cameras[0][1].inputs[0].shape[-1]
        stacked = np.concatenate([frame] * (channels // 3), axis=-1)  # a standstill for stacked lines
        x = self.preprocess(stacked[None])
        return {name: np.asarray(camera(x))[0] for name, camera in self.cameras}

    def render(self, frame: np.ndarray) -> np.ndarray:
        """One RGB uint8 image: the tiled maps, one colour per backbone, side by side."""
        images = []
        for index, maps in enumerate(self.maps(frame).values()):
            grey = tile_maps(maps)
            grey = np.kron(grey, np.ones((self.tile_scale, self.tile_scale), np.float32))
            colour = np.array(COLOURS[0 if len(self.cameras) == 1 else 1 + index % 2], np.float32)
            images.append((grey[..., None] * colour * 255).astype(np.uint8))
        height = max(image.shape[0] for image in images)
        padded = [np.pad(image, ((0, height - image.shape[0]), (0, 8), (0, 0))) for image in images]
        return np.concatenate(padded, axis=1)[:, :-8]


def render_files(model, frames, output: str | Path) -> list[Path]:
    """Convcam PNGs for image files: one file for one frame, ``NNNNN.png`` in a folder for several."""
    from PIL import Image

    cam = Convcam(model)
    frames = [Path(f) for f in frames]
    output = Path(output)
    written = []
    for index, path in enumerate(frames):
        try:
            frame = np.asarray(Image.open(path).convert("RGB"))
        except OSError as error:
            raise ConfigError(f"cannot read frame {path}: {error}") from error
        target = output if len(frames) == 1 and output.suffix == ".png" else output / f"{index:05d}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(cam.render(frame)).save(target)
        written.append(target)
    return written
