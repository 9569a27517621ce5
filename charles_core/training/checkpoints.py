"""Checkpoint files: one naming scheme, atomic writes, the line config inside, content checks.

The trainer writes ``<run>/checkpoints/<line id>-batch<8-digit batch>.keras``,
e.g. ``model_0004_inceptionresnetv2_v3-batch00022250.keras``: the line id
holds the line and version. Names are parsed padded or not
(``-batch22250.keras``, as older tools wrote), and with the ``.weights.h5``
suffix of weights-only files a player may be handed; the trainer writes only
padded ``.keras`` files.

A file appears under its final name only once complete: written to a hidden
``.partial-*.keras`` name in the same directory, its config added, flushed,
then renamed, so a watcher or a crash never sees half a checkpoint. A killed
trainer can leave a ``.partial-*`` file behind; :func:`remove_partial_files`
(run on resume) clears them.

Every checkpoint carries the config it was trained with
(:class:`~charles_core.training.checkpoint_info.CheckpointInfo`, a JSON entry
inside the ``.keras`` zip). :func:`load_line_checkpoint` reads the line from
there, so ``--backbone`` and lines that are not registered survive a save;
it checks what is asked (line, backbone, input size) against what is inside
before loading, and the model inside against its stored config after.
Checkpoints written before this entry existed still load: their line comes
from the file name and the line registry (a ``--backbone`` they were trained
with has to be named again).

Example:

```text
from charles_core.training.checkpoints import CheckpointName, load_line_checkpoint
CheckpointName.parse("model_0003_xception_v1-batch00000500.keras").batch   # 500
model = load_line_checkpoint("run/checkpoints/charles_pilotnet_v1-batch00002000.keras")
model.charles_line.backbone                                                 # as it was trained
```
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

import attrs

from charles_core.errors import ConfigError, RegistryError, StorageError
from charles_core.lines.line_config import LineConfig
from charles_core.training.checkpoint_info import CheckpointInfo, model_frame_size

CHECKPOINT_DIR = "checkpoints"
MODEL_SUFFIX = ".keras"
WEIGHTS_SUFFIX = ".weights.h5"
SUFFIXES = (MODEL_SUFFIX, WEIGHTS_SUFFIX)
PARTIAL_PREFIX = ".partial-"
BATCH_DIGITS = 8

_LINE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_FILENAME = re.compile(
    r"^(?P<line_id>[A-Za-z0-9_][A-Za-z0-9_.\-]*?)-batch(?P<batch>\d+)(?P<suffix>\.weights\.h5|\.keras)$"
)


def _line_id(instance, attribute, value):
    if not isinstance(value, str) or not _LINE_ID.fullmatch(value):
        raise ConfigError(
            f"line_id must be letters, digits, '_', '.', '-' (e.g. model_0004_inceptionresnetv2_v3); got {value!r}"
        )


def _batch(instance, attribute, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"batch must be an integer >= 0; got {value!r}")


@attrs.frozen
class CheckpointName:
    """A checkpoint file name: ``<line_id>-batch<N><suffix>``.

    Args:
        line_id: line name with version (``model_0004_inceptionresnetv2_v3``).
        batch: training batches done when it was saved.
        suffix: ``".keras"`` (a whole model, what the trainer writes) or
            ``".weights.h5"`` (weights only).
    """

    line_id: str = attrs.field(validator=_line_id)
    batch: int = attrs.field(validator=_batch)
    suffix: str = attrs.field(default=MODEL_SUFFIX, validator=attrs.validators.in_(SUFFIXES))

    def filename(self) -> str:
        """``<line_id>-batch<N><suffix>``, the batch zero-padded to 8 digits."""
        return f"{self.line_id}-batch{self.batch:0{BATCH_DIGITS}d}{self.suffix}"

    @classmethod
    def parse(cls, filename: str | os.PathLike) -> CheckpointName:
        """Parse a file name (its directory part is ignored); StorageError if it does not match."""
        name = cls.try_parse(filename)
        if name is None:
            raise StorageError(
                f"{os.fspath(filename)!r} is not a checkpoint name; expected <line_id>-batch<N>.keras "
                "(or <line_id>-batch<N>.weights.h5)"
            )
        return name

    @classmethod
    def try_parse(cls, filename: str | os.PathLike) -> CheckpointName | None:
        """Like ``parse`` but ``None`` for names that do not match."""
        match = _FILENAME.match(os.path.basename(os.fspath(filename)))
        if match is None:
            return None
        return cls(match["line_id"], int(match["batch"]), match["suffix"])

    def __str__(self) -> str:
        return f"{self.line_id} @ batch {self.batch}"


def checkpoint_name(line_id: str, batch: int) -> str:
    """The trainer's file name for ``line_id`` at ``batch`` (``<line_id>-batch00000500.keras``)."""
    return CheckpointName(line_id, int(batch)).filename()


def parse_checkpoint_name(path) -> tuple[str, int]:
    """``(line id, batch)`` from a ``.keras`` checkpoint's file name; StorageError if it does not match."""
    name = CheckpointName.try_parse(path)
    if name is None or name.suffix != MODEL_SUFFIX:
        raise StorageError(f"{path} is not named like <line id>-batch<N>.keras")
    return name.line_id, name.batch


