import math

import numpy as np
import pytest

from charles_core.driving.dead_zone import GTA_V_STICK_INNER, GTA_V_TRIGGER_INNER, DeadZone
from charles_core.errors import ConfigError

ZONES = [DeadZone.gta_v_stick(), DeadZone.gta_v_trigger(), DeadZone(inner=0.1, outer=0.9, margin=0.02)]


@pytest.mark.parametrize("zone", ZONES)
def test_zero_maps_to_zero(zone):
    assert zone.to_controller(0.0) == 0.0
    assert zone.to_controller(-0.0) == 0.0


@pytest.mark.parametrize("zone", ZONES)
def test_non_zero_lands_just_outside_the_inner_dead_zone(zone):
    for tiny in (1e-6, 1e-3, -1e-6, -1e-3):
        out = zone.to_controller(tiny)
        assert abs(out) > zone.inner
        assert abs(out) == pytest.approx(zone.inner + zone.margin, abs=2e-3)


@pytest.mark.parametrize("zone", ZONES)
def test_monotonic_sign_preserving_and_bounded(zone):
    values = np.linspace(-1.0, 1.0, 2001)
    out = np.array([zone.to_controller(v) for v in values])
    assert np.all(np.diff(out) >= 0)
    assert np.all(np.sign(out) == np.sign(values))
    assert np.all(np.abs(out) <= zone.outer + 1e-12)
    assert zone.to_controller(1.0) == pytest.approx(zone.outer)
    assert zone.to_controller(-1.0) == pytest.approx(-zone.outer)


@pytest.mark.parametrize("zone", ZONES)
def test_out_of_range_is_clipped_and_nan_releases(zone):
    assert zone.to_controller(1.5) == pytest.approx(zone.outer)
    assert zone.to_controller(-7.0) == pytest.approx(-zone.outer)
    assert zone.to_controller(math.nan) == 0.0


@pytest.mark.parametrize("zone", ZONES)
def test_to_model_inverts_to_controller(zone):
    for v in (-1.0, -0.5, -0.01, 0.0, 0.2, 0.77, 1.0):
        assert zone.to_model(zone.to_controller(v)) == pytest.approx(v, abs=1e-9)
    assert zone.to_model(zone.inner * 0.5) == 0.0  # inside the game's dead zone: nothing happens


def test_zero_below_threshold():
    zone = DeadZone(inner=0.2, zero_below=0.05)
    assert zone.to_controller(0.04) == 0.0
    assert zone.to_controller(0.06) > 0.2


def test_gta_v_defaults_are_documented_values():
    assert DeadZone.gta_v_stick().inner == GTA_V_STICK_INNER
    assert 0.2 <= GTA_V_STICK_INNER <= 0.25
    assert DeadZone.gta_v_trigger().inner == GTA_V_TRIGGER_INNER
    assert GTA_V_TRIGGER_INNER < GTA_V_STICK_INNER


def test_identity_passes_values_through():
    zone = DeadZone.identity()
    for v in (-1.0, -0.3, 0.0, 0.4, 1.0):
        assert zone.to_controller(v) == pytest.approx(v)


@pytest.mark.parametrize(
    "kwargs", [{"inner": -0.1}, {"inner": 1.2}, {"outer": 0.2, "inner": 0.24}, {"inner": "0.2x"}, {"margin": math.nan}]
)
def test_bad_settings_are_rejected(kwargs):
    with pytest.raises((ConfigError, ValueError)):
        DeadZone(**kwargs)
