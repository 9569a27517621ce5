import json
import socket
import threading
import time

import numpy as np
import pytest

from charles_core import plugins
from charles_core.driving.socket_game_link import (
    GameLinkError,
    SocketGameLink,
    load_or_create_token,
    parse_telemetry,
)
from charles_core.errors import ConfigError
from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec

TOKEN = "0123456789abcdef0123"


class FakeGameScript:
    """What a mod inside the game does: hello, telemetry lines, answers to relocate."""

    def __init__(self, address, token=TOKEN, position=(0.0, 0.0)):
        self.sock = socket.create_connection(address, timeout=5)
        self.sock.sendall((json.dumps({"hello": "charles", "token": token}) + "\n").encode())
        self.position, self.relocations, self.running = list(position), 0, True
        self.reader = self.sock.makefile("rb")
        threading.Thread(target=self._answer, daemon=True).start()

    def send(self, **telemetry):
        self.sock.sendall((json.dumps(telemetry) + "\n").encode())

    def _answer(self):
        try:
            for line in self.reader:
                if json.loads(line) == {"command": "relocate"}:
                    self.relocations += 1
                    self.position = [100.0 * self.relocations, 0.0]
                    self.send(event="relocated")
                    self.send(speed=0.0, position=self.position)
        except OSError:
            pass

    def stream(self, seconds, hz=50, **telemetry):
        def run():
            end = time.monotonic() + seconds
            while self.running and time.monotonic() < end:
                try:
                    self.send(position=self.position, **telemetry)
                except OSError:
                    return
                time.sleep(1 / hz)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def close(self):
        self.running = False
        self.sock.close()


@pytest.fixture
def link():
    game_link = SocketGameLink(token=TOKEN, port=0)
    yield game_link
    game_link.close()


def test_binds_to_loopback_and_takes_telemetry_from_an_authenticated_script(link):
    assert link.address[0] == "127.0.0.1"
    script = FakeGameScript(link.address)
    script.send(speed=12.5, position=[1.0, 2.0], purpose=[30.0, -0.5])
    assert link.wait_for_game(5, needs=("speed", "purpose")) == {
        "speed": 12.5, "position": (1.0, 2.0), "purpose": (30.0, -0.5)}
    assert link.telemetry()["speed"] == 12.5
    script.close()


def test_a_wrong_token_is_refused_and_never_heard(link):
    script = FakeGameScript(link.address, token="not-the-token-at-all")
    try:
        script.send(speed=99.0)
    except OSError:
        pass  # the link may already have closed the connection
    with pytest.raises(GameLinkError, match=r"refused connections: 1"):
        link.wait_for_game(0.5)
    script.close()


def test_a_second_script_is_refused_while_one_is_connected(link):
    first = FakeGameScript(link.address)
    first.send(speed=1.0)
    link.wait_for_game(5)
    second = FakeGameScript(link.address)
    deadline = time.monotonic() + 5
    while link.refused == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert link.refused == 1 and link.telemetry()["speed"] == 1.0
    first.close(), second.close()


def test_relocate_asks_the_script_and_waits_for_its_answer(link):
    script = FakeGameScript(link.address)
    script.send(speed=0.0, position=[5.0, 5.0])
    link.wait_for_game(5, needs=("position",))
    link.relocate()
    assert script.relocations == 1 and link.telemetry()["position"] == (100.0, 0.0)
    script.close()


def test_quiet_or_absent_telemetry_is_an_error_not_old_values():
    game_link = SocketGameLink(token=TOKEN, port=0, max_age_s=0.2)
    try:
        with pytest.raises(GameLinkError, match="missing"):
            game_link.telemetry()
        script = FakeGameScript(game_link.address)
        script.send(speed=3.0)
        game_link.wait_for_game(5)
        time.sleep(0.3)
        with pytest.raises(GameLinkError, match="s old"):
            game_link.telemetry()
        with pytest.raises(GameLinkError, match="no game script sent position"):
            game_link.wait_for_game(0.2, needs=("position",))
        script.close()
    finally:
        game_link.close()


@pytest.mark.parametrize("message, problem", [
    ({"speed": float("nan")}, "speed must be a finite number"),
    ({"speed": "fast"}, "speed must be a finite number"),
    ({"position": [1.0]}, "position must be a list of two numbers"),
    ({"hello": "again"}, "needs speed, position or purpose"),
])
def test_bad_telemetry_is_named(message, problem):
    with pytest.raises(ValueError, match=problem):
        parse_telemetry(message)


def test_tokens_are_long_and_created_owner_only(tmp_path):
    with pytest.raises(ConfigError, match="at least 16"):
        SocketGameLink(token="short", port=0)
    path = tmp_path / "token"
    token = load_or_create_token(path)
    assert len(token) == 32 and load_or_create_token(path) == token
    assert (path.stat().st_mode & 0o777) == 0o600
    path.write_text("tiny")
    with pytest.raises(ConfigError, match="shorter than 16"):
        load_or_create_token(path)


class _StillFrames:
    def __init__(self, output_size):
        self.frame = np.full((*output_size, 3), 90, np.uint8)

    def read(self):
        return self.frame

    def close(self):
        pass


class _RecordingController:
    applied: list = []

    def apply(self, controls):
        _RecordingController.applied.append(dict(controls))
        return dict(controls)

    def close(self):
        pass


class _TestPlugin:
    """A still frame source, a recording controller and a socket link that tells its address."""

    link_addresses: list = []

    @hookimpl
    def charles_register_frame_sources(self, register):
        register(ComponentSpec("still-test", lambda output_size, **_: _StillFrames(output_size)))

    @hookimpl
    def charles_register_controllers(self, register):
        register(ComponentSpec("recording-test", lambda **_: _RecordingController()))

    @hookimpl
    def charles_register_game_links(self, register):
        def make(**options):
            made = SocketGameLink(**options)
            _TestPlugin.link_addresses.append(made.address)
            return made

        register(ComponentSpec("socket-test", make))


@pytest.fixture
def game_parts():
    plugins.register_plugin(_TestPlugin(), name="game-link-test-parts")
    yield
    plugins.unregister_plugin("game-link-test-parts")


def test_a_speed_history_line_drives_the_game_through_the_link(game_parts):
    from charles_core.driving.drive import drive_game
    from charles_core.models import create_model

    model = create_model("charles_pilotnet_v2", input_size=(61, 64))
    with pytest.raises(ConfigError, match="--link socket"):
        drive_game(model, source="still-test", controller="recording-test")
    scripts = []

    def start_script_when_listening():
        deadline = time.monotonic() + 20
        while not _TestPlugin.link_addresses and time.monotonic() < deadline:
            time.sleep(0.01)
        script = FakeGameScript(_TestPlugin.link_addresses[-1])
        script.stream(8.0, speed=20.0, purpose=[10.0, 0.0])
        scripts.append(script)

    _TestPlugin.link_addresses.clear()
    _RecordingController.applied.clear()
    threading.Thread(target=start_script_when_listening, daemon=True).start()
    try:
        stats = drive_game(model, source="still-test", controller="recording-test", rate_hz=20, max_seconds=1.5,
                           link="socket-test", link_options={"token": TOKEN, "port": 0}, link_wait_s=10)
    finally:
        for script in scripts:
            script.close()
    assert stats.predictions >= 5 and len(_RecordingController.applied) == stats.predictions
    assert all({"throttle", "steering"} <= set(c) for c in _RecordingController.applied)
