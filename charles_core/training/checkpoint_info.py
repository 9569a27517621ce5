"""What a checkpoint says about itself: its line config, input size and batch, stored inside it.

A ``.keras`` file is a zip archive (Keras writes ``config.json``,
``metadata.json`` and ``model.weights.h5``); the trainer adds one more entry,
``charles_config.json``, plain JSON::

    {"format": "charles-checkpoint-config", "version": 1,
     "line": {... every LineConfig field, see charles_core.lines.line_json ...},
     "line_id": "charles_pilotnet_v1", "input_size": [72, 96], "batch": 2000,
     "outputs": ["throttle", "steering"], "frames": 1, "frame_mode": "single",
     "history_steps": null, "history_signals": [], "charles_core_version": "0.1.0"}

``line`` is the full config the model was built from (backbone, outputs,
history, every override: ``--backbone`` included), so reading it needs no
registry. ``input_size`` is the frame size the model was trained at (``null``
for lines without a frame input); the other keys repeat what a reader
without charles_core may want (frames, history length) and are checked
against ``line`` on reading. Keras ignores the extra entry, so the file still
loads with ``keras.saving.load_model(..., safe_mode=True)``.

Example:

```text
info = CheckpointInfo.read("run/checkpoints/charles_pilotnet_v1-batch00002000.keras")
info.line.backbone, info.input_size, info.batch    # ('mobilenet_v2', (72, 96), 2000)
```
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import attrs

from charles_core.errors import CharlesError, ConfigError, StorageError
from charles_core.lines.line_config import LineConfig
from charles_core.lines.line_json import line_from_dict, line_to_dict, parse_json

CONFIG_ENTRY = "charles_config.json"
CONFIG_FORMAT = "charles-checkpoint-config"
CONFIG_VERSION = 1
#: a line's config is a few KiB; anything far larger is not one charles_core wrote
MAX_CONFIG_BYTES = 1 << 20
KERAS_ENTRY = "config.json"


def model_frame_size(model) -> tuple[int, int] | None:
    """The model's frame input ``(height, width)``; ``None`` for lines without a frame input."""
    frame = next((t for t in model.inputs if t.name in ("frame", "frames")), None)
    if frame is None:
        return None
    return tuple(int(d) for d in frame.shape[-3:-1])


def _input_size(instance, attribute, value):
    if value is None:
        return
    if len(value) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in value):
        raise ConfigError(f"input_size must be (height, width), positive integers; got {value!r}")


def _optional_size(value):
    return None if value is None else tuple(value)


