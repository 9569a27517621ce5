"""Shared fixtures of the simulator tests: small, fast sessions."""

import pytest

pytest.importorskip("gymnasium")
pytest.importorskip("Box2D")

from charles_core.sim.car_racing_session import CarRacingSession  # noqa: E402


@pytest.fixture
def session():
    """A session on track 0 without the camera settle (fast to build)."""
    with CarRacingSession(seed=0, settle_steps=0) as running:
        yield running
