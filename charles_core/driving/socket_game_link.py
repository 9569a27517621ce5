"""A link to a script running inside the game: telemetry in, unstuck relocations out.

The screen shows the player frames only. Lines with a history of speed or
purpose, and unstuck (which needs the car's position and a way to move
it), need the game itself: a script there (for GTA V, a ScriptHookV or
ScriptHookVDotNet mod) connects to this link over TCP and speaks JSON lines
(UTF-8, one object per line, never pickle):

1. the script's first line authenticates it:
   ``{"hello": "charles", "token": "<the token>"}``; any other first line, or
   a wrong token, closes the connection;
2. then, every game tick or so, telemetry with any of
   ``{"speed": 12.5, "position": [x, y], "purpose": [distance, direction],
   "controls": {"steering": s, "throttle": t}}`` (protocol version 2 added
   ``controls``: what the game's NPC drives with, ``throttle`` or
   ``acceleration`` and ``braking``, for collecting; see ``parse_controls``);
   a malformed line is logged (rate-limited), counted and ignored: the
   connection stays. Each field goes stale ``max_age_s`` after it was last sent;
3. when the player finds the car stuck, the link sends
   ``{"command": "relocate"}``; the script fades out, moves the car to a
   random place, waits for the world to load, fades in and answers
   ``{"event": "relocated"}``.

The link binds to loopback (``127.0.0.1``) unless told otherwise, and takes
one authenticated script at a time. It is built to survive hostile peers:
one thread serves every connection (a selector), at most ``max_pending``
connections may be waiting to authenticate (more are closed at once), the
hello must complete within ``hello_timeout_s`` of connecting and every later
line within ``line_timeout_s`` of its first byte, and lines are parsed with
bounded length, nesting and number size. Every refusal is counted by reason
(``stats()``).

Example:

```text
link = SocketGameLink(token="s3cret-s3cret-s3cret", port=0)
host, port = link.address       # what the game script connects to
link.wait_for_game(timeout_s=60)
print(link.telemetry())         # {"speed": ..., "position": ..., ...}
number, message, received_at = link.next_telemetry(after=0, timeout_s=1.0)  # one message's own fields
link.close()
```
"""

from __future__ import annotations

import collections
import errno
import hmac
import ipaddress
import json
import logging
import math
import os
import re
import secrets
import selectors
import socket
import stat
import sys
import threading
import time

from charles_core.common.signals import OUTPUT_RANGES
from charles_core.errors import CharlesError, ConfigError

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 2  # 1: speed, position, purpose; 2: and the NPC's controls (docs/driving.md)
MAX_LINE_BYTES = 64 * 1024  # a telemetry line is tens of bytes; more is a broken or hostile peer
MAX_HELLO_BYTES = 1024  # the hello holds a token of at most MAX_TOKEN_CHARS
MAX_DEPTH = 8  # telemetry nests two deep; json.loads recurses per level (60,000 '[' is a RecursionError)
MAX_NUMBER_CHARS = 40  # a float's repr is at most 24 characters; 400 digits is an attack, not a speed
MIN_TOKEN_CHARS, MAX_TOKEN_CHARS = 16, 256
LOG_EVERY_S = 5.0  # a flood of bad lines or peers logs one line per reason this often, with a count

