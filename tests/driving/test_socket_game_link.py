import json
import logging
import os
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
    parse_line,
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
        "speed": 12.5,
        "position": (1.0, 2.0),
        "purpose": (30.0, -0.5),
    }
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


@pytest.mark.parametrize(
    "message, problem",
    [
        ({"speed": float("nan")}, "speed must be a finite number"),
        ({"speed": "fast"}, "speed must be a finite number"),
        ({"position": [1.0]}, "position must be a list of two numbers"),
        ({"hello": "again"}, "needs speed, position or purpose"),
    ],
)
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
        script.stream(60.0, speed=20.0, purpose=[10.0, 0.0])  # until closed: the predictor's start-up may be slow
        scripts.append(script)

    _TestPlugin.link_addresses.clear()
    _RecordingController.applied.clear()
    threading.Thread(target=start_script_when_listening, daemon=True).start()
    try:
        stats = drive_game(
            model,
            source="still-test",
            controller="recording-test",
            rate_hz=20,
            max_seconds=1.5,
            link="socket-test",
            link_options={"token": TOKEN, "port": 0},
            link_wait_s=10,
        )
    finally:
        for script in scripts:
            script.close()
    assert stats.predictions >= 5 and len(_RecordingController.applied) == stats.predictions
    assert all({"throttle", "steering"} <= set(c) for c in _RecordingController.applied)


# -- hostile peers (issue 11, item 6) -------------------------------------------------------------
# Short deadlines through the link's settings keep every test here under a few seconds.

HELLO = (json.dumps({"hello": "charles", "token": TOKEN}) + "\n").encode()


@pytest.fixture
def make_link():
    made = []

    def make(**settings):
        options = {"token": TOKEN, "port": 0, "hello_timeout_s": 0.5, "line_timeout_s": 0.5, **settings}
        made.append(SocketGameLink(**options))
        return made[-1]

    yield make
    for game_link in made:
        game_link.close()


