"""The evaluation chart: per-track values of each driver, and the means with their intervals."""

from __future__ import annotations

from pathlib import Path

from charles_core.errors import StorageError

PANELS = (("reward", "reward"), ("score", "driving score (0-100)"))


def plot_evaluation(report, path, title: str | None = None) -> str:
    """Write a PNG with one panel per metric: reward, driving score, lap completion.

    In the reward and score panels each driver's per-track values are points
    (x: the track seed) and the rightmost column, "mean", shows each driver's
    mean with its bootstrap interval as an error bar; the last panel shows the
    lap completion rate with its Wilson interval.

    Args:
        report: an :class:`~charles_core.evaluation.evaluation_report.EvaluationReport`.
        path: the ``.png`` to write (its folder is created).
        title: the figure's title (default: the number of tracks).

    Returns:
        The path written, as a string.

    Raises:
        StorageError: the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    path = Path(path)
    count = len(report.seeds)
    drivers = report.drivers
    summaries = {name: report.summary(name) for name in drivers}
    percent = round(report.bootstrap.confidence * 100)
    width = min(max(8.0, 0.28 * count + 4.0), 30.0)
    figure, axes = plt.subplots(3, 1, figsize=(width, 10), gridspec_kw={"height_ratios": [3, 3, 2]})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    positions = np.arange(count)
    spread = 0.6 / max(len(drivers), 1)
    for axis, (metric, label) in zip(axes[:2], PANELS):
        for index, name in enumerate(drivers):
            colour = colours[index % len(colours)]
            offset = (index - (len(drivers) - 1) / 2) * spread
            axis.scatter(positions + offset, report.values(name, metric), s=18, color=colour, label=name)
            interval = summaries[name][metric]
            axis.errorbar(
                [count + 1 + offset],
                [interval.estimate],
                yerr=[[interval.estimate - interval.low], [interval.high - interval.estimate]],
                fmt="D",
                color=colour,
                capsize=5,
                markersize=7,
            )
        axis.axvline(count, color="grey", linewidth=0.8, linestyle=":")
        step = max(1, count // 40)  # keep the seed labels legible on long runs
        ticks = list(positions[::step]) + [count + 1]
        axis.set_xticks(ticks, [str(report.seeds[i]) for i in positions[::step]] + [f"mean\n({percent}% CI)"])
        axis.set_ylabel(label)
        axis.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="lower left", fontsize="small")
    axes[1].set_xlabel("track seed")
    rates = [summaries[name]["lap_completion"] for name in drivers]
    axis = axes[2]
    axis.bar(
        range(len(drivers)),
        [rate.estimate for rate in rates],
        yerr=[[rate.estimate - rate.low for rate in rates], [rate.high - rate.estimate for rate in rates]],
        color=[colours[i % len(colours)] for i in range(len(drivers))],
        capsize=6,
    )
    axis.set_xticks(range(len(drivers)), list(drivers))
    axis.set_ylim(0, 1.05)
    axis.set_ylabel(f"laps completed\n(share, {percent}% CI)")
    axis.grid(axis="y", alpha=0.3)
    figure.suptitle(title or f"evaluation on {count} unseen track{'s' if count != 1 else ''}")
    figure.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
    except OSError as error:
        raise StorageError(f"cannot write the evaluation chart {path}: {error}") from error
    finally:
        plt.close(figure)
    return str(path)