# Refusal reasons (keys of stats()["refused"]).
TOO_MANY = "too many connections"
HELLO_TIMEOUT = "hello timeout"
BAD_HELLO = "bad hello"
WRONG_TOKEN = "wrong token"
SECOND_SCRIPT = "second script"
LINE_TIMEOUT = "line timeout"

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class GameLinkError(CharlesError, RuntimeError):
    """The game script is absent, silent, or did not do what it was asked."""


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number with {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number with {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return float(text)


def _no_constant(text: str):
    raise ValueError(f"{text} is not a number the link takes (finite JSON numbers only)")


def _check_depth(line: bytes) -> None:
    # Brackets inside strings do not nest; an unterminated string leaves its brackets counted (stricter).
    brackets = _STRING.sub(b"", line).translate(None, _NOT_BRACKETS)
    if brackets.count(b"[") + brackets.count(b"{") <= MAX_DEPTH:
        return
    depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")


def parse_line(line: bytes) -> dict:
    """One JSON-lines message as a dict, parsed with bounded nesting and number size.

    Args:
        line: the bytes of one line (its newline optional), at most ``MAX_LINE_BYTES``.

    Raises ``ValueError`` naming what is wrong (never ``RecursionError`` or ``OverflowError``).
    """
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"a line of {len(line)} bytes (at most {MAX_LINE_BYTES})")
    _check_depth(line)
    try:
        message = json.loads(
            line.decode("utf-8"), parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant
        )
    except RecursionError:  # the depth scan should make this unreachable; a refusal all the same
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(message, dict):
        raise ValueError(f"each line must be a JSON object; got {type(message).__name__}")
    return message


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a finite number; got {value!r:.60}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number; got {value!r:.60}")
    return number


def _pair(value, what: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{what} must be a list of two numbers; got {value!r:.60}")
    return _number(value[0], what), _number(value[1], what)


def parse_controls(value) -> dict[str, float]:
    """Check the ``controls`` of a telemetry message (protocol version 2): what the game's NPC drives with.

    Args:
        value: ``{"steering": s, "throttle": t}`` (steering and throttle in [-1, 1], throttle
            positive for gas, negative for brake) or ``{"steering": s, "acceleration": a,
            "braking": b}`` (pedals in [0, 1]).

    Returns the same mapping with float values; ``ValueError`` names what is wrong (not an
    object, an unknown or missing name, both forms at once, a non-finite or out-of-range value).
    """
    if not isinstance(value, dict):
        raise ValueError(f'controls must be an object such as {{"steering": 0.1, "throttle": 0.5}}; got {value!r:.60}')
    unknown = sorted(str(name) for name in value if name not in OUTPUT_RANGES)
    if unknown:
        raise ValueError(f"controls name {unknown[:4]}; known: {', '.join(OUTPUT_RANGES)}")
    pedals = [name for name in ("acceleration", "braking") if name in value]
    if "steering" not in value or ("throttle" in value) == bool(pedals) or len(pedals) == 1:
        raise ValueError(
            f"controls must hold steering and either throttle or both acceleration and braking; got {sorted(value)}"
        )
    controls = {}
    for name, raw in value.items():
        number = _number(raw, f"controls.{name}")
        low, high = OUTPUT_RANGES[name]
        if not low <= number <= high:
            raise ValueError(f"controls.{name} must lie in [{low:g}, {high:g}]; got {number!r}")
        controls[name] = number
    return controls


def parse_telemetry(message: dict) -> dict:
    """Check a telemetry message; returns the known fields (``ValueError`` names a bad one)."""
    telemetry = {}
    if "speed" in message:
        telemetry["speed"] = _number(message["speed"], "speed")
    for name in ("position", "purpose"):
        if name in message:
            telemetry[name] = _pair(message[name], name)
    if "controls" in message:
        telemetry["controls"] = parse_controls(message["controls"])
    if not telemetry:
        raise ValueError(
            f"a telemetry message needs speed, position or purpose (or controls); got keys {sorted(message)[:8]}"
        )
    return telemetry


class _Peer:
    """One connection's state in the selector loop."""

    def __init__(self, sock: socket.socket, address, now: float):
        self.sock, self.address = sock, address
        self.connected_at = now
        self.buffer = bytearray()
        self.line_started_at: float | None = None  # first byte of the line not yet complete
        self.skipping = False  # discarding an over-long line up to its newline
        self.authenticated = False

    @property
    def name(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"


class _RateLimitedLog:
    """Logs the first event of each kind, then one line per ``LOG_EVERY_S`` with how many were not logged."""

    def __init__(self):
        self._last: dict[str, float] = {}
        self._quiet: collections.Counter = collections.Counter()

    def warning(self, kind: str, message: str, *args) -> None:
        now = time.monotonic()
        if now - self._last.get(kind, -math.inf) < LOG_EVERY_S:
            self._quiet[kind] += 1
            return
        self._last[kind] = now
        quiet, self._quiet[kind] = self._quiet[kind], 0
        log.warning(message + (f" (and {quiet} more since the last report)" if quiet else ""), *args)


def _check_positive(**values) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
            raise ConfigError(f"the game link's {name} must be a positive number; got {value!r}")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ConfigError(
            f"game link host {host!r} is not an address this machine has ({error.strerror}); "
            "use 127.0.0.1 (the default)"
        ) from None
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"game link port {port} on {host} is already in use (another charles drive?); "
                "stop that program or choose another port with --link-port"
            ) from None
        raise ConfigError(
            f"cannot listen on {host}:{port} for the game link: {error.strerror or error}; "
            "choose another --link-host or --link-port"
        ) from None


class SocketGameLink:
    """TCP server for one authenticated game script (JSON lines; see the module docstring).

    Args:
        token: the shared secret the script sends first (16 to 256 characters).
        host: the address to bind (``127.0.0.1``: only this machine can connect; any other warns on stderr).
        port: the TCP port (0: any free one; see ``address``).
        max_age_s: ``telemetry()`` raises when the newest message is older than this.
        relocate_timeout_s: how long ``relocate()`` waits for the script's answer.
        hello_timeout_s: a connection must have sent its whole hello line within this of connecting.
        line_timeout_s: once a line's first byte has arrived, the whole line must arrive within this.
        max_pending: connections that may wait to authenticate at once; more are closed on arrival.
    """

    def __init__(
        self,
        token: str,
        host: str = "127.0.0.1",
        port: int = 8765,
        max_age_s: float = 1.0,
        relocate_timeout_s: float = 30.0,
        hello_timeout_s: float = 5.0,
        line_timeout_s: float = 5.0,
        max_pending: int = 8,
    ):
        if not isinstance(token, str) or not MIN_TOKEN_CHARS <= len(token) <= MAX_TOKEN_CHARS:
            raise ConfigError(
                f"the game link needs a token of at least {MIN_TOKEN_CHARS} (and at most "
                f"{MAX_TOKEN_CHARS}) characters (see --link-token-file)"
            )
        _check_positive(
            max_age_s=max_age_s,
            relocate_timeout_s=relocate_timeout_s,
            hello_timeout_s=hello_timeout_s,
            line_timeout_s=line_timeout_s,
        )
        if isinstance(max_pending, bool) or not isinstance(max_pending, int) or max_pending < 1:
            raise ConfigError(f"the game link's max_pending must be a positive whole number; got {max_pending!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigError(f"the game link port must be a whole number from 0 to 65535; got {port!r}")
        if not isinstance(host, str) or not host:
            raise ConfigError(f"the game link host must be an address such as 127.0.0.1; got {host!r}")
        self._token = token.encode("utf-8")
        self.max_age_s, self.relocate_timeout_s = float(max_age_s), float(relocate_timeout_s)
        self.hello_timeout_s, self.line_timeout_s = float(hello_timeout_s), float(line_timeout_s)
        self.max_pending = max_pending
        self._server = _bind(host, port)
        self._server.setblocking(False)
        self.address = self._server.getsockname()[:2]
        if not ipaddress.ip_address(self.address[0].split("%")[0]).is_loopback:
            warning = (
                f"game link: warning: listening on {self.address[0]} exposes the link to the network; "
                "the token is the only protection"
            )
            print(warning, file=sys.stderr)  # printed, not logged: it must reach the user whatever logging does
        self._lock = threading.Lock()
        self._message_arrived = threading.Condition(self._lock)  # next_telemetry() waits on it
        self._telemetry: dict = {}
        self._field_times: dict[str, float] = {}  # each field goes stale on its own
        self._received_at: float | None = None
        self._message_number = 0  # telemetry messages used so far
        self._last_message: tuple[dict, float] = ({}, 0.0)
        self._script: _Peer | None = None
        self._peers: dict[socket.socket, _Peer] = {}
        self._refusals: collections.Counter = collections.Counter()
        self._ignored = 0
        self._log = _RateLimitedLog()
        self._connected = threading.Event()
        self._relocated = threading.Event()
        self._closed = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._server, selectors.EVENT_READ)
        # One thread for every connection: a peer costs a socket and a buffer, never a thread.
        self._thread = threading.Thread(target=self._serve, name="charles-game-link", daemon=True)
        self._thread.start()

    # -- what callers read --------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed.is_set()

    @property
    def refused(self) -> int:
        """Connections turned away or dropped, all reasons together."""
        with self._lock:
            return sum(self._refusals.values())

    def stats(self) -> dict:
        """``{"connected", "pending", "refused": {reason: count}, "ignored_lines"}`` (a snapshot)."""
        with self._lock:
            return {
                "connected": self._script is not None,
                "pending": sum(not peer.authenticated for peer in self._peers.values()),
                "refused": dict(self._refusals),
                "ignored_lines": self._ignored,
            }

    def describe(self) -> str:
        """One line for a status display or log: the script, refusals by reason, ignored lines."""
        stats = self.stats()
        refused = stats["refused"]
        reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(refused.items()))
        return (
            f"game link {self.address[0]}:{self.address[1]}: script "
            f"{'connected' if stats['connected'] else 'not connected'}; refused {sum(refused.values())}"
            f"{f' ({reasons})' if reasons else ''}; ignored lines {stats['ignored_lines']}"
        )

    # -- the server thread ------------------------------------------------

    def _serve(self) -> None:
        try:
            while not self._closed.is_set():
                for key, _ in self._selector.select(timeout=0.05):
                    if key.fileobj is self._server:
                        self._accept()
                    else:
                        peer = self._peers.get(key.fileobj)
                        if peer is not None:
                            self._receive(peer)
                self._enforce_deadlines()
        except Exception:  # noqa: BLE001 -- the link must not die silently; the player then sees stale telemetry
            log.exception("game link: the server thread failed")
        finally:
            for peer in list(self._peers.values()):
                self._drop(peer)
            self._selector.close()
            self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, address = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # e.g. EMFILE: the peers already here are served; try again next round
                self._log.warning("accept", "game link: cannot accept a connection: %s", error)
                return
            pending = sum(not peer.authenticated for peer in self._peers.values())
            if pending >= self.max_pending:
                self._count(
                    TOO_MANY, f"{address[0]}:{address[1]}", f"{pending} connections are already waiting to authenticate"
                )
                sock.close()
                continue
            sock.setblocking(False)
            peer = _Peer(sock, address, time.monotonic())
            with self._lock:  # stats() reads the peers from another thread
                self._peers[sock] = peer
            self._selector.register(sock, selectors.EVENT_READ)

    def _count(self, reason: str, who: str, detail: str) -> None:
        with self._lock:
            self._refusals[reason] += 1
        self._log.warning(f"refused:{reason}", "game link: refused %s (%s): %s", who, reason, detail)

    def _drop(self, peer: _Peer, reason: str | None = None, detail: str = "") -> None:
        if reason is not None:
            self._count(reason, peer.name, detail)
        with self._lock:
            self._peers.pop(peer.sock, None)
        try:
            self._selector.unregister(peer.sock)
        except (KeyError, ValueError):
            pass
        with self._lock:
            if self._script is peer:
                self._script = None
                self._connected.clear()
                log.info("game link: script at %s disconnected", peer.name)
        peer.sock.close()

    def _receive(self, peer: _Peer) -> None:
        try:
            data = peer.sock.recv(MAX_LINE_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._drop(peer, None if peer.authenticated else BAD_HELLO, str(error))
            return
        if not data:
            self._drop(peer, None if peer.authenticated else BAD_HELLO, "closed before a complete hello")
            return
        now = time.monotonic()
        start = 0
        while peer.sock in self._peers:
            end = data.find(b"\n", start)
            if end < 0:
                break
            if peer.skipping:
                peer.skipping = False
            else:
                peer.buffer += data[start:end]
                line, peer.buffer = bytes(peer.buffer), bytearray()
                self._line(peer, line)
            start, peer.line_started_at = end + 1, None
        if peer.sock not in self._peers or start >= len(data):
            return
        if peer.line_started_at is None:
            peer.line_started_at = now
        limit = MAX_LINE_BYTES if peer.authenticated else MAX_HELLO_BYTES
        if not peer.skipping:
            peer.buffer += data[start:]
            if len(peer.buffer) > limit:
                if not peer.authenticated:
                    self._drop(peer, BAD_HELLO, f"a hello longer than {limit} bytes")
                    return
                peer.buffer, peer.skipping = bytearray(), True  # the rest of this line is thrown away
                self._ignore(peer, f"a line longer than {limit} bytes")

    def _line(self, peer: _Peer, line: bytes) -> None:
        if not peer.authenticated:
            self._hello(peer, line)
            return
        try:
            message = parse_line(line)
            if message.get("event") == "relocated":
                self._relocated.set()
                return
            telemetry = parse_telemetry(message)
        except ValueError as error:  # reported, not used: the previous values stay until they go stale
            self._ignore(peer, str(error))
            return
        now = time.monotonic()
        with self._lock:
            self._telemetry.update(telemetry)
            self._field_times.update(dict.fromkeys(telemetry, now))
            self._received_at = now
            self._message_number += 1
            self._last_message = (telemetry, now)
            self._message_arrived.notify_all()
        self._connected.set()

    def _ignore(self, peer: _Peer, why: str) -> None:
        with self._lock:
            self._ignored += 1
        self._log.warning("ignored", "game link: ignored a line from the script at %s: %s", peer.name, why)

    def _hello(self, peer: _Peer, line: bytes) -> None:
        if len(line) > MAX_HELLO_BYTES:
            self._drop(peer, BAD_HELLO, f"a hello longer than {MAX_HELLO_BYTES} bytes")
            return
        try:
            hello = parse_line(line)
        except ValueError as error:
            self._drop(peer, BAD_HELLO, str(error))
            return
        token = hello.get("token")
        if hello.get("hello") != "charles" or not isinstance(token, str):
            self._drop(peer, BAD_HELLO, 'the first line must be {"hello": "charles", "token": "..."}')
            return
        if not hmac.compare_digest(token.encode("utf-8", "replace"), self._token):
            self._drop(peer, WRONG_TOKEN, "the token does not match the link's token file")
            return
        with self._lock:
            if self._script is None:
                self._script, peer.authenticated = peer, True
        if not peer.authenticated:
            self._drop(peer, SECOND_SCRIPT, "a game script is already connected")
            return
        log.info("game link: script connected from %s", peer.name)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for peer in list(self._peers.values()):
            if not peer.authenticated and now - peer.connected_at > self.hello_timeout_s:
                self._drop(peer, HELLO_TIMEOUT, f"no complete hello within {self.hello_timeout_s:g} s")
            elif (
                peer.authenticated
                and peer.line_started_at is not None
                and now - peer.line_started_at > self.line_timeout_s
            ):
                self._drop(peer, LINE_TIMEOUT, f"a line not finished within {self.line_timeout_s:g} s")

    # -- what the player calls ----------------------------------------------

    def wait_for_game(self, timeout_s: float = 60.0, needs=()) -> dict:
        """Wait until a script is connected and has sent telemetry with every field in ``needs``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._connected.wait(timeout=0.05):
                with self._lock:
                    have = dict(self._telemetry)
                if all(name in have for name in needs):
                    return have
        refused = self.stats()["refused"]
        reasons = "".join(f", {reason}: {count}" for reason, count in sorted(refused.items()))
        raise GameLinkError(
            f"no game script sent {', '.join(needs) or 'telemetry'} to {self.address[0]}:{self.address[1]} "
            f"within {timeout_s:g} s (refused connections: {sum(refused.values())}{reasons}); "
            "start the script in the game with this address and token"
        )

    def telemetry(self) -> dict:
        """The newest value of every field the script has sent (raises when it has gone quiet).

        A field the script stopped sending is left out once it is older than ``max_age_s``
        (say ``controls`` while ``speed`` still arrives): no value is used stale.
        """
        now = time.monotonic()
        with self._lock:
            received_at = self._received_at
            telemetry = {
                name: value
                for name, value in self._telemetry.items()
                if now - self._field_times[name] <= self.max_age_s
            }
        age = math.inf if received_at is None else now - received_at
        if age > self.max_age_s:
            raise GameLinkError(
                f"the game script's telemetry is {'missing' if received_at is None else f'{age:.1f} s old'} "
                f"(limit {self.max_age_s:g} s): is the script still running?"
            )
        return telemetry

    def next_telemetry(self, after: int = 0, timeout_s: float = 1.0) -> tuple[int, dict, float]:
        """The newest telemetry message numbered above ``after``, waiting up to ``timeout_s`` for one.

        Unlike :meth:`telemetry` this gives one message's own fields, never values merged from
        earlier messages: what a collector needs to keep a frame and its labels in sync.

        Args:
            after: the number of the last message the caller has seen (0: none).
            timeout_s: the longest wait.

        Returns:
            ``(number, fields, received_at)``: the message's number (they count up from 1),
            its checked fields, and when it arrived (``time.monotonic()``).

        Raises:
            GameLinkError: no newer message within ``timeout_s``, or the link is closed.
        """
        with self._message_arrived:
            arrived = self._message_arrived.wait_for(
                lambda: self._message_number > after or self._closed.is_set(), timeout=timeout_s
            )
            number, (fields, received_at) = self._message_number, self._last_message
        if self._closed.is_set():
            raise GameLinkError("the game link is closed")
        if not arrived:
            raise GameLinkError(
                f"no telemetry from the game script within {timeout_s:g} s "
                f"({'no script connected' if self._script is None else 'the script is quiet'}); "
                "is the script still running?"
            )
        return number, dict(fields), received_at

    def relocate(self) -> None:
        """Ask the script to move the car to a random place; returns when it says it has."""
        with self._lock:
            script = self._script
        if script is None:
            raise GameLinkError("cannot relocate the car: no game script is connected")
        self._relocated.clear()
        try:
            # 24 bytes into an idle socket's send buffer; a full buffer means the script stopped reading
            script.sock.sendall(b'{"command": "relocate"}\n')
        except OSError as error:
            raise GameLinkError(f"cannot ask the game script to relocate the car: {error}") from None
        if not self._relocated.wait(self.relocate_timeout_s):
            raise GameLinkError(f"the game script did not answer 'relocated' within {self.relocate_timeout_s:g} s")
        with self._lock:  # telemetry from before the move says nothing about the new place
            self._received_at = None
        self._connected.clear()
        self.wait_for_game(self.relocate_timeout_s)

    def close(self) -> None:
        """Stop serving and close every connection; logs the refusals and ignored lines, if any."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._message_arrived:  # wake next_telemetry() waiters: they raise "closed"
            self._message_arrived.notify_all()
        self._thread.join(timeout=2.0)
        stats = self.stats()
        if stats["refused"] or stats["ignored_lines"]:
            log.warning("%s", self.describe())


def load_or_create_token(path) -> str:
    """The token in ``path``; a new random one written there (owner-only) if the file does not exist.

    Args:
        path: the token file. An existing one must be a regular file (not a symlink), readable and
            writable by its owner only (``chmod 600``), holding 16 to 256 printable characters.
    """
    path = os.fspath(path)
    if not os.path.lexists(path):
        token = secrets.token_hex(16)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as error:
            raise ConfigError(
                f"cannot create the game link token file {path}: {error.strerror or error}; "
                "choose another --link-token-file"
            ) from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.write(token + "\n")
        return token
    if os.path.islink(path):
        raise ConfigError(
            f"the game link token file {path} is a symlink; give the path of a regular file "
            "(or delete it to get a new token)"
        )
    try:
        # O_NONBLOCK: a FIFO put in the file's place must not block the open before fstat refuses it
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise ConfigError(f"cannot read the game link token file {path}: {error.strerror or error}") from None
    try:  # checked on the opened descriptor: the file cannot be swapped between the check and the read
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(
                f"the game link token file {path} is not a regular file; "
                "give the path of a file (or of none, to get a new token)"
            )
        if os.name == "posix" and info.st_mode & 0o077:
            raise ConfigError(
                f"the game link token file {path} can be read or written by other users "
                f"(mode {stat.S_IMODE(info.st_mode):o}); run: chmod 600 {path}"
            )
        raw = os.read(descriptor, MAX_TOKEN_CHARS + 64)
    finally:
        os.close(descriptor)
    try:
        token = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        token = None
    if token is None or not token.isprintable():
        raise ConfigError(f"the token in {path} is not printable ASCII text; delete the file to get a new one")
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the token in {path} is shorter than {MIN_TOKEN_CHARS} characters; delete the file to get a new one"
        )
    if len(token) > MAX_TOKEN_CHARS:
        raise ConfigError(
            f"the token in {path} is longer than {MAX_TOKEN_CHARS} characters; delete the file to get a new one"
        )
    return token
