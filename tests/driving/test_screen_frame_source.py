"""ScreenFrameSource against a real (virtual) X display.

CI needs: apt-get install -y xvfb x11-xserver-utils (Xvfb and xsetroot).
The screen is painted with ``xsetroot``: a solid colour, then a tiled XBM
bitmap with two colours whose layout we know exactly.
"""

import shutil
import subprocess

import numpy as np
import pytest

from charles_core.driving.screen_frame_source import ScreenFrameSource, bgra_to_rgb
from charles_core.driving.virtual_display import VirtualDisplay
from charles_core.errors import ConfigError

pytest.importorskip("mss", reason="screen capture tests need mss (pip install 'charles-core[game]')")

FG = (255, 128, 16)  # distinct R, G, B: a channel swap cannot go unnoticed
BG = (32, 64, 192)
TILE = 64  # the bitmap is TILE x TILE: FG where (x < 32) != (y < 32), a checkerboard of 32-px squares


def _xbm(path):
    rows = []
    for y in range(TILE):
        bits = 0
        for x in range(TILE):
            if (x < 32) != (y < 32):
                bits |= 1 << x  # XBM: least significant bit is the leftmost pixel
        rows.extend((bits >> (8 * i)) & 0xFF for i in range(TILE // 8))
    body = ",\n   ".join(", ".join(f"0x{b:02x}" for b in rows[i : i + 12]) for i in range(0, len(rows), 12))
    path.write_text(
        f"#define t_width {TILE}\n#define t_height {TILE}\nstatic unsigned char t_bits[] = {{\n   {body}}};\n"
    )


def _expected_screen(width, height):
    y, x = np.mgrid[0:height, 0:width]
    fg = ((x % TILE) < 32) != ((y % TILE) < 32)
    return np.where(fg[..., None], np.array(FG, np.uint8), np.array(BG, np.uint8)).astype(np.uint8)


@pytest.fixture(scope="module")
def display():
    if not VirtualDisplay.available():
        pytest.skip("Xvfb is not installed (apt-get install -y xvfb)")
    if shutil.which("xsetroot") is None:
        pytest.skip("xsetroot is not installed (apt-get install -y x11-xserver-utils)")
    with VirtualDisplay(1280, 720) as virtual:
        yield virtual.name


def _paint(display, *args):
    subprocess.run(["xsetroot", "-display", display, *args], check=True, timeout=10)


def _hex(rgb):
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@pytest.mark.xvfb
def test_solid_colour_comes_back_as_rgb(display):
    _paint(display, "-solid", _hex(FG))
    with ScreenFrameSource(display=display, output_size=(270, 480)) as source:
        frame = source.read()
    assert frame.shape == (270, 480, 3) and frame.dtype == np.uint8
    assert np.all(frame == np.array(FG, np.uint8))


@pytest.mark.xvfb
def test_region_layout_and_resize(display, tmp_path):
    bitmap = tmp_path / "tile.xbm"
    _xbm(bitmap)
    _paint(display, "-bitmap", str(bitmap), "-fg", _hex(FG), "-bg", _hex(BG))
    screen = _expected_screen(1280, 720)

    # unresized region at an offset: exact pixels
    with ScreenFrameSource(left=32, top=16, width=128, height=96, output_size=(96, 128), display=display) as source:
        frame = source.read()
        assert source.region == {"left": 32, "top": 16, "width": 128, "height": 96}
    np.testing.assert_array_equal(frame, screen[16:112, 32:160])

    # the full 1280x720 frame downscaled 4x: every 32-px square becomes an 8-px square
    with ScreenFrameSource(display=display, output_size=(180, 320)) as source:
        small = source.read()
    assert small.shape == (180, 320, 3)
    # centres of the 8-px squares hold the pure colours (180 rows = 22.5 squares: skip the half one)
    for row in range(2, 176, 8):
        for col in range(2, 320, 8):
            expected = FG if ((col % 16) < 8) != ((row % 16) < 8) else BG
            np.testing.assert_allclose(
                small[row : row + 4, col : col + 4], np.broadcast_to(expected, (4, 4, 3)), atol=2
            )


@pytest.mark.xvfb
def test_region_must_fit_the_monitor(display):
    with pytest.raises(ConfigError, match="leaves monitor"):
        ScreenFrameSource(left=100, width=1280, display=display)
    with pytest.raises(ConfigError, match="monitor 5 does not exist"):
        ScreenFrameSource(monitor=5, display=display)


def test_bgra_to_rgb_matches_a_numpy_reference():
    rng = np.random.default_rng(0)
    bgra = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    np.testing.assert_array_equal(bgra_to_rgb(bytearray(bgra.tobytes()), 7, 11), bgra[:, :, 2::-1])


def test_missing_mss_is_explained(monkeypatch):
    import builtins
    import sys

    from charles_core.errors import MissingDependencyError

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "mss":
            raise ModuleNotFoundError("No module named 'mss'", name="mss")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "mss", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match=r"charles-core\[game\]"):
        ScreenFrameSource()
