"""Suite-wide setup: built-in plugins only, quiet TensorFlow, small inputs."""

import os

# Before charles_core or TensorFlow load: third-party plugins installed in the
# environment must not change what the suite sees (their own tests cover them).
os.environ.setdefault("CHARLES_CORE_BLOCK_PLUGINS", "*")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pytest  # noqa: E402

from charles_core import plugins  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_registries():
    yield
    plugins.reset()
