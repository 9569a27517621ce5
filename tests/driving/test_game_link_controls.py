"""Protocol version 2 of the game link: the NPC's controls beside speed and purpose."""

import json
import socket
import time

import pytest

from charles_core.driving.socket_game_link import GameLinkError, SocketGameLink, parse_telemetry

TOKEN = "0123456789abcdef0123"


def _script(link):
    sock = socket.create_connection(link.address, timeout=5)
    sock.sendall((json.dumps({"hello": "charles", "token": TOKEN}) + "\n").encode())
    return sock


def _send(sock, **message):
    sock.sendall((json.dumps(message) + "\n").encode())


def _until(condition, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def link():
    game_link = SocketGameLink(token=TOKEN, port=0, max_age_s=0.3)
    yield game_link
    game_link.close()


def test_controls_arrive_with_speed_and_purpose_in_either_form(link):
    sock = _script(link)
    _send(sock, speed=12.5, purpose=[30.0, -0.5], controls={"steering": -0.25, "throttle": 0.5})
    assert link.wait_for_game(5, needs=("speed", "purpose", "controls"))["controls"] == {
        "steering": -0.25,
        "throttle": 0.5,
    }
    _send(sock, controls={"steering": 1, "acceleration": 0.0, "braking": 0.75})
    assert _until(lambda: link.telemetry()["controls"].get("braking") == 0.75)
    assert link.telemetry()["speed"] == 12.5  # the other fields stay while fresh
    sock.close()


@pytest.mark.parametrize(
    "controls, problem",
    [
        ({"steering": 0.1}, "either throttle or both acceleration and braking"),
        ({"throttle": 0.1}, "must hold steering"),
        ({"steering": 0.1, "throttle": 0.2, "braking": 0.1}, "either throttle or both"),
        ({"steering": 0.1, "acceleration": 0.2}, "both acceleration and braking"),
        ({"steering": 1.5, "throttle": 0.0}, r"controls.steering must lie in \[-1, 1\]"),
        ({"steering": 0.0, "acceleration": -0.1, "braking": 0.0}, r"controls.acceleration must lie in \[0, 1\]"),
        ({"steering": True, "throttle": 0.0}, "controls.steering must be a finite number"),
        ({"steering": "left", "throttle": 0.0}, "controls.steering must be a finite number"),
        ({"steering": 0.0, "throttle": 0.0, "gear": 3}, r"controls name \['gear'\]"),
        ([0.1, 0.2], "controls must be an object"),
    ],
)
def test_bad_controls_are_named(controls, problem):
    with pytest.raises(ValueError, match=problem):
        parse_telemetry({"speed": 1.0, "controls": controls})


def test_a_bad_controls_line_is_ignored_counted_and_the_previous_controls_stay(link):
    sock = _script(link)
    _send(sock, speed=1.0, controls={"steering": 0.5, "throttle": 0.5})
    link.wait_for_game(5, needs=("controls",))
    sock.sendall(b'{"speed": 2.0, "controls": {"steering": 0.1, "throttle": 1e400}}\n')
    sock.sendall(b'{"speed": 3.0, "controls": {"steering": 2.0, "throttle": 0.0}}\n{"speed": 4.0}\n')
    assert _until(lambda: link.telemetry()["speed"] == 4.0)
    assert link.telemetry()["controls"] == {"steering": 0.5, "throttle": 0.5}  # the bad lines' were never used
    assert link.stats()["ignored_lines"] == 2 and link.stats()["connected"]
    sock.close()


def test_controls_go_stale_on_their_own_while_speed_still_arrives(link):
    sock = _script(link)
    _send(sock, speed=1.0, controls={"steering": 0.0, "throttle": 0.2})
    link.wait_for_game(5, needs=("controls",))
    end = time.monotonic() + 0.6  # twice max_age_s, speed only
    while time.monotonic() < end:
        _send(sock, speed=2.0)
        time.sleep(0.03)
    telemetry = link.telemetry()
    assert telemetry["speed"] == 2.0 and "controls" not in telemetry
    sock.close()


def test_next_telemetry_gives_one_message_in_order_and_times_out_by_name(link):
    with pytest.raises(GameLinkError, match="no script connected"):
        link.next_telemetry(0, timeout_s=0.1)
    sock = _script(link)
    _send(sock, speed=1.0, purpose=[5.0, 0.1])
    number, fields, received_at = link.next_telemetry(0, timeout_s=3)
    assert number == 1 and fields == {"speed": 1.0, "purpose": (5.0, 0.1)}
    assert received_at <= time.monotonic()
    _send(sock, controls={"steering": 0.3, "throttle": -0.4})
    number, fields, _ = link.next_telemetry(number, timeout_s=3)
    assert number == 2 and fields == {"controls": {"steering": 0.3, "throttle": -0.4}}  # not merged with speed
    with pytest.raises(GameLinkError, match="the script is quiet"):
        link.next_telemetry(number, timeout_s=0.1)
    sock.close()
