"""A recording that grows: complete recordings ("segments") written one after another into a folder.

A plain recording becomes valid only when it is closed (its manifest is written last), so a
reader cannot follow it while it is being written. A *recording stream* is a folder of
segments, each a complete recording in the documented format (``RecordedDataset``), closed
every ``segment_samples`` samples, so a reader on another machine (a shared folder) picks up
each segment as soon as its manifest appears::

    STREAM/
      stream.json       {"format": "charles-recording-stream", "version": 1, "frame_height": h,
                         "frame_width": w, "segment_samples": n, "closed": false}
                        rewritten (atomically) with "closed": true and "segments": k on close
      segment-000001/   a recording: manifest.json, frames.u8, labels.npy
      segment-000002/   ...
      segment-00000k/   the one being written: no manifest.json yet, so no reader opens it

Every segment passes ``charles data check``; segments continue one drive (timestamps never go
back across them). Nothing is pickled: JSON, raw frames and ``np.save`` labels only.

Example:

```python
import numpy as np
samples = [Sample(np.zeros((27, 48, 3), np.uint8), throttle=0.5, steering=0.0, timestamp=i / 30) for i in range(7)]
with SegmentedRecordingWriter("stream", frame_shape=(27, 48), segment_samples=3) as writer:
    for sample in samples:
        writer.append(sample)   # a segment is closed, and readable, every 3 samples
print(writer.segments)          # 3: two full segments and the last one, closed with the stream
```
"""

from __future__ import annotations

import json
import os
import re

from charles_core.data.recorded_dataset import MANIFEST_FILE, MAX_FRAME_SIDE, RecordedDatasetWriter
from charles_core.data.safe_files import make_directory, open_no_follow
from charles_core.data.sample import Sample
from charles_core.data.sample_store import read_format_json
from charles_core.errors import DataError, StorageError

STREAM_FILE = "stream.json"
STREAM_FORMAT = "charles-recording-stream"
STREAM_VERSION = 1
SEGMENT_PATTERN = re.compile(r"^segment-(\d{6})$")
MAX_SEGMENTS = 999_999  # six digits; at 300 samples a segment, 10 s at 30 Hz, 115 days of driving
MAX_SEGMENT_SAMPLES = 1_000_000


def segment_name(number: int) -> str:
    """The folder name of segment ``number`` (counted from 1)."""
    return f"segment-{number:06d}"


def read_stream_info(path: str | os.PathLike) -> dict:
    """The checked ``stream.json`` of a recording stream.

    Args:
        path: the stream folder.

    Returns:
        ``{"frame_height", "frame_width", "segment_samples", "closed", "segments"}``
        (``segments``: the count when closed, else ``None``).

    Raises:
        StorageError: naming the file, when it is missing, malformed or out of bounds.
    """
    info_path = os.path.join(os.fspath(path), STREAM_FILE)
    info = read_format_json(info_path, STREAM_FORMAT, STREAM_VERSION, "recording stream file")
    for key, low, high in (
        ("frame_height", 1, MAX_FRAME_SIDE),
        ("frame_width", 1, MAX_FRAME_SIDE),
        ("segment_samples", 1, MAX_SEGMENT_SAMPLES),
    ):
        value = info.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise StorageError(f"{info_path}: {key} must be an integer in [{low:,}, {high:,}]; got {str(value)[:40]}")
    closed = info.get("closed")
    if not isinstance(closed, bool):
        raise StorageError(f"{info_path}: closed must be true or false; got {str(closed)[:40]}")
    segments = info.get("segments") if closed else None
    if closed and (not isinstance(segments, int) or isinstance(segments, bool) or not 0 <= segments <= MAX_SEGMENTS):
        raise StorageError(
            f"{info_path}: a closed stream needs segments, an integer in [0, {MAX_SEGMENTS:,}]; "
            f"got {str(segments)[:40]}"
        )
    return {
        "frame_height": info["frame_height"],
        "frame_width": info["frame_width"],
        "segment_samples": info["segment_samples"],
        "closed": closed,
        "segments": segments,
    }


