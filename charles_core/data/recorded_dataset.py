"""Recorded driving on disk: a format users can produce from their own capture.

A recording is a directory::

    RECORDING/
      manifest.json   {"format": "charles-recording", "version": 1,
                       "frame_height": 270, "frame_width": 480, "count": N,
                       "frames_file": "frames.u8", "labels_file": "labels.npy"}
      frames.u8       N raw RGB frames, uint8, C order, frame i at byte
                      i * frame_height * frame_width * 3 (np.memmap-able)
      labels.npy      structured array of N rows (np.save, no pickle):
                      timestamp <f8 (seconds, non-decreasing), throttle <f4
                      in [-1, 1], steering <f4 in [-1, 1], speed <f4 >= 0,
                      purpose <f4 (2,), and optionally frame_crc32 <u4
                      (zlib.crc32 of each frame's bytes; checked on read)
    or labels.csv     the same columns with a header line:
                      timestamp,throttle,steering,speed,purpose_distance,
                      purpose_direction[,frame_crc32]

To convert your own capture, write the frames back to back into
``frames.u8``, the labels into ``labels.npy`` or ``labels.csv``, then the
manifest; or use :class:`RecordedDatasetWriter`. It writes the manifest last,
so a recording cut short has none and is refused rather than half-read.

Everything is validated on open: manifest fields, file sizes (a truncated
frames file), label columns, row count, finite in-range values, timestamps;
problems raise :class:`~charles_core.errors.StorageError` naming the file.

Example:

```text
with RecordedDatasetWriter("rec", frame_shape=(270, 480)) as writer:
    writer.append(sample)
dataset = RecordedDataset("rec")
first = dataset[0]
```
"""

from __future__ import annotations

import csv
import json
import math
import os
import zlib
from collections.abc import Iterator

import numpy as np

from charles_core.common.signals import OUTPUT_RANGES, split_throttle
from charles_core.data.bins import DEFAULT_V2_BINS
from charles_core.data.safe_files import (
    make_directory,
    open_no_follow,
    open_regular,
    read_npy_file,
    regular_file_size,
)
from charles_core.data.sample import Sample
from charles_core.data.sample_store import read_format_json
from charles_core.errors import DataError, StorageError

MANIFEST_FILE = "manifest.json"
RECORDING_FORMAT = "charles-recording"
RECORDING_VERSION = 1
DEFAULT_FPS = 30.0  # the game's capture rate: timestamps default to i / 30 s
CSV_COLUMNS = ("timestamp", "throttle", "steering", "speed", "purpose_distance", "purpose_direction")
LABELS_DTYPE = np.dtype(
    [
        ("timestamp", "<f8"),
        ("throttle", "<f4"),
        ("steering", "<f4"),
        ("speed", "<f4"),
        ("purpose", "<f4", (2,)),
        ("frame_crc32", "<u4"),
    ]
)
_REQUIRED = ("timestamp", "throttle", "steering", "speed", "purpose")
MAX_FRAME_SIDE = 65_535  # pixels per side; far above any capture
MAX_FRAMES = 10_000_000  # frames in one recording: 92 hours at 30 Hz; bounds the labels in memory (360 MB)
MAX_CSV_LINE_BYTES = 4096  # a labels line is about 150 bytes


def _create(path: str, what: str) -> int:
    """Create or truncate ``path`` for writing, refusing a symlink (its target may lie anywhere)."""
    return open_no_follow(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, what)


