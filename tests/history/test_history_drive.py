"""Every history and recurrent line drives the simulator through the player loop."""

import math

import pytest

from charles_core import plugins
from charles_core.driving.drive import drive_simulator
from charles_core.models import create_model

pytest.importorskip("gymnasium")

HISTORY_LINES = [n for n in plugins.lines.names() if plugins.lines.get(n).history is not None]


@pytest.mark.parametrize("name", HISTORY_LINES)
def test_history_line_drives_the_simulator(name):
    line = plugins.lines.get(name)
    small = {"backbone": "pilotnet", "input_size": (61, 64)} if line.has_frame_input else {}
    model = create_model(name, load_sources=False, **small)
    result = drive_simulator(model, (6,), rate_hz=0, max_steps=24, runtime="keras", status=lambda s: None)
    assert math.isfinite(result["per_seed"][6]) and result["pps"] > 0
