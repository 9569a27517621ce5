"""Evaluation you can trust: per-track driving metrics, a CARLA-style driving score,
bootstrap confidence intervals and paired comparisons on the same tracks.

Example:

```text
from charles_core.evaluation.drivers import evaluate_drivers
from charles_core.sim.evaluate import ConstantPolicy
from charles_core.sim.expert_driver import ExpertDriver
from charles_core.sim.track_split import evaluation_seeds
report = evaluate_drivers({"npc": ExpertDriver(max_speed=65), "baseline": ConstantPolicy()},
                          evaluation_seeds(20), reference="npc")
print(report.table())
```

See docs/evaluation.md.
"""