class RecordedDatasetWriter:
    """Write a recording in the documented format.

    Args:
        path: the recording directory (created; must not already hold a manifest).
        frame_shape: ``(height, width)`` or ``(height, width, 3)``.
        labels_format: ``"npy"`` or ``"csv"``.

    Example:
        >>> with RecordedDatasetWriter(tmp / "rec", (12, 16)) as w:  # doctest: +SKIP
        ...     w.append(sample)
    """

    def __init__(self, path: str | os.PathLike, frame_shape: tuple[int, ...], labels_format: str = "npy"):
        self.path = os.fspath(path)
        shape = tuple(int(s) for s in frame_shape)
        self.frame_shape = shape if len(shape) == 3 else shape + (3,)
        if len(self.frame_shape) != 3 or self.frame_shape[2] != 3 or min(self.frame_shape) <= 0:
            raise DataError(f"frame_shape must be (height, width) or (height, width, 3); got {frame_shape}")
        if labels_format not in ("npy", "csv"):
            raise DataError(f"labels_format must be 'npy' or 'csv'; got {labels_format!r}")
        self.labels_format = labels_format
        make_directory(self.path, "recording directory")
        if os.path.exists(os.path.join(self.path, MANIFEST_FILE)):
            raise StorageError(f"{self.path} already holds a recording ({MANIFEST_FILE}); choose a new directory")
        self._frames = os.fdopen(_create(os.path.join(self.path, "frames.u8"), "frames file"), "wb")
        self._rows: list[tuple] = []
        self._closed = False

    def append(self, sample: Sample) -> None:
        """Add one sample (its timestamp defaults to ``index / 30`` s)."""
        if not isinstance(sample, Sample):
            raise DataError(f"RecordedDatasetWriter.append expects a Sample; got {type(sample).__name__}")
        if sample.frame.shape != self.frame_shape:
            raise DataError(f"Sample.frame has shape {sample.frame.shape}; this recording stores {self.frame_shape}")
        timestamp = sample.timestamp if sample.timestamp is not None else len(self._rows) / DEFAULT_FPS
        if self._rows and timestamp < self._rows[-1][0]:
            raise DataError(f"Sample.timestamp {timestamp} goes back in time (previous {self._rows[-1][0]})")
        self._frames.write(sample.frame.tobytes())
        self._rows.append(
            (timestamp, sample.throttle, sample.steering, sample.speed, sample.purpose, zlib.crc32(sample.frame))
        )

    def close(self) -> None:
        """Write the labels, then the manifest (which makes the recording valid)."""
        if self._closed:
            return
        self._closed = True
        self._frames.flush()
        os.fsync(self._frames.fileno())
        self._frames.close()
        labels = np.array(self._rows, dtype=LABELS_DTYPE) if self._rows else np.zeros(0, LABELS_DTYPE)
        if self.labels_format == "npy":
            labels_file = "labels.npy"
            with os.fdopen(_create(os.path.join(self.path, labels_file), "labels file"), "wb") as f:
                np.save(f, labels, allow_pickle=False)
        else:
            labels_file = "labels.csv"
            with os.fdopen(_create(os.path.join(self.path, labels_file), "labels file"), "w", newline="") as f:
                out = csv.writer(f)
                out.writerow(CSV_COLUMNS + ("frame_crc32",))
                for r in labels:
                    out.writerow(
                        [
                            repr(float(r["timestamp"])),
                            repr(float(r["throttle"])),
                            repr(float(r["steering"])),
                            repr(float(r["speed"])),
                            repr(float(r["purpose"][0])),
                            repr(float(r["purpose"][1])),
                            int(r["frame_crc32"]),
                        ]
                    )
        manifest = {
            "format": RECORDING_FORMAT,
            "version": RECORDING_VERSION,
            "frame_height": self.frame_shape[0],
            "frame_width": self.frame_shape[1],
            "count": len(labels),
            "frames_file": "frames.u8",
            "labels_file": labels_file,
        }
        tmp = os.path.join(self.path, MANIFEST_FILE + ".tmp")
        with os.fdopen(_create(tmp, "temporary file"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
        os.replace(tmp, os.path.join(self.path, MANIFEST_FILE))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse_csv_row(labels: np.ndarray, i: int, row: list[str], col: dict, header: list, has_crc: bool) -> None:
    if len(row) != len(header):
        raise ValueError(f"{len(row)} fields, header has {len(header)}")
    labels[i]["timestamp"] = float(row[col["timestamp"]])
    labels[i]["throttle"] = float(row[col["throttle"]])
    labels[i]["steering"] = float(row[col["steering"]])
    labels[i]["speed"] = float(row[col["speed"]])
    labels[i]["purpose"] = (float(row[col["purpose_distance"]]), float(row[col["purpose_direction"]]))
    if has_crc:
        crc = row[col["frame_crc32"]].strip()
        if not crc.isdigit() or len(crc) > 10 or int(crc) >= 2**32:
            raise ValueError(f"frame_crc32 must be an integer in [0, 2**32); got {crc[:40]!r}")
        labels[i]["frame_crc32"] = int(crc)


def _read_csv_labels(path: str, count: int) -> tuple[np.ndarray, bool]:
    """Parse a labels CSV line by line: at most ``count`` rows, fields up to 128 KiB, a BOM accepted."""
    fd = open_regular(path, "labels file")
    size, limit = os.fstat(fd).st_size, (count + 64) * MAX_CSV_LINE_BYTES
    if size > limit:  # bounds the longest line too: nothing is read that this check did not allow
        os.close(fd)
        raise StorageError(
            f"labels file {path} is {size:,} bytes, more than {count} rows can take "
            f"({MAX_CSV_LINE_BYTES} bytes a line); it is not this recording's labels"
        )
    # grown as rows arrive: memory follows what the file holds, not what the manifest claims
    labels, chunk = np.zeros(min(count, 4096), dtype=LABELS_DTYPE), 4096
    header, rows, line = None, 0, 0
    try:
        # utf-8-sig: spreadsheet programs start their CSV with a byte-order mark
        with open(fd, newline="", encoding="utf-8-sig") as f:
            for row in csv.reader(f):
                line += 1
                if header is None:
                    header = [h.strip() for h in row]
                    missing = [c for c in CSV_COLUMNS if c not in header]
                    if missing:
                        raise StorageError(f"labels file {path} lacks columns {missing}; header is {header[:20]}")
                    has_crc = "frame_crc32" in header
                    col = {name: header.index(name) for name in header}
                    continue
                if rows >= count:
                    raise StorageError(f"labels file {path} has more than {count} rows; manifest says {count}")
                if rows == len(labels):
                    labels = np.concatenate([labels, np.zeros(min(count - rows, chunk), LABELS_DTYPE)])
                    chunk *= 2
                try:
                    _parse_csv_row(labels, rows, row, col, header, has_crc)
                except (ValueError, OverflowError) as error:
                    raise StorageError(f"labels file {path}, line {line}: {error}") from None
                rows += 1
    except StorageError:
        raise
    except csv.Error as error:  # e.g. a field over csv.field_size_limit() (128 KiB)
        raise StorageError(f"labels file {path}, line {line + 1}: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StorageError(f"cannot read labels file {path}: {error}") from None
    if header is None:
        raise StorageError(f"labels file {path} is empty (expected a header line: {','.join(CSV_COLUMNS)})")
    return labels[:rows], has_crc


def label_problems(labels: np.ndarray, where: str, *, stored: bool = False) -> list[str]:
    """Every class of bad label in ``labels`` (one line each: how many rows, the first one), or ``[]``.

    Checks: finite timestamp, throttle, steering, speed and purpose; throttle
    and steering in [-1, 1]; speed >= 0; timestamps never going back (NaN
    timestamps, "unknown" in buffers, are skipped there).

    Args:
        labels: a structured array with those fields.
        where: how messages name the source, e.g. ``"labels file rec/labels.npy"``.
        stored: the labels come from a buffer, where NaN means "no timestamp" and
            samples are not in time order (the balancer regroups them).
    """
    problems = []

    def report(bad, text):
        if bad.size:
            more = f" ({bad.size:,} rows in all)" if bad.size > 1 else ""
            problems.append(f"{where}: row {bad[0]} {text(bad[0])}{more}")

    if not len(labels):
        return problems
    for name in ("timestamp", "throttle", "steering", "speed", "purpose"):
        values = labels[name].reshape(len(labels), -1)
        finite = np.isfinite(values).all(axis=1)
        if name == "timestamp" and stored:
            finite |= np.isnan(values).all(axis=1)  # a buffer stores NaN for "no timestamp"
        report(np.flatnonzero(~finite), lambda i, n=name, v=values: f"has a non-finite {n}: {v[i].tolist()}")
    for name in ("throttle", "steering"):
        low, high = OUTPUT_RANGES[name]
        report(
            np.flatnonzero((labels[name] < low) | (labels[name] > high)),
            lambda i, n=name, lo=low, hi=high: f"has {n}={labels[n][i]} outside [{lo}, {hi}]",
        )
    report(np.flatnonzero(labels["speed"] < 0), lambda i: f"has negative speed {labels['speed'][i]}")
    back = np.flatnonzero(np.diff(labels["timestamp"]) < 0) + 1 if not stored else np.zeros(0, np.int64)
    if back.size:
        problems.append(
            f"{where}: timestamps go back in time at row {back[0]}"
            + (f" ({back.size:,} rows in all)" if back.size > 1 else "")
        )
    return problems


class RecordedDataset:
    """Read and validate a recording (see the module docstring for the format).

    Args:
        path: the recording directory.
        verify_frames: also check every frame's checksum on open (reads all frames);
            otherwise each frame is checked when it is read.
        check_labels: refuse NaN, out-of-range or time-reversed labels on open (True);
            ``charles data check`` opens with False to list every problem (:func:`label_problems`).

    Raises:
        StorageError: naming the file, for anything missing, corrupt or truncated.

    Example:
        >>> dataset = RecordedDataset("recordings/2024-05-01")  # doctest: +SKIP
        >>> len(dataset), dataset.frame_shape  # doctest: +SKIP
        (1800, (270, 480, 3))
    """

    def __init__(self, path: str | os.PathLike, verify_frames: bool = False, check_labels: bool = True):
        self.path = os.fspath(path)
        self.manifest_path = os.path.join(self.path, MANIFEST_FILE)
        manifest = self._read_manifest()
        self.frame_shape = (manifest["frame_height"], manifest["frame_width"], 3)
        self.count = manifest["count"]
        self.frames_path = os.path.join(self.path, manifest["frames_file"])
        self.labels_path = os.path.join(self.path, manifest["labels_file"])
        frame_bytes = math.prod(self.frame_shape)  # Python ints: no overflow whatever the manifest says
        size = regular_file_size(self.frames_path, "frames file")
        if size != self.count * frame_bytes:
            state = "truncated" if size < self.count * frame_bytes else "longer than the manifest says"
            raise StorageError(
                f"frames file {self.frames_path} is {state}: {size:,} bytes, expected "
                f"{self.count:,} frames x {frame_bytes:,} = {self.count * frame_bytes:,}; restore the recording, "
                "or record it again"
            )
        self.labels, self.has_checksums = self._read_labels()
        if len(self.labels) != self.count:
            raise StorageError(
                f"labels file {self.labels_path} has {len(self.labels)} rows; "
                f"manifest {self.manifest_path} says {self.count}"
            )
        if check_labels:
            problems = label_problems(self.labels, f"labels file {self.labels_path}")
            if problems:
                raise StorageError(problems[0])
        self.frames = (
            np.memmap(self.frames_path, dtype=np.uint8, mode="r", shape=(self.count, *self.frame_shape))
            if self.count
            else np.zeros((0, *self.frame_shape), np.uint8)
        )
        if verify_frames:
            self.verify()

    def _read_manifest(self) -> dict:
        if not os.path.lexists(self.manifest_path):
            raise StorageError(
                f"{self.manifest_path} not found: not a recording, or one cut short before it was closed"
            )
        manifest = read_format_json(self.manifest_path, RECORDING_FORMAT, RECORDING_VERSION, "recording manifest")
        for key in ("frame_height", "frame_width", "count"):
            value = manifest.get(key)
            low, high = (0, MAX_FRAMES) if key == "count" else (1, MAX_FRAME_SIDE)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                fix = (
                    "split the recording into smaller ones"
                    if key == "count" and isinstance(value, int) and value > high
                    else "fix the manifest"
                )
                raise StorageError(
                    f"{self.manifest_path}: {key} must be an integer in [{low:,}, {high:,}]; "
                    f"got {str(value)[:40]}; {fix}"
                )
        for key in ("frames_file", "labels_file"):
            value = manifest.get(key)
            if not isinstance(value, str) or os.path.basename(value) != value or not value:
                raise StorageError(f"{self.manifest_path}: {key} must be a file name in the recording; got {value!r}")
        if not manifest["labels_file"].endswith((".npy", ".csv")):
            raise StorageError(
                f"{self.manifest_path}: labels_file must end in .npy or .csv; got {manifest['labels_file']!r}"
            )
        return manifest

    def _read_labels(self) -> tuple[np.ndarray, bool]:
        if self.labels_path.endswith(".csv"):
            return _read_csv_labels(self.labels_path, self.count)
        raw = read_npy_file(self.labels_path, "labels file")  # header checked against the file size first
        names = raw.dtype.names or ()
        missing = [n for n in _REQUIRED if n not in names]
        if missing or raw.ndim != 1:
            raise StorageError(
                f"labels file {self.labels_path} must be a 1-D structured array with fields "
                f"{_REQUIRED}; missing {missing}"
            )
        labels = np.zeros(len(raw), LABELS_DTYPE)
        try:
            for name in _REQUIRED + (("frame_crc32",) if "frame_crc32" in names else ()):
                labels[name] = raw[name]
        except (ValueError, TypeError) as error:
            raise StorageError(f"labels file {self.labels_path}: field has the wrong shape or type: {error}") from None
        return labels, "frame_crc32" in names

    def __len__(self) -> int:
        return self.count

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` (a copy), checksum-checked when the recording has checksums."""
        if not -self.count <= index < self.count:
            raise IndexError(f"frame {index} out of range for a recording of {self.count}")
        index %= self.count
        frame = np.array(self.frames[index])
        if self.has_checksums and zlib.crc32(frame) != int(self.labels["frame_crc32"][index]):
            raise StorageError(f"frames file {self.frames_path}: frame {index} is corrupt (checksum mismatch)")
        return frame

    def __getitem__(self, index: int) -> Sample:
        frame = self.frame(index)
        row = self.labels[index]
        return Sample(
            frame=frame,
            throttle=float(row["throttle"]),
            steering=float(row["steering"]),
            speed=float(row["speed"]),
            purpose=np.array(row["purpose"]),
            timestamp=float(row["timestamp"]),
        )

    def __iter__(self) -> Iterator[Sample]:
        for i in range(self.count):
            yield self[i]

    def verify(self) -> None:
        """Check every frame's checksum (no-op without checksums); StorageError on the first bad one."""
        if self.has_checksums:
            for i in range(self.count):
                self.frame(i)

    def label_arrays(self) -> dict[str, np.ndarray]:
        """Label values per output name, pedals derived from throttle."""
        throttle = self.labels["throttle"].astype(np.float32)
        acceleration, braking = split_throttle(throttle)
        return {
            "throttle": throttle,
            "steering": self.labels["steering"].astype(np.float32),
            "acceleration": acceleration,
            "braking": braking,
        }


def _summary(values: np.ndarray) -> dict:
    if values.size == 0:
        return {"min": None, "max": None, "mean": None}
    return {"min": float(values.min()), "max": float(values.max()), "mean": float(values.mean())}


def inspect_dataset(path: str | os.PathLike, verify_frames: bool = False) -> dict:
    """Validate a recording and summarise it: counts, duration, per-output histograms.

    Args:
        path: the recording directory.
        verify_frames: also check every frame's checksum.

    Returns:
        ``{"path", "count", "frame_shape", "duration_s", "has_checksums",
        "speed": {min, max, mean}, "outputs": {name: {"bins": [...],
        "counts": [...], "min", "max", "mean"}}}`` with the 0.1-wide
        Balancing_v2 bins.

    Example:
        >>> inspect_dataset("recordings/run1")["count"]  # doctest: +SKIP
        1800
    """
    dataset = RecordedDataset(path, verify_frames=verify_frames)
    timestamps = dataset.labels["timestamp"]
    outputs = {}
    for name, values in dataset.label_arrays().items():
        bins = DEFAULT_V2_BINS[name]
        outputs[name] = {"bins": bins.labels(), "counts": bins.histogram(values).tolist(), **_summary(values)}
    return {
        "path": os.path.abspath(dataset.path),
        "count": dataset.count,
        "frame_shape": list(dataset.frame_shape),
        "duration_s": float(timestamps[-1] - timestamps[0]) if dataset.count else 0.0,
        "has_checksums": dataset.has_checksums,
        "speed": _summary(dataset.labels["speed"]),
        "outputs": outputs,
    }
