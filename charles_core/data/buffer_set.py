"""The trainer's buffers: one disk-backed buffer per output, drawn from equally.

On-disk layout of a buffer set directory::

    DIRECTORY/
      buffers.json          {"format": "charles-buffer-set", "version": 1,
                             "buffers": [...], "frame_shape": [h, w, 3],
                             "capacity": n, "history": {...}}
      lock                  flock'ed while a process has the set open
      <buffer name>/        one SampleStore per buffer (see sample_store.py):
        layout.json, frames.u8, records.bin

The storage *is* the buffer: every sample added is on disk when ``add``
returns, so a trainer killed at any moment (SIGKILL included) reopens the
same directory and finds its buffers as they were, less at most the sample
being written. Corrupt or truncated slots are reported and skipped.

Batches (``draw``) are dicts of numpy arrays, ``B = n_per_buffer x buffers``,
ordered buffer by buffer (``batch["buffer"]`` gives each row's buffer index):

* ``frames``: uint8 ``(B, H, W, 3)``
* ``throttle``, ``steering``, ``acceleration``, ``braking``: float32 ``(B,)``
  (the pedals from :func:`~charles_core.common.signals.split_throttle`)
* ``mask_<output>`` for those four: float32 ``(B,)``, 1 where the label trains.
  All ones with ``label_mode="all"``; with ``"own"`` (Balancing_v2) 1 only on
  rows drawn from the buffer named after that output. Use as sample weights.
* ``speed`` float32 ``(B,)``, ``purpose`` float32 ``(B, 2)``,
  ``timestamp`` float64 ``(B,)`` (NaN when unknown), ``buffer`` int64 ``(B,)``
* ``history_<signal>`` float32 ``(B, steps)`` / ``(B, steps, 2)`` when configured.

Example:

```text
buffers = BufferSet("runs/buffers", ("throttle", "steering"), (270, 480, 3))
for name, samples in balancer.take_ready().items():
    buffers.add_many(name, samples)
if buffers.can_train:
    batch = buffers.draw(16, rng)
buffers.close()
```
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping

import attrs
import numpy as np

from charles_core.common.signals import OUTPUT_RANGES, split_throttle
from charles_core.data.balancer import LABELS_ALL, LABELS_OWN
from charles_core.data.safe_files import make_directory, open_no_follow, refuse_symlinked_dir
from charles_core.data.sample import Sample
from charles_core.data.sample_store import (
    WHEN_FULL_CHOICES,
    SampleStore,
    _atomic_write_json,
    check_history_shapes,
    read_format_json,
)
from charles_core.errors import ConfigError, DataError, StorageError

SET_FILE = "buffers.json"
SET_FORMAT = "charles-buffer-set"
SET_VERSION = 1
LABEL_NAMES = ("throttle", "steering", "acceleration", "braking")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _fraction(instance, attribute, value):
    if not 0.0 < value <= 1.0:
        raise ConfigError(f"{attribute.name} must lie in (0, 1]; got {value}")


@attrs.frozen
class BufferSetConfig:
    """Settings of a :class:`BufferSet`.

    Args:
        capacity: samples per buffer (25,000 in the spec).
        pause_fraction: training pauses while any buffer is below this share
            of its capacity (0.9) and resumes once all are full again.
        label_mode: ``"all"`` (every label trains) or ``"own"`` (a buffer's
            samples train only its output: Balancing_v2); use the balancer's
            ``label_mode``.
        when_full: a full buffer ``"replace_oldest"`` (rotates) or ``"drop"``s new samples.
        history_shapes: ``{signal: shape}`` every sample carries, e.g. ``{"steering": (60,)}``.
        fsync: flush each sample to the device (power-loss safety; slower).
        verify_frames_on_open: check every frame checksum when opening (reads all frames).
        read_only: open an existing set for reading (inspection): nothing is
            created or written, a corrupt slot is skipped in memory only, and
            every file must have the size its layout implies.
    """

    capacity: int = attrs.field(default=25_000, validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)])
    pause_fraction: float = attrs.field(default=0.9, converter=float, validator=_fraction)
    label_mode: str = attrs.field(default=LABELS_ALL, validator=attrs.validators.in_((LABELS_ALL, LABELS_OWN)))
    when_full: str = attrs.field(default="replace_oldest", validator=attrs.validators.in_(WHEN_FULL_CHOICES))
    history_shapes: dict = attrs.field(factory=dict, converter=check_history_shapes)
    fsync: bool = False
    verify_frames_on_open: bool = False
    read_only: bool = False


class BufferSet:
    """One crash-safe, disk-backed buffer per output; equal random draws; no reuse.

    Args:
        directory: where the buffers live (created, or reopened as they were).
        outputs: buffer names, normally the output names (``balancer.buffer_names``).
        frame_shape: ``(height, width, 3)`` or ``(height, width)``.
        capacity: samples per buffer (default 25,000).
        **settings: the other :class:`BufferSetConfig` fields.

    Raises:
        ConfigError: bad settings, or settings that differ from the stored set's.
        StorageError: unreadable set file, or the directory is open in another process.

    Example:
        >>> with BufferSet(tmp, ("throttle", "steering"), (12, 16), capacity=100) as b:  # doctest: +SKIP
        ...     b.add("steering", sample)
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        outputs: Iterable[str],
        frame_shape: tuple[int, ...],
        capacity: int = 25_000,
        **settings,
    ):
        self.config = BufferSetConfig(capacity=capacity, **settings)
        self.directory = os.fspath(directory)
        self.outputs = tuple(outputs) if not isinstance(outputs, str) else (outputs,)
        if not self.outputs or len(set(self.outputs)) != len(self.outputs):
            raise ConfigError(f"outputs must be distinct buffer names; got {self.outputs}")
        for name in self.outputs:
            if not isinstance(name, str) or not _NAME.match(name):
                raise ConfigError(f"buffer name {name!r} must be a plain file name (letters, digits, _ . -)")
        if self.config.label_mode == LABELS_OWN:
            unknown = [n for n in self.outputs if n not in OUTPUT_RANGES]
            if unknown:
                raise ConfigError(f'label_mode="own" needs buffers named after outputs; got {unknown}')
        shape = tuple(int(s) for s in frame_shape)
        if len(shape) == 2:
            shape += (3,)
        if len(shape) != 3 or shape[2] != 3 or min(shape) <= 0:
            raise ConfigError(f"frame_shape must be (height, width) or (height, width, 3); got {frame_shape}")
        self.frame_shape = shape
        self._stores: dict[str, SampleStore] = {}
        self._lock_fd = -1
        if self.config.read_only:
            if not os.path.isdir(self.directory):
                raise StorageError(f"buffer set {self.directory} is missing (no such directory)")
        else:
            refuse_symlinked_dir(self.directory, "buffer set directory")
            make_directory(self.directory, "buffer set directory")
        self._lock_fd = self._lock()
        try:
            self._check_set_file()
            for name in self.outputs:
                self._stores[name] = SampleStore(
                    os.path.join(self.directory, name),
                    self.frame_shape,
                    self.config.capacity,
                    history_shapes=self.config.history_shapes,
                    when_full=self.config.when_full,
                    fsync=self.config.fsync,
                    verify_frames_on_open=self.config.verify_frames_on_open,
                    read_only=self.config.read_only,
                )
        except BaseException:
            self.close()
            raise
        self._training = False

    def _lock(self) -> int:
        """Writers hold the lock file exclusively; a read-only opener shares it (and never creates it)."""
        import fcntl  # here, not at the top: charles_core.data imports on Windows (charles record), buffers do not

        path = os.path.join(self.directory, "lock")
        if self.config.read_only:
            if not os.path.lexists(path):
                return -1  # nobody ever wrote here: nothing to wait for
            fd = open_no_follow(path, os.O_RDONLY, "buffer set lock file")
            mode = fcntl.LOCK_SH
        else:
            fd = open_no_follow(path, os.O_RDWR | os.O_CREAT, "buffer set lock file")
            mode = fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StorageError(
                f"buffer set {self.directory} is open in another process (lock file held); "
                "try again once it has finished"
            ) from None
        return fd

    @classmethod
    def open_existing(
        cls, directory: str | os.PathLike, *, read_only: bool = True, verify_frames_on_open: bool = False
    ) -> BufferSet:
        """Open the buffer set stored in ``directory`` with the settings of its ``buffers.json``.

        Args:
            directory: a buffer set directory.
            read_only: open for reading only (the default: inspection never writes).
            verify_frames_on_open: check every frame's checksum while opening.

        Raises:
            StorageError: naming the file, for a missing, malformed or inconsistent set.

        Example:
            >>> with BufferSet.open_existing("run/buffers") as buffers:  # doctest: +SKIP
            ...     buffers.counts()
        """
        directory = os.fspath(directory)
        path = os.path.join(directory, SET_FILE)
        layout = read_format_json(path, SET_FORMAT, SET_VERSION, "buffer set file")
        try:
            buffers, frame_shape, capacity = layout["buffers"], layout["frame_shape"], layout["capacity"]
            history = layout.get("history", {})
            if not (isinstance(buffers, list) and all(isinstance(b, str) for b in buffers)):
                raise ValueError(f"buffers must be a list of names; got {buffers!r}")
            if not (
                isinstance(frame_shape, list)
                and len(frame_shape) == 3
                and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in frame_shape)
            ):
                raise ValueError(f"frame_shape must be [height, width, 3]; got {frame_shape!r}")
            if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity <= 0:
                raise ValueError(f"capacity must be a positive integer; got {capacity!r}")
            if not isinstance(history, dict):
                raise ValueError(f"history must map signal -> shape; got {history!r}")
            return cls(
                directory,
                buffers,
                tuple(frame_shape),
                capacity=capacity,
                history_shapes={k: tuple(v) if isinstance(v, list) else v for k, v in history.items()},
                read_only=read_only,
                verify_frames_on_open=verify_frames_on_open,
            )
        except KeyError as error:
            raise StorageError(f"buffer set file {path} lacks the field {error}") from None
        except (ValueError, TypeError, OverflowError) as error:
            # ConfigError is a ValueError: a malformed field reads as a damaged file here
            raise StorageError(f"buffer set file {path} is malformed: {error}") from None

    def _set_layout(self) -> dict:
        return {
            "format": SET_FORMAT,
            "version": SET_VERSION,
            "buffers": list(self.outputs),
            "frame_shape": list(self.frame_shape),
            "capacity": self.config.capacity,
            "history": {k: list(v) for k, v in sorted(self.config.history_shapes.items())},
        }

    def _check_set_file(self) -> None:
        path = os.path.join(self.directory, SET_FILE)
        expected = self._set_layout()
        if not os.path.lexists(path):
            if self.config.read_only:
                raise StorageError(f"{self.directory} holds no {SET_FILE}: not a buffer set")
            _atomic_write_json(path, expected)
            return
        stored = read_format_json(path, SET_FORMAT, SET_VERSION, "buffer set file")
        for key in ("buffers", "frame_shape", "capacity", "history"):
            if stored.get(key) != expected[key]:
                raise ConfigError(
                    f"buffer set {self.directory} was created with {key}={stored.get(key)!r}, now asked for "
                    f"{expected[key]!r}; use the same settings or another directory"
                )

    # -- filling ----------------------------------------------------------

    def _store(self, output: str) -> SampleStore:
        try:
            return self._stores[output]
        except KeyError:
            raise DataError(f"no buffer {output!r}; buffers: {', '.join(self.outputs)}") from None

    def store(self, output: str) -> SampleStore:
        """The :class:`SampleStore` behind buffer ``output`` (inspection: ``problems``, ``ordered_slots``)."""
        return self._store(output)

    def add(self, output: str, sample: Sample) -> bool:
        """Put ``sample`` in buffer ``output`` (on disk when this returns).

        Returns False if it was dropped (the buffer is full and ``when_full="drop"``).
        """
        return self._store(output).add(sample) is not None

    def add_many(self, output: str, samples: Iterable[Sample]) -> int:
        """:meth:`add` each sample; returns how many were stored."""
        return sum(self.add(output, s) for s in samples)

    def add_ready(self, ready: Mapping[str, Iterable[Sample]]) -> dict[str, int]:
        """Store a balancer's ``take_ready()`` result; returns counts per buffer."""
        return {name: self.add_many(name, samples) for name, samples in ready.items()}

    def counts(self) -> dict[str, int]:
        """Samples held per buffer."""
        return {name: len(store) for name, store in self._stores.items()}

    def fill_levels(self) -> dict[str, float]:
        """Share of capacity held per buffer, in [0, 1]."""
        return {name: len(store) / store.capacity for name, store in self._stores.items()}

    @property
    def ready(self) -> bool:
        """True when every buffer is full (training may start)."""
        return all(store.full for store in self._stores.values())

    @property
    def can_train(self) -> bool:
        """Whether the trainer may draw a batch now.

        Training starts once every buffer is full and goes on while each
        holds at least ``pause_fraction`` of its capacity; after a pause it
        waits until all are full again (hysteresis, as in the spec). The state
        is not stored: a reopened set waits until its buffers are full.
        """
        if self._training:
            if min(self.fill_levels().values()) < self.config.pause_fraction:
                self._training = False
        elif self.ready:
            self._training = True
        return self._training

    # -- drawing ----------------------------------------------------------

    def _empty_batch(self, size: int) -> dict[str, np.ndarray]:
        batch = {
            "frames": np.empty((size, *self.frame_shape), dtype=np.uint8),
            "throttle": np.empty(size, np.float32),
            "steering": np.empty(size, np.float32),
            "speed": np.empty(size, np.float32),
            "purpose": np.empty((size, 2), np.float32),
            "timestamp": np.empty(size, np.float64),
            "buffer": np.empty(size, np.int64),
        }
        for name, shape in self.config.history_shapes.items():
            batch[f"history_{name}"] = np.empty((size, *shape), np.float32)
        return batch

    def draw(self, n_per_buffer: int, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
        """Draw ``n_per_buffer`` random samples from every buffer and remove them.

        Args:
            n_per_buffer: samples taken from each buffer (the same for all).
            rng: a ``numpy.random.Generator`` (default: a fresh unseeded one).

        Returns:
            The batch dict described in this module's docstring.

        Raises:
            DataError: a buffer holds fewer than ``n_per_buffer`` samples.
        """
        if not isinstance(n_per_buffer, (int, np.integer)) or n_per_buffer <= 0:
            raise DataError(f"n_per_buffer must be a positive integer; got {n_per_buffer!r}")
        rng = rng if rng is not None else np.random.default_rng()
        short = {name: len(s) for name, s in self._stores.items() if len(s) < n_per_buffer}
        if short:
            raise DataError(f"cannot draw {n_per_buffer} per buffer: buffers hold only {short}")
        batch = self._empty_batch(n_per_buffer * len(self.outputs))
        row = 0
        for index, name in enumerate(self.outputs):
            store = self._stores[name]
            wanted = n_per_buffer
            while wanted:
                if len(store) < wanted:
                    raise DataError(
                        f"buffer {name!r} ran out of valid samples while drawing (corrupt slots were skipped)"
                    )
                slots = store.occupied_slots()[rng.choice(len(store), size=wanted, replace=False)]
                taken = []  # read frames land in consecutive rows; a corrupt one's row is reused
                for slot in slots.tolist():
                    if store.read_frame_into(slot, batch["frames"][row + len(taken)]):
                        taken.append(slot)
                    # else: reported and emptied; drawn again below
                rows = slice(row, row + len(taken))
                records = store.records(taken)
                for field in ("throttle", "steering", "speed", "purpose", "timestamp"):
                    batch[field][rows] = records[field]
                batch["buffer"][rows] = index
                for signal in self.config.history_shapes:
                    batch[f"history_{signal}"][rows] = records[f"history_{signal}"]
                for slot in taken:
                    store.remove(slot)  # drawn samples are never reused
                row += len(taken)
                wanted -= len(taken)
        batch["acceleration"], batch["braking"] = split_throttle(batch["throttle"])
        for label_name in LABEL_NAMES:
            if self.config.label_mode == LABELS_ALL:
                mask = np.ones(len(batch["buffer"]), np.float32)
            else:
                own = self.outputs.index(label_name) if label_name in self.outputs else -1
                mask = (batch["buffer"] == own).astype(np.float32)
            batch[f"mask_{label_name}"] = mask
        return batch

    def samples(self, output: str) -> Iterator[Sample]:
        """Every sample of buffer ``output``, oldest first, without removing them."""
        return self._store(output).samples()

    def label_arrays(self, output: str) -> dict[str, np.ndarray]:
        """Labels of every sample in buffer ``output`` (``throttle``, ``steering``, ``speed``), frames unread."""
        store = self._store(output)
        records = [store.record(int(slot)) for slot in store.occupied_slots()]
        return {name: np.array([r[name] for r in records], np.float32) for name in ("throttle", "steering", "speed")}

    def verify(self) -> dict[str, int]:
        """Check every stored frame's checksum; corrupt ones are reported and removed. Counts per buffer."""
        return {name: store.verify_frames() for name, store in self._stores.items()}

    def close(self) -> None:
        """Close files and release the directory lock. Everything is already on disk."""
        for store in getattr(self, "_stores", {}).values():
            store.close()
        fd = getattr(self, "_lock_fd", -1)
        if fd >= 0:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            self._lock_fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
