"""Built-in plugin: the ``"screen"`` frame source, the ``"gamepad"`` controller, the ``"socket"`` game link.

Listed in ``charles_core.plugins.DEFAULT_PLUGINS`` as
``"charles_core.driving.plugin"``. Both factories import their optional
packages (mss, vgamepad) only when called.
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


def make_screen_source(**options):
    """``ScreenFrameSource(**options)``: left, top, width, height, monitor, output_size, display."""
    from charles_core.driving.screen_frame_source import ScreenFrameSource

    return ScreenFrameSource(**options)


def make_gamepad(**options):
    """``GamepadController``; options ``steering``, ``gas``, ``brake`` (DeadZone) or ``pad``."""
    from charles_core.driving.gamepad_config import GamepadConfig
    from charles_core.driving.gamepad_controller import GamepadController

    pad = options.pop("pad", None)
    return GamepadController(GamepadConfig(**options), pad=pad)


def make_socket_link(**options):
    """``SocketGameLink(**options)``: token, host (127.0.0.1), port, max_age_s, relocate_timeout_s."""
    from charles_core.driving.socket_game_link import SocketGameLink

    return SocketGameLink(**options)


@hookimpl
def charles_register_game_links(register):
    register(
        ComponentSpec(
            "socket", make_socket_link, "JSON lines over loopback TCP from a game script, token-authenticated"
        )
    )


@hookimpl
def charles_register_frame_sources(register):
    register(ComponentSpec("screen", make_screen_source, "screen region capture with mss (the game window)"))


@hookimpl
def charles_register_controllers(register):
    register(ComponentSpec("gamepad", make_gamepad, "virtual Xbox 360 pad with vgamepad, GTA V dead zones"))
