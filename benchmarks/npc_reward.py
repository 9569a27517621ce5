"""Measure the scripted NPC's CarRacing reward against the constant-gas baseline.

Usage: ``python benchmarks/npc_reward.py --seeds 0,1,2,3,4`` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import time

from charles_core.sim.evaluate import ConstantPolicy, evaluate
from charles_core.sim.expert_driver import ExpertDriver


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated track seeds")
    parser.add_argument("--max-steps", type=int, default=1000, help="steps per episode (CarRacing's budget: 1000)")
    parser.add_argument("--baseline-throttle", type=float, default=1.0, help="throttle of the constant baseline")
    parser.add_argument("--steering-noise", type=float, default=0.0, help="NPC steering noise (the bar is without)")
    args = parser.parse_args(argv)
    seeds = [int(part) for part in args.seeds.split(",") if part.strip()]

    started = time.perf_counter()
    npc = evaluate(ExpertDriver(steering_noise=args.steering_noise, seed=0), seeds, max_steps=args.max_steps)
    npc_seconds = time.perf_counter() - started
    baseline = evaluate(ConstantPolicy(throttle=args.baseline_throttle), seeds, max_steps=args.max_steps)
    report = {
        "seeds": seeds,
        "max_steps": args.max_steps,
        "npc": {**npc, "seconds": round(npc_seconds, 1)},
        "constant_baseline": {"throttle": args.baseline_throttle, "steering": 0.0, **baseline},
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