def save_checkpoint(model, directory, line_id: str, batch: int) -> Path:
    """Save ``model`` (optimizer state and line config included) atomically; returns the path.

    Args:
        model: a model built by ``create_model`` (its ``charles_line`` is stored).
        directory: the checkpoint directory (created if missing).
        line_id: the line id in the file name (``model.charles_line.name``).
        batch: training batches done.
    """
    info = CheckpointInfo.of_model(model, batch)
    if info.line.name != line_id:
        raise ConfigError(f"a checkpoint of line {info.line.name} cannot be named after line {line_id}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / checkpoint_name(line_id, batch)
    handle, temporary = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=MODEL_SUFFIX, dir=directory)
    os.close(handle)
    try:
        model.save(temporary)
        info.write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, final)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return final


def list_checkpoints(directory, line_id: str | None = None) -> list[tuple[int, Path]]:
    """``(batch, path)`` of the complete ``.keras`` checkpoints in ``directory``, oldest first."""
    directory = Path(directory)
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            name = CheckpointName.try_parse(path.name)
            if name and name.suffix == MODEL_SUFFIX and (line_id is None or name.line_id == line_id):
                found.append((name.batch, path))
    return sorted(found)


def latest_checkpoint(directory, line_id: str | None = None) -> Path | None:
    found = list_checkpoints(directory, line_id)
    return found[-1][1] if found else None


def remove_partial_files(directory, min_age_s: float = 30.0) -> list[Path]:
    """Delete the ``.partial-*.keras`` files a killed trainer left in ``directory``; returns them.

    A file changed in the last ``min_age_s`` seconds is kept: it may be a
    checkpoint another trainer is writing right now (a second trainer on the
    same run is then refused by the buffers' lock, and must not break the
    first one's save). A kept file is hidden and removed at the next resume.

    Args:
        directory: a run's ``checkpoints/`` directory.
        min_age_s: leave files younger than this.
    """
    directory = Path(directory)
    removed = []
    if directory.is_dir():
        now = time.time()
        for path in directory.iterdir():
            if not (path.name.startswith(PARTIAL_PREFIX) and path.name.endswith(MODEL_SUFFIX)):
                continue
            try:
                info = path.lstat()
            except FileNotFoundError:  # renamed into place meanwhile
                continue
            if not stat.S_ISDIR(info.st_mode) and now - info.st_mtime >= min_age_s:
                path.unlink(missing_ok=True)
                removed.append(path)
    return sorted(removed)


def run_dir_of_checkpoint(path) -> Path | None:
    """The run directory of a checkpoint in ``<run>/checkpoints/``; ``None`` for a file kept elsewhere."""
    path = Path(path).absolute()
    return path.parent.parent if path.parent.name == CHECKPOINT_DIR else None


def checkpoint_line_config(
    path, backbone: str | None = None, line: LineConfig | None = None
) -> tuple[LineConfig, CheckpointInfo | None]:
    """The line a checkpoint was trained as, and its stored info (``None`` for older checkpoints).

    The line comes from inside the file. A checkpoint written before
    checkpoints carried their config has only its name: the line is then
    ``line`` when it has that id, else the registered one of that id, on
    ``backbone`` when given.

    Args:
        path: the ``.keras`` file.
        backbone: for older checkpoints only: the backbone it was trained on.
        line: for older checkpoints only: the config they were trained with.

    Raises:
        StorageError: not a checkpoint (not a zip, truncated, a foreign Keras
            model with no charles config and no ``<line>-batch<N>.keras`` name).
        ConfigError: an older checkpoint whose named line is not registered.
    """
    info = CheckpointInfo.read(path)
    if info is not None:
        return info.line, info
    name = CheckpointName.try_parse(path)
    if name is None or name.suffix != MODEL_SUFFIX:
        raise StorageError(
            f"checkpoint {path} is a Keras model but not a charles_core checkpoint: it carries no line config and "
            "its name is not <line id>-batch<N>.keras; train one with `charles train`, or rename a checkpoint "
            "written by an older charles_core to its line's name"
        )
    from charles_core.models import get_line

    known = line if isinstance(line, LineConfig) and line.name == name.line_id else name.line_id
    try:
        return get_line(known, backbone), None
    except RegistryError:
        raise ConfigError(
            f"checkpoint {path} carries no line config (written before checkpoints did) and its name's line "
            f"{name.line_id!r} is not registered (`charles lines`); install the plugin that defines it"
        ) from None


