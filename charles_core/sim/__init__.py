"""The embedded driving simulator: gymnasium's CarRacing-v3 and a scripted expert NPC.

``charles_core.sim.plugin`` registers environment ``car_racing``, frame source
``sim`` and controller ``sim``. Nothing here imports gymnasium until a session
is created. See docs/simulator.md.
"""
