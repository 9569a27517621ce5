"""Settings of a CarRacingSession, validated when built."""

from __future__ import annotations

import attrs

from charles_core.common.validators import non_negative as _non_negative
from charles_core.common.validators import optional_positive as _positive
from charles_core.errors import ConfigError

# The car's traction control by default: the rear-wheel slip (world units/s) above which it cuts the gas.
TRACTION_CONTROL = 10.0


def _frame_size(value) -> tuple[int, int]:
    try:
        height, width = (int(part) for part in value)
    except (TypeError, ValueError):
        raise ConfigError(f"frame_size must be (height, width); got {value!r}") from None
    if height < 8 or width < 8:
        raise ConfigError(f"frame_size must be at least 8x8; got {value!r}")
    return height, width


def _optional_int(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int,)) and not hasattr(value, "__index__"):
        raise ConfigError(f"expected an integer or None; got {value!r}")
    return int(value)


def _fraction(instance, attribute, value):
    if not 0.0 < value <= 1.0:
        raise ConfigError(f"{attribute.name} must lie in (0, 1]; got {value!r}")


@attrs.frozen
class CarRacingConfig:
    """How a :class:`CarRacingSession` runs CarRacing-v3.

    Args:
        seed: track seed used by ``reset()`` when none is given; ``None`` draws one.
        frame_size: ``(height, width)`` of the frames ``read()`` hands out.
        fast_render: draw with :class:`~charles_core.sim.scaled_renderer.ScaledRenderer`:
            the road culled with numpy (:class:`FastRoadRenderer`: the same
            polygons and drawing calls; at ``render_scale`` 1 every pixel within
            6/255 of CarRacing's own), the drawing at ``render_scale`` of
            CarRacing's 1000x800 window, no unused 96x96 observation copy.
            ``False``: CarRacing's own drawing, untouched.
        render_scale: the size of the drawing ``read()`` scales frames from, as
            a share of CarRacing's window (with ``fast_render``). 0.25 draws at
            250x200, still more than twice the pixels of a 96-wide frame in each
            direction, in a fraction of the time (docs/benchmarks.md).
        action_repeat: physics steps (1/50 s each) per ``apply``; only the last
            is rendered, so 2 halves the cost of a step and acts at 25 Hz, close to
            Charles's 30 predictions per second. ``max_steps`` counts physics steps,
            so rewards stay comparable with CarRacing's 1,000-step budget.
        max_steps: steps (controls applied) before the episode is cut; CarRacing's
            registered budget is 1000. ``None`` means no limit.
        crop_indicators: drop CarRacing's indicator bar (the bottom eighth of
            its render: score, speed, ABS, steering and gyro bars). On by
            default because the bar draws the very labels a model learns
            (speed, steering), and Charles's hood camera shows no HUD.
        purpose_tiles_ahead: how many track tiles ahead the purpose target lies.
        settle_steps: physics steps run after each reset with the car parked
            (no action, so no reward change) while CarRacing's one-second
            camera zoom-in plays out; frames then look alike from the start.
        lap_complete_percent: share of tiles to visit before crossing the
            start line ends the lap (CarRacing's own setting).
        domain_randomize: CarRacing's random road and grass colours.
        traction_control: the car's traction control, the same for every driver
            (the NPC, Charles, a person, the baseline): no gas in a physics step
            while a driven (rear) wheel's surface outruns the car by more than
            this many world units/s. ``None``: off, CarRacing's own car, whose
            rear wheels spin under full gas out of a bend and turn it round. The
            NPC then cuts its gas itself (``ExpertDriverConfig.max_wheel_slip``),
            on a wheel slip the camera does not show, so a clone of it keeps the
            gas down and spins (docs/recovery.md).
    """

    seed: int | None = attrs.field(default=0, converter=_optional_int)
    frame_size: tuple[int, int] = attrs.field(default=(96, 96), converter=_frame_size)
    max_steps: int | None = attrs.field(default=1000, converter=_optional_int, validator=_positive)
    action_repeat: int = attrs.field(default=1, converter=int, validator=_positive)
    fast_render: bool = attrs.field(default=True, converter=bool)
    render_scale: float = attrs.field(default=0.25, converter=float, validator=_fraction)
    crop_indicators: bool = attrs.field(default=True, converter=bool)
    purpose_tiles_ahead: int = attrs.field(default=20, converter=int, validator=_positive)
    settle_steps: int = attrs.field(default=50, converter=int, validator=_non_negative)
    lap_complete_percent: float = attrs.field(default=0.95, converter=float, validator=_fraction)
    domain_randomize: bool = attrs.field(default=False, converter=bool)
    traction_control: float | None = attrs.field(default=TRACTION_CONTROL, validator=_positive)
