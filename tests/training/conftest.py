import numpy as np
import pytest

from charles_core.data.buffer_set import BufferSet
from charles_core.data.sample import Sample


def random_sample(rng, shape, **labels):
    values = {
        "throttle": rng.uniform(-1, 1),
        "steering": rng.uniform(-1, 1),
        "speed": rng.uniform(0, 50),
        "purpose": rng.uniform(-1, 1, 2),
    }
    values.update(labels)
    return Sample(rng.integers(0, 256, (*shape, 3), dtype=np.uint8), **values)


class RandomRefill:
    """Tops up every buffer with random samples (a stand-in for the collector)."""

    def __init__(self, buffers, shape, seed=0):
        self.buffers, self.shape, self.rng = buffers, shape, np.random.default_rng(seed)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        for name in self.buffers.outputs:
            for _ in range(8):
                self.buffers.add(name, random_sample(self.rng, self.shape))


@pytest.fixture
def filled_buffers(tmp_path):
    def make(outputs=("throttle", "steering"), shape=(64, 64), capacity=96, **settings):
        buffers = BufferSet(tmp_path / "buffers", outputs, shape, capacity=capacity, **settings)
        refill = RandomRefill(buffers, shape)
        while not buffers.ready:
            refill()
        return buffers, refill

    return make
