"""``charles drive``: a trained line driving through the player loop.

The same :class:`~charles_core.driving.player.Player` drives the game (mss
screen capture, virtual gamepad) and the embedded simulator (its frame source
and controller); on the simulator an evaluation mode scores it over track
seeds.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np

from charles_core import plugins
from charles_core.errors import ConfigError


def load_line_model(checkpoint, line=None, *, backbone: str | None = None):
    """A trained model from a ``.keras`` checkpoint (``safe_mode``), with its line attached.

    The line is the one stored in the checkpoint (``--backbone`` and
    unregistered configs included). Checkpoints written before checkpoints
    carried their config take the registered line of their file name.

    Args:
        checkpoint: the ``.keras`` file.
        line: the line asked for (an id or a config); ConfigError naming both
            when the checkpoint holds another. ``None``: the checkpoint's.
        backbone: the backbone asked for; for older checkpoints, the one they
            were trained on.
    """
    from charles_core.training.checkpoints import load_line_checkpoint

    return load_line_checkpoint(checkpoint, line=line, backbone=backbone)


def frame_input_size(model) -> tuple[int, int] | None:
    """The model's frame size ``(height, width)``; ``None`` for recurrent-only lines (no frame)."""
    frame = next((t for t in model.inputs if t.name in ("frame", "frames")), None)
    if frame is None:
        return None
    return tuple(int(d) for d in frame.shape[-3:-1])


def make_preprocess(line, input_size, purpose=None):
    """``preprocess(frame, history) -> inputs`` (batch of 1) for the player, through the line's codec.

    The current frame follows the past frames the history keeps (stacked
    lines), and history lines read their keeper, exactly as the trainer's
    inputs are made from the collector's samples (:class:`~charles_core.codec.line_codec.LineCodec`).

    Args:
        line: the line.
        input_size: the frame size; ``None`` for recurrent-only lines.
        purpose: ``() -> (distance, direction)``, the current purpose (0007 only).

    Example:

    ```text
    preprocess = make_preprocess(line, (75, 75), purpose=session.purpose)
    inputs = preprocess(frame, history)   # {"frame": (1, 75, 75, 3), "history": (1, 60, 5)}
    ```
    """
    from charles_core.codec.line_codec import LineCodec

    codec = LineCodec(line, input_size if input_size is not None else line.input_size)
    if line.history is not None and line.history.current_purpose and purpose is None:
        raise ConfigError(f"{line.name} takes the current purpose: give make_preprocess a purpose source")

    def preprocess(frame, history):
        stored = codec.live_frame(frame, history) if line.has_frame_input else None
        return codec.live_inputs(stored, history, purpose)

    return preprocess


def make_history(line):
    """The player's history keeper for ``line`` (``None`` when it needs none): the codec's."""
    from charles_core.codec.line_codec import LineCodec

    return LineCodec(line).new_history()


def _needed_telemetry(line) -> list[str]:
    if line.history is None:
        return []
    needed = [s for s in line.history.signals if s in ("speed", "purpose")]
    return needed + (["purpose"] if line.history.current_purpose else [])


class _EpisodeController:
    """The sim controller, stopping the player when the episode ends."""

    def __init__(self, controller, stop_event: threading.Event):
        self.controller, self.stop_event = controller, stop_event

    def apply(self, controls):
        reward, done = self.controller.apply(controls)
        if done:
            self.stop_event.set()
        return {**controls}

    def close(self):
        self.controller.close()


