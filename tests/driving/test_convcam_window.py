"""Convcam while driving: the live window, the PNG series, the player's on_frame hook, the CLI flags."""

import json
import sys
import time

import numpy as np
import pytest
from PIL import Image

from charles_core import cli
from charles_core.driving.convcam_window import ConvcamWindow
from charles_core.driving.player import Player
from charles_core.driving.player_config import PlayerConfig
from charles_core.errors import ConfigError
from charles_core.models import create_model
from charles_core.models.convcam import Convcam

pygame = pytest.importorskip("pygame")

SIZE = (72, 96)  # tiny, yet the last conv map is 2x5: a 1x1 map renders black (one value per kernel)


@pytest.fixture(scope="module")
def model():
    return create_model("charles_pilotnet_v1", input_size=SIZE, seed=3, load_sources=False)


@pytest.fixture
def dummy_display(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")  # before the window thread initialises SDL's video
    yield
    if pygame.display.get_init():
        pygame.display.quit()


def drive(model, on_frame, max_steps=20):
    pytest.importorskip("gymnasium")
    from charles_core.driving.drive import drive_simulator

    return drive_simulator(
        model, (4,), rate_hz=0, max_steps=max_steps, runtime="keras", status=lambda s: None, on_frame=on_frame
    )


def random_frame(seed):
    return np.random.default_rng(seed).integers(0, 256, (96, 96, 3), dtype=np.uint8)


def screen_pixels():
    surface = pygame.display.get_surface()
    assert surface is not None, "no window is open"
    return np.transpose(pygame.surfarray.array3d(surface), (1, 0, 2))


def test_the_window_shows_the_render_of_a_frame_the_player_drove_on(model, dummy_display):
    seen = []
    cam = ConvcamWindow(model, window=True, hz=50).start()
    try:
        assert cam.window_open and pygame.display.get_init()

        def on_frame(frame):
            seen.append(frame)
            cam.submit(frame)

        result = drive(model, on_frame)
        assert cam.wait_idle(10.0)
        assert cam.renders >= 1 and cam.frames_submitted == len(seen)
        shown_frame = cam.last_frame
        assert any(frame is shown_frame for frame in seen), "the window showed a frame the player did not use"
        expected = Convcam(model).render(shown_frame)  # an independent renderer
        assert expected.max() > 0 and len(np.unique(expected)) > 2  # a real picture, not a blank one
        pixels = screen_pixels()
        assert pixels.shape == expected.shape
        np.testing.assert_array_equal(pixels, expected)
        assert result["per_seed"][4] is not None
    finally:
        cam.close()
    assert not cam.window_open and not pygame.display.get_init()


def test_the_window_appears_on_a_real_x_display(model, monkeypatch):
    """X11 (Xvfb) with TensorFlow loaded: SDL's GL framebuffer would crash the process there."""
    from charles_core.driving.virtual_display import VirtualDisplay

    mss = pytest.importorskip("mss")
    if not VirtualDisplay.available():
        pytest.skip("needs Xvfb (apt-get install -y xvfb)")
    if pygame.display.get_init():
        pygame.display.quit()
    monkeypatch.setenv("SDL_FRAMEBUFFER_ACCELERATION", "unset below")
    monkeypatch.delenv("SDL_FRAMEBUFFER_ACCELERATION")  # restored to unset after the test
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setenv("SDL_VIDEO_WINDOW_POS", "0,0")
    frame = random_frame(5)
    with VirtualDisplay(320, 240, first_number=131) as display:
        monkeypatch.setenv("DISPLAY", display.name)
        with ConvcamWindow(model, window=True, hz=100) as cam:
            assert pygame.display.get_driver() == "x11"
            cam.submit(frame)
            assert cam.wait_idle(10.0)
            height, width = cam.last_image.shape[:2]
            with mss.mss(display=display.name) as sct:
                deadline = time.monotonic() + 5.0
                while True:
                    shot = np.asarray(sct.grab({"left": 0, "top": 0, "width": width, "height": height}))
                    on_screen = np.ascontiguousarray(shot[..., 2::-1])  # BGRA -> RGB
                    if np.array_equal(on_screen, cam.last_image) or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
            np.testing.assert_array_equal(on_screen, Convcam(model).render(frame))
    assert not pygame.display.get_init()


def test_a_png_series_is_written_while_driving(model, tmp_path):
    folder = tmp_path / "cams"
    with ConvcamWindow(model, window=False, directory=folder, hz=1000) as cam:
        drive(model, cam.submit)
        assert cam.wait_idle(10.0)
    files = sorted(folder.glob("*.png"))
    assert len(files) == cam.renders >= 1
    assert [f.name for f in files] == [f"convcam-{n:06d}.png" for n in range(1, len(files) + 1)]
    assert files == cam.files
    expected = Convcam(model).render(cam.last_frame)
    for path in files:
        assert np.asarray(Image.open(path).convert("RGB")).shape == expected.shape
    np.testing.assert_array_equal(np.asarray(Image.open(files[-1]).convert("RGB")), expected)


def test_a_new_series_continues_the_numbering_of_a_folder(model, tmp_path):
    (tmp_path / "convcam-000007.png").write_bytes(b"an older run")
    with ConvcamWindow(model, window=False, directory=tmp_path) as cam:
        cam.submit(random_frame(0))
        assert cam.wait_idle(10.0)
    assert [p.name for p in cam.files] == ["convcam-000008.png"]
    assert (tmp_path / "convcam-000007.png").read_bytes() == b"an older run"


def test_renders_at_most_hz_per_second_and_takes_the_newest_frame(model, tmp_path):
    frames = [random_frame(seed) for seed in range(30)]
    hz = 4.0
    with ConvcamWindow(model, window=False, directory=tmp_path, hz=hz) as cam:
        started = time.monotonic()
        for frame in frames:
            cam.submit(frame)
            time.sleep(0.02)
        assert cam.wait_idle(10.0)
        elapsed = time.monotonic() - started
    assert cam.frames_submitted == len(frames)
    assert 2 <= cam.renders <= elapsed * hz + 1  # paced: not one render per frame
    assert cam.last_frame is frames[-1]  # older waiting frames were dropped, the newest kept


def test_closing_the_window_stops_the_window_not_the_pngs(model, dummy_display, tmp_path):
    with ConvcamWindow(model, window=True, directory=tmp_path, hz=100) as cam:
        cam.submit(random_frame(1))
        assert cam.wait_idle(10.0) and cam.window_open
        pygame.event.post(pygame.event.Event(pygame.QUIT))  # the user closes the window
        deadline = time.monotonic() + 5.0
        while cam.window_open and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not cam.window_open
        cam.submit(random_frame(2))  # driving goes on: no error
        assert cam.wait_idle(10.0)
    assert cam.renders == 2 and len(cam.files) == 2


def test_closing_a_window_only_camera_lets_submit_go_on(model, dummy_display):
    with ConvcamWindow(model, window=True, hz=100) as cam:
        cam.submit(random_frame(1))
        assert cam.wait_idle(10.0)
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        deadline = time.monotonic() + 5.0
        while cam.window_open and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not cam.window_open
        for seed in range(3):
            cam.submit(random_frame(seed))  # a no-op now, but never an error
        assert cam.wait_idle(1.0)
    assert cam.renders == 1 and cam.frames_submitted == 4


@pytest.mark.parametrize("driver", ["x11", None], ids=["sdl-x11", "sdl-default"])
def test_no_display_is_a_clear_error(model, monkeypatch, driver):
    if pygame.display.get_init():
        pygame.display.quit()
    if driver is None:  # SDL alone would fall back on an invisible off-screen window
        monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    else:
        monkeypatch.setenv("SDL_VIDEODRIVER", driver)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    cam = ConvcamWindow(model, window=True)
    with pytest.raises(ConfigError, match="no display is available") as error:
        cam.start()
    assert "--convcam-dir" in str(error.value)
    assert not cam.window_open and not pygame.display.get_init()


def test_missing_pygame_names_the_install(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygame", None)
    with pytest.raises(ConfigError, match=r"pip install 'charles-core\[sim\]'"):
        ConvcamWindow(model, window=True).start()


def test_bad_settings_are_refused(model):
    with pytest.raises(ConfigError, match="window=True, a directory"):
        ConvcamWindow(model, window=False)
    with pytest.raises(ConfigError, match="hz must be"):
        ConvcamWindow(model, window=False, directory="x", hz=0)
    with pytest.raises(ConfigError, match="before start"):
        ConvcamWindow(model, window=False, directory="x").submit(random_frame(0))


# -- the player's hook ----------------------------------------------------------------------


class NumberedSource:
    def __init__(self):
        self.count = 0

    def read(self):
        self.count += 1
        return np.full((4, 6, 3), self.count % 256, np.uint8)


class RecordingPredictor:
    def __init__(self):
        self.frames = []

    def predict(self, inputs):
        self.frames.append(inputs["frame"][0])
        return {"steering": np.array([0.0], np.float32)}

    def load_weights(self, path):
        pass


class NullController:
    def apply(self, controls):
        return controls


def test_the_player_hands_on_frame_exactly_the_frames_it_predicted_on():
    predictor, handed = RecordingPredictor(), []
    player = Player(
        NumberedSource(),
        predictor,
        NullController(),
        lambda frame, history: {"frame": frame[None]},
        config=PlayerConfig(rate_hz=0),
        on_status=lambda s: None,
        on_frame=handed.append,
    )
    stats = player.run(max_steps=5)
    assert stats.predictions == 5 and len(handed) == 5
    assert all(np.shares_memory(a, b) for a, b in zip(handed, predictor.frames))


def test_the_player_refuses_an_on_frame_it_cannot_call():
    with pytest.raises(ConfigError, match="on_frame must be callable"):
        Player(NumberedSource(), RecordingPredictor(), NullController(), lambda f, h: {}, on_frame="window")


# -- the CLI --------------------------------------------------------------------------------


def test_charles_drive_convcam_dir_writes_pngs(model, tmp_path, capsys):
    pytest.importorskip("gymnasium")
    checkpoint = tmp_path / "charles_pilotnet_v1-batch00000003.keras"
    model.save(checkpoint)
    folder = tmp_path / "cams"
    code = cli.main(
        [
            "drive",
            "charles_pilotnet_v1",
            "--checkpoint",
            str(checkpoint),
            "--seeds",
            "4",
            "--json",
            "--rate-hz",
            "0",
            "--max-steps",
            "20",
            "--runtime",
            "keras",
            "--convcam-dir",
            str(folder),
            "--convcam-hz",
            "100",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "4" in json.loads(captured.out.strip().splitlines()[-1])["per_seed"]
    files = sorted(folder.glob("convcam-*.png"))
    assert files and files[0].name == "convcam-000001.png"
    expected_shape = Convcam(model).render(random_frame(0)).shape
    assert all(np.asarray(Image.open(f).convert("RGB")).shape == expected_shape for f in files)
    assert f"{len(files)} PNGs in {folder}" in captured.err
