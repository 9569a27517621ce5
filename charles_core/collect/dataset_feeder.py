"""Refill a line's buffers from a recorded dataset (``charles train --data DIR``)."""

from __future__ import annotations

import collections
from collections.abc import Mapping

import attrs
import numpy as np

from charles_core.collect.buffer_feed import step_until_trainable
from charles_core.errors import DataError
from charles_core.lines.line_config import LineConfig


class DatasetFeeder:
    """Refills buffers from a recorded dataset, each recorded sample used once.

    Lines that see several frames get each sample's frames from the samples
    recorded just before it (oldest on top; the first ones repeat the oldest).
    History lines get each sample's history rebuilt from the recording's
    earlier samples with the keeper the collector and the player use
    (:func:`~charles_core.codec.history_inputs.make_history_keeper`): read before a
    sample, its recorded controls, speed and purpose pushed after it, so a
    sample's history holds strictly past values and never its own label. The
    first samples' history is padded as at the start of a drive.

    On creation the recording's labels are checked against the balancer's
    bins: a bin no recorded value falls in can never be filled, and the
    buffers would wait for ever; that, and a recording too small for the
    buffers' capacity, is a :class:`~charles_core.errors.DataError` naming the
    bins and what to do.

    Args:
        dataset: a :class:`~charles_core.data.recorded_dataset.RecordedDataset`.
        line: the line (input size, frames, history).
        input_size: frames are resized to it.
        balancer: the balancer to sort samples with.
        buffers: the buffers to fill.

    Raises:
        DataError: the recording cannot fill the buffers with these bins.
    """

    def __init__(self, dataset, line: LineConfig, input_size, balancer, buffers):
        from charles_core.codec.line_codec import LineCodec

        self.dataset, self.line, self.input_size = dataset, line, tuple(input_size)
        self.balancer, self.buffers = balancer, buffers
        self.position = 0
        self.codec = LineCodec(line, self.input_size)
        self._frames = self.codec.new_frame_stack()
        self.history = self.codec.new_sample_history()
        check_recording_fills(dataset, balancer, buffers.config.capacity, buffers.counts())

    def step(self) -> int:
        if self.position >= len(self.dataset):
            raise DataError(
                f"recording {getattr(self.dataset, 'path', '')} is used up after {self.position:,} samples "
                f"(buffers hold {self.buffers.counts()}); record more or lower --capacity"
            )
        sample = self.dataset[self.position]
        self.position += 1
        frame = self._frames.push(sample.frame)
        past = self.codec.sample_history(self.history)  # read before this sample, as the collector does
        if self.history is not None:
            self.history.push(
                {
                    "throttle": sample.throttle,
                    "steering": sample.steering,
                    "speed": sample.speed,
                    "purpose": sample.purpose,
                }
            )
        self.balancer.add(attrs.evolve(sample, frame=frame, history=past))
        return sum(self.buffers.add_ready(self.balancer.take_ready()).values())

    def refill(self, max_steps: int = 500) -> int:
        return step_until_trainable(self.step, self.buffers, max_steps)


def _bins_text(bins, indices) -> str:
    names = bins.labels()
    return ", ".join(names[i] for i in indices)


def check_recording_fills(dataset, balancer, capacity: int, counts: Mapping[str, int] | None = None) -> None:
    """Raise DataError if ``dataset``'s labels can never fill ``buffers`` through ``balancer``'s bins.

    Every balancer puts one sample per bin (v2-v4: per output's bin; v1: per
    combination of all outputs' bins) in a set, so a buffer receives at most
    ``set size x (samples in its scarcest bin)`` samples. Balancers without
    ``bins`` (plugins) are not checked.

    Needs no buffers: call it before allocating them.

    Args:
        dataset: has ``label_arrays()`` and ``path``.
        balancer: a balancer (``bins``, ``outputs``; v1: ``combinations()``).
        capacity: samples per buffer.
        counts: samples the buffers already hold (a resumed run's), per buffer name.

    Raises:
        DataError: naming the empty bins or the reachable fill, and what to do.
    """
    bins = getattr(balancer, "bins", None)
    if not isinstance(bins, dict) or not hasattr(dataset, "label_arrays"):
        return
    path = getattr(dataset, "path", "")
    labels = dataset.label_arrays()
    if not len(next(iter(labels.values()))):
        raise DataError(f"recording {path} holds no samples; record some driving first")
    from charles_core.collect.data_pipeline import COARSE_BINS

    counts = dict(counts or {})
    coarse = all(bins[o] == COARSE_BINS.get(o) for o in balancer.outputs)
    wider = "" if coarse else "use --bins coarse (wider bins), or "
    hint = f"{wider}record driving that covers them"
    if hasattr(balancer, "combinations"):  # v1: one sample per combination of every output's bins
        keys = np.stack([bins[o].indices(labels[o]) for o in balancer.outputs], axis=1)
        present = collections.Counter(map(tuple, keys.tolist()))
        combos = balancer.combinations()
        for output in balancer.outputs:
            column = balancer.outputs.index(output)
            used = {combo[column] for combo in combos}
            empty = [i for i in sorted(used) if not (keys[:, column] == i).any()]
            if empty:
                raise DataError(
                    f"recording {path}: no {output} label falls in bin(s) {_bins_text(bins[output], empty)} of "
                    f"balancer {balancer.name}, so no balanced set can ever complete; {hint}"
                )
        missing = [c for c in combos if c not in present]
        if missing:
            named = ", ".join(
                "(" + ", ".join(f"{o} {bins[o].labels()[i]}" for o, i in zip(balancer.outputs, c)) + ")"
                for c in missing[:3]
            )
            raise DataError(
                f"recording {path}: {len(missing)} of {len(combos)} bin combinations of balancer {balancer.name} "
                f"never occur (e.g. {named}), so no balanced set can ever complete; {hint}"
            )
        most = len(combos) * min(present[c] for c in combos)
        per_buffer = {name: most for name in balancer.buffer_names}
    else:  # v2-v4: each output's buffer takes one sample per bin of that output
        per_buffer = {}
        for output in balancer.outputs:
            histogram = bins[output].histogram(labels[output])
            empty = np.flatnonzero(histogram == 0).tolist()
            if empty:
                values = labels[output]
                raise DataError(
                    f"recording {path}: no {output} label falls in bin(s) {_bins_text(bins[output], empty)} of "
                    f"balancer {balancer.name} (its {output} ranges {float(values.min()):.3g}.."
                    f"{float(values.max()):.3g}), so the {output} buffer can never fill; {hint}"
                )
            per_buffer[output] = bins[output].count * int(histogram.min())
    for name, most in per_buffer.items():
        need = capacity - counts.get(name, 0)
        if most < need:
            raise DataError(
                f"recording {path} can give buffer {name!r} at most {most:,} samples with balancer "
                f"{balancer.name}'s bins (its scarcest bin sets the limit), and it needs {need:,}; lower --capacity "
                f"to {max(most, 1):,} or less, {wider}or record more"
            )
