"""Checkpoint files: named by line, version and batch, written atomically.

``<run>/checkpoints/<line id>-batch<8-digit batch>.keras``, e.g.
``model_0004_inceptionresnetv2_v3-batch00022250.keras``: the line id holds the
line and version. A file appears under its final name only once complete
(written to a temporary name in the same directory, then renamed), so a
watcher or a crash never sees half a checkpoint.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from charles_core.errors import StorageError

CHECKPOINT_DIR = "checkpoints"
_NAME = re.compile(r"^(?P<line>.+)-batch(?P<batch>\d+)\.keras$")


def checkpoint_name(line_id: str, batch: int) -> str:
    return f"{line_id}-batch{int(batch):08d}.keras"


def parse_checkpoint_name(path) -> tuple[str, int]:
    """``(line id, batch)`` from a checkpoint file name."""
    match = _NAME.match(Path(path).name)
    if not match:
        raise StorageError(f"{path} is not named like <line id>-batch<N>.keras")
    return match["line"], int(match["batch"])


def save_checkpoint(model, directory, line_id: str, batch: int) -> Path:
    """Save ``model`` (with its optimizer state) atomically; returns the path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / checkpoint_name(line_id, batch)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".keras", dir=directory)
    os.close(handle)
    try:
        model.save(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, final)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return final


def list_checkpoints(directory, line_id: str | None = None) -> list[tuple[int, Path]]:
    """``(batch, path)`` of the complete checkpoints in ``directory``, oldest first."""
    directory = Path(directory)
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            match = _NAME.match(path.name)
            if match and (line_id is None or match["line"] == line_id):
                found.append((int(match["batch"]), path))
    return sorted(found)


def latest_checkpoint(directory, line_id: str | None = None) -> Path | None:
    found = list_checkpoints(directory, line_id)
    return found[-1][1] if found else None