def is_recording_stream(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a recording stream folder (it holds ``stream.json``)."""
    return os.path.lexists(os.path.join(os.fspath(path), STREAM_FILE))


def _write_json(path: str, content: dict) -> None:
    tmp = path + ".tmp"
    with os.fdopen(
        open_no_follow(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "temporary file"), "w", encoding="utf-8"
    ) as f:
        json.dump(content, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)  # atomic: a reader sees the old file or the new one, never half of one


class SegmentedRecordingWriter:
    """Write a recording stream: a segment (a complete recording) closed every ``segment_samples``.

    Args:
        path: the stream folder (created; must not already hold a stream or a recording).
        frame_shape: ``(height, width)`` or ``(height, width, 3)``.
        segment_samples: samples per segment; a reader sees samples this many at a time
            (300: 10 s of driving at 30 Hz).
        labels_format: ``"npy"`` or ``"csv"`` for each segment's labels.

    Raises:
        DataError: a bad shape or segment size.
        StorageError: the folder already holds a stream or a recording, or cannot be written.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        frame_shape: tuple[int, ...],
        segment_samples: int = 300,
        labels_format: str = "npy",
    ):
        self.path = os.fspath(path)
        shape = tuple(int(s) for s in frame_shape)
        self.frame_shape = shape if len(shape) == 3 else shape + (3,)
        if len(self.frame_shape) != 3 or self.frame_shape[2] != 3 or min(self.frame_shape) <= 0:
            raise DataError(f"frame_shape must be (height, width) or (height, width, 3); got {frame_shape}")
        if (
            isinstance(segment_samples, bool)
            or not isinstance(segment_samples, int)
            or not 1 <= segment_samples <= MAX_SEGMENT_SAMPLES
        ):
            raise DataError(
                f"segment_samples must be an integer in [1, {MAX_SEGMENT_SAMPLES:,}]; got {segment_samples!r}"
            )
        self.segment_samples, self.labels_format = segment_samples, labels_format
        make_directory(self.path, "recording stream folder")
        for existing in (STREAM_FILE, MANIFEST_FILE):
            if os.path.lexists(os.path.join(self.path, existing)):
                raise StorageError(f"{self.path} already holds a recording ({existing}); choose a new folder")
        self._info = {
            "format": STREAM_FORMAT,
            "version": STREAM_VERSION,
            "frame_height": self.frame_shape[0],
            "frame_width": self.frame_shape[1],
            "segment_samples": segment_samples,
            "closed": False,
        }
        _write_json(os.path.join(self.path, STREAM_FILE), self._info)
        self.segments = 0  # closed segments
        self.count = 0  # samples appended
        self._segment: RecordedDatasetWriter | None = None
        self._in_segment = 0
        self._last_timestamp: float | None = None
        self._closed = False

    def append(self, sample: Sample) -> None:
        """Add one sample; closes the segment (making it readable) when it holds ``segment_samples``."""
        if self._closed:
            raise StorageError(f"recording stream {self.path} is closed")
        if not isinstance(sample, Sample):
            raise DataError(f"SegmentedRecordingWriter.append expects a Sample; got {type(sample).__name__}")
        if (
            sample.timestamp is not None
            and self._last_timestamp is not None
            and sample.timestamp < self._last_timestamp
        ):
            raise DataError(f"Sample.timestamp {sample.timestamp} goes back in time (previous {self._last_timestamp})")
        if self._segment is None:
            folder = os.path.join(self.path, segment_name(self.segments + 1))
            self._segment = RecordedDatasetWriter(folder, self.frame_shape, labels_format=self.labels_format)
        self._segment.append(sample)
        self._last_timestamp = sample.timestamp if sample.timestamp is not None else self._last_timestamp
        self._in_segment += 1
        self.count += 1
        if self._in_segment >= self.segment_samples:
            self._close_segment()

    def _close_segment(self) -> None:
        if self._segment is None:
            return
        self._segment.close()
        self._segment, self._in_segment = None, 0
        self.segments += 1
        if self.segments >= MAX_SEGMENTS:
            raise StorageError(
                f"recording stream {self.path} holds {MAX_SEGMENTS:,} segments, the most it can; "
                "start a new one in another folder"
            )

    def close(self) -> None:
        """Close the open segment, then mark the stream closed (a follower then finishes after the last)."""
        if self._closed:
            return
        self._closed = True
        self._close_segment()
        _write_json(os.path.join(self.path, STREAM_FILE), {**self._info, "closed": True, "segments": self.segments})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
