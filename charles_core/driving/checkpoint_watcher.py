"""Follows a directory of checkpoints and hands out the newest one, once.

The trainer writes ``<line_id>-batch<N>.keras`` files into a directory (see
:mod:`charles_core.training.checkpoints`; ``.weights.h5`` files of the same
name are taken too); the player asks the watcher for
anything newer than what it runs, at the next unstuck or when asked, and
swaps the weights in without stopping.

"Newest" is the highest batch; for one batch, ``.weights.h5`` wins over
``.keras`` (loading weights is cheaper). A file is only offered once its
modification time is ``settle_s`` seconds old, in case a writer does not use
an atomic rename.

Example:

```python
from charles_core.driving.checkpoint_watcher import CheckpointWatcher
watcher = CheckpointWatcher("checkpoints/", line_id="model_0004_inceptionresnetv2_v3")
path = watcher.poll()     # a Path the first time a newer checkpoint is complete, else None
```
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from charles_core.errors import ConfigError
from charles_core.training.checkpoints import WEIGHTS_SUFFIX, CheckpointName


class CheckpointWatcher:
    """Offers each newer checkpoint in ``directory`` once.

    Args:
        directory: where the trainer writes checkpoints (may not exist yet).
        line_id: only consider this line's checkpoints; None: any line.
        after_batch: ignore checkpoints at or below this batch (what the
            player already runs).
        settle_s: a file must be unchanged for this long before it is offered.
        clock: wall-clock seconds comparable with file mtimes (``time.time``).

    Example:

    ```python
    watcher = CheckpointWatcher("runs/ckpt", line_id="model_0003_xception_v1", settle_s=0)
    watcher.poll()    # Path(".../model_0003_xception_v1-batch00000500.keras") or None
    ```
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        *,
        line_id: str | None = None,
        after_batch: int = -1,
        settle_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ):
        if settle_s < 0:
            raise ConfigError(f"settle_s must be >= 0; got {settle_s!r}")
        self.directory = Path(directory)
        self.line_id = line_id
        self.settle_s = float(settle_s)
        self._clock = clock
        self.current: CheckpointName | None = None
        self._after_batch = int(after_batch)

    def candidates(self) -> list[tuple[CheckpointName, Path]]:
        """Every matching checkpoint in the directory, best last."""
        if not self.directory.is_dir():
            return []
        found = []
        for entry in os.scandir(self.directory):
            name = CheckpointName.try_parse(entry.name)
            if name is None or not entry.is_file():
                continue
            if self.line_id is not None and name.line_id != self.line_id:
                continue
            found.append((name, Path(entry.path)))
        found.sort(key=lambda item: (item[0].batch, item[0].suffix == WEIGHTS_SUFFIX))
        return found

    def latest(self) -> Path | None:
        """The best complete checkpoint in the directory, whether offered before or not."""
        for _name, path in reversed(self.candidates()):
            if self._settled(path):
                return path
        return None

    def poll(self) -> Path | None:
        """The best complete checkpoint newer than the last one offered, or None.

        Once offered, a checkpoint (and anything at or below its batch) is not
        offered again.
        """
        for name, path in reversed(self.candidates()):
            if name.batch <= self._after_batch:
                return None
            if self._settled(path):
                self._after_batch = name.batch
                self.current = name
                return path
        return None

    def mark_loaded(self, path: str | os.PathLike) -> None:
        """Tell the watcher the player runs ``path`` (e.g. the initial weights)."""
        name = CheckpointName.try_parse(path)
        if name is not None:
            self.current = name
            self._after_batch = max(self._after_batch, name.batch)

    def _settled(self, path: Path) -> bool:
        if self.settle_s == 0:
            return True
        try:
            stat = path.stat()
        except FileNotFoundError:  # replaced or deleted under us
            return False
        return self._clock() - stat.st_mtime >= self.settle_s
