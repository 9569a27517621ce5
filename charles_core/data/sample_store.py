"""One buffer's samples on disk: fixed slots, checksummed, written then committed.

A :class:`SampleStore` is a directory of three files:

``layout.json``
    ``{"format": "charles-buffer", "version": 1, "capacity", "frame_shape",
    "history": {name: shape}, "record_fields": [...], "frames_file",
    "records_file"}``, written once, atomically (temp file + rename).
``frames.u8``
    ``capacity`` raw frames, C order, ``height*width*3`` bytes each; slot ``i``
    starts at byte ``i * frame_bytes``. Preallocated at creation.
``records.bin``
    ``capacity`` fixed-size little-endian records (numpy structured dtype,
    packed): ``seq`` (uint64 commit number, 0 = empty slot), ``slot``
    (uint32, the record's own slot), ``frame_crc`` (zlib.crc32 of the frame
    bytes), ``timestamp`` (float64, NaN = none), ``throttle``, ``steering``,
    ``speed``, ``purpose[2]`` (float32), one ``history_<name>`` float32 field
    per configured history signal, and last ``record_crc`` (zlib.crc32 of all
    bytes before it).

Crash safety (SIGKILL at any instant): a slot is only ever valid once its
record, which carries the frame's checksum, has been written *after* the
frame. Writing a sample: (1) if the slot held a sample, zero its ``seq`` on
disk (the slot is now empty); (2) write the frame; (3) write the record with
a fresh ``seq`` and its checksums. A kill before (3) leaves an empty slot
(the sample being written is lost, nothing else); a torn record fails its
checksum. Removing a sample zeroes its ``seq``. Data go through ``os.pwrite``
to the page cache, which survives the death of the process; pass
``fsync=True`` to also survive power loss (at a cost per sample).

On open every committed record's checksum is checked; a frame's checksum is
checked when it is read (and on open with ``verify_frames_on_open=True``).
A bad record or frame is reported (:class:`StorageWarning` and a log line
naming the file and slot), its slot emptied, and it is never returned.

Resident memory stays small: frames are read with ``os.preadv`` straight into
the caller's batch array, never memory-mapped (a mapping of a 10 GB file
counts its touched pages in the process's RSS); only the records (tens of
bytes per slot) are mirrored in memory.

Example:

```text
store = SampleStore("buffers/steering", frame_shape=(270, 480, 3), capacity=25_000)
slot = store.add(sample)
store.close()
```
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import shutil
import warnings
import zlib
from collections.abc import Iterator, Mapping

import numpy as np

from charles_core.common.signals import HISTORY_SIGNALS
from charles_core.data.safe_files import make_directory, open_no_follow, read_json_file, refuse_symlinked_dir
from charles_core.data.sample import Sample
from charles_core.errors import ConfigError, DataError, StorageError

log = logging.getLogger("charles_core.data")

LAYOUT_FILE = "layout.json"
FRAMES_FILE = "frames.u8"
RECORDS_FILE = "records.bin"
STORE_FORMAT = "charles-buffer"
STORE_VERSION = 1
WHEN_FULL_CHOICES = ("replace_oldest", "drop")
MAX_HISTORY_STEPS = 100_000  # the spec's lines use 60
#: slots per buffer: 400 times the spec's 25,000; bounds the in-memory index (24 bytes a slot)
MAX_CAPACITY = 10_000_000


class StorageWarning(UserWarning):
    """A corrupt or truncated stored sample was found and skipped."""


def report_corruption(message: str) -> None:
    """Warn and log: corrupt data is never loaded silently."""
    log.warning(message)
    warnings.warn(message, StorageWarning, stacklevel=3)


def record_dtype(history_shapes: Mapping[str, tuple[int, ...]]) -> np.dtype:
    """The packed record layout for a store with the given history signals."""
    fields = [
        ("seq", "<u8"),
        ("slot", "<u4"),
        ("frame_crc", "<u4"),
        ("timestamp", "<f8"),
        ("throttle", "<f4"),
        ("steering", "<f4"),
        ("speed", "<f4"),
        ("purpose", "<f4", (2,)),
    ]
    for name in sorted(history_shapes):
        fields.append((f"history_{name}", "<f4", tuple(history_shapes[name])))
    fields.append(("record_crc", "<u4"))
    return np.dtype(fields)


def check_history_shapes(history_shapes) -> dict[str, tuple[int, ...]]:
    """Validate ``{signal: shape}``: known signals, ``(steps,)`` or ``(steps, 2)`` for purpose."""
    checked = {}
    if not isinstance(history_shapes, (Mapping, type(None))):
        raise ConfigError(f"history shapes must map signal -> shape; got {history_shapes!r}")
    for name, shape in dict(history_shapes or {}).items():
        try:
            shape = tuple(int(s) for s in shape)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError(f"history shape of {name!r} must be a list of integers; got {shape!r}") from None
        if name not in HISTORY_SIGNALS:
            raise ConfigError(f"unknown history signal {name!r}; known: {', '.join(HISTORY_SIGNALS)}")
        want = 2 if name == "purpose" else 1
        if len(shape) != want or not 0 < shape[0] <= MAX_HISTORY_STEPS or (name == "purpose" and shape[1] != 2):
            raise ConfigError(
                f"history shape of {name!r} must be {'(steps, 2)' if want == 2 else '(steps,)'} with "
                f"1 <= steps <= {MAX_HISTORY_STEPS:,}; got {shape}"
            )
        checked[name] = shape
    return checked


def _pwrite_all(fd: int, data, offset: int, path: str) -> None:
    view = memoryview(data).cast("B")
    while view:
        try:
            written = os.pwrite(fd, view, offset)
        except OSError as error:  # ENOSPC on a sparse file, EIO: one line naming the file
            raise StorageError(f"could not write to {path} at byte {offset}: {error.strerror or error}") from None
        if written <= 0:
            raise StorageError(f"could not write to {path} at byte {offset}")
        view, offset = view[written:], offset + written


def _pread_into(fd: int, out: np.ndarray, offset: int) -> int:
    view = memoryview(out).cast("B")
    total = 0
    while total < len(view):
        got = os.preadv(fd, [view[total:]], offset + total)
        if got <= 0:
            break  # end of file: a truncated frame, caught by its checksum
        total += got
    return total


def _atomic_write_json(path: str, data: dict) -> None:
    tmp = path + ".tmp"
    # O_NOFOLLOW: a planted symlink at the temp name must not redirect the write
    fd = open_no_follow(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "temporary file")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as error:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise StorageError(f"could not write {path}: {error.strerror or error}") from None


def read_format_json(path: str, fmt: str, version: int, what: str) -> dict:
    """Read a JSON header file (bounded) and check its ``format`` and ``version``; StorageError names the file."""
    stored = read_json_file(path, what)
    if stored.get("format") != fmt:
        raise StorageError(f"{path} is not a charles {what} (format != {fmt!r})")
    if stored.get("version") != version:
        raise StorageError(f"{path} has version {stored.get('version')!r}; this charles_core reads {version}")
    return stored


class SampleStore:
    """Fixed-capacity, crash-safe slots of samples in one directory.

    Args:
        directory: created if missing; reopened (and checked) if it holds a store.
        frame_shape: ``(height, width, 3)`` of every frame.
        capacity: number of slots.
        history_shapes: ``{signal: shape}`` every sample must carry, e.g.
            ``{"steering": (60,), "purpose": (60, 2)}``; empty for none.
        when_full: ``"replace_oldest"`` (the storage rotates: the oldest sample
            makes room) or ``"drop"`` (the new sample is refused).
        fsync: flush to the device before and after each commit (power-loss safety).
        verify_frames_on_open: check every frame's checksum on open (reads the whole file).
        preallocate: reserve the frames file's disk space up front.
        read_only: open an existing store for reading only (inspection): nothing
            is created, truncated or written, corrupt slots are only skipped in
            memory, and the files must have exactly the sizes the layout implies.

    Raises:
        StorageError: unreadable or inconsistent files; a frames or records
            file that is a symlink; in read-only mode a missing store.
        ConfigError: settings that differ from the stored layout.

    Example:
        >>> store = SampleStore(tmp_path / "steering", (12, 16, 3), capacity=100)  # doctest: +SKIP
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        frame_shape: tuple[int, int, int],
        capacity: int,
        *,
        history_shapes: Mapping[str, tuple[int, ...]] | None = None,
        when_full: str = "replace_oldest",
        fsync: bool = False,
        verify_frames_on_open: bool = False,
        preallocate: bool = True,
        read_only: bool = False,
    ):
        self.directory = os.fspath(directory)
        self.frame_shape = tuple(int(s) for s in frame_shape)
        if len(self.frame_shape) != 3 or self.frame_shape[2] != 3 or min(self.frame_shape) <= 0:
            raise ConfigError(f"frame_shape must be (height, width, 3); got {frame_shape}")
        if not isinstance(capacity, (int, np.integer)) or not 0 < capacity <= MAX_CAPACITY:
            raise ConfigError(f"capacity must be an integer in [1, {MAX_CAPACITY:,}]; got {capacity!r}")
        if when_full not in WHEN_FULL_CHOICES:
            raise ConfigError(f"when_full must be one of {WHEN_FULL_CHOICES}; got {when_full!r}")
        self.capacity = int(capacity)
        self.history_shapes = check_history_shapes(history_shapes)
        self.when_full = when_full
        self.fsync = bool(fsync)
        self.read_only = bool(read_only)
        self.frame_bytes = math.prod(self.frame_shape)  # Python ints: huge shapes cannot overflow
        self.dtype = record_dtype(self.history_shapes)
        self.frames_path = os.path.join(self.directory, FRAMES_FILE)
        self.records_path = os.path.join(self.directory, RECORDS_FILE)
        self.layout_path = os.path.join(self.directory, LAYOUT_FILE)
        #: corruption found while open (one line each); ``charles data check`` reports them
        self.problems: list[str] = []
        self._frames_fd = self._records_fd = -1
        refuse_symlinked_dir(self.directory, "buffer directory")
        if self.read_only:
            self._open_read_only()
        else:
            make_directory(self.directory, "buffer directory")
            if os.path.exists(self.layout_path):
                self._check_layout()
                self._open_files(preallocate=False)
            else:
                self._refuse_unlabelled_samples()
                self._open_files(preallocate=preallocate, fresh=True)
                _atomic_write_json(self.layout_path, self._layout())  # last: marks creation complete
        self._load_records()
        if verify_frames_on_open:
            self.verify_frames()

    # -- opening ---------------------------------------------------------

    def _layout(self) -> dict:
        return {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "capacity": self.capacity,
            "frame_shape": list(self.frame_shape),
            "history": {k: list(v) for k, v in sorted(self.history_shapes.items())},
            "record_fields": [list(map(str, f)) for f in self.dtype.descr],
            "record_bytes": self.dtype.itemsize,
            "frames_file": FRAMES_FILE,
            "records_file": RECORDS_FILE,
        }

    def _check_layout(self) -> None:
        stored = read_format_json(self.layout_path, STORE_FORMAT, STORE_VERSION, "buffer layout")
        expected = self._layout()
        for key in ("capacity", "frame_shape", "history", "record_bytes"):
            if stored.get(key) != expected[key]:
                raise ConfigError(
                    f"buffer {self.directory} was created with {key}={stored.get(key)!r}, now asked for "
                    f"{expected[key]!r}; use the same settings or another directory"
                )

    def _refuse_unlabelled_samples(self) -> None:
        """A store without ``layout.json`` is created afresh, unless its records hold samples.

        Creation writes the layout last, so a store cut short during creation
        has an all-zero records file and is safely recreated; committed records
        without a layout mean the layout was lost, and recreating would wipe them.
        """
        if not os.path.lexists(self.records_path):
            return
        fd = open_no_follow(self.records_path, os.O_RDONLY, "buffer records file")
        try:
            while chunk := os.read(fd, 1 << 20):
                if chunk.count(0) != len(chunk):
                    raise StorageError(
                        f"buffer {self.directory} holds samples ({RECORDS_FILE}) but no {LAYOUT_FILE}; "
                        f"restore {LAYOUT_FILE}, or delete the directory to start an empty buffer"
                    )
        finally:
            os.close(fd)

    def _open_read_only(self) -> None:
        """Open an existing store without writing; sizes must match the layout exactly."""
        if not os.path.isdir(self.directory):
            state = "is not a directory" if os.path.lexists(self.directory) else "is missing (no such directory)"
            raise StorageError(
                f"buffer {self.directory} {state}; restore it, or delete the buffer set (training refills a new one)"
            )
        if not os.path.lexists(self.layout_path):
            raise StorageError(
                f"buffer {self.directory} has no {LAYOUT_FILE}: not a buffer, or one whose creation "
                f"was cut short; restore {LAYOUT_FILE}, or delete the buffer set (training refills it)"
            )
        self._check_layout()
        self._truncated_frames_from = None
        self._frames_fd = open_no_follow(self.frames_path, os.O_RDONLY, "buffer frames file")
        self._records_fd = open_no_follow(self.records_path, os.O_RDONLY, "buffer records file")
        # what is allocated below is bounded by what is on disk: a crafted capacity is refused here
        for fd, path, size in (
            (self._frames_fd, self.frames_path, self.capacity * self.frame_bytes),
            (self._records_fd, self.records_path, self.capacity * self.dtype.itemsize),
        ):
            have = os.fstat(fd).st_size
            if have != size:
                self.close()
                raise StorageError(
                    f"{path} holds {have:,} bytes; its layout ({self.capacity:,} slots) needs {size:,}: "
                    "the buffer is damaged or its layout.json does not belong to it; delete the buffer set "
                    "(training refills it)"
                )

    def _refuse_for_space(self, frames_size: int, fresh: bool) -> None:
        """Raise a StorageError saying how much disk the frames need; a fresh store's files are removed."""
        os.close(self._frames_fd)
        os.close(self._records_fd)
        self._frames_fd = self._records_fd = -1
        if fresh:  # created just now and empty: nothing of the user's is lost
            for path in (self.frames_path, self.records_path):
                os.unlink(path)
        free = shutil.disk_usage(self.directory).free
        raise StorageError(
            f"not enough disk space for the buffer at {self.directory}: its frames need "
            f"{frames_size / 2**30:.2f} GiB ({self.capacity} x {self.frame_shape}), "
            f"{free / 2**30:.2f} GiB are free there; free some space, choose another directory, "
            "or lower the capacity or frame size"
        )

    def _open_files(self, preallocate: bool, fresh: bool = False) -> None:
        flags = os.O_RDWR | os.O_CREAT | (os.O_TRUNC if fresh else 0)
        self._frames_fd = open_no_follow(self.frames_path, flags, "buffer frames file")
        try:
            self._records_fd = open_no_follow(self.records_path, flags, "buffer records file")
        except BaseException:
            self.close()
            raise
        frames_size = self.capacity * self.frame_bytes
        records_size = self.capacity * self.dtype.itemsize
        self._truncated_frames_from = None
        if not fresh:
            have = os.fstat(self._frames_fd).st_size
            if have < frames_size:
                first = have // self.frame_bytes
                self._truncated_frames_from = first
                self._report(
                    f"{self.frames_path} is truncated ({have} of {frames_size} bytes): "
                    f"slots {first}..{self.capacity - 1} lost"
                )
            have = os.fstat(self._records_fd).st_size
            if have < records_size:
                self._report(
                    f"{self.records_path} is truncated ({have} of {records_size} bytes): "
                    f"slots {have // self.dtype.itemsize}..{self.capacity - 1} lost"
                )
        if preallocate:
            try:
                os.posix_fallocate(self._frames_fd, 0, frames_size)
            except OSError as error:
                if error.errno == errno.ENOSPC:
                    self._refuse_for_space(frames_size, fresh)
                if error.errno not in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                    raise StorageError(
                        f"could not reserve {frames_size} bytes for {self.frames_path}: {error}"
                    ) from error
                # a filesystem without fallocate: a sparse file works too, filled as samples arrive
        for fd, size in ((self._frames_fd, frames_size), (self._records_fd, records_size)):
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)

    def _load_records(self) -> None:
        if self.read_only:
            # copy-on-write mapping: pages are read as touched, and a skipped slot changes memory, never the file
            with os.fdopen(os.dup(self._records_fd), "rb") as f:
                self._records = np.memmap(f, dtype=self.dtype, mode="c", shape=(self.capacity,))
        else:
            raw = bytearray(self.capacity * self.dtype.itemsize)
            got = _pread_into(self._records_fd, np.frombuffer(raw, np.uint8), 0)
            if got < len(raw):
                raw[got:] = bytes(len(raw) - got)
            self._records = np.frombuffer(raw, dtype=self.dtype).copy()
        self._seq = self._records["seq"].astype(np.int64)
        truncated_from = self._truncated_frames_from
        bad = []
        for slot in np.flatnonzero(self._seq):
            if not self._record_ok(slot):
                bad.append(slot)
                self._report(f"{self.records_path}: slot {slot} has a corrupt record (checksum mismatch); skipped")
            elif truncated_from is not None and slot >= truncated_from:
                bad.append(slot)
        for slot in bad:
            self._invalidate(int(slot))
        self._occupied = np.empty(self.capacity, dtype=np.int64)
        self._position = np.full(self.capacity, -1, dtype=np.int64)
        self._count = 0
        for slot in np.flatnonzero(self._seq):
            self._mark_occupied(int(slot))
        self._free = [int(s) for s in np.flatnonzero(self._seq == 0)[::-1]]  # pop() gives the lowest
        self._next_seq = int(self._seq.max()) + 1 if self.capacity else 1

    def _report(self, message: str) -> None:
        self.problems.append(message)
        report_corruption(message)

    def _record_crc(self, slot: int) -> int:
        data = self._records[slot : slot + 1].tobytes()
        return zlib.crc32(data[:-4])

    def _record_ok(self, slot: int) -> bool:
        record = self._records[slot]
        return int(record["slot"]) == slot and int(record["record_crc"]) == self._record_crc(slot)

    # -- slot bookkeeping ------------------------------------------------

    def _mark_occupied(self, slot: int) -> None:
        self._position[slot] = self._count
        self._occupied[self._count] = slot
        self._count += 1

    def _mark_empty(self, slot: int) -> None:
        pos = self._position[slot]
        last = self._occupied[self._count - 1]
        self._occupied[pos] = last
        self._position[last] = pos
        self._position[slot] = -1
        self._count -= 1

    def _invalidate(self, slot: int) -> None:
        """Zero the slot's commit number on disk (in memory only when read-only): the slot is now empty."""
        if not self.read_only:
            _pwrite_all(self._records_fd, bytes(8), slot * self.dtype.itemsize, self.records_path)
        self._records["seq"][slot] = 0
        self._seq[slot] = 0

    # -- public API -------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    @property
    def full(self) -> bool:
        return self._count == self.capacity

    def occupied_slots(self) -> np.ndarray:
        """Slots holding a sample (a copy, in no particular order)."""
        return self._occupied[: self._count].copy()

    def _check_sample(self, sample: Sample) -> None:
        if not isinstance(sample, Sample):
            raise DataError(f"a buffer stores Samples; got {type(sample).__name__}")
        if sample.frame.shape != self.frame_shape:
            raise DataError(
                f"Sample.frame has shape {sample.frame.shape}; buffer {self.directory} stores {self.frame_shape}"
                " (resize with charles_core.common.frames.resize_frame)"
            )
        have = set(sample.history or {})
        if have != set(self.history_shapes):
            raise DataError(
                f"Sample.history has signals {sorted(have)}; buffer {self.directory} stores "
                f"{sorted(self.history_shapes)}"
            )
        for name, shape in self.history_shapes.items():
            if sample.history[name].shape != shape:
                raise DataError(
                    f"Sample.history[{name!r}] has shape {sample.history[name].shape}; buffer stores {shape}"
                )

    def add(self, sample: Sample) -> int | None:
        """Store ``sample``; returns its slot, or None if full and ``when_full="drop"``."""
        if self.read_only:
            raise StorageError(f"buffer {self.directory} was opened read-only; open it without read_only to add")
        self._check_sample(sample)
        if self._free:
            slot = self._free.pop()
        elif self.when_full == "drop":
            return None
        else:
            occupied = self._occupied[: self._count]
            slot = int(occupied[np.argmin(self._seq[occupied])])
            self._mark_empty(slot)
            self._invalidate(slot)  # step 1: the old sample is gone before its frame is overwritten
        try:
            frame = sample.frame
            _pwrite_all(self._frames_fd, frame, slot * self.frame_bytes, self.frames_path)  # step 2
            if self.fsync:
                os.fdatasync(self._frames_fd)
            record = np.zeros(1, dtype=self.dtype)
            record["seq"] = self._next_seq
            record["slot"] = slot
            record["frame_crc"] = zlib.crc32(frame)
            record["timestamp"] = math.nan if sample.timestamp is None else sample.timestamp
            record["throttle"] = sample.throttle
            record["steering"] = sample.steering
            record["speed"] = sample.speed
            record["purpose"] = sample.purpose
            for name in self.history_shapes:
                record[f"history_{name}"] = sample.history[name]
            record["record_crc"] = zlib.crc32(record.tobytes()[:-4])
            # step 3: the commit
            _pwrite_all(self._records_fd, record.tobytes(), slot * self.dtype.itemsize, self.records_path)
            if self.fsync:
                os.fdatasync(self._records_fd)
        except BaseException:
            self._free.append(slot)
            raise
        self._records[slot] = record[0]
        self._seq[slot] = self._next_seq
        self._next_seq += 1
        self._mark_occupied(slot)
        return slot

    def remove(self, slot: int) -> None:
        """Empty ``slot`` on disk and in memory."""
        if self._position[slot] < 0:
            raise DataError(f"slot {slot} of {self.directory} holds no sample")
        self._mark_empty(slot)
        self._invalidate(slot)
        self._free.append(slot)

    def read_frame_into(self, slot: int, out: np.ndarray) -> bool:
        """Read ``slot``'s frame into ``out`` (uint8, frame_shape); False (reported, slot emptied) if corrupt."""
        got = _pread_into(self._frames_fd, out, slot * self.frame_bytes)
        if got != self.frame_bytes or zlib.crc32(out) != int(self._records[slot]["frame_crc"]):
            what = "truncated" if got != self.frame_bytes else "corrupt (checksum mismatch)"
            self._report(f"{self.frames_path}: slot {slot} frame is {what}; skipped")
            self.remove(slot)
            return False
        return True

    def record(self, slot: int) -> np.void:
        """The (checked) label record of an occupied slot."""
        return self._records[slot]

    def records(self, slots) -> np.ndarray:
        """The (checked) label records of occupied ``slots``, as one structured array (a copy)."""
        return self._records[np.asarray(slots, dtype=np.int64)]

    def sample(self, slot: int) -> Sample | None:
        """``slot``'s sample, or None if its frame turned out corrupt (reported, slot emptied)."""
        frame = np.empty(self.frame_shape, dtype=np.uint8)
        if not self.read_frame_into(slot, frame):
            return None
        return self.to_sample(slot, frame)

    def to_sample(self, slot: int, frame: np.ndarray) -> Sample:
        r = self._records[slot]
        history = {name: np.array(r[f"history_{name}"]) for name in self.history_shapes} or None
        timestamp = float(r["timestamp"])
        return Sample(
            frame=frame,
            throttle=float(r["throttle"]),
            steering=float(r["steering"]),
            speed=float(r["speed"]),
            purpose=np.array(r["purpose"]),
            history=history,
            timestamp=None if math.isnan(timestamp) else timestamp,
        )

    def ordered_slots(self) -> np.ndarray:
        """Slots holding a sample, oldest first (a copy)."""
        occupied = self._occupied[: self._count]
        return occupied[np.argsort(self._seq[occupied])]

    def samples(self) -> Iterator[Sample]:
        """Every stored sample, oldest first, without removing them (corrupt ones reported and skipped)."""
        for slot in self.ordered_slots():
            sample = self.sample(int(slot))
            if sample is not None:
                yield sample

    def verify_frames(self) -> int:
        """Check every stored frame's checksum; returns how many were corrupt (reported, emptied)."""
        frame = np.empty(self.frame_shape, dtype=np.uint8)
        bad = 0
        for slot in self.occupied_slots():
            bad += not self.read_frame_into(int(slot), frame)
        return bad

    def close(self) -> None:
        """Close the files (everything is already on disk)."""
        for name in ("_frames_fd", "_records_fd"):
            fd = getattr(self, name, -1)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
