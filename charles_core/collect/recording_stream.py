"""A recording read sample by sample, in time order, optionally following it while it grows.

Reads a plain recording (``RecordedDataset``) or a recording stream (a folder of segments
written by :class:`~charles_core.data.segmented_recording_writer.SegmentedRecordingWriter`,
e.g. ``charles record --segment-samples N`` on a game machine writing into a shared folder).
With ``follow=True`` it keeps reading a stream as new segments appear, looking at the folder at
most once per ``poll_s`` (so a network share is not hammered), until the writer closes it.

A segment is opened only once its manifest exists (the writer writes it last), and opened
fully checked: a corrupt segment (bad manifest, truncated frames, bad labels, a frame failing
its checksum) is a :class:`~charles_core.errors.StorageError` naming the file, never skipped in
silence. A segment that never got its manifest while a later one did (a writer cut short) is
refused the same way, naming the folder to delete.

Example:

```text
stream = RecordingStream("//gamepc/share/stream", follow=True, poll_s=1.0)
sample = stream.read(timeout_s=2.0)   # a Sample, or None when nothing new arrived within 2 s
```
"""

from __future__ import annotations

import math
import os
import time

from charles_core.data.recorded_dataset import MANIFEST_FILE, RecordedDataset
from charles_core.data.sample import Sample
from charles_core.data.segmented_recording_writer import (
    MAX_SEGMENTS,
    is_recording_stream,
    read_stream_info,
    segment_name,
)
from charles_core.errors import ConfigError, StorageError

MIN_POLL_S, MAX_POLL_S = 0.05, 60.0  # a shared folder is listed at most 20 times a second, at least once a minute


class RecordingStream:
    """A recording's samples in time order; ``read()`` returns ``None`` while a followed stream has nothing new.

    Args:
        path: a recording (``manifest.json``) or a recording stream (``stream.json``).
        follow: keep reading a recording stream as the writer adds segments (it may not exist
            yet: the stream is waited for). A plain recording cannot grow: ``ConfigError``.
        poll_s: the least time between two looks at the folder for a new segment
            (``MIN_POLL_S`` to ``MAX_POLL_S``).
        verify_frames: check every frame's checksum when its segment opens (else each frame
            is checked as it is read).

    Raises:
        ConfigError: bad settings, or ``follow`` on a plain recording.
        StorageError: a missing or corrupt recording, naming the file.
    """

    def __init__(self, path: str | os.PathLike, follow: bool = False, poll_s: float = 0.5, verify_frames: bool = False):
        self.path = os.fspath(path)
        if (
            isinstance(poll_s, bool)
            or not isinstance(poll_s, (int, float))
            or not math.isfinite(poll_s)
            or not MIN_POLL_S <= poll_s <= MAX_POLL_S
        ):
            raise ConfigError(
                f"recording collector: poll_s must be a number of seconds in [{MIN_POLL_S:g}, "
                f"{MAX_POLL_S:g}]; got {poll_s!r}"
            )
        self.follow, self.poll_s, self.verify_frames = bool(follow), float(poll_s), bool(verify_frames)
        self.count = 0  # samples read
        self.segments_read = 0
        self.finished = False
        self._dataset: RecordedDataset | None = None
        self._index = 0
        self._next_look = 0.0
        self._frame_shape = None
        if os.path.lexists(os.path.join(self.path, MANIFEST_FILE)):
            if self.follow:
                raise ConfigError(
                    f"{self.path} is a plain recording, which cannot grow; follow=True reads a "
                    "recording stream (charles record --segment-samples N writes one)"
                )
            self._stream = False
            self._open(self.path)
        elif is_recording_stream(self.path) or self.follow:
            self._stream = True
        else:
            raise StorageError(
                f"{self.path} is neither a recording ({MANIFEST_FILE}) nor a recording stream "
                "(stream.json); record one with charles record, or pass follow=True to wait for "
                "a writer that has not started yet"
            )

    def _open(self, path: str) -> None:
        dataset = RecordedDataset(path, verify_frames=self.verify_frames)
        if self._frame_shape is not None and dataset.frame_shape != self._frame_shape:
            raise StorageError(
                f"recording {path} holds frames of {dataset.frame_shape}, the ones before it "
                f"{self._frame_shape}; a stream keeps one frame size"
            )
        self._frame_shape = dataset.frame_shape
        self._dataset, self._index = dataset, 0

    def _next_segment(self) -> bool:
        """Open the next complete segment if there is one; sets ``finished`` when a closed stream is used up."""
        number = self.segments_read + 1
        folder = os.path.join(self.path, segment_name(number))
        if os.path.lexists(os.path.join(folder, MANIFEST_FILE)):
            self._open(folder)
            self.segments_read = number
            return True
        if not os.path.lexists(os.path.join(self.path, "stream.json")):
            return False  # following a stream whose writer has not started yet
        info = read_stream_info(self.path)
        if info["closed"] and self.segments_read >= info["segments"]:
            self.finished = True
            return False
        if number < MAX_SEGMENTS and os.path.lexists(os.path.join(self.path, segment_name(number + 1), MANIFEST_FILE)):
            raise StorageError(
                f"recording stream {self.path}: {segment_name(number)} has no {MANIFEST_FILE} but "
                f"{segment_name(number + 1)} has one: its writer was cut short; delete "
                f"{folder} (its samples are lost) and follow again"
            )
        if info["closed"]:
            raise StorageError(
                f"recording stream {self.path} is closed with {info['segments']} segments, but "
                f"{segment_name(number)} has no {MANIFEST_FILE}; restore it or record again"
            )
        return False

    def read(self, timeout_s: float = 0.0) -> Sample | None:
        """The next sample, or ``None``: the recording is used up (``finished``), or nothing new arrived.

        Args:
            timeout_s: how long a followed stream may wait for a new segment (looking at the
                folder once per ``poll_s``); 0 returns at once.
        """
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            sample = self._read_now()
            if sample is not None or self.finished:
                return sample
            wait = min(self._next_look, deadline) - time.monotonic()
            if time.monotonic() >= deadline:
                return None
            time.sleep(max(wait, 0.0))

    def _read_now(self) -> Sample | None:
        while True:
            if self._dataset is not None and self._index < len(self._dataset):
                sample = self._dataset[self._index]
                self._index += 1
                self.count += 1
                return sample
            self._dataset = None
            if self.finished:
                return None
            if not self._stream:
                self.finished = True
                return None
            now = time.monotonic()
            if self.follow and now < self._next_look:
                return None
            self._next_look = now + self.poll_s
            if not self._next_segment():
                if not self.follow:
                    self.finished = True
                return None

    def close(self) -> None:
        self._dataset = None
