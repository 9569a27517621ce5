"""The built-in collectors plugin: collector ``sim`` (NPC-driven simulator cars).

Importing this module needs neither gymnasium nor box2d; the factory imports
them when called.
"""

from __future__ import annotations

from charles_core.hookspecs import hookimpl
from charles_core.registry import ComponentSpec


def create_sim_collector(line, input_size, *, seed: int = 0, **options):
    """Factory of the ``sim`` collector: a :class:`~charles_core.collect.sim_collector.SimCollector`."""
    from charles_core.collect.sim_collector import SimCollector

    return SimCollector(line, input_size, seed=seed, **options)


@hookimpl
def charles_register_collectors(register):
    register(
        ComponentSpec(
            name="sim",
            factory=create_sim_collector,
            description="the scripted NPC driving several simulator cars, balanced by the line's balancer",
        )
    )
