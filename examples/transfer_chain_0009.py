"""The 0009 transfer chain at small scale on the embedded simulator.

1. Train ``model_0004_inceptionresnetv2_v3`` (on pilotnet, so a CPU copes) a
   few hundred batches on NPC data, as ``charles train`` does.
2. Train ``model_0008_irv2_data_td_v5`` (the recurrent branch alone, no frame)
   on history recorded by the same collector.
3. Start ``model_0009_irv2_cr_tl_v1`` from their checkpoints (CNN from 0004,
   LSTMs and post-LSTM Dense from 0008 v5, the rest at random), check that the
   transferred weights are the sources', train it briefly and let it drive.

Run: ``python examples/transfer_chain_0009.py [--batches 150] [--run-root charles_runs]``.
The last printed line is JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

SIZE = (64, 64)  # pilotnet's minimum side is 61


def train_on_sim(line_id, run_dir: Path, batches: int, capacity: int, sources=None, backbone="pilotnet"):
    """``charles train LINE --data sim`` in a few lines: collector -> balancer -> buffers -> Trainer."""
    from charles_core.collect.buffer_feed import BufferFeed
    from charles_core.collect.data_pipeline import fill_buffers, make_balancer, make_buffers, make_sim_collector
    from charles_core.models import get_line
    from charles_core.training.trainer import Trainer
    from charles_core.training.training_config import TrainingConfig

    line = get_line(line_id)
    if line.has_frame_input:
        line = get_line(line, backbone=backbone)
    config = TrainingConfig(batch_per_buffer=8, checkpoint_every=10_000, progress=False)
    trainer = Trainer(line, run_dir, input_size=SIZE, config=config, sources=sources)
    balancer = make_balancer(line, bins="coarse")
    buffers = make_buffers(line, run_dir / "buffers", SIZE, balancer, capacity)
    collector = make_sim_collector(line, SIZE, balancer, buffers, seeds=tuple(range(100, 130)), cars=4)
    started = time.perf_counter()
    fill_buffers(collector, buffers, progress=False)
    result = trainer.train(BufferFeed(buffers, refill=collector.refill), until_batch=batches)
    buffers.close()
    collector.close()
    shutil.rmtree(run_dir / "buffers")
    losses = {k: round(v, 4) for k, v in result["final_losses"].items()}
    print(f"{line.name}: {trainer.batch} batches in {time.perf_counter() - started:.0f}s, losses {losses}")
    return trainer, result["checkpoint"]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=150, help="batches per stage")
    parser.add_argument("--capacity", type=int, default=300, help="samples per buffer")
    parser.add_argument("--run-root", default="charles_runs")
    args = parser.parse_args(argv)

    from charles_core.driving.drive import drive_simulator, load_line_model
    from charles_core.models import create_model
    from charles_core.models.initializers.checkpoint import load_checkpoint_model
    from charles_core.models.parts import part_layers

    root = Path(args.run_root) / f"chain_0009-{time.strftime('%Y%m%d-%H%M%S')}"
    _, ckpt4 = train_on_sim("model_0004_inceptionresnetv2_v3", root / "0004", args.batches, args.capacity)
    _, ckpt8 = train_on_sim("model_0008_irv2_data_td_v5", root / "0008_v5", args.batches, args.capacity)

    sources = {"backbone": ckpt4, "recurrent": ckpt8}
    model = create_model("model_0009_irv2_cr_tl_v1", backbone="pilotnet", input_size=SIZE, sources=sources)
    source4, source8 = load_checkpoint_model(ckpt4), load_checkpoint_model(ckpt8)
    checks = {}
    for part, source in (("backbone", source4), ("recurrent", source8)):
        checks[part] = all(
            all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), source.get_layer(layer.name).get_weights()))
            for layer in part_layers(model, part)
        )
    print(f"0009 v1 starts from the sources: {checks}; initialisation: {model.charles_transfer}")
    _, ckpt9 = train_on_sim("model_0009_irv2_cr_tl_v1", root / "0009", args.batches, args.capacity, sources=sources)
    drive = drive_simulator(load_line_model(ckpt9), seeds=(0,), rate_hz=0, max_steps=300, status=lambda status: None)
    summary = {
        "checkpoints": {"0004": ckpt4, "0008_v5": ckpt8, "0009_v1": ckpt9},
        "transferred_equal_sources": checks,
        "0009_drive_reward_300_steps": drive["mean_reward"],
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
