"""``charles record``: the simulator's NPC, a person at the keyboard, and the game machine's way in."""

import json
import socket
import threading
import time
import types

import numpy as np
import pytest

from charles_core import plugins
from charles_core.cli.commands import main
from charles_core.data.recorded_dataset import RecordedDataset, RecordedDatasetWriter
from charles_core.driving.socket_game_link import load_or_create_token
from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec

pytest.importorskip("gymnasium")


def _json_line(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_record_sim_writes_a_recording_data_check_accepts_and_train_trains_from(tmp_path, capsys):
    out = tmp_path / "rec"
    assert (
        main(
            [
                "record",
                "--source",
                "sim",
                "--samples",
                "300",  # from a standing start the NPC keeps full gas until its first bend: few throttle sets before
                "--size",
                "72x96",
                "--perturb",
                "0.3",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    summary = _json_line(capsys)
    assert summary["samples"] == 300 and summary["stopped"] == "samples" and summary["rate"] > 0
    assert summary["frame_shape"] == [72, 96, 3]
    assert len(RecordedDataset(out, verify_frames=True)) == 300
    assert main(["data", "check", str(out), "--verify", "--no-progress"]) == 0
    assert (
        main(
            [
                "train",
                "charles_pilotnet_v1",
                "--data",
                str(out),
                "--batches",
                "2",
                "--capacity",
                "3",
                "--batch-per-buffer",
                "1",
                "--bins",
                "coarse",
                "--input-size",
                "72x96",
                "--run-root",
                str(tmp_path / "runs"),
                "--no-progress",
            ]
        )
        == 0
    )
    assert list((tmp_path / "runs").rglob("charles_pilotnet_v1-batch*.keras"))  # trained: a checkpoint


def test_record_prints_a_progress_line_and_a_summary(tmp_path, capsys):
    out = tmp_path / "rec"
    assert main(["record", "--samples", "5", "--size", "48x64", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "recorded 5 samples in" in captured.out and "charles data check" in captured.out
    assert "recording: 5 samples," in captured.err and "samples/s" in captured.err


@pytest.mark.parametrize(
    "argv, problem",
    [
        (["--source", "sim"], "give --samples N or --minutes M"),
        (["--source", "sim", "--samples", "3", "--seeds", "5"], "evaluation tracks"),
        (["--source", "gamepad", "--samples", "3"], "no joystick or gamepad found"),
    ],
)
def test_record_refusals_are_one_line_errors(tmp_path, capsys, argv, problem):
    assert main(["record", *argv, "--out", str(tmp_path / "rec")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("charles: error:") and problem in err[0], err


def test_record_refuses_a_folder_that_holds_a_recording(tmp_path, capsys):
    with RecordedDatasetWriter(tmp_path / "rec", (8, 8)):
        pass
    assert main(["record", "--samples", "3", "--size", "48x64", "--out", str(tmp_path / "rec")]) == 2
    assert "already holds a recording" in capsys.readouterr().err


def test_a_person_at_the_keyboard_drives_the_simulator_and_is_recorded(tmp_path):
    import pygame

    from charles_core.collect.sim_stream import SimStream
    from charles_core.collect.stream_recorder import record_stream
    from charles_core.sim.human_driver import HumanDriver

    driver = HumanDriver("keyboard", hz=200.0, frame_scale=2)
    stream = SimStream(driver, frame_size=(48, 64))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_UP))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_LEFT))
    held = [stream.read() for _ in range(10)]
    assert all(s.throttle == 1.0 for s in held)
    assert held[-1].steering < held[1].steering < 0  # the wheel turns left, towards full lock
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_LEFT))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_UP))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_DOWN))
    released = [stream.read() for _ in range(40)]
    assert released[-1].steering == 0.0 and released[-1].throttle == -1.0  # springs back; brake
    with RecordedDatasetWriter(tmp_path / "rec", (48, 64)) as writer:
        threading.Timer(0.3, lambda: pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))).start()
        summary = record_stream(stream, writer, minutes=1.0)
    stream.close()
    assert summary["stopped"] == "finished" and summary["samples"] > 0  # Escape ends the recording
    assert len(RecordedDataset(tmp_path / "rec")) == summary["samples"]


# -- the way in for a Windows game machine, on loopback ------------------------------------------


class _StillFrames:
    def __init__(self, output_size=(270, 480), **_):
        self.frame = np.full((*output_size, 3), 120, np.uint8)

    def read(self):
        return self.frame

    def close(self):
        pass


@hookimpl
def charles_register_frame_sources(register):
    register(ComponentSpec("still", _StillFrames, "one grey frame (tests)"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fake_game_script(port, token, stop):
    """The game's side: connects to charles record's game link, one line per game frame with the NPC's controls."""
    deadline = time.monotonic() + 30
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
    sock.sendall((json.dumps({"hello": "charles", "token": token}) + "\n").encode())
    rng = np.random.default_rng(0)
    with sock:
        while not stop.is_set():
            controls = {"steering": float(rng.uniform(-1, 1)), "throttle": float(rng.uniform(-1, 1))}
            try:
                sock.sendall((json.dumps({"controls": controls, "speed": 8.0, "purpose": [40.0, 0.1]}) + "\n").encode())
            except OSError:
                return
            time.sleep(1 / 100)


def test_a_game_machine_records_a_stream_that_a_recording_collector_follows_as_it_grows(tmp_path, capsys):
    """The game machine runs `charles record --source game --segment-samples N` into a shared folder; the
    Linux cluster's recording collector follows it. Only JSON, raw frames and .npy cross over: nothing pickled."""
    plugins.register_plugin(
        types.SimpleNamespace(charles_register_frame_sources=charles_register_frame_sources), name="still-frames"
    )
    share, token_file, port = tmp_path / "share" / "stream", tmp_path / "game.token", _free_port()
    token = load_or_create_token(token_file)
    stop = threading.Event()
    game = threading.Thread(target=_fake_game_script, args=(port, token, stop), daemon=True)
    game.start()
    results = {}
    recorder = threading.Thread(
        target=lambda: results.setdefault(
            "rc",
            main(
                [
                    "record",
                    "--source",
                    "game",
                    "--frame-source",
                    "still",
                    "--size",
                    "24x32",
                    "--samples",
                    "200",
                    "--segment-samples",
                    "40",
                    "--link-port",
                    str(port),
                    "--link-token-file",
                    str(token_file),
                    "--link-wait",
                    "20",
                    "--out",
                    str(share),
                    "--json",
                ]
            ),
        )
    )
    recorder.start()
    line = plugins.lines.get("charles_pilotnet_v2")
    collector = plugins.collectors.get("recording").factory(
        line, (24, 32), seed=0, path=share, follow=True, poll_s=0.05, bins="coarse", max_seconds_per_call=0.5
    )
    got = {}
    end = time.monotonic() + 60
    try:
        while not collector.finished and time.monotonic() < end:
            for name, samples in collector.collect(32).items():
                got.setdefault(name, []).extend(samples)
    finally:
        recorder.join(timeout=60)
        stop.set()
        collector.close()
    assert results.get("rc") == 0
    summary = _json_line(capsys)
    assert summary["samples"] == 200 and summary["segments"] == 5
    assert collector.finished and collector.samples == 200  # every recorded sample reached the collector once
    assert set(got) == set(collector.buffer_names) and all(got.values())


def test_driving_yourself_without_a_display_is_refused_up_front(monkeypatch):
    from charles_core.errors import ConfigError
    from charles_core.sim.human_driver import HumanDriver

    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(ConfigError, match="no display is available"):
        HumanDriver("keyboard")
