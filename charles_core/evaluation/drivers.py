"""``evaluate_drivers``: several drivers on the same evaluation tracks, measured and compared."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from charles_core.errors import ConfigError
from charles_core.evaluation.bootstrap import Bootstrap
from charles_core.evaluation.driving_score import DrivingScore
from charles_core.evaluation.evaluation_report import EvaluationReport
from charles_core.evaluation.track_metrics import drive_track
from charles_core.sim.car_racing_config import TRACTION_CONTROL
from charles_core.sim.track_split import check_evaluation_seeds


def evaluate_drivers(
    drivers: Mapping[str, Callable],
    seeds: Iterable[int],
    *,
    reference: str | None = "npc",
    max_steps: int = 1000,
    action_repeat: int = 2,
    frame_size: tuple[int, int] = (96, 96),
    score: DrivingScore | None = None,
    bootstrap: Bootstrap | None = None,
    unstuck=None,
    traction_control: float | None = TRACTION_CONTROL,
    progress: bool = True,
) -> EvaluationReport:
    """Drive every driver once on every track and report the metrics with their intervals.

    All drivers drive the same tracks, so the report's paired statistics compare
    them track by track. Seeds must be evaluation seeds (see
    :mod:`charles_core.sim.track_split`): a training track is refused.

    Args:
        drivers: ``{name: policy}``, each ``policy(session) -> controls``; a policy with a
            ``reset()`` method (``ModelPolicy``) has it called before each track.
        seeds: evaluation track seeds, each driven once per driver.
        reference: the driver the others are paired with (``None``: no paired statistics).
        max_steps: physics steps per episode (CarRacing's budget is 1,000).
        action_repeat: physics steps per policy call (2: 25 Hz, as the quickstart trains).
        frame_size: ``(height, width)`` the simulator renders; a ``ModelPolicy`` resizes to its input.
        score: the driving score's penalties (default :class:`DrivingScore`).
        bootstrap: the interval settings (default: 10,000 resamples, 95%, seed 0).
        unstuck: an ``UnstuckConfig`` to move a stopped car back onto the track (counted and
            penalised); ``None``, the default, never moves it.
        traction_control: the simulated car's traction control (``CarRacingConfig.traction_control``,
            the same for every driver; ``None``: CarRacing's own car).
        progress: show a progress bar over the episodes.

    Returns:
        An :class:`EvaluationReport` (``table()``, ``to_json()``).

    Raises:
        ConfigError: no driver, a training or repeated seed, a non-positive ``max_steps``,
            or a ``reference`` that is not among the drivers.

    Example:

    ```text
    report = evaluate_drivers({"charles": ModelPolicy(model, (72, 96)), "npc": ExpertDriver(max_speed=65)},
                              evaluation_seeds(20))
    report.paired("charles")["reward_ratio"]   # Interval(estimate=0.79, low=0.66, high=0.9)
    ```
    """
    from tqdm.auto import tqdm

    from charles_core.sim.car_racing_session import CarRacingSession

    if not drivers:
        raise ConfigError("evaluate_drivers needs at least one driver")
    seeds = check_evaluation_seeds(seeds)
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps <= 0:
        raise ConfigError(
            f"max_steps must be a positive integer (a parked car never ends an episode); got {max_steps!r}"
        )
    if reference is not None and reference not in drivers:
        raise ConfigError(
            f"the reference driver {reference!r} is not among {sorted(drivers)}; "
            f"pass reference=None for no paired statistics"
        )
    score = score or DrivingScore()
    tracks = {name: [] for name in drivers}
    with (
        CarRacingSession(
            seed=seeds[0],
            max_steps=max_steps,
            frame_size=frame_size,
            action_repeat=action_repeat,
            traction_control=traction_control,
        ) as session,
        tqdm(total=len(drivers) * len(seeds), desc="evaluating", unit="track", disable=not progress) as bar,
    ):
        for name, policy in drivers.items():
            for seed in seeds:
                bar.set_postfix_str(f"{name} on track {seed}")
                tracks[name].append(drive_track(policy, session, seed, score=score, unstuck=unstuck))
                bar.update(1)
    settings = {
        "max_steps": max_steps,
        "action_repeat": action_repeat,
        "frame_size": list(frame_size),
        "traction_control": traction_control,
        "unstuck": None
        if unstuck is None
        else {"check_interval_s": unstuck.check_interval_s, "min_distance": unstuck.min_distance},
    }
    return EvaluationReport(
        seeds, tracks, reference=reference, bootstrap=bootstrap or Bootstrap(), score=score, settings=settings
    )
