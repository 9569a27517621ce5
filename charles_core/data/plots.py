"""Per-output label histograms, drawn like the published balancing charts.

Example:

```text
from charles_core.data.plots import plot_label_histograms
plot_label_histograms(samples, "balance.png")  # or {"steering": array, ...}
```
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import numpy as np

from charles_core.common.signals import OUTPUT_RANGES
from charles_core.data.bins import DEFAULT_V2_BINS, BinSpec
from charles_core.data.sample import Sample, label
from charles_core.errors import ConfigError, DataError, StorageError


def _labels_of(samples_or_labels, outputs) -> dict[str, np.ndarray]:
    if isinstance(samples_or_labels, Mapping):
        values = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in samples_or_labels.items()}
        for name in values:
            if name not in OUTPUT_RANGES:
                raise DataError(f"unknown output {name!r}; known: {', '.join(OUTPUT_RANGES)}")
        return values
    samples = list(samples_or_labels)
    if not all(isinstance(s, Sample) for s in samples):
        raise DataError("plot_label_histograms expects Samples or a mapping output name -> values")
    outputs = outputs or ("throttle", "steering")
    return {o: np.array([label(s, o) for s in samples], dtype=np.float64) for o in outputs}


def check_plot_path(path) -> str:
    """Return ``path`` if a PNG can be written there; ConfigError or StorageError naming the problem otherwise."""
    path = os.fspath(path)
    if not path.lower().endswith(".png"):
        raise ConfigError(f"the plot is written as PNG: give a file name ending in .png; got {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise StorageError(f"cannot write the plot {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise StorageError(f"cannot write the plot {path}: it is a directory")
    return path


def plot_label_histograms(
    samples_or_labels: Iterable[Sample] | Mapping[str, np.ndarray],
    path: str | os.PathLike,
    *,
    outputs: Iterable[str] | None = None,
    bins: Mapping[str, BinSpec] | None = None,
    title: str | None = None,
) -> str:
    """Draw one bar chart per output: sample count per bin, and save it to ``path``.

    Args:
        samples_or_labels: Samples, or a mapping output name -> label values.
        path: image file to write (format from the suffix, e.g. ``.png``).
        outputs: outputs to draw when given Samples (default throttle, steering).
        bins: output name -> BinSpec (default: the 0.1-wide Balancing_v2 bins).
        title: figure title.

    Returns:
        ``path`` as a string.

    Example:
        >>> plot_label_histograms({"steering": [0.0, 0.1, -0.5]}, "/tmp/h.png")
        '/tmp/h.png'
    """
    path = check_plot_path(path)
    import matplotlib

    matplotlib.use("Agg")  # headless: trainers and CI have no display
    import matplotlib.pyplot as plt

    values = _labels_of(samples_or_labels, tuple(outputs) if outputs else None)
    if not values:
        raise DataError("plot_label_histograms got no outputs to draw")
    bins = dict(bins or {})
    fig, axes = plt.subplots(len(values), 1, figsize=(10, 3.2 * len(values)), squeeze=False)
    for ax, (name, v) in zip(axes[:, 0], values.items()):
        spec = bins.get(name, DEFAULT_V2_BINS[name])
        counts = spec.histogram(v) if v.size else np.zeros(spec.count, dtype=int)
        positions = np.arange(spec.count)
        ax.bar(positions, counts, color="tab:blue", edgecolor="black", linewidth=0.5)
        ax.set_xticks(positions)
        ax.set_xticklabels(spec.labels(), rotation=60, ha="right", fontsize=7)
        ax.set_ylabel("samples")
        ax.set_title(f"{name} ({int(v.size)} samples)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=100)
    except OSError as error:
        raise StorageError(f"cannot write the plot {path}: {error.strerror or error}") from None
    finally:
        plt.close(fig)
    return os.fspath(path)
