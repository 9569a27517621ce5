"""The ``recording`` collector: a recording replayed, and a recording stream followed as a writer adds to it."""

import os
import threading
import time

import numpy as np
import pytest

from charles_core import plugins
from charles_core.collect.recording_stream import RecordingStream
from charles_core.data.recorded_dataset import RecordedDataset, RecordedDatasetWriter
from charles_core.data.sample import Sample
from charles_core.data.sample import label as label_of
from charles_core.data.segmented_recording_writer import SegmentedRecordingWriter, read_stream_info, segment_name
from charles_core.errors import ConfigError, StorageError

SHAPE = (24, 32)


def _samples(count, start=0, seed=0):
    """Driving whose speed is its index, so a sample's history names the samples before it."""
    rng = np.random.default_rng(seed)
    for i in range(start, start + count):
        yield Sample(
            frame=rng.integers(0, 256, (*SHAPE, 3), dtype=np.uint8),
            throttle=float(rng.uniform(-1, 1)),
            steering=float(rng.uniform(-1, 1)),
            speed=float(i),
            purpose=(10.0, 0.0),
            timestamp=i / 30,
        )


def _line():
    return plugins.lines.get("charles_pilotnet_v2")  # history: the speed of the last 4 steps


def _collector(path, **options):
    return plugins.collectors.get("recording").factory(_line(), SHAPE, seed=0, path=path, bins="coarse", **options)


def _drain(collector, until=lambda got: False, seconds=20.0):
    got = {}
    end = time.monotonic() + seconds
    while not collector.finished and time.monotonic() < end and not until(got):
        for name, samples in collector.collect(32).items():
            got.setdefault(name, []).extend(samples)
    return got


def _check_balanced_and_strictly_past(collector, got):
    assert set(got) == set(collector.buffer_names)
    for name, samples in got.items():
        bins = collector.balancer.bins[name]
        counts = np.bincount(bins.indices([label_of(s, name) for s in samples]), minlength=bins.count)
        assert counts.min() == counts.max() > 0, (name, counts)  # whole balanced sets only
        for sample in samples:
            assert sample.frame.shape == (SHAPE[0] * _line().frames, SHAPE[1], 3)
            past = sample.history["speed"]
            expected = [max(sample.speed - k, -1) for k in range(len(past), 0, -1)]
            # step t's history holds the speeds of steps t-4 .. t-1 (padding 0 before the first)
            assert past.tolist() == [0.0 if e < 0 else e for e in expected], (sample.speed, past)


def test_a_recording_is_replayed_as_balanced_samples_with_strictly_past_history(tmp_path):
    with RecordedDatasetWriter(tmp_path / "rec", SHAPE) as writer:
        for sample in _samples(300):
            writer.append(sample)
    collector = _collector(tmp_path / "rec")
    try:
        got = _drain(collector)
        assert collector.finished and collector.samples == 300
        _check_balanced_and_strictly_past(collector, got)
        assert collector.collect(8) == {}  # used up: nothing more, at once
    finally:
        collector.close()


def test_a_recording_stream_is_followed_while_a_writer_appends(tmp_path):
    path = tmp_path / "stream"
    collector = _collector(path, follow=True, poll_s=0.05, max_seconds_per_call=0.3)  # the writer starts later
    assert collector.collect(8) == {} and not collector.finished

    def write():
        with SegmentedRecordingWriter(path, SHAPE, segment_samples=50) as writer:
            for i, sample in enumerate(_samples(400)):
                writer.append(sample)
                if i % 50 == 49:
                    time.sleep(0.05)  # segments arrive over time

    writer = threading.Thread(target=write)
    writer.start()
    try:
        got = _drain(collector, seconds=30.0)
    finally:
        writer.join()
        collector.close()
    assert collector.finished and collector.samples == 400  # every sample of every segment, once
    assert read_stream_info(path)["segments"] == 8
    _check_balanced_and_strictly_past(collector, got)
    for number in range(1, 9):  # each segment is a recording charles data check and charles train accept
        assert len(RecordedDataset(path / segment_name(number))) == 50


def test_a_follower_waits_for_a_segment_being_written_and_reads_it_once_closed(tmp_path):
    path = tmp_path / "stream"
    writer = SegmentedRecordingWriter(path, SHAPE, segment_samples=20)
    stream = RecordingStream(path, follow=True, poll_s=0.05)
    samples = list(_samples(30))
    for sample in samples[:25]:
        writer.append(sample)
    got = [stream.read(timeout_s=0.5) for _ in range(20)]
    assert [s.speed for s in got] == list(range(20))
    started = time.monotonic()
    assert stream.read(timeout_s=0.2) is None  # segment 2 holds 5 samples but is not closed: not readable yet
    assert 0.15 < time.monotonic() - started < 1.0  # the wait is bounded by the timeout
    for sample in samples[25:]:
        writer.append(sample)
    writer.close()
    rest = []
    while (sample := stream.read(timeout_s=0.5)) is not None:
        rest.append(sample.speed)
    assert rest == list(range(20, 30)) and stream.finished


def test_a_corrupt_segment_is_a_storage_error_naming_the_file(tmp_path):
    path = tmp_path / "stream"
    with SegmentedRecordingWriter(path, SHAPE, segment_samples=10) as writer:
        for sample in _samples(30):
            writer.append(sample)
    frames = path / segment_name(2) / "frames.u8"
    with open(frames, "r+b") as f:
        f.truncate(100)
    collector = _collector(path, follow=True, poll_s=0.05)
    with pytest.raises(StorageError, match=f"frames file .*{segment_name(2)}.* is truncated"):
        _drain(collector)


def test_a_segment_cut_short_before_a_complete_one_is_refused_naming_it(tmp_path):
    path = tmp_path / "stream"
    with SegmentedRecordingWriter(path, SHAPE, segment_samples=10) as writer:
        for sample in _samples(30):
            writer.append(sample)
    os.remove(path / segment_name(2) / "manifest.json")
    collector = _collector(path, follow=True, poll_s=0.05)
    with pytest.raises(StorageError, match=f"{segment_name(2)} has no manifest.json but {segment_name(3)} has one"):
        _drain(collector)


@pytest.mark.parametrize(
    "options, error, problem",
    [
        ({"poll_s": 0.001}, ConfigError, r"poll_s must be a number of seconds in \[0.05, 60\]"),
        ({"poll_s": float("nan")}, ConfigError, "poll_s must be"),
        ({"follow": True}, ConfigError, "is a plain recording, which cannot grow"),
        ({"max_seconds_per_call": 0}, ConfigError, "max_seconds_per_call must be a positive number"),
    ],
)
def test_bad_recording_collector_options_are_named(tmp_path, options, error, problem):
    with RecordedDatasetWriter(tmp_path / "rec", SHAPE) as writer:
        writer.append(next(_samples(1)))
    with pytest.raises(error, match=problem):
        _collector(tmp_path / "rec", **options)


def test_a_missing_recording_or_path_is_named(tmp_path):
    with pytest.raises(StorageError, match="is neither a recording"):
        _collector(tmp_path / "nothing")
    with pytest.raises(ConfigError, match="needs path="):
        plugins.collectors.get("recording").factory(_line(), SHAPE, seed=0)
