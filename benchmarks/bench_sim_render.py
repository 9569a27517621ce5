"""Simulator steps per second at each render scale: the NPC drives whole episodes, a frame read every step.

Usage: ``python benchmarks/bench_sim_render.py --seeds 0,1,2 --scales 1,0.5,0.25`` (prints JSON).
The rewards must be equal across scales (the drawing never touches the physics).
"""

from __future__ import annotations

import argparse
import json
import time

from charles_core.sim.car_racing_session import CarRacingSession
from charles_core.sim.expert_driver import ExpertDriver


def steps_per_second(scale: float, seeds, frame_size=(72, 96)) -> dict:
    steps, seconds, rewards = 0, 0.0, []
    for seed in seeds:
        with CarRacingSession(seed=seed, action_repeat=2, render_scale=scale, frame_size=frame_size) as session:
            driver = ExpertDriver(max_speed=65)
            started = time.perf_counter()
            while not session.done:
                session.apply(driver.act(session))
                session.read()
                steps += 1
            seconds += time.perf_counter() - started
            rewards.append(round(session.episode_reward, 1))
    return {"scale": scale, "steps_per_s": round(steps / seconds, 1), "steps": steps, "rewards": rewards}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated track seeds")
    parser.add_argument("--scales", default="1,0.25", help="comma-separated render scales in (0, 1]")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    results = [steps_per_second(float(scale), seeds) for scale in args.scales.split(",")]
    result = {"benchmark": "sim_render", "seeds": seeds, "action_repeat": 2, "frame": "72x96", "runs": results}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
