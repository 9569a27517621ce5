"""A private Xvfb X display, for headless screen capture (tests, benchmarks, CI).

Needs the Debian package ``xvfb`` (``apt-get install -y xvfb``).

Example:

```text
from charles_core.driving.virtual_display import VirtualDisplay
with VirtualDisplay(width=1280, height=720) as display:
    source = ScreenFrameSource(display=display.name)
```
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from charles_core.errors import MissingDependencyError


class VirtualDisplay:
    """Runs ``Xvfb :N`` on the first free display number from ``first_number``.

    Args:
        width, height: screen size in pixels.
        first_number: the display number to try first.

    ``-noreset`` keeps the root window's background after the last client
    (e.g. ``xsetroot``) disconnects; Xvfb would otherwise reset the screen.
    """

    def __init__(self, width: int = 1280, height: int = 720, *, first_number: int = 71):
        self.width, self.height = int(width), int(height)
        self.first_number = int(first_number)
        self.name: str | None = None
        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        """True when the Xvfb binary is installed."""
        return shutil.which("Xvfb") is not None

    def start(self) -> VirtualDisplay:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise MissingDependencyError("a virtual display needs Xvfb: apt-get install -y xvfb")
        for number in range(self.first_number, self.first_number + 50):
            if os.path.exists(f"/tmp/.X{number}-lock") or os.path.exists(f"/tmp/.X11-unix/X{number}"):
                continue
            process = subprocess.Popen(
                [
                    binary,
                    f":{number}",
                    "-screen",
                    "0",
                    f"{self.width}x{self.height}x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(200):  # up to 10 s on a loaded machine
                if os.path.exists(f"/tmp/.X11-unix/X{number}"):
                    self._process, self.name = process, f":{number}"
                    return self
                if process.poll() is not None:
                    break  # display number taken by a racing server: try the next
                time.sleep(0.05)
            process.kill()
            process.wait()
        raise RuntimeError(f"could not start Xvfb on displays :{self.first_number}-:{self.first_number + 49}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> VirtualDisplay:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
