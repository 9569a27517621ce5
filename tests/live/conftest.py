"""Live-system tests: Ray with token authentication and a token file of the test's own."""

import os

import pytest


@pytest.fixture(scope="session")
def ray_token(tmp_path_factory):
    """``RAY_AUTH_TOKEN_PATH`` to a fresh owner-only token for the session (never the user's ~/.ray)."""
    pytest.importorskip("ray")
    from charles_core.live.ray_support import ensure_token

    path = tmp_path_factory.mktemp("ray_auth") / "auth_token"
    saved = {name: os.environ.get(name) for name in ("RAY_AUTH_TOKEN_PATH", "RAY_AUTH_MODE")}
    os.environ["RAY_AUTH_TOKEN_PATH"] = str(path)
    ensure_token(create=True)
    yield path
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def tiny_config(**overrides):
    """A live run small enough for two cores: PilotNet v1 at 64x80 (its smallest side is 61), tiny buffers."""
    from charles_core.live.live_config import LiveConfig

    settings = dict(
        line="charles_pilotnet_v1",
        input_size=(64, 80),
        collectors=2,
        players=1,
        minutes=10.0,
        capacity=48,
        batch_per_buffer=4,
        publish_every=10,
        checkpoint_every=20,
        ingest_samples=16,
        player_max_steps=40,
        collector_options={"cars": 2},
        call_timeout_s=60,
        start_timeout_s=180,
        data_timeout_s=120,
    )
    settings.update(overrides)
    return LiveConfig(**settings)