def _until(predicate, timeout_s=3.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _closed_by_link(sock, timeout_s=3.0) -> bool:
    """True once the link has closed ``sock`` (EOF or a reset), False if it is still open after ``timeout_s``."""
    sock.settimeout(0.05)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:  # a reset: the link closed with unread bytes
            return True
    return False


def _authenticated(game_link, speed=1.0):
    sock = socket.create_connection(game_link.address, timeout=2)
    sock.sendall(HELLO + (json.dumps({"speed": speed}) + "\n").encode())
    game_link.wait_for_game(3)
    return sock


# The malformed-input table for game-link messages (docs/errors.md, "game link"): what the
# authenticated script sends -> the line is ignored (counted, logged) or used; the connection stays.
SCRIPT_LINES = [
    ("not JSON", b"not json", "ignored", "Expecting value"),
    ("not an object", b"[1, 2]", "ignored", "must be a JSON object"),
    ("a 400-digit speed", b'{"speed": ' + b"9" * 400 + b"}", "ignored", "number with 400 characters"),
    ("a 400-digit float", b'{"speed": 1' + b"0" * 400 + b".5}", "ignored", "number with 403 characters"),
    ("an exponent past float", b'{"speed": 1e400}', "ignored", "speed must be a finite number"),
    ("NaN", b'{"speed": NaN}', "ignored", "NaN is not a number the link takes"),
    ("-Infinity", b'{"speed": -Infinity}', "ignored", "-Infinity is not a number"),
    ("60,000 [", b"[" * 60000, "ignored", "nested deeper than 8"),
    ("a line over 64 KiB", b'{"speed": 5, "pad": "' + b"x" * 70000 + b'"}', "ignored", "65536"),
    ("invalid UTF-8", b'{"speed": "\xff\xfe"}', "ignored", "utf-8"),
    ("a boolean speed", b'{"speed": true}', "ignored", "speed must be a finite number"),
    ("a position of one number", b'{"position": [1]}', "ignored", "position must be a list of two"),
    ("no known field", b'{"gear": 3}', "ignored", "needs speed, position or purpose"),
    ("brackets inside a string", b'{"speed": 4.0, "note": "' + b"[" * 100 + b'"}', "used", None),
]


@pytest.mark.parametrize(
    "line, outcome, logged", [row[1:] for row in SCRIPT_LINES], ids=[row[0] for row in SCRIPT_LINES]
)
def test_a_malformed_line_from_the_script_is_ignored_and_the_connection_stays(make_link, caplog, line, outcome, logged):
    game_link = make_link()
    sock = _authenticated(game_link)
    with caplog.at_level(logging.WARNING, logger="charles_core.driving.socket_game_link"):
        sock.sendall(line + b"\n" + b'{"speed": 2.0}\n')
        assert _until(lambda: game_link.telemetry()["speed"] == 2.0), "later telemetry never arrived"
    stats = game_link.stats()
    assert stats["connected"] and stats["refused"] == {}
    assert stats["ignored_lines"] == (1 if outcome == "ignored" else 0)
    if logged is not None:
        assert any(logged in record.getMessage() for record in caplog.records), caplog.text
    sock.close()


# What a peer sends first, before it has authenticated -> refused (closed) and counted under a reason.
FIRST_LINES = [
    ("a wrong token", json.dumps({"hello": "charles", "token": "x" * 20}).encode(), "wrong token"),
    ("not JSON", b"GET / HTTP/1.1", "bad hello"),
    ("60,000 [", b"[" * 60000, "bad hello"),
    ("500 [ (short, deep)", b"[" * 500, "bad hello"),
    ("a 400-digit token", b'{"hello": "charles", "token": ' + b"7" * 400 + b"}", "bad hello"),
    ("a token that is no string", b'{"hello": "charles", "token": ["a"]}', "bad hello"),
    ("telemetry before the hello", b'{"speed": 1.0}', "bad hello"),
    ("invalid UTF-8", b'{"hello": "charles", "token": "\xff"}', "bad hello"),
    ("a 2 KiB hello", json.dumps({"hello": "charles", "token": TOKEN, "pad": "x" * 2048}).encode(), "bad hello"),
]


@pytest.mark.parametrize("line, reason", [row[1:] for row in FIRST_LINES], ids=[row[0] for row in FIRST_LINES])
def test_a_bad_first_line_is_refused_and_counted_by_reason(make_link, line, reason):
    game_link = make_link()
    threads = threading.active_count()
    peer = socket.create_connection(game_link.address, timeout=2)
    peer.sendall(line + b"\n")
    assert _closed_by_link(peer)
    assert _until(lambda: game_link.stats()["refused"] == {reason: 1}), game_link.stats()
    assert threading.active_count() <= threads  # a refusal is no crash and starts no thread
    script = FakeGameScript(game_link.address)
    script.send(speed=3.0)
    assert game_link.wait_for_game(3)["speed"] == 3.0
    script.close(), peer.close()


def test_parsing_is_bounded_and_raises_value_error_only():
    with pytest.raises(ValueError, match="nested deeper than 8"):
        parse_line(b"[" * 60000)
    with pytest.raises(ValueError, match="speed must be a finite number"):
        parse_telemetry({"speed": 10**400})  # float(int) would raise OverflowError
    assert parse_line(b'{"speed": 1.5, "position": [1, 2]}') == {"speed": 1.5, "position": [1, 2]}


def test_a_peer_trickling_its_hello_is_dropped_at_the_hello_deadline(make_link):
    game_link = make_link(hello_timeout_s=0.5)
    peer = socket.create_connection(game_link.address, timeout=2)
    started = time.monotonic()
    dropped = False
    for byte in HELLO[:30]:  # a byte every 0.1 s: each arrives well within any per-read timeout
        try:
            peer.sendall(bytes([byte]))
        except OSError:
            dropped = True
            break
        time.sleep(0.1)
    assert dropped or _closed_by_link(peer)
    assert time.monotonic() - started < 2.0
    assert game_link.stats()["refused"] == {"hello timeout": 1}
    peer.close()


def test_an_idle_script_stays_but_one_trickling_a_line_is_dropped_at_the_line_deadline(make_link):
    game_link = make_link(line_timeout_s=0.5)
    sock = _authenticated(game_link)
    time.sleep(0.8)  # quiet between lines is the script's right (telemetry() reports it as stale)
    assert game_link.stats()["connected"]
    for byte in b'{"speed": 12.5, "position": [1.0, 2.0]}'[:15]:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.1)
    assert _closed_by_link(sock)
    assert game_link.stats()["refused"] == {"line timeout": 1} and not game_link.stats()["connected"]
    sock.close()


