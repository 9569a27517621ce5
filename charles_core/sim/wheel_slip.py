"""How fast CarRacing's driven wheels spin against the road: what traction control reads."""

from __future__ import annotations


def rear_wheel_slip(car) -> float:
    """How much faster the driven (rear) wheels' surface turns than the car moves, world units/s.

    Args:
        car: a gymnasium CarRacing ``Car`` (``env.car``).

    Returns:
        The larger of the two rear wheels' slips; positive when a wheel spins.
    """
    slips = []
    for wheel in car.wheels[2:4]:
        forward = wheel.GetWorldVector((0, 1))
        velocity = wheel.linearVelocity
        forward_speed = forward[0] * velocity[0] + forward[1] * velocity[1]
        slips.append(wheel.omega * wheel.wheel_rad - forward_speed)
    return max(slips)