@attrs.frozen
class CheckpointInfo:
    """The config stored inside a checkpoint.

    Args:
        line: the full line config the model was built from.
        input_size: the frame size ``(height, width)`` it was trained at;
            ``None`` for lines without a frame input (0008 v5, v6).
        batch: training batches done when it was saved.
        charles_core_version: the version that wrote it.
    """

    line: LineConfig = attrs.field(validator=attrs.validators.instance_of(LineConfig))
    input_size: tuple[int, int] | None = attrs.field(converter=_optional_size, validator=_input_size)
    batch: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)])
    charles_core_version: str = ""

    @classmethod
    def of_model(cls, model, batch: int) -> CheckpointInfo:
        """The info of a model built by ``create_model`` (its ``charles_line``) at ``batch``.

        Args:
            model: the model; its ``charles_line`` attribute is the config stored.
            batch: training batches done.
        """
        from charles_core import __version__

        line = getattr(model, "charles_line", None)
        if not isinstance(line, LineConfig):
            raise ConfigError(
                f"model {model.name!r} has no charles_line config to store in its checkpoint; "
                "build it with charles_core.create_model"
            )
        return cls(line, model_frame_size(model), int(batch), __version__)

    def to_dict(self) -> dict:
        """The JSON document's content (see the module docstring)."""
        history = self.line.history
        return {
            "format": CONFIG_FORMAT,
            "version": CONFIG_VERSION,
            "line": line_to_dict(self.line),
            "line_id": self.line.name,
            "input_size": None if self.input_size is None else list(self.input_size),
            "batch": self.batch,
            "outputs": list(self.line.output_names),
            "frames": self.line.frames,
            "frame_mode": self.line.frame_mode,
            "history_steps": None if history is None else history.steps,
            "history_signals": [] if history is None else list(history.signals),
            "charles_core_version": self.charles_core_version,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "checkpoint config") -> CheckpointInfo:
        """Parse and check the JSON document; StorageError naming ``source`` for anything wrong.

        Args:
            text: the document.
            source: where it came from, for error messages.
        """
        problem = f"{source} holds an unreadable charles config"
        try:
            data = parse_json(text, CONFIG_ENTRY)
            if not isinstance(data, dict) or data.get("format") != CONFIG_FORMAT:
                raise ConfigError(f"{CONFIG_ENTRY} is not a {CONFIG_FORMAT} document")
            if data.get("version") != CONFIG_VERSION:
                raise ConfigError(
                    f"{CONFIG_ENTRY} has version {data.get('version')!r}; this charles_core reads version "
                    f"{CONFIG_VERSION} (update charles_core)"
                )
            line = line_from_dict(data.get("line"))
            size = data.get("input_size")
            if size is not None and not isinstance(size, list):
                raise ConfigError(f"input_size must be [height, width] or null; got {size!r}")
            batch = data.get("batch")
            if not isinstance(batch, int) or isinstance(batch, bool):
                raise ConfigError(f"batch must be an integer; got {batch!r}")
            info = cls(line, size, batch, str(data.get("charles_core_version", "")))
        except CharlesError as error:
            raise StorageError(f"{problem}: {error}; use another checkpoint of the run") from None
        except (ValueError, TypeError) as error:  # attrs validators of CheckpointInfo itself
            raise StorageError(f"{problem}: {error}; use another checkpoint of the run") from None
        expected = info.to_dict()
        for key in ("line_id", "outputs", "frames", "frame_mode", "history_steps", "history_signals"):
            if key in data and data[key] != expected[key]:
                raise StorageError(
                    f"{problem}: its {key} {data[key]!r} contradicts its line config ({expected[key]!r}); "
                    "the file was edited or assembled by hand: use another checkpoint of the run"
                )
        return info

    @classmethod
    def read(cls, path) -> CheckpointInfo | None:
        """The info stored in the ``.keras`` file ``path``; ``None`` for a Keras model without one.

        ``None`` means a Keras model archive with no charles config: a
        checkpoint written before checkpoints carried their config, or a
        model charles_core did not write. Anything that is not a Keras model
        archive is a StorageError saying what it is.

        Args:
            path: the checkpoint file.
        """
        path = Path(path)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise StorageError(f"checkpoint {path} does not exist") from None
        except OSError as error:
            raise StorageError(f"checkpoint {path} cannot be read: {error.strerror}") from None
        if not stat.S_ISREG(mode):  # a directory, FIFO or device: never opened (a FIFO would block)
            raise StorageError(f"checkpoint {path} is not a regular file; give a .keras file written by charles train")
        if path.suffix != ".keras":
            raise StorageError(f"checkpoint {path} is not a .keras file (the format charles_core writes)")
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if KERAS_ENTRY not in names:
                    raise StorageError(
                        f"checkpoint {path} is corrupt or unreadable: a zip archive but not a Keras model "
                        f"(no {KERAS_ENTRY} inside); give a .keras file written by charles train"
                    )
                if CONFIG_ENTRY not in names:
                    return None
                entry = archive.getinfo(CONFIG_ENTRY)
                if entry.file_size > MAX_CONFIG_BYTES:
                    raise StorageError(
                        f"checkpoint {path} holds a {entry.file_size:,}-byte {CONFIG_ENTRY} (at most "
                        f"{MAX_CONFIG_BYTES:,}); it is not one charles_core wrote"
                    )
                with archive.open(entry) as handle:
                    text = handle.read(MAX_CONFIG_BYTES + 1)
        except zipfile.BadZipFile as error:
            raise StorageError(
                f"checkpoint {path} is corrupt or unreadable: not a complete zip archive ({error}), as every "
                ".keras file is; it may be truncated: use another checkpoint of the run"
            ) from None
        except (OSError, EOFError, RuntimeError, NotImplementedError) as error:
            if isinstance(error, StorageError):
                raise
            raise StorageError(f"checkpoint {path} is corrupt or unreadable: {error}") from None
        if len(text) > MAX_CONFIG_BYTES:
            raise StorageError(f"checkpoint {path} holds an oversized {CONFIG_ENTRY}; it is not one charles_core wrote")
        return cls.from_json(text, source=f"checkpoint {path}")

    def write(self, path) -> None:
        """Add the info to the ``.keras`` file ``path`` (just written by ``model.save``).

        Args:
            path: the checkpoint file, before its atomic rename.
        """
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            if CONFIG_ENTRY in archive.namelist():
                raise StorageError(f"{path} already holds a {CONFIG_ENTRY}")
            archive.writestr(CONFIG_ENTRY, self.to_json())
