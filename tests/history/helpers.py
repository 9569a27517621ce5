"""Shared helpers of the history tests: parameter arithmetic and buffers with history."""

from __future__ import annotations

import numpy as np

from charles_core.codec.history_inputs import history_columns, history_signal_shapes
from charles_core.data.sample import Sample
from tests.core.helpers import dense_params, head_params, stack_params

#: pilotnet's smallest comfortable input (its minimum side is 61)
SMALL = (64, 64)


def lstm_params(inputs: int, units: int) -> int:
    return 4 * (units * (inputs + units) + units)


def branch_params(line) -> tuple[int, int]:
    """(params, feature width) of a line's history branch, auxiliary part excluded."""
    spec = line.history
    columns = len(history_columns(spec))
    extra = 2 if spec.current_purpose else 0
    if spec.branch == "dense":
        total, width = stack_params(spec.steps * columns + extra, spec.layers)
    else:
        total, width = 0, columns
        if spec.branch == "td_dense_lstm":
            total, width = stack_params(columns, spec.layers)
            widths = (spec.recurrent_units,)
        else:
            widths = spec.layers
        for units in widths:
            total += lstm_params(width, units)
            width = units
        width += extra
    post, width = stack_params(width, spec.post_dense)
    return total + post, width


def auxiliary_params(line, width: int) -> int:
    spec = line.history
    if not (spec.auxiliary_heads or spec.alone):
        return 0
    total, width = stack_params(width, spec.auxiliary_heads)
    for output in line.outputs:
        head, head_width = stack_params(width, spec.auxiliary_head_layers)
        total += head + dense_params(head_width, output.units)
    return total


def history_line_params(line, cnn_params: int, cnn_features: int) -> int:
    """Total parameters of a history line from its widths (spec arithmetic)."""
    branch, width = branch_params(line)
    aux = auxiliary_params(line, width)
    if line.history.alone:
        return branch + aux
    return cnn_params + branch + aux + head_params(cnn_features + width, line)


def random_history_sample(rng, line, frame_shape) -> Sample:
    """A random sample carrying the history ``line`` needs."""
    history = {}
    for signal, shape in history_signal_shapes(line).items():
        low, high = {"speed": (0, 80), "acceleration": (0, 1), "braking": (0, 1)}.get(signal, (-1, 1))
        history[signal] = rng.uniform(low, high, shape).astype(np.float32)
    return Sample(
        rng.integers(0, 256, (*frame_shape, 3), dtype=np.uint8),
        throttle=rng.uniform(-1, 1),
        steering=rng.uniform(-1, 1),
        speed=rng.uniform(0, 80),
        purpose=rng.uniform(-1, 1, 2),
        history=history,
    )


class HistoryRefill:
    """Tops up every buffer with random samples carrying history (a collector stand-in)."""

    def __init__(self, buffers, line, frame_shape, seed=0):
        self.buffers, self.line, self.frame_shape = buffers, line, frame_shape
        self.rng = np.random.default_rng(seed)

    def __call__(self):
        for name in self.buffers.outputs:
            for _ in range(8):
                self.buffers.add(name, random_history_sample(self.rng, self.line, self.frame_shape))


def filled_history_buffers(line, directory, size=SMALL, capacity=48):
    """Full buffers (the line's balancer layout) of random samples with history, and their refill."""
    from charles_core.collect.data_pipeline import make_balancer, make_buffers

    buffers = make_buffers(line, directory, size, make_balancer(line), capacity=capacity)
    refill = HistoryRefill(buffers, line, (size[0] * line.frames, size[1]))
    while not buffers.ready:
        refill()
    return buffers, refill
