"""Convcam while driving: a live pygame window and/or a PNG series of the frames the player predicts on.

The player hands each frame it predicted on to ``submit`` (its ``on_frame``
hook). ``submit`` only drops the frame into a one-slot "latest frame" queue,
as ``FrameCaptureThread`` does; a background thread takes the newest frame at
most ``hz`` times a second, renders it with :class:`~charles_core.models.convcam.Convcam`
(a forward pass up to the last conv layer) and shows it and/or writes
``convcam-000001.png``, ``convcam-000002.png``, ... Frames that arrive while a
render runs are dropped except the newest, so the player's loop is never slowed
by more than a lock and a notify.

Example:

```text
from charles_core.driving.convcam_window import ConvcamWindow
with ConvcamWindow(model, window=True, directory="convcam/", hz=5) as cam:
    drive_simulator(model, (0,), on_frame=cam.submit)
```
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

import numpy as np

from charles_core.errors import ConfigError

INSTALL_HINT = "pip install 'charles-core[sim]'"
FILE_PATTERN = re.compile(r"convcam-(\d{6,})\.png")


def _import_pygame():
    try:
        import pygame
    except ImportError as error:
        raise ConfigError(
            f"the Convcam window needs pygame ({error}). Install it with: {INSTALL_HINT} "
            "(or write PNGs instead of a window: --convcam-dir DIR)"
        ) from error
    return pygame


#: SDL drivers that draw nowhere; SDL falls back on "offscreen" when it finds no display
HEADLESS_DRIVERS = ("offscreen", "dummy", "evdev")


def _no_display() -> bool:
    """An X11/Wayland platform without DISPLAY and WAYLAND_DISPLAY."""
    return (
        sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _display_hint() -> str:
    driver = os.environ.get("SDL_VIDEODRIVER")
    if _no_display():
        where = "no display is available (DISPLAY and WAYLAND_DISPLAY are unset)"
    else:
        display = os.environ.get("DISPLAY")
        where = "SDL cannot open a window" + (f" on DISPLAY={display!r}" if display else "")
    driver_note = f", SDL_VIDEODRIVER={driver!r}" if driver else ""
    return (
        f"{where}{driver_note}: run on a desktop session, point DISPLAY at an X server, "
        "or write PNGs instead of a window (--convcam-dir DIR)"
    )


class ConvcamWindow:
    """Shows (and/or saves) the Convcam render of the newest submitted frame, at most ``hz`` times a second.

    Args:
        model: the driving model (``charles_line`` attached), as for ``Convcam``.
        window: open a pygame window (needs pygame and a display).
        directory: also write each render as ``convcam-NNNNNN.png`` here
            (numbering continues after the files already there).
        hz: renders per second at most (> 0; each costs a forward pass).
        tile_scale: pixels per activation (``Convcam(tile_scale=)``).
        title: the window title.
        clock: monotonic seconds, injectable for tests.

    ``start()`` (or ``with``) opens the window and raises ``ConfigError`` when
    pygame is missing or no display can be opened. All pygame calls (open,
    draw, event pump, close) run on the render thread, which pumps the event
    queue every ``1 / 20`` s so the window stays responsive (SDL on macOS wants
    windows on the main thread: there use ``directory``). The window is drawn
    in software (``SDL_FRAMEBUFFER_ACCELERATION=0`` unless set): SDL's OpenGL
    framebuffer would make Mesa call into TensorFlow's LLVM and crash. Closing the window
    stops the window only: ``submit`` keeps working (and PNGs keep coming when
    ``directory`` is set). An error of the render thread (e.g. a full disk) is
    re-raised by the next ``submit`` or by ``close``.

    Example:

    ```text
    cam = ConvcamWindow(model, window=False, directory="convcam/").start()
    player = Player(source, predictor, controller, preprocess, on_frame=cam.submit)
    player.run(max_steps=300)
    cam.close()
    print(cam.files[-1])   # convcam/convcam-000012.png
    ```
    """

    PUMP_PERIOD_S = 0.05

    def __init__(
        self,
        model,
        *,
        window: bool = True,
        directory: str | os.PathLike | None = None,
        hz: float = 5.0,
        tile_scale: int = 4,
        title: str = "Charles Convcam",
        clock: Callable[[], float] = time.monotonic,
    ):
        from charles_core.models.convcam import Convcam

        if not window and directory is None:
            raise ConfigError("ConvcamWindow needs window=True, a directory for PNGs, or both")
        if not isinstance(hz, (int, float)) or not hz > 0 or hz == float("inf"):
            raise ConfigError(f"hz must be a positive number of renders per second; got {hz!r}")
        self.convcam = Convcam(model, tile_scale=tile_scale)
        self.window = bool(window)
        self.directory = Path(directory) if directory is not None else None
        self.period = 1.0 / hz
        self.title = title
        self._clock = clock
        self._condition = threading.Condition()
        self._pending: np.ndarray | None = None
        self._rendering = False
        self._error: BaseException | None = None
        self._error_reported = False
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, name="charles-convcam", daemon=True)
        self._next_number = 1
        self._window_size = (0, 0)
        self.window_open = False
        self.frames_submitted = 0
        self.renders = 0
        self.files: list[Path] = []
        self.last_frame: np.ndarray | None = None  # the frame behind the newest render
        self.last_image: np.ndarray | None = None  # the newest render, RGB uint8

    # -- the caller's side -------------------------------------------------------------

    def start(self) -> ConvcamWindow:
        """Open the window (if asked) and start the render thread; returns self."""
        if self._thread.ident is not None:
            return self
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            numbers = [int(m.group(1)) for p in self.directory.iterdir() if (m := FILE_PATTERN.fullmatch(p.name))]
            self._next_number = max(numbers, default=0) + 1
        pygame = _import_pygame() if self.window else None
        if pygame is not None and pygame.display.get_init() and pygame.display.get_surface() is not None:
            raise ConfigError("another pygame window is open in this process; pygame has one window per process")
        if pygame is not None and not os.environ.get("SDL_VIDEODRIVER") and _no_display():
            # SDL would fall back on its off-screen driver (an invisible window; with TensorFlow
            # loaded its set_mode can even crash the process): refuse before SDL starts
            raise ConfigError(f"cannot open the Convcam window: {_display_hint()}")
        if self.window:
            # SDL's accelerated framebuffer loads OpenGL; Mesa's llvmpipe/radeonsi then bind TensorFlow's
            # bundled LLVM and crash the process: draw the window in software. An explicit setting wins.
            os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
            # the window's size: one render (which also builds the conv model's graph)
            self._window_size = self.convcam.render(np.zeros((*self.convcam.input_size, 3), np.uint8)).shape[1::-1]
        self._thread.start()
        self._opened.wait()
        if self.window and not self.window_open and self._error is not None:  # opening failed
            self._thread.join(2.0)
            error, self._error_reported = self._error, True
            if isinstance(error, pygame.error):
                raise ConfigError(f"cannot open the Convcam window ({error}); {_display_hint()}") from error
            raise error
        return self

    def submit(self, frame: np.ndarray) -> None:
        """Hand over the frame the player predicted on (RGB uint8); returns at once.

        Only the newest frame waits; one that is still waiting is replaced.
        The frame is kept, not copied: do not modify it afterwards.
        """
        if self._thread.ident is None:
            raise ConfigError("ConvcamWindow.submit before start(): call start() or use it in a with block")
        with self._condition:
            if self._error is not None and not self._error_reported:
                self._error_reported = True
                raise self._error
            self.frames_submitted += 1
            if self._thread.is_alive():
                self._pending = frame
                self._condition.notify_all()

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until the newest submitted frame has been rendered; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while (self._pending is not None or self._rendering) and self._thread.is_alive():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the thread and close the window; re-raise a render error nobody has seen yet."""
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        if self._error is not None and not self._error_reported:
            self._error_reported = True
            raise self._error

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:  # do not hide the error that ends the block
            self._error_reported = True
            self.close()

    # -- the render thread -------------------------------------------------------------

    def _run(self) -> None:
        pygame = None
        try:
            if self.window:
                pygame = _import_pygame()
                pygame.display.init()
                driver = pygame.display.get_driver()
                if driver in HEADLESS_DRIVERS and os.environ.get("SDL_VIDEODRIVER") != driver:
                    pygame.display.quit()
                    raise pygame.error(f"SDL found no display and fell back on its {driver!r} video driver")
                pygame.display.set_caption(self.title)
                pygame.display.set_mode(self._window_size).fill((0, 0, 0))
                pygame.display.flip()
                self.window_open = True
            self._opened.set()
            self._loop(pygame)
        except Exception as error:  # noqa: BLE001 (handed to the caller's thread)
            with self._condition:
                self._error = error
                self._condition.notify_all()
        finally:
            if pygame is not None and pygame.display.get_init():
                pygame.display.quit()
            self.window_open = False
            self._opened.set()
            with self._condition:
                self._rendering = False
                self._condition.notify_all()

    def _loop(self, pygame) -> None:
        next_due = -float("inf")
        while not self._stop.is_set():
            if self.window_open:
                self._pump(pygame)
                if not self.window_open and self.directory is None:
                    return  # the window was closed and nothing else to do
            with self._condition:
                if self._stop.is_set():
                    return
                now = self._clock()
                if self._pending is None or now < next_due:
                    timeout = None if self._pending is None else next_due - now
                    if self.window_open:  # wake up to pump the event queue
                        timeout = self.PUMP_PERIOD_S if timeout is None else min(timeout, self.PUMP_PERIOD_S)
                    self._condition.wait(timeout)
                    continue
                frame, self._pending = self._pending, None
                self._rendering = True
            next_due = self._clock() + self.period
            self._render(pygame, frame)
            with self._condition:
                self._rendering = False
                self._condition.notify_all()

    def _render(self, pygame, frame: np.ndarray) -> None:
        image = self.convcam.render(frame)
        if self.window_open:
            height, width = image.shape[:2]
            surface = pygame.display.get_surface()
            if surface is None or surface.get_size() != (width, height):
                surface = pygame.display.set_mode((width, height))
            surface.blit(pygame.image.frombuffer(np.ascontiguousarray(image).tobytes(), (width, height), "RGB"), (0, 0))
            pygame.display.flip()
        if self.directory is not None:
            from PIL import Image

            path = self.directory / f"convcam-{self._next_number:06d}.png"
            Image.fromarray(image).save(path)
            self._next_number += 1
            self.files.append(path)
        self.last_frame, self.last_image = frame, image
        self.renders += 1

    def _pump(self, pygame) -> None:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                pygame.display.quit()  # the window only: driving goes on
                self.window_open = False
                return
