"""A person driving the simulator: a pygame window, arrow keys or a joystick (``charles record --source keyboard``).

The window shows what the car sees (scaled up) and the controls being recorded; each
:meth:`HumanDriver.act` handles the window's events, paces the drive to real time
(``hz`` steps a second, so a person can react) and returns the controls.

Keyboard: left/right steer (the wheel moves towards full lock at ``steer_rate`` per second and
springs back when released, like a gamepad stick), up is gas, down is brake (throttle -1),
Escape or closing the window stops. The keys are tracked from key-down and key-up events, so
a test drives it by posting events (``SDL_VIDEODRIVER=dummy``). Gamepad: the first joystick
pygame finds; ``steering_axis`` steers, ``throttle_axis`` (pushed forward: gas, back: brake)
or, when ``gas_axis``/``brake_axis`` are set, two triggers (-1 released, +1 pressed, SDL's
convention) give the throttle; button ``stop_button`` stops.

Example:

```text
driver = HumanDriver("keyboard", frame_scale=4)
controls = driver.act(session)   # {"steering": ..., "throttle": ...}
```
"""

from __future__ import annotations

import math
import os
import sys
import time

from charles_core.errors import ConfigError, MissingDependencyError

INPUTS = ("keyboard", "gamepad")


def _check_display() -> None:
    """Refuse up front where SDL would fall back on an invisible off-screen window (nobody could drive)."""
    if (
        sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
        and not os.environ.get("SDL_VIDEODRIVER")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        raise ConfigError(
            "driving the simulator yourself needs a window, and no display is available (DISPLAY and "
            "WAYLAND_DISPLAY are unset): run on a desktop session or point DISPLAY at an X server"
        )


def _import_pygame():
    # drawn in software: SDL's OpenGL framebuffer makes Mesa call into TensorFlow's bundled LLVM (a segfault)
    os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
    try:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame
    except ImportError:
        raise MissingDependencyError(
            "driving the simulator yourself needs pygame: pip install 'charles-core[sim]'"
        ) from None
    return pygame


class HumanDriver:
    """Controls from a person at the keyboard or a gamepad, shown in a pygame window.

    Args:
        input: ``"keyboard"`` or ``"gamepad"``.
        hz: steps per second of real time (25: the simulator's sample rate at action_repeat 2).
        frame_scale: window pixels per frame pixel.
        steer_rate: keyboard steering change per second (full lock from centre in ``1/steer_rate`` s).
        steering_axis, throttle_axis: gamepad axes (SDL numbering; the left stick is 0, 1).
        gas_axis, brake_axis: trigger axes, used instead of ``throttle_axis`` when both are set.
        stop_button: the gamepad button that stops the recording.
        dead_zone: stick and trigger deflections below this read as zero.
        window: open a window (needs a display, or ``SDL_VIDEODRIVER=dummy``).

    Raises:
        ConfigError: bad settings, or no joystick connected for ``"gamepad"``.
        MissingDependencyError: pygame is not installed.
    """

    def __init__(
        self,
        input: str = "keyboard",
        *,
        hz: float = 25.0,
        frame_scale: int = 4,
        steer_rate: float = 4.0,
        steering_axis: int = 0,
        throttle_axis: int = 1,
        gas_axis: int | None = None,
        brake_axis: int | None = None,
        stop_button: int = 7,
        dead_zone: float = 0.08,
        window: bool = True,
    ):
        if input not in INPUTS:
            raise ConfigError(f"a human driver uses one of {INPUTS}; got {input!r}")
        for name, value in (("hz", hz), ("steer_rate", steer_rate)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"human driver: {name} must be a positive number; got {value!r}")
        if not 0 <= dead_zone < 1:
            raise ConfigError(f"human driver: dead_zone must lie in [0, 1); got {dead_zone!r}")
        if isinstance(frame_scale, bool) or not isinstance(frame_scale, int) or not 1 <= frame_scale <= 16:
            raise ConfigError(f"human driver: frame_scale must be a whole number from 1 to 16; got {frame_scale!r}")
        if window:
            _check_display()
        self.pygame = pygame = _import_pygame()
        self.input, self.hz, self.frame_scale, self.steer_rate = input, float(hz), frame_scale, float(steer_rate)
        self.axes = {"steering": steering_axis, "throttle": throttle_axis, "gas": gas_axis, "brake": brake_axis}
        self.stop_button, self.dead_zone, self.window = stop_button, float(dead_zone), window
        self.stopped = False
        self.steering = 0.0
        self.pressed: set[int] = set()  # keys held down, from events (testable without a real keyboard)
        try:
            pygame.display.init()
        except pygame.error as error:
            raise ConfigError(f"cannot open a window to drive in: {error}") from None
        self.joystick = None
        if input == "gamepad":
            pygame.joystick.init()
            if pygame.joystick.get_count() == 0:
                pygame.display.quit()
                raise ConfigError(
                    "--source gamepad: no joystick or gamepad found; connect one (or use --source keyboard)"
                )
            self.joystick = pygame.joystick.Joystick(0)
            self.joystick.init()
        self._screen = None
        self._last_step = None

    def _show(self, frame) -> None:
        pygame = self.pygame
        height, width = frame.shape[:2]
        size = (width * self.frame_scale, height * self.frame_scale)
        if self._screen is None or self._screen.get_size() != size:
            self._screen = pygame.display.set_mode(size)
        surface = pygame.surfarray.make_surface(frame.swapaxes(0, 1))
        self._screen.blit(pygame.transform.scale(surface, size), (0, 0))
        pygame.display.flip()

    def _events(self) -> None:
        pygame = self.pygame
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.stopped = True
            elif event.type == pygame.KEYDOWN:
                if event.key == pygame.K_ESCAPE:
                    self.stopped = True
                self.pressed.add(event.key)
            elif event.type == pygame.KEYUP:
                self.pressed.discard(event.key)
            elif event.type == pygame.JOYBUTTONDOWN and event.button == self.stop_button:
                self.stopped = True

    def _axis(self, name: str) -> float:
        value = float(self.joystick.get_axis(self.axes[name]))
        return 0.0 if abs(value) < self.dead_zone else max(-1.0, min(1.0, value))

    def _keyboard(self, dt: float) -> dict[str, float]:
        pygame = self.pygame
        target = (pygame.K_RIGHT in self.pressed) - (pygame.K_LEFT in self.pressed)
        step = self.steer_rate * dt
        self.steering += max(-step, min(step, target - self.steering))  # towards the target, springs back to 0
        throttle = (pygame.K_UP in self.pressed) - (pygame.K_DOWN in self.pressed)
        return {"steering": round(self.steering, 6), "throttle": float(throttle)}

    def _gamepad(self) -> dict[str, float]:
        steering = self._axis("steering")
        if self.axes["gas"] is not None and self.axes["brake"] is not None:
            gas = (self._axis("gas") + 1.0) / 2.0  # a trigger rests at -1
            brake = (self._axis("brake") + 1.0) / 2.0
            throttle = gas - brake
        else:
            throttle = -self._axis("throttle")  # SDL: pushed forward is negative
        return {"steering": steering, "throttle": max(-1.0, min(1.0, throttle))}

    def act(self, session) -> dict[str, float]:
        """Show the session's frame, wait for the next step of real time, read the person's controls."""
        now = time.monotonic()
        if self._last_step is not None:  # paced to real time: a person drives at the game's speed
            time.sleep(max(0.0, self._last_step + 1.0 / self.hz - now))
        dt = 1.0 / self.hz if self._last_step is None else max(time.monotonic() - self._last_step, 1e-3)
        self._last_step = time.monotonic()
        if self.window:
            self._show(session.read())
        self._events()
        return self._keyboard(min(dt, 0.25)) if self.joystick is None else self._gamepad()

    def reset(self) -> None:
        self.steering = 0.0

    def close(self) -> None:
        self.pygame.display.quit()
