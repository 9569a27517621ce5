"""Small-frame sample factories shared by the data tests (imported as `data_samples`)."""

import numpy as np
import pytest

from charles_core.data.sample import Sample

SHAPE = (12, 16, 3)


def frame_for(ident: int, shape=SHAPE) -> np.ndarray:
    """A frame whose every byte depends on ``ident``: a mixed-up frame is detectable."""
    size = int(np.prod(shape))
    return ((np.arange(size, dtype=np.int64) * (ident % 251 + 1) + ident) % 256).astype(np.uint8).reshape(shape)


def sample_for(ident: int, shape=SHAPE, history=None) -> Sample:
    """A sample whose frame and labels encode ``ident`` (kept in the timestamp)."""
    return Sample(
        frame=frame_for(ident, shape),
        throttle=(ident % 201) / 100.0 - 1.0,
        steering=((ident * 7) % 201) / 100.0 - 1.0,
        speed=float(ident % 50),
        purpose=(float(ident), -float(ident) / 2),
        history=history,
        timestamp=float(ident),
    )


def check_sample_matches(sample: Sample) -> int:
    """Assert ``sample`` is exactly the one ``sample_for`` made for its id; return the id."""
    ident = int(sample.timestamp)
    expected = sample_for(ident, sample.frame.shape)
    assert np.array_equal(sample.frame, expected.frame), f"frame of sample {ident} differs"
    assert sample.throttle == pytest.approx(expected.throttle, abs=1e-6)
    assert sample.steering == pytest.approx(expected.steering, abs=1e-6)
    assert sample.speed == expected.speed
    assert np.allclose(sample.purpose, expected.purpose)
    return ident
