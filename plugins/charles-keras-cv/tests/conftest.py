"""Make the plugin visible whether or not it is installed (or blocked) where the tests run."""

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pytest  # noqa: E402

import charles_keras_cv  # noqa: E402
from charles_core import plugins  # noqa: E402

PLUGIN_NAME = "kcv"  # the entry-point name in pyproject.toml


@pytest.fixture(autouse=True)
def kcv_registered():
    """Register the plugin by hand when the entry point was not loaded (not installed, blocked)."""
    if not set(charles_keras_cv.KCV_BACKBONES) <= set(plugins.backbones.names()):
        plugins.register_plugin(charles_keras_cv, name=PLUGIN_NAME)
    yield
    plugins.reset()
