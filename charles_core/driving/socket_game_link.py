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
   ``{"speed": 12.5, "position": [x, y], "purpose": [distance, direction]}``;
3. when the player finds the car stuck, the link sends
   ``{"command": "relocate"}``; the script fades out, moves the car to a
   random place, waits for the world to load, fades in and answers
   ``{"event": "relocated"}``.

The link binds to loopback (``127.0.0.1``) unless told otherwise, and takes
one authenticated script at a time.

Example:

```python
link = SocketGameLink(token="s3cret", port=0)
host, port = link.address       # what the game script connects to
link.wait_for_game(timeout_s=60)
print(link.telemetry())         # {"speed": ..., "position": ..., ...}
link.close()
```
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import secrets
import socket
import threading
import time

from charles_core.errors import CharlesError, ConfigError

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024  # a telemetry line is tens of bytes; more is a broken or hostile peer


class GameLinkError(CharlesError, RuntimeError):
    """The game script is absent, silent, or did not do what it was asked."""


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number; got {value!r}")
    return float(value)


def _pair(value, what: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{what} must be a list of two numbers; got {value!r}")
    return _number(value[0], what), _number(value[1], what)


def parse_telemetry(message: dict) -> dict:
    """Check a telemetry message; returns the known fields (``ValueError`` names a bad one)."""
    telemetry = {}
    if "speed" in message:
        telemetry["speed"] = _number(message["speed"], "speed")
    for name in ("position", "purpose"):
        if name in message:
            telemetry[name] = _pair(message[name], name)
    if not telemetry:
        raise ValueError(f"a telemetry message needs speed, position or purpose; got keys {sorted(message)}")
    return telemetry


class SocketGameLink:
    """TCP server for one authenticated game script (JSON lines; see the module docstring).

    Args:
        token: the shared secret the script sends first (at least 16 characters).
        host: the address to bind (``127.0.0.1``: only this machine can connect).
        port: the TCP port (0: any free one; see ``address``).
        max_age_s: ``telemetry()`` raises when the newest message is older than this.
        relocate_timeout_s: how long ``relocate()`` waits for the script's answer.
    """

    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 8765, max_age_s: float = 1.0,
                 relocate_timeout_s: float = 30.0):
        if not isinstance(token, str) or len(token) < 16:
            raise ConfigError("the game link needs a token of at least 16 characters (see --link-token-file)")
        if max_age_s <= 0 or relocate_timeout_s <= 0:
            raise ConfigError("max_age_s and relocate_timeout_s must be positive")
        self._token = token.encode("utf-8")
        self.max_age_s, self.relocate_timeout_s = float(max_age_s), float(relocate_timeout_s)
        self._server = socket.create_server((host, int(port)))
        self._server.settimeout(0.2)
        self.address = self._server.getsockname()[:2]
        self._lock = threading.Lock()
        self._telemetry: dict = {}
        self._received_at: float | None = None
        self._connection: socket.socket | None = None
        self._connected = threading.Event()
        self._relocated = threading.Event()
        self._closed = threading.Event()
        self.refused = 0  # connections turned away (wrong token, a second script)
        self._thread = threading.Thread(target=self._serve, name="charles-game-link", daemon=True)
        self._thread.start()

    # -- the server thread ------------------------------------------------

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, peer = self._server.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return  # closed
            threading.Thread(target=self._talk, args=(connection, peer), daemon=True).start()

    def _refuse(self, connection, peer, why: str) -> None:
        self.refused += 1
        log.warning("game link: refused %s:%s: %s", peer[0], peer[1], why)
        connection.close()

    def _talk(self, connection: socket.socket, peer) -> None:
        connection.settimeout(5.0)  # the hello must come promptly
        reader = connection.makefile("rb")
        try:
            hello = self._read_message(reader)
            token = hello.get("token") if hello is not None and hello.get("hello") == "charles" else None
            if not isinstance(token, str) or not hmac.compare_digest(token.encode("utf-8"), self._token):
                self._refuse(connection, peer, "no valid hello with the right token")
                return
            with self._lock:
                if self._connection is not None:
                    self._refuse(connection, peer, "a game script is already connected")
                    return
                self._connection = connection
            connection.settimeout(None)
            log.info("game link: script connected from %s:%s", *peer[:2])
            while not self._closed.is_set():
                message = self._read_message(reader)
                if message is None:
                    break
                self._handle(message)
        except (OSError, ValueError) as error:
            log.warning("game link: dropped the script at %s:%s: %s", peer[0], peer[1], error)
        finally:
            with self._lock:
                if self._connection is connection:
                    self._connection = None
                    self._connected.clear()
            connection.close()

    def _read_message(self, reader) -> dict | None:
        line = reader.readline(MAX_LINE_BYTES + 1)
        if not line:
            return None
        if len(line) > MAX_LINE_BYTES:
            raise ValueError(f"a line longer than {MAX_LINE_BYTES} bytes")
        message = json.loads(line.decode("utf-8"))
        if not isinstance(message, dict):
            raise ValueError(f"each line must be a JSON object; got {type(message).__name__}")
        return message

    def _handle(self, message: dict) -> None:
        if message.get("event") == "relocated":
            self._relocated.set()
            return
        try:
            telemetry = parse_telemetry(message)
        except ValueError as error:  # reported, not used: the previous values stay until they go stale
            log.warning("game link: ignored a telemetry message: %s", error)
            return
        with self._lock:
            self._telemetry.update(telemetry)
            self._received_at = time.monotonic()
        self._connected.set()

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
        raise GameLinkError(
            f"no game script sent {', '.join(needs) or 'telemetry'} to {self.address[0]}:{self.address[1]} "
            f"within {timeout_s:g} s (refused connections: {self.refused}); start the script in the game "
            "with this address and token"
        )

    def telemetry(self) -> dict:
        """The newest value of every field the script has sent (raises when it has gone quiet)."""
        with self._lock:
            received_at, telemetry = self._received_at, dict(self._telemetry)
        age = math.inf if received_at is None else time.monotonic() - received_at
        if age > self.max_age_s:
            raise GameLinkError(
                f"the game script's telemetry is {'missing' if received_at is None else f'{age:.1f} s old'} "
                f"(limit {self.max_age_s:g} s): is the script still running?"
            )
        return telemetry

    def relocate(self) -> None:
        """Ask the script to move the car to a random place; returns when it says it has."""
        with self._lock:
            connection = self._connection
        if connection is None:
            raise GameLinkError("cannot relocate the car: no game script is connected")
        self._relocated.clear()
        connection.sendall(b'{"command": "relocate"}\n')
        if not self._relocated.wait(self.relocate_timeout_s):
            raise GameLinkError(f"the game script did not answer 'relocated' within {self.relocate_timeout_s:g} s")
        with self._lock:  # telemetry from before the move says nothing about the new place
            self._received_at = None
        self._connected.clear()
        self.wait_for_game(self.relocate_timeout_s)

    def close(self) -> None:
        self._closed.set()
        self._server.close()
        with self._lock:
            connection = self._connection
        if connection is not None:
            connection.close()
        self._thread.join(timeout=2.0)


def load_or_create_token(path) -> str:
    """The token in ``path``; a new random one written there (owner-only) if the file does not exist."""
    path = os.fspath(path)
    if not os.path.exists(path):
        token = secrets.token_hex(16)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.write(token + "\n")
        return token
    with open(path, encoding="utf-8") as f:
        token = f.read().strip()
    if len(token) < 16:
        raise ConfigError(f"the token in {path} is shorter than 16 characters; delete the file to get a new one")
    return token
