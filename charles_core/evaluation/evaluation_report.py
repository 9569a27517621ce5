"""Per-track rows, means with bootstrap intervals and paired comparisons of several drivers."""

from __future__ import annotations

import json
from collections.abc import Mapping

import attrs

from charles_core.errors import ConfigError
from charles_core.evaluation.bootstrap import Bootstrap
from charles_core.evaluation.driving_score import DrivingScore
from charles_core.evaluation.interval import Interval
from charles_core.evaluation.track_metrics import TrackMetrics

# Metrics whose mean over tracks gets a bootstrap interval (lap completion gets a Wilson one).
MEAN_METRICS = ("reward", "score", "route_completion", "off_road_seconds", "unstucks")


def _tracks(value) -> dict[str, tuple[TrackMetrics, ...]]:
    return {str(name): tuple(rows) for name, rows in dict(value).items()}


@attrs.frozen
class EvaluationReport:
    """Every driver's measurements on the same tracks, and their statistics.

    Args:
        seeds: the track seeds, in the order driven.
        tracks: ``{driver: (TrackMetrics per seed, in seeds' order)}``.
        reference: the driver the others are compared with track by track (the
            NPC); ``None`` for no paired statistics.
        bootstrap: the interval settings.
        score: the driving score's penalties used.
        settings: how the episodes ran (``max_steps``, ``action_repeat``, ...), for the record.

    Raises:
        ConfigError: a driver lacks a track, or the reference is not a driver.
    """

    seeds: tuple[int, ...] = attrs.field(converter=lambda seeds: tuple(int(s) for s in seeds))
    tracks: dict[str, tuple[TrackMetrics, ...]] = attrs.field(converter=_tracks)
    reference: str | None = None
    bootstrap: Bootstrap = attrs.field(factory=Bootstrap)
    score: DrivingScore = attrs.field(factory=DrivingScore)
    settings: Mapping = attrs.field(factory=dict)

    def __attrs_post_init__(self):
        for name, rows in self.tracks.items():
            if tuple(row.seed for row in rows) != self.seeds:
                raise ConfigError(f"driver {name!r} was not measured on exactly the seeds {list(self.seeds)}")
        if self.reference is not None and self.reference not in self.tracks:
            raise ConfigError(
                f"the reference driver {self.reference!r} is not among {sorted(self.tracks)}; "
                f"pass reference=None for no paired statistics"
            )

    @property
    def drivers(self) -> tuple[str, ...]:
        return tuple(self.tracks)

    def values(self, driver: str, metric: str) -> list[float]:
        """One value of ``metric`` per track for ``driver``."""
        if driver not in self.tracks:
            raise ConfigError(f"no driver {driver!r} in this report; drivers: {list(self.tracks)}")
        return [float(getattr(row, metric)) for row in self.tracks[driver]]

    def summary(self, driver: str) -> dict[str, Interval]:
        """Means over tracks with their intervals, and the lap completion rate (Wilson interval)."""
        result = {metric: self.bootstrap.mean(self.values(driver, metric)) for metric in MEAN_METRICS}
        laps = sum(row.lap_completed for row in self.tracks[driver])
        result["lap_completion"] = Interval.wilson(laps, len(self.seeds), self.bootstrap.confidence)
        return result

    def paired(self, driver: str) -> dict[str, Interval | None]:
        """``driver`` against the reference on the same tracks: differences and the reward ratio.

        Returns:
            ``reward_difference`` and ``score_difference`` (mean of per-track differences),
            ``reward_ratio`` (mean reward / the reference's, tracks resampled jointly; ``None``
            when the reference's mean reward is not positive).
        """
        if self.reference is None:
            raise ConfigError("this report has no reference driver to pair with")
        own, other = self.values(driver, "reward"), self.values(self.reference, "reward")
        return {
            "reward_difference": self.bootstrap.paired_difference(own, other),
            "reward_ratio": self.bootstrap.ratio_of_means(own, other),
            "score_difference": self.bootstrap.paired_difference(
                self.values(driver, "score"), self.values(self.reference, "score")
            ),
        }

    def to_dict(self) -> dict:
        """Plain data: settings, per-track rows, summaries and paired statistics."""
        drivers = {}
        for name in self.drivers:
            summary = self.summary(name)
            laps = sum(row.lap_completed for row in self.tracks[name])
            drivers[name] = {
                "summary": {metric: interval.to_dict() for metric, interval in summary.items()},
                "laps_completed": laps,
                "tracks": [row.to_dict() for row in self.tracks[name]],
            }
        paired = {}
        if self.reference is not None:
            for name in self.drivers:
                if name != self.reference:
                    paired[f"{name}_vs_{self.reference}"] = {
                        key: None if value is None else value.to_dict() for key, value in self.paired(name).items()
                    }
        return {
            "seeds": list(self.seeds),
            "tracks": len(self.seeds),
            "settings": dict(self.settings),
            "confidence": self.bootstrap.confidence,
            "bootstrap": {"method": "percentile", "resamples": self.bootstrap.resamples, "seed": self.bootstrap.seed},
            "lap_completion_interval": "wilson",
            "driving_score": self.score.to_dict(),
            "reference": self.reference,
            "drivers": drivers,
            "paired": paired,
        }

    def to_json(self, **options) -> str:
        return json.dumps(self.to_dict(), **options)

    def track_table(self) -> str:
        """One line per track: each driver's reward, lap, off-road seconds and score."""
        headers = ["seed"]
        for name in self.drivers:
            headers += [f"{name} reward", "lap", "off-road s", "score"]
        rows = []
        for index, seed in enumerate(self.seeds):
            row = [str(seed)]
            for name in self.drivers:
                metrics = self.tracks[name][index]
                row += [
                    f"{metrics.reward:.1f}",
                    "yes" if metrics.lap_completed else "no",
                    f"{metrics.off_road_seconds:.1f}",
                    f"{metrics.score:.1f}",
                ]
            rows.append(row)
        return _format(headers, rows)

    def table(self) -> str:
        """The summary for a terminal: means with their intervals per driver, then the paired lines."""
        percent = round(self.bootstrap.confidence * 100)
        headers = [
            "driver",
            f"reward [{percent}% CI]",
            "laps completed",
            f"score [{percent}% CI]",
            "route completion",
            "off-road s",
            "unstucks",
        ]
        rows = []
        for name in self.drivers:
            summary = self.summary(name)
            laps = summary["lap_completion"]
            completed = sum(row.lap_completed for row in self.tracks[name])
            rows.append(
                [
                    name,
                    summary["reward"].format(1),
                    f"{completed}/{len(self.seeds)} [{laps.low:.0%}, {laps.high:.0%}]",
                    summary["score"].format(1),
                    summary["route_completion"].format(2),
                    summary["off_road_seconds"].format(1),
                    f"{summary['unstucks'].estimate:.2f}",
                ]
            )
        lines = [_format(headers, rows)]
        if self.reference is not None:
            for name in self.drivers:
                if name == self.reference:
                    continue
                paired = self.paired(name)
                ratio = paired["reward_ratio"]
                ratio_text = "n/a (reference mean reward not positive)" if ratio is None else ratio.format(2)
                lines.append(
                    f"{name} vs {self.reference} on the same {len(self.seeds)} tracks: reward ratio "
                    f"{ratio_text}; reward difference {paired['reward_difference'].format(1)}; "
                    f"score difference {paired['score_difference'].format(1)}"
                )
        return "\n".join(lines)


def _format(headers, rows) -> str:
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows)]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in [headers, *rows])
