"""Pick the checkpoint that drives best on validation tracks: held out of training, never evaluation tracks.

One training run's checkpoints drive very differently (docs/recovery.md: 2, 3
and 11 of 20 unseen laps at batches 1,000, 1,500 and 2,000 of one run), so the
last one is a lottery ticket. Driving each candidate on a few tracks from the
training range that the collector never drove (validation tracks) and keeping
the best is model selection on a validation set; the evaluation tracks stay
untouched until the chosen checkpoint is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from charles_core.errors import ConfigError
from charles_core.sim.track_split import check_training_seeds


def select_checkpoint(
    paths: Sequence,
    seeds: Iterable[int],
    *,
    max_steps: int = 1000,
    action_repeat: int = 2,
    log: Callable[[str], object] = lambda _: None,
) -> tuple[Path, list[dict]]:
    """Drive every checkpoint on the validation ``seeds``; return the best and every score.

    The best has the most finished laps, then the highest mean reward; a tie
    keeps the later checkpoint (more training).

    Args:
        paths: the candidate ``.keras`` checkpoints, oldest first.
        seeds: validation tracks: training-range seeds (an evaluation seed is refused),
            which should not be ones the data was collected on.
        max_steps: physics steps per episode.
        action_repeat: physics steps per prediction.
        log: called with one line per checkpoint.

    Returns:
        ``(best_path, scores)``; each score is ``{"checkpoint", "laps", "reward"}``.

    Raises:
        ConfigError: no candidate, or an evaluation seed among ``seeds``.

    Example:

    ```text
    best, scores = select_checkpoint(sorted(run.glob("checkpoints/*.keras")), training_seeds(10, 100_060))
    ```
    """
    from charles_core.collect.model_policy import ModelPolicy
    from charles_core.driving.drive import frame_input_size, load_line_model
    from charles_core.sim.evaluate import evaluate

    paths = [Path(path) for path in paths]
    if not paths:
        raise ConfigError("select_checkpoint needs at least one checkpoint")
    seeds = check_training_seeds(seeds)
    scores = []
    for path in paths:
        model = load_line_model(path)
        policy = ModelPolicy(model, frame_input_size(model))
        result = evaluate(
            policy,
            seeds,
            max_steps=max_steps,
            action_repeat=action_repeat,
            reset_policy=policy.reset,
        )
        score = {
            "checkpoint": str(path),
            "laps": int(sum(result["lap_finished"].values())),
            "reward": round(float(result["mean"]), 1),
        }
        scores.append(score)
        log(f"validation {path.name}: {score['laps']}/{len(seeds)} laps, mean reward {score['reward']}")
    best = max(range(len(scores)), key=lambda i: (scores[i]["laps"], scores[i]["reward"], i))
    return paths[best], scores