def test_connections_over_the_cap_are_refused_at_once_and_cost_no_thread(make_link):
    game_link = make_link(max_pending=3, hello_timeout_s=1.0)
    threads = threading.active_count()
    peers = [socket.create_connection(game_link.address, timeout=2) for _ in range(3 + 20)]
    assert _until(lambda: game_link.stats()["refused"].get("too many connections") == 20), game_link.stats()
    assert game_link.stats()["pending"] == 3
    assert threading.active_count() <= threads  # one selector thread serves them all
    with pytest.raises(GameLinkError, match=r"refused connections: 20, too many connections: 20"):
        game_link.wait_for_game(0.1)
    # the three silent ones reach their hello deadline; then a script gets in
    assert _until(lambda: game_link.stats()["refused"].get("hello timeout") == 3), game_link.stats()
    script = FakeGameScript(game_link.address)
    script.send(speed=7.0)
    assert game_link.wait_for_game(3)["speed"] == 7.0
    assert "refused 23 (hello timeout: 3, too many connections: 20)" in game_link.describe()
    script.close()
    for peer in peers:
        peer.close()


def test_listening_beyond_loopback_warns_on_stderr(make_link, capsys):
    make_link()
    assert capsys.readouterr().err == ""
    make_link(host="0.0.0.0")  # binds every interface for a moment; no traffic is sent
    assert (
        "listening on 0.0.0.0 exposes the link to the network; the token is the only protection"
        in capsys.readouterr().err
    )


def test_a_port_in_use_is_a_one_line_config_error(make_link):
    port = make_link().address[1]
    with pytest.raises(ConfigError, match=rf"port {port} on 127.0.0.1 is already in use") as caught:
        SocketGameLink(token=TOKEN, port=port)
    assert "\n" not in str(caught.value) and "--link-port" in str(caught.value)


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"hello_timeout_s": 0}, "hello_timeout_s must be a positive number"),
        ({"line_timeout_s": float("nan")}, "line_timeout_s must be a positive number"),
        ({"max_age_s": -1}, "max_age_s must be a positive number"),
        ({"max_pending": 0}, "max_pending must be a positive whole number"),
        ({"port": 70000}, "port must be a whole number from 0 to 65535"),
        ({"host": "no-such-host.invalid"}, "game link host 'no-such-host.invalid' is not an address"),
        ({"token": "y" * 300}, "at most 256"),
    ],
)
def test_bad_link_settings_are_named(settings, problem):
    with pytest.raises(ConfigError, match=problem):
        SocketGameLink(**{"token": TOKEN, "port": 0, **settings})


def _group_readable(path):
    path.write_text(TOKEN + "\n")
    path.chmod(0o640)


def _others_writable(path):
    path.write_text(TOKEN + "\n")
    path.chmod(0o602)


def _symlink(path):
    target = path.with_name("real-token")
    target.write_text(TOKEN + "\n")
    target.chmod(0o600)
    path.symlink_to(target)


def _owner_only(text):
    def write(path):
        path.write_bytes(text)
        path.chmod(0o600)

    return write


@pytest.mark.parametrize(
    "make, problem",
    [
        (_group_readable, r"can be read or written by other users \(mode 640\); run: chmod 600 .*token"),
        (_others_writable, r"chmod 600"),
        (_symlink, "is a symlink"),
        (lambda path: path.symlink_to(path.with_name("nowhere")), "is a symlink"),
        (lambda path: path.mkdir(), "not a regular file"),
        (lambda path: os.mkfifo(path, 0o600), "not a regular file"),
        (_owner_only(b"tiny\n"), "shorter than 16"),
        (_owner_only(b"z" * 300), "longer than 256"),
        (_owner_only(b"\x00\xff" * 20), "not printable"),
    ],
    ids=[
        "group-readable",
        "others-writable",
        "symlink",
        "dangling-symlink",
        "directory",
        "fifo",
        "too-short",
        "too-long",
        "binary",
    ],
)
def test_an_unsafe_or_bad_token_file_is_refused(tmp_path, make, problem):
    path = tmp_path / "token"
    make(path)
    with pytest.raises(ConfigError, match=problem):
        load_or_create_token(path)


def test_a_token_file_in_a_missing_directory_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot create the game link token file"):
        load_or_create_token(tmp_path / "no" / "token")


def test_a_peer_closing_before_its_hello_is_counted_and_a_second_script_is_named(make_link):
    game_link = make_link()
    socket.create_connection(game_link.address, timeout=2).close()
    assert _until(lambda: game_link.stats()["refused"] == {"bad hello": 1}), game_link.stats()
    first = _authenticated(game_link)
    second = socket.create_connection(game_link.address, timeout=2)
    second.sendall(HELLO)
    assert _closed_by_link(second)
    assert game_link.stats()["refused"] == {"bad hello": 1, "second script": 1} and game_link.stats()["connected"]
    first.close(), second.close()