def drive_simulator(
    model,
    seeds,
    *,
    rate_hz: float = 30.0,
    max_steps: int = 1000,
    action_repeat: int = 2,
    unstuck: bool = False,
    watch: str | None = None,
    status=None,
    runtime: str = "auto",
    on_frame=None,
    environment: str = "car_racing",
) -> dict:
    """Drive ``model`` on each track seed through the player loop; returns rewards and rates.

    Args:
        model: a trained model (``charles_line`` attached).
        seeds: track seeds, one episode each.
        rate_hz: the player's prediction rate (0: as fast as possible).
        max_steps: physics steps per episode (CarRacing's budget is 1,000).
        action_repeat: physics steps per prediction (2: 25 Hz, close to Charles's 30).
        unstuck: move the car back onto the track when it stops moving.
        watch: a checkpoint directory to take new weights from at each unstuck.
        status: the player's status callback (default: a console line).
        runtime: ``"auto"``, ``"tflite"`` or ``"keras"`` (see ``LinePredictor``).
        on_frame: the player's ``on_frame`` hook: called with each frame it
            predicted on (e.g. ``ConvcamWindow.submit``).
        environment: the registered environment to drive (``charles environments``).
    """
    from charles_core.driving.checkpoint_watcher import CheckpointWatcher
    from charles_core.driving.player import Player
    from charles_core.driving.player_config import PlayerConfig
    from charles_core.driving.unstuck import UnstuckDetector
    from charles_core.runtimes.line_predictor import LinePredictor
    from charles_core.sim.environments import open_environment
    from charles_core.sim.sim_controller import SimController
    from charles_core.sim.sim_frame_source import SimFrameSource

    line = model.charles_line
    input_size = frame_input_size(model)
    predictor = LinePredictor(model, runtime=runtime)
    rewards, stats = {}, []
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ConfigError("give at least one track seed")
    with open_environment(environment, seed=seeds[0], max_steps=max_steps, action_repeat=action_repeat) as session:
        rng = np.random.default_rng(0)
        for seed in seeds:
            session.reset(seed)
            stop = threading.Event()
            player = Player(
                SimFrameSource(session, wait_for_step=True),
                predictor,
                _EpisodeController(SimController(session), stop),
                make_preprocess(line, input_size, purpose=session.purpose),
                config=PlayerConfig(rate_hz=rate_hz),
                history=make_history(line),
                telemetry=lambda: {"position": session.position, "speed": session.speed, "purpose": session.purpose()},
                unstuck=UnstuckDetector() if unstuck else None,
                on_stuck=(lambda: session.teleport_random(rng)) if unstuck else None,
                checkpoints=CheckpointWatcher(watch, line_id=line.name) if watch else None,
                on_status=status,
                on_frame=on_frame,
            )
            result = player.run(stop_event=stop)
            rewards[seed] = round(session.episode_reward, 2)
            stats.append(result)
    values = np.array(list(rewards.values()))
    return {
        "line": line.name,
        "mean_reward": round(float(values.mean()), 2),
        "per_seed": rewards,
        "pps": round(float(np.mean([s.pps for s in stats])), 1),
        "fps": round(float(np.mean([s.fps for s in stats])), 1),
        "swaps": int(sum(s.swaps for s in stats)),
        "unstucks": int(sum(s.unstucks for s in stats)),
    }


def drive_game(
    model,
    *,
    source: str = "screen",
    controller: str = "gamepad",
    rate_hz: float = 30.0,
    region=None,
    watch: str | None = None,
    max_seconds: float | None = None,
    runtime: str = "auto",
    on_frame=None,
    link: str | None = None,
    link_options: dict | None = None,
    link_wait_s: float = 60.0,
    unstuck: bool = False,
):
    """Drive the game: a screen-capture source and a virtual gamepad (or any registered plugins).

    Args:
        on_frame: the player's hook, called with each frame it predicted on
            (e.g. ``ConvcamWindow.submit``).
        link: a registered game link (``"socket"``) giving telemetry (speed,
            position, purpose) and relocations; lines with a speed or purpose
            history and ``unstuck`` need one.
        link_options: the link factory's options (``token``, ``host``, ``port``).
        link_wait_s: how long to wait for the game script before giving up.
        unstuck: relocate the car through the link when it stops moving.
    """
    from charles_core.driving.checkpoint_watcher import CheckpointWatcher
    from charles_core.driving.player import Player
    from charles_core.driving.player_config import PlayerConfig
    from charles_core.driving.unstuck import UnstuckDetector
    from charles_core.runtimes.line_predictor import LinePredictor

    line = model.charles_line
    needed = sorted(set(_needed_telemetry(line)) | ({"position"} if unstuck else set()))
    if needed and link is None:
        raise ConfigError(
            f"{line.name if not unstuck else 'unstuck'} needs {' and '.join(needed)} every step; the screen "
            "gives frames only: connect a game script with --link socket (docs/driving.md, 'Game link'), "
            "or drive on the simulator (--source sim --controller sim)"
        )
    input_size = frame_input_size(model)
    options = {"output_size": input_size}
    if region is not None:
        options.update(dict(zip(("left", "top", "width", "height"), region)))
    parts = []
    try:
        game = plugins.game_links.get(link).factory(**(link_options or {})) if link is not None else None
        parts.append(game)
        if game is not None:
            host, port = getattr(game, "address", ("?", "?"))
            print(f"game link: waiting for the game script at {host}:{port} ...", file=sys.stderr)
            game.wait_for_game(link_wait_s, needs=needed)
        frames = plugins.frame_sources.get(source).factory(**options)
        parts.append(frames)
        pad = plugins.controllers.get(controller).factory()
        parts.append(pad)
        player = Player(
            frames,
            LinePredictor(model, runtime=runtime),
            pad,
            make_preprocess(line, input_size),
            config=PlayerConfig(rate_hz=rate_hz),
            history=make_history(line),
            checkpoints=CheckpointWatcher(watch, line_id=line.name) if watch else None,
            telemetry=game.telemetry if game is not None else None,
            unstuck=UnstuckDetector() if unstuck else None,
            on_stuck=game.relocate if unstuck else None,
            on_frame=on_frame,
        )
        return player.run(max_seconds=max_seconds)
    finally:
        for part in reversed(parts):
            if part is not None and hasattr(part, "close"):
                part.close()


def checkpoint_line(path) -> str:
    """The line id of a checkpoint: stored inside it, else (older checkpoints) from its file name."""
    from charles_core.training.checkpoints import checkpoint_line_config

    return checkpoint_line_config(Path(path))[0].name