def check_request(
    path, line: LineConfig, input_size, *, expect_line=None, backbone=None, expect_input_size=None
) -> None:
    """ConfigError, naming both, when what is asked differs from what the checkpoint holds.

    Args:
        path: the checkpoint (for the message).
        line: the checkpoint's line.
        input_size: the checkpoint's frame size (``None``: unknown or no frame input).
        expect_line: a line id, or a full ``LineConfig`` (every field compared).
        backbone: the backbone asked for.
        expect_input_size: the frame size asked for.
    """
    if expect_line is not None:
        asked = expect_line.name if isinstance(expect_line, LineConfig) else str(expect_line)
        if asked != line.name:
            raise ConfigError(
                f"checkpoint {path} belongs to line {line.name}, not {asked}; leave the line out to use the "
                "checkpoint's own"
            )
        if isinstance(expect_line, LineConfig) and expect_line != line:
            differing = [
                f.name for f in attrs.fields(LineConfig) if getattr(expect_line, f.name) != getattr(line, f.name)
            ]
            raise ConfigError(
                f"checkpoint {path} holds line {line.name} with other settings than asked: "
                + ", ".join(f"{n}={getattr(line, n)!r} (asked {getattr(expect_line, n)!r})" for n in differing)
            )
    if backbone is not None and backbone != line.backbone:
        raise ConfigError(
            f"checkpoint {path} was trained on backbone {line.backbone!r}, not {backbone!r}; leave --backbone out"
        )
    if expect_input_size is not None and input_size is not None and tuple(expect_input_size) != tuple(input_size):
        height, width = input_size
        raise ConfigError(
            f"checkpoint {path} was trained at input size {height}x{width}, not "
            f"{expect_input_size[0]}x{expect_input_size[1]}; leave --input-size out"
        )


def _check_model(path, model, line: LineConfig, info: CheckpointInfo | None) -> None:
    """The model inside against the config it should have been built from."""
    expected = list(line.output_names)
    if line.history is not None and line.history.has_auxiliary_outputs:  # aux_<output> heads too (0008 v4)
        expected += [f"aux_{name}" for name in line.output_names]
    outputs, expected = sorted(model.output_names), sorted(expected)
    if info is not None:
        size = model_frame_size(model)
        problems = []
        if model.name != line.name:
            problems.append(f"the model is named {model.name!r}")
        if outputs != expected:
            problems.append(f"its outputs are {outputs}, not {expected}")
        if size != info.input_size:
            problems.append(f"its frame size is {size}, not {info.input_size}")
        if problems:
            raise StorageError(
                f"checkpoint {path} does not match the line config stored in it ({line.name}): "
                f"{'; '.join(problems)}; the file was assembled by hand: use another checkpoint"
            )
        return
    if model.name != line.name:
        raise ConfigError(
            f"checkpoint {path} is named as line {line.name} but holds a model named {model.name!r}: "
            "a renamed checkpoint of another line, or not a charles_core checkpoint"
        )
    if outputs != expected or (model_frame_size(model) is None) == line.has_frame_input:
        raise ConfigError(
            f"checkpoint {path} is named as line {line.name} but its model does not fit that line "
            f"(outputs {outputs}, the line's {expected}); it is not a checkpoint of {line.name}"
        )


def load_line_checkpoint(path, *, line=None, backbone: str | None = None, input_size=None, compile: bool = False):
    """Load a checkpoint (``safe_mode``) with its line attached, checking it against what is asked.

    Args:
        path: the ``.keras`` file.
        line: the line asked for (an id, or a ``LineConfig`` compared field by
            field); ``None`` takes the checkpoint's.
        backbone: the backbone asked for; for older checkpoints, the one they
            were trained on.
        input_size: the frame size asked for.
        compile: restore the optimizer and losses too (resuming training).

    Returns:
        The ``keras.Model``; ``charles_line`` holds its line config and
        ``charles_checkpoint`` its stored :class:`CheckpointInfo` (``None``
        for checkpoints written before it existed).
    """
    from charles_core.models.initializers.checkpoint import load_checkpoint_model

    config, info = checkpoint_line_config(path, backbone, line if isinstance(line, LineConfig) else None)
    # an older checkpoint's config is what was asked: only its name can be checked
    asked = line if info is not None or not isinstance(line, LineConfig) else line.name
    check_request(
        path,
        config,
        info.input_size if info else None,
        expect_line=asked,
        backbone=backbone,
        expect_input_size=input_size,
    )
    model = load_checkpoint_model(path, compile=compile)
    _check_model(path, model, config, info)
    if info is None:
        check_request(path, config, model_frame_size(model), expect_input_size=input_size)
    model.charles_line = config
    model.charles_checkpoint = info
    return model


def resume_target(path, *, line=None, backbone: str | None = None, input_size=None) -> tuple[LineConfig, Path | None]:
    """What resuming from ``path`` trains, checked before anything is loaded or allocated.

    Returns the checkpoint's line and its run directory (``None`` when the
    file is not in a ``<run>/checkpoints/`` directory); ConfigError when
    ``line``, ``backbone`` or ``input_size`` differ from what it holds.

    Args:
        path: the ``.keras`` checkpoint.
        line: the line asked for (an id), if any.
        backbone: the backbone asked for, if any.
        input_size: the frame size asked for, if any.
    """
    config, info = checkpoint_line_config(path, backbone)
    check_request(
        path,
        config,
        info.input_size if info else None,
        expect_line=line,
        backbone=backbone,
        expect_input_size=input_size,
    )
    return config, run_dir_of_checkpoint(path)
