"""What one driver did on one track, measured while it drove."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from charles_core.evaluation.driving_score import DrivingScore

PHYSICS_HZ = 50  # CarRacing's FPS: one physics step is 1/50 s


@attrs.frozen
class TrackMetrics:
    """One episode's measurements.

    Args:
        seed: the track seed.
        reward: CarRacing's episode reward (+1000/N per tile, -0.1 per step, -100 off the playfield).
        lap_completed: CarRacing ended the episode with the lap finished.
        route_completion: share of the track's tiles visited, in [0, 1].
        off_road_seconds: seconds with no wheel on a road tile.
        unstucks: times the car was moved back onto the track (0 without ``unstuck``).
        steps: physics steps driven (1/50 s each).
        score: the :class:`DrivingScore`, in [0, 100].
    """

    seed: int
    reward: float
    lap_completed: bool
    route_completion: float
    off_road_seconds: float
    unstucks: int
    steps: int
    score: float

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "reward": round(self.reward, 2),
            "lap_completed": self.lap_completed,
            "route_completion": round(self.route_completion, 4),
            "off_road_seconds": round(self.off_road_seconds, 2),
            "unstucks": self.unstucks,
            "steps": self.steps,
            "score": round(self.score, 2),
        }


def drive_track(
    policy: Callable, session, seed: int, *, score: DrivingScore | None = None, unstuck=None, unstuck_seed: int = 0
) -> TrackMetrics:
    """Drive ``policy`` for one episode on track ``seed`` and measure it.

    A policy with a ``reset()`` method (``ModelPolicy``) gets it called after the
    track is loaded, so no history leaks from the previous track.

    Args:
        policy: ``policy(session) -> controls``.
        session: an open :class:`~charles_core.sim.car_racing_session.CarRacingSession`
            (its ``max_steps`` and ``action_repeat`` apply).
        seed: the track seed.
        score: the driving score's penalties (default :class:`DrivingScore`).
        unstuck: an :class:`~charles_core.driving.unstuck_config.UnstuckConfig`: move the
            car to a random track tile when it stops moving, as ``charles drive --unstuck``
            does (timed in simulator seconds); ``None`` never moves it.
        unstuck_seed: seed of the random tiles (mixed with the track seed).
    """
    score = score or DrivingScore()
    session.reset(seed)
    if callable(getattr(policy, "reset", None)):
        policy.reset()
    detector = rng = None
    if unstuck is not None:
        from charles_core.driving.unstuck import UnstuckDetector

        detector = UnstuckDetector(unstuck, clock=lambda: session.steps / PHYSICS_HZ)
        rng = np.random.default_rng([unstuck_seed, seed])
    unstucks = 0
    while not session.done:
        session.apply(policy(session))
        if detector is not None and not session.done and detector.update(session.position):
            session.teleport_random(rng)
            detector.reset()
            unstucks += 1
    off_road_seconds = session.off_road_steps / PHYSICS_HZ
    completion = session.route_completion
    return TrackMetrics(
        seed=int(seed),
        reward=float(session.episode_reward),
        lap_completed=bool(session.lap_finished),
        route_completion=float(completion),
        off_road_seconds=float(off_road_seconds),
        unstucks=unstucks,
        steps=int(session.steps),
        score=score.score(completion, off_road_seconds, unstucks),
    )
