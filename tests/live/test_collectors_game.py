"""The ``game`` collector over a loopback game link: a fake game script and a still-frame source."""

import json
import socket
import threading
import time

import numpy as np
import pytest

from charles_core import plugins
from charles_core.data.sample import label
from charles_core.driving.game_stream import INCOMPLETE, OUT_OF_SYNC, GameStream, throttle_of
from charles_core.driving.socket_game_link import GameLinkError, SocketGameLink

TOKEN = "0123456789abcdef0123"
SHAPE = (24, 32)


class StillFrames:
    """A frame source that returns one frame (optionally slowly), counting reads."""

    def __init__(self, delay_s=0.0):
        self.frame = np.full((*SHAPE, 3), 90, np.uint8)
        self.delay_s, self.reads, self.closed = delay_s, 0, False

    def read(self):
        time.sleep(self.delay_s)
        self.reads += 1
        return self.frame

    def close(self):
        self.closed = True


class FakeGame:
    """A game script: hello, then one telemetry line per game frame with the NPC's controls."""

    def __init__(self, address, hz=120.0, pedals=False, fields=("controls", "speed", "purpose")):
        self.sock = socket.create_connection(address, timeout=5)
        self.sock.sendall((json.dumps({"hello": "charles", "token": TOKEN}) + "\n").encode())
        self.hz, self.pedals, self.fields, self.sent, self.running = hz, pedals, fields, 0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        rng = np.random.default_rng(1)
        while self.running:
            steering, throttle = float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))
            controls = (
                {"steering": steering, "acceleration": max(throttle, 0.0), "braking": max(-throttle, 0.0)}
                if self.pedals
                else {"steering": steering, "throttle": throttle}
            )
            message = {"controls": controls, "speed": float(self.sent % 30), "purpose": [50.0, 0.25]}
            try:
                self.sock.sendall((json.dumps({k: message[k] for k in self.fields}) + "\n").encode())
            except OSError:
                return
            self.sent += 1
            time.sleep(1 / self.hz)

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture
def link():
    game_link = SocketGameLink(token=TOKEN, port=0)
    yield game_link
    game_link.close()


def _line():
    return plugins.lines.get("charles_pilotnet_v2")


@pytest.mark.parametrize("pedals", [False, True], ids=["throttle", "acceleration and braking"])
def test_the_game_collector_turns_the_npcs_driving_into_balanced_samples(link, pedals):
    game = FakeGame(link.address, pedals=pedals)
    frames = StillFrames()
    collector = plugins.collectors.get("game").factory(
        _line(), SHAPE, seed=0, frame_source=frames, game_link=link, wait_s=5, bins="coarse", max_seconds_per_call=1.0
    )
    try:
        got = {}
        end = time.monotonic() + 20
        while time.monotonic() < end and sum(map(len, got.values())) < 40:
            for name, samples in collector.collect(16).items():
                got.setdefault(name, []).extend(samples)
    finally:
        collector.close()
        game.close()
    assert set(got) == set(collector.buffer_names)
    for name, samples in got.items():
        bins = collector.balancer.bins[name]
        counts = np.bincount(bins.indices([label(s, name) for s in samples]), minlength=bins.count)
        assert counts.min() == counts.max() > 0, (name, counts)
        for sample in samples:
            assert sample.frame.shape == (SHAPE[0] * _line().frames, SHAPE[1], 3)
            assert tuple(sample.purpose) == (50.0, 0.25) and sample.history["speed"].shape == (4,)
    stats = collector.stream.stats()
    assert stats["samples"] == collector.samples and stats["samples"] <= frames.reads
    assert frames.closed and link.closed


class _LateLink:
    """A link whose every message arrived 100 ms before the stream gets to it (a slow grab before)."""

    closed = False

    def next_telemetry(self, after, timeout_s):
        time.sleep(0.01)
        fields = {"controls": {"steering": 0.0, "throttle": 0.5}, "speed": 1.0, "purpose": (5.0, 0.0)}
        return after + 1, fields, time.monotonic() - 0.1


def test_a_frame_grabbed_too_long_after_its_telemetry_is_dropped_as_out_of_sync():
    stream = GameStream(StillFrames(), _LateLink(), max_skew_s=0.05, close_link=False)
    assert stream.read(timeout_s=0.3) is None  # every line was 100 ms old when its frame was grabbed
    assert stream.stats()["dropped"][OUT_OF_SYNC] >= 3 and stream.stats()["samples"] == 0
    fresh = GameStream(StillFrames(), _LateLink(), max_skew_s=0.5, close_link=False)
    assert fresh.read(timeout_s=0.3) is not None  # within a wider limit the same pairs are kept


def test_lines_without_every_field_are_counted_and_never_paired(link):
    game = FakeGame(link.address, fields=("controls", "speed"))
    stream = GameStream(StillFrames(), link, close_link=False)
    try:
        with pytest.raises(GameLinkError, match="no game script sent controls, speed, purpose"):
            stream.wait_for_game(0.3)
        assert stream.read(timeout_s=0.3) is None
        assert stream.stats()["dropped"][INCOMPLETE] >= 3
    finally:
        game.close()


def test_a_silent_script_is_an_error_naming_the_wait(link):
    game = FakeGame(link.address)
    stream = GameStream(StillFrames(), link, max_quiet_s=0.3, close_link=False)
    stream.wait_for_game(5)
    game.close()
    with pytest.raises(GameLinkError, match=r"sent no telemetry for .* s \(limit 0.3 s\)"):
        for _ in range(20):
            stream.read(timeout_s=0.1)


def test_no_script_within_the_wait_is_an_error_and_closes_what_the_collector_opened(link):
    frames = StillFrames()
    with pytest.raises(GameLinkError, match="no game script sent controls"):
        plugins.collectors.get("game").factory(_line(), SHAPE, seed=0, frame_source=frames, game_link=link, wait_s=0.2)
    assert frames.closed and link.closed


def test_pedals_join_into_the_samples_throttle():
    assert throttle_of({"steering": 0.0, "acceleration": 0.25, "braking": 0.0}) == 0.25
    assert throttle_of({"steering": 0.0, "acceleration": 0.0, "braking": 0.5}) == -0.5
    assert throttle_of({"steering": 0.0, "throttle": -0.75}) == -0.75
