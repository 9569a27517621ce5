"""Training and evaluation tracks from disjoint seed ranges, by construction.

A CarRacing track is drawn from its seed. Seeds ``0 .. 99,999`` are evaluation
tracks and seeds ``100,000`` and up are training tracks: the collector, the
quickstart and ``charles train`` take their tracks from :func:`training_seeds`,
``charles eval`` from :func:`evaluation_seeds`, and each side refuses a seed of
the other's range, so no evaluation track is ever driven for data.

Example:

```text
from charles_core.sim.track_split import check_evaluation_seeds, evaluation_seeds, training_seeds
evaluation_seeds(20)            # (0, 1, ..., 19)
training_seeds(60)              # (100000, ..., 100059)
check_evaluation_seeds([100_003])  # ConfigError: a training track
```
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

from charles_core.errors import ConfigError

EVALUATION_SEED_START = 0
TRAINING_SEED_START = 100_000  # evaluation seeds stop here; training seeds start here
EVALUATION_SEED_STOP = TRAINING_SEED_START


def _count(count, what: str) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        raise ConfigError(f"the number of {what} tracks must be a positive integer; got {count!r}")
    return count


def _as_seeds(seeds: Iterable[int]) -> tuple[int, ...]:
    try:
        values = [seed for seed in seeds]
    except TypeError:
        raise ConfigError(f"track seeds must be a sequence of integers; got {seeds!r}") from None
    result = []
    for seed in values:
        if isinstance(seed, bool) or not hasattr(seed, "__index__"):
            raise ConfigError(f"track seeds must be integers; got {seed!r}")
        result.append(int(seed))
    if not result:
        raise ConfigError("give at least one track seed")
    negative = [seed for seed in result if seed < 0]
    if negative:
        raise ConfigError(f"track seeds are non-negative integers; got {negative[:5]}")
    return tuple(result)


def is_training_seed(seed: int) -> bool:
    """True for a seed of the training range (``>= TRAINING_SEED_START``)."""
    return int(seed) >= TRAINING_SEED_START


def evaluation_seeds(count: int, start: int = EVALUATION_SEED_START) -> tuple[int, ...]:
    """``count`` consecutive evaluation seeds from ``start``.

    Args:
        count: how many tracks (positive).
        start: the first seed, in the evaluation range.

    Raises:
        ConfigError: ``count`` is not positive or the seeds leave the evaluation range.
    """
    count = _count(count, "evaluation")
    return check_evaluation_seeds(range(int(start), int(start) + count))


def training_seeds(count: int, start: int = TRAINING_SEED_START) -> tuple[int, ...]:
    """``count`` consecutive training seeds from ``start`` (default: the first training seed).

    Args:
        count: how many tracks (positive).
        start: the first seed, at least ``TRAINING_SEED_START``.

    Raises:
        ConfigError: ``count`` is not positive or ``start`` lies in the evaluation range.
    """
    count = _count(count, "training")
    return check_training_seeds(range(int(start), int(start) + count))


def check_evaluation_seeds(seeds: Iterable[int]) -> tuple[int, ...]:
    """The seeds as a tuple of ints, refusing any training seed, negative or repeated seed.

    Raises:
        ConfigError: names the offending seeds and the evaluation range.
    """
    seeds = _as_seeds(seeds)
    training = [seed for seed in seeds if is_training_seed(seed)]
    if training:
        raise ConfigError(
            f"seeds {training[:5]} are training tracks (seeds {TRAINING_SEED_START:,} and up); evaluate on "
            f"seeds {EVALUATION_SEED_START}-{EVALUATION_SEED_STOP - 1:,}, which no training run drives"
        )
    repeated = sorted(seed for seed, times in collections.Counter(seeds).items() if times > 1)
    if repeated:
        raise ConfigError(f"evaluation seeds {repeated[:5]} are repeated; each track counts once")
    return seeds


def check_training_seeds(seeds: Iterable[int]) -> tuple[int, ...]:
    """The seeds as a tuple of ints, refusing any evaluation (or negative) seed.

    Raises:
        ConfigError: names the offending seeds and the training range.
    """
    seeds = _as_seeds(seeds)
    evaluation = [seed for seed in seeds if not is_training_seed(seed)]
    if evaluation:
        raise ConfigError(
            f"seeds {evaluation[:5]} are evaluation tracks (seeds {EVALUATION_SEED_START}-"
            f"{EVALUATION_SEED_STOP - 1:,}); train on seeds {TRAINING_SEED_START:,} and up "
            f"(charles_core.sim.track_split.training_seeds)"
        )
    return seeds
